#include "core/engine/sampling/diffusers_schedulers.h"

#include "core/engine/error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace atelier::engine {

namespace {

// InvokeAI's scheduler names (invokeai/backend/stable_diffusion/schedulers/schedulers.py SCHEDULER_MAP) and the
// diffusers class each stands for.
const std::pair<const char *, const char *> kInvokeAISchedulers[] = {
    {"ddim", "DDIMScheduler"},
    {"ddpm", "DDPMScheduler"},
    {"deis", "DEISMultistepScheduler"},
    {"deis_k", "DEISMultistepScheduler (Karras)"},
    {"lms", "LMSDiscreteScheduler"},
    {"lms_k", "LMSDiscreteScheduler (Karras)"},
    {"pndm", "PNDMScheduler"},
    {"heun", "HeunDiscreteScheduler"},
    {"heun_k", "HeunDiscreteScheduler (Karras)"},
    {"euler", "EulerDiscreteScheduler"},
    {"euler_k", "EulerDiscreteScheduler (Karras)"},
    {"euler_a", "EulerAncestralDiscreteScheduler"},
    {"kdpm_2", "KDPM2DiscreteScheduler"},
    {"kdpm_2_k", "KDPM2DiscreteScheduler (Karras)"},
    {"kdpm_2_a", "KDPM2AncestralDiscreteScheduler"},
    {"kdpm_2_a_k", "KDPM2AncestralDiscreteScheduler (Karras)"},
    {"dpmpp_2s", "DPMSolverSinglestepScheduler"},
    {"dpmpp_2s_k", "DPMSolverSinglestepScheduler (Karras)"},
    {"dpmpp_sde", "DPMSolverSDEScheduler"},
    {"dpmpp_sde_k", "DPMSolverSDEScheduler (Karras)"},
    {"dpmpp_2m", "DPMSolverMultistepScheduler"},
    {"dpmpp_2m_k", "DPMSolverMultistepScheduler (Karras)"},
    {"dpmpp_2m_sde", "DPMSolverMultistepScheduler (SDE)"},
    {"dpmpp_2m_sde_k", "DPMSolverMultistepScheduler (SDE, Karras)"},
    {"dpmpp_3m", "DPMSolverMultistepScheduler (3rd order)"},
    {"dpmpp_3m_k", "DPMSolverMultistepScheduler (3rd order, Karras)"},
    {"unipc", "UniPCMultistepScheduler"},
    {"unipc_k", "UniPCMultistepScheduler (Karras)"},
    {"lcm", "LCMScheduler"},
    {"tcd", "TCDScheduler"},
};

double at(const torch::Tensor &alphasCumprod, std::int64_t timestep)
{
    if (timestep < 0 || timestep >= alphasCumprod.size(0))
        throw std::invalid_argument("timestep " + std::to_string(timestep) + " is outside the training schedule");
    return alphasCumprod[timestep].item<double>();
}

} // namespace

std::string samplerForInvokeAIScheduler(const std::string &scheduler)
{
    if (scheduler == "ddim")
        return "ddim_diffusers";
    if (scheduler == "lcm")
        return "lcm_diffusers";
    for (const auto &[name, diffusersClass] : kInvokeAISchedulers)
        if (scheduler == name)
            throw std::invalid_argument("InvokeAI's scheduler \"" + scheduler + "\" (diffusers' " + diffusersClass +
                                        ") is not supported yet; of InvokeAI's schedulers, ddim and lcm run");
    throw std::invalid_argument("\"" + scheduler + "\" is not one of InvokeAI's schedulers");
}

torch::Tensor diffusersAlphasCumprod(double betaStart, double betaEnd, int trainSteps)
{
    const torch::Tensor betas =
        torch::linspace(std::sqrt(betaStart), std::sqrt(betaEnd), trainSteps, torch::kFloat32).pow(2);
    return torch::cumprod(1.0 - betas, 0);
}

