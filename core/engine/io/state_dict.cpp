#include "core/engine/io/state_dict.h"

#include "core/engine/io/mapped_file.h"

#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/torch_checkpoint.h"

#include <cstring>
#include <optional>

namespace atelier::engine {

namespace {

std::optional<torch::ScalarType> scalarTypeOf(DType dtype)
{
    switch (dtype) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::Bool: return torch::kBool;
    default: return std::nullopt;
    }
}

std::string fileName(const std::string &path)
{
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A tensor over `bytes` that keeps `owner` (the mapping) alive. Misaligned data, which libtorch's kernels must not
// read in place, is copied.
template<typename Owner>
torch::Tensor viewOf(const std::shared_ptr<Owner> &owner, const std::byte *bytes, torch::ScalarType type,
                     const std::vector<std::int64_t> &shape, const std::vector<std::int64_t> &stride)
{
    const auto options = torch::TensorOptions().dtype(type);
    const std::size_t elementSize = torch::elementSize(type);
    void *data = const_cast<std::byte *>(bytes);
    if (reinterpret_cast<std::uintptr_t>(bytes) % elementSize != 0) {
        const torch::Tensor unaligned = torch::from_blob(data, shape, stride, options);
        return unaligned.clone(torch::MemoryFormat::Contiguous);
    }
    return torch::from_blob(data, shape, stride, [owner](void *) {}, options);
}

std::vector<std::int64_t> contiguousStrides(const std::vector<std::int64_t> &shape)
{
    std::vector<std::int64_t> stride(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;)
        stride[i - 1] = stride[i] * shape[i];
    return stride;
}

StateDict readSafetensors(const std::string &path)
{
    auto file = std::make_shared<SafetensorsFile>(path);
    StateDict weights;
    weights.source = fileName(path);
    for (const TensorEntry &entry : file->tensors()) {
        const auto type = scalarTypeOf(entry.dtype);
        if (!type)
            throw UnsupportedModelError(weights.source + ": tensor \"" + entry.name + "\" is stored as " +
                                        dtypeName(entry.dtype) + ", which this build cannot compute with");
        weights.tensors.emplace(entry.name,
                                viewOf(file, file->data(entry), *type, entry.shape, contiguousStrides(entry.shape)));
    }
    return weights;
}

StateDict readCheckpoint(const std::string &path)
{
    auto checkpoint = std::make_shared<TorchCheckpoint>(path);
    StateDict weights;
    weights.source = fileName(path);
    for (const CheckpointTensor &tensor : checkpoint->tensors()) {
        const auto type = scalarTypeOf(tensor.dtype);
        if (!type)
            throw UnsupportedModelError(weights.source + ": tensor \"" + tensor.name + "\" is stored as " +
                                        dtypeName(tensor.dtype) + ", which this build cannot compute with");
        weights.tensors.emplace(tensor.name,
                                viewOf(checkpoint, checkpoint->data(tensor), *type, tensor.shape, tensor.stride));
    }
    return weights;
}

} // namespace

const torch::Tensor *StateDict::find(const std::string &name) const
{
    const auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
}

const torch::Tensor &StateDict::at(const std::string &name) const
{
    if (const torch::Tensor *tensor = find(name))
        return *tensor;
    throw UnsupportedModelError(source + ": the weight \"" + name + "\" is missing");
}

bool StateDict::hasPrefix(const std::string &prefix) const
{
    const auto it = tensors.lower_bound(prefix);
    return it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

StateDict StateDict::under(const std::string &prefix) const
{
    StateDict part;
    part.source = source;
    for (auto it = tensors.lower_bound(prefix); it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
        part.tensors.emplace(it->first.substr(prefix.size()), it->second);
    return part;
}

StateDict loadWeights(const std::string &path)
{
    if (endsWith(path, ".safetensors") || endsWith(path, ".sft"))
        return readSafetensors(path);
    if (endsWith(path, ".ckpt") || endsWith(path, ".pt") || endsWith(path, ".pth") || endsWith(path, ".bin"))
        return readCheckpoint(path);
    // Unknown extension: let the content decide.
    try {
        return readSafetensors(path);
    } catch (const FormatError &) {
        return readCheckpoint(path);
    }
}

std::set<int> StateDict::indicesUnder(const std::string &prefix) const
{
    std::set<int> found;
    for (auto it = tensors.lower_bound(prefix); it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
        const std::string rest = it->first.substr(prefix.size());
        const std::size_t dot = rest.find('.');
        if (dot != std::string::npos && dot > 0 && dot < 9 && rest.find_first_not_of("0123456789") == dot)
            found.insert(std::stoi(rest.substr(0, dot)));
    }
    return found;
}

std::int64_t StateDict::sizeOf(const std::string &name, std::int64_t rank, std::int64_t dimension) const
{
    const torch::Tensor &weight = at(name);
    if (weight.dim() != rank)
        throw UnsupportedModelError(source + ": \"" + name + "\" has shape " + shapeText(weight.sizes()) + "; as the " +
                                    (rank == kConvolution ? "convolution" : "linear or embedding") + " weight it " +
                                    "should be, it needs " + std::to_string(rank) + " dimensions");
    return weight.size(dimension);
}

std::string shapeText(at::IntArrayRef shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

void loadParameters(torch::nn::Module &module, const StateDict &weights, const std::string &what,
                    const std::string &prefix, torch::Device device, torch::ScalarType dtype)
{
    torch::NoGradGuard noGrad;
    for (auto &item : module.named_parameters()) {
        const torch::Tensor *source = weights.find(item.key());
        const std::string named = weights.source + ": the " + what + " weight \"" + prefix + item.key() + "\"";
        if (!source)
            throw UnsupportedModelError(named + " is missing; the file is incomplete or of another architecture");
        if (source->sizes() != item.value().sizes())
            throw UnsupportedModelError(named + " has shape " + shapeText(source->sizes()) + " where " +
                                        shapeText(item.value().sizes()) + " is expected");
        if (!source->is_floating_point())
            throw UnsupportedModelError(named + " is not a floating-point tensor");
        torch::Tensor value = source->to(device, dtype);
        if (value.dim() == 4 && device.is_cuda())
            value = value.contiguous(torch::MemoryFormat::ChannelsLast);
        // A file weight used as it is stays mapped; one converted or moved leaves its file pages to the kernel (a
        // LoRA taken off reads them again), so that loading keeps about one copy of each weight resident.
        if (source->device().is_cpu() && !value.is_alias_of(*source))
            releaseMappedPages(source->storage().data(), source->storage().nbytes());
        item.value().set_data(value);
    }
    module.eval();
}

} // namespace atelier::engine
