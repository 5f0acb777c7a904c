#pragma once

// Weight files as named libtorch tensors. Includes libtorch: for the engine's own sources and tests only.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <set>
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
    // The indices N that occur as "<prefix>N." in the names (numbered blocks and layers).
    std::set<int> indicesUnder(const std::string &prefix) const;
    // One dimension of a weight an architecture is read from. Each such weight belongs to a layer of known rank (a
    // convolution's has 4 dimensions, a linear layer's or an embedding's 2): a tensor of another rank, or a missing
    // one, is refused with its name, where libtorch alone would say "Dimension out of range".
    static constexpr std::int64_t kConvolution = 4, kLinear = 2;
    std::int64_t sizeOf(const std::string &name, std::int64_t rank, std::int64_t dimension) const;
};

// "[320, 4, 3, 3]"
std::string shapeText(at::IntArrayRef shape);

// Copies `weights` into `module`'s parameters (by name), converted to `dtype` on `device`, checking that every
// parameter is present with the right shape. `what` names the part in messages ("UNet"); `prefix` is the
// weights' prefix in the file, for messages.
void loadParameters(torch::nn::Module &module, const StateDict &weights, const std::string &what,
                    const std::string &prefix, torch::Device device, torch::ScalarType dtype);

// Reads a .safetensors file, or a PyTorch checkpoint (.ckpt, .pt, .pth, .bin) through the restricted unpickler.
// Throws FormatError for damaged files and UnsupportedModelError for dtypes this libtorch cannot hold.
StateDict loadWeights(const std::string &path);

} // namespace atelier::engine
