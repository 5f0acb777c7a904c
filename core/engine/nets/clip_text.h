#pragma once

#include "core/engine/nets/layers.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace atelier::engine {

struct ClipTextConfig
{
    std::int64_t vocabSize = 49408;
    std::int64_t positions = 77;
    std::int64_t width = 768;
    std::int64_t layers = 12;
    std::int64_t heads = 12;
    std::int64_t intermediate = 3072;
    bool quickGelu = true;        // CLIP-L: quick_gelu; OpenCLIP: gelu
    std::int64_t projection = 0;  // text_projection output width, 0 when absent
    std::int64_t eosToken = 49407;

    // Everything the weights (transformers' names, "text_model.*") decide; `openClip` sets OpenCLIP's activation,
    // which configs may override. Throws UnsupportedModelError naming the tensor that does not fit.
    static ClipTextConfig fromWeights(const class StateDict &weights, bool openClip);
};

struct ClipEncoderLayerImpl : torch::nn::Module
{
    ClipEncoderLayerImpl(const ClipTextConfig &config);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &causalMask);

    std::int64_t heads;
    bool quickGelu;
    Linear qProj{nullptr}, kProj{nullptr}, vProj{nullptr}, outProj{nullptr}, fc1{nullptr}, fc2{nullptr};
    LayerNorm layerNorm1{nullptr}, layerNorm2{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

// transformers' CLIPTextModel, registered under its names ("text_model.encoder.layers.0.self_attn.q_proj.weight").
struct ClipTextModelImpl : torch::nn::Module
{
    struct Output
    {
        torch::Tensor hidden;  // [b, n, width]: the chosen layer's output, final-normed when asked
        torch::Tensor pooled;  // [b, width or projection]: final-normed state at the first EOS (projected if present)
    };

    explicit ClipTextModelImpl(const ClipTextConfig &config);

    // The token-embedding rows for `ids` [b, n]: ids from the vocabulary size on are placeholders for textual-inversion
    // vectors, row (id - vocabulary size) of `placeholderRows` [m, width]. Before position embeddings.
    torch::Tensor embedTokens(const torch::Tensor &ids, const torch::Tensor &placeholderRows = {});

    // `layerFromEnd`: 1 for the last layer's output, 2 for the penultimate ("clip skip 2"), ...
    Output forward(const torch::Tensor &ids, int layerFromEnd, bool finalNorm,
                   const torch::Tensor &placeholderRows = {});

    ClipTextConfig config;
    Embedding tokenEmbedding{nullptr}, positionEmbedding{nullptr};
    std::vector<ClipEncoderLayer> layers;
    LayerNorm finalLayerNorm{nullptr};
    Linear textProjection{nullptr};
};
TORCH_MODULE(ClipTextModel);

} // namespace atelier::engine
