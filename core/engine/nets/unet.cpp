#include "core/engine/nets/unet.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/attention.h"

#include <cmath>

namespace atelier::engine {

namespace {

using ModulePtr = std::shared_ptr<torch::nn::Module>;

ModulePtr child(torch::nn::Module &parent, const std::string &name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

GroupNorm groupNorm(std::int64_t channels, double eps)
{
    return GroupNorm(32, channels, eps);
}

Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1)
{
    return Conv2d(in, out, kernel, stride, kernel / 2);
}

} // namespace

torch::Tensor timestepEmbedding(const torch::Tensor &timesteps, std::int64_t dim)
{
    const std::int64_t half = dim / 2;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device());
    const torch::Tensor frequencies = torch::exp(-std::log(10000.0) * torch::arange(half, options) / double(half));
    const torch::Tensor arguments = timesteps.to(torch::kFloat32).unsqueeze(1) * frequencies.unsqueeze(0);
    return torch::cat({torch::cos(arguments), torch::sin(arguments)}, 1);
}

torch::Tensor sizeConditioningVector(const torch::Tensor &pooled, const torch::Tensor &timeIds,
                                     std::int64_t admInChannels)
{
    const std::int64_t numbers = timeIds.size(1);
    const std::int64_t perNumber = numbers > 0 ? (admInChannels - pooled.size(1)) / numbers : 0;
    if (perNumber <= 0 || pooled.size(1) + numbers * perNumber != admInChannels)
        throw std::invalid_argument("the pooled text embedding of width " + std::to_string(pooled.size(1)) +
                                    " does not fit the UNet's extra conditioning of width " +
                                    std::to_string(admInChannels));
    const torch::Tensor sizes = timestepEmbedding(timeIds.flatten(), perNumber).view({timeIds.size(0), -1});
    return torch::cat({pooled.to(torch::kFloat32), sizes.to(pooled.device())}, 1);
}

ResBlockImpl::ResBlockImpl(std::int64_t in, std::int64_t out, std::int64_t embedding)
{
    auto inLayers = child(*this, "in_layers");
    inNorm = inLayers->register_module("0", groupNorm(in, 1e-5));
    inConv = inLayers->register_module("2", conv(in, out, 3));
    auto embLayers = child(*this, "emb_layers");
    embeddingProjection = embLayers->register_module("1", Linear(embedding, out));
    auto outLayers = child(*this, "out_layers");
    outNorm = outLayers->register_module("0", groupNorm(out, 1e-5));
    outConv = outLayers->register_module("3", conv(out, out, 3));
    if (in != out)
        skip = register_module("skip_connection", conv(in, out, 1));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor &x, const torch::Tensor &embeddingSilu)
{
    torch::Tensor h = inConv(torch::silu(inNorm(x)));
    h = h + embeddingProjection(embeddingSilu).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
    h = outConv(torch::silu(outNorm(h)));
    return (skip ? skip(x) : x) + h;
}

CrossAttentionImpl::CrossAttentionImpl(std::int64_t queryDim, std::int64_t contextDim, std::int64_t heads_)
    : heads(heads_)
{
    const auto projection = [](std::int64_t in, std::int64_t out) { return Linear(in, out, false); };
    toQ = register_module("to_q", projection(queryDim, queryDim));
    toK = register_module("to_k", projection(contextDim, queryDim));
    toV = register_module("to_v", projection(contextDim, queryDim));
    toOut = child(*this, "to_out")->register_module("0", Linear(queryDim, queryDim));
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &context)
{
    const torch::Tensor &source = context.defined() ? context : x;
    const torch::Tensor attended =
        scaledDotProductAttention(splitHeads(toQ(x), heads), splitHeads(toK(source), heads), splitHeads(toV(source), heads));
    return toOut(mergeHeads(attended));
}

