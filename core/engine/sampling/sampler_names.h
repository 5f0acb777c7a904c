#pragma once

// Sampler names that the layers above need without the engine loaded. No libtorch here.
#include <string>
#include <vector>

namespace atelier::engine {

// ComfyUI's names of the samplers and schedulers the engine runs (the KSampler's combos), in its order.
const std::vector<std::string> &samplerNames();
const std::vector<std::string> &schedulerNames();

// The samplers that follow diffusers' own timesteps, as InvokeAI images name them ("ddim_diffusers",
// "lcm_diffusers"), and the scheduler name they take.
const std::vector<std::string> &diffusersSamplerNames();
constexpr const char *kDiffusersScheduler = "diffusers";
bool isDiffusersSampler(const std::string &sampler);

} // namespace atelier::engine
