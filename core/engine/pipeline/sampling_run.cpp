#include "core/engine/pipeline/sampling_run.h"

#include "core/engine/sampling/diffusers_schedulers.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/sampling/samplers.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace atelier::engine {

namespace {

// Cross-attention conditionings of different lengths (prompts of different chunk counts) are repeated up to their
// least common multiple, as ComfyUI does; attention over repeated tokens is attention over the originals.
std::vector<torch::Tensor> sameLength(const std::vector<torch::Tensor> &contexts)
{
    std::int64_t length = 1;
    for (const torch::Tensor &context : contexts)
        length = std::lcm(length, context.size(1));
    std::vector<torch::Tensor> out;
    out.reserve(contexts.size());
    for (const torch::Tensor &context : contexts)
        out.push_back(context.size(1) == length ? context : context.repeat({1, length / context.size(1), 1}));
    return out;
}

void checkSettings(const std::string &sampler, const std::string &scheduler, int steps, double cfg, double denoise)
{
    const auto fail = [](const std::string &message) { throw std::invalid_argument(message); };
    if (steps < 1 || steps > 10000)
        fail("steps must be between 1 and 10000, not " + std::to_string(steps));
    if (!(cfg >= 0.0) || cfg > 100.0)
        fail("cfg must be between 0 and 100");
    if (!(denoise > 0.0) || denoise > 1.0)
        fail("denoise must be in (0, 1]");
    if (isDiffusersSampler(sampler)) {
        if (scheduler != kDiffusersScheduler)
            fail("the sampler \"" + sampler + "\" follows diffusers' own timesteps; its scheduler is \"" +
                 kDiffusersScheduler + "\", not \"" + scheduler + "\"");
        (void)diffusersTimesteps(sampler, steps); // throws for a step count it cannot take
        return;
    }
    std::vector<std::string> samplers = samplerNames();
    samplers.insert(samplers.end(), diffusersSamplerNames().begin(), diffusersSamplerNames().end());
    if (std::find(samplers.begin(), samplers.end(), sampler) == samplers.end())
        fail("unknown sampler \"" + sampler + "\" (known: " + joinedNames(samplers) + ")");
    const auto &schedulers = schedulerNames();
    if (std::find(schedulers.begin(), schedulers.end(), scheduler) == schedulers.end())
        fail("unknown scheduler \"" + scheduler + "\" (known: " + joinedNames(schedulers) + ")");
}

// The guided prediction of a step: every entry of both lists predicted (those over the whole latent in one batched
// call, area entries over their region), each list averaged by strength (and by an area's fading weight where it
// applies), then classifier-free guidance between the two.
class Guidance
{
public:
    // (inputs, contexts, extra conditionings y or undefined), batched along the first axis.
    using Predict = std::function<torch::Tensor(const torch::Tensor &, const torch::Tensor &, const torch::Tensor &)>;

    Guidance(const StableDiffusion &model, const ConditioningList &positive, const ConditioningList &negative,
             double cfg, const torch::Tensor &latent, std::int64_t downscale, std::int64_t multiple)
        : m_cfg(cfg)
        , m_negativeCount(cfg == 1.0 ? 0 : negative.size())
    {
        if (positive.empty() || (cfg != 1.0 && negative.empty()))
            throw std::invalid_argument("a sampler needs a positive and a negative conditioning");
        std::vector<torch::Tensor> contexts;
        const auto add = [&](const ConditioningList &list, bool negativeList) {
            for (const ConditioningPart &part : list) {
                // A prompt encoded by another model's text encoder (a base's on a refiner) cannot be read here.
                if (part.context.dim() != 3 || part.context.size(2) != model.architecture().unet.contextDim)
                    throw std::invalid_argument("a conditioning of width " + std::to_string(part.context.size(-1)) +
                                                " reached a model that reads " +
                                                std::to_string(model.architecture().unet.contextDim) +
                                                "; encode the prompt with this model's own CLIP");
                contexts.push_back(part.context);
                // SDXL: the pooled prompt and the size conditioning, the image's own size where none is given.
                const torch::Tensor y = model.extraConditioning(part.pooled, part.size, latent.size(3) * downscale,
                                                                latent.size(2) * downscale, negativeList);
                if (y.defined())
                    m_extras.push_back(y.to(latent.device()).expand({latent.size(0), -1}));
                m_strengths.push_back(part.strength);
                m_regions.push_back(part.area ? std::optional<LatentRegion>(latentRegion(
                                                    *part.area, downscale, multiple, latent.size(2), latent.size(3)))
                                              : std::nullopt);
                if (part.area)
                    m_regions.back()->weight = m_regions.back()->weight.to(latent.device());
            }
        };
        if (m_negativeCount)
            add(negative, true);
        add(positive, false);
        for (torch::Tensor &context : sameLength(contexts))
            m_contexts.push_back(context.expand({latent.size(0), -1, -1}));
        m_batched = torch::cat(m_contexts, 0);
        if (!m_extras.empty())
            m_batchedExtras = torch::cat(m_extras, 0);
        m_hasAreas = std::any_of(m_regions.begin(), m_regions.end(), [](const auto &region) { return bool(region); });
    }

