#pragma once

#include <cstdint>
#include <string>

namespace atelier::engine {

// How a sampler runs: what ComfyUI's KSampler takes besides the model, the conditionings and the latent.
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

} // namespace atelier::engine
