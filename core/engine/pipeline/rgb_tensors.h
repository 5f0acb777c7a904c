#pragma once

// RgbImage (8-bit RGB, generate.h's plain type) to and from image tensors in [0, 1].
#include "core/engine/pipeline/generate.h"

#include <torch/torch.h>

namespace atelier::engine {

// [3, H, W] in [0, 1] (any device and float dtype) -> 8-bit RGB, rounded.
RgbImage toRgb(const torch::Tensor &image);
// -> [1, 3, H, W] float32 in [0, 1]. Throws std::invalid_argument when the pixels do not match the size.
torch::Tensor fromRgb(const RgbImage &image);

} // namespace atelier::engine