TransformerBlockImpl::TransformerBlockImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t heads)
{
    attn1 = register_module("attn1", CrossAttention(dim, dim, heads));
    auto ff = child(*this, "ff");
    auto net = child(*ff, "net");
    ffIn = child(*net, "0")->register_module("proj", Linear(dim, dim * 4 * 2));
    ffOut = net->register_module("2", Linear(dim * 4, dim));
    attn2 = register_module("attn2", CrossAttention(dim, contextDim, heads));
    norm1 = register_module("norm1", LayerNorm(dim));
    norm2 = register_module("norm2", LayerNorm(dim));
    norm3 = register_module("norm3", LayerNorm(dim));
}

torch::Tensor TransformerBlockImpl::forward(torch::Tensor x, const torch::Tensor &context)
{
    x = x + attn1(norm1(x), torch::Tensor());
    x = x + attn2(norm2(x), context);
    const auto halves = ffIn(norm3(x)).chunk(2, -1);
    return x + ffOut(halves[0] * torch::gelu(halves[1]));
}

SpatialTransformerImpl::SpatialTransformerImpl(std::int64_t channels, std::int64_t depth, const UNetConfig &config)
    : linear(config.linearProjection)
{
    norm = register_module("norm", groupNorm(channels, 1e-6));
    if (linear)
        projInLinear = register_module("proj_in", Linear(channels, channels));
    else
        projInConv = register_module("proj_in", conv(channels, channels, 1));
    auto blockList = child(*this, "transformer_blocks");
    for (std::int64_t i = 0; i < depth; ++i)
        blocks.push_back(blockList->register_module(
            std::to_string(i), TransformerBlock(channels, config.contextDim, config.headsFor(channels))));
    if (linear)
        projOutLinear = register_module("proj_out", Linear(channels, channels));
    else
        projOutConv = register_module("proj_out", conv(channels, channels, 1));
}

torch::Tensor SpatialTransformerImpl::forward(const torch::Tensor &x, const torch::Tensor &context)
{
    const std::int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    torch::Tensor tokens = norm(x);
    if (!linear)
        tokens = projInConv(tokens);
    tokens = tokens.permute({0, 2, 3, 1}).reshape({b, h * w, c});
    if (linear)
        tokens = projInLinear(tokens);
    for (auto &block : blocks)
        tokens = block(tokens, context);
    if (linear)
        tokens = projOutLinear(tokens);
    torch::Tensor image = tokens.reshape({b, h, w, c}).permute({0, 3, 1, 2});
    if (!linear)
        image = projOutConv(image.contiguous(x.suggest_memory_format()));
    return image + x;
}

torch::Tensor UNetBlockImpl::forward(torch::Tensor x, const torch::Tensor &embeddingSilu, const torch::Tensor &context)
{
    if (convIn)
        return convIn(x);
    if (res)
        x = res(x, embeddingSilu);
    if (transformer)
        x = transformer(x, context);
    if (resAfter)
        x = resAfter(x, embeddingSilu);
    if (downsample)
        x = downsample(x);
    if (upsample)
        x = upsample(torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}));
    return x;
}

