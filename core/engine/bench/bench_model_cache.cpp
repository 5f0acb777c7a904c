// The model load service's cache on the CPU with full-size random checkpoints: a first load from disk against a hit
// from RAM (SD 1.5 and SDXL), and 50 switches between two SD 1.5 checkpoints under a RAM budget that holds one,
// with the resident memory after each.
// Builds without Qt. Usage: atelier_model_cache_bench --folder DIR [--switches 50] [--no-sdxl] [--out FILE]
// The folder receives random-sd15.safetensors, random-sd15-b.safetensors (2 GB each) and random-sdxl.safetensors
// (6.9 GB), written once and reused.
#include "core/engine/cache/cached_loads.h"
#include "core/engine/tools/process_memory.h"
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

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double timedLoad(const std::string &path, std::int64_t *bytes = nullptr)
{
    LoadOptions options;
    options.path = path;
    const auto start = std::chrono::steady_clock::now();
    const std::unique_ptr<StableDiffusion> model = loadModelCached(options);
    const double seconds = secondsSince(start);
    if (bytes)
        *bytes = parameterBytes(*model->textEncoder().network) +
                 (model->textEncoder().network2 ? parameterBytes(*model->textEncoder().network2) : 0) +
                 parameterBytes(*model->unet().network) + parameterBytes(*model->vae().network);
    return seconds;
}

void loadAgainstHit(const std::string &name, const std::string &path)
{
    ModelCache::shared().setBudgets({});
    ModelCache::shared().unloadAll();
    std::int64_t bytes = 0;
    const double load = timedLoad(path, &bytes);
    std::vector<double> hits;
    for (int i = 0; i < 5; ++i)
        hits.push_back(timedLoad(path));
    std::sort(hits.begin(), hits.end());
    const double hit = hits[hits.size() / 2];
    say(name + format(": %.0f MiB float32; load from disk %.2f s, hit from RAM %.2f ms (median of 5) = %.4f %% of the "
                      "load",
                      megabytes(double(bytes)), load, hit * 1000.0, 100.0 * hit / load));
    ModelCache::shared().unloadAll();
}

} // namespace

int main(int argc, char **argv)
{
    const CacheBenchArguments arguments = cacheBenchArguments(argc, argv, 50);
    const std::string &folder = arguments.folder, &outPath = arguments.outPath;
    const int switches = arguments.switches;
    const bool sdxl = arguments.sdxl;
    if (folder.empty()) {
        std::cerr << "usage: atelier_model_cache_bench --folder DIR [--switches 50] [--no-sdxl] [--out FILE]\n";
        return 2;
    }
    const RandomCheckpoints files = randomCheckpointsIn(folder, sdxl ? 1 : 0);
    const std::string &sd15 = files.sd15, &sd15b = files.sd15b, &sdxlPath = files.sdxl;
    say("CPU, " + std::to_string(torch::get_num_threads()) +
        " threads; random full-size checkpoints (float16 files, "
        "loaded as float32)");

    loadAgainstHit("SD 1.5", sd15);
    if (sdxl)
        loadAgainstHit("SDXL", sdxlPath);

    // Switching under a budget that holds one model: each switch evicts the other and loads from disk.
    std::int64_t oneModel = 0;
    timedLoad(sd15, &oneModel);
    ModelCache::shared().unloadAll();
    ModelCache::shared().setBudgets({oneModel, 0});
    std::vector<double> resident;
    double switching = 0;
    for (int i = 0; i < switches; ++i) {
        switching += timedLoad(i % 2 ? sd15b : sd15);
        resident.push_back(statusBytes("VmRSS"));
    }
    const CacheSnapshot snapshot = ModelCache::shared().snapshot();
    const auto settled = resident.begin() + std::min<std::ptrdiff_t>(2, std::ptrdiff_t(resident.size()));
    const auto [low, high] = std::minmax_element(settled, resident.end());
    say(format("%.0f switches under a budget of one model (%.0f MiB): %.2f s each; ", switches,
               megabytes(double(oneModel)), switching / switches) +
        format("resident after the 2nd %.0f MiB, after the last %.0f MiB (range %.0f MiB from the 3rd on); ",
               megabytes(resident.size() > 1 ? resident[1] : 0), megabytes(resident.back()),
               megabytes(settled == resident.end() ? 0 : *high - *low)) +
        std::to_string(snapshot.evictions) + " evictions, " + std::to_string(snapshot.loads) + " loads");
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return 0;
}
