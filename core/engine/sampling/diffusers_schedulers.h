#pragma once

// diffusers' own schedulers, which InvokeAI images name: integer timesteps with "leading" spacing and the UNet fed
// the unscaled latent, unlike ComfyUI's sigma-space samplers. Includes libtorch: for the engine's sources only.
#include "core/engine/sampling/sampler_names.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

// The Atelier sampler for one of InvokeAI's scheduler names ("ddim" → "ddim_diffusers"). Throws
// std::invalid_argument for its schedulers that do not run yet, naming the ones that do, and for unknown names.
std::string samplerForInvokeAIScheduler(const std::string &scheduler);

// diffusers' scaled-linear training schedule in float32, as DDIMScheduler computes it: betas =
// linspace(sqrt(start), sqrt(end), n)², ᾱ = cumprod(1 − β).
torch::Tensor diffusersAlphasCumprod(double betaStart = 0.00085, double betaEnd = 0.012, int trainSteps = 1000);

// DDIMScheduler.set_timesteps, "leading" spacing with steps_offset 1: 1000 // steps · i + 1, descending.
std::vector<std::int64_t> ddimTimesteps(int steps, int trainSteps = 1000);
// LCMScheduler.set_timesteps: `steps` of the `originalSteps` distillation timesteps, evenly from the top.
std::vector<std::int64_t> lcmTimesteps(int steps, int originalSteps = 50, int trainSteps = 1000);

struct DiffusersHooks
{
    // The guided noise prediction ε for latent x at integer timestep t (v models convert before returning).
    std::function<torch::Tensor(const torch::Tensor &x, std::int64_t timestep)> predictNoise;
    // Standard normal noise of the latent's shape (LCM adds some between steps).
    std::function<torch::Tensor()> noise;
    // After each step, as for the other samplers; returning false cancels the run (CancelledError).
    std::function<bool(int step, const torch::Tensor &x, const torch::Tensor &denoised)> stepDone;
};

// Runs "ddim_diffusers" (DDIMScheduler, eta 0, set_alpha_to_one false) or "lcm_diffusers" (LCMScheduler,
// timestep_scaling 10) from x, the initial noise (init_noise_sigma is 1 for both), and returns the final latent.
torch::Tensor runDiffusersSampler(const std::string &sampler, torch::Tensor x,
                                  const std::vector<std::int64_t> &timesteps, const torch::Tensor &alphasCumprod,
                                  const DiffusersHooks &hooks);

// The timesteps `sampler` uses for `steps`.
std::vector<std::int64_t> diffusersTimesteps(const std::string &sampler, int steps);

} // namespace atelier::engine
