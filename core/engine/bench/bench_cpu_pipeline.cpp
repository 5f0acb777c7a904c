// A txt2img run measured the way ../shared/bench/cpu_peer.py measures diffusers: the model loaded once, one
// untimed 64x64 one-step run, then the timed run (Euler, CFG 7, the prompt "x" against an empty negative prompt).
// Prints seconds, the run's minor page faults and the process's peak memory, so that cpu_runs.sh can set warm runs
// side by side; `atelier generate`, which loads and runs once, gives the cold figure.
//
//   atelier_cpu_pipeline_bench MODEL SIZE STEPS
#include "core/engine/device/cpu_buffer_cache.h"
#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/pipeline/stable_diffusion.h"

#include <torch/torch.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

using namespace atelier::engine;

namespace {

rusage usageNow()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage;
}

SamplingParams runOf(int size, int steps)
{
    SamplingParams params;
    params.prompt = "x";
    params.negative = "";
    params.sampler = "euler";
    params.scheduler = "normal";
    params.cfg = 7.0;
    params.seed = 1;
    params.steps = steps;
    params.width = size;
    params.height = size;
    return params;
}

// One run as engine::generate makes it: with the run's CPU buffer cache.
void run(StableDiffusion &model, const SamplingParams &params)
{
    const CpuBufferCacheScope reuseBuffers;
    generateImages(model, params);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL SIZE STEPS\n", argv[0]);
        return 2;
    }
    const int size = std::stoi(argv[2]), steps = std::stoi(argv[3]);
    LoadOptions options;
    options.path = argv[1];
    const std::unique_ptr<StableDiffusion> model = StableDiffusion::load(options);
    run(*model, runOf(64, 1)); // warm-up, as the peer does

    const long faultsBefore = usageNow().ru_minflt;
    const auto start = std::chrono::steady_clock::now();
    run(*model, runOf(size, steps));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const rusage after = usageNow();
    std::printf("atelier %dx%d %d steps: %.2f s, %ld page faults, peak %ld KB\n", size, size, steps, seconds,
                after.ru_minflt - faultsBefore, after.ru_maxrss);
    return 0;
}
