// engine::generate's aMUSEd branch: a GenerationRequest read as AmusedPipeline's arguments.
#include "core/engine/cache/cached_loads.h"
#include "core/engine/device/device_choice.h"
#include "core/engine/family/model_family.h"
#include "core/engine/patch/lora_patcher.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/diffusers_folder.h"
#include "core/engine/pipeline/rgb_tensors.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace atelier::engine {

namespace {

// What only Stable Diffusion reads, named as the command line and the generate panel name it.
void refuseWhatDoesNotApply(const GenerationRequest &request, const SamplingSettings &settings)
{
    const auto refuse = [](const std::string &what) {
        throw std::invalid_argument(what + " does not apply to aMUSEd models");
    };
    if (!request.configPath.empty())
        refuse("an LDM config");
    if (!request.vaePath.empty())
        refuse("a VAE override (aMUSEd decodes with its VQ-GAN)");
    if (!request.prediction.empty())
        refuse("a prediction type");
    if (!request.embeddingFolders.empty())
        refuse("an embeddings folder");
    if (!request.refinerPath.empty())
        refuse("a refiner");
    if (!request.saveLatentPath.empty())
        refuse("saving the latent");
    if (request.clipSkip != 0)
        refuse("clip skip");
    if (settings.sampler != "amused")
        refuse("the sampler \"" + settings.sampler + "\" (aMUSEd unmasks tokens with its own sampler)");
    if (settings.scheduler != "cosine")
        refuse("the scheduler \"" + settings.scheduler + "\" (aMUSEd masks along a cosine schedule)");
}

} // namespace

std::shared_ptr<AmusedTransformer> transformerWithLoras(const AmusedTransformer &base,
                                                        const std::vector<LoRAApplication> &loras,
                                                        std::vector<LoRAReport> *reports)
{
    auto copy = std::make_shared<AmusedTransformer>(AmusedTransformer{UVit2DModel(base.network->config), nullptr});
    {
        torch::NoGradGuard noGrad;
        const auto source = base.network->named_parameters();
        for (auto &item : copy->network->named_parameters())
            item.value().set_data(source[item.key()].detach().clone());
    }
    copy->network->eval();
    if (base.graphs)
        copy->graphs = std::make_shared<CallGraphs>();
    LoRAPatcher patcher;
    for (const auto &item : copy->network->named_modules("", false))
        if (auto *linear = item.value()->as<LinearImpl>())
            patcher.addWeight(PatchedNetwork::UNet, {"transformer." + item.key(), item.key()}, linear->weight,
                              linear->weight);
    std::vector<LoRAReport> applied = patcher.apply(loras, familyName(ModelFamily::Amused));
    if (reports)
        *reports = std::move(applied);
    return copy;
}

bool isAmusedFolder(const std::string &path)
{
    std::error_code error;
    const std::filesystem::path index = std::filesystem::path(path) / "model_index.json";
    if (!std::filesystem::is_regular_file(index, error))
        return false;
    try {
        return diffusersFamily(readJson(index), {}, {}, {}).family == ModelFamily::Amused;
    } catch (const FormatError &) {
        return false; // the SD loader says what is wrong with it
    }
}

GenerationResult generateAmused(const GenerationRequest &request,
                                const std::function<bool(const GenerationProgress &)> &onProgress)
{
    using Clock = std::chrono::steady_clock;
    // The size stays 0 here: the transformer's own, known once the model is read.
    const SamplingSettings settings = withFamilyDefaults(request, 12, 10.0, "amused", "cosine", 0);
    refuseWhatDoesNotApply(request, settings);
    AmusedSamplingParams params;
    params.prompt = settings.prompt;
    params.negative = settings.negative;
    params.width = settings.width;
    params.height = settings.height;
    params.batch = settings.batch;
    params.steps = settings.steps;
    params.guidance = settings.cfg;
    params.seed = settings.seed;
    params.temperatureStart = request.maskedTokens.temperatureStart;
    params.temperatureEnd = request.maskedTokens.temperatureEnd;
    params.aestheticScore = request.maskedTokens.aestheticScore;
    params.crop = {request.maskedTokens.cropTop, request.maskedTokens.cropLeft};
    if (!request.initImage.pixels.empty()) {
        params.initImage = fromRgb(request.initImage);
        params.strength = settings.denoise;
    } else if (settings.denoise < 1.0) {
        throw std::invalid_argument("denoise below 1 needs an init image");
    }
    validateAmusedParams(params); // before the (slow) load

    GenerationResult result;
    const auto loadStart = Clock::now();
    AmusedModel model = loadAmusedCached(request.modelPath, deviceNamed(request.device),
                                         precisionNamed(request.precision), &result.loadReport);
    if (!request.loras.empty())
        model.transformer = transformerWithLoras(*model.transformer, request.loras, &result.loras);
    result.loadSeconds = std::chrono::duration<double>(Clock::now() - loadStart).count();
    result.family = familyName(ModelFamily::Amused);
    for (const std::string &prompt : {request.prompt, request.negative})
        if (const std::string warning = amusedPromptWarning(*model.text, prompt); !warning.empty())
            result.warnings.push_back(warning);

    if (onProgress)
        params.onStep = model.progressReporter(onProgress);
    const auto sampleStart = Clock::now();
    const AmusedSamplingResult sampled = sampleAmused(model, params);
    result.sampleSeconds = std::chrono::duration<double>(Clock::now() - sampleStart).count();
    for (std::int64_t i = 0; i < sampled.image.size(0); ++i)
        result.images.push_back(toRgb(sampled.image[i]));
    result.used = settings;
    result.used.width = int(sampled.image.size(3));
    result.used.height = int(sampled.image.size(2));
    return result;
}

} // namespace atelier::engine
