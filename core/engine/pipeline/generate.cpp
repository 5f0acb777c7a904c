#include "core/engine/pipeline/generate.h"

#include "core/engine/cache/cached_loads.h"
#include "core/engine/device/cpu_buffer_cache.h"
#include "core/engine/device/device_choice.h"
#include "core/engine/error.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/rgb_tensors.h"
#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/sampling/diffusers_schedulers.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace atelier::engine {

namespace {

GenerationResult generateUnchecked(const GenerationRequest &request,
                                   const std::function<bool(const GenerationProgress &)> &onProgress)
{
    using Clock = std::chrono::steady_clock;
    LoadOptions options;
    options.path = request.modelPath;
    options.configPath = request.configPath;
    options.vaePath = request.vaePath;
    options.device = deviceNamed(request.device);
    options.dtype = precisionNamed(request.precision);
    options.prediction = predictionNamed(request.prediction);

    if (!request.maskedTokens.isDefault())
        throw std::invalid_argument("temperatures, the aesthetic score and the crop are read by aMUSEd models only");
    SamplingParams params;
    static_cast<SamplingSettings &>(params) = withFamilyDefaults(request, 20, 7.0, "euler", "normal", 512);
    if (!request.initImage.pixels.empty())
        params.initImage = fromRgb(request.initImage) * 2.0 - 1.0;
    else if (request.denoise < 1.0)
        throw std::invalid_argument("denoise below 1 needs an init image");
    if (!request.refinerPath.empty())
        params.refinerStartStep = refinerStartStep(params.steps, request.refinerSwitch);
    validate(params);  // before the (slow) load

    // The folders named for this run come first, so that their files win over the library's of the same name.
    auto embeddings = std::make_shared<EmbeddingLibrary>();
    for (const std::string &folder : request.embeddingFolders)
        embeddings->addFolder(folder);
    for (const NamedEmbedding &embedding : request.embeddings)
        embeddings->add(embedding.name, embedding.path);
    for (const LoRAApplication &lora : request.loras)
        if (!std::isfinite(lora.strengthModel) || !std::isfinite(lora.strengthClip) ||
            std::abs(lora.strengthModel) > 100 || std::abs(lora.strengthClip) > 100)
            throw std::invalid_argument(lora.path + ": LoRA strengths must be numbers between -100 and 100");

    const auto loadStart = Clock::now();
    GenerationResult result;
    result.used = params;
    std::unique_ptr<StableDiffusion> model = loadModelCached(options, &result.loadReport);
    result.family = familyName(model->architecture().family);
    const Prediction prediction = model->architecture().prediction;
    result.prediction = prediction == Prediction::V ? "v" : prediction == Prediction::Sample ? "sample" : "epsilon";
    model->setEmbeddings(embeddings);
    // Both prompts resolve their embeddings now, so that a missing or mismatched one stops the run before the
    // LoRAs are patched and anything is sampled; the encodings themselves are made by the run.
    model->tokenize(request.prompt);
    model->tokenize(request.negative);
    // The refiner is loaded before anything is sampled, so that one that cannot run (another latent space, an
    // embedding it cannot read) stops the run before the first model has spent its steps.
    std::unique_ptr<StableDiffusion> refiner;
    if (!request.refinerPath.empty()) {
        LoadOptions refinerOptions = options;
        refinerOptions.path = request.refinerPath;
        refinerOptions.configPath.clear();
        refinerOptions.prediction.reset();
        refiner = loadModelCached(refinerOptions, &result.loadReport);
        result.refinerFamily = familyName(refiner->architecture().family);
        refiner->setEmbeddings(embeddings);
        refiner->tokenize(request.prompt);
        refiner->tokenize(request.negative);
        params.refiner = refiner.get();
    }
    const LoraHold loras = model->holdLoras(request.loras, &result.loras);
    result.loadSeconds = std::chrono::duration<double>(Clock::now() - loadStart).count();

    if (onProgress)
        params.onStep = [&](int step, int steps, const torch::Tensor &x, const torch::Tensor &) {
            GenerationProgress progress;
            progress.step = step + 1;
            progress.steps = steps;
            progress.preview = [x]() { return toRgb(latentPreview(x)[0]); };
            return onProgress(progress);
        };
    const auto sampleStart = Clock::now();
    const SamplingResult sampled = generateImages(*model, params);
    result.sampleSeconds = std::chrono::duration<double>(Clock::now() - sampleStart).count();
    for (std::int64_t i = 0; i < sampled.image.size(0); ++i)
        result.images.push_back(toRgb(sampled.image[i]));
    for (const StableDiffusion *used : {model.get(), refiner.get()}) {
        if (!used)
            continue;
        for (const TextualInversion &embedding : used->usedEmbeddings())
            if (std::none_of(result.embeddingsUsed.begin(), result.embeddingsUsed.end(),
                             [&](const NamedEmbedding &known) { return known.path == embedding.path; }))
                result.embeddingsUsed.push_back({embedding.name, embedding.path});
        for (const std::string &warning : used->embeddingWarnings())
            if (std::find(result.warnings.begin(), result.warnings.end(), warning) == result.warnings.end())
                result.warnings.push_back(warning);
    }
    if (!request.saveLatentPath.empty())
        writeSafetensors(request.saveLatentPath, {{"latent", sampled.latent}},
                         {{"format", "atelier-latent"}, {"base", result.family},
                          {"scale_factor", std::to_string(model->architecture().vae.scaleFactor)}});
    return result;
}

} // namespace

GenerationResult generate(const GenerationRequest &request,
                          const std::function<bool(const GenerationProgress &)> &onProgress)
{
    // The run's large CPU buffers are reused from step to step instead of being mapped afresh each time.
    const CpuBufferCacheScope reuseBuffers;
    try {
        if (isAmusedFolder(request.modelPath))
            return generateAmused(request, onProgress);
        return generateUnchecked(request, onProgress);
    } catch (const c10::OutOfMemoryError &error) {
        throw OutOfMemoryError(std::string("out of memory: ") + error.what_without_backtrace());
    } catch (const c10::Error &error) {
        // What slipped past the checks: libtorch's own words, without its backtrace, under our error type.
        throw UnsupportedModelError(std::string("the model or a file it uses could not be run: ") +
                                    error.what_without_backtrace());
    }
}

} // namespace atelier::engine
