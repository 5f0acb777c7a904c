// The model cache on a GPU, with full-size random checkpoints: moving the SD 1.5 and SDXL UNets (float16) from RAM
// to VRAM and back against a plain copy of the same bytes from pinned and from pageable memory; switching between
// two checkpoints under a VRAM budget that holds one (each switch offloads one to RAM and moves the other back)
// against loading from disk; and a UNet call with the UNet loaded partially against one that fits.
// Builds without Qt. Usage: atelier_device_cache_bench --folder DIR [--switches 10] [--no-sdxl] [--out FILE]
#include "core/engine/cache/cached_loads.h"
#include "core/engine/tools/random_checkpoint.h"
#include "core/engine/tools/report.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace atelier::engine;

namespace {

const torch::Device kGpu("cuda");

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Seconds `work` takes, the GPU finished.
template <typename Work> double timed(const Work &work)
{
    torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    work();
    torch::cuda::synchronize();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double gigabytesPerSecond(std::int64_t bytes, double seconds)
{
    return double(bytes) / seconds / 1e9;
}

void moveAgainstCopy(const std::string &name, const std::string &path)
{
    LoadOptions options;
    options.path = path;
    const CheckpointParts parts = readCheckpoint(options);
    const std::shared_ptr<UNetComponent> unet = loadUNet(parts, torch::kCPU, torch::kFloat16);
    const std::vector<torch::nn::Module *> networks{unet->network.get()};
    const std::int64_t bytes = parameterBytes(*unet->network);
    std::vector<double> up, down;
    for (int round = 0; round < 4; ++round) {
        up.push_back(timed([&] { placeNetworks(networks, "cuda", kAllOnDevice); }));
        down.push_back(timed([&] { placeNetworks(networks, "cpu", kAllOnDevice); }));
    }
    // Rounds after the first: the file's pages are read once, in the first.
    up.erase(up.begin());
    down.erase(down.begin());
    const auto byteOptions = torch::TensorOptions().dtype(torch::kUInt8);
    torch::Tensor onGpu = torch::empty({bytes}, byteOptions.device(kGpu));
    const torch::Tensor pinned = torch::ones({bytes}, byteOptions).pin_memory();
    const torch::Tensor pageable = torch::ones({bytes}, byteOptions);
    std::vector<double> fromPinned, fromPageable;
    for (int round = 0; round < 3; ++round) {
        fromPinned.push_back(timed([&] { onGpu.copy_(pinned, true); }));
        fromPageable.push_back(timed([&] { onGpu.copy_(pageable); }));
    }
    say(name +
        format(" UNet (%.2f GiB float16, %.0f tensors): ", double(bytes) / double(1 << 30),
               double(unet->network->parameters().size())) +
        format("RAM to VRAM %.1f ms = %.1f GB/s, back %.1f ms", median(up) * 1e3, gigabytesPerSecond(bytes, median(up)),
               median(down) * 1e3) +
        format("; one copy of the same bytes from pinned memory %.1f ms = %.1f GB/s, from pageable memory %.1f ms = "
               "%.1f GB/s",
               median(fromPinned) * 1e3, gigabytesPerSecond(bytes, median(fromPinned)), median(fromPageable) * 1e3,
               gigabytesPerSecond(bytes, median(fromPageable))) +
        format("; the move reaches %.0f %% of the pinned copy's rate", 100.0 * median(fromPinned) / median(up)));
}

LoadOptions onGpu(const std::string &path)
{
    LoadOptions options;
    options.path = path;
    options.device = kGpu;
    options.dtype = torch::kFloat16;
    return options;
}

std::int64_t heldOnGpu()
{
    const CacheSnapshot snapshot = ModelCache::shared().snapshot();
    const auto found = snapshot.heldBytes.find("cuda");
    return found == snapshot.heldBytes.end() ? 0 : found->second;
}

void switchUnderOneModelBudget(const std::string &name, const std::string &a, const std::string &b, int switches)
{
    ModelCache &cache = ModelCache::shared();
    cache.unloadAll();
    cache.setBudgets({});
    const double fromDiskA = timed([&] { loadModelCached(onGpu(a)); });
    const std::int64_t oneModel = heldOnGpu();
    cache.unloadAll();
    // Room for one model and a tenth of another: the switch has to offload.
    cache.setBudgets({0, oneModel + oneModel / 10});
    timed([&] { loadModelCached(onGpu(a)); });
    LoadReport report;
    const double fromDiskB = timed([&] { loadModelCached(onGpu(b), &report); });
    std::vector<double> times;
    for (int i = 0; i < switches; ++i) {
        report.clear();
        times.push_back(timed([&] { loadModelCached(onGpu(i % 2 ? b : a), &report); }));
    }
    const CacheSnapshot snapshot = cache.snapshot();
    say(name +
        format(": a model is %.2f GiB on the GPU; loading from disk %.2f s and %.2f s; ",
               double(oneModel) / double(1 << 30), fromDiskA, fromDiskB) +
        format("%.0f switches under a VRAM budget of one model: median %.3f s (%.1f %% of a load from disk), ",
               switches, median(times), 100.0 * median(times) / std::min(fromDiskA, fromDiskB)) +
        std::to_string(snapshot.offloads) + " offloads, " + std::to_string(snapshot.reloads) + " moves back, " +
        std::to_string(snapshot.loads) + " loads from disk");
    for (const std::string &line : report)
        say("  last switch: " + line);
    cache.unloadAll();
    cache.setBudgets({});
}

// UNet calls (batch 2 with guidance, float16) at the family's size.
double unetCallMs(StableDiffusion &model, std::int64_t latentSize)
{
    const ModelArchitecture &architecture = model.architecture();
    const auto options = torch::TensorOptions().device(kGpu).dtype(torch::kFloat16);
    const torch::Tensor x = torch::randn({2, 4, latentSize, latentSize}, options);
    const torch::Tensor t = torch::full({2}, 500.0, options.dtype(torch::kFloat32));
    const torch::Tensor context = torch::randn({2, 77, architecture.unet.contextDim}, options);
    const torch::Tensor y = architecture.unet.admInChannels > 0
                                ? torch::randn({2, architecture.unet.admInChannels}, options)
                                : torch::Tensor();
    for (int i = 0; i < 3; ++i)
        model.unetForward(x, t, context, y);
    std::vector<double> times;
    for (int i = 0; i < 10; ++i)
        times.push_back(timed([&] { model.unetForward(x, t, context, y); }) * 1e3);
    return median(times);
}

void partialAgainstFitting(const std::string &name, const std::string &path, std::int64_t latentSize)
{
    ModelCache &cache = ModelCache::shared();
    cache.unloadAll();
    cache.setBudgets({});
    double fits = 0, partial = 0;
    std::int64_t unetBytes = 0, whole = 0;
    {
        const auto model = loadModelCached(onGpu(path));
        unetBytes = parameterBytes(*model->unet().network);
        whole = heldOnGpu();
        fits = unetCallMs(*model, latentSize);
    }
    cache.unloadAll();
    cache.setBudgets({0, whole - unetBytes / 2});
    LoadReport report;
    {
        const auto model = loadModelCached(onGpu(path), &report);
        partial = unetCallMs(*model, latentSize);
    }
    say(name +
        format(" UNet call, %.0fx%.0f batch 2 float16: %.1f ms with the model on the GPU (CUDA graph), ",
               double(latentSize * 8), double(latentSize * 8), fits) +
        format("%.1f ms with half the UNet left in RAM (%.1fx)", partial, partial / fits));
    for (const std::string &line : report)
        say("  " + line);
    cache.unloadAll();
    cache.setBudgets({});
}

} // namespace

int main(int argc, char **argv)
{
    const CacheBenchArguments arguments = cacheBenchArguments(argc, argv, 10);
    const std::string &folder = arguments.folder, &outPath = arguments.outPath;
    const int switches = arguments.switches;
    const bool sdxl = arguments.sdxl;
    if (folder.empty() || !torch::cuda::is_available()) {
        std::cerr << "usage: atelier_device_cache_bench --folder DIR [--switches 10] [--no-sdxl] [--out FILE] "
                     "(on a machine with a CUDA GPU)\n";
        return 2;
    }
    const RandomCheckpoints files = randomCheckpointsIn(folder, sdxl ? 2 : 0);
    try {
        moveAgainstCopy("SD 1.5", files.sd15);
        if (sdxl)
            moveAgainstCopy("SDXL", files.sdxl);
        switchUnderOneModelBudget("SD 1.5", files.sd15, files.sd15b, switches);
        if (sdxl)
            switchUnderOneModelBudget("SDXL", files.sdxl, files.sdxlB, switches);
        partialAgainstFitting("SD 1.5", files.sd15, 64);
        if (sdxl)
            partialAgainstFitting("SDXL", files.sdxl, 128);
    } catch (const std::exception &error) {
        say(std::string("error: ") + error.what());
        if (!outPath.empty())
            std::ofstream(outPath) << reportBuffer().str();
        return 1;
    }
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return 0;
}
