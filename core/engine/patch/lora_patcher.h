#pragma once

// Applying LoRA/LyCORIS files to a loaded model's weights and taking them off again, without reading the checkpoint
// again. Includes libtorch: for the engine's own sources and tests only.
#include "core/engine/patch/lora_use.h"
#include "core/engine/patch/weight_adapter.h"

#include <torch/torch.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace atelier::engine {

// Which network of the model a LoRA weight changes; the strengths are per network.
enum class PatchedNetwork { UNet, TextEncoder };

// The base a LoRA was trained for, from its key names and layer widths ("sd-1", "sd-2", "sdxl"), or empty when
// they are not those of a released model (test models, unusual trainers).
std::string loraBase(const AdapterSet &adapters);

// The patchable weights of one model under every name LoRA files give them, and the originals to restore.
// Thread: the caller's; not for concurrent use with a forward pass of the same model.
class LoRAPatcher
{
public:
    // Registers `parameter` (a module's weight, shared with the module) under its `aliases` (the module names the
    // formats use, without ".weight"). `original` is the tensor the weight was loaded from (a view into the mapped
    // file): weights in RAM are restored from it, so no copy of them is kept; see restore() for those on a GPU.
    void addWeight(PatchedNetwork network, const std::vector<std::string> &aliases, torch::Tensor parameter,
                   torch::Tensor original);

    // Takes off what is applied and applies `loras` in order (each on the result of the one before, as ComfyUI
    // stacks them). Every file is read and checked first: a damaged file (FormatError), one made for another base
    // than `modelBase`, one whose keys match no weight, or one whose shapes do not fit (UnsupportedModelError), or
    // a strength that is not finite (std::invalid_argument) throws before any weight changes, and the model keeps
    // what it had. Patches are computed in float32.
    std::vector<LoRAReport> apply(const std::vector<LoRAApplication> &loras, const std::string &modelBase);

    // Puts every patched weight back to its loaded value, exactly; applied() is empty after. A weight on a GPU comes
    // back from the copy patching kept of it, on the device when it has room to spare or in pinned host memory,
    // rather than from its file's mapping (pageable memory, a few GB/s: half a second for an SDXL LoRA's weights).
    void restore();

    std::size_t patchedWeights() const { return m_patched.size(); }
    // What the last successful apply() applied.
    const std::vector<LoRAApplication> &applied() const { return m_applied; }

private:
    struct Step
    {
        std::size_t weight;
        const WeightAdapter *adapter;
        double strength;
    };
    // The files read and checked, and the steps to patch with (sorted by weight, in LoRA order within one).
    struct Plan
    {
        std::vector<AdapterSet> sets;
        std::vector<Step> steps;
        std::vector<LoRAReport> reports;
    };
    Plan plan(const std::vector<LoRAApplication> &loras, const std::string &modelBase) const;
    void patchWeights(const std::vector<Step> &steps);

    struct Weight
    {
        PatchedNetwork network = PatchedNetwork::UNet;
        torch::Tensor parameter;
        torch::Tensor original;
    };
    struct Patched
    {
        std::size_t weight = 0;
        torch::Tensor loaded; // the parameter's storage before patching, when it was replaced rather than written
        torch::Tensor backup; // a GPU weight's value before patching (on the device or in pinned host memory)
    };

    std::vector<Weight> m_weights;
    std::unordered_map<std::string, std::size_t> m_byAlias;
    std::vector<Patched> m_patched;
    std::vector<LoRAApplication> m_applied;
};

} // namespace atelier::engine
