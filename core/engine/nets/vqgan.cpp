#include "core/engine/nets/vqgan.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"

namespace atelier::engine {

VqGanImpl::VqGanImpl(const VqGanConfig &config_)
    : config(config_)
{
    const std::int64_t width = config.coder.latentChannels;
    encoder = register_module("encoder", VaeEncoder(config.coder));
    decoder = register_module("decoder", VaeDecoder(config.coder));
    quantConv = register_module("quant_conv", Conv2d(width, width, 1));
    postQuantConv = register_module("post_quant_conv", Conv2d(width, width, 1));
    auto quantize = register_module("quantize", std::make_shared<torch::nn::Module>());
    codebook = quantize->register_module("embedding", Embedding(config.codebookSize, width));
}

torch::Tensor VqGanImpl::encodeLatents(const torch::Tensor &image)
{
    return quantConv(encoder(image.to(quantConv->weight.scalar_type())));
}

torch::Tensor VqGanImpl::nearestTokens(const torch::Tensor &latents)
{
    const std::int64_t b = latents.size(0), e = latents.size(1), h = latents.size(2), w = latents.size(3);
    const torch::Tensor rows = latents.permute({0, 2, 3, 1}).reshape({b * h * w, e}).to(torch::kFloat32);
    const torch::Tensor distances = torch::cdist(rows, besideInput(codebook->weight, rows).to(torch::kFloat32));
    return distances.argmin(1).reshape({b, h, w});
}

torch::Tensor VqGanImpl::codebookRows(const torch::Tensor &tokens)
{
    if (tokens.numel() > 0 &&
        (tokens.min().item<std::int64_t>() < 0 || tokens.max().item<std::int64_t>() >= config.codebookSize))
        throw std::invalid_argument("a token id outside the VQ-GAN's codebook of " +
                                    std::to_string(config.codebookSize) + " (a masked position left undecided?)");
    return codebook(tokens).permute({0, 3, 1, 2}).contiguous();
}

torch::Tensor VqGanImpl::decodeTokens(const torch::Tensor &tokens)
{
    return decoder(postQuantConv(codebookRows(tokens)));
}

VqGanConfig VqGanConfig::fromWeights(const StateDict &weights, std::int64_t groups)
{
    VqGanConfig config;
    config.coder = VaeConfig::fromWeights(weights);
    config.coder.groups = groups;
    config.coder.midAttention = weights.hasPrefix("encoder.mid.attn_1.");
    config.coder.encoderMoments = false;
    config.coder.scaleFactor = 1.0;
    config.codebookSize = weights.sizeOf("quantize.embedding.weight", StateDict::kLinear, 0);
    const std::int64_t rowWidth = weights.sizeOf("quantize.embedding.weight", StateDict::kLinear, 1);
    const std::int64_t encoderOut = weights.sizeOf("encoder.conv_out.weight", StateDict::kConvolution, 0);
    if (rowWidth != config.coder.latentChannels || encoderOut != rowWidth)
        throw UnsupportedModelError(weights.source + ": the codebook rows (" + std::to_string(rowWidth) +
                                    " wide) do not fit the encoder's " + std::to_string(encoderOut) +
                                    " and the decoder's " + std::to_string(config.coder.latentChannels) +
                                    " latent channels");
    for (std::int64_t channels :
         {config.coder.baseChannels, config.coder.baseChannels * config.coder.channelMult.back()})
        if (groups <= 0 || channels % groups != 0)
            throw UnsupportedModelError(weights.source + ": " + std::to_string(groups) + " norm groups do not divide " +
                                        std::to_string(channels) + " channels");
    return config;
}

} // namespace atelier::engine
