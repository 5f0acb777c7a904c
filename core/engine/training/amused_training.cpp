#include "core/engine/training/amused_training.h"

#include "core/engine/device/device_choice.h"
#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/rgb_tensors.h"
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/masked_objective.h"
#include "core/engine/training/training_checkpoints.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace atelier::engine {

namespace {

constexpr std::int64_t kEncodeChunk = 8;

void validateRequest(const AmusedTrainingRequest &request)
{
    if (request.steps < 1 || request.batch < 1 || request.accumulate < 1)
        throw std::invalid_argument("steps, batch and accumulation must each be at least 1");
    if (!(request.learningRate > 0) || request.warmupSteps < 0)
        throw std::invalid_argument("the learning rate must be positive and the warm-up not negative");
    if (request.loraRank < 0)
        throw std::invalid_argument("the LoRA rank must be positive (or 0 to train the whole transformer)");
    if (request.examples.empty())
        throw std::invalid_argument("the training set has no images");
    if (request.runFolder.empty() || request.outputPath.empty())
        throw std::invalid_argument("a training run needs a run folder and an output path");
    const RgbImage &first = request.examples.front().image;
    if (first.width < 1 || first.height < 1)
        throw std::invalid_argument(request.examples.front().name + " has no pixels");
    for (const TrainingExample &example : request.examples) {
        if (example.caption.empty())
            throw std::invalid_argument(example.name + " has no caption");
        if (example.image.width != first.width || example.image.height != first.height ||
            example.image.pixels.size() != std::size_t(first.width) * std::size_t(first.height) * 3)
            throw std::invalid_argument(example.name + " is not " + std::to_string(first.width) + "×" +
                                        std::to_string(first.height) + " like the other training images");
    }
    std::error_code error;
    if (fs::exists(request.outputPath, error))
        throw std::invalid_argument(request.outputPath + " already exists; choose another name for the result");
}

// The training set as tensors: tokens [n, h, w], the captions' conditioning and each image's micro-conditioning.
struct EncodedSet
{
    torch::Tensor tokens, hidden, pooled, microConditions;
    std::int64_t size() const { return tokens.size(0); }
};

EncodedSet encodeSet(AmusedModel &model, const AmusedTrainingRequest &request)
{
    EncodedSet set;
    std::vector<torch::Tensor> tokens, hidden, pooled, micro;
    const std::int64_t count = std::int64_t(request.examples.size());
    for (std::int64_t start = 0; start < count; start += kEncodeChunk) {
        std::vector<torch::Tensor> images;
        std::vector<std::string> captions;
        for (std::int64_t i = start; i < std::min(count, start + kEncodeChunk); ++i) {
            const TrainingExample &example = request.examples[std::size_t(i)];
            images.push_back(fromRgb(example.image));
            captions.push_back(example.caption);
            micro.push_back(amusedMicroConditions(example.originalWidth, example.originalHeight,
                                                  {example.cropTop, example.cropLeft}, request.aestheticScore));
        }
        tokens.push_back(model.encode(torch::cat(images)));
        const AmusedPromptEncoding encoding = encodeAmusedPrompts(*model.text, captions, model.device);
        hidden.push_back(encoding.hidden.to(torch::kCPU, torch::kFloat32));
        pooled.push_back(encoding.pooled.to(torch::kCPU, torch::kFloat32));
    }
    // Cloned out of inference mode, so that the transformer's backward may keep them.
    return {torch::cat(tokens).clone(), torch::cat(hidden).clone(), torch::cat(pooled).clone(), torch::cat(micro)};
}

std::map<std::string, torch::Tensor> setTensors(const EncodedSet &set)
{
    return {{"tokens", set.tokens},
            {"hidden", set.hidden},
            {"pooled", set.pooled},
            {"micro_conditions", set.microConditions}};
}

// The encoded set from the run folder when it was made from these images, captions and model; else encoded now
// and kept there.
EncodedSet cachedSet(AmusedModel &model, const AmusedTrainingRequest &request, const std::string &fingerprint)
{
    const fs::path file = fs::path(request.runFolder) / "training-set.safetensors";
    std::error_code error;
    if (fs::exists(file, error)) {
        try {
            const auto metadata = SafetensorsFile::readHeader(file.string()).metadata;
            const auto stated = metadata.find("fingerprint");
            const StateDict cached =
                stated != metadata.end() && stated->second == fingerprint ? loadWeights(file.string()) : StateDict();
            if (!cached.tensors.empty())
                return {cached.at("tokens").clone(), cached.at("hidden").clone(), cached.at("pooled").clone(),
                        cached.at("micro_conditions").clone()};
        } catch (const Error &) {
            // A damaged cache is encoded again.
        }
    }
    EncodedSet set = encodeSet(model, request);
    writeSafetensors(file.string(), setTensors(set), {{"fingerprint", fingerprint}});
    return set;
}

double learningRateAt(const AmusedTrainingRequest &request, int stepsDone)
{
    // diffusers' constant_with_warmup: the factor is steps done / warm-up steps until the warm-up is over.
    if (request.warmupSteps > 0 && stepsDone < request.warmupSteps)
        return request.learningRate * double(stepsDone) / double(request.warmupSteps);
    return request.learningRate;
}

TrainerSettings trainerSettings(const AmusedTrainingRequest &request)
{
    TrainerSettings settings;
    settings.optimizer = {request.learningRate, request.beta1, request.beta2, request.epsilon, request.weightDecay};
    settings.maxGradNorm = request.maxGradNorm;
    settings.averageWeights = request.averageWeights;
    settings.averageDecay = request.averageDecay;
    settings.labelSmoothing = request.labelSmoothing;
    if (request.precision == "bf16") {
        settings.autocast = torch::kBFloat16;
    } else if (request.precision == "fp16") {
        settings.autocast = torch::kHalf;
        settings.lossScaling = true;
    } else if (request.precision != "fp32") {
        throw std::invalid_argument("training precision \"" + request.precision + "\" is not fp32, bf16 or fp16");
    }
    if (request.loraRank > 0)
        settings.lora = LoraShape{request.loraRank, request.loraAlpha > 0 ? request.loraAlpha : 2.0 * request.loraRank,
                                  request.loraTargets};
    return settings;
}

// Generation with the weights trained so far: one image per validation prompt, each from its own seed.
std::vector<RgbImage> validationImages(AmusedTrainer &trainer, const AmusedModel &model,
                                       const AmusedTrainingRequest &request, int side)
{
    struct InferenceWeights
    {
        AmusedTrainer &trainer;
        explicit InferenceWeights(AmusedTrainer &t)
            : trainer(t)
        {
            trainer.useForInference();
        }
        ~InferenceWeights() { trainer.resumeTraining(); }
    } weights(trainer);
    AmusedModel trained = model;
    trained.transformer = std::make_shared<AmusedTransformer>(AmusedTransformer{trainer.network(), nullptr});
    std::vector<RgbImage> images;
    for (std::size_t i = 0; i < request.validationPrompts.size(); ++i) {
        AmusedSamplingParams params;
        params.prompt = request.validationPrompts[i];
        params.width = params.height = side;
        params.steps = request.validationSteps;
        params.seed = request.validationSeed + i;
        params.aestheticScore = request.aestheticScore;
        images.push_back(toRgb(sampleAmused(trained, params).image[0]));
    }
    return images;
}

// Optimizer step `step`'s micro-batches: their rows in the data order, masked by draws that depend only on the seed
// and the micro-batch's index (the timesteps first, then the positions, as the reference draws them).
std::vector<TrainingBatch> microBatchesAt(const EncodedSet &set, const DataOrder &order,
                                          const AmusedTrainingRequest &request, int step, std::int64_t maskId,
                                          const torch::Device &device)
{
    std::vector<TrainingBatch> microBatches;
    for (int j = 0; j < request.accumulate; ++j) {
        const std::int64_t index = std::int64_t(step) * request.accumulate + j;
        const torch::Tensor rows = order.rowsOf(index);
        torch::Generator generator = generatorFor(request.seed, DrawStream::Masking, std::uint64_t(index));
        const torch::Tensor tokens = set.tokens.index_select(0, rows);
        const torch::Tensor timesteps = torch::rand({rows.size(0)}, generator);
        const torch::Tensor positions = torch::rand({rows.size(0), tokens.size(1) * tokens.size(2)}, generator);
        const MaskedTokens masked = maskTokens(tokens, timesteps, positions, maskId);
        microBatches.push_back(
            {masked.inputIds.to(device), masked.labels.to(device), set.hidden.index_select(0, rows).to(device),
             set.pooled.index_select(0, rows).to(device), set.microConditions.index_select(0, rows).to(device)});
    }
    return microBatches;
}

std::string outOfMemoryAdvice(const AmusedTrainingRequest &request, int side)
{
    return "not enough memory to train on " + std::to_string(request.batch) + " image(s) of " + std::to_string(side) +
           "×" + std::to_string(side) + " at a time: lower the batch (accumulate more batches per step to keep " +
           "its effect), train a LoRA instead of the whole transformer" +
           (request.loraRank > 0 ? std::string(" (or a lower rank)") : std::string()) + ", or use smaller images";
}

void writeResult(AmusedTrainer &trainer, const AmusedTrainingRequest &request)
{
    const std::map<std::string, std::string> metadata{{"atelier_training", request.recipeJson}};
    if (trainer.lora()) {
        std::map<std::string, std::string> loraMetadata = metadata;
        loraMetadata["lora_rank"] = std::to_string(trainer.lora()->shape().rank);
        loraMetadata["lora_alpha"] = std::to_string(trainer.lora()->shape().alpha);
        loraMetadata["base_model"] = "amused";
        // The alpha beside each pair as kohya's files keep it, so that loaders which read no metadata (ours, and
        // diffusers' network alphas) scale it as trained.
        const std::map<std::string, torch::Tensor> pairs = trainer.loraWeights();
        std::map<std::string, torch::Tensor> weights = pairs;
        const torch::Tensor alpha = torch::tensor(float(trainer.lora()->shape().alpha));
        for (const auto &item : pairs)
            if (const std::size_t at = item.first.rfind(".lora_A.weight"); at != std::string::npos)
                weights[item.first.substr(0, at) + ".alpha"] = alpha;
        writeSafetensors(request.outputPath, weights, loraMetadata);
        return;
    }
    writeModelFolder(request.modelPath, request.outputPath, trainer.transformerWeights(), metadata);
}

} // namespace

