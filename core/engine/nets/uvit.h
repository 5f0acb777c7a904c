#pragma once

// aMUSEd's U-ViT (diffusers' UVit2DModel), registered under its diffusers names: a grid of VQ-GAN token ids, the
// text encoder's penultimate states, its pooled projection and five micro-conditioning numbers give logits over
// the codebook for every position. Convolutional blocks at the grid's resolution (halved first in amused-512)
// surround a stack of transformer layers whose norms the pooled text and micro-conditioning modulate.
#include "core/engine/nets/layers.h"

#include <torch/torch.h>

#include <vector>

namespace atelier::engine {

struct UVitConfig
{
    std::int64_t vocabSize = 8256;       // codebook + mask id and spares
    std::int64_t codebookSize = 8192;    // the logits' width: the mask id is never predicted
    std::int64_t inChannels = 768;       // token embedding width
    std::int64_t blockChannels = 768;    // the convolutional blocks' width
    std::int64_t hiddenSize = 1024;      // the transformer layers' width
    std::int64_t encoderWidth = 768;     // the text encoder's hidden width
    std::int64_t pooledWidth = 768;      // the text encoder's projection width
    std::int64_t microEncodeWidth = 256; // sinusoidal width of each of the 5 micro-conditioning numbers
    std::int64_t layers = 22;
    std::int64_t heads = 16;
    std::int64_t blockHeads = 12;
    std::int64_t intermediate = 2816;
    std::int64_t resBlocks = 3;
    bool downsample = false; // amused-512: the blocks around the transformer halve the grid ...
    bool upsample = false;   // ... and double it again
    bool bias = false;       // use_bias: every linear and convolution has a bias
    bool normAffine = true;  // ln_elementwise_affine: the norms have weights
    double eps = 1e-6;

    static constexpr std::int64_t kMicroConditions = 5; // width, height, crop top, crop left, aesthetic score

    // Sizes from the weights (diffusers names); the head counts, eps and micro-conditioning width that the weights
    // cannot tell are taken from `stated` (as transformer/config.json gives them). Throws UnsupportedModelError
    // naming what does not fit.
    static UVitConfig fromWeights(const class StateDict &weights, const UVitConfig &stated);
};

// diffusers' Attention as these blocks use it: queries from x, keys and values from `context`.
struct TokenAttentionImpl : torch::nn::Module
{
    TokenAttentionImpl(std::int64_t width, std::int64_t contextWidth, std::int64_t heads, bool bias);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &context);

    std::int64_t heads;
    Linear toQ{nullptr}, toK{nullptr}, toV{nullptr}, toOut{nullptr};
};
TORCH_MODULE(TokenAttention);

// ConvNeXt block with GlobalResponseNorm, modulated by the conditioning.
struct UVitConvBlockImpl : torch::nn::Module
{
    UVitConvBlockImpl(const UVitConfig &config);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &cond);

    Conv2d depthwise{nullptr};
    RmsNorm norm{nullptr};
    Linear linear1{nullptr}, linear2{nullptr}, condMapper{nullptr};
    torch::Tensor grnGamma, grnBeta;
};
TORCH_MODULE(UVitConvBlock);

// Two cross-attentions to the text, no feed-forward (SkipFFTransformerBlock).
struct UVitAttentionBlockImpl : torch::nn::Module
{
    UVitAttentionBlockImpl(const UVitConfig &config);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &text);

    Linear kvMapper{nullptr}; // when the transformer is wider than the blocks
    RmsNorm norm1{nullptr}, norm2{nullptr};
    TokenAttention attn1{nullptr}, attn2{nullptr};
};
TORCH_MODULE(UVitAttentionBlock);

struct UVitBlockImpl : torch::nn::Module
{
    UVitBlockImpl(const UVitConfig &config, bool down, bool up);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &cond, const torch::Tensor &text);

    RmsNorm resampleNorm{nullptr};
    Conv2d downsample{nullptr};
    ConvTranspose2d upsample{nullptr};
    std::vector<UVitConvBlock> convBlocks;
    std::vector<UVitAttentionBlock> attentionBlocks;
};
TORCH_MODULE(UVitBlock);

// norm(x) * (1 + scale) + shift, [scale, shift] from the conditioning (AdaLayerNormContinuous).
struct AdaptiveNormImpl : torch::nn::Module
{
    AdaptiveNormImpl(const UVitConfig &config, bool rms);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &cond);

    Linear linear{nullptr};
    RmsNorm rmsNorm{nullptr};
    LayerNorm layerNorm{nullptr};
};
TORCH_MODULE(AdaptiveNorm);

// Self-attention, cross-attention to the text, GEGLU feed-forward, each after an adaptive norm.
struct UVitTransformerLayerImpl : torch::nn::Module
{
    UVitTransformerLayerImpl(const UVitConfig &config);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &cond, const torch::Tensor &text);

    AdaptiveNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    TokenAttention attn1{nullptr}, attn2{nullptr};
    Linear ffIn{nullptr}, ffOut{nullptr};
};
TORCH_MODULE(UVitTransformerLayer);

struct UVit2DModelImpl : torch::nn::Module
{
    explicit UVit2DModelImpl(const UVitConfig &config);

    // tokens [b, h, w] int64 (mask id where unknown), text [b, n, encoderWidth] (penultimate states), pooled
    // [b, pooledWidth], microConditions [b, 5] -> logits [b, codebookSize, h, w].
    torch::Tensor forward(const torch::Tensor &tokens, const torch::Tensor &text, const torch::Tensor &pooled,
                          const torch::Tensor &microConditions);

    UVitConfig config;
    Linear encoderProj{nullptr}, condLinear1{nullptr}, condLinear2{nullptr};
    RmsNorm encoderProjNorm{nullptr};
    Embedding embeddings{nullptr};
    RmsNorm embedNorm{nullptr};
    Conv2d embedConv{nullptr};
    UVitBlock downBlock{nullptr}, upBlock{nullptr};
    RmsNorm toHiddenNorm{nullptr}, fromHiddenNorm{nullptr};
    Linear toHidden{nullptr}, fromHidden{nullptr};
    std::vector<UVitTransformerLayer> transformerLayers;
    Conv2d mlmConv1{nullptr}, mlmConv2{nullptr};
    RmsNorm mlmNorm{nullptr};
};
TORCH_MODULE(UVit2DModel);

} // namespace atelier::engine
