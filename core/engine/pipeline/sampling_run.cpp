#include "core/engine/pipeline/sampling_run.h"

#include "core/engine/sampling/diffusers_schedulers.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/sampling/samplers.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace atelier::engine {

namespace {

// Cross-attention conditionings of different lengths (prompts of different chunk counts) are repeated up to their
// least common multiple, as ComfyUI does; attention over repeated tokens is attention over the originals.
std::pair<torch::Tensor, torch::Tensor> sameLength(torch::Tensor a, torch::Tensor b)
{
    const std::int64_t la = a.size(1), lb = b.size(1);
    if (la == lb)
        return {a, b};
    const std::int64_t lcm = std::lcm(la, lb);
    return {a.repeat({1, lcm / la, 1}), b.repeat({1, lcm / lb, 1})};
}

torch::Tensor decodeImage(StableDiffusion &model, const torch::Tensor &latent)
{
    const torch::Tensor decoded = model.decode(latent / model.architecture().vae.scaleFactor);
    return ((decoded + 1.0) / 2.0).clamp(0.0, 1.0).to(torch::kCPU);
}

void runDiffusers(StableDiffusion &model, const SamplingParams &params, const torch::Tensor &bothContexts,
                  const torch::Tensor &condContext, at::IntArrayRef shape, SamplingResult &result);

} // namespace

torch::Tensor seededNoise(std::uint64_t seed, at::IntArrayRef shape)
{
    at::Generator generator = at::detail::createCPUGenerator(seed);
    return torch::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat32));
}

void validate(const SamplingParams &params)
{
    const auto fail = [](const std::string &message) { throw std::invalid_argument(message); };
    if (params.width < 8 || params.height < 8 || params.width % 8 || params.height % 8)
        fail("width and height must be positive multiples of 8, not " + std::to_string(params.width) + "×" +
             std::to_string(params.height));
    if (params.width > 16384 || params.height > 16384)
        fail("width and height must be at most 16384");
    if (params.steps < 1 || params.steps > 10000)
        fail("steps must be between 1 and 10000, not " + std::to_string(params.steps));
    if (params.batch < 1 || params.batch > 64)
        fail("batch must be between 1 and 64, not " + std::to_string(params.batch));
    if (!(params.cfg >= 0.0) || params.cfg > 100.0)
        fail("cfg must be between 0 and 100");
    if (!(params.denoise > 0.0) || params.denoise > 1.0)
        fail("denoise must be in (0, 1]");
    if (params.clipSkip < 0 || params.clipSkip > 24)
        fail("clip skip must be between 0 and 24");
    if (isDiffusersSampler(params.sampler)) {
        if (params.scheduler != kDiffusersScheduler)
            fail("the sampler \"" + params.sampler + "\" follows diffusers' own timesteps; its scheduler is \"" +
                 kDiffusersScheduler + "\", not \"" + params.scheduler + "\"");
        if (params.initImage.defined() || params.denoise != 1.0)
            fail("the sampler \"" + params.sampler + "\" makes images from noise only (no init image or denoise)");
        (void)diffusersTimesteps(params.sampler, params.steps); // throws for a step count it cannot take
        return;
    }
    std::vector<std::string> samplers = samplerNames();
    samplers.insert(samplers.end(), diffusersSamplerNames().begin(), diffusersSamplerNames().end());
    if (std::find(samplers.begin(), samplers.end(), params.sampler) == samplers.end())
        fail("unknown sampler \"" + params.sampler + "\" (known: " + joinedNames(samplers) + ")");
    const auto &schedulers = schedulerNames();
    if (std::find(schedulers.begin(), schedulers.end(), params.scheduler) == schedulers.end())
        fail("unknown scheduler \"" + params.scheduler + "\" (known: " + joinedNames(schedulers) + ")");
    if (params.initImage.defined() &&
        (params.initImage.dim() != 4 || params.initImage.size(1) != 3 || params.initImage.size(2) % 8 ||
         params.initImage.size(3) % 8))
        fail("the init image must be RGB with sides that are multiples of 8");
}

torch::Tensor latentPreview(const torch::Tensor &latent)
{
    // Least-squares fit of SD 1.x/2.x latents to RGB, the factors ComfyUI and A1111 use for quick previews.
    static const float kFactors[4][3] = {
        {0.3512f, 0.2297f, 0.3227f}, {0.3250f, 0.4974f, 0.2350f}, {-0.2829f, 0.1762f, 0.2721f}, {-0.2120f, -0.2616f, -0.7177f}};
    const torch::Tensor factors = torch::from_blob(const_cast<float *>(&kFactors[0][0]), {4, 3}, torch::kFloat32)
                                      .to(latent.device());
    const torch::Tensor rgb = torch::einsum("bchw,cr->brhw", {latent.to(torch::kFloat32).narrow(1, 0, 4), factors});
    return ((rgb + 1.0) / 2.0).clamp(0.0, 1.0);
}

