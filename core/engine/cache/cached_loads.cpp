#include "core/engine/cache/cached_loads.h"

#include "core/engine/device/runtime.h"
#include "core/engine/error.h"

#include <cstdio>
#include <filesystem>

namespace atelier::engine {

namespace {

namespace fs = std::filesystem;

std::string dtypeName(torch::ScalarType dtype)
{
    switch (dtype) {
    case torch::kFloat16:
        return "float16";
    case torch::kBFloat16:
        return "bfloat16";
    case torch::kFloat32:
        return "float32";
    default:
        return c10::toString(dtype);
    }
}

// The cache key's device; a GPU's memory is told to the cache, for budgets taken from it.
std::string deviceText(const torch::Device &device)
{
    if (device.is_cpu())
        return "cpu";
    if (device.is_cuda()) {
        const DeviceInfo info{DeviceKind::Cuda, device.has_index() ? device.index() : 0, "", ""};
        ModelCache::shared().setDeviceMemory(device.str(), deviceMemoryBytes(info));
    }
    return device.str();
}

// The bytes `weights` take at `dtype`, from their shapes alone (the estimate before loading).
std::int64_t bytesAt(const StateDict &weights, torch::ScalarType dtype)
{
    std::int64_t bytes = 0;
    for (const auto &[name, tensor] : weights.tensors)
        if (tensor.is_floating_point())
            bytes += tensor.numel() * std::int64_t(torch::elementSize(dtype));
    return bytes;
}

// A parameter moved to `device`, in the layout the loaders give it there (channels-last convolutions on a GPU).
torch::Tensor movedTo(const torch::Tensor &parameter, const torch::Device &device)
{
    torch::Tensor moved = parameter.to(device);
    if (moved.dim() == 4 && device.is_cuda())
        moved = moved.contiguous(torch::MemoryFormat::ChannelsLast);
    return moved;
}

std::string reportLine(const SubmodelKey &key, const CacheFetch &fetch)
{
    std::string from;
    switch (fetch.from) {
    case CacheFetch::From::Disk:
        from = "from disk";
        break;
    case CacheFetch::From::Ram:
        from = key.device == "cpu" ? "from RAM" : "from RAM to " + key.device;
        break;
    case CacheFetch::From::Device:
        from = "already on " + key.device;
        break;
    }
    std::string size = sizeText(fetch.bytes);
    if (fetch.onDevice < fetch.bytes)
        size = sizeText(fetch.onDevice) + " of " + size + " on " + key.device + ", the rest streamed from RAM";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", fetch.seconds);
    return key.submodel + ": " + from + " (" + size + ", " + seconds + ")";
}

// Loads one component through the cache and says where it came from. `networks` lists its networks, which move
// between devices together.
template <typename T>
std::shared_ptr<T> cachedComponent(const SubmodelKey &key, std::int64_t estimate,
                                   const std::function<std::shared_ptr<T>(const torch::Device &)> &load,
                                   const std::function<std::vector<torch::nn::Module *>(T &)> &networks,
                                   LoadReport *report)
{
    CachedLoad<T> how;
    how.load = [&](const std::string &device) { return load(torch::Device(device)); };
    how.measure = [&](const T &loaded) {
        std::int64_t bytes = 0;
        // Listing the networks changes nothing; the list is of mutable modules for placing them.
        for (torch::nn::Module *network : networks(const_cast<T &>(loaded)))
            if (network)
                bytes += parameterBytes(*network);
        return bytes;
    };
    how.place = [networks](T &loaded, const std::string &device, std::int64_t allowance) {
        return placeNetworks(networks(loaded), device, allowance);
    };
    CacheFetch fetch;
    std::shared_ptr<T> component = ModelCache::shared().get<T>(key, estimate, how, &fetch);
    if (report)
        report->push_back(reportLine(key, fetch));
    return component;
}

const auto textNetworks = [](TextEncoderComponent &text) {
    return std::vector<torch::nn::Module *>{text.network.get(), text.network2 ? text.network2.get() : nullptr};
};
const auto unetNetworks = [](UNetComponent &unet) { return std::vector<torch::nn::Module *>{unet.network.get()}; };
const auto vaeNetworks = [](VaeComponent &vae) { return std::vector<torch::nn::Module *>{vae.network.get()}; };
const auto amusedTextNetworks = [](AmusedTextEncoder &text) {
    return std::vector<torch::nn::Module *>{text.network.get()};
};
const auto amusedTransformerNetworks = [](AmusedTransformer &transformer) {
    return std::vector<torch::nn::Module *>{transformer.network.get()};
};
const auto amusedVqGanNetworks = [](AmusedVqGan &vqgan) {
    return std::vector<torch::nn::Module *>{vqgan.network.get()};
};

} // namespace

std::string stampOf(const std::string &path)
{
    std::error_code error;
    const fs::path file(path);
    if (fs::is_directory(file, error)) {
        std::uintmax_t size = 0;
        fs::file_time_type newest{};
        for (const auto &item : fs::recursive_directory_iterator(file, error))
            if (item.is_regular_file(error)) {
                size += item.file_size(error);
                newest = std::max(newest, item.last_write_time(error));
            }
        return std::to_string(size) + "@" + std::to_string(newest.time_since_epoch().count());
    }
    return std::to_string(fs::file_size(file, error)) + "@" +
           std::to_string(fs::last_write_time(file, error).time_since_epoch().count());
}

std::int64_t placeNetworks(const std::vector<torch::nn::Module *> &networks, const std::string &device,
                           std::int64_t allowance)
{
    torch::NoGradGuard noGrad;
    const torch::Device target(device);
    std::int64_t placed = 0;
    for (torch::nn::Module *network : networks) {
        if (!network)
            continue;
        for (torch::Tensor &parameter : network->parameters()) {
            const std::int64_t bytes = parameter.numel() * std::int64_t(parameter.element_size());
            const bool fits = allowance == kAllOnDevice || placed + bytes <= allowance;
            const torch::Device where = fits ? target : torch::Device(torch::kCPU);
            if (parameter.device() != where)
                parameter.set_data(movedTo(parameter, where));
            if (fits)
                placed += bytes;
        }
    }
    return placed;
}

std::int64_t parameterBytes(const torch::nn::Module &network)
{
    std::int64_t bytes = 0;
    for (const torch::Tensor &parameter : network.parameters())
        bytes += parameter.numel() * std::int64_t(parameter.element_size());
    return bytes;
}

std::unique_ptr<StableDiffusion> loadModelCached(const LoadOptions &options, LoadReport *report)
{
    prepareLoad(options);
    const CheckpointParts parts = readCheckpoint(options);
    const torch::ScalarType vaeDtype = vaeDtypeFor(options.dtype);
    const std::string device = deviceText(options.device);
    // A config file changes the networks built from the same weights: the one given, or the YAML beside the
    // checkpoint that the reader takes when none is, is part of the stamp.
    std::string config = options.configPath;
    if (config.empty() && !fs::is_directory(options.path))
        config = fs::path(options.path).replace_extension(".yaml").string();
    std::error_code missing;
    const std::string stamp =
        stampOf(options.path) + (fs::exists(config, missing) ? " " + config + " " + stampOf(config) : std::string());
    const auto keyOf = [&](const char *submodel, torch::ScalarType dtype) {
        return SubmodelKey{options.path, submodel, device, dtypeName(dtype), stamp};
    };
    // A replacement VAE is read first: a wrong file fails before the large parts load.
    std::shared_ptr<VaeComponent> vae;
    if (!options.vaePath.empty())
        vae = loadVaeFileCached(options.vaePath, options.device, vaeDtype, report);
    const auto text = cachedComponent<TextEncoderComponent>(
        keyOf("text_encoder", options.dtype), bytesAt(parts.text, options.dtype) + bytesAt(parts.text2, options.dtype),
        [&](const torch::Device &device) {
            auto loaded = loadTextEncoder(parts, device, options.dtype);
            loaded->patchOwner->cacheKey = keyOf("text_encoder", options.dtype);
            return loaded;
        },
        textNetworks, report);
    const auto unet = cachedComponent<UNetComponent>(
        keyOf("unet", options.dtype), bytesAt(parts.unet, options.dtype),
        [&](const torch::Device &device) {
            auto loaded = loadUNet(parts, device, options.dtype);
            loaded->patchOwner->cacheKey = keyOf("unet", options.dtype);
            return loaded;
        },
        unetNetworks, report);
    if (!vae)
        vae = cachedComponent<VaeComponent>(
            keyOf("vae", vaeDtype), bytesAt(parts.vae, vaeDtype),
            [&](const torch::Device &device) { return loadVae(parts, device, vaeDtype); }, vaeNetworks, report);
    return StableDiffusion::assemble(parts.architecture, text, unet, vae, parts.droppedTextLayers, options);
}

std::shared_ptr<VaeComponent> loadVaeFileCached(const std::string &path, torch::Device device, torch::ScalarType dtype,
                                                LoadReport *report)
{
    const SubmodelKey key{path, "vae", deviceText(device), dtypeName(dtype), stampOf(path)};
    // A VAE file's size at the target dtype, from its tensors' shapes (a folder's is measured once loaded).
    std::int64_t estimate = 0;
    // A missing or unreadable file is left to loadVaeFile, whose messages say what the file is instead.
    std::error_code error;
    if (fs::is_regular_file(path, error))
        try {
            estimate = bytesAt(loadWeights(path), dtype);
        } catch (const Error &) {
        }
    return cachedComponent<VaeComponent>(
        key, estimate, [&](const torch::Device &on) { return loadVaeFile(path, on, dtype); }, vaeNetworks, report);
}

AmusedModel loadAmusedCached(const std::string &folder, torch::Device device, torch::ScalarType dtype,
                             LoadReport *report)
{
    LoadOptions options;
    options.path = folder;
    options.device = device;
    options.dtype = dtype;
    prepareLoad(options);
    const AmusedParts parts = readAmusedFolder(folder);
    const std::string on = deviceText(device), stamp = stampOf(folder);
    const auto keyOf = [&](const char *submodel) { return SubmodelKey{folder, submodel, on, dtypeName(dtype), stamp}; };
    AmusedModel model;
    model.architecture = parts.architecture;
    model.device = device;
    model.text = cachedComponent<AmusedTextEncoder>(
        keyOf("text_encoder"), bytesAt(parts.text, dtype),
        [&](const torch::Device &at) { return loadAmusedTextEncoder(parts, at, dtype); }, amusedTextNetworks, report);
    model.transformer = cachedComponent<AmusedTransformer>(
        keyOf("transformer"), bytesAt(parts.transformer, dtype),
        [&](const torch::Device &at) { return loadAmusedTransformer(parts, at, dtype); }, amusedTransformerNetworks,
        report);
    // The VQ-GAN is LDM's decoder, which overflows in fp16 as SD's VAE does: bf16 there.
    const torch::ScalarType vqDtype = vaeDtypeFor(dtype);
    const SubmodelKey vqKey{folder, "vqvae", on, dtypeName(vqDtype), stamp};
    model.vqgan = cachedComponent<AmusedVqGan>(
        vqKey, bytesAt(parts.vqgan, vqDtype),
        [&](const torch::Device &at) { return loadAmusedVqGan(parts, at, vqDtype); }, amusedVqGanNetworks, report);
    return model;
}

} // namespace atelier::engine
