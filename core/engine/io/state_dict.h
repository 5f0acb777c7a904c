#pragma once

// Weight files as named libtorch tensors. Includes libtorch: for the engine's own sources and tests only.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace atelier::engine {

// Named tensors read from one or more weight files. Tensors read from a safetensors file or a stored checkpoint
// entry point straight into the memory map where dtype and alignment allow; the mapping stays alive as long as a
// tensor uses it.
class StateDict
{
public:
    // Where the tensors came from, for error messages ("model.safetensors").
    std::string source;
    std::map<std::string, torch::Tensor> tensors;

    const torch::Tensor *find(const std::string &name) const;
    bool contains(const std::string &name) const { return tensors.count(name) != 0; }
    // The tensor, or UnsupportedModelError naming the source and the key.
    const torch::Tensor &at(const std::string &name) const;
    // True when some name starts with `prefix`.
    bool hasPrefix(const std::string &prefix) const;
    // The tensors under `prefix`, with the prefix removed from their names.
    StateDict under(const std::string &prefix) const;
};

// Reads a .safetensors file, or a PyTorch checkpoint (.ckpt, .pt, .pth, .bin) through the restricted unpickler.
// Throws FormatError for damaged files and UnsupportedModelError for dtypes this libtorch cannot hold.
StateDict loadWeights(const std::string &path);

} // namespace atelier::engine
