#pragma once

#include "core/engine/pipeline/sampling_settings.h"
#include "core/engine/pipeline/stable_diffusion.h"

#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>

namespace atelier::engine {

// One txt2img or img2img run over a loaded model, with ComfyUI's conventions for seeds, schedules and guidance.
struct SamplingParams : SamplingSettings
{
    torch::Tensor initImage;         // img2img: [1, 3, H, W] in [-1, 1]; undefined for txt2img
    // After each step: the step (0-based), the step count, the current latent and the clean estimate. Returning
    // false cancels the run with CancelledError.
    std::function<bool(int step, int steps, const torch::Tensor &x, const torch::Tensor &denoised)> onStep;
    // A second model that takes over at `refinerStartStep` of the `steps` (SDXL's refiner, or any model of the same
    // latent space): the first model's latent is handed over with its leftover noise, as KSamplerAdvanced's end and
    // start steps do, each model guided by the prompts encoded with its own CLIP, and the second decodes the image.
    StableDiffusion *refiner = nullptr;
    int refinerStartStep = 0; // 1 to steps - 1; validate() checks it whenever it is set, refiner or not yet
};

// The step a refiner takes over at when it runs the last (1 - `switchAt`) of `steps` (A1111's "switch at"): the
// first model runs at least one step and the refiner at least one. Throws std::invalid_argument when `switchAt` is
// not in (0, 1) or there are fewer than two steps to share.
int refinerStartStep(int steps, double switchAt);

struct SamplingResult
{
    torch::Tensor sigmas;       // [steps + 1]; undefined for diffusers samplers, which step in timesteps
    torch::Tensor timesteps;    // diffusers samplers: the UNet's integer timestep at each step
    torch::Tensor noise;        // the initial noise, [b, 4, h, w]
    torch::Tensor initLatent;   // img2img: the scaled init latent; else undefined
    torch::Tensor latent;       // the final latent (scaled, as the sampler leaves it), float32 on the CPU
    torch::Tensor image;        // [b, 3, H, W] in [0, 1], float32 on the CPU
};

// A part of the image a conditioning applies to, in pixels from the top left (ComfyUI's ConditioningSetArea).
struct PixelArea
{
    std::int64_t width = 0, height = 0, x = 0, y = 0;
};

// One entry of a conditioning list (ComfyUI's CONDITIONING): a prompt's cross-attention states [1, tokens, width],
// the weight its prediction gets among the list's entries, and the area it is predicted over (all of it when
// absent). SDXL adds the prompt's pooled embedding [1, P] and the size conditioning.
struct ConditioningPart
{
    ConditioningPart(torch::Tensor context = {}, double strength = 1.0, std::optional<PixelArea> area = {},
                     torch::Tensor pooled = {})
        : context(std::move(context))
        , strength(strength)
        , area(area)
        , pooled(std::move(pooled))
    {}

    torch::Tensor context;
    double strength = 1.0;
    std::optional<PixelArea> area;
    torch::Tensor pooled;
    SizeConditioning size;
};
using ConditioningList = std::vector<ConditioningPart>;

// Where an area conditioning is predicted in a latent of `latentHeight` × `latentWidth`, and the weight its
// prediction gets there, as ComfyUI weighs it: the area in latent units (pixels over the VAE's `downscale`),
// clamped to the latent, grown to sides the UNet divides (`multiple`), with a linear fade over 8 latent pixels on
// each side that does not touch the latent's border.
struct LatentRegion
{
    std::int64_t top = 0, left = 0, height = 0, width = 0;
    torch::Tensor weight; // [1, 1, height, width]; empty region when height or width is 0
};
LatentRegion latentRegion(const PixelArea &area, std::int64_t downscale, std::int64_t multiple,
                          std::int64_t latentHeight, std::int64_t latentWidth);

// One sampler run over a latent, as ComfyUI's KSampler and KSamplerAdvanced take it.
struct LatentSampling : SamplerSettings
{
    bool addNoise = true;        // off: the latent is sampled as it is (a run continued from leftover noise)
    int startStep = 0;           // the first step of the `steps`-step schedule that runs
    int endStep = -1;            // the step it stops before; -1: the end
    bool finishDenoising = true; // when stopping early, end at sigma 0 rather than leave the remaining noise
    // Where to sample ([b or 1, 1, H, W] at any size, 1 resample, 0 keep the start latent); undefined: everywhere.
    torch::Tensor noiseMask;
    std::function<bool(int step, int steps, const torch::Tensor &x, const torch::Tensor &denoised)> onStep;
};

struct SampledLatent
{
    torch::Tensor latent;    // in the model's space (scaled), on the model's device
    torch::Tensor noise;     // the initial noise (zeros when not added)
    torch::Tensor sigmas;    // the sigmas that ran; undefined for diffusers samplers
    torch::Tensor timesteps; // diffusers samplers: the UNet's integer timestep at each step
};

// Samples `start` (in the model's space, [b, 4, h, w]) under guidance by `positive` over `negative`. Entries of a
// list are each predicted and averaged by strength, as ComfyUI combines conditionings. Throws std::invalid_argument
// for bad settings and CancelledError when onStep returns false.
SampledLatent sampleLatent(StableDiffusion &model, const ConditioningList &positive, const ConditioningList &negative,
                           const torch::Tensor &start, const LatentSampling &run);

// The noise ComfyUI makes for a seed: one standard normal draw of `shape` from a CPU generator seeded with it.
torch::Tensor seededNoise(std::uint64_t seed, at::IntArrayRef shape);

// Checks the parameters (sizes multiple of 8, steps, cfg, sampler and scheduler names ...) and throws
// std::invalid_argument with a message naming the bad value.
void validate(const SamplingParams &params);

SamplingResult generateImages(StableDiffusion &model, const SamplingParams &params);

// A cheap RGB approximation of a latent (a fixed linear map of SD's four latent channels), [b, 3, h, w] in [0, 1].
torch::Tensor latentPreview(const torch::Tensor &latent);

} // namespace atelier::engine