SamplingResult generateImages(StableDiffusion &model, const SamplingParams &params)
{
    validate(params);
    torch::NoGradGuard noGrad;
    const torch::Device device = model.device();
    const std::int64_t batch = params.batch;
    const double scale = model.architecture().vae.scaleFactor;
    const std::int64_t factor = model.architecture().vae.downscale();

    SamplingResult result;
    torch::Tensor latent0;
    std::int64_t h = params.height / factor, w = params.width / factor;
    if (params.initImage.defined()) {
        h = params.initImage.size(2) / factor;
        w = params.initImage.size(3) / factor;
        result.initLatent = (model.encodeMean(params.initImage) * scale).to(torch::kCPU);
        latent0 = result.initLatent.repeat({batch, 1, 1, 1}).to(device);
    } else {
        latent0 = torch::zeros({batch, model.architecture().unet.inChannels, h, w},
                               torch::TensorOptions().dtype(torch::kFloat32).device(device));
    }

    auto [uncond, cond] = sameLength(model.encodePrompt(params.negative, params.clipSkip),
                                     model.encodePrompt(params.prompt, params.clipSkip));
    const torch::Tensor bothContexts = torch::cat({uncond.expand({batch, -1, -1}), cond.expand({batch, -1, -1})}, 0);
    const torch::Tensor condContext = cond.expand({batch, -1, -1});

    if (isDiffusersSampler(params.sampler)) {
        runDiffusers(model, params, bothContexts, condContext, latent0.sizes(), result);
        return result;
    }

    const std::vector<double> sigmas =
        scheduleSigmas(model.schedule(), params.scheduler, params.steps, params.denoise);
    result.sigmas = torch::tensor(std::vector<float>(sigmas.begin(), sigmas.end()));
    result.noise = seededNoise(params.seed, latent0.sizes());

    torch::Tensor x = latent0 + result.noise.to(device) * sigmas.front();
    at::Generator stepNoise = at::detail::createCPUGenerator(params.seed + 1);
    const std::vector<std::int64_t> shape = latent0.sizes().vec();

    SamplerHooks hooks;
    hooks.denoise = [&](const torch::Tensor &latent, double sigma) {
        if (params.cfg == 1.0)
            return model.denoise(latent, sigma, condContext);
        const auto halves = model.denoise(torch::cat({latent, latent}, 0), sigma, bothContexts).chunk(2, 0);
        return halves[0] + (halves[1] - halves[0]) * params.cfg;
    };
    hooks.noise = [&]() {
        return torch::randn(shape, stepNoise, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
    };
    const int steps = int(sigmas.size()) - 1;
    if (params.onStep)
        hooks.stepDone = [&](int step, const torch::Tensor &latent, const torch::Tensor &denoised) {
            return params.onStep(step, steps, latent, denoised);
        };
    x = runSampler(params.sampler, x, sigmas, hooks);
    result.latent = x.to(torch::kCPU);
    result.image = decodeImage(model, x);
    return result;
}

namespace {

// A diffusers-convention run (DDIM, LCM): integer timesteps, the UNet on the unscaled latent.
void runDiffusers(StableDiffusion &model, const SamplingParams &params, const torch::Tensor &bothContexts,
                  const torch::Tensor &condContext, at::IntArrayRef shape, SamplingResult &result)
{
    const torch::Device device = model.device();
    const std::vector<std::int64_t> timesteps = diffusersTimesteps(params.sampler, params.steps);
    result.timesteps = torch::tensor(timesteps, torch::kInt64);
    const auto &arch = model.architecture();
    const torch::Tensor alphasCumprod = diffusersAlphasCumprod(arch.linearStart, arch.linearEnd);
    // init_noise_sigma is 1: the run starts from the noise itself.
    result.noise = seededNoise(params.seed, shape);
    at::Generator stepNoise = at::detail::createCPUGenerator(params.seed + 1);
    const std::vector<std::int64_t> latentShape = shape.vec();

    DiffusersHooks hooks;
    hooks.predictNoise = [&](const torch::Tensor &x, std::int64_t t) {
        const auto unet = [&](const torch::Tensor &input, const torch::Tensor &context) {
            const torch::Tensor time =
                torch::full({input.size(0)}, float(t), torch::TensorOptions().dtype(torch::kFloat32).device(device));
            torch::Tensor out = model.unetForward(input, time, context);
            const double a = alphasCumprod[t].item<double>();
            if (arch.prediction == Prediction::V) // ε = √ᾱ v + √(1 − ᾱ) x (diffusers' v_prediction, solved for ε)
                out = out * std::sqrt(a) + input * std::sqrt(1.0 - a);
            else if (arch.prediction == Prediction::Sample) // ε = (x − √ᾱ x₀) / √(1 − ᾱ)
                out = (input - out * std::sqrt(a)) / std::sqrt(1.0 - a);
            return out;
        };
        if (params.cfg == 1.0)
            return unet(x, condContext);
        const auto halves = unet(torch::cat({x, x}, 0), bothContexts).chunk(2, 0);
        return halves[0] + (halves[1] - halves[0]) * params.cfg;
    };
    hooks.noise = [&]() {
        return torch::randn(latentShape, stepNoise, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
    };
    if (params.onStep)
        hooks.stepDone = [&](int step, const torch::Tensor &latent, const torch::Tensor &denoised) {
            return params.onStep(step, int(timesteps.size()), latent, denoised);
        };
    const torch::Tensor x = runDiffusersSampler(params.sampler, result.noise.to(device), timesteps,
                                                alphasCumprod.to(torch::kFloat64), hooks);
    result.latent = x.to(torch::kCPU);
    result.image = decodeImage(model, x);
}

} // namespace

} // namespace atelier::engine
