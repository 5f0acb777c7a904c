#pragma once

// aMUSEd's VQ-GAN (diffusers' VQModel with its codebook looked up, group norms): the encoder and decoder of LDM's
// AutoencoderKL around a codebook of embedding rows. Images are [0, 1] on both sides: no scaling, no [-1, 1].
// Registered under LDM's VAE names (io/key_maps.h turns diffusers' into them) plus "quantize.embedding.weight".
#include "core/engine/nets/vae.h"

#include <torch/torch.h>

namespace atelier::engine {

struct VqGanConfig
{
    VaeConfig coder; // encoder and decoder; latentChannels is the codebook rows' width
    std::int64_t codebookSize = 8192;

    // Sizes from the weights; the groups of the norms from vqvae/config.json's norm_num_groups, which the weights
    // cannot tell. Throws UnsupportedModelError naming what does not fit.
    static VqGanConfig fromWeights(const class StateDict &weights, std::int64_t groups);
};

struct VqGanImpl : torch::nn::Module
{
    explicit VqGanImpl(const VqGanConfig &config);

    // image [b, 3, H, W] in [0, 1] -> the encoder's latents [b, e, H/f, W/f] (before quantization).
    torch::Tensor encodeLatents(const torch::Tensor &image);
    // latents -> the nearest codebook row's index (Euclidean) at every position, [b, h, w] int64.
    torch::Tensor nearestTokens(const torch::Tensor &latents);
    // tokens [b, h, w] -> codebook rows [b, e, h, w]. Throws std::invalid_argument for an id outside the codebook.
    torch::Tensor codebookRows(const torch::Tensor &tokens);
    // tokens -> the decoder's output [b, 3, H, W] (roughly [0, 1]; not clipped).
    torch::Tensor decodeTokens(const torch::Tensor &tokens);

    VqGanConfig config;
    VaeEncoder encoder{nullptr};
    VaeDecoder decoder{nullptr};
    Conv2d quantConv{nullptr}, postQuantConv{nullptr};
    Embedding codebook{nullptr};
};
TORCH_MODULE(VqGan);

} // namespace atelier::engine
