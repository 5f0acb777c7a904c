// LoRA patching on a full-size SD 1.5 model: how long applying and removing a rank-32 LoRA takes, against reloading
// the checkpoint in the same run, and how much memory patching needs beyond the loaded model.
// Builds without Qt. Usage: atelier_lora_bench --folder DIR [--rank 32] [--out FILE]
// The folder receives a random SD 1.5 checkpoint (2 GB, float16) and a LoRA; both are written once and reused.
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/pipeline/stable_diffusion.h"
#include "core/engine/tools/process_memory.h"
#include "core/engine/tools/random_checkpoint.h"
#include "core/engine/tools/report.h"

#include <torch/torch.h>

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
void writeLora(const std::string &path, int rank)
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
    UNetModel unet{UNetConfig()};
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
        const std::string &name = item.key();
        if (name.find(".encoder.layers.") != std::string::npos && item.value().dim() == 2)
            add("lora_te_" + underscored(name.substr(0, name.size() - 7)), item.value());
    }
    writeSafetensors(path, tensors);
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

int main(int argc, char **argv)
{
    std::string folder, outPath;
    int rank = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--folder")
            folder = argv[i + 1];
        else if (arg == "--rank")
            rank = std::stoi(argv[i + 1]);
        else if (arg == "--out")
            outPath = argv[i + 1];
    }
    if (folder.empty()) {
        std::cerr << "usage: atelier_lora_bench --folder DIR [--rank N] [--out FILE]\n";
        return 2;
    }
    torch::manual_seed(0);
    const std::string checkpoint = folder + "/random-sd15.safetensors";
    const std::string lora = folder + "/random-sd15-lora-r" + std::to_string(rank) + ".safetensors";
    if (!std::filesystem::exists(checkpoint))
        writeFullSizeCheckpoint(checkpoint);
    if (!std::filesystem::exists(lora))
        writeLora(lora, rank);
    const double checkpointBytes = double(std::filesystem::file_size(checkpoint));
    say(format("checkpoint %.0f MiB (float16), LoRA %.1f MiB (rank ", megabytes(checkpointBytes),
               megabytes(double(std::filesystem::file_size(lora)))) +
        std::to_string(rank) + ", kohya layout); CPU, float32 weights, " + std::to_string(torch::get_num_threads()) +
        " threads");

    LoadOptions options;
    options.path = checkpoint;
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<StableDiffusion> model = StableDiffusion::load(options);
    const double firstLoad = seconds(start);
    // The baseline: what a change of LoRA costs where the checkpoint is loaded again.
    model.reset();
    start = std::chrono::steady_clock::now();
    model = StableDiffusion::load(options);
    const double reload = seconds(start);
    say(format("load: %.2f s (first), reload: %.2f s", firstLoad, reload));

    const double residentBefore = statusBytes("VmRSS"), anonymousBefore = statusBytes("RssAnon");
    say(format("after loading: resident %.0f MiB (anonymous %.0f MiB, file pages %.0f MiB)", megabytes(residentBefore),
               megabytes(anonymousBefore), megabytes(statusBytes("RssFile"))));
    for (int round = 0; round < 3; ++round) {
        resetPeak();
        const double base = statusBytes("VmRSS");
        start = std::chrono::steady_clock::now();
        const auto reports = model->applyLoras({{lora, 0.8, 0.8}});
        const double patch = seconds(start);
        const double peakPatch = statusBytes("VmHWM") - base;
        resetPeak();
        start = std::chrono::steady_clock::now();
        model->applyLoras({});
        const double unpatch = seconds(start);
        const double peakUnpatch = statusBytes("VmHWM") - base;
        const double peak = std::max(peakPatch, peakUnpatch);
        say(format("round %.0f: patch %.3f s (%.1f %% of a reload), ", round + 1, patch, 100.0 * patch / reload) +
            format("unpatch %.3f s; peak resident memory above the loaded model %.0f MiB = %.1f %% of the checkpoint's "
                   "size",
                   unpatch, megabytes(peak), 100.0 * peak / checkpointBytes) +
            " (" + std::to_string(reports[0].unetWeights) + " UNet and " + std::to_string(reports[0].textWeights) +
            " text-encoder weights)");
    }
    say(format("after the rounds: resident %.0f MiB (anonymous %.0f MiB)", megabytes(statusBytes("VmRSS")),
               megabytes(statusBytes("RssAnon"))));
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return 0;
}
