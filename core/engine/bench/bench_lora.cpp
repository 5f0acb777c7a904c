// LoRA patching on a full-size model: how long applying and removing a rank-32 LoRA takes, against reloading the
// checkpoint in the same run, and how much memory patching needs beyond the loaded model. On a GPU (--device cuda,
// float16), also the UNet call's time with the LoRA on against without it, both replayed as CUDA graphs.
// Builds without Qt. Usage: atelier_lora_bench --folder DIR [--family sd15|sdxl] [--device cpu|cuda] [--rank 32]
// [--out FILE]. The folder receives a random checkpoint (SD 1.5: 2 GB, SDXL: 6.9 GB, float16) and a LoRA; both are
// written once and reused. The SD 1.5 LoRA covers the UNet and the text encoder, the SDXL one the UNet (as kohya's
// SDXL trainer does by default).
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/pipeline/stable_diffusion.h"
#include "core/engine/tools/process_memory.h"
#include "core/engine/tools/random_checkpoint.h"
#include "core/engine/tools/report.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

using namespace atelier::engine;

namespace {

// A kohya-format LoRA of `rank` on every layer kohya's default network trains: the UNet transformers' attention
// projections, feed-forward and proj_in/proj_out, and the text encoder's attention and MLP. Random float16 weights.
void writeLora(const std::string &path, int rank, bool sdxl)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> tensors;
    const auto add = [&](const std::string &key, const torch::Tensor &weight) {
        const std::int64_t out = weight.size(0);
        const std::int64_t in = weight.numel() / out;
        std::vector<std::int64_t> downShape{rank, in}, upShape{out, rank};
        if (weight.dim() == 4) {
            downShape = {rank, weight.size(1), weight.size(2), weight.size(3)};
            upShape = {out, rank, 1, 1};
        }
        tensors.emplace(key + ".lora_down.weight", (torch::randn(downShape) * 0.01).to(torch::kFloat16));
        tensors.emplace(key + ".lora_up.weight", (torch::randn(upShape) * 0.01).to(torch::kFloat16));
        tensors.emplace(key + ".alpha", torch::tensor(float(rank)).to(torch::kFloat16));
    };
    const auto underscored = [](std::string name) {
        for (char &c : name)
            if (c == '.')
                c = '_';
        return name;
    };
    UNetModel unet{sdxl ? sdxlUNetConfig() : UNetConfig()};
    for (const auto &item : unet->named_parameters()) {
        const std::string &name = item.key();
        const bool targeted = name.find(".transformer_blocks.") != std::string::npos ||
                              name.find(".proj_in.") != std::string::npos ||
                              name.find(".proj_out.") != std::string::npos;
        if (targeted && name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0 && item.value().dim() >= 2)
            add("lora_unet_" + underscored(name.substr(0, name.size() - 7)), item.value());
    }
    ClipTextModel text{ClipTextConfig()};
    for (const auto &item : text->named_parameters()) {
        if (sdxl)
            break;
        const std::string &name = item.key();
        if (name.find(".encoder.layers.") != std::string::npos && item.value().dim() == 2)
            add("lora_te_" + underscored(name.substr(0, name.size() - 7)), item.value());
    }
    writeSafetensors(path, tensors);
}

