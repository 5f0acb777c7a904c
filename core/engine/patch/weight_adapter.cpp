#include "core/engine/patch/weight_adapter.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"

#include <limits>

namespace atelier::engine {

namespace {

struct Suffix
{
    const char *text;
    std::optional<AdapterKind> kind; // none: alpha and DoRA's magnitude, which any kind may carry
    const char *part;
};

// Every suffix the trainers write, with the part it holds. Sources: kohya sd-scripts networks/lora.py
// (lora_down/lora_up/alpha), LyCORIS lycoris/modules/{locon,loha,lokr,full}.py (lora_mid, hada_*, lokr_*, diff,
// dora_scale), PEFT tuners/lora/layer.py (lora_A/lora_B, lora_magnitude_vector), diffusers' older attention
// processors ("to_q_lora.up.weight") and its kohya-style ".lora.up" names.
const Suffix kSuffixes[] = {
    {".lora_up.weight", AdapterKind::LoRA, "up"},
    {".lora_down.weight", AdapterKind::LoRA, "down"},
    {".lora_mid.weight", AdapterKind::LoRA, "mid"},
    {".lora.up.weight", AdapterKind::LoRA, "up"},
    {".lora.down.weight", AdapterKind::LoRA, "down"},
    {"_lora.up.weight", AdapterKind::LoRA, "up"},
    {"_lora.down.weight", AdapterKind::LoRA, "down"},
    {".lora_B.weight", AdapterKind::LoRA, "up"},
    {".lora_A.weight", AdapterKind::LoRA, "down"},
    {".lora_linear_layer.up.weight", AdapterKind::LoRA, "up"},
    {".lora_linear_layer.down.weight", AdapterKind::LoRA, "down"},
    {".hada_w1_a", AdapterKind::LoHa, "w1a"},
    {".hada_w1_b", AdapterKind::LoHa, "w1b"},
    {".hada_w2_a", AdapterKind::LoHa, "w2a"},
    {".hada_w2_b", AdapterKind::LoHa, "w2b"},
    {".hada_t1", AdapterKind::LoHa, "t1"},
    {".hada_t2", AdapterKind::LoHa, "t2"},
    {".lokr_w1", AdapterKind::LoKr, "w1"},
    {".lokr_w1_a", AdapterKind::LoKr, "w1_a"},
    {".lokr_w1_b", AdapterKind::LoKr, "w1_b"},
    {".lokr_w2", AdapterKind::LoKr, "w2"},
    {".lokr_w2_a", AdapterKind::LoKr, "w2_a"},
    {".lokr_w2_b", AdapterKind::LoKr, "w2_b"},
    {".lokr_t2", AdapterKind::LoKr, "t2"},
    {".diff", AdapterKind::Full, "diff"},
    {".alpha", std::nullopt, "alpha"},
    {".dora_scale", std::nullopt, "dora"},
    {".lora_magnitude_vector", std::nullopt, "dora"},
    {".lora_magnitude_vector.weight", std::nullopt, "dora"},
};

// The longest suffix of `name` in the table.
const Suffix *suffixOf(const std::string &name)
{
    const Suffix *best = nullptr;
    std::size_t bestLength = 0;
    for (const Suffix &suffix : kSuffixes) {
        const std::size_t length = std::char_traits<char>::length(suffix.text);
        if (length > bestLength && name.size() > length &&
            name.compare(name.size() - length, length, suffix.text) == 0) {
            best = &suffix;
            bestLength = length;
        }
    }
    return best;
}

// LyCORIS' Tucker rebuild: a core t [r, r, k, l] between the two factors, giving [out, in, k, l]
// (lycoris/functional/general.py rebuild_tucker: einsum "i j ..., j r, i p -> p r ...").
torch::Tensor rebuildTucker(const torch::Tensor &core, const torch::Tensor &inFactor, const torch::Tensor &outFactor)
{
    return torch::einsum("ijkl,jr,ip->prkl", {core, inFactor.flatten(1), outFactor.flatten(1)});
}

} // namespace

const char *adapterKindName(AdapterKind kind)
{
    switch (kind) {
    case AdapterKind::LoRA:
        return "LoRA";
    case AdapterKind::LoHa:
        return "LoHa";
    case AdapterKind::LoKr:
        return "LoKr";
    case AdapterKind::Full:
        return "full difference";
    }
    return "?";
}

std::int64_t WeightAdapter::rank() const
{
    switch (kind) {
    case AdapterKind::LoRA:
        return parts.at("down").size(0);
    case AdapterKind::LoHa:
        return parts.at("w1b").size(0);
    case AdapterKind::LoKr:
        if (parts.count("w1_b"))
            return parts.at("w1_b").size(0);
        if (parts.count("w2_b"))
            return parts.at("w2_b").size(0);
        return 0;
    case AdapterKind::Full:
        return 0;
    }
    return 0;
}

template <typename Part> torch::Tensor WeightAdapter::multiplyParts(const Part &part) const
{
    torch::Tensor product;
    switch (kind) {
    case AdapterKind::LoRA:
        if (parts.count("mid")) {
            // LoCon with a Tucker core: W[p,q,k,l] = Σ up[p,i]·mid[i,j,k,l]·down[j,q].
            product = torch::einsum("ijkl,jq,pi->pqkl", {part("mid"), part("down").flatten(1), part("up").flatten(1)});
        } else {
            product = torch::mm(part("up").flatten(1), part("down").flatten(1));
        }
        break;
    case AdapterKind::LoHa: {
        const torch::Tensor w1 = parts.count("t1") ? rebuildTucker(part("t1"), part("w1b"), part("w1a"))
                                                   : torch::mm(part("w1a"), part("w1b").flatten(1));
        const torch::Tensor w2 = parts.count("t2") ? rebuildTucker(part("t2"), part("w2b"), part("w2a"))
                                                   : torch::mm(part("w2a"), part("w2b").flatten(1));
        product = w1 * w2;
        break;
    }
    case AdapterKind::LoKr: {
        torch::Tensor w1 = parts.count("w1") ? part("w1") : torch::mm(part("w1_a"), part("w1_b"));
        torch::Tensor w2;
        if (parts.count("w2"))
            w2 = part("w2");
        else if (parts.count("t2"))
            w2 = rebuildTucker(part("t2"), part("w2_b"), part("w2_a"));
        else
            w2 = torch::mm(part("w2_a"), part("w2_b").flatten(1));
        if (w2.dim() == 4 && w1.dim() == 2)
            w1 = w1.unsqueeze(2).unsqueeze(2);
        product = torch::kron(w1, w2);
        break;
    }
    case AdapterKind::Full:
        product = part("diff");
        break;
    }
    return product;
}

std::string WeightAdapter::partShapes() const
{
    std::string text;
    for (const auto &[name, tensor] : parts)
        text += (text.empty() ? "" : ", ") + name + " " + shapeText(tensor.sizes());
    return text;
}

template <typename Part> torch::Tensor WeightAdapter::fittedProduct(const Part &part, at::IntArrayRef shape) const
{
    torch::Tensor product;
    try {
        product = multiplyParts(part);
    } catch (const c10::Error &) {
        throw UnsupportedModelError(key + ": its " + std::string(adapterKindName(kind)) +
                                    " parts do not fit together (" + partShapes() + ")");
    }
    std::int64_t expected = 1;
    for (std::int64_t size : shape)
        expected *= size;
    // The same count is not enough: the rows must be the weight's output channels.
    if (product.numel() != expected || shape.empty() || product.dim() < 1 || product.size(0) != shape[0])
        throw UnsupportedModelError(key + ": its " + adapterKindName(kind) + " gives " + shapeText(product.sizes()) +
                                    " (" + partShapes() + ") where the model's weight is " + shapeText(shape));
    return product;
}

void WeightAdapter::check(at::IntArrayRef shape) const
{
    const auto meta = [this](const char *name) {
        return torch::empty(parts.at(name).sizes(), torch::TensorOptions().dtype(torch::kFloat32).device(torch::kMeta));
    };
    fittedProduct(meta, shape);
    if (doraScale.defined())
        doraAxis(shape);
}

std::int64_t WeightAdapter::doraAxis(at::IntArrayRef shape) const
{
    // LyCORIS stores [1, in, 1, ...] (the norm over each column), PEFT [out] (over each row).
    if (shape.size() >= 2 && doraScale.dim() >= 2 && doraScale.size(0) == 1 && doraScale.numel() == shape[1])
        return 1;
    if (!shape.empty() && doraScale.numel() == shape[0])
        return 0;
    throw UnsupportedModelError(key + ": its DoRA magnitude " + shapeText(doraScale.sizes()) +
                                " fits neither axis of the weight " + shapeText(shape));
}

torch::Tensor WeightAdapter::delta(at::IntArrayRef shape, torch::Device device) const
{
    const auto part = [this, device](const char *name) { return parts.at(name).to(device, torch::kFloat32); };
    const torch::Tensor product = fittedProduct(part, shape);
    const std::int64_t r = rank();
    const double scale = alpha && r > 0 ? *alpha / double(r) : 1.0;
    return product.reshape(shape) * scale;
}

torch::Tensor WeightAdapter::apply(const torch::Tensor &weight, double strength) const
{
    const torch::Tensor change = delta(weight.sizes(), weight.device());
    if (!doraScale.defined())
        return weight + change * strength;
    // DoRA: the direction of W + ΔW, rescaled to the stored magnitude along the axis it keeps.
    const torch::Tensor combined = weight + change;
    const torch::Tensor magnitude = doraScale.to(weight.device(), torch::kFloat32);
    const std::int64_t keptAxis = doraAxis(weight.sizes());
    std::vector<std::int64_t> reduced;
    std::vector<std::int64_t> broadcast(std::size_t(weight.dim()), 1);
    for (std::int64_t axis = 0; axis < weight.dim(); ++axis)
        if (axis != keptAxis)
            reduced.push_back(axis);
    broadcast[std::size_t(keptAxis)] = weight.size(keptAxis);
    // A 1-dimensional weight has nothing to reduce over: each value is its own direction.
    const torch::Tensor norm =
        (reduced.empty() ? combined.abs() : combined.pow(2).sum(reduced, /*keepdim=*/true).sqrt()) +
        std::numeric_limits<float>::epsilon();
    const torch::Tensor decomposed = combined * (magnitude.reshape(broadcast) / norm);
    return weight + (decomposed - weight) * strength;
}

void WeightAdapter::applyInPlace(torch::Tensor &weight, double strength) const
{
    const bool fusable = kind == AdapterKind::LoRA && !parts.count("mid") && !doraScale.defined() &&
                         weight.is_contiguous() && weight.dim() >= 1;
    if (!fusable) {
        weight.copy_(apply(weight, strength));
        return;
    }
    const torch::Tensor up = parts.at("up").to(weight.device(), torch::kFloat32).flatten(1);
    const torch::Tensor down = parts.at("down").to(weight.device(), torch::kFloat32).flatten(1);
    if (up.size(1) != down.size(0) || up.size(0) != weight.size(0) || up.size(0) * down.size(1) != weight.numel())
        throw UnsupportedModelError(key + ": its LoRA parts (" + partShapes() + ") do not fit the weight " +
                                    shapeText(weight.sizes()));
    const std::int64_t r = rank();
    const double scale = alpha && r > 0 ? *alpha / double(r) : 1.0;
    torch::Tensor rows = weight.view({up.size(0), -1});
    rows.addmm_(up, down, /*beta=*/1.0, /*alpha=*/strength * scale);
}

AdapterSet readAdapters(const StateDict &file)
{
    AdapterSet set;
    std::map<std::string, WeightAdapter> byKey;
    for (const auto &[name, tensor] : file.tensors) {
        const Suffix *suffix = suffixOf(name);
        if (!suffix) {
            set.unknownKeys.push_back(name);
            continue;
        }
        if (!tensor.is_floating_point())
            throw FormatError(file.source + ": \"" + name + "\" is not a floating-point tensor");
        if (!torch::isfinite(tensor).all().item<bool>())
            throw FormatError(file.source + ": \"" + name + "\" holds values that are not finite; the file is damaged");
        const std::string key = name.substr(0, name.size() - std::char_traits<char>::length(suffix->text));
        WeightAdapter &adapter = byKey[key];
        adapter.key = key;
        const std::string part = suffix->part;
        if (part == "alpha") {
            if (tensor.numel() != 1)
                throw FormatError(file.source + ": \"" + name + "\" should be one number, not " +
                                  shapeText(tensor.sizes()));
            adapter.alpha = tensor.to(torch::kFloat64).item<double>();
        } else if (part == "dora") {
            adapter.doraScale = tensor;
        } else {
            if (!adapter.parts.empty() && adapter.kind != *suffix->kind)
                throw FormatError(file.source + ": \"" + key + "\" mixes " + adapterKindName(adapter.kind) + " and " +
                                  adapterKindName(*suffix->kind) + " tensors");
            // Matrices have at least two axes, Tucker cores four; a scalar or vector here is a damaged file.
            const bool core = part == "mid" || part == "t1" || part == "t2";
            const std::int64_t axes = part == "diff" ? 1 : core ? 4 : 2;
            if (tensor.dim() < axes || (core && tensor.dim() != 4))
                throw FormatError(file.source + ": \"" + name + "\" has " + std::to_string(tensor.dim()) +
                                  " dimensions; a " + std::string(adapterKindName(*suffix->kind)) + " " +
                                  (core ? "core has 4" : "matrix has at least " + std::to_string(axes)));
            adapter.kind = *suffix->kind;
            adapter.parts[part] = tensor;
        }
    }
    for (auto &[key, adapter] : byKey) {
        const auto &parts = adapter.parts;  // a structured binding cannot be captured before C++20
        const auto has = [&parts](const char *part) { return parts.count(part) != 0; };
        const char *missing = nullptr;
        if (adapter.parts.empty()) {
            set.unknownKeys.push_back(key + " (an alpha or DoRA magnitude without weights)");
            continue;
        }
        if (adapter.kind == AdapterKind::LoRA && !(has("up") && has("down")))
            missing = has("up") ? "its down (A) matrix" : "its up (B) matrix";
        else if (adapter.kind == AdapterKind::LoHa && !(has("w1a") && has("w1b") && has("w2a") && has("w2b")))
            missing = "one of hada_w1_a, hada_w1_b, hada_w2_a, hada_w2_b";
        else if (adapter.kind == AdapterKind::LoKr &&
                 !((has("w1") || (has("w1_a") && has("w1_b"))) && (has("w2") || (has("w2_a") && has("w2_b")))))
            missing = "one of its Kronecker factors";
        if (missing)
            throw FormatError(file.source + ": \"" + key + "\" lacks " + missing +
                              "; the file is damaged or incomplete");
        set.adapters.push_back(std::move(adapter));
    }
    return set;
}

} // namespace atelier::engine
