#include "core/engine/nets/uvit.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/attention.h"
#include "core/engine/nets/unet.h"

namespace atelier::engine {

namespace {

std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent, const std::string &name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

// Runs `f` on x as [b, h, w, c] (channels last) and returns [b, c, h, w].
template <typename F> torch::Tensor overChannels(const torch::Tensor &x, F &&f)
{
    return f(x.permute({0, 2, 3, 1})).permute({0, 3, 1, 2});
}

// [scale, shift] as [b, c] each, from the conditioning.
std::pair<torch::Tensor, torch::Tensor> modulation(Linear &mapper, const torch::Tensor &cond)
{
    const auto halves = mapper(torch::silu(cond)).chunk(2, 1);
    return {halves[0], halves[1]};
}

} // namespace

TokenAttentionImpl::TokenAttentionImpl(std::int64_t width, std::int64_t contextWidth, std::int64_t heads_, bool bias)
    : heads(heads_)
{
    toQ = register_module("to_q", Linear(width, width, bias));
    toK = register_module("to_k", Linear(contextWidth, width, bias));
    toV = register_module("to_v", Linear(contextWidth, width, bias));
    toOut = child(*this, "to_out")->register_module("0", Linear(width, width, bias));
}

torch::Tensor TokenAttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &context)
{
    return toOut(mergeHeads(scaledDotProductAttention(splitHeads(toQ(x), heads), splitHeads(toK(context), heads),
                                                      splitHeads(toV(context), heads))));
}

UVitConvBlockImpl::UVitConvBlockImpl(const UVitConfig &config)
{
    const std::int64_t c = config.blockChannels, wide = 4 * c;
    depthwise = register_module("depthwise", Conv2d(c, c, 3, 1, 1, config.bias, c));
    norm = register_module("norm", RmsNorm(c, config.eps, config.normAffine));
    linear1 = register_module("channelwise_linear_1", Linear(c, wide, config.bias));
    auto grn = child(*this, "channelwise_norm");
    grnGamma = grn->register_parameter("gamma", torch::empty({1, 1, 1, wide}));
    grnBeta = grn->register_parameter("beta", torch::empty({1, 1, 1, wide}));
    linear2 = register_module("channelwise_linear_2", Linear(wide, c, config.bias));
    condMapper = register_module("cond_embeds_mapper", Linear(config.hiddenSize, 2 * c, config.bias));
}

torch::Tensor UVitConvBlockImpl::forward(const torch::Tensor &x, const torch::Tensor &cond)
{
    torch::Tensor h = overChannels(depthwise(x), [&](const torch::Tensor &pixels) {
        torch::Tensor t = torch::gelu(linear1(norm(pixels)));
        // GlobalResponseNorm: each channel's L2 norm over the image, relative to the mean over channels.
        // Summed in float32, as torch.norm accumulates: half precision overflows on a large grid.
        const torch::Tensor energy = t.to(torch::kFloat32).pow(2).sum({1, 2}, true).sqrt().to(t.scalar_type());
        const torch::Tensor relative = energy / (energy.mean(-1, true) + 1e-6);
        t = besideInput(grnGamma, t) * (t * relative) + besideInput(grnBeta, t) + t;
        return linear2(t);
    });
    h = h + x;
    const auto [scale, shift] = modulation(condMapper, cond);
    return h * (1 + scale.unsqueeze(-1).unsqueeze(-1)) + shift.unsqueeze(-1).unsqueeze(-1);
}

UVitAttentionBlockImpl::UVitAttentionBlockImpl(const UVitConfig &config)
{
    const std::int64_t c = config.blockChannels;
    if (config.hiddenSize != c)
        kvMapper = register_module("kv_mapper", Linear(config.hiddenSize, c, config.bias));
    norm1 = register_module("norm1", RmsNorm(c, 1e-6));
    attn1 = register_module("attn1", TokenAttention(c, c, config.blockHeads, config.bias));
    norm2 = register_module("norm2", RmsNorm(c, 1e-6));
    attn2 = register_module("attn2", TokenAttention(c, c, config.blockHeads, config.bias));
}

