#include "core/engine/nets/attention.h"

#include <torch/version.h>

#include <cmath>

namespace atelier::engine {

namespace {

// Keeps the plain path's score matrix under 128 MiB of float32 per slice. Full-size SD 1.5 at 512x512 (4096
// queries against 4096 keys, 8 heads, batch 2) then works on 512 queries at a time instead of materialising a
// 1 GiB score tensor. Within a run the CPU buffer cache hands the same slices out again, so large slices cost no
// page faults, and they keep the matrix products efficient: with 16 MiB slices the same UNet call took 22.2 s
// instead of 15.8 s.
constexpr std::int64_t kMaxScoreElements = 32ll * 1024 * 1024;

torch::Tensor plainAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                             const torch::Tensor &mask)
{
    const double scale = 1.0 / std::sqrt(double(q.size(-1)));
    const std::int64_t perQuery = q.size(0) * q.size(1) * k.size(2);
    const std::int64_t slice = std::max<std::int64_t>(1, kMaxScoreElements / std::max<std::int64_t>(1, perQuery));
    // The scale goes onto the queries (n·d values) rather than the scores (n·n), one pass less over the largest
    // tensor of the block.
    const torch::Tensor scaledQ = q * scale;
    const torch::Tensor keysT = k.transpose(-1, -2);
    const auto attend = [&](const torch::Tensor &qPart, const torch::Tensor &maskPart) {
        // Scores in float32 even for half inputs: softmax over fp16 scores overflows on large models.
        torch::Tensor scores = torch::matmul(qPart, keysT).to(torch::kFloat32);
        if (maskPart.defined())
            scores = scores + maskPart;
        return torch::matmul(scores.softmax(-1).to(v.scalar_type()), v);
    };
    if (q.size(2) <= slice)
        return attend(scaledQ, mask);
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < q.size(2); start += slice) {
        const std::int64_t length = std::min(slice, q.size(2) - start);
        torch::Tensor maskPart = mask.defined() && mask.size(-2) > 1 ? mask.narrow(-2, start, length) : mask;
        parts.push_back(attend(scaledQ.narrow(2, start, length), maskPart));
    }
    return torch::cat(parts, 2);
}

} // namespace

torch::Tensor scaledDotProductAttention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                                        const torch::Tensor &mask)
{
#if TORCH_VERSION_MAJOR >= 2
    if (q.is_cuda()) {
        const c10::optional<at::Tensor> attnMask = mask.defined() ? c10::optional<at::Tensor>(mask.to(q.scalar_type()))
                                                                  : c10::nullopt;
        return at::scaled_dot_product_attention(q, k, v, attnMask);
    }
#endif
    return plainAttention(q, k, v, mask);
}

torch::Tensor splitHeads(const torch::Tensor &x, std::int64_t heads)
{
    return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

torch::Tensor mergeHeads(const torch::Tensor &x)
{
    return x.transpose(1, 2).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

} // namespace atelier::engine
