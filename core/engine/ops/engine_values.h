#pragma once

// The engine's side of the values operations pass around (op_call.h): what each holds, in libtorch's types. For the
// operations' own sources and the engine's tests.
#include "core/engine/ops/op_call.h"
#include "core/engine/patch/lora_use.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/pipeline/stable_diffusion.h"
#include "core/engine/pipeline/vae_coder.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace atelier::engine {

std::int64_t tensorBytes(const torch::Tensor &tensor);

// A diffusion model to sample with: the loaded model (shared with every value made from the same file) and the
// LoRAs applied to its UNet when it samples.
struct ModelValue : EngineValue
{
    std::shared_ptr<StableDiffusion> model;
    std::vector<LoRAApplication> loras; // strengthClip unused
    const char *kind() const override { return "MODEL"; }
    std::int64_t ownBytes() const override { return 0; }
};

// A text encoder to encode prompts with: the loaded model, the layer its states come from and its LoRAs.
struct ClipValue : EngineValue
{
    std::shared_ptr<StableDiffusion> model;
    int clipSkip = 0;                   // layers from the end; 0: the family's default
    std::vector<LoRAApplication> loras; // strengthModel unused
    const char *kind() const override { return "CLIP"; }
    std::int64_t ownBytes() const override { return 0; }
};

struct VaeValue : EngineValue
{
    std::shared_ptr<VaeCoder> coder;
    const char *kind() const override { return "VAE"; }
    std::int64_t ownBytes() const override { return 0; }
};

struct ConditioningValue : EngineValue
{
    ConditioningList parts; // contexts float32 on the CPU
    const char *kind() const override { return "CONDITIONING"; }
    std::int64_t ownBytes() const override;
};

// Latents as ComfyUI's LATENT holds them: the VAE's own (unscaled), [b, c, h, w] float32 on the CPU, with an
// optional noise mask [b or 1, 1, h, w] (1: resample, 0: keep).
struct LatentValue : EngineValue
{
    torch::Tensor samples;
    torch::Tensor noiseMask;
    const char *kind() const override { return "LATENT"; }
    std::int64_t ownBytes() const override { return tensorBytes(samples) + tensorBytes(noiseMask); }
    std::vector<std::int64_t> shape() const override { return samples.sizes().vec(); }
};

// Images as ComfyUI's IMAGE holds them: [b, h, w, 3] float32 in [0, 1] on the CPU.
struct ImageValue : EngineValue
{
    torch::Tensor pixels;
    const char *kind() const override { return "IMAGE"; }
    std::int64_t ownBytes() const override { return tensorBytes(pixels); }
    std::vector<std::int64_t> shape() const override { return pixels.sizes().vec(); }
};

// [b, h, w] float32 in [0, 1] on the CPU.
struct MaskValue : EngineValue
{
    torch::Tensor mask;
    const char *kind() const override { return "MASK"; }
    std::int64_t ownBytes() const override { return tensorBytes(mask); }
    std::vector<std::int64_t> shape() const override { return mask.sizes().vec(); }
};

// aMUSEd's parts, each its own type so that no link joins them to Stable Diffusion's MODEL, CLIP or VAE: the
// U-ViT with its sampler, the text encoder with projection, the VQ-GAN. All three share one loaded model.
struct AmusedModelValue : EngineValue
{
    std::shared_ptr<AmusedModel> model;
    const char *kind() const override { return "AMUSED_MODEL"; }
    std::int64_t ownBytes() const override { return 0; }
};
struct AmusedClipValue : EngineValue
{
    std::shared_ptr<AmusedModel> model;
    const char *kind() const override { return "AMUSED_CLIP"; }
    std::int64_t ownBytes() const override { return 0; }
};
struct VqGanValue : EngineValue
{
    std::shared_ptr<AmusedModel> model;
    const char *kind() const override { return "VQGAN"; }
    std::int64_t ownBytes() const override { return 0; }
};

// A prompt as aMUSEd's transformer reads it: penultimate states and pooled projection, on the model's device.
struct AmusedConditioningValue : EngineValue
{
    AmusedPromptEncoding encoding;
    const char *kind() const override { return "AMUSED_CONDITIONING"; }
    std::int64_t ownBytes() const override { return tensorBytes(encoding.hidden) + tensorBytes(encoding.pooled); }
};

// A grid of VQ-GAN tokens, [b, h, w] int64 on the CPU (the mask id where undecided); an empty grid is only its size
// in pixels, the model's grid deciding its tokens when it samples.
struct TokensValue : EngineValue
{
    torch::Tensor tokens;
    int width = 0, height = 0, batch = 1; // an empty grid's
    const char *kind() const override { return "TOKENS"; }
    std::int64_t ownBytes() const override { return tensorBytes(tokens); }
    std::vector<std::int64_t> shape() const override
    {
        return tokens.defined() ? tokens.sizes().vec() : std::vector<std::int64_t>{batch, height, width};
    }
};

} // namespace atelier::engine
