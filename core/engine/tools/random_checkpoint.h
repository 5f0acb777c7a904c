#pragma once

// Full-size models of random weights, written as users' files are, for benchmarks and device checks: no model
// has to be downloaded, and the sizes are the real ones.
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/nets/clip_text.h"
#include "core/engine/nets/unet.h"
#include "core/engine/nets/vae.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace atelier::engine {

// An SD 1.5 checkpoint of random weights in the original layout, float16, as large as the real one (about 2 GB).
inline void writeFullSizeCheckpoint(const std::string &path)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> tensors;
    const auto add = [&](torch::nn::Module &module, const std::string &prefix) {
        initializeRandomly(module);
        for (const auto &item : module.named_parameters())
            tensors.emplace(prefix + item.key(), item.value().to(torch::kFloat16));
    };
    UNetModel unet{UNetConfig()};
    add(*unet, "model.diffusion_model.");
    AutoencoderKL vae{VaeConfig()};
    add(*vae, "first_stage_model.");
    ClipTextModel text{ClipTextConfig()};
    add(*text, "cond_stage_model.transformer.");
    writeSafetensors(path, tensors);
}

// SDXL 1.0 base's UNet: three levels, 2 and 10 transformer blocks on the lower two and 10 in the middle, 64
// channels per head, the 2048-wide context of both encoders and the 2816-wide `y` (pooled text and sizes).
inline UNetConfig sdxlUNetConfig()
{
    UNetConfig config;
    config.channelMult = {1, 2, 4};
    config.attentionAtLevel = {false, true, true};
    config.transformerDepthAtLevel = {0, 2, 10};
    config.transformerDepthMiddle = 10;
    config.admInChannels = 2816;
    config.contextDim = 2048;
    config.numHeads = -1;
    config.headChannels = 64;
    config.linearProjection = true;
    return config;
}

// An SDXL 1.0 base checkpoint of random weights in SGM's single-file layout (CLIP-L under
// conditioner.embedders.0, OpenCLIP-G in its own names under conditioner.embedders.1), float16, as large as the
// real one (about 6.9 GB). The tensors are drawn one at a time, in float16, so that writing takes about the file's
// size in memory.
inline void writeFullSizeSdxlCheckpoint(const std::string &path)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> tensors;
    const auto random = [](at::IntArrayRef shape) {
        const double bound = shape.size() > 1 ? 1.0 / std::sqrt(double(c10::multiply_integers(shape.slice(1)))) : 0.02;
        return torch::empty(shape, torch::kFloat16).uniform_(-bound, bound);
    };
    // The networks are built only for their parameters' names and shapes; their storage is never written.
    const auto add = [&](torch::nn::Module &module, const std::string &prefix) {
        for (const auto &item : module.named_parameters())
            tensors.emplace(prefix + item.key(), random(item.value().sizes()));
    };
    add(*UNetModel(sdxlUNetConfig()), "model.diffusion_model.");
    add(*AutoencoderKL(VaeConfig()), "first_stage_model.");
    add(*ClipTextModel(ClipTextConfig()), "conditioner.embedders.0.transformer.");
    const std::string g = "conditioner.embedders.1.model.";
    constexpr std::int64_t kWidth = 1280, kLayers = 32, kMlp = 5120;
    tensors.emplace(g + "token_embedding.weight", random({49408, kWidth}));
    tensors.emplace(g + "positional_embedding", random({77, kWidth}));
    tensors.emplace(g + "ln_final.weight", torch::ones({kWidth}, torch::kFloat16));
    tensors.emplace(g + "ln_final.bias", torch::zeros({kWidth}, torch::kFloat16));
    tensors.emplace(g + "text_projection", random({kWidth, kWidth}));
    for (std::int64_t layer = 0; layer < kLayers; ++layer) {
        const std::string block = g + "transformer.resblocks." + std::to_string(layer) + ".";
        tensors.emplace(block + "attn.in_proj_weight", random({3 * kWidth, kWidth}));
        tensors.emplace(block + "attn.in_proj_bias", random({3 * kWidth}));
        tensors.emplace(block + "attn.out_proj.weight", random({kWidth, kWidth}));
        tensors.emplace(block + "attn.out_proj.bias", random({kWidth}));
        for (const char *norm : {"ln_1.", "ln_2."}) {
            tensors.emplace(block + norm + "weight", torch::ones({kWidth}, torch::kFloat16));
            tensors.emplace(block + norm + "bias", torch::zeros({kWidth}, torch::kFloat16));
        }
        tensors.emplace(block + "mlp.c_fc.weight", random({kMlp, kWidth}));
        tensors.emplace(block + "mlp.c_fc.bias", random({kMlp}));
        tensors.emplace(block + "mlp.c_proj.weight", random({kWidth, kMlp}));
        tensors.emplace(block + "mlp.c_proj.bias", random({kWidth}));
    }
    writeSafetensors(path, tensors);
}

// The random full-size checkpoints the benchmarks share, in `folder`, written there once and reused: two SD 1.5
// checkpoints of different weights, and with `sdxlCount` one or two SDXL checkpoints (6.9 GB each).
struct RandomCheckpoints
{
    std::string sd15, sd15b, sdxl, sdxlB;
};

inline RandomCheckpoints randomCheckpointsIn(const std::string &folder, int sdxlCount)
{
    std::filesystem::create_directories(folder);
    const RandomCheckpoints paths{folder + "/random-sd15.safetensors", folder + "/random-sd15-b.safetensors",
                                  folder + "/random-sdxl.safetensors", folder + "/random-sdxl-b.safetensors"};
    const auto ensure = [](const std::string &path, std::uint64_t seed, void (*write)(const std::string &)) {
        torch::manual_seed(seed);
        if (!std::ifstream(path))
            write(path);
    };
    ensure(paths.sd15, 0, writeFullSizeCheckpoint);
    ensure(paths.sd15b, 1, writeFullSizeCheckpoint);
    if (sdxlCount > 0)
        ensure(paths.sdxl, 2, writeFullSizeSdxlCheckpoint);
    if (sdxlCount > 1)
        ensure(paths.sdxlB, 3, writeFullSizeSdxlCheckpoint);
    return paths;
}

// The model cache benchmarks' arguments: --folder DIR (where the random checkpoints are kept), [--switches N],
// [--no-sdxl], [--out FILE].
struct CacheBenchArguments
{
    std::string folder, outPath;
    int switches = 0;
    bool sdxl = true;
};

inline CacheBenchArguments cacheBenchArguments(int argc, char **argv, int defaultSwitches)
{
    CacheBenchArguments arguments;
    arguments.switches = defaultSwitches;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-sdxl")
            arguments.sdxl = false;
        else if (i + 1 < argc && arg == "--folder")
            arguments.folder = argv[++i];
        else if (i + 1 < argc && arg == "--switches")
            arguments.switches = std::stoi(argv[++i]);
        else if (i + 1 < argc && arg == "--out")
            arguments.outPath = argv[++i];
    }
    return arguments;
}

} // namespace atelier::engine