UNetModelImpl::UNetModelImpl(const UNetConfig &config_) : config(config_)
{
    const std::int64_t mc = config.modelChannels;
    const std::int64_t embedding = mc * 4;
    auto timeEmbed = child(*this, "time_embed");
    timeEmbed1 = timeEmbed->register_module("0", Linear(mc, embedding));
    timeEmbed2 = timeEmbed->register_module("2", Linear(embedding, embedding));
    if (config.admInChannels > 0) {
        auto label = child(*child(*this, "label_emb"), "0");
        labelEmbed1 = label->register_module("0", Linear(config.admInChannels, embedding));
        labelEmbed2 = label->register_module("2", Linear(embedding, embedding));
    }

    auto inputList = child(*this, "input_blocks");
    const auto addInput = [&]() {
        auto block = inputList->register_module(std::to_string(inputBlocks.size()), UNetBlock());
        inputBlocks.push_back(block);
        return block;
    };
    {
        auto first = addInput();
        first->convIn = first->register_module("0", conv(config.inChannels, mc, 3));
    }
    std::vector<std::int64_t> skipChannels{mc};
    std::int64_t channels = mc;
    const std::size_t levels = config.channelMult.size();
    for (std::size_t level = 0; level < levels; ++level) {
        const std::int64_t out = mc * config.channelMult[level];
        for (std::int64_t r = 0; r < config.resBlocksPerLevel; ++r) {
            auto block = addInput();
            block->res = block->register_module("0", ResBlock(channels, out, embedding));
            channels = out;
            if (const std::int64_t depth = config.depthAt(level); depth > 0)
                block->transformer = block->register_module("1", SpatialTransformer(channels, depth, config));
            skipChannels.push_back(channels);
        }
        if (level + 1 < levels) {
            auto block = addInput();
            block->downsample = child(*block, "0")->register_module("op", conv(channels, channels, 3, 2));
            skipChannels.push_back(channels);
        }
    }

    middleBlock = register_module("middle_block", UNetBlock());
    middleBlock->res = middleBlock->register_module("0", ResBlock(channels, channels, embedding));
    middleBlock->transformer =
        middleBlock->register_module("1", SpatialTransformer(channels, config.middleDepth(), config));
    middleBlock->resAfter = middleBlock->register_module("2", ResBlock(channels, channels, embedding));

    auto outputList = child(*this, "output_blocks");
    for (std::size_t level = levels; level-- > 0;) {
        const std::int64_t out = mc * config.channelMult[level];
        for (std::int64_t r = 0; r <= config.resBlocksPerLevel; ++r) {
            auto block = outputList->register_module(std::to_string(outputBlocks.size()), UNetBlock());
            outputBlocks.push_back(block);
            const std::int64_t skip = skipChannels.back();
            skipChannels.pop_back();
            block->res = block->register_module("0", ResBlock(channels + skip, out, embedding));
            channels = out;
            int next = 1;
            if (const std::int64_t depth = config.depthAt(level); depth > 0) {
                block->transformer = block->register_module("1", SpatialTransformer(channels, depth, config));
                next = 2;
            }
            if (level > 0 && r == config.resBlocksPerLevel)
                block->upsample = child(*block, std::to_string(next))->register_module("conv", conv(channels, channels, 3));
        }
    }
    auto outList = child(*this, "out");
    outNorm = outList->register_module("0", groupNorm(channels, 1e-5));
    outConv = outList->register_module("2", conv(channels, config.outChannels, 3));
}

torch::Tensor UNetModelImpl::forward(const torch::Tensor &x, const torch::Tensor &timesteps,
                                     const torch::Tensor &context, const torch::Tensor &y)
{
    const auto dtype = timeEmbed1->weight.scalar_type();
    torch::Tensor embedding = timeEmbed2(torch::silu(timeEmbed1(timestepEmbedding(timesteps, config.modelChannels).to(dtype))));
    if (labelEmbed1) {
        if (!y.defined() || y.dim() != 2 || y.size(1) != config.admInChannels)
            throw std::invalid_argument("this UNet needs its extra conditioning y of width " +
                                        std::to_string(config.admInChannels) +
                                        " (the pooled text and size embeddings)");
        embedding = embedding + labelEmbed2(torch::silu(labelEmbed1(y.to(dtype))));
    }
    const torch::Tensor embeddingSilu = torch::silu(embedding);
    const torch::Tensor ctx = context.to(dtype);

    torch::Tensor h = x.to(dtype);
    std::vector<torch::Tensor> skips;
    skips.reserve(inputBlocks.size());
    for (auto &block : inputBlocks) {
        h = block(h, embeddingSilu, ctx);
        skips.push_back(h);
    }
    h = middleBlock(h, embeddingSilu, ctx);
    for (auto &block : outputBlocks) {
        h = torch::cat({h, skips.back()}, 1);
        skips.pop_back();
        h = block(h, embeddingSilu, ctx);
    }
    return outConv(torch::silu(outNorm(h)));
}

