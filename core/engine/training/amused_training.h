#pragma once

// Fine-tuning an aMUSEd model on a user's images, behind plain standard types for the Qt layers and the command
// line (no libtorch here): the run encodes the training set once, trains the transformer or a LoRA on it, writes
// checkpoints it can resume from and validation images, and at the end the trained model folder or LoRA file.
#include "core/engine/pipeline/generate.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

// One training image, already resized and cropped to the run's resolution, with what the micro-conditioning says
// about it.
struct TrainingExample
{
    std::string name; // for messages ("cat-03.png")
    RgbImage image;
    std::string caption;
    int originalWidth = 0, originalHeight = 0; // before resizing
    int cropTop = 0, cropLeft = 0;             // where the crop started, in the resized image
};

// diffusers' train_amused.py's defaults where it has them.
struct AmusedTrainingRequest
{
    std::string modelPath; // an aMUSEd diffusers folder
    std::vector<TrainingExample> examples;
    std::string runFolder;  // the run's own files: the encoded training set, checkpoints
    std::string outputPath; // the result: a model folder (full fine-tune) or a .safetensors LoRA file

    int steps = 1000;   // optimizer steps
    int batch = 1;      // images per micro-batch
    int accumulate = 1; // micro-batches per optimizer step
    double learningRate = 3e-4;
    int warmupSteps = 0; // the learning rate rises linearly over these steps (constant_with_warmup)
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 1e-2;
    double maxGradNorm = 0;      // 0: no clipping
    bool averageWeights = false; // EMA; the average becomes the result
    double averageDecay = 0.9999;
    int loraRank = 0;     // 0: the whole transformer trains
    double loraAlpha = 0; // 0: twice the rank
    std::vector<std::string> loraTargets{"to_q", "to_k", "to_v"};
    double labelSmoothing = 0;
    double aestheticScore = 6.0; // the micro-conditioning's, for every image
    std::uint64_t seed = 0;      // the data order and masks; the same seed gives the same run
    bool resume = false;         // continue from the run folder's latest checkpoint

    int checkpointEvery = 500; // steps; a checkpoint is also written at the end and when stopped
    int checkpointsKept = 2;
    int validationEvery = 0; // steps; 0: only at the end when there are prompts
    std::vector<std::string> validationPrompts;
    std::uint64_t validationSeed = 0;
    int validationSteps = 12;

    std::string device = "cpu";
    // "fp32"; "bf16" (the forward pass under autocast, on the CPU or CUDA); "fp16" (CUDA only, with loss scaling).
    // Weights, gradients and the optimizer stay float32.
    std::string precision = "fp32";
    std::string recipeJson; // stored in the result's metadata ("atelier_training")
};

struct TrainingProgress
{
    enum class Event { Encoding, Step, Checkpoint, Validation };
    Event event = Event::Step;
    int step = 0; // optimizer steps done
    int steps = 0;
    double loss = 0, gradNorm = 0, learningRate = 0;
    double secondsPerStep = 0, secondsLeft = 0;
    std::string checkpointPath;             // Checkpoint
    std::vector<RgbImage> validationImages; // Validation, one per prompt
};

struct AmusedTrainingResult
{
    int stepsDone = 0;
    int resumedFrom = 0;        // the checkpoint's step, 0 for a fresh run
    bool finished = false;      // false: stopped before the last step (a checkpoint holds where)
    std::string outputPath;     // when finished
    std::string checkpointPath; // the last checkpoint written
    double lastLoss = 0;
};

// Trains. `onProgress` returning false stops the run after the current step, with a checkpoint. Throws
// std::invalid_argument for bad settings and training sets (naming the image), UnsupportedModelError for a model that
// is not aMUSEd, FormatError for damaged files or checkpoints, OutOfMemoryError saying what to lower.
AmusedTrainingResult trainAmused(const AmusedTrainingRequest &request,
                                 const std::function<bool(const TrainingProgress &)> &onProgress = {});

} // namespace atelier::engine
