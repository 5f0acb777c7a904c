#include "core/engine/nets/clip_text.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/attention.h"

namespace atelier::engine {

namespace {

LayerNorm layerNorm(std::int64_t width)
{
    return LayerNorm(width, 1e-5);
}

} // namespace

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipTextConfig &config)
    : heads(config.heads), quickGelu(config.quickGelu)
{
    auto attention = register_module("self_attn", std::make_shared<torch::nn::Module>());
    qProj = attention->register_module("q_proj", Linear(config.width, config.width));
    kProj = attention->register_module("k_proj", Linear(config.width, config.width));
    vProj = attention->register_module("v_proj", Linear(config.width, config.width));
    outProj = attention->register_module("out_proj", Linear(config.width, config.width));
    layerNorm1 = register_module("layer_norm1", layerNorm(config.width));
    auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
    fc1 = mlp->register_module("fc1", Linear(config.width, config.intermediate));
    fc2 = mlp->register_module("fc2", Linear(config.intermediate, config.width));
    layerNorm2 = register_module("layer_norm2", layerNorm(config.width));
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor &x, const torch::Tensor &causalMask)
{
    torch::Tensor h = layerNorm1(x);
    h = scaledDotProductAttention(splitHeads(qProj(h), heads), splitHeads(kProj(h), heads),
                                  splitHeads(vProj(h), heads), causalMask);
    torch::Tensor residual = x + outProj(mergeHeads(h));
    h = fc1(layerNorm2(residual));
    h = quickGelu ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
    return residual + fc2(h);
}

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig &config_) : config(config_)
{
    auto textModel = register_module("text_model", std::make_shared<torch::nn::Module>());
    auto embeddings = textModel->register_module("embeddings", std::make_shared<torch::nn::Module>());
    tokenEmbedding = embeddings->register_module("token_embedding", Embedding(config.vocabSize, config.width));
    positionEmbedding = embeddings->register_module("position_embedding", Embedding(config.positions, config.width));
    auto encoder = textModel->register_module("encoder", std::make_shared<torch::nn::Module>());
    auto layerList = encoder->register_module("layers", std::make_shared<torch::nn::Module>());
    for (std::int64_t i = 0; i < config.layers; ++i)
        layers.push_back(layerList->register_module(std::to_string(i), ClipEncoderLayer(config)));
    finalLayerNorm = textModel->register_module("final_layer_norm", layerNorm(config.width));
    if (config.projection > 0)
        textProjection = register_module("text_projection", Linear(config.width, config.projection, false));
}

torch::Tensor ClipTextModelImpl::embedTokens(const torch::Tensor &ids, const torch::Tensor &placeholderRows)
{
    const std::int64_t vocabulary = tokenEmbedding->weight.size(0);
    const torch::Tensor inVocabulary = ids < vocabulary;
    if (!placeholderRows.defined() || inVocabulary.all().item<bool>()) {
        if (!inVocabulary.all().item<bool>())
            throw std::invalid_argument("a token id past the vocabulary without textual-inversion vectors for it");
        return tokenEmbedding(ids);
    }
    const torch::Tensor extra = (ids - vocabulary).clamp(0, placeholderRows.size(0) - 1);
    if (((ids - vocabulary) >= placeholderRows.size(0)).any().item<bool>())
        throw std::invalid_argument("a placeholder id past the textual-inversion vectors given");
    const torch::Tensor rows = placeholderRows.to(ids.device(), tokenEmbedding->weight.dtype());
    const torch::Tensor fromVocabulary = tokenEmbedding(torch::where(inVocabulary, ids, torch::zeros_like(ids)));
    const torch::Tensor fromPlaceholders = rows.index_select(0, extra.flatten()).view(fromVocabulary.sizes());
    return torch::where(inVocabulary.unsqueeze(-1), fromVocabulary, fromPlaceholders);
}

ClipTextModelImpl::Output ClipTextModelImpl::forward(const torch::Tensor &ids, int layerFromEnd, bool finalNorm,
                                                     const torch::Tensor &placeholderRows)
{
    const std::int64_t tokens = ids.size(1);
    const auto options = tokenEmbedding->weight.options().device(ids.device());
    torch::Tensor x = embedTokens(ids, placeholderRows) +
                      besideInput(positionEmbedding->weight, ids).narrow(0, 0, tokens).unsqueeze(0);
    const torch::Tensor causalMask =
        torch::full({tokens, tokens}, -std::numeric_limits<float>::infinity(), options.dtype(torch::kFloat32))
            .triu(1);
    const int stopAfter = int(layers.size()) - std::max(1, layerFromEnd);
    if (stopAfter < 0)
        throw std::invalid_argument("clip skip " + std::to_string(layerFromEnd) + " exceeds the text encoder's " +
                                    std::to_string(layers.size()) + " layers");
    torch::Tensor chosen;
    for (int i = 0; i < int(layers.size()); ++i) {
        x = layers[std::size_t(i)]->forward(x, causalMask);
        if (i == stopAfter)
            chosen = x;
    }
    Output output;
    output.hidden = finalNorm ? finalLayerNorm(chosen) : chosen;
    const torch::Tensor eosAt = (ids == config.eosToken).to(torch::kInt32).argmax(1);
    torch::Tensor pooled = finalLayerNorm(x).index({torch::arange(ids.size(0), ids.options()), eosAt});
    output.pooled = textProjection ? textProjection(pooled) : pooled;
    return output;
}

ClipTextConfig ClipTextConfig::fromWeights(const StateDict &text, bool openClip)
{
    ClipTextConfig config;
    config.vocabSize = text.sizeOf("text_model.embeddings.token_embedding.weight", StateDict::kLinear, 0);
    config.width = text.sizeOf("text_model.embeddings.token_embedding.weight", StateDict::kLinear, 1);
    config.positions = text.sizeOf("text_model.embeddings.position_embedding.weight", StateDict::kLinear, 0);
    config.layers = std::int64_t(text.indicesUnder("text_model.encoder.layers.").size());
    config.intermediate = text.sizeOf("text_model.encoder.layers.0.mlp.fc1.weight", StateDict::kLinear, 0);
    config.heads = std::max<std::int64_t>(1, config.width / 64); // CLIP-L and OpenCLIP-H: 64 channels per head
    config.quickGelu = !openClip;
    if (text.contains("text_projection.weight"))
        config.projection = text.sizeOf("text_projection.weight", StateDict::kLinear, 0);
    return config;
}

} // namespace atelier::engine