torch::Tensor UVitAttentionBlockImpl::forward(const torch::Tensor &x, const torch::Tensor &text)
{
    const torch::Tensor context = kvMapper ? kvMapper(torch::silu(text)) : text;
    torch::Tensor h = x + attn1(norm1(x), context);
    return h + attn2(norm2(h), context);
}

UVitBlockImpl::UVitBlockImpl(const UVitConfig &config, bool down, bool up)
{
    const std::int64_t c = config.blockChannels;
    if (down) {
        auto resample = child(*this, "downsample");
        resampleNorm = resample->register_module("norm", RmsNorm(c, config.eps, config.normAffine));
        downsample = resample->register_module("conv", Conv2d(c, c, 2, 2, 0, config.bias));
    }
    auto convs = child(*this, "res_blocks");
    auto attentions = child(*this, "attention_blocks");
    for (std::int64_t i = 0; i < config.resBlocks; ++i) {
        convBlocks.push_back(convs->register_module(std::to_string(i), UVitConvBlock(config)));
        attentionBlocks.push_back(attentions->register_module(std::to_string(i), UVitAttentionBlock(config)));
    }
    if (up) {
        auto resample = child(*this, "upsample");
        resampleNorm = resample->register_module("norm", RmsNorm(c, config.eps, config.normAffine));
        upsample = resample->register_module("conv", ConvTranspose2d(c, c, 2, config.bias));
    }
}

torch::Tensor UVitBlockImpl::forward(torch::Tensor x, const torch::Tensor &cond, const torch::Tensor &text)
{
    if (downsample)
        // diffusers pads the right and bottom edges first; it matters only for odd grids.
        x = downsample(torch::constant_pad_nd(overChannels(x, [&](const torch::Tensor &t) { return resampleNorm(t); }),
                                              {0, 1, 0, 1}, 0));
    for (std::size_t i = 0; i < convBlocks.size(); ++i) {
        x = convBlocks[i](x, cond);
        const std::int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        const torch::Tensor tokens = attentionBlocks[i](x.reshape({b, c, h * w}).transpose(1, 2), text);
        x = tokens.transpose(1, 2).reshape({b, c, h, w});
    }
    if (upsample)
        x = upsample(overChannels(x, [&](const torch::Tensor &t) { return resampleNorm(t); }));
    return x;
}

AdaptiveNormImpl::AdaptiveNormImpl(const UVitConfig &config, bool rms)
{
    linear = register_module("linear", Linear(config.hiddenSize, 2 * config.hiddenSize, config.bias));
    if (rms)
        rmsNorm = register_module("norm", RmsNorm(config.hiddenSize, config.eps, config.normAffine));
    else
        layerNorm = register_module("norm", LayerNorm(config.hiddenSize, config.eps, config.bias));
}

torch::Tensor AdaptiveNormImpl::forward(const torch::Tensor &x, const torch::Tensor &cond)
{
    const auto [scale, shift] = modulation(linear, cond);
    // Under autocast x arrives in half precision while the norm's weights stay float32, which the CPU's layer norm
    // refuses: normed in the weights' dtype, as CUDA's autocast runs layer norms in float32 anyway.
    const torch::Tensor normed = rmsNorm ? rmsNorm(x) : layerNorm(x.to(layerNorm->weight.scalar_type()));
    return normed * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}

UVitTransformerLayerImpl::UVitTransformerLayerImpl(const UVitConfig &config)
{
    const std::int64_t width = config.hiddenSize;
    norm1 = register_module("norm1", AdaptiveNorm(config, true));
    attn1 = register_module("attn1", TokenAttention(width, width, config.heads, config.bias));
    norm2 = register_module("norm2", AdaptiveNorm(config, true));
    attn2 = register_module("attn2", TokenAttention(width, width, config.heads, config.bias));
    norm3 = register_module("norm3", AdaptiveNorm(config, false));
    auto net = child(*child(*this, "ff"), "net");
    ffIn = child(*net, "0")->register_module("proj", Linear(width, 2 * config.intermediate, config.bias));
    ffOut = net->register_module("2", Linear(config.intermediate, width, config.bias));
}

