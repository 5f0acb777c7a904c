#pragma once

// MUSE's training objective: a share of each image's tokens masked by the cosine schedule, and the cross-entropy of
// the transformer's predictions at the masked positions (diffusers' train_amused.py, open-muse's train_muse.py).
// Includes libtorch: for the engine's own sources and tests only.
#include <torch/torch.h>

#include <cstdint>

namespace atelier::engine {

// A batch's tokens with some of them hidden: what the transformer reads and what it must predict.
struct MaskedTokens
{
    torch::Tensor inputIds;    // [b, h, w] int64: the mask id where masked, the token elsewhere
    torch::Tensor labels;      // [b, h * w] int64: the token where masked, kIgnoredLabel elsewhere
    torch::Tensor maskedCount; // [b] float32: how many positions each row masks, as the schedule computed it
};

constexpr std::int64_t kIgnoredLabel = -100; // PyTorch's cross_entropy ignore_index

// Masks `tokens` [b, h, w] from two uniform draws: `timestepUniform` [b] picks each row's share, cos(t * pi / 2)
// clipped below at `minMaskingRate`, and n = round(h * w * share) (half to even, at least 1); `maskUniform`
// [b, h * w] picks where: position j is masked when argsort(u)[j] < n, as the reference computes it (which is not
// "the n smallest u"). All in float32.
MaskedTokens maskTokens(const torch::Tensor &tokens, const torch::Tensor &timestepUniform,
                        const torch::Tensor &maskUniform, std::int64_t maskId, double minMaskingRate = 0.0);

// -log p(label) at each masked position of `logits` [b, K, h, w], 0 elsewhere: [b, h * w] float32.
torch::Tensor maskedTokenNll(const torch::Tensor &logits, const torch::Tensor &labels);

// The loss: the cross-entropy summed over every masked position of the batch and divided by their count (a mean
// over tokens, not over images); with `labelSmoothing` (open-muse's 0.1) each target keeps 1 - s and spreads s over
// the codebook.
torch::Tensor maskedTokenLoss(const torch::Tensor &logits, const torch::Tensor &labels, double labelSmoothing = 0.0);

} // namespace atelier::engine
