#pragma once

// The layers the networks are built of: torch::nn's Linear, Conv2d, GroupNorm, LayerNorm and Embedding, computing
// the same functions under the same parameter names, but with their parameters allocated and left uninitialised.
// Every weight is replaced by the file's (loadParameters), so torch::nn's random initialisation would only spend
// time and, writing every page, memory: an SDXL UNet's 2.6 billion float32 weights are 10 GB before the file's
// replace them, where untouched allocations never become resident. Networks that are to run on weights of their
// own (benchmarks, tests) get them from initializeRandomly.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace atelier::engine {

// `weight` on the device of the `input` it computes with. A network the model cache loaded partially (its device
// budget too small for all of it) keeps some layers' weights in RAM; they are copied in for each call.
inline torch::Tensor besideInput(const torch::Tensor &weight, const torch::Tensor &input)
{
    return !weight.defined() || weight.device() == input.device() ? weight : weight.to(input.device(), true);
}

// True when every parameter of `network` is on `device` (a network loaded partially is not).
bool residentOn(torch::nn::Module &network, const torch::Device &device);

class LinearImpl : public torch::nn::Module
{
public:
    LinearImpl(std::int64_t in, std::int64_t out, bool bias = true);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::linear(x, besideInput(weight, x), besideInput(bias, x));
    }

    torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

// Square kernels, zero padding.
class Conv2dImpl : public torch::nn::Module
{
public:
    Conv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1,
               std::int64_t padding = 0);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::conv2d(x, besideInput(weight, x), besideInput(bias, x), m_stride, m_padding);
    }

    torch::Tensor weight, bias;

private:
    std::int64_t m_stride, m_padding;
};
TORCH_MODULE(Conv2d);

class GroupNormImpl : public torch::nn::Module
{
public:
    GroupNormImpl(std::int64_t groups, std::int64_t channels, double eps = 1e-5);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::group_norm(x, m_groups, besideInput(weight, x), besideInput(bias, x), m_eps);
    }

    torch::Tensor weight, bias;

private:
    std::int64_t m_groups;
    double m_eps;
};
TORCH_MODULE(GroupNorm);

// Over the last dimension.
class LayerNormImpl : public torch::nn::Module
{
public:
    explicit LayerNormImpl(std::int64_t width, double eps = 1e-5);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::layer_norm(x, {weight.size(0)}, besideInput(weight, x), besideInput(bias, x), m_eps);
    }

    torch::Tensor weight, bias;

private:
    double m_eps;
};
TORCH_MODULE(LayerNorm);

class EmbeddingImpl : public torch::nn::Module
{
public:
    EmbeddingImpl(std::int64_t count, std::int64_t width);
    torch::Tensor forward(const torch::Tensor &ids) { return torch::embedding(besideInput(weight, ids), ids); }

    torch::Tensor weight;
};
TORCH_MODULE(Embedding);

// Gives every layer under `module` the weights torch::nn would have drawn (uniform within ±1/√fan-in for linear
// and convolution weights and biases, normal for embeddings, ones and zeros for norms), from libtorch's global
// generator (torch::manual_seed makes them repeatable).
void initializeRandomly(torch::nn::Module &module);

} // namespace atelier::engine
