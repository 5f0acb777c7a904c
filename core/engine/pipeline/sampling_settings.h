#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace atelier::engine {

// How a sampler runs: what ComfyUI's KSampler takes besides the model, the conditionings and the latent.
//
// A front end may leave steps, cfg, the sampler, the scheduler and the size to the model family (steps, width and
// height 0, cfg NaN, names empty): Stable Diffusion then takes 20 steps, cfg 7, euler, normal and 512 pixels;
// aMUSEd 12 steps, guidance 10 and its transformer's own size (see withFamilyDefaults).
struct SamplerSettings
{
    std::uint64_t seed = 0;
    int steps = 20;
    double cfg = 7.0;
    std::string sampler = "euler";
    std::string scheduler = "normal";
    double denoise = 1.0;
};

// What a txt2img/img2img run is asked for, in plain types: shared by the libtorch-facing SamplingParams and the
// plain GenerationRequest, so that the two never drift apart.
struct SamplingSettings : SamplerSettings
{
    std::string prompt;
    std::string negative;
    int width = 512;
    int height = 512;
    int batch = 1;
    int clipSkip = 0;  // 0: the model family's default
};

// For a field a front end leaves to the model family.
constexpr double kCfgFromFamily = std::numeric_limits<double>::quiet_NaN();

// The family's defaults for what `settings` leaves unset.
inline SamplingSettings withFamilyDefaults(SamplingSettings settings, int steps, double cfg, const char *sampler,
                                           const char *scheduler, int side)
{
    if (settings.steps == 0)
        settings.steps = steps;
    if (std::isnan(settings.cfg))
        settings.cfg = cfg;
    if (settings.sampler.empty())
        settings.sampler = sampler;
    if (settings.scheduler.empty())
        settings.scheduler = scheduler;
    if (settings.width == 0)
        settings.width = side;
    if (settings.height == 0)
        settings.height = side;
    return settings;
}

} // namespace atelier::engine