    // `predict` maps (inputs, contexts) batched along the first axis to a prediction of the same shape.
    torch::Tensor operator()(const torch::Tensor &x, const Predict &predict)
    {
        if (m_hasAreas)
            return withAreas(x, predict);
        const std::size_t parts = m_contexts.size();
        const std::vector<torch::Tensor> inputs(parts, x);
        const std::vector<torch::Tensor> predictions =
            parts == 1 ? std::vector<torch::Tensor>{predict(x, m_batched, m_batchedExtras)}
                       : predict(torch::cat(inputs, 0), m_batched, m_batchedExtras).chunk(std::int64_t(parts), 0);
        const torch::Tensor positive = average(predictions, m_negativeCount, parts);
        if (!m_negativeCount)
            return positive;
        const torch::Tensor negative = average(predictions, 0, m_negativeCount);
        return negative + (positive - negative) * m_cfg;
    }

private:
    torch::Tensor average(const std::vector<torch::Tensor> &predictions, std::size_t from, std::size_t to) const
    {
        if (to - from == 1)
            return predictions[from];
        torch::Tensor sum = predictions[from] * m_strengths[from];
        double total = m_strengths[from];
        for (std::size_t i = from + 1; i < to; ++i) {
            sum = sum + predictions[i] * m_strengths[i];
            total += m_strengths[i];
        }
        return total == 0.0 ? sum : sum / total;
    }

    // ComfyUI's weighted sum over the parts' regions: each list's predictions and weights summed where they apply,
    // divided where anything applied (zero where nothing did).
    torch::Tensor withAreas(const torch::Tensor &x, const Predict &predict)
    {
        torch::Tensor sums[2] = {torch::zeros_like(x), torch::zeros_like(x)};
        torch::Tensor weights[2] = {torch::zeros({1, 1, x.size(2), x.size(3)}, x.options()),
                                    torch::zeros({1, 1, x.size(2), x.size(3)}, x.options())};
        std::vector<std::size_t> whole;
        for (std::size_t i = 0; i < m_contexts.size(); ++i)
            if (!m_regions[i])
                whole.push_back(i);
        if (!whole.empty()) {
            std::vector<torch::Tensor> contexts, extras;
            for (std::size_t i : whole) {
                contexts.push_back(m_contexts[i]);
                if (!m_extras.empty())
                    extras.push_back(m_extras[i]);
            }
            const std::vector<torch::Tensor> predictions =
                predict(torch::cat(std::vector<torch::Tensor>(whole.size(), x), 0), torch::cat(contexts, 0),
                        extras.empty() ? torch::Tensor() : torch::cat(extras, 0))
                    .chunk(std::int64_t(whole.size()), 0);
            for (std::size_t n = 0; n < whole.size(); ++n) {
                const int list = whole[n] < m_negativeCount ? 0 : 1;
                sums[list] += predictions[n] * m_strengths[whole[n]];
                weights[list] += m_strengths[whole[n]];
            }
        }
        for (std::size_t i = 0; i < m_contexts.size(); ++i) {
            const std::optional<LatentRegion> &region = m_regions[i];
            if (!region || region->height == 0 || region->width == 0)
                continue;
            const int list = i < m_negativeCount ? 0 : 1;
            const auto crop = [&](const torch::Tensor &t) {
                return t.narrow(2, region->top, region->height).narrow(3, region->left, region->width);
            };
            const torch::Tensor weight = region->weight * m_strengths[i];
            crop(sums[list]) +=
                predict(crop(x), m_contexts[i], m_extras.empty() ? torch::Tensor() : m_extras[i]) * weight;
            crop(weights[list]) += weight;
        }
        const auto averaged = [&](int list) {
            return torch::where(weights[list] > 0, sums[list] / weights[list].clamp_min(1e-37), sums[list]);
        };
        const torch::Tensor positive = averaged(1);
        if (!m_negativeCount)
            return positive;
        const torch::Tensor negative = averaged(0);
        return negative + (positive - negative) * m_cfg;
    }

