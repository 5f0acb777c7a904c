#pragma once

// Low-rank and structured weight changes as LoRA trainers store them (kohya's sd-scripts, LyCORIS, PEFT and
// diffusers). Includes libtorch: for the engine's own sources and tests only.
#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atelier::engine {

class StateDict;

enum class AdapterKind {
    LoRA, // up @ down, with an optional Tucker core ("lora_mid") for convolutions (LoCon)
    LoHa, // (w1a @ w1b) * (w2a @ w2b), the Hadamard product of two low-rank pairs
    LoKr, // kron(w1, w2), each factor whole or low-rank
    Full, // a stored difference ("diff")
};

const char *adapterKindName(AdapterKind kind);

// The change one file makes to one weight: its tensors under the trainer's own short names ("up", "down", "mid";
// "w1a", "w1b", "w2a", "w2b", "t1", "t2"; "w1", "w1_a", "w1_b", "w2", "w2_a", "w2_b", "t2"; "diff").
struct WeightAdapter
{
    std::string key; // the module as the file names it, without the suffix ("lora_unet_down_blocks_0_...")
    AdapterKind kind = AdapterKind::LoRA;
    std::map<std::string, torch::Tensor> parts;
    std::optional<double> alpha;
    torch::Tensor doraScale; // DoRA's magnitude: [out, 1, ...] or [1, in, ...]; undefined without DoRA

    // The rank the alpha is divided by (LyCORIS' rule per kind); 0 when the kind has none.
    std::int64_t rank() const;
    // Checks, from the parts' shapes alone (on meta tensors: nothing is computed), that the adapter makes a change of
    // `shape` and that its DoRA magnitude fits. Throws UnsupportedModelError naming the key and the parts' shapes.
    void check(at::IntArrayRef shape) const;
    // ΔW for a weight of `shape`, already scaled by alpha / rank but not by the strength; float32 on `device`.
    // Throws UnsupportedModelError naming the key when the parts do not multiply or do not fit `shape`.
    torch::Tensor delta(at::IntArrayRef shape, torch::Device device = torch::kCPU) const;
    // The patched weight W' for `weight` (float32): W + strength·ΔW, or with DoRA W + strength·(m·V/‖V‖ − W) where
    // V = W + ΔW and the norm runs over every axis but the one `doraScale` keeps (DoRA, Liu et al. 2024, eq. 5).
    torch::Tensor apply(const torch::Tensor &weight, double strength) const;
    // The same, in place on a float32 weight. A plain LoRA is one fused W += s·(alpha/rank)·up·down (addmm), with
    // no temporary of the weight's size: what makes patching fast and light.
    void applyInPlace(torch::Tensor &weight, double strength) const;

private:
    template <typename Part> torch::Tensor multiplyParts(const Part &part) const;
    // The parts' product, checked to make a change of `shape`; throws UnsupportedModelError naming the shapes.
    template <typename Part> torch::Tensor fittedProduct(const Part &part, at::IntArrayRef shape) const;
    // "lora_up [320, 4], lora_down [4, 768]": the parts as messages name them.
    std::string partShapes() const;
    // The weight axis DoRA's magnitude keeps (0: rows, 1: columns); throws when it fits neither.
    std::int64_t doraAxis(at::IntArrayRef shape) const;
};

// The adapters of a LoRA/LyCORIS file, grouped by module. Keys the formats do not define, and alphas or DoRA
// magnitudes without weights, are returned in `unknownKeys`. Throws FormatError (naming `file.source` and the key)
// for a group missing one of its halves, a part of the wrong dimensionality, or values that are not finite.
struct AdapterSet
{
    std::vector<WeightAdapter> adapters;
    std::vector<std::string> unknownKeys;
};
AdapterSet readAdapters(const StateDict &file);

} // namespace atelier::engine
