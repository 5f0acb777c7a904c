// A full-size SD 1.5 UNet call on the CPU with random weights: batch 2 (classifier-free guidance), 512x512
// (a 64x64 latent), fp32. Prints seconds per call, minor page faults per call and the process's peak memory, so
// that a script can compare runs with and without the engine's CPU buffer cache and with glibc's thresholds
// raised by environment (core/engine/bench/cpu_runs.sh).
//
//   atelier_cpu_unet_bench [--calls N] [--size PIXELS] [--no-buffer-cache]
#include "core/engine/device/cpu_buffer_cache.h"
#include "core/engine/nets/unet.h"

#include <torch/torch.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace atelier::engine;

namespace {

long minorFaults()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

double peakMegabytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

} // namespace

int main(int argc, char **argv)
{
    int calls = 2;
    std::int64_t size = 512;
    bool bufferCache = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--calls" && i + 1 < argc)
            calls = std::max(1, std::stoi(argv[++i]));
        else if (arg == "--size" && i + 1 < argc)
            size = std::stoll(argv[++i]);
        else if (arg == "--no-buffer-cache")
            bufferCache = false;
    }
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    UNetModel unet(UNetConfig{}); // the defaults are SD 1.5's
    initializeRandomly(*unet);
    unet->eval();
    const std::int64_t latent = size / 8;
    const torch::Tensor x = torch::randn({2, 4, latent, latent});
    const torch::Tensor t = torch::full({2}, 500.0);
    const torch::Tensor context = torch::randn({2, 77, 768});

    std::unique_ptr<CpuBufferCacheScope> scope;
    if (bufferCache)
        scope = std::make_unique<CpuBufferCacheScope>();
    unet->forward(x, t, context); // warm-up: the first call's buffers are new either way
    std::vector<double> seconds;
    const long faultsBefore = minorFaults();
    for (int call = 0; call < calls; ++call) {
        const auto start = std::chrono::steady_clock::now();
        unet->forward(x, t, context);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const long faults = (minorFaults() - faultsBefore) / calls;
    std::sort(seconds.begin(), seconds.end());
    std::printf("SD1.5 UNet %lldx%lld batch 2 fp32, buffer cache %s: %.2f s per call (median of %d), %ld page faults "
                "per call, peak %.0f MB\n",
                static_cast<long long>(size), static_cast<long long>(size), bufferCache ? "on" : "off",
                seconds[seconds.size() / 2], calls, faults, peakMegabytes());
    return 0;
}
