// aMUSEd's operations for graphs: its loader, text encoder, token grids, sampler and VQ-GAN.
#include "core/engine/cache/cached_loads.h"
#include "core/engine/device/device_choice.h"
#include "core/engine/ops/op_table.h"

#include "core/engine/ops/shared_loads.h"

#include <cmath>

namespace atelier::engine::ops {

namespace {

SharedLoads<AmusedModel> g_models;

std::shared_ptr<TokensValue> tokensOf(torch::Tensor tokens)
{
    auto value = std::make_shared<TokensValue>();
    value->batch = int(tokens.size(0));
    value->tokens = std::move(tokens);
    return value;
}

} // namespace

OpResult loadAmused(const OpArguments &arguments, const Progress &)
{
    const std::string path = arguments.text("path");
    const torch::Device device = deviceNamed(arguments.textOr("device", "cpu"));
    const std::string precision = arguments.textOr("precision", "fp32");
    LoadReport report;
    const std::string key = path + '\n' + stampOf(path) + '\n' + device.str() + '\n' + precision;
    const std::shared_ptr<AmusedModel> model = g_models.get(key, [&] {
        return std::make_shared<AmusedModel>(loadAmusedCached(path, device, precisionNamed(precision), &report));
    });
    auto transformer = std::make_shared<AmusedModelValue>();
    transformer->model = model;
    auto clip = std::make_shared<AmusedClipValue>();
    clip->model = model;
    auto vqgan = std::make_shared<VqGanValue>();
    vqgan->model = model;
    OpResult result;
    result.values = {transformer, clip, vqgan};
    result.facts["family"] = "amused";
    for (std::size_t i = 0; i < report.size(); ++i)
        result.facts["loaded." + std::to_string(i)] = report[i];
    return result;
}

OpResult applyAmusedLora(const OpArguments &arguments, const Progress &)
{
    const double strength = arguments.realOr("strength_model", 1.0);
    if (!std::isfinite(strength) || std::abs(strength) > 100)
        arguments.fail("strength_model", "must be a number between -100 and 100");
    const AmusedModel &base = *arguments.value<AmusedModelValue>("model")->model;
    auto patched = std::make_shared<AmusedModel>(base);
    std::vector<LoRAReport> reports;
    patched->transformer = transformerWithLoras(*base.transformer, {{arguments.text("path"), strength, 0.0}}, &reports);
    auto value = std::make_shared<AmusedModelValue>();
    value->model = patched;
    OpResult result = resultOf(value);
    for (const LoRAReport &report : reports)
        if (!report.keysNotLoaded.empty())
            result.warnings.push_back(std::to_string(report.keysNotLoaded.size()) + " keys of " + report.path +
                                      " match no layer of the transformer (the first: " + report.keysNotLoaded[0] +
                                      ")");
    return result;
}

OpResult encodeAmusedText(const OpArguments &arguments, const Progress &)
{
    AmusedTextEncoder &text = *arguments.value<AmusedClipValue>("clip")->model->text;
    auto conditioning = std::make_shared<AmusedConditioningValue>();
    const AmusedModel &model = *arguments.value<AmusedClipValue>("clip")->model;
    conditioning->encoding = encodeAmusedPrompts(text, {arguments.text("text")}, model.device);
    OpResult result = resultOf(conditioning);
    if (const std::string warning = amusedPromptWarning(text, arguments.text("text")); !warning.empty())
        result.warnings.push_back(warning);
    return result;
}

OpResult emptyTokens(const OpArguments &arguments, const Progress &)
{
    auto grid = std::make_shared<TokensValue>();
    grid->width = int(arguments.integer("width"));
    grid->height = int(arguments.integer("height"));
    grid->batch = int(arguments.integerOr("batch", 1));
    if (grid->width < 1 || grid->height < 1 || grid->width > 8192 || grid->height > 8192)
        arguments.fail("width", "and height must be between 1 and 8192 pixels");
    if (grid->batch < 1 || grid->batch > 64)
        arguments.fail("batch", "must be between 1 and 64");
    return resultOf(grid);
}

OpResult sampleAmused(const OpArguments &arguments, const Progress &onProgress)
{
    AmusedModel &model = *arguments.value<AmusedModelValue>("model")->model;
    const auto grid = arguments.value<TokensValue>("tokens");
    AmusedSamplingParams params; // its defaults are the pipeline's
    params.seed = arguments.unsignedInteger("seed");
    params.steps = int(arguments.integer("steps"));
    params.guidance = arguments.real("cfg");
    params.temperatureStart = arguments.realOr("temperature_start", params.temperatureStart);
    params.temperatureEnd = arguments.realOr("temperature_end", params.temperatureEnd);
    params.aestheticScore = arguments.realOr("aesthetic_score", params.aestheticScore);
    params.crop = {int(arguments.integerOr("crop_top", params.crop[0])),
                   int(arguments.integerOr("crop_left", params.crop[1]))};
    validateAmusedParams(params);
    const bool fromImage = grid->tokens.defined();
    params.strength = arguments.realOr("denoise", 1.0);
    if (fromImage)
        firstStepForStrength(params.steps, params.strength); // throws for a strength outside (0, 1]
    else if (params.strength != 1.0)
        arguments.fail("denoise", "below 1 needs tokens from an image (VQ Encode)");
    torch::Tensor start = grid->tokens;
    if (!fromImage) {
        const std::int64_t f = model.architecture.downscale();
        if (grid->width % f || grid->height % f)
            arguments.fail("tokens", "is " + std::to_string(grid->width) + "x" + std::to_string(grid->height) +
                                         " pixels; this model's tokens are " + std::to_string(f) + " pixels wide");
        start = torch::full({grid->batch, grid->height / f, grid->width / f}, model.architecture.maskId, torch::kInt64);
    }
    if (onProgress)
        params.onStep = model.progressReporter(onProgress);
    const AmusedSamplingResult sampled =
        sampleTokens(model, arguments.value<AmusedConditioningValue>("positive")->encoding,
                     arguments.value<AmusedConditioningValue>("negative")->encoding, start, fromImage, params);
    return resultOf(tokensOf(sampled.tokens));
}

OpResult vqDecode(const OpArguments &arguments, const Progress &)
{
    AmusedModel &model = *arguments.value<VqGanValue>("vqgan")->model;
    const auto grid = arguments.value<TokensValue>("tokens");
    if (!grid->tokens.defined())
        arguments.fail("tokens", "is an empty grid; sample it first");
    if ((grid->tokens >= model.architecture.vqgan.codebookSize).any().item<bool>())
        arguments.fail("tokens", "still has masked positions; sample it to the last step first");
    auto image = std::make_shared<ImageValue>();
    image->pixels = model.decode(grid->tokens).permute({0, 2, 3, 1}).contiguous();
    return resultOf(image);
}

OpResult vqEncode(const OpArguments &arguments, const Progress &)
{
    AmusedModel &model = *arguments.value<VqGanValue>("vqgan")->model;
    const torch::Tensor pixels = arguments.value<ImageValue>("image")->pixels;
    const std::int64_t f = model.architecture.downscale();
    if (pixels.size(1) % f || pixels.size(2) % f)
        arguments.fail("image", "is " + std::to_string(pixels.size(2)) + "x" + std::to_string(pixels.size(1)) +
                                    "; the VQ-GAN takes sides that are multiples of " + std::to_string(f));
    return resultOf(tokensOf(model.encode(pixels.permute({0, 3, 1, 2}).contiguous())));
}

} // namespace atelier::engine::ops
