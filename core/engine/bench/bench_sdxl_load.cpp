// Loading a full-size SDXL checkpoint on the CPU: peak resident memory as a ratio to the file's size, when the
// float16 weights are mapped from the file (a float16 target) and when they are converted (float32).
// Builds without Qt. Usage: atelier_sdxl_load_bench --folder DIR [--out FILE]
// The folder receives a random SDXL 1.0 base checkpoint (about 6.9 GB, float16), written once and reused. Each load
// runs in a process of its own, forked before any libtorch work, so that one measure never inherits another's pages.
#include "core/engine/pipeline/model_components.h"
#include "core/engine/pipeline/stable_diffusion.h"
#include "core/engine/tools/process_memory.h"
#include "core/engine/tools/random_checkpoint.h"
#include "core/engine/tools/report.h"

#include <torch/torch.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace atelier::engine;

namespace {

// Runs `work` in a child process; false when it failed. Its report lines are appended to `outPath`.
bool inChild(const std::function<void()> &work, const std::string &outPath)
{
    const pid_t child = fork();
    if (child == 0) {
        int code = 0;
        try {
            work();
        } catch (const std::exception &error) {
            std::cerr << "failed: " << error.what() << "\n";
            code = 1;
        }
        if (!outPath.empty())
            std::ofstream(outPath, std::ios::app) << reportBuffer().str();
        std::cout.flush();
        _exit(code);
    }
    int status = 0;
    return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Reads one byte of every page of every weight, as a first run would: mapped pages become resident here.
void touchEveryPage(const std::vector<const torch::nn::Module *> &networks)
{
    std::uint64_t sum = 0;
    for (const torch::nn::Module *network : networks)
        for (const torch::Tensor &weight : network->parameters()) {
            const auto *bytes = static_cast<const volatile unsigned char *>(weight.storage().data());
            const std::size_t size = weight.storage().nbytes();
            for (std::size_t at = 0; at < size; at += 4096)
                sum += bytes[at];
        }
    if (sum == 1) // keeps the reads
        std::cout << ' ';
}

// Loads with `load` (which returns the loaded networks, kept alive by `keep`) and reports the peak resident memory
// it took, then the peak once every weight has been read.
void measureLoad(const std::string &checkpoint, const std::string &label,
                 const std::function<std::vector<const torch::nn::Module *>(std::shared_ptr<void> &keep)> &load)
{
    const double fileBytes = double(std::filesystem::file_size(checkpoint));
    resetPeak();
    const double before = statusBytes("VmRSS");
    std::shared_ptr<void> keep;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<const torch::nn::Module *> networks = load(keep);
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double loadPeak = statusBytes("VmHWM") - before;
    say(label + format(": loaded in %.1f s; peak resident %.0f MiB above the process's %.0f MiB = %.3f x the file",
                       loadSeconds, megabytes(loadPeak), megabytes(before), loadPeak / fileBytes));
    say(format("    after loading: anonymous %.0f MiB, file pages %.0f MiB", megabytes(statusBytes("RssAnon")),
               megabytes(statusBytes("RssFile"))));
    touchEveryPage(networks);
    const double touchedPeak = statusBytes("VmHWM") - before;
    say(format("    every weight's pages read: peak resident %.0f MiB = %.3f x the file (anonymous %.0f MiB, file "
               "pages %.0f MiB)",
               megabytes(touchedPeak), touchedPeak / fileBytes, megabytes(statusBytes("RssAnon")),
               megabytes(statusBytes("RssFile"))));
}

// The components at a float16 target, as a CUDA load makes them before the upload (float16 needs a CUDA device to
// run, so the CPU stops here): the text encoders and UNet as the file stores them, the VAE in bfloat16.
std::vector<const torch::nn::Module *> loadComponentsAtFloat16(const std::string &checkpoint,
                                                               std::shared_ptr<void> &keep)
{
    LoadOptions options;
    options.path = checkpoint;
    const CheckpointParts parts = readCheckpoint(options);
    struct Components
    {
        std::shared_ptr<TextEncoderComponent> text;
        std::shared_ptr<UNetComponent> unet;
        std::shared_ptr<VaeComponent> vae;
    };
    auto components = std::make_shared<Components>();
    components->text = loadTextEncoder(parts, torch::kCPU, torch::kFloat16);
    components->unet = loadUNet(parts, torch::kCPU, torch::kFloat16);
    components->vae = loadVae(parts, torch::kCPU, torch::kBFloat16);
    keep = components;
    return {components->text->network.get(), components->text->network2.get(), components->unet->network.get(),
            components->vae->network.get()};
}

// The whole model at float32 on the CPU, as `generate` loads it there.
std::vector<const torch::nn::Module *> loadModelAtFloat32(const std::string &checkpoint, std::shared_ptr<void> &keep)
{
    LoadOptions options;
    options.path = checkpoint;
    std::shared_ptr<StableDiffusion> model = StableDiffusion::load(options);
    keep = model;
    return {model->textEncoder().network.get(), model->textEncoder().network2.get(), model->unet().network.get(),
            model->vae().network.get()};
}

} // namespace

int main(int argc, char **argv)
{
    std::string folder, outPath;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--folder")
            folder = argv[i + 1];
        else if (arg == "--out")
            outPath = argv[i + 1];
    }
    if (folder.empty()) {
        std::cerr << "usage: atelier_sdxl_load_bench --folder DIR [--out FILE]\n";
        return 2;
    }
    if (!outPath.empty())
        std::ofstream(outPath, std::ios::trunc);
    const std::string checkpoint = folder + "/random-sdxl.safetensors";
    if (!std::filesystem::exists(checkpoint) && !inChild([&] { writeFullSizeSdxlCheckpoint(checkpoint); }, {})) {
        std::cerr << "the random SDXL checkpoint could not be written\n";
        return 1;
    }
    const double fileBytes = double(std::filesystem::file_size(checkpoint));
    say(format("random SDXL 1.0 base checkpoint: %.0f MiB (float16, SGM single-file layout); CPU",
               megabytes(fileBytes)));
    bool ok = inChild(
        [&] {
            measureLoad(checkpoint, "float16 target (weights mapped from the file)",
                        [&](std::shared_ptr<void> &keep) { return loadComponentsAtFloat16(checkpoint, keep); });
        },
        outPath);
    ok = inChild(
             [&] {
                 measureLoad(checkpoint, "float32 target (weights converted, as on the CPU)",
                             [&](std::shared_ptr<void> &keep) { return loadModelAtFloat32(checkpoint, keep); });
             },
             outPath) &&
         ok;
    return ok ? 0 : 1;
}
