#pragma once

// The layers the networks are built of: torch::nn's Linear, Conv2d, ConvTranspose2d, GroupNorm, LayerNorm and
// Embedding, and the RMSNorm of diffusers' transformers, computing
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

// Square kernels, zero padding; `groups` == in == out makes it depthwise.
class Conv2dImpl : public torch::nn::Module
{
public:
    Conv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1,
               std::int64_t padding = 0, bool bias = true, std::int64_t groups = 1);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::conv2d(x, besideInput(weight, x), besideInput(bias, x), m_stride, m_padding, 1, m_groups);
    }

    torch::Tensor weight, bias;

private:
    std::int64_t m_stride, m_padding, m_groups;
};
TORCH_MODULE(Conv2d);

// Upsampling by `kernel` with a kernel of that size (stride = kernel, no padding): every input pixel becomes a
// kernel x kernel patch. Computed as one matrix product and a reshuffle, which is exactly the transposed convolution
// for these strides; libtorch 1.13's CPU transposed convolution in bfloat16 returns a grid of the wrong size.
class ConvTranspose2dImpl : public torch::nn::Module
{
public:
    ConvTranspose2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, bool bias = true);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight, bias;

private:
    std::int64_t m_kernel;
};
TORCH_MODULE(ConvTranspose2d);

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
    explicit LayerNormImpl(std::int64_t width, double eps = 1e-5, bool bias = true);
    torch::Tensor forward(const torch::Tensor &x)
    {
        return torch::layer_norm(x, {weight.size(0)}, besideInput(weight, x), besideInput(bias, x), m_eps);
    }

    torch::Tensor weight, bias;

private:
    double m_eps;
};
TORCH_MODULE(LayerNorm);

// x / rms(x) over the last dimension, computed in float32, times a weight when the norm has one (diffusers'
// RMSNorm).
class RmsNormImpl : public torch::nn::Module
{
public:
    RmsNormImpl(std::int64_t width, double eps, bool affine = true);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight;

private:
    double m_eps;
};
TORCH_MODULE(RmsNorm);

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
