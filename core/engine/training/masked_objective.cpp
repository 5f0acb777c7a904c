#include "core/engine/training/masked_objective.h"

#include <cmath>
#include <stdexcept>

namespace atelier::engine {

namespace {

// [b, K, h, w] -> [b * h * w, K]: batch-major, positions row-major, as the labels are laid out.
torch::Tensor logitsPerPosition(const torch::Tensor &logits)
{
    const std::int64_t codebook = logits.size(1);
    return logits.reshape({logits.size(0), codebook, -1}).permute({0, 2, 1}).reshape({-1, codebook});
}

} // namespace

MaskedTokens maskTokens(const torch::Tensor &tokens, const torch::Tensor &timestepUniform,
                        const torch::Tensor &maskUniform, std::int64_t maskId, double minMaskingRate)
{
    if (tokens.dim() != 3)
        throw std::invalid_argument("tokens to mask must be a batch of grids [b, h, w]");
    const std::int64_t batch = tokens.size(0), positions = tokens.size(1) * tokens.size(2);
    if (timestepUniform.sizes() != at::IntArrayRef{batch} || maskUniform.sizes() != at::IntArrayRef{batch, positions})
        throw std::invalid_argument("the masking draws do not fit the token grid");
    const torch::Tensor share = torch::cos(timestepUniform.to(torch::kFloat32) * M_PI * 0.5).clamp_min(minMaskingRate);
    const torch::Tensor count = (share * double(positions)).round().clamp_min(1.0);
    const torch::Tensor masked = maskUniform.to(torch::kFloat32).argsort(std::int64_t(-1)) < count.unsqueeze(-1);
    const torch::Tensor flat = tokens.reshape({batch, positions}).to(torch::kInt64);
    return {torch::where(masked, torch::full_like(flat, maskId), flat).reshape(tokens.sizes()),
            torch::where(masked, flat, torch::full_like(flat, kIgnoredLabel)), count};
}

torch::Tensor maskedTokenNll(const torch::Tensor &logits, const torch::Tensor &labels)
{
    const torch::Tensor logProbabilities = logitsPerPosition(logits).to(torch::kFloat32).log_softmax(-1);
    const torch::Tensor flat = labels.reshape({-1});
    const torch::Tensor masked = flat != kIgnoredLabel;
    const torch::Tensor picked =
        -logProbabilities.gather(1, torch::where(masked, flat, torch::zeros_like(flat)).unsqueeze(1)).squeeze(1);
    return torch::where(masked, picked, torch::zeros_like(picked)).reshape(labels.sizes());
}

torch::Tensor maskedTokenLoss(const torch::Tensor &logits, const torch::Tensor &labels, double labelSmoothing)
{
    return torch::cross_entropy_loss(logitsPerPosition(logits), labels.reshape({-1}), {}, at::Reduction::Mean,
                                     kIgnoredLabel, labelSmoothing);
}

} // namespace atelier::engine
