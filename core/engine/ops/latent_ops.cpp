// Latents: empty ones, sampling, noise masks, resizing and batches, as ComfyUI's latent nodes make them.
#include "core/engine/ops/op_table.h"

#include "core/engine/io/safetensors_writer.h"

#include <cmath>

namespace atelier::engine::ops {

namespace {

std::shared_ptr<LatentValue> latentOf(torch::Tensor samples, torch::Tensor noiseMask = {})
{
    auto value = std::make_shared<LatentValue>();
    value->samples = std::move(samples);
    value->noiseMask = std::move(noiseMask);
    return value;
}

std::int64_t checkedSide(const OpArguments &arguments, const std::string &name, std::int64_t minimum)
{
    const std::int64_t side = arguments.integer(name);
    if (side < minimum || side > 16384)
        arguments.fail(name, "must be between " + std::to_string(minimum) + " and 16384, not " + std::to_string(side));
    return side;
}

} // namespace

OpResult emptyLatent(const OpArguments &arguments, const Progress &)
{
    const std::int64_t width = checkedSide(arguments, "width", 16), height = checkedSide(arguments, "height", 16);
    const std::int64_t batch = arguments.integerOr("batch", 1);
    if (batch < 1 || batch > 4096)
        arguments.fail("batch", "must be between 1 and 4096");
    return resultOf(latentOf(torch::zeros({batch, 4, height / 8, width / 8})));
}

OpResult sample(const OpArguments &arguments, const Progress &onProgress)
{
    const auto model = arguments.value<ModelValue>("model");
    const auto latent = arguments.value<LatentValue>("latent");
    LatentSampling run;
    run.seed = arguments.unsignedInteger("seed");
    run.steps = int(std::clamp<std::int64_t>(arguments.integer("steps"), -1, 100000));
    run.cfg = arguments.real("cfg");
    run.sampler = arguments.text("sampler");
    run.scheduler = arguments.text("scheduler");
    run.denoise = arguments.realOr("denoise", 1.0);
    run.addNoise = arguments.booleanOr("add_noise", true);
    run.startStep = int(std::clamp<std::int64_t>(arguments.integerOr("start_step", 0), 0, 100000));
    run.endStep = int(std::clamp<std::int64_t>(arguments.integerOr("end_step", -1), -1, 100000));
    run.finishDenoising = arguments.booleanOr("finish_denoising", true);

    StableDiffusion &diffusion = *model->model;
    const double scale = diffusion.architecture().vae.scaleFactor;
    if (latent->noiseMask.defined())
        run.noiseMask = latent->noiseMask;
    if (onProgress)
        run.onStep = [&](int step, int steps, const torch::Tensor &x, const torch::Tensor &) {
            GenerationProgress progress;
            progress.step = step + 1;
            progress.steps = steps;
            progress.preview = [x]() {
                const torch::Tensor rgb =
                    (latentPreview(x.narrow(0, 0, 1))[0] * 255.0).round().clamp(0, 255).to(torch::kUInt8);
                const torch::Tensor bytes = rgb.permute({1, 2, 0}).contiguous().to(torch::kCPU);
                RgbImage image;
                image.height = int(bytes.size(0));
                image.width = int(bytes.size(1));
                image.pixels.assign(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel());
                return image;
            };
            return onProgress(progress);
        };
    const LoraHold loras = diffusion.holdLoras(model->loras);
    const SampledLatent sampled =
        sampleLatent(diffusion, arguments.value<ConditioningValue>("positive")->parts,
                     arguments.value<ConditioningValue>("negative")->parts, latent->samples * scale, run);
    // The mask stays with the latent, as ComfyUI's samplers hand it on.
    return resultOf(latentOf((sampled.latent / scale).to(torch::kCPU, torch::kFloat32), latent->noiseMask));
}

OpResult setLatentNoiseMask(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    const torch::Tensor mask = arguments.value<MaskValue>("mask")->mask;
    return resultOf(latentOf(latent->samples, mask.reshape({-1, 1, mask.size(-2), mask.size(-1)})));
}

OpResult latentUpscale(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    const auto [width, height] =
        requestedSize(arguments, arguments.integer("width") / 8, arguments.integer("height") / 8,
                      latent->samples.size(3), latent->samples.size(2));
    return resultOf(latentOf(resample(arguments, latent->samples, width, height, arguments.text("method"),
                                      arguments.textOr("crop", "disabled")),
                             latent->noiseMask));
}

OpResult latentUpscaleBy(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    const double scale = arguments.real("scale");
    if (!(scale > 0.0) || scale > 8.0)
        arguments.fail("scale", "must be above 0 and at most 8");
    const std::int64_t width = std::max<std::int64_t>(1, std::llround(double(latent->samples.size(3)) * scale));
    const std::int64_t height = std::max<std::int64_t>(1, std::llround(double(latent->samples.size(2)) * scale));
    return resultOf(latentOf(resample(arguments, latent->samples, width, height, arguments.text("method"), "disabled"),
                             latent->noiseMask));
}

OpResult latentFromBatch(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    const std::int64_t batch = latent->samples.size(0);
    const std::int64_t index = std::clamp<std::int64_t>(arguments.integer("index"), 0, batch - 1);
    const std::int64_t length = std::clamp<std::int64_t>(arguments.integer("length"), 1, batch - index);
    torch::Tensor mask = latent->noiseMask;
    if (mask.defined() && mask.size(0) > 1)
        mask = mask.size(0) < batch ? mask.repeat({(batch + mask.size(0) - 1) / mask.size(0), 1, 1, 1}) : mask;
    if (mask.defined() && mask.size(0) > 1)
        mask = mask.narrow(0, index, length);
    return resultOf(latentOf(latent->samples.narrow(0, index, length).clone(), mask));
}

OpResult repeatLatentBatch(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    const std::int64_t amount = arguments.integer("amount");
    if (amount < 1 || amount * latent->samples.size(0) > 4096)
        arguments.fail("amount", "must be at least 1 and make at most 4096 latents");
    torch::Tensor mask = latent->noiseMask;
    if (mask.defined() && mask.size(0) > 1)
        mask = mask.repeat({amount, 1, 1, 1});
    return resultOf(latentOf(latent->samples.repeat({amount, 1, 1, 1}), mask));
}

// ComfyUI's .latent file (SaveLatent): the samples as they are under "latent_tensor", the empty marker of format
// version 0 (no scale factor applied), and the graph that made them in the metadata.
OpResult saveLatent(const OpArguments &arguments, const Progress &)
{
    const auto latent = arguments.value<LatentValue>("latent");
    std::map<std::string, std::string> metadata;
    for (const char *key : {"prompt", "workflow"})
        if (arguments.has(key) && !arguments.text(key).empty())
            metadata[key] = arguments.text(key);
    writeSafetensors(arguments.text("path"),
                     {{"latent_tensor", latent->samples.contiguous()}, {"latent_format_version_0", torch::zeros({0})}},
                     metadata);
    return {};
}

} // namespace atelier::engine::ops
