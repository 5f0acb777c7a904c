#pragma once

// Full-size models of random weights, written as users' files are, for benchmarks and device checks: no model
// has to be downloaded, and the sizes are the real ones.
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/nets/clip_text.h"
#include "core/engine/nets/unet.h"
#include "core/engine/nets/vae.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace atelier::engine {

// An SD 1.5 checkpoint of random weights in the original layout, float16, as large as the real one (about 2 GB).
inline void writeFullSizeCheckpoint(const std::string &path)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> tensors;
    const auto add = [&](torch::nn::Module &module, const std::string &prefix) {
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

} // namespace atelier::engine
