#include "core/engine/nets/vae.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/attention.h"

namespace atelier::engine {

namespace {

GroupNorm normalize(std::int64_t channels, std::int64_t groups)
{
    return GroupNorm(groups, channels, 1e-6);
}

Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1, std::int64_t padding = -1)
{
    return Conv2d(in, out, kernel, stride, padding < 0 ? kernel / 2 : padding);
}

std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent, const std::string &name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

} // namespace

VaeResBlockImpl::VaeResBlockImpl(std::int64_t in, std::int64_t out, std::int64_t groups)
{
    norm1 = register_module("norm1", normalize(in, groups));
    conv1 = register_module("conv1", conv(in, out, 3));
    norm2 = register_module("norm2", normalize(out, groups));
    conv2 = register_module("conv2", conv(out, out, 3));
    if (in != out)
        shortcut = register_module("nin_shortcut", conv(in, out, 1));
}

torch::Tensor VaeResBlockImpl::forward(const torch::Tensor &x)
{
    torch::Tensor h = conv1(torch::silu(norm1(x)));
    h = conv2(torch::silu(norm2(h)));
    return (shortcut ? shortcut(x) : x) + h;
}

VaeAttentionImpl::VaeAttentionImpl(std::int64_t channels, std::int64_t groups)
{
    norm = register_module("norm", normalize(channels, groups));
    q = register_module("q", conv(channels, channels, 1));
    k = register_module("k", conv(channels, channels, 1));
    v = register_module("v", conv(channels, channels, 1));
    projOut = register_module("proj_out", conv(channels, channels, 1));
}

torch::Tensor VaeAttentionImpl::forward(const torch::Tensor &x)
{
    const std::int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const torch::Tensor normed = norm(x);
    // One head over every pixel: [b, 1, hw, c].
    const auto tokens = [&](const torch::Tensor &t) { return t.reshape({b, c, h * w}).transpose(1, 2).unsqueeze(1); };
    const torch::Tensor attended = scaledDotProductAttention(tokens(q(normed)), tokens(k(normed)), tokens(v(normed)));
    const torch::Tensor image = attended.squeeze(1).transpose(1, 2).reshape({b, c, h, w});
    return x + projOut(image.contiguous(x.suggest_memory_format()));
}

VaeMidImpl::VaeMidImpl(std::int64_t channels, const VaeConfig &config)
{
    block1 = register_module("block_1", VaeResBlock(channels, channels, config.groups));
    if (config.midAttention)
        attention = register_module("attn_1", VaeAttention(channels, config.groups));
    block2 = register_module("block_2", VaeResBlock(channels, channels, config.groups));
}

torch::Tensor VaeMidImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor h = block1(x);
    return block2(attention ? attention(h) : h);
}

VaeEncoderImpl::VaeEncoderImpl(const VaeConfig &config)
{
    convIn = register_module("conv_in", conv(config.imageChannels, config.baseChannels, 3));
    auto down = child(*this, "down");
    std::int64_t channels = config.baseChannels;
    for (std::size_t i = 0; i < config.channelMult.size(); ++i) {
        auto level = down->register_module(std::to_string(i), VaeLevel());
        auto blocks = child(*level, "block");
        const std::int64_t out = config.baseChannels * config.channelMult[i];
        for (std::int64_t j = 0; j < config.resBlocksPerLevel; ++j) {
            level->blocks.push_back(
                blocks->register_module(std::to_string(j), VaeResBlock(channels, out, config.groups)));
            channels = out;
        }
        if (i + 1 < config.channelMult.size())
            level->resample = child(*level, "downsample")->register_module("conv", conv(channels, channels, 3, 2, 0));
        levels.push_back(level);
    }
    mid = register_module("mid", VaeMid(channels, config));
    normOut = register_module("norm_out", normalize(channels, config.groups));
    convOut = register_module("conv_out", conv(channels, (config.encoderMoments ? 2 : 1) * config.latentChannels, 3));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor &image)
{
    torch::Tensor h = convIn(image);
    for (auto &level : levels) {
        for (auto &block : level->blocks)
            h = block(h);
        if (level->resample)
            h = level->resample(torch::constant_pad_nd(h, {0, 1, 0, 1}, 0));
    }
    h = mid(h);
    return convOut(torch::silu(normOut(h)));
}

