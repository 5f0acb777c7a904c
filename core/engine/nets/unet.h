#pragma once

#include "core/engine/nets/layers.h"

#include <torch/torch.h>

#include <vector>

namespace atelier::engine {

// The architecture of an LDM/SGM UNetModel with spatial transformers (SD 1.x, SD 2.x, SDXL).
struct UNetConfig
{
    std::int64_t inChannels = 4;
    std::int64_t outChannels = 4;
    std::int64_t modelChannels = 320;
    std::vector<std::int64_t> channelMult{1, 2, 4, 4};
    std::int64_t resBlocksPerLevel = 2;
    std::vector<bool> attentionAtLevel{true, true, true, false};
    std::int64_t transformerDepth = 1;
    // SDXL: transformer blocks per level (0: none) and in the middle block, when they differ between levels;
    // empty / -1: transformerDepth wherever attentionAtLevel says.
    std::vector<std::int64_t> transformerDepthAtLevel;
    std::int64_t transformerDepthMiddle = -1;
    // SDXL: the width of the extra conditioning vector `y` (the pooled text embedding and the size embeddings,
    // "label_emb"); 0 for models without one.
    std::int64_t admInChannels = 0;
    std::int64_t contextDim = 768;
    std::int64_t numHeads = 8;      // heads per transformer, or -1 to derive them from headChannels
    std::int64_t headChannels = -1; // channels per head (SD 2.x: 64)
    bool linearProjection = false;  // proj_in/proj_out as Linear (SD 2.x) instead of 1x1 convolutions

    std::int64_t headsFor(std::int64_t channels) const { return numHeads > 0 ? numHeads : channels / headChannels; }
    std::int64_t depthAt(std::size_t level) const
    {
        if (level < transformerDepthAtLevel.size())
            return transformerDepthAtLevel[level];
        return level < attentionAtLevel.size() && attentionAtLevel[level] ? transformerDepth : 0;
    }
    std::int64_t middleDepth() const { return transformerDepthMiddle >= 0 ? transformerDepthMiddle : transformerDepth; }

    // Everything the weights (LDM names, without "model.diffusion_model.") decide: channels, levels, attention,
    // the context width. Heads cannot be read from weights: the family rules and configs set them. Throws
    // UnsupportedModelError naming the tensor that does not fit.
    static UNetConfig fromWeights(const class StateDict &weights);
};

// A named child list ("in_layers.0", "in_layers.2"): LDM's nn.Sequential members with the activations left out.
struct ResBlockImpl : torch::nn::Module
{
    ResBlockImpl(std::int64_t in, std::int64_t out, std::int64_t embedding);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &embeddingSilu);

    GroupNorm inNorm{nullptr}, outNorm{nullptr};
    Conv2d inConv{nullptr}, outConv{nullptr}, skip{nullptr};
    Linear embeddingProjection{nullptr};
};
TORCH_MODULE(ResBlock);

struct CrossAttentionImpl : torch::nn::Module
{
    CrossAttentionImpl(std::int64_t queryDim, std::int64_t contextDim, std::int64_t heads);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &context);

    std::int64_t heads;
    Linear toQ{nullptr}, toK{nullptr}, toV{nullptr}, toOut{nullptr};
};
TORCH_MODULE(CrossAttention);

struct TransformerBlockImpl : torch::nn::Module
{
    TransformerBlockImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t heads);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &context);

    CrossAttention attn1{nullptr}, attn2{nullptr};
    LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    Linear ffIn{nullptr}, ffOut{nullptr}; // GEGLU feed-forward: ff.net.0.proj, ff.net.2
};
TORCH_MODULE(TransformerBlock);

struct SpatialTransformerImpl : torch::nn::Module
{
    SpatialTransformerImpl(std::int64_t channels, std::int64_t depth, const UNetConfig &config);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &context);

    bool linear;
    GroupNorm norm{nullptr};
    Conv2d projInConv{nullptr}, projOutConv{nullptr};
    Linear projInLinear{nullptr}, projOutLinear{nullptr};
    std::vector<TransformerBlock> blocks;
};
TORCH_MODULE(SpatialTransformer);

// One of input_blocks/middle_block/output_blocks: an optional res block, an optional transformer, then an optional
// down- or upsampler, registered under LDM's positional names.
struct UNetBlockImpl : torch::nn::Module
{
    torch::Tensor forward(torch::Tensor x, const torch::Tensor &embeddingSilu, const torch::Tensor &context);

    Conv2d convIn{nullptr}; // input_blocks.0 only
    ResBlock res{nullptr};
    SpatialTransformer transformer{nullptr};
    ResBlock resAfter{nullptr};         // middle_block's second res block
    Conv2d downsample{nullptr}, upsample{nullptr};
};
TORCH_MODULE(UNetBlock);

struct UNetModelImpl : torch::nn::Module
{
    explicit UNetModelImpl(const UNetConfig &config);
    // x [b, 4, h, w], timesteps [b] (fractional), context [b, n, contextDim], and for SDXL y [b, admInChannels]
    // -> the network's prediction.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &timesteps, const torch::Tensor &context,
                          const torch::Tensor &y = {});

    UNetConfig config;
    Linear timeEmbed1{nullptr}, timeEmbed2{nullptr};
    Linear labelEmbed1{nullptr}, labelEmbed2{nullptr}; // label_emb.0.0, label_emb.0.2 (SDXL)
    std::vector<UNetBlock> inputBlocks, outputBlocks;
    UNetBlock middleBlock{nullptr};
    GroupNorm outNorm{nullptr};
    Conv2d outConv{nullptr};
};
TORCH_MODULE(UNetModel);

// The sinusoidal embedding LDM uses: [cos(t f), sin(t f)] with f = 10000^(-i/half).
torch::Tensor timestepEmbedding(const torch::Tensor &timesteps, std::int64_t dim);

// SDXL's extra conditioning `y`: the pooled text embedding [b, P] followed by the sinusoidal embeddings of the size
// numbers `timeIds` [b, n] (the base's six: original height and width, crop top and left, target height and width;
// the refiner's five: the same with an aesthetic score for the target size), each as wide as what `admInChannels`
// leaves for them.
torch::Tensor sizeConditioningVector(const torch::Tensor &pooled, const torch::Tensor &timeIds,
                                     std::int64_t admInChannels);

} // namespace atelier::engine