torch::Tensor UVitTransformerLayerImpl::forward(torch::Tensor x, const torch::Tensor &cond, const torch::Tensor &text)
{
    torch::Tensor h = norm1(x, cond);
    x = x + attn1(h, h);
    x = x + attn2(norm2(x, cond), text);
    const auto halves = ffIn(norm3(x, cond)).chunk(2, -1); // GEGLU
    return x + ffOut(halves[0] * torch::gelu(halves[1]));
}

UVit2DModelImpl::UVit2DModelImpl(const UVitConfig &config_)
    : config(config_)
{
    const UVitConfig &c = config;
    encoderProj = register_module("encoder_proj", Linear(c.encoderWidth, c.hiddenSize, c.bias));
    encoderProjNorm = register_module("encoder_proj_layer_norm", RmsNorm(c.hiddenSize, c.eps, c.normAffine));
    auto embed = child(*this, "embed");
    embeddings = embed->register_module("embeddings", Embedding(c.vocabSize, c.inChannels));
    embedNorm = embed->register_module("layer_norm", RmsNorm(c.inChannels, c.eps, c.normAffine));
    embedConv = embed->register_module("conv", Conv2d(c.inChannels, c.blockChannels, 1, 1, 0, c.bias));
    auto condEmbed = child(*this, "cond_embed");
    const std::int64_t condIn = c.pooledWidth + UVitConfig::kMicroConditions * c.microEncodeWidth;
    condLinear1 = condEmbed->register_module("linear_1", Linear(condIn, c.hiddenSize, c.bias));
    condLinear2 = condEmbed->register_module("linear_2", Linear(c.hiddenSize, c.hiddenSize, c.bias));
    downBlock = register_module("down_block", UVitBlock(c, c.downsample, false));
    toHiddenNorm = register_module("project_to_hidden_norm", RmsNorm(c.blockChannels, c.eps, c.normAffine));
    toHidden = register_module("project_to_hidden", Linear(c.blockChannels, c.hiddenSize, c.bias));
    auto layerList = child(*this, "transformer_layers");
    for (std::int64_t i = 0; i < c.layers; ++i)
        transformerLayers.push_back(layerList->register_module(std::to_string(i), UVitTransformerLayer(c)));
    fromHiddenNorm = register_module("project_from_hidden_norm", RmsNorm(c.hiddenSize, c.eps, c.normAffine));
    fromHidden = register_module("project_from_hidden", Linear(c.hiddenSize, c.blockChannels, c.bias));
    upBlock = register_module("up_block", UVitBlock(c, false, c.upsample));
    auto mlm = child(*this, "mlm_layer");
    mlmConv1 = mlm->register_module("conv1", Conv2d(c.blockChannels, c.inChannels, 1, 1, 0, c.bias));
    mlmNorm = mlm->register_module("layer_norm", RmsNorm(c.inChannels, c.eps, c.normAffine));
    mlmConv2 = mlm->register_module("conv2", Conv2d(c.inChannels, c.codebookSize, 1, 1, 0, c.bias));
}

