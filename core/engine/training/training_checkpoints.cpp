#include "core/engine/training/training_checkpoints.h"

#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/io/state_dict.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace atelier::engine {

namespace {

std::uint64_t splitMix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

class Fingerprint
{
public:
    void add(const void *data, std::size_t size)
    {
        const auto *bytes = static_cast<const unsigned char *>(data);
        for (std::size_t i = 0; i < size; ++i)
            m_hash = (m_hash ^ bytes[i]) * 0x100000001B3ull; // FNV-1a
    }
    void add(const std::string &text)
    {
        add(text.data(), text.size());
        add("\0", 1);
    }
    template <typename Number> void addNumber(Number value) { add(std::to_string(value)); }
    std::string hex() const
    {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(m_hash));
        return text;
    }

private:
    std::uint64_t m_hash = 0xCBF29CE484222325ull;
};

constexpr const char *kPrefix = "step-", *kSuffix = ".safetensors";

// The steps of the checkpoints in `folder`, newest first.
std::vector<int> checkpointSteps(const std::string &folder)
{
    std::vector<int> steps;
    std::error_code error;
    for (const auto &entry : fs::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kPrefix, 0) != 0 || name.size() <= 5 + 12 || name.substr(name.size() - 12) != kSuffix)
            continue;
        const std::string digits = name.substr(5, name.size() - 5 - 12);
        if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit) && digits.size() < 10)
            steps.push_back(std::stoi(digits));
    }
    std::sort(steps.rbegin(), steps.rend());
    return steps;
}

} // namespace

torch::Generator generatorFor(std::uint64_t seed, DrawStream stream, std::uint64_t index)
{
    torch::Generator generator = torch::make_generator<at::CPUGeneratorImpl>();
    generator.set_current_seed(splitMix(splitMix(seed ^ splitMix(std::uint64_t(stream))) ^ index));
    return generator;
}

torch::Tensor DataOrder::rowsOf(std::int64_t microBatch) const
{
    const std::int64_t perEpoch = (setSize + batch - 1) / batch;
    const std::int64_t epoch = microBatch / perEpoch, within = microBatch % perEpoch;
    const torch::Tensor order =
        torch::randperm(setSize, generatorFor(seed, DrawStream::DataOrder, std::uint64_t(epoch)), torch::kInt64);
    const std::int64_t start = within * batch;
    return order.narrow(0, start, std::min(batch, setSize - start));
}

RunIdentity runIdentity(const AmusedTrainingRequest &request)
{
    Fingerprint data;
    data.add(fs::weakly_canonical(request.modelPath).string());
    data.addNumber(request.aestheticScore);
    for (const TrainingExample &example : request.examples) {
        data.add(example.caption);
        for (int value : {example.image.width, example.image.height, example.originalWidth, example.originalHeight,
                          example.cropTop, example.cropLeft})
            data.addNumber(value);
        data.add(example.image.pixels.data(), example.image.pixels.size());
    }
    std::ostringstream settings;
    settings << "batch " << request.batch << ", accumulation " << request.accumulate << ", seed " << request.seed
             << ", learning rate " << request.learningRate << ", warm-up " << request.warmupSteps << ", betas "
             << request.beta1 << "/" << request.beta2 << ", epsilon " << request.epsilon << ", weight decay "
             << request.weightDecay << ", clipping " << request.maxGradNorm << ", "
             << (request.averageWeights ? "EMA " + std::to_string(request.averageDecay) : std::string("no EMA")) << ", "
             << (request.loraRank > 0 ? "LoRA rank " + std::to_string(request.loraRank) : "full")
             << ", label smoothing " << request.labelSmoothing << ", " << request.precision;
    return {data.hex(), settings.str()};
}

TrainingCheckpoints::TrainingCheckpoints(std::string runFolder, RunIdentity identity, int kept)
    : m_folder((fs::path(runFolder) / "checkpoints").string())
    , m_identity(std::move(identity))
    , m_kept(std::max(1, kept))
{}

std::string TrainingCheckpoints::pathFor(int step) const
{
    char name[32];
    std::snprintf(name, sizeof name, "%s%06d%s", kPrefix, step, kSuffix);
    return (fs::path(m_folder) / name).string();
}

std::string TrainingCheckpoints::write(const AmusedTrainer &trainer, int step)
{
    fs::create_directories(m_folder);
    const std::string path = pathFor(step);
    writeSafetensors(path, trainer.state(),
                     {{"step", std::to_string(step)},
                      {"training_set", m_identity.dataFingerprint},
                      {"settings", m_identity.settings}});
    const std::vector<int> steps = checkpointSteps(m_folder);
    std::error_code error;
    for (std::size_t i = std::size_t(m_kept); i < steps.size(); ++i)
        fs::remove(pathFor(steps[i]), error);
    return path;
}

std::optional<int> TrainingCheckpoints::restoreLatest(AmusedTrainer &trainer) const
{
    for (int step : checkpointSteps(m_folder)) {
        StateDict checkpoint;
        std::map<std::string, std::string> metadata;
        try {
            metadata = SafetensorsFile::readHeader(pathFor(step)).metadata;
            checkpoint = loadWeights(pathFor(step));
        } catch (const Error &) {
            continue; // the one before it still holds a state
        }
        const auto meta = [&](const char *key) {
            const auto found = metadata.find(key);
            return found == metadata.end() ? std::string() : found->second;
        };
        if (meta("settings") != m_identity.settings)
            throw std::invalid_argument(pathFor(step) + " was made with other settings (" + meta("settings") +
                                        "; now " + m_identity.settings + "): resume with the same ones, or start anew");
        if (meta("training_set") != m_identity.dataFingerprint)
            throw std::invalid_argument(pathFor(step) + " was made from other images or captions: resume with the "
                                                        "same training set, or start anew");
        trainer.restore(checkpoint.tensors, step);
        return step;
    }
    return std::nullopt;
}

void writeModelFolder(const std::string &base, const std::string &path,
                      const std::map<std::string, torch::Tensor> &transformer,
                      const std::map<std::string, std::string> &metadata)
{
    const fs::path partial = path + ".partial";
    std::error_code error;
    fs::remove_all(partial, error);
    const fs::path baseFolder(base);
    for (const auto &entry : fs::recursive_directory_iterator(baseFolder)) {
        const fs::path relative = fs::relative(entry.path(), baseFolder);
        const std::string name = relative.filename().string();
        if (relative.parent_path() == "transformer" && name.rfind("diffusion_pytorch_model", 0) == 0)
            continue; // replaced by the trained weights
        if (entry.is_directory())
            fs::create_directories(partial / relative);
        else if (entry.is_regular_file())
            fs::copy_file(entry.path(), partial / relative, fs::copy_options::overwrite_existing);
    }
    writeSafetensors((partial / "transformer" / "diffusion_pytorch_model.safetensors").string(), transformer, metadata);
    const auto recipe = metadata.find("atelier_training");
    if (recipe != metadata.end()) {
        std::ofstream file(partial / "atelier_training.json");
        file << recipe->second << '\n';
        if (!file)
            throw Error("cannot write " + (partial / "atelier_training.json").string());
    }
    fs::rename(partial, path);
}

} // namespace atelier::engine
