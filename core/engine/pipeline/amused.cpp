#include "core/engine/pipeline/amused.h"

#include "core/engine/error.h"
#include "core/engine/family/model_family.h"
#include "core/engine/io/key_maps.h"
#include "core/engine/pipeline/diffusers_folder.h"
#include "core/engine/pipeline/model_components.h"
#include "core/engine/pipeline/rgb_tensors.h"

#include <cmath>
#include <filesystem>

namespace atelier::engine {

namespace fs = std::filesystem;

namespace {

const char *const kComponents[] = {"transformer", "vqvae", "text_encoder"};
// The largest default grid side a config may state (amused-512's is 32).
constexpr std::int64_t kLargestSampleSize = 256;

[[noreturn]] void notAmused(const fs::path &path, const std::string &why)
{
    throw UnsupportedModelError(path.string() + ": " + why);
}

// The parts must agree on the widths they pass each other and on the codebook.
void checkFit(const AmusedParts &parts)
{
    const AmusedArchitecture &a = parts.architecture;
    const auto mismatch = [&](const std::string &what) {
        throw UnsupportedModelError(parts.folder + ": the aMUSEd components do not fit together: " + what);
    };
    if (a.text.width != a.transformer.encoderWidth)
        mismatch("the text encoder is " + std::to_string(a.text.width) + " wide, the transformer reads " +
                 std::to_string(a.transformer.encoderWidth));
    if (a.text.projection != a.transformer.pooledWidth)
        mismatch("the text projection is " + std::to_string(a.text.projection) + " wide, the transformer reads " +
                 std::to_string(a.transformer.pooledWidth));
    if (a.transformer.codebookSize != a.vqgan.codebookSize)
        mismatch("the transformer predicts " + std::to_string(a.transformer.codebookSize) +
                 " tokens, the VQ-GAN's codebook has " + std::to_string(a.vqgan.codebookSize));
    if (a.maskId < a.transformer.codebookSize || a.maskId >= a.transformer.vocabSize)
        mismatch("the mask token " + std::to_string(a.maskId) + " is not past the codebook (" +
                 std::to_string(a.transformer.codebookSize) + ") within the transformer's " +
                 std::to_string(a.transformer.vocabSize) + " token embeddings");
}

void readScheduler(const fs::path &folder, AmusedArchitecture &arch)
{
    const nlohmann::json scheduler = readJsonIfThere(folder / "scheduler" / "scheduler_config.json");
    arch.maskId = arch.transformer.vocabSize - 1;
    readConfigValue(scheduler, "mask_token_id", arch.maskId);
    std::string masking = "cosine";
    readConfigValue(scheduler, "masking_schedule", masking);
    if (masking != "cosine" && masking != "linear")
        throw UnsupportedModelError((folder / "scheduler").string() + ": masking_schedule \"" + masking +
                                    "\" is neither cosine nor linear");
    arch.masking = masking == "linear" ? MaskingSchedule::Linear : MaskingSchedule::Cosine;
}

// transformer/: the U-ViT, and the grid's default side.
void readTransformer(const fs::path &folder, AmusedParts &parts)
{
    const fs::path configPath = folder / "config.json";
    const nlohmann::json config = readJson(configPath);
    parts.transformer = loadWeights(diffusersWeights(folder).string());
    UVitConfig stated;
    readConfigValue(config, "micro_cond_encode_dim", stated.microEncodeWidth);
    readConfigValue(config, "num_attention_heads", stated.heads);
    readConfigValue(config, "block_num_heads", stated.blockHeads);
    readConfigValue(config, "layer_norm_eps", stated.eps);
    if (stated.microEncodeWidth <= 0 || stated.microEncodeWidth > 65536 || !(stated.eps > 0.0 && stated.eps < 1.0))
        throw FormatError(configPath.string() + ": micro_cond_encode_dim or layer_norm_eps is out of range");
    AmusedArchitecture &arch = parts.architecture;
    arch.transformer = UVitConfig::fromWeights(parts.transformer, stated);
    readConfigValue(config, "sample_size", arch.sampleSize);
    if (arch.sampleSize < 2 || arch.sampleSize > kLargestSampleSize)
        throw FormatError(configPath.string() + ": sample_size " + std::to_string(arch.sampleSize) +
                          " is not a token grid's side (2 to " + std::to_string(kLargestSampleSize) + ")");
}

// vqvae/: the VQ-GAN, whose norm groups only the config states.
void readVqGan(const fs::path &folder, AmusedParts &parts)
{
    const nlohmann::json config = readJson(folder / "config.json");
    parts.vqgan = vaeFromDiffusers(loadWeights(diffusersWeights(folder).string()));
    std::int64_t groups = 32;
    readConfigValue(config, "norm_num_groups", groups);
    std::string normType = "group";
    readConfigValue(config, "norm_type", normType);
    if (normType != "group")
        throw UnsupportedModelError(folder.string() + ": a VQ-GAN with \"" + normType +
                                    "\" norms (MoVQ); only group norms are supported");
    parts.architecture.vqgan = VqGanConfig::fromWeights(parts.vqgan, groups);
}

// text_encoder/ and tokenizer/: CLIP with its projection, and the ids it reads.
void readTextEncoder(const fs::path &path, AmusedParts &parts)
{
    const fs::path folder = path / "text_encoder";
    const nlohmann::json config = readJson(folder / "config.json");
    StateDict weights = loadWeights(transformersWeights(folder).string());
    if (!weights.hasPrefix("text_model.")) { // older saves leave out the "text_model." level
        StateDict named;
        named.source = weights.source;
        for (const auto &[name, tensor] : weights.tensors)
            named.tensors.emplace(name == "text_projection.weight" ? name : "text_model." + name, tensor);
        weights = std::move(named);
    }
    parts.text = std::move(weights);
    ClipTextConfig &text = parts.architecture.text;
    text = ClipTextConfig::fromWeights(parts.text, false);
    readConfigValue(config, "num_attention_heads", text.heads);
    std::string activation;
    readConfigValue(config, "hidden_act", activation);
    if (!activation.empty())
        text.quickGelu = activation == "quick_gelu";
    if (text.heads <= 0 || text.width % text.heads != 0)
        throw UnsupportedModelError(folder.string() + ": " + std::to_string(text.heads) +
                                    " attention heads do not divide the text encoder's width " +
                                    std::to_string(text.width));
    if (text.layers < 2)
        throw UnsupportedModelError(folder.string() +
                                    ": aMUSEd reads the text encoder's penultimate layer, and this "
                                    "one has " +
                                    std::to_string(text.layers) + " layer(s)");
    if (text.projection <= 0)
        notAmused(path, "text_encoder/ has no text_projection: aMUSEd needs CLIPTextModelWithProjection");

    parts.tokenizer = fs::exists(path / "tokenizer" / "vocab.json")
                          ? ClipTokenizer::fromFolder((path / "tokenizer").string())
                          : ClipTokenizer::bundled();
    // The pad token as a string (a tokenizer may write an object for it: then the end token pads, as in CLIP's).
    const nlohmann::json tokenizerConfig = readJsonIfThere(path / "tokenizer" / "tokenizer_config.json");
    if (tokenizerConfig.is_object() && tokenizerConfig.contains("pad_token") &&
        tokenizerConfig["pad_token"].is_string())
        if (const auto padId = parts.tokenizer->idOf(tokenizerConfig["pad_token"].get<std::string>()))
            parts.architecture.padToken = *padId;
    text.eosToken = parts.tokenizer->endToken();
}

} // namespace

AmusedParts readAmusedFolder(const std::string &pathText)
{
    const fs::path path(pathText);
    if (!fs::is_directory(path))
        notAmused(path, fs::exists(path) ? "a single file; aMUSEd models are diffusers folders (model_index.json, "
                                           "transformer/, vqvae/, text_encoder/, tokenizer/, scheduler/)"
                                         : "no such folder");
    const nlohmann::json index = readJsonIfThere(path / "model_index.json");
    const FamilyFindings findings = diffusersFamily(index, {}, {}, {});
    if (findings.family != ModelFamily::Amused) {
        if (index.is_object() && index.contains("unet"))
            notAmused(path, "a Stable Diffusion model (its model_index.json lists a UNet), not aMUSEd; load it with "
                            "the checkpoint loader");
        notAmused(path, "not an aMUSEd model: model_index.json does not list a UVit2DModel transformer and a VQModel "
                        "vqvae");
    }
    for (const char *component : kComponents)
        if (!fs::is_directory(path / component))
            notAmused(path, std::string("the aMUSEd component ") + component + "/ is missing");

    AmusedParts parts;
    parts.folder = pathText;
    readTransformer(path / "transformer", parts);
    readVqGan(path / "vqvae", parts);
    readTextEncoder(path, parts);
    readScheduler(path, parts.architecture);
    checkFit(parts);
    return parts;
}

std::shared_ptr<AmusedTextEncoder> loadAmusedTextEncoder(const AmusedParts &parts, torch::Device device,
                                                         torch::ScalarType dtype)
{
    auto text = std::make_shared<AmusedTextEncoder>();
    text->network = ClipTextModel(parts.architecture.text);
    loadParameters(*text->network, parts.text, "text encoder", "text_encoder/", device, dtype);
    text->tokenizer = parts.tokenizer;
    text->padToken = parts.architecture.padToken;
    return text;
}

std::shared_ptr<AmusedTransformer> loadAmusedTransformer(const AmusedParts &parts, torch::Device device,
                                                         torch::ScalarType dtype)
{
    auto transformer = std::make_shared<AmusedTransformer>();
    transformer->network = UVit2DModel(parts.architecture.transformer);
    loadParameters(*transformer->network, parts.transformer, "transformer", "transformer/", device, dtype);
    if (CallGraphs::supported(device))
        transformer->graphs = std::make_shared<CallGraphs>();
    return transformer;
}

std::shared_ptr<AmusedTransformer> loadAmusedTransformerFolder(const std::string &folder, torch::Device device,
                                                               torch::ScalarType dtype)
{
    AmusedParts parts;
    readTransformer(folder, parts);
    return loadAmusedTransformer(parts, device, dtype);
}

std::shared_ptr<AmusedVqGan> loadAmusedVqGan(const AmusedParts &parts, torch::Device device, torch::ScalarType dtype)
{
    auto vqgan = std::make_shared<AmusedVqGan>();
    vqgan->network = VqGan(parts.architecture.vqgan);
    loadParameters(*vqgan->network, parts.vqgan, "VQ-GAN", "vqvae/", device, dtype);
    return vqgan;
}

torch::Tensor amusedTokenIds(const AmusedTextEncoder &text, const std::string &prompt, bool *truncated)
{
    const std::int64_t positions = text.network->config.positions;
    std::vector<std::int64_t> ids = text.tokenizer->encode(prompt);
    if (truncated)
        *truncated = std::int64_t(ids.size()) > positions - 2;
    if (std::int64_t(ids.size()) > positions - 2)
        ids.resize(std::size_t(positions - 2));
    ids.insert(ids.begin(), text.tokenizer->startToken());
    ids.push_back(text.tokenizer->endToken());
    ids.resize(std::size_t(positions), text.padToken);
    return torch::tensor(ids, torch::kInt64).unsqueeze(0);
}

AmusedPromptEncoding encodeAmusedPrompts(AmusedTextEncoder &text, const std::vector<std::string> &prompts,
                                         torch::Device device)
{
    torch::InferenceMode inference;
    std::vector<torch::Tensor> rows;
    for (const std::string &prompt : prompts)
        rows.push_back(amusedTokenIds(text, prompt));
    const ClipTextModelImpl::Output output = text.network->forward(torch::cat(rows).to(device), 2, false);
    return {output.hidden, output.pooled};
}

std::string amusedPromptWarning(const AmusedTextEncoder &text, const std::string &prompt)
{
    bool truncated = false;
    amusedTokenIds(text, prompt, &truncated);
    return truncated ? "the prompt is longer than the text encoder's " +
                           std::to_string(text.network->config.positions) + " tokens; the rest was left out"
                     : std::string();
}

torch::Tensor amusedMicroConditions(int width, int height, std::array<int, 2> crop, double aestheticScore)
{
    return torch::tensor({float(width), float(height), float(crop[0]), float(crop[1]), float(aestheticScore)},
                         torch::kFloat32)
        .unsqueeze(0);
}

torch::Tensor AmusedModel::guidedLogits(const torch::Tensor &tokens, const AmusedPromptEncoding &prompt,
                                        const AmusedPromptEncoding &negative, const torch::Tensor &microConditions,
                                        double guidance)
{
    torch::InferenceMode inference;
    const std::int64_t b = tokens.size(0);
    const bool guided = guidance > 1.0;
    const torch::Tensor input = (guided ? torch::cat({tokens, tokens}) : tokens).to(device);
    const torch::Tensor hidden = (guided ? torch::cat({negative.hidden, prompt.hidden}) : prompt.hidden).to(device);
    const torch::Tensor pooled = (guided ? torch::cat({negative.pooled, prompt.pooled}) : prompt.pooled).to(device);
    const torch::Tensor micro = microConditions.to(device).expand({input.size(0), -1});
    UVit2DModel &network = transformer->network;
    const torch::Tensor logits =
        transformer->graphs
            ? transformer->graphs->run(
                  {input, hidden, pooled, micro},
                  [&network](const std::vector<torch::Tensor> &in) { return network(in[0], in[1], in[2], in[3]); },
                  *network, torch::kFloat32)
            : network(input, hidden, pooled, micro).to(torch::kFloat32);
    if (!guided)
        return logits;
    const torch::Tensor unconditional = logits.narrow(0, 0, b), conditional = logits.narrow(0, b, b);
    return unconditional + guidance * (conditional - unconditional);
}

torch::Tensor AmusedModel::decode(const torch::Tensor &tokens)
{
    torch::InferenceMode inference;
    return vqgan->network->decodeTokens(tokens.to(device)).to(torch::kCPU, torch::kFloat32).clamp(0.0, 1.0);
}

std::function<bool(int, int, const UnmaskStepResult &)>
AmusedModel::progressReporter(const std::function<bool(const GenerationProgress &)> &onProgress) const
{
    return [model = *this, onProgress](int step, int steps, const UnmaskStepResult &unmasked) {
        GenerationProgress progress;
        progress.step = step + 1;
        progress.steps = steps;
        const torch::Tensor predicted = unmasked.predicted.narrow(0, 0, 1);
        progress.preview = [model, predicted]() mutable { return toRgb(model.decode(predicted)[0]); };
        return onProgress(progress);
    };
}

torch::Tensor AmusedModel::encode(const torch::Tensor &image)
{
    torch::InferenceMode inference;
    VqGan &network = vqgan->network;
    return network->nearestTokens(network->encodeLatents(image.to(device))).to(torch::kCPU);
}

AmusedModel loadAmusedModel(const std::string &folder, torch::Device device, torch::ScalarType dtype)
{
    const AmusedParts parts = readAmusedFolder(folder);
    AmusedModel model;
    model.architecture = parts.architecture;
    model.device = device;
    model.text = loadAmusedTextEncoder(parts, device, dtype);
    model.transformer = loadAmusedTransformer(parts, device, dtype);
    model.vqgan = loadAmusedVqGan(parts, device, vaeDtypeFor(dtype));
    return model;
}

void validateAmusedParams(const AmusedSamplingParams &params)
{
    if (params.steps < 1 || params.steps > 1000)
        throw std::invalid_argument("steps must be between 1 and 1000");
    if (params.batch < 1 || params.batch > 64)
        throw std::invalid_argument("batch must be between 1 and 64");
    if (!std::isfinite(params.guidance) || params.guidance < 0 || params.guidance > 100)
        throw std::invalid_argument("guidance must be a number between 0 and 100");
    if (!std::isfinite(params.aestheticScore) || std::abs(params.aestheticScore) > 100)
        throw std::invalid_argument("the aesthetic score must be a number between -100 and 100");
    if (params.width < 0 || params.height < 0 || params.width > 8192 || params.height > 8192)
        throw std::invalid_argument("width and height must be between 0 (the model's default) and 8192");
    if (params.crop[0] < 0 || params.crop[1] < 0 || params.crop[0] > 8192 || params.crop[1] > 8192)
        throw std::invalid_argument("the crop coordinates must be between 0 and 8192");
    if (params.initImage.defined()) {
        firstStepForStrength(params.steps, params.strength); // throws for a strength outside (0, 1]
        if (params.initImage.dim() != 4 || params.initImage.size(0) != 1 || params.initImage.size(1) != 3)
            throw std::invalid_argument("the init image must be one RGB image");
    } else if (params.strength < 1.0) {
        throw std::invalid_argument("a strength below 1 needs an init image");
    }
    MaskedTokenSchedule(params.steps, params.temperatureStart, params.temperatureEnd); // checks the temperatures
}

AmusedSamplingResult sampleTokens(AmusedModel &model, const AmusedPromptEncoding &positive,
                                  const AmusedPromptEncoding &negative, const torch::Tensor &start, bool fromImage,
                                  const AmusedSamplingParams &params)
{
    const AmusedArchitecture &arch = model.architecture;
    if (start.dim() != 3 || start.size(0) < 1)
        throw std::invalid_argument("the token grid must be [batch, height, width]");
    const std::int64_t b = start.size(0), h = start.size(1), w = start.size(2);
    if (arch.transformer.downsample && (h % 2 || w % 2))
        throw std::invalid_argument("this aMUSEd model halves its token grid: " + std::to_string(w) + "x" +
                                    std::to_string(h) + " tokens cannot be");
    // Twice the side the model was trained for is as far as it goes (and keeps the logits, codebook x grid, in
    // memory); a single token leaves nothing to unmask step by step.
    const std::int64_t most = 4 * arch.sampleSize * arch.sampleSize;
    if (h * w < 2 || h * w > most)
        throw std::invalid_argument("this aMUSEd model samples grids of 2 to " + std::to_string(most) + " tokens (" +
                                    std::to_string(2 * arch.sampleSize * arch.downscale()) + " pixels square); " +
                                    std::to_string(w) + "x" + std::to_string(h) + " is not one");
    const torch::Tensor ids = start.to(torch::kCPU, torch::kInt64);
    if (((ids < 0) | ((ids >= arch.transformer.codebookSize) & (ids != arch.maskId))).any().item<bool>())
        throw std::invalid_argument("the token grid holds ids outside this model's codebook of " +
                                    std::to_string(arch.transformer.codebookSize) + " (tokens of another VQ-GAN?)");
    const bool guided = params.guidance > 1.0;
    const auto toBatch = [b](const AmusedPromptEncoding &encoding, const char *what) {
        if (!encoding.hidden.defined() || !encoding.pooled.defined() ||
            (encoding.hidden.size(0) != 1 && encoding.hidden.size(0) != b))
            throw std::invalid_argument(std::string("the ") + what + " conditioning's batch does not fit the grid's");
        return AmusedPromptEncoding{encoding.hidden.expand({b, -1, -1}), encoding.pooled.expand({b, -1})};
    };
    const AmusedPromptEncoding prompt = toBatch(positive, "positive");
    const AmusedPromptEncoding unconditional = guided ? toBatch(negative, "negative") : AmusedPromptEncoding{};
    SeededTokenDraws seeded(params.seed, model.device);
    TokenDraws &draws = params.draws ? *params.draws : seeded;
    const MaskedTokenSchedule schedule(params.steps, params.temperatureStart, params.temperatureEnd, arch.masking);
    const torch::Tensor micro =
        amusedMicroConditions(int(w * arch.downscale()), int(h * arch.downscale()), params.crop, params.aestheticScore);

    AmusedSamplingResult result;
    torch::Tensor tokens = ids;
    if (fromImage) {
        result.firstStep = firstStepForStrength(params.steps, params.strength);
        // Strength 1 starts from the fully masked grid: the image then only sets the size (diffusers' pipeline
        // would mask nothing there and keep the image).
        tokens = result.firstStep > 0 ? maskForImageToImage(tokens, result.firstStep, schedule, arch.maskId, draws)
                                      : torch::full_like(tokens, arch.maskId);
    }
    for (int step = result.firstStep; step < params.steps; ++step) {
        const torch::Tensor logits = model.guidedLogits(tokens, prompt, unconditional, micro, params.guidance);
        const UnmaskStepResult unmasked = unmaskStep(logits, tokens, step, schedule, arch.maskId, draws);
        tokens = unmasked.tokens;
        if (params.onStep && !params.onStep(step, params.steps, unmasked))
            throw CancelledError("cancelled at step " + std::to_string(step + 1) + " of " +
                                 std::to_string(params.steps));
    }
    result.tokens = tokens;
    return result;
}

AmusedSamplingResult sampleAmused(AmusedModel &model, const AmusedSamplingParams &params)
{
    validateAmusedParams(params);
    const AmusedArchitecture &arch = model.architecture;
    const std::int64_t f = arch.downscale();
    const std::int64_t unit = f * (arch.transformer.downsample ? 2 : 1);
    int width = params.width, height = params.height;
    if (params.initImage.defined()) {
        width = int(params.initImage.size(3));
        height = int(params.initImage.size(2));
    }
    width = width > 0 ? width : int(arch.defaultImageSide());
    height = height > 0 ? height : int(arch.defaultImageSide());
    if (width % unit != 0 || height % unit != 0)
        throw std::invalid_argument("this aMUSEd model makes images whose sides are multiples of " +
                                    std::to_string(unit) + " pixels; " + std::to_string(width) + "x" +
                                    std::to_string(height) + " is not");
    const AmusedPromptEncoding prompt = encodeAmusedPrompts(*model.text, {params.prompt}, model.device);
    const AmusedPromptEncoding negative = params.guidance > 1.0
                                              ? encodeAmusedPrompts(*model.text, {params.negative}, model.device)
                                              : AmusedPromptEncoding{};
    const bool fromImage = params.initImage.defined();
    const torch::Tensor start = fromImage
                                    ? model.encode(params.initImage).expand({params.batch, height / f, width / f})
                                    : torch::full({params.batch, height / f, width / f}, arch.maskId, torch::kInt64);
    AmusedSamplingResult result = sampleTokens(model, prompt, negative, start, fromImage, params);
    result.image = model.decode(result.tokens);
    return result;
}

} // namespace atelier::engine
