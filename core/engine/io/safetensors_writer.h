#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace atelier::engine {

// Writes tensors (float32, float16, bfloat16 or int64, moved to the CPU and made contiguous) as a .safetensors file,
// through a temporary file renamed into place so that a failed write leaves nothing behind. Throws Error with the
// path and the reason (for instance a full disk).
void writeSafetensors(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace atelier::engine