void synchronize(const torch::Device &device)
{
    if (device.is_cuda())
        torch::cuda::synchronize();
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Milliseconds of one UNet call at the family's size, batch 2 (guidance), the median of 20 after 3 warm-up calls.
double unetCallMilliseconds(StableDiffusion &model, bool sdxl, const torch::Device &device)
{
    torch::NoGradGuard noGrad;
    const std::int64_t side = sdxl ? 128 : 64;
    const torch::Tensor x = torch::randn({2, 4, side, side});
    const torch::Tensor t = torch::full({2}, 500.0f);
    const torch::Tensor context = torch::randn({2, 77, sdxl ? 2048 : 768});
    const torch::Tensor y = sdxl ? torch::randn({2, 2816}) : torch::Tensor();
    for (int i = 0; i < 3; ++i)
        model.unetForward(x, t, context, y);
    synchronize(device);
    std::vector<double> times;
    for (int i = 0; i < 20; ++i) {
        const auto start = std::chrono::steady_clock::now();
        model.unetForward(x, t, context, y);
        synchronize(device);
        times.push_back(1000.0 * seconds(start));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    std::string folder, outPath, family = "sd15";
    torch::Device device = torch::kCPU;
    int rank = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--folder")
            folder = argv[i + 1];
        else if (arg == "--rank")
            rank = std::stoi(argv[i + 1]);
        else if (arg == "--out")
            outPath = argv[i + 1];
        else if (arg == "--family")
            family = argv[i + 1];
        else if (arg == "--device")
            device = torch::Device(argv[i + 1]);
    }
    if (folder.empty() || (family != "sd15" && family != "sdxl")) {
        std::cerr << "usage: atelier_lora_bench --folder DIR [--family sd15|sdxl] [--device cpu|cuda] [--rank N] "
                     "[--out FILE]\n";
        return 2;
    }
    const bool sdxl = family == "sdxl";
    torch::manual_seed(0);
    const std::string checkpoint = folder + (sdxl ? "/random-sdxl.safetensors" : "/random-sd15.safetensors");
    const std::string lora = folder + "/random-" + family + "-lora-r" + std::to_string(rank) + ".safetensors";
    if (!std::filesystem::exists(checkpoint))
        sdxl ? writeFullSizeSdxlCheckpoint(checkpoint) : writeFullSizeCheckpoint(checkpoint);
    if (!std::filesystem::exists(lora))
        writeLora(lora, rank, sdxl);
    const double checkpointBytes = double(std::filesystem::file_size(checkpoint));
    const torch::ScalarType dtype = device.is_cuda() ? torch::kFloat16 : torch::kFloat32;
    say(std::string(sdxl ? "SDXL" : "SD 1.5") +
        format(" checkpoint %.0f MiB (float16), LoRA %.1f MiB (rank ", megabytes(checkpointBytes),
               megabytes(double(std::filesystem::file_size(lora)))) +
        std::to_string(rank) + ", kohya layout); " + device.str() + ", " + c10::toString(dtype) + " weights, " +
        std::to_string(torch::get_num_threads()) + " threads");

    LoadOptions options;
    options.path = checkpoint;
    options.device = device;
    options.dtype = dtype;
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<StableDiffusion> model = StableDiffusion::load(options);
    synchronize(device);
    const double firstLoad = seconds(start);
    // The baseline: what a change of LoRA costs where the checkpoint is loaded again.
    model.reset();
    start = std::chrono::steady_clock::now();
    model = StableDiffusion::load(options);
    synchronize(device);
    const double reload = seconds(start);
    say(format("load: %.2f s (first), reload: %.2f s", firstLoad, reload));

    const double residentBefore = statusBytes("VmRSS"), anonymousBefore = statusBytes("RssAnon");
    say(format("after loading: resident %.0f MiB (anonymous %.0f MiB, file pages %.0f MiB)", megabytes(residentBefore),
               megabytes(anonymousBefore), megabytes(statusBytes("RssFile"))));
    const double callWithout = device.is_cuda() ? unetCallMilliseconds(*model, sdxl, device) : 0.0;
    double callWith = 0.0;
    for (int round = 0; round < 3; ++round) {
        resetPeak();
        const double base = statusBytes("VmRSS");
        start = std::chrono::steady_clock::now();
        const auto reports = model->applyLoras({{lora, 0.8, 0.8}});
        synchronize(device);
        const double patch = seconds(start);
        const double peakPatch = statusBytes("VmHWM") - base;
        if (device.is_cuda() && round == 0)
            callWith = unetCallMilliseconds(*model, sdxl, device);
        resetPeak();
        start = std::chrono::steady_clock::now();
        model->applyLoras({});
        synchronize(device);
        const double unpatch = seconds(start);
        const double peakUnpatch = statusBytes("VmHWM") - base;
        const double peak = std::max(peakPatch, peakUnpatch);
        say(format("round %.0f: patch %.1f ms (%.1f %% of a reload), ", round + 1, 1000.0 * patch,
                   100.0 * patch / reload) +
            format("unpatch %.1f ms; peak resident memory above the loaded model %.0f MiB = %.1f %% of the "
                   "checkpoint's size",
                   1000.0 * unpatch, megabytes(peak), 100.0 * peak / checkpointBytes) +
            " (" + std::to_string(reports[0].unetWeights) + " UNet and " + std::to_string(reports[0].textWeights) +
            " text-encoder weights)");
    }
    if (device.is_cuda())
        say(format("UNet call, batch 2, CUDA graph: %.2f ms without the LoRA, %.2f ms with it (%.1f %%)", callWithout,
                   callWith, 100.0 * callWith / callWithout));
    say(format("after the rounds: resident %.0f MiB (anonymous %.0f MiB)", megabytes(statusBytes("VmRSS")),
               megabytes(statusBytes("RssAnon"))));
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return 0;
}
