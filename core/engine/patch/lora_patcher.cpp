#include "core/engine/patch/lora_patcher.h"

#include "core/engine/device/runtime.h"
#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace atelier::engine {

namespace {

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool startsWith(const std::string &text, const std::string &prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

// The input width of an adapter's layer, where its kind states it.
std::int64_t inputWidth(const WeightAdapter &adapter)
{
    if (adapter.kind == AdapterKind::LoRA)
        return adapter.parts.at("down").dim() >= 2 ? adapter.parts.at("down").size(1) : 0;
    if (adapter.kind == AdapterKind::LoHa && !adapter.parts.count("t1"))
        return adapter.parts.at("w1b").dim() >= 2 ? adapter.parts.at("w1b").size(1) : 0;
    return 0;
}

// "SD 1.x" for "sd-1", as messages name bases.
std::string baseLabel(const std::string &base)
{
    if (base == "sd-1")
        return "SD 1.x";
    if (base == "sd-2")
        return "SD 2.x";
    if (base == "sdxl")
        return "SDXL";
    return base;
}

std::string fileName(const std::string &path)
{
    return std::filesystem::path(path).filename().string();
}

} // namespace

std::string loraBase(const AdapterSet &adapters)
{
    // Cross-attention keys and values read the text encoder's states: 768 wide for SD 1.x (CLIP ViT-L), 1024 for
    // SD 2.x (OpenCLIP ViT-H), 2048 for SDXL (both encoders side by side). The text encoder's own layers tell the
    // same from their width when a file has no UNet part.
    std::string byText;
    for (const WeightAdapter &adapter : adapters.adapters) {
        const std::string &key = adapter.key;
        // aMUSEd's U-ViT, under the names diffusers' train_amused.py saves: its attention widths can equal SD's.
        if (startsWith(key, "transformer.transformer_layers.") || startsWith(key, "transformer.down_block.") ||
            startsWith(key, "transformer.up_block."))
            return "amused";
        if (startsWith(key, "lora_te1_") || startsWith(key, "lora_te2_") || startsWith(key, "text_encoder_2."))
            return "sdxl";
        const std::int64_t width = inputWidth(adapter);
        if (endsWith(key, "attn2_to_k") || endsWith(key, "attn2.to_k") || endsWith(key, "attn2_to_v") ||
            endsWith(key, "attn2.to_v")) {
            if (width == 768)
                return "sd-1";
            if (width == 1024)
                return "sd-2";
            if (width == 2048)
                return "sdxl";
        }
        if (byText.empty() && (endsWith(key, "self_attn_q_proj") || endsWith(key, "self_attn.q_proj")))
            byText = width == 768 ? "sd-1" : width == 1024 ? "sd-2" : "";
    }
    return byText;
}

void LoRAPatcher::addWeight(PatchedNetwork network, const std::vector<std::string> &aliases, torch::Tensor parameter,
                            torch::Tensor original)
{
    const std::size_t index = m_weights.size();
    m_weights.push_back({network, std::move(parameter), std::move(original)});
    for (const std::string &alias : aliases)
        m_byAlias.emplace(alias, index);
}

LoRAPatcher::Plan LoRAPatcher::plan(const std::vector<LoRAApplication> &loras, const std::string &modelBase) const
{
    Plan plan;
    plan.sets.reserve(loras.size()); // steps point into the sets' adapters
    for (const LoRAApplication &lora : loras) {
        const std::string name = fileName(lora.path);
        if (!std::isfinite(lora.strengthModel) || !std::isfinite(lora.strengthClip))
            throw std::invalid_argument(name + ": a LoRA strength must be a finite number");
        plan.sets.push_back(readAdapters(loadWeights(lora.path)));
        const AdapterSet &set = plan.sets.back();
        LoRAReport report;
        report.path = lora.path;
        report.base = loraBase(set);
        if (!report.base.empty() && !modelBase.empty() && report.base != modelBase)
            throw UnsupportedModelError(name + ": a LoRA for " + baseLabel(report.base) + " models; this model is " +
                                        baseLabel(modelBase));
        if (set.adapters.empty())
            throw UnsupportedModelError(
                name + ": no LoRA or LyCORIS weights in this file" +
                (set.unknownKeys.empty() ? std::string() : " (its first key is \"" + set.unknownKeys.front() + "\")"));
        for (const WeightAdapter &adapter : set.adapters) {
            const auto found = m_byAlias.find(adapter.key);
            if (found == m_byAlias.end()) {
                report.keysNotLoaded.push_back(adapter.key);
                continue;
            }
            const Weight &weight = m_weights[found->second];
            try {
                adapter.check(weight.parameter.sizes());
            } catch (const UnsupportedModelError &error) {
                throw UnsupportedModelError(name + ": " + error.what() +
                                            "; the LoRA was made for a model of another base or size");
            }
            const bool unet = weight.network == PatchedNetwork::UNet;
            (unet ? report.unetWeights : report.textWeights) += 1;
            const double strength = unet ? lora.strengthModel : lora.strengthClip;
            if (strength != 0.0)
                plan.steps.push_back({found->second, &adapter, strength});
        }
        report.keysNotLoaded.insert(report.keysNotLoaded.end(), set.unknownKeys.begin(), set.unknownKeys.end());
        if (report.unetWeights + report.textWeights == 0)
            throw UnsupportedModelError(name + ": none of its " + std::to_string(set.adapters.size()) +
                                        " layers matches a weight of this model (the first is \"" +
                                        set.adapters.front().key + "\"); it was made for another kind of model");
        plan.reports.push_back(std::move(report));
    }
    // Each weight once, with every LoRA that changes it in the given order.
    std::stable_sort(plan.steps.begin(), plan.steps.end(),
                     [](const Step &a, const Step &b) { return a.weight < b.weight; });
    return plan;
}

std::vector<LoRAReport> LoRAPatcher::apply(const std::vector<LoRAApplication> &loras, const std::string &modelBase)
{
    Plan next = plan(loras, modelBase); // throws before any weight changes
    const std::vector<LoRAApplication> previous = m_applied;
    restore();
    try {
        patchWeights(next.steps);
    } catch (...) {
        // Rare (memory, a file changed under us): put back what was applied before, or at least the loaded weights.
        restore();
        try {
            patchWeights(plan(previous, modelBase).steps);
            m_applied = previous;
        } catch (...) {
            restore();
        }
        throw;
    }
    m_applied = loras;
    return next.reports;
}

namespace {

// Where a GPU weight's value before patching is kept, so that taking the patch off is a copy back.
enum class BackupPlace { Device, PinnedHost, None };

// On the device while it keeps room to spare for a run's activations after holding every backup (a device copy
// back takes milliseconds), else in pinned host memory (tens of GB/s; libtorch keeps freed pinned blocks for reuse),
// else nowhere: the weight then comes back from its file's mapping (pageable memory, a few GB/s).
BackupPlace backupPlaceFor(std::int64_t backupBytes, const torch::Device &device)
{
    if (backupBytes == 0)
        return BackupPlace::None;
    const int index = device.has_index() ? device.index() : 0;
    DeviceInfo info{DeviceKind::Cuda, index, device.str(), device.str()};
    const std::int64_t spare = std::max<std::int64_t>(2ll << 30, deviceMemoryBytes(info) / 5);
    return deviceFreeBytes(index) - backupBytes >= spare ? BackupPlace::Device : BackupPlace::PinnedHost;
}

torch::Tensor backupOf(const torch::Tensor &parameter, BackupPlace place)
{
    if (place == BackupPlace::Device) {
        try {
            return parameter.detach().clone();
        } catch (const c10::Error &) {
            place = BackupPlace::PinnedHost; // the room went to something else meanwhile
        }
    }
    if (place == BackupPlace::PinnedHost) {
        try {
            torch::Tensor backup =
                torch::empty_like(parameter, parameter.options().device(torch::kCPU).pinned_memory(true));
            backup.copy_(parameter.detach(), /*non_blocking=*/true);
            return backup;
        } catch (const c10::Error &) {
            // No pinned memory to be had: restored from the file instead.
        }
    }
    return {};
}

} // namespace

void LoRAPatcher::patchWeights(const std::vector<Step> &steps)
{
    torch::NoGradGuard noGrad;
    std::int64_t backupBytes = 0;
    torch::Device gpu = torch::kCPU;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Weight &weight = m_weights[steps[i].weight];
        if ((i == 0 || steps[i - 1].weight != steps[i].weight) && weight.parameter.is_cuda() &&
            !weight.parameter.is_alias_of(weight.original)) {
            backupBytes += weight.parameter.numel() * std::int64_t(weight.parameter.element_size());
            gpu = weight.parameter.device();
        }
    }
    const BackupPlace place = backupPlaceFor(backupBytes, gpu);
    for (std::size_t first = 0; first < steps.size();) {
        const std::size_t index = steps[first].weight;
        Weight &weight = m_weights[index];
        torch::Tensor &parameter = weight.parameter;
        // A float32 parameter with storage of its own is patched where it is; a view into the read-only mapping of
        // the file, or a reduced-precision one, through a float32 copy.
        const bool mapped = parameter.is_alias_of(weight.original);
        const bool direct = !mapped && parameter.scalar_type() == torch::kFloat32 && parameter.is_contiguous();
        // Recorded first, so that a failure halfway through this weight is restored with the rest (a mapped one by
        // its own storage: the mapping cannot be written).
        m_patched.push_back({index, mapped ? parameter.data() : torch::Tensor(),
                             !mapped && parameter.is_cuda() ? backupOf(parameter, place) : torch::Tensor()});
        torch::Tensor value = direct ? parameter.detach() : parameter.detach().to(torch::kFloat32).contiguous();
        if (!direct && value.is_alias_of(parameter))
            value = value.clone();
        for (std::size_t next = first; next < steps.size() && steps[next].weight == index; ++next, first = next)
            steps[next].adapter->applyInPlace(value, steps[next].strength);
        if (mapped) {
            parameter.set_data(value.to(parameter.dtype()).contiguous(parameter.suggest_memory_format()));
        } else if (!direct) {
            parameter.detach().copy_(value);
        }
    }
}

void LoRAPatcher::restore()
{
    torch::NoGradGuard noGrad;
    for (const Patched &patched : m_patched) {
        Weight &weight = m_weights[patched.weight];
        if (patched.loaded.defined()) {
            weight.parameter.set_data(patched.loaded);
        } else if (patched.backup.defined()) {
            weight.parameter.detach().copy_(patched.backup, /*non_blocking=*/true);
        } else {
            weight.parameter.detach().copy_(weight.original.to(weight.parameter.device(), weight.parameter.dtype()));
        }
    }
    m_patched.clear();
    m_applied.clear();
}

} // namespace atelier::engine
