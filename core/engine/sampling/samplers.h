#pragma once

#include "core/engine/sampling/sampler_names.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

// What a sampler needs from the rest of the pipeline.
struct SamplerHooks
{
    // The model's estimate of the clean latent for `x` at noise level `sigma` (guidance already applied).
    std::function<torch::Tensor(const torch::Tensor &x, double sigma)> denoise;
    // Fresh standard normal noise of the latent's shape, for samplers that add noise as they go.
    std::function<torch::Tensor()> noise;
    // Called after each step with the step index (0-based), the current latent and the last clean estimate;
    // returning false cancels the run (the sampler throws CancelledError).
    std::function<bool(int step, const torch::Tensor &x, const torch::Tensor &denoised)> stepDone;
};


// True when the sampler draws noise during sampling (its results then depend on the noise hook).
bool samplerAddsNoise(const std::string &sampler);

// Runs `sampler` from x (already noised to sigmas[0]) along `sigmas` and returns the final latent. The update rules
// are k-diffusion's, as ComfyUI runs them (ddim is Euler there; uni_pc is UniPC bh1 in x0 form). Throws
// std::invalid_argument for an unknown sampler.
torch::Tensor runSampler(const std::string &sampler, torch::Tensor x, const std::vector<double> &sigmas,
                         const SamplerHooks &hooks);

} // namespace atelier::engine
