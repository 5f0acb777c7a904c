// Loading models for graphs (shared between every loader that names the same file), LoRAs, and prompts.
#include "core/engine/cache/cached_loads.h"
#include "core/engine/device/device_choice.h"
#include "core/engine/error.h"
#include "core/engine/ops/op_table.h"
#include "core/engine/ops/shared_loads.h"

namespace atelier::engine::ops {

namespace {

SharedLoads<StableDiffusion> g_models;
SharedLoads<VaeCoder> g_vaes;

std::vector<LoRAApplication> withLora(std::vector<LoRAApplication> loras, const LoRAApplication &added)
{
    loras.push_back(added);
    return loras;
}

// ComfyUI's "lora key not loaded" warnings for the file just added.
void addWarnings(const std::vector<LoRAReport> &reports, OpResult &result)
{
    if (reports.empty() || reports.back().keysNotLoaded.empty())
        return;
    const LoRAReport &report = reports.back();
    result.warnings.push_back(report.path + ": " + std::to_string(report.keysNotLoaded.size()) +
                              " keys changed nothing (the first: " + report.keysNotLoaded.front() + ")");
}

std::shared_ptr<ConditioningValue> conditioningOf(ConditioningList parts)
{
    auto value = std::make_shared<ConditioningValue>();
    value->parts = std::move(parts);
    return value;
}

} // namespace

OpResult loadCheckpoint(const OpArguments &arguments, const Progress &)
{
    LoadOptions options;
    options.path = arguments.text("path");
    options.configPath = arguments.textOr("config", "");
    options.device = deviceNamed(arguments.textOr("device", "cpu"));
    options.dtype = precisionNamed(arguments.textOr("precision", "fp32"));
    options.prediction = predictionNamed(arguments.textOr("prediction", ""));
    // The stamp: a model changed on disk is loaded again, not served from a value that still holds the old one.
    const std::string key = options.path + '\n' + stampOf(options.path) + '\n' + options.configPath + '\n' +
                            options.device.str() + '\n' + arguments.textOr("precision", "fp32") + '\n' +
                            arguments.textOr("prediction", "");
    LoadReport report;
    const std::shared_ptr<StableDiffusion> model =
        g_models.get(key, [&] { return std::shared_ptr<StableDiffusion>(loadModelCached(options, &report)); });

    auto modelValue = std::make_shared<ModelValue>();
    modelValue->model = model;
    auto clip = std::make_shared<ClipValue>();
    clip->model = model;
    auto vae = std::make_shared<VaeValue>();
    vae->coder = model->sharedVaeCoder();
    OpResult result;
    result.values = {modelValue, clip, vae};
    result.facts["family"] = familyName(model->architecture().family);
    result.facts["prediction"] = predictionName(model->architecture().prediction);
    for (std::size_t i = 0; i < report.size(); ++i)
        result.facts["loaded." + std::to_string(i)] = report[i];
    return result;
}

OpResult loadVae(const OpArguments &arguments, const Progress &)
{
    const std::string path = arguments.text("path");
    const torch::Device device = deviceNamed(arguments.textOr("device", "cpu"));
    const torch::ScalarType dtype = vaeDtypeFor(precisionNamed(arguments.textOr("precision", "fp32")));
    auto vae = std::make_shared<VaeValue>();
    vae->coder =
        g_vaes.get(path + '\n' + stampOf(path) + '\n' + device.str() + '\n' + std::string(c10::toString(dtype)),
                   [&] { return std::make_shared<VaeCoder>(loadVaeFileCached(path, device, dtype), device); });
    return resultOf(vae);
}

OpResult applyLora(const OpArguments &arguments, const Progress &)
{
    const std::string path = arguments.text("path");
    const double strengthModel = arguments.realOr("strength_model", 1.0);
    const double strengthClip = arguments.realOr("strength_clip", 1.0);
    for (double strength : {strengthModel, strengthClip})
        if (!std::isfinite(strength) || std::abs(strength) > 100)
            arguments.fail("strength_model", "and strength_clip must be numbers between -100 and 100");
    OpResult result;
    // Applied now, so that a LoRA for another base or a damaged file fails at its loader node; held while it patches,
    // so that a run computing on the shared model is not changed under it.
    const auto checkLoras = [&](StableDiffusion &model, const std::vector<LoRAApplication> &loras) {
        std::vector<LoRAReport> reports;
        (void)model.holdLoras(loras, &reports);
        addWarnings(reports, result);
    };
    if (const auto model = arguments.optionalValue<ModelValue>("model")) {
        auto patched = std::make_shared<ModelValue>(*model);
        patched->loras = withLora(model->loras, {path, strengthModel, 0.0});
        checkLoras(*patched->model, patched->loras);
        result.values.push_back(patched);
    }
    if (const auto clip = arguments.optionalValue<ClipValue>("clip")) {
        auto patched = std::make_shared<ClipValue>(*clip);
        patched->loras = withLora(clip->loras, {path, 0.0, strengthClip});
        checkLoras(*patched->model, patched->loras);
        result.values.push_back(patched);
    }
    if (result.values.empty())
        arguments.fail("model", "or \"clip\" is needed");
    return result;
}

OpResult clipSetLastLayer(const OpArguments &arguments, const Progress &)
{
    const std::int64_t layer = arguments.integer("layer");
    if (layer > -1 || layer < -24)
        arguments.fail("layer", "must be between -24 and -1");
    auto clip = std::make_shared<ClipValue>(*arguments.value<ClipValue>("clip"));
    clip->clipSkip = int(-layer);
    return resultOf(clip);
}

// A prompt's conditioning on the CPU: its states, and SDXL's pooled embedding.
ConditioningPart textConditioning(StableDiffusion &model, const std::string &text, const std::string &secondText,
                                  int clipSkip)
{
    const StableDiffusion::PromptConditioning encoded = model.encodeConditioning(text, secondText, clipSkip);
    return ConditioningPart(encoded.context.to(torch::kCPU), 1.0, std::nullopt,
                            encoded.pooled.defined() ? encoded.pooled.to(torch::kCPU) : torch::Tensor());
}

// The CLIP's model, its LoRAs held on while it encodes, and the embedding folders the call names searched.
struct HeldEncoder
{
    StableDiffusion &model;
    LoraHold loras;
};

HeldEncoder encoderOf(const OpArguments &arguments, const ClipValue &clip)
{
    auto embeddings = std::make_shared<EmbeddingLibrary>();
    for (const std::string &folder : arguments.texts("embedding_folders"))
        embeddings->addFolder(folder);
    HeldEncoder held{*clip.model, clip.model->holdLoras(clip.loras)};
    held.model.setEmbeddings(embeddings);
    held.model.clearUsedEmbeddings();
    return held;
}

// The warnings and the embeddings an encode used, for the node's report.
void reportEmbeddings(const StableDiffusion &model, OpResult &result)
{
    result.warnings = model.embeddingWarnings();
    std::string used;
    for (const TextualInversion &embedding : model.usedEmbeddings())
        used += (used.empty() ? "" : ", ") + embedding.name;
    if (!used.empty())
        result.facts["embeddings"] = used;
}

OpResult encodeText(const OpArguments &arguments, const Progress &)
{
    const auto clip = arguments.value<ClipValue>("clip");
    const HeldEncoder encoder = encoderOf(arguments, *clip);
    StableDiffusion &model = encoder.model;
    const std::string &text = arguments.text("text");
    OpResult result = resultOf(conditioningOf({textConditioning(model, text, text, clip->clipSkip)}));
    reportEmbeddings(model, result);
    return result;
}

// The SDXL encoders' nodes: the CLIP's model must be of `family`; `fill` sets the part's size conditioning.
OpResult encodeSized(const OpArguments &arguments, ModelFamily family, const char *node, const std::string &text,
                     const std::string &secondText, const std::function<void(SizeConditioning &)> &fill)
{
    const auto clip = arguments.value<ClipValue>("clip");
    const HeldEncoder encoder = encoderOf(arguments, *clip);
    StableDiffusion &model = encoder.model;
    if (model.architecture().family != family)
        arguments.fail("clip", std::string("belongs to an ") + familyName(model.architecture().family) + " model; " +
                                   node + " encodes for " + familyName(family) + " models");
    ConditioningPart part = textConditioning(model, text, secondText, clip->clipSkip);
    fill(part.size);
    OpResult result = resultOf(conditioningOf({part}));
    reportEmbeddings(model, result);
    return result;
}

OpResult encodeTextSdxl(const OpArguments &arguments, const Progress &)
{
    return encodeSized(arguments, ModelFamily::Sdxl, "CLIPTextEncodeSDXL", arguments.text("text_l"),
                       arguments.text("text_g"), [&](SizeConditioning &size) {
                           size.width = arguments.integer("width");
                           size.height = arguments.integer("height");
                           size.cropLeft = arguments.integer("crop_w");
                           size.cropTop = arguments.integer("crop_h");
                           size.targetWidth = arguments.integer("target_width");
                           size.targetHeight = arguments.integer("target_height");
                       });
}

OpResult encodeTextSdxlRefiner(const OpArguments &arguments, const Progress &)
{
    const std::string &text = arguments.text("text");
    return encodeSized(arguments, ModelFamily::SdxlRefiner, "CLIPTextEncodeSDXLRefiner", text, text,
                       [&](SizeConditioning &size) {
                           size.width = arguments.integer("width");
                           size.height = arguments.integer("height");
                           size.aestheticScore = arguments.real("ascore");
                       });
}

OpResult conditioningCombine(const OpArguments &arguments, const Progress &)
{
    ConditioningList parts = arguments.value<ConditioningValue>("a")->parts;
    const ConditioningList &more = arguments.value<ConditioningValue>("b")->parts;
    parts.insert(parts.end(), more.begin(), more.end());
    return resultOf(conditioningOf(std::move(parts)));
}

OpResult conditioningConcat(const OpArguments &arguments, const Progress &)
{
    const auto from = arguments.value<ConditioningValue>("from");
    if (from->parts.empty())
        arguments.fail("from", "is an empty conditioning");
    ConditioningList parts = arguments.value<ConditioningValue>("to")->parts;
    for (ConditioningPart &part : parts)
        part.context = torch::cat({part.context, from->parts.front().context}, 1);
    return resultOf(conditioningOf(std::move(parts)));
}

OpResult conditioningAverage(const OpArguments &arguments, const Progress &)
{
    const auto from = arguments.value<ConditioningValue>("from");
    if (from->parts.empty())
        arguments.fail("from", "is an empty conditioning");
    const double weight = arguments.real("to_strength");
    ConditioningList parts = arguments.value<ConditioningValue>("to")->parts;
    const torch::Tensor source = from->parts.front().context;
    for (ConditioningPart &part : parts) {
        // The other prompt is cut or padded with zeros to this one's length, as ComfyUI does.
        const std::int64_t length = part.context.size(1);
        torch::Tensor other = source.narrow(1, 0, std::min(length, source.size(1)));
        if (other.size(1) < length)
            other = torch::cat({other, torch::zeros({other.size(0), length - other.size(1), other.size(2)})}, 1);
        part.context = part.context * weight + other * (1.0 - weight);
        // SDXL's pooled embedding is blended the same way (ComfyUI keeps this one's when the other has none).
        const torch::Tensor &otherPooled = from->parts.front().pooled;
        if (part.pooled.defined() && otherPooled.defined())
            part.pooled = part.pooled * weight + otherPooled * (1.0 - weight);
    }
    return resultOf(conditioningOf(std::move(parts)));
}

OpResult conditioningSetArea(const OpArguments &arguments, const Progress &)
{
    const PixelArea area{arguments.integer("width"), arguments.integer("height"), arguments.integer("x"),
                         arguments.integer("y")};
    const double strength = arguments.real("strength");
    if (area.width < 1 || area.height < 1 || area.x < 0 || area.y < 0)
        arguments.fail("width", "and height must be positive, x and y at least 0");
    ConditioningList parts = arguments.value<ConditioningValue>("conditioning")->parts;
    for (ConditioningPart &part : parts) {
        part.area = area;
        part.strength = strength;
    }
    return resultOf(conditioningOf(std::move(parts)));
}

OpResult conditioningZeroOut(const OpArguments &arguments, const Progress &)
{
    ConditioningList parts = arguments.value<ConditioningValue>("conditioning")->parts;
    for (ConditioningPart &part : parts) {
        part.context = torch::zeros_like(part.context);
        if (part.pooled.defined()) // SDXL: the pooled embedding too, as ComfyUI zeroes it
            part.pooled = torch::zeros_like(part.pooled);
    }
    return resultOf(conditioningOf(std::move(parts)));
}

} // namespace atelier::engine::ops
