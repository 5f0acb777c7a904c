#include "core/engine/nets/layers.h"

#include <cmath>

namespace atelier::engine {

LinearImpl::LinearImpl(std::int64_t in, std::int64_t out, bool withBias)
{
    weight = register_parameter("weight", torch::empty({out, in}));
    if (withBias)
        bias = register_parameter("bias", torch::empty({out}));
}

Conv2dImpl::Conv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       std::int64_t padding, bool withBias, std::int64_t groups)
    : m_stride(stride)
    , m_padding(padding)
    , m_groups(groups)
{
    weight = register_parameter("weight", torch::empty({out, in / groups, kernel, kernel}));
    if (withBias)
        bias = register_parameter("bias", torch::empty({out}));
}

ConvTranspose2dImpl::ConvTranspose2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, bool withBias)
    : m_kernel(kernel)
{
    weight = register_parameter("weight", torch::empty({in, out, kernel, kernel}));
    if (withBias)
        bias = register_parameter("bias", torch::empty({out}));
}

GroupNormImpl::GroupNormImpl(std::int64_t groups, std::int64_t channels, double eps)
    : m_groups(groups)
    , m_eps(eps)
{
    weight = register_parameter("weight", torch::empty({channels}));
    bias = register_parameter("bias", torch::empty({channels}));
}

torch::Tensor ConvTranspose2dImpl::forward(const torch::Tensor &x)
{
    const std::int64_t b = x.size(0), in = x.size(1), h = x.size(2), w = x.size(3), k = m_kernel;
    const std::int64_t out = weight.size(1);
    // [b, h, w, in] x [in, out * k * k] -> [b, h, w, out, k, k] -> [b, out, h, k, w, k]
    const torch::Tensor patches =
        torch::matmul(x.permute({0, 2, 3, 1}), besideInput(weight, x).reshape({in, out * k * k}));
    torch::Tensor y = patches.reshape({b, h, w, out, k, k}).permute({0, 3, 1, 4, 2, 5}).reshape({b, out, h * k, w * k});
    if (bias.defined())
        y = y + besideInput(bias, x).reshape({1, out, 1, 1});
    return y.contiguous(x.suggest_memory_format());
}

LayerNormImpl::LayerNormImpl(std::int64_t width, double eps, bool withBias)
    : m_eps(eps)
{
    weight = register_parameter("weight", torch::empty({width}));
    if (withBias)
        bias = register_parameter("bias", torch::empty({width}));
}

RmsNormImpl::RmsNormImpl(std::int64_t width, double eps, bool affine)
    : m_eps(eps)
{
    if (affine)
        weight = register_parameter("weight", torch::empty({width}));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor wide = x.to(torch::kFloat32);
    const torch::Tensor normed = (wide * torch::rsqrt(wide.pow(2).mean(-1, true) + m_eps)).to(x.scalar_type());
    return weight.defined() ? normed * besideInput(weight, x) : normed;
}

EmbeddingImpl::EmbeddingImpl(std::int64_t count, std::int64_t width)
{
    weight = register_parameter("weight", torch::empty({count, width}));
}

bool residentOn(torch::nn::Module &network, const torch::Device &device)
{
    for (const torch::Tensor &parameter : network.parameters())
        if (parameter.device().type() != device.type() ||
            (device.has_index() && parameter.device().index() != device.index()))
            return false;
    return true;
}

void initializeRandomly(torch::nn::Module &module)
{
    torch::NoGradGuard noGrad;
    const auto uniformByFanIn = [](const torch::Tensor &weight, const torch::Tensor &bias) {
        const double bound = 1.0 / std::sqrt(double(weight[0].numel()));
        weight.uniform_(-bound, bound);
        if (bias.defined())
            bias.uniform_(-bound, bound);
    };
    for (const std::shared_ptr<torch::nn::Module> &layer : module.modules()) {
        if (auto *linear = layer->as<LinearImpl>()) {
            uniformByFanIn(linear->weight, linear->bias);
        } else if (auto *convolution = layer->as<Conv2dImpl>()) {
            uniformByFanIn(convolution->weight, convolution->bias);
        } else if (auto *transposed = layer->as<ConvTranspose2dImpl>()) {
            uniformByFanIn(transposed->weight, transposed->bias);
        } else if (auto *embedding = layer->as<EmbeddingImpl>()) {
            embedding->weight.normal_();
        } else if (auto *norm = layer->as<GroupNormImpl>()) {
            norm->weight.fill_(1.0);
            norm->bias.zero_();
        } else if (auto *norm = layer->as<LayerNormImpl>()) {
            norm->weight.fill_(1.0);
            if (norm->bias.defined())
                norm->bias.zero_();
        } else if (auto *norm = layer->as<RmsNormImpl>()) {
            if (norm->weight.defined())
                norm->weight.fill_(1.0);
        }
    }
}

} // namespace atelier::engine
