#pragma once

// What makes a training run repeatable and resumable: its random draws derived from the seed and the position in the
// run (so a resumed run draws what an uninterrupted one would), the data order per epoch, and checkpoints of the
// trainer's whole state, written atomically, that a resumed run checks against its own settings.
// Includes libtorch: for the engine's own sources and tests only.
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/amused_training.h"

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>

namespace atelier::engine {

enum class DrawStream : std::uint64_t { LoraInit = 1, DataOrder = 2, Masking = 3 };

// A CPU generator whose draws depend only on (seed, stream, index).
torch::Generator generatorFor(std::uint64_t seed, DrawStream stream, std::uint64_t index);

// Micro-batch i's rows: each epoch a permutation of the set, cut into batches (the last one shorter when the batch
// does not divide the set, as a DataLoader without drop_last does).
struct DataOrder
{
    std::int64_t setSize, batch;
    std::uint64_t seed;
    torch::Tensor rowsOf(std::int64_t microBatch) const;
};

// The run's identity: what the encoded training set was made from, and the settings a checkpoint must share with the
// run that resumes it.
struct RunIdentity
{
    std::string dataFingerprint;
    std::string settings;
};
RunIdentity runIdentity(const AmusedTrainingRequest &request);

class TrainingCheckpoints
{
public:
    TrainingCheckpoints(std::string runFolder, RunIdentity identity, int kept);

    // Writes the trainer's state after `step` and removes all but the newest `kept`. Returns its path.
    std::string write(const AmusedTrainer &trainer, int step);
    // Restores the newest checkpoint that reads (an unreadable one is passed over) and returns its step; none when
    // the run has none. Throws std::invalid_argument when it was made with other settings or another training set.
    std::optional<int> restoreLatest(AmusedTrainer &trainer) const;
    std::string pathFor(int step) const;

private:
    std::string m_folder;
    RunIdentity m_identity;
    int m_kept;
};

// A copy of the aMUSEd folder `base` at `path` with `transformer` as its transformer's weights, and the training
// recipe beside it; written under a temporary name and renamed when complete.
void writeModelFolder(const std::string &base, const std::string &path,
                      const std::map<std::string, torch::Tensor> &transformer,
                      const std::map<std::string, std::string> &metadata);

} // namespace atelier::engine
