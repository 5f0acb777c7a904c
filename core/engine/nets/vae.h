#pragma once

#include "core/engine/nets/layers.h"

#include <torch/torch.h>

#include <vector>

namespace atelier::engine {

// The architecture of LDM's AutoencoderKL, whose encoder and decoder VQ-GANs (diffusers' VQModel) share.
struct VaeConfig
{
    std::int64_t imageChannels = 3;
    std::int64_t baseChannels = 128;
    std::vector<std::int64_t> channelMult{1, 2, 4, 4};
    std::int64_t resBlocksPerLevel = 2;
    std::int64_t latentChannels = 4;  // z_channels
    std::int64_t embedChannels = 4;   // embed_dim (quant_conv's width)
    double scaleFactor = 0.18215;
    std::int64_t groups = 32;   // GroupNorm groups (norm_num_groups)
    bool midAttention = true;   // the middle block's self-attention (a VQ-GAN may leave it out)
    bool encoderMoments = true; // the encoder gives mean and log-variance (2 x latent); a VQ-GAN's the latent

    std::int64_t downscale() const { return std::int64_t(1) << (channelMult.size() - 1); }

    // Everything the weights (LDM names, without "first_stage_model.") decide; the scale factor comes from the
    // family or a config. Throws UnsupportedModelError naming the tensor that does not fit.
    static VaeConfig fromWeights(const class StateDict &weights);
};

struct VaeResBlockImpl : torch::nn::Module
{
    VaeResBlockImpl(std::int64_t in, std::int64_t out, std::int64_t groups);
    torch::Tensor forward(const torch::Tensor &x);

    GroupNorm norm1{nullptr}, norm2{nullptr};
    Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(VaeResBlock);

struct VaeAttentionImpl : torch::nn::Module
{
    VaeAttentionImpl(std::int64_t channels, std::int64_t groups);
    torch::Tensor forward(const torch::Tensor &x);

    GroupNorm norm{nullptr};
    Conv2d q{nullptr}, k{nullptr}, v{nullptr}, projOut{nullptr};
};
TORCH_MODULE(VaeAttention);

// mid.block_1, mid.attn_1 (when the config has it), mid.block_2
struct VaeMidImpl : torch::nn::Module
{
    VaeMidImpl(std::int64_t channels, const VaeConfig &config);
    torch::Tensor forward(const torch::Tensor &x);

    VaeResBlock block1{nullptr}, block2{nullptr};
    VaeAttention attention{nullptr};
};
TORCH_MODULE(VaeMid);

struct VaeLevelImpl : torch::nn::Module
{
    std::vector<VaeResBlock> blocks;
    Conv2d resample{nullptr}; // down: stride-2 conv after asymmetric padding; up: conv after 2x nearest
    bool down = true;
};
TORCH_MODULE(VaeLevel);

struct VaeEncoderImpl : torch::nn::Module
{
    explicit VaeEncoderImpl(const VaeConfig &config);
    torch::Tensor forward(const torch::Tensor &image);

    Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<VaeLevel> levels;
    VaeMid mid{nullptr};
    GroupNorm normOut{nullptr};
};
TORCH_MODULE(VaeEncoder);

struct VaeDecoderImpl : torch::nn::Module
{
    explicit VaeDecoderImpl(const VaeConfig &config);
    torch::Tensor forward(const torch::Tensor &z);

    Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<VaeLevel> levels;  // levels[i] is LDM's up.i; run from the last to the first
    VaeMid mid{nullptr};
    GroupNorm normOut{nullptr};
};
TORCH_MODULE(VaeDecoder);

struct AutoencoderKLImpl : torch::nn::Module
{
    explicit AutoencoderKLImpl(const VaeConfig &config);

    // image [b, 3, H, W] in [-1, 1] -> the latent distribution's mean and log-variance (not scaled).
    std::pair<torch::Tensor, torch::Tensor> encodeMoments(const torch::Tensor &image);
    // latent (not scaled) -> decoder output, roughly in [-1, 1].
    torch::Tensor decodeRaw(const torch::Tensor &latent);

    VaeConfig config;
    VaeEncoder encoder{nullptr};
    VaeDecoder decoder{nullptr};
    Conv2d quantConv{nullptr}, postQuantConv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

} // namespace atelier::engine
