#pragma once

#include <torch/torch.h>

namespace atelier::engine {

// softmax(q kᵀ / sqrt(d)) v over [batch, heads, tokens, head_dim] tensors, with an optional additive mask. Uses
// libtorch's fused scaled_dot_product_attention where this libtorch has it (flash / memory-efficient kernels on
// CUDA), and otherwise a plain path that processes queries in slices so that large images fit on the CPU.
torch::Tensor scaledDotProductAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                        const torch::Tensor &mask = {});

// [b, n, heads*d] -> [b, heads, n, d]
torch::Tensor splitHeads(const torch::Tensor &x, std::int64_t heads);
// [b, heads, n, d] -> [b, n, heads*d]
torch::Tensor mergeHeads(const torch::Tensor &x);

} // namespace atelier::engine