VaeDecoderImpl::VaeDecoderImpl(const VaeConfig &config)
{
    const std::size_t count = config.channelMult.size();
    std::int64_t channels = config.baseChannels * config.channelMult.back();
    convIn = register_module("conv_in", conv(config.latentChannels, channels, 3));
    mid = register_module("mid", VaeMid(channels, config));
    auto up = child(*this, "up");
    levels.resize(count);
    for (std::size_t i = count; i-- > 0;) {
        auto level = up->register_module(std::to_string(i), VaeLevel());
        level->down = false;
        auto blocks = child(*level, "block");
        const std::int64_t out = config.baseChannels * config.channelMult[i];
        for (std::int64_t j = 0; j <= config.resBlocksPerLevel; ++j) {
            level->blocks.push_back(
                blocks->register_module(std::to_string(j), VaeResBlock(channels, out, config.groups)));
            channels = out;
        }
        if (i > 0)
            level->resample = child(*level, "upsample")->register_module("conv", conv(channels, channels, 3));
        levels[i] = level;
    }
    normOut = register_module("norm_out", normalize(channels, config.groups));
    convOut = register_module("conv_out", conv(channels, config.imageChannels, 3));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor &z)
{
    torch::Tensor h = mid(convIn(z));
    for (std::size_t i = levels.size(); i-- > 0;) {
        for (auto &block : levels[i]->blocks)
            h = block(h);
        if (levels[i]->resample)
            h = levels[i]->resample(torch::upsample_nearest2d(h, {h.size(2) * 2, h.size(3) * 2}));
    }
    return convOut(torch::silu(normOut(h)));
}

AutoencoderKLImpl::AutoencoderKLImpl(const VaeConfig &config_) : config(config_)
{
    encoder = register_module("encoder", VaeEncoder(config));
    decoder = register_module("decoder", VaeDecoder(config));
    quantConv = register_module("quant_conv", conv(2 * config.latentChannels, 2 * config.embedChannels, 1));
    postQuantConv = register_module("post_quant_conv", conv(config.embedChannels, config.latentChannels, 1));
}

std::pair<torch::Tensor, torch::Tensor> AutoencoderKLImpl::encodeMoments(const torch::Tensor &image)
{
    const torch::Tensor moments = quantConv(encoder(image.to(quantConv->weight.scalar_type())));
    const auto halves = moments.chunk(2, 1);
    return {halves[0], halves[1].clamp(-30.0, 20.0)};
}

torch::Tensor AutoencoderKLImpl::decodeRaw(const torch::Tensor &latent)
{
    return decoder(postQuantConv(latent.to(postQuantConv->weight.scalar_type())));
}

VaeConfig VaeConfig::fromWeights(const StateDict &vae)
{
    VaeConfig config;
    config.baseChannels = vae.sizeOf("encoder.conv_in.weight", StateDict::kConvolution, 0);
    config.imageChannels = vae.sizeOf("encoder.conv_in.weight", StateDict::kConvolution, 1);
    if (config.baseChannels <= 0 || config.imageChannels <= 0)
        throw UnsupportedModelError(vae.source + ": \"encoder.conv_in.weight\" has no channels");
    config.channelMult.clear();
    for (int level : vae.indicesUnder("encoder.down.")) {
        const std::int64_t channels =
            vae.sizeOf("encoder.down." + std::to_string(level) + ".block.0.conv1.weight", StateDict::kConvolution, 0);
        config.channelMult.push_back(channels / config.baseChannels);
    }
    if (config.channelMult.empty())
        throw UnsupportedModelError(vae.source + ": the VAE encoder has no levels (\"encoder.down.*\")");
    config.resBlocksPerLevel = std::int64_t(vae.indicesUnder("encoder.down.0.block.").size());
    config.latentChannels = vae.sizeOf("decoder.conv_in.weight", StateDict::kConvolution, 1);
    config.embedChannels = vae.sizeOf("quant_conv.weight", StateDict::kConvolution, 0) / 2;
    return config;
}

} // namespace atelier::engine
