#pragma once

// The names users give devices, precisions and prediction types ("cuda:1", "bf16", "v"), read into libtorch's and
// the engine's types. Each throws std::invalid_argument for a name it does not know, listing the ones it does, and
// UnsupportedModelError for a CUDA device this build or machine lacks.
#include "core/engine/family/model_family.h"

#include <torch/torch.h>

#include <optional>
#include <string>

namespace atelier::engine {

torch::Device deviceNamed(const std::string &name);        // cpu, cuda, cuda:N
torch::ScalarType precisionNamed(const std::string &name); // fp32, fp16, bf16
// "" -> none (what the files say); epsilon, v, sample.
std::optional<Prediction> predictionNamed(const std::string &name);

} // namespace atelier::engine
