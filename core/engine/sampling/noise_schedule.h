#pragma once

#include "core/engine/sampling/sampler_names.h"

#include <string>
#include <vector>

namespace atelier::engine {

// The discrete noise levels of SD 1.x/2.x training (ComfyUI's ModelSamplingDiscrete): betas linear in sqrt between
// `linearStart` and `linearEnd` over 1000 steps, sigma_i = sqrt((1 - ᾱ_i) / ᾱ_i), kept in float32 as ComfyUI keeps
// them. Sigma and timestep convert into each other by linear interpolation of log sigma over the indices.
class DiscreteSchedule
{
public:
    // `zeroTerminalSnr`: the schedule rescaled so that its last step is pure noise (v-prediction models trained that
    // way mark it with a "ztsnr" key), as ComfyUI rescales it.
    explicit DiscreteSchedule(double linearStart = 0.00085, double linearEnd = 0.012, int timesteps = 1000,
                              bool zeroTerminalSnr = false);

    double sigmaMin() const { return m_sigmas.front(); }
    double sigmaMax() const { return m_sigmas.back(); }
    const std::vector<double> &sigmas() const { return m_sigmas; }
    double timestep(double sigma) const;  // fractional index in [0, N-1]
    double sigma(double timestep) const;

private:
    std::vector<double> m_sigmas;     // float32 values, ascending
    std::vector<double> m_logSigmas;  // log of the float32 values, rounded to float32
};

// "a, b, c": the names an unknown-name error lists.
std::string joinedNames(const std::vector<std::string> &names);


// The `steps + 1` sigmas of `scheduler` (the last one 0), rounded to float32 as ComfyUI's are. Throws
// std::invalid_argument for an unknown scheduler or steps < 1.
std::vector<double> scheduleSigmas(const DiscreteSchedule &schedule, const std::string &scheduler, int steps);

// img2img: the schedule for int(steps / denoise) steps, keeping its last steps + 1 values (ComfyUI's rule).
std::vector<double> scheduleSigmas(const DiscreteSchedule &schedule, const std::string &scheduler, int steps,
                                   double denoise);

} // namespace atelier::engine