    double m_cfg;
    std::size_t m_negativeCount;
    std::vector<double> m_strengths;
    std::vector<std::optional<LatentRegion>> m_regions;
    std::vector<torch::Tensor> m_contexts;
    torch::Tensor m_batched;
    std::vector<torch::Tensor> m_extras; // SDXL's y per part, else empty
    torch::Tensor m_batchedExtras;
    bool m_hasAreas = false;
};

SampledLatent runDiffusers(StableDiffusion &model, Guidance &guidance, const torch::Tensor &start,
                           const LatentSampling &run);

// The sigmas of a run: the schedule of `steps` (stretched for denoise below 1), cut to [startStep, endStep].
std::vector<double> runSigmas(const StableDiffusion &model, const LatentSampling &run)
{
    std::vector<double> sigmas = scheduleSigmas(model.schedule(), run.scheduler, run.steps, run.denoise);
    const int last = int(sigmas.size()) - 1;
    if (run.endStep >= 0 && run.endStep < last) {
        sigmas.resize(std::size_t(run.endStep) + 1);
        if (run.finishDenoising)
            sigmas.back() = 0.0;
    }
    if (run.startStep > 0)
        sigmas.erase(sigmas.begin(), sigmas.begin() + std::min<std::ptrdiff_t>(run.startStep, sigmas.size() - 1));
    return sigmas;
}

} // namespace

LatentRegion latentRegion(const PixelArea &area, std::int64_t downscale, std::int64_t multiple,
                          std::int64_t latentHeight, std::int64_t latentWidth)
{
    // One side: its start and length in latent units, clamped to the latent and grown to a length the UNet divides.
    const auto side = [&](std::int64_t start, std::int64_t length, std::int64_t whole) {
        start = std::clamp<std::int64_t>(start / downscale, 0, whole);
        length = std::clamp<std::int64_t>(length / downscale, 0, whole - start);
        if (length == 0)
            return std::pair<std::int64_t, std::int64_t>(start, 0);
        length = std::min(whole, (length + multiple - 1) / multiple * multiple);
        return std::pair<std::int64_t, std::int64_t>(std::min(start, whole - length), length);
    };
    LatentRegion region;
    std::tie(region.top, region.height) = side(area.y, area.height, latentHeight);
    std::tie(region.left, region.width) = side(area.x, area.width, latentWidth);
    region.weight = torch::ones({1, 1, region.height, region.width});
    if (region.height == 0 || region.width == 0)
        return region;
    // Fades toward the inner edges, so that an area's prediction blends into what surrounds it.
    constexpr std::int64_t kFade = 8;
    const auto fade = [&](int dim, std::int64_t start, std::int64_t length, std::int64_t whole) {
        for (std::int64_t t = 0; t < std::min(kFade, length); ++t) {
            const double factor = double(t + 1) / double(kFade);
            if (start != 0)
                region.weight.narrow(dim, t, 1).mul_(factor);
            if (start + length < whole)
                region.weight.narrow(dim, length - 1 - t, 1).mul_(factor);
        }
    };
    fade(2, region.top, region.height, latentHeight);
    fade(3, region.left, region.width, latentWidth);
    return region;
}

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
    if (params.batch < 1 || params.batch > 64)
        fail("batch must be between 1 and 64, not " + std::to_string(params.batch));
    if (params.clipSkip < 0 || params.clipSkip > 24)
        fail("clip skip must be between 0 and 24");
    checkSettings(params.sampler, params.scheduler, params.steps, params.cfg, params.denoise);
    if (isDiffusersSampler(params.sampler) && (params.initImage.defined() || params.denoise != 1.0))
        fail("the sampler \"" + params.sampler + "\" makes images from noise only (no init image or denoise)");
    if (params.refiner || params.refinerStartStep > 0) {
        if (isDiffusersSampler(params.sampler))
            fail("the sampler \"" + params.sampler +
                 "\" runs its steps as one schedule and cannot hand them to a "
                 "refiner; use a ComfyUI sampler such as euler or dpmpp_2m");
        if (params.refinerStartStep < 1 || params.refinerStartStep >= params.steps)
            fail("the refiner must take over after the first step and before the last (step " +
                 std::to_string(params.refinerStartStep) + " of " + std::to_string(params.steps) + ")");
    }
    if (params.initImage.defined() &&
        (params.initImage.dim() != 4 || params.initImage.size(1) != 3 || params.initImage.size(2) % 8 ||
         params.initImage.size(3) % 8))
        fail("the init image must be RGB with sides that are multiples of 8");
}