torch::Tensor UVit2DModelImpl::forward(const torch::Tensor &tokens, const torch::Tensor &text,
                                       const torch::Tensor &pooled, const torch::Tensor &microConditions)
{
    const std::int64_t batch = tokens.size(0);
    if (tokens.dim() != 3 || text.size(0) != batch || pooled.size(0) != batch || microConditions.size(0) != batch ||
        microConditions.size(1) != UVitConfig::kMicroConditions)
        throw std::invalid_argument("the U-ViT's inputs disagree on the batch, or the micro-conditioning is not 5 "
                                    "numbers per image");
    const auto dtype = embedConv->weight.scalar_type();
    const torch::Tensor context = encoderProjNorm(encoderProj(text.to(dtype)));
    const torch::Tensor micro =
        timestepEmbedding(microConditions.flatten(), config.microEncodeWidth).reshape({batch, -1});
    const torch::Tensor cond =
        condLinear2(torch::silu(condLinear1(torch::cat({pooled.to(torch::kFloat32), micro}, 1).to(dtype))));

    torch::Tensor x = embedConv(
        overChannels(embeddings(tokens).permute({0, 3, 1, 2}), [&](const torch::Tensor &t) { return embedNorm(t); }));
    x = downBlock(x, cond, context);
    const std::int64_t c = x.size(1), h = x.size(2), w = x.size(3);
    torch::Tensor hidden = toHidden(toHiddenNorm(x.permute({0, 2, 3, 1}).reshape({batch, h * w, c})));
    for (auto &layer : transformerLayers)
        hidden = layer(hidden, cond, context);
    x = fromHidden(fromHiddenNorm(hidden)).reshape({batch, h, w, c}).permute({0, 3, 1, 2});
    x = upBlock(x, cond, context);
    return mlmConv2(overChannels(mlmConv1(x), [&](const torch::Tensor &t) { return mlmNorm(t); }));
}

UVitConfig UVitConfig::fromWeights(const StateDict &weights, const UVitConfig &stated)
{
    UVitConfig c = stated;
    c.vocabSize = weights.sizeOf("embed.embeddings.weight", StateDict::kLinear, 0);
    c.inChannels = weights.sizeOf("embed.embeddings.weight", StateDict::kLinear, 1);
    c.blockChannels = weights.sizeOf("embed.conv.weight", StateDict::kConvolution, 0);
    c.hiddenSize = weights.sizeOf("encoder_proj.weight", StateDict::kLinear, 0);
    c.encoderWidth = weights.sizeOf("encoder_proj.weight", StateDict::kLinear, 1);
    c.codebookSize = weights.sizeOf("mlm_layer.conv2.weight", StateDict::kConvolution, 0);
    c.layers = std::int64_t(weights.indicesUnder("transformer_layers.").size());
    c.resBlocks = std::int64_t(weights.indicesUnder("down_block.res_blocks.").size());
    if (c.layers == 0 || c.resBlocks == 0)
        throw UnsupportedModelError(weights.source + ": no transformer layers or blocks (\"transformer_layers.*\", "
                                                     "\"down_block.res_blocks.*\"): not an aMUSEd U-ViT");
    c.intermediate = weights.sizeOf("transformer_layers.0.ff.net.2.weight", StateDict::kLinear, 1);
    c.downsample = weights.contains("down_block.downsample.conv.weight");
    c.upsample = weights.contains("up_block.upsample.conv.weight");
    if (c.downsample != c.upsample)
        throw UnsupportedModelError(weights.source + ": a U-ViT that " + (c.downsample ? "halves" : "doubles") +
                                    " its grid without " + (c.downsample ? "doubling" : "halving") +
                                    " it again predicts tokens for another grid than it reads");
    c.bias = weights.contains("encoder_proj.bias");
    c.normAffine = weights.contains("encoder_proj_layer_norm.weight");
    c.pooledWidth =
        weights.sizeOf("cond_embed.linear_1.weight", StateDict::kLinear, 1) - kMicroConditions * c.microEncodeWidth;
    if (c.pooledWidth <= 0 || c.microEncodeWidth <= 0 || c.microEncodeWidth % 2 != 0)
        throw UnsupportedModelError(weights.source +
                                    ": \"cond_embed.linear_1.weight\" does not fit 5 micro-"
                                    "conditioning numbers of width " +
                                    std::to_string(c.microEncodeWidth) + " and a pooled text embedding");
    if (c.heads <= 0 || c.hiddenSize % c.heads != 0 || c.blockHeads <= 0 || c.blockChannels % c.blockHeads != 0)
        throw UnsupportedModelError(weights.source + ": " + std::to_string(c.heads) + " and " +
                                    std::to_string(c.blockHeads) + " heads do not divide the widths " +
                                    std::to_string(c.hiddenSize) + " and " + std::to_string(c.blockChannels));
    if (!c.normAffine)
        throw UnsupportedModelError(weights.source + ": a U-ViT whose norms have no weights is not supported");
    return c;
}

} // namespace atelier::engine