AmusedTrainingResult trainAmused(const AmusedTrainingRequest &request,
                                 const std::function<bool(const TrainingProgress &)> &onProgress)
{
    using Clock = std::chrono::steady_clock;
    validateRequest(request);
    const torch::Device device = deviceNamed(request.device);
    const TrainerSettings settings = trainerSettings(request);
    if (settings.autocast == torch::kHalf && !device.is_cuda())
        throw std::invalid_argument("fp16 mixed precision needs a CUDA device; on the CPU, train in bf16 or fp32");
    fs::create_directories(request.runFolder);
    AmusedModel model = loadAmusedModel(request.modelPath, device, torch::kFloat32);
    const std::int64_t f = model.architecture.downscale();
    const int side = request.examples.front().image.width;
    if (side != request.examples.front().image.height || side % f != 0)
        throw std::invalid_argument("training images must be square, with a side that is a multiple of " +
                                    std::to_string(f) + " for this model");

    const RunIdentity identity = runIdentity(request);
    if (onProgress) {
        TrainingProgress encoding;
        encoding.event = TrainingProgress::Event::Encoding;
        encoding.steps = request.steps;
        onProgress(encoding);
    }
    const EncodedSet set = cachedSet(model, request, identity.dataFingerprint);

    AmusedTrainer trainer(std::move(model.transformer->network), settings,
                          generatorFor(request.seed, DrawStream::LoraInit, 0));
    model.transformer.reset();
    AmusedTrainingResult result;
    TrainingCheckpoints checkpoints(request.runFolder, identity, request.checkpointsKept);
    if (request.resume) {
        if (const auto latest = checkpoints.restoreLatest(trainer)) {
            result.resumedFrom = *latest;
            result.checkpointPath = checkpoints.pathFor(*latest);
        }
    }

    const DataOrder order{set.size(), request.batch, request.seed};
    const std::int64_t maskId = model.architecture.maskId;
    const Clock::time_point started = Clock::now();
    int step = trainer.steps();
    bool stopped = false;
    try {
        while (step < request.steps && !stopped) {
            const std::vector<TrainingBatch> microBatches = microBatchesAt(set, order, request, step, maskId, device);
            TrainingProgress progress;
            progress.learningRate = learningRateAt(request, step);
            progress.loss = result.lastLoss = trainer.accumulate(microBatches);
            progress.gradNorm = trainer.update(progress.learningRate);
            progress.step = ++step;
            progress.steps = request.steps;
            const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
            progress.secondsPerStep = elapsed / double(step - result.resumedFrom);
            progress.secondsLeft = progress.secondsPerStep * double(request.steps - step);
            if (onProgress && !onProgress(progress))
                stopped = true;
            const bool last = step == request.steps;
            const bool validate = !request.validationPrompts.empty() &&
                                  ((request.validationEvery > 0 && step % request.validationEvery == 0) || last);
            if (validate && !stopped && onProgress) {
                TrainingProgress shown = progress;
                shown.event = TrainingProgress::Event::Validation;
                shown.validationImages = validationImages(trainer, model, request, side);
                stopped = !onProgress(shown);
            }
            // After validation, so that a stop asked for while it ran still leaves a checkpoint of this step.
            if (stopped || last || (request.checkpointEvery > 0 && step % request.checkpointEvery == 0)) {
                result.checkpointPath = checkpoints.write(trainer, step);
                if (onProgress) {
                    TrainingProgress written = progress;
                    written.event = TrainingProgress::Event::Checkpoint;
                    written.checkpointPath = result.checkpointPath;
                    stopped = !onProgress(written) || stopped;
                }
            }
        }
    } catch (const c10::OutOfMemoryError &) {
        throw OutOfMemoryError(outOfMemoryAdvice(request, side));
    } catch (const std::bad_alloc &) {
        throw OutOfMemoryError(outOfMemoryAdvice(request, side));
    } catch (const c10::Error &error) {
        // The CPU allocator's failure is a plain c10::Error.
        if (std::string(error.what()).find("allocate memory") != std::string::npos)
            throw OutOfMemoryError(outOfMemoryAdvice(request, side));
        throw;
    }
    result.stepsDone = step;
    result.finished = step >= request.steps; // a run resumed with fewer steps than it had done ends at once
    if (result.finished) {
        writeResult(trainer, request);
        result.outputPath = request.outputPath;
    }
    return result;
}

} // namespace atelier::engine
