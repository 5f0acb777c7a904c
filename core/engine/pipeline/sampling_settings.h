#pragma once

#include <cstdint>
#include <string>

namespace atelier::engine {

// What a txt2img/img2img run is asked for, in plain types: shared by the libtorch-facing SamplingParams and the
// plain GenerationRequest, so that the two never drift apart.
struct SamplingSettings
{
    std::string prompt;
    std::string negative;
    std::uint64_t seed = 0;
    int steps = 20;
    double cfg = 7.0;
    std::string sampler = "euler";
    std::string scheduler = "normal";
    int width = 512;
    int height = 512;
    int batch = 1;
    double denoise = 1.0;
    int clipSkip = 0;  // 0: the model family's default
};

} // namespace atelier::engine