std::vector<std::int64_t> ddimTimesteps(int steps, int trainSteps)
{
    // With steps_offset 1 the first timestep is (steps − 1)·(trainSteps // steps) + 1, which must stay in the schedule.
    const auto first = [trainSteps](int n) { return std::int64_t(n - 1) * (trainSteps / n) + 1; };
    if (steps < 1 || steps > trainSteps || first(steps) >= trainSteps)
        throw std::invalid_argument("steps must be between 1 and 999 for DDIM with diffusers' timesteps, not " +
                                    std::to_string(steps));
    const std::int64_t ratio = trainSteps / steps;
    std::vector<std::int64_t> timesteps;
    for (int i = steps - 1; i >= 0; --i)
        timesteps.push_back(std::int64_t(i) * ratio + 1); // steps_offset 1
    return timesteps;
}

std::vector<std::int64_t> lcmTimesteps(int steps, int originalSteps, int trainSteps)
{
    if (steps < 1 || steps > originalSteps)
        throw std::invalid_argument("steps must be between 1 and " + std::to_string(originalSteps) + " for LCM");
    // diffusers LCMScheduler.set_timesteps: the distillation timesteps k·i − 1 for i = 1..originalSteps, from the
    // top, taken at floor(linspace(0, originalSteps, steps, endpoint=False)).
    const std::int64_t k = trainSteps / originalSteps;
    std::vector<std::int64_t> timesteps;
    for (int i = 0; i < steps; ++i) {
        const std::int64_t index = std::int64_t(std::floor(double(originalSteps) * i / steps));
        timesteps.push_back((originalSteps - index) * k - 1);
    }
    return timesteps;
}

std::vector<std::int64_t> diffusersTimesteps(const std::string &sampler, int steps)
{
    if (sampler == "ddim_diffusers")
        return ddimTimesteps(steps);
    if (sampler == "lcm_diffusers")
        return lcmTimesteps(steps);
    throw std::invalid_argument("\"" + sampler + "\" is not a diffusers sampler");
}

torch::Tensor runDiffusersSampler(const std::string &sampler, torch::Tensor x,
                                  const std::vector<std::int64_t> &timesteps, const torch::Tensor &alphasCumprod,
                                  const DiffusersHooks &hooks)
{
    const bool lcm = sampler == "lcm_diffusers";
    if (!lcm && sampler != "ddim_diffusers")
        throw std::invalid_argument("\"" + sampler + "\" is not a diffusers sampler");
    const double finalAlpha = at(alphasCumprod, 0); // set_alpha_to_one false
    const std::int64_t ratio = timesteps.size() > 1 ? timesteps[0] - timesteps[1] : 1000;
    for (std::size_t i = 0; i < timesteps.size(); ++i) {
        const std::int64_t t = timesteps[i];
        const bool last = i + 1 == timesteps.size();
        const torch::Tensor eps = hooks.predictNoise(x, t);
        const double a = at(alphasCumprod, t);
        // x0 = (x − √(1 − ᾱ_t) ε) / √ᾱ_t (DDIMScheduler.step, step 3; LCMScheduler.step, step 4).
        const torch::Tensor x0 = (x - eps * std::sqrt(1.0 - a)) / std::sqrt(a);
        torch::Tensor denoised = x0;
        if (lcm) {
            // LCMScheduler.get_scalings_for_boundary_condition_discrete: σ_data 0.5, timestep_scaling 10.
            const double scaled = double(t) * 10.0;
            const double cSkip = 0.25 / (scaled * scaled + 0.25);
            const double cOut = scaled / std::sqrt(scaled * scaled + 0.25);
            denoised = x0 * cOut + x * cSkip;
            if (last) {
                x = denoised;
            } else {
                const double aNext = at(alphasCumprod, timesteps[i + 1]);
                x = denoised * std::sqrt(aNext) + hooks.noise() * std::sqrt(1.0 - aNext);
            }
        } else {
            // DDIM, eta 0: x_prev = √ᾱ_prev x0 + √(1 − ᾱ_prev) ε, ᾱ_prev of t − 1000 // steps.
            const std::int64_t previous = t - ratio;
            const double aPrevious = previous >= 0 ? at(alphasCumprod, previous) : finalAlpha;
            x = x0 * std::sqrt(aPrevious) + eps * std::sqrt(1.0 - aPrevious);
        }
        if (hooks.stepDone && !hooks.stepDone(int(i), x, denoised))
            throw CancelledError("generation cancelled after step " + std::to_string(i + 1));
    }
    return x;
}

} // namespace atelier::engine