SampledLatent sampleLatent(StableDiffusion &model, const ConditioningList &positive, const ConditioningList &negative,
                           const torch::Tensor &start, const LatentSampling &run)
{
    checkSettings(run.sampler, run.scheduler, run.steps, run.cfg, run.denoise);
    if (start.dim() != 4 || start.size(1) != model.architecture().unet.inChannels)
        throw std::invalid_argument("the latent has the wrong shape for this model (it needs " +
                                    std::to_string(model.architecture().unet.inChannels) + " channels)");
    // The UNet halves the latent at each level but the last and joins the halves again: its sides must divide.
    const std::int64_t multiple = std::int64_t(1) << (model.architecture().unet.channelMult.size() - 1);
    if (start.size(2) % multiple || start.size(3) % multiple) {
        const std::int64_t pixels = multiple * model.architecture().vae.downscale();
        throw std::invalid_argument("this model makes images whose sides are multiples of " + std::to_string(pixels) +
                                    " pixels, not " +
                                    std::to_string(start.size(3) * model.architecture().vae.downscale()) + "×" +
                                    std::to_string(start.size(2) * model.architecture().vae.downscale()));
    }
    torch::NoGradGuard noGrad;
    const torch::Device device = model.device();
    const torch::Tensor latent0 = start.to(device, torch::kFloat32);
    Guidance guidance(model, positive, negative, run.cfg, latent0, model.architecture().vae.downscale(), multiple);
    if (isDiffusersSampler(run.sampler)) {
        if (run.denoise != 1.0 || run.startStep != 0 || run.endStep >= 0 || !run.addNoise || run.noiseMask.defined() ||
            latent0.abs().max().item<double>() != 0.0)
            throw std::invalid_argument("the sampler \"" + run.sampler +
                                        "\" makes images from noise only: an empty latent, full denoise, all steps");
        return runDiffusers(model, guidance, latent0, run);
    }

    SampledLatent result;
    const std::vector<double> sigmas = runSigmas(model, run);
    result.sigmas = torch::tensor(std::vector<float>(sigmas.begin(), sigmas.end()));
    result.noise = run.addNoise ? seededNoise(run.seed, latent0.sizes()) : torch::zeros(latent0.sizes());
    if (sigmas.size() < 2) { // nothing left to run
        result.latent = latent0;
        return result;
    }
    torch::Tensor x = latent0 + result.noise.to(device) * sigmas.front();
    at::Generator stepNoise = at::detail::createCPUGenerator(run.seed + 1);
    const std::vector<std::int64_t> shape = latent0.sizes().vec();

    SamplerHooks hooks;
    // Inpainting as ComfyUI does it: outside the mask the latent is held at the start latent, noised to each
    // step's sigma, and the prediction there is the start latent itself.
    torch::Tensor keep;
    if (run.noiseMask.defined()) {
        torch::Tensor mask = torch::upsample_bilinear2d(
            run.noiseMask.to(torch::kFloat32).reshape({-1, 1, run.noiseMask.size(-2), run.noiseMask.size(-1)}),
            {latent0.size(2), latent0.size(3)}, false);
        if (mask.size(0) < latent0.size(0))
            mask = mask.repeat({(latent0.size(0) + mask.size(0) - 1) / mask.size(0), 1, 1, 1});
        keep = mask.narrow(0, 0, latent0.size(0)).to(device);
    }
    const torch::Tensor noiseOnDevice = result.noise.to(device);
    hooks.denoise = [&](const torch::Tensor &latent, double sigma) {
        const torch::Tensor input =
            keep.defined() ? latent * keep + (latent0 + noiseOnDevice * sigma) * (1.0 - keep) : latent;
        const torch::Tensor denoised =
            guidance(input, [&](const torch::Tensor &batch, const torch::Tensor &context, const torch::Tensor &y) {
                return model.denoise(batch, sigma, context, y);
            });
        return keep.defined() ? denoised * keep + latent0 * (1.0 - keep) : denoised;
    };
    hooks.noise = [&]() {
        return torch::randn(shape, stepNoise, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
    };
    const int steps = int(sigmas.size()) - 1;
    if (run.onStep)
        hooks.stepDone = [&](int step, const torch::Tensor &latent, const torch::Tensor &denoised) {
            return run.onStep(step, steps, latent, denoised);
        };
    result.latent = runSampler(run.sampler, x, sigmas, hooks);
    if (keep.defined())
        result.latent = result.latent * keep + latent0 * (1.0 - keep);
    return result;
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

int refinerStartStep(int steps, double switchAt)
{
    if (!(switchAt > 0.0 && switchAt < 1.0))
        throw std::invalid_argument("the refiner's switch must be between 0 and 1 (the share of the steps the first "
                                    "model runs), not " +
                                    std::to_string(switchAt));
    if (steps < 2)
        throw std::invalid_argument("a refiner needs at least two steps to share with the first model");
    return std::clamp(int(std::lround(steps * switchAt)), 1, steps - 1);
}

SamplingResult generateImages(StableDiffusion &model, const SamplingParams &params)
{
    validate(params);
    if (params.refiner) {
        // The latent is handed over as it is: both models must read the same latent space.
        const ModelArchitecture &first = model.architecture(), &second = params.refiner->architecture();
        if (first.unet.inChannels != second.unet.inChannels || first.vae.scaleFactor != second.vae.scaleFactor)
            throw std::invalid_argument(std::string("a ") + familyName(second.family) +
                                        " model cannot refine the latent of a " + familyName(first.family) +
                                        " model: their latent spaces differ (an SDXL base takes the SDXL refiner "
                                        "or another SDXL model)");
    }
    torch::NoGradGuard noGrad;
    const double scale = model.architecture().vae.scaleFactor;
    const std::int64_t factor = model.architecture().vae.downscale();

    SamplingResult result;
    torch::Tensor start;
    if (params.initImage.defined()) {
        result.initLatent = (model.encodeMean(params.initImage) * scale).to(torch::kCPU);
        start = result.initLatent.repeat({params.batch, 1, 1, 1});
    } else {
        start = torch::zeros(
            {params.batch, model.architecture().unet.inChannels, params.height / factor, params.width / factor},
            torch::TensorOptions().dtype(torch::kFloat32));
    }
    const auto conditioningOf = [&](StableDiffusion &encoder, const std::string &prompt) {
        const StableDiffusion::PromptConditioning encoded = encoder.encodeConditioning(prompt, params.clipSkip);
        return ConditioningList{ConditioningPart(encoded.context, 1.0, std::nullopt, encoded.pooled)};
    };
    LatentSampling run;
    static_cast<SamplerSettings &>(run) = params;
    run.onStep = params.onStep;
    if (params.refiner) {
        run.endStep = params.refinerStartStep;
        run.finishDenoising = false; // the refiner takes the leftover noise
        // Progress counts the steps of both models as one run's.
        if (params.onStep)
            run.onStep = [&](int step, int, const torch::Tensor &x, const torch::Tensor &denoised) {
                return params.onStep(step, params.steps, x, denoised);
            };
    }
    SampledLatent sampled =
        sampleLatent(model, conditioningOf(model, params.prompt), conditioningOf(model, params.negative), start, run);
    result.sigmas = sampled.sigmas;
    result.timesteps = sampled.timesteps;
    result.noise = sampled.noise;
    StableDiffusion &decoder = params.refiner ? *params.refiner : model;
    if (params.refiner) {
        LatentSampling rest = run;
        rest.startStep = params.refinerStartStep;
        rest.endStep = -1;
        rest.addNoise = false;
        rest.finishDenoising = true;
        if (params.onStep)
            rest.onStep = [&](int step, int, const torch::Tensor &x, const torch::Tensor &denoised) {
                return params.onStep(params.refinerStartStep + step, params.steps, x, denoised);
            };
        const torch::Tensor handed = sampled.latent;
        sampled = sampleLatent(decoder, conditioningOf(decoder, params.prompt),
                               conditioningOf(decoder, params.negative), handed, rest);
    }
    result.latent = sampled.latent.to(torch::kCPU);
    const torch::Tensor decoded = decoder.decode(sampled.latent / scale);
    result.image = ((decoded + 1.0) / 2.0).clamp(0.0, 1.0).to(torch::kCPU);
    return result;
}

namespace {

// A diffusers-convention run (DDIM, LCM): integer timesteps, the UNet on the unscaled latent.
SampledLatent runDiffusers(StableDiffusion &model, Guidance &guidance, const torch::Tensor &start,
                           const LatentSampling &run)
{
    const torch::Device device = model.device();
    SampledLatent result;
    const std::vector<std::int64_t> timesteps = diffusersTimesteps(run.sampler, run.steps);
    result.timesteps = torch::tensor(timesteps, torch::kInt64);
    const auto &arch = model.architecture();
    const torch::Tensor alphasCumprod = diffusersAlphasCumprod(arch.linearStart, arch.linearEnd);
    // init_noise_sigma is 1: the run starts from the noise itself.
    result.noise = seededNoise(run.seed, start.sizes());
    at::Generator stepNoise = at::detail::createCPUGenerator(run.seed + 1);
    const std::vector<std::int64_t> latentShape = start.sizes().vec();

    DiffusersHooks hooks;
    hooks.predictNoise = [&](const torch::Tensor &x, std::int64_t t) {
        return guidance(x, [&](const torch::Tensor &input, const torch::Tensor &context, const torch::Tensor &y) {
            const torch::Tensor time =
                torch::full({input.size(0)}, float(t), torch::TensorOptions().dtype(torch::kFloat32).device(device));
            torch::Tensor out = model.unetForward(input, time, context, y);
            const double a = alphasCumprod[t].item<double>();
            if (arch.prediction == Prediction::V) // ε = √ᾱ v + √(1 − ᾱ) x (diffusers' v_prediction, solved for ε)
                out = out * std::sqrt(a) + input * std::sqrt(1.0 - a);
            else if (arch.prediction == Prediction::Sample) // ε = (x − √ᾱ x₀) / √(1 − ᾱ)
                out = (input - out * std::sqrt(a)) / std::sqrt(1.0 - a);
            return out;
        });
    };
    hooks.noise = [&]() {
        return torch::randn(latentShape, stepNoise, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
    };
    if (run.onStep)
        hooks.stepDone = [&](int step, const torch::Tensor &latent, const torch::Tensor &denoised) {
            return run.onStep(step, int(timesteps.size()), latent, denoised);
        };
    result.latent =
        runDiffusersSampler(run.sampler, result.noise.to(device), timesteps, alphasCumprod.to(torch::kFloat64), hooks);
    return result;
}

} // namespace

} // namespace atelier::engine