UNetConfig UNetConfig::fromWeights(const StateDict &unet)
{
    UNetConfig config;
    config.modelChannels = unet.sizeOf("input_blocks.0.0.weight", StateDict::kConvolution, 0);
    config.inChannels = unet.sizeOf("input_blocks.0.0.weight", StateDict::kConvolution, 1);
    if (config.modelChannels <= 0 || config.inChannels <= 0)
        throw UnsupportedModelError(unet.source + ": \"input_blocks.0.0.weight\" has shape " +
                                    shapeText(unet.at("input_blocks.0.0.weight").sizes()) + ", which has no channels");
    config.outChannels = unet.sizeOf("out.2.weight", StateDict::kConvolution, 0);
    config.channelMult.clear();
    config.attentionAtLevel.clear();
    std::int64_t resInLevel = 0, firstLevelRes = -1;
    bool levelHasAttention = false;
    std::int64_t levelChannels = 0, levelDepth = 0;
    const auto closeLevel = [&]() {
        config.channelMult.push_back(levelChannels / config.modelChannels);
        config.attentionAtLevel.push_back(levelHasAttention);
        config.transformerDepthAtLevel.push_back(levelDepth);
        if (firstLevelRes < 0)
            firstLevelRes = resInLevel;
        resInLevel = 0;
        levelHasAttention = false;
        levelDepth = 0;
    };
    const std::set<int> blocks = unet.indicesUnder("input_blocks.");
    for (int index : blocks) {
        if (index == 0)
            continue;
        const std::string prefix = "input_blocks." + std::to_string(index) + ".";
        if (unet.contains(prefix + "0.op.weight")) {
            closeLevel();
            continue;
        }
        if (unet.contains(prefix + "0.in_layers.2.weight")) {
            ++resInLevel;
            levelChannels = unet.sizeOf(prefix + "0.in_layers.2.weight", StateDict::kConvolution, 0);
        }
        if (const torch::Tensor *projIn = unet.find(prefix + "1.proj_in.weight")) {
            levelHasAttention = true;
            config.linearProjection = projIn->dim() == 2;
            levelDepth = std::int64_t(unet.indicesUnder(prefix + "1.transformer_blocks.").size());
            config.transformerDepth = levelDepth;
        }
    }
    if (resInLevel > 0)
        closeLevel();
    if (config.channelMult.empty() || firstLevelRes <= 0)
        throw UnsupportedModelError(unet.source + ": the UNet's input blocks do not form levels of res blocks");
    config.resBlocksPerLevel = firstLevelRes;
    const std::string middleKeys = "middle_block.1.transformer_blocks.0.attn2.to_k.weight";
    if (!unet.contains(middleKeys))
        throw UnsupportedModelError(unet.source + ": the UNet has no cross-attention in its middle block "
                                                  "(\"middle_block.1.transformer_blocks.0.attn2.to_k.weight\")");
    config.contextDim = unet.sizeOf(middleKeys, StateDict::kLinear, 1);
    config.transformerDepthMiddle = std::int64_t(unet.indicesUnder("middle_block.1.transformer_blocks.").size());
    // The same depth wherever there is attention (SD 1.x/2.x) needs no list.
    bool uniform = true;
    for (std::size_t level = 0; level < config.transformerDepthAtLevel.size(); ++level)
        uniform = uniform && config.transformerDepthAtLevel[level] ==
                                 (config.attentionAtLevel[level] ? config.transformerDepth : 0);
    if (uniform && config.transformerDepthMiddle == config.transformerDepth) {
        config.transformerDepthAtLevel.clear();
        config.transformerDepthMiddle = -1;
    }
    if (unet.contains("label_emb.0.0.weight"))
        config.admInChannels = unet.sizeOf("label_emb.0.0.weight", StateDict::kLinear, 1);
    return config;
}

} // namespace atelier::engine
