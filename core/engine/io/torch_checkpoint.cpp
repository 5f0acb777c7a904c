#include "core/engine/io/torch_checkpoint.h"

#include "core/engine/error.h"
#include "core/engine/io/mapped_file.h"
#include "core/engine/io/restricted_unpickler.h"

#include <functional>
#include <set>

namespace atelier::engine {

namespace {

constexpr int kMaxNesting = 16;

// Opens the archive, or explains why the file is not one.
ZipArchive openArchive(const std::string &path)
{
    {
        const MappedFile file(path);
        if (file.size() == 0)
            throw FormatError(path + ": the file is empty");
        if (!ZipArchive::looksLikeZip(file.data(), file.size())) {
            if (file.size() >= 2 && std::uint8_t(file.data()[0]) == 0x80 && std::uint8_t(file.data()[1]) <= 5)
                throw UnsupportedModelError(path + ": a PyTorch checkpoint in the legacy format (before PyTorch 1.6), which "
                                                   "Atelier does not read; convert it to .safetensors");
            throw FormatError(path + ": not a PyTorch checkpoint (it is neither a zip archive nor a pickle)");
        }
    }
    return ZipArchive(path);
}

const PickleValue *lookup(const PickleValue &dict, const std::string &key)
{
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        if (dict.items[i]->kind == PickleValue::Kind::String && dict.items[i]->text == key)
            return dict.items[i + 1];
    }
    return nullptr;
}

} // namespace

TorchCheckpoint::TorchCheckpoint(const std::string &path) : m_archive(openArchive(path))
{
    // The pickle is "<root>/data.pkl"; storages are "<root>/data/<key>".
    const ZipArchive::Entry *pickle = nullptr;
    for (const auto &[name, entry] : m_archive.entries()) {
        const std::size_t slash = name.find('/');
        if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            if (pickle)
                throw FormatError(path + ": the archive holds two data.pkl records");
            pickle = &entry;
        }
    }
    if (!pickle)
        throw FormatError(path + ": a zip archive without data.pkl: not a PyTorch checkpoint");
    const std::string root = pickle->name.substr(0, pickle->name.size() - std::string("data.pkl").size());

    std::size_t storages = 0;
    for (const auto &entry : m_archive.entries())
        if (entry.first.compare(0, root.size() + 5, root + "data/") == 0)
            ++storages;
    RestrictedUnpickler unpickler(path, m_archive.data(*pickle), std::size_t(pickle->size),
                                  pickleValueBudget(storages));
    const PickleValue &top = unpickler.load();
    if (top.kind != PickleValue::Kind::Dict)
        throw FormatError(path + ": the checkpoint holds no dictionary of tensors");
    const PickleValue *stateDict = lookup(top, "state_dict");
    if (!stateDict || stateDict->kind != PickleValue::Kind::Dict)
        stateDict = &top;

    std::set<const PickleValue *> visiting;
    const std::function<void(const PickleValue &, const std::string &, int)> collect =
        [&](const PickleValue &dict, const std::string &prefix, int depth) {
            if (depth > kMaxNesting || !visiting.insert(&dict).second)
                throw FormatError(path + ": dictionaries nested deeper than " + std::to_string(kMaxNesting) + " or in a cycle");
            for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
                const PickleValue &key = *dict.items[i];
                const PickleValue &value = *dict.items[i + 1];
                if (key.kind != PickleValue::Kind::String)
                    continue;
                const std::string name = prefix + key.text;
                if (value.kind == PickleValue::Kind::Dict) {
                    collect(value, name + ".", depth + 1);
                } else if (value.kind == PickleValue::Kind::Tensor) {
                    CheckpointTensor tensor;
                    tensor.name = name;
                    tensor.dtype = value.dtype;
                    tensor.shape = value.shape;
                    tensor.stride = value.stride;
                    tensor.storageOffset = value.storageOffset;
                    tensor.storage = m_archive.find(root + "data/" + value.storage->storageKey);
                    if (!tensor.storage)
                        throw FormatError(path + ": tensor \"" + name + "\" refers to storage " + value.storage->storageKey +
                                          ", which the archive does not hold");
                    const std::uint64_t itemSize = dtypeSize(tensor.dtype);
                    if (value.storage->storageElements > tensor.storage->size / itemSize)
                        throw FormatError(path + ": storage " + value.storage->storageKey + " claims more elements than its "
                                                 "bytes hold");
                    // The last element the view reaches must lie inside its storage. Every size, stride and offset
                    // comes from the file, so the arithmetic is checked: a product or sum that wraps past 2^64 must not
                    // pass for a small extent (libtorch would then build a view far outside the mapping).
                    if (!viewFitsStorage(tensor, value.storage->storageElements))
                        throw FormatError(path + ": tensor \"" + name +
                                          "\" reaches past the end of its storage (shape, "
                                          "stride or offset out of range)");
                    m_tensors.push_back(std::move(tensor));
                }
            }
            visiting.erase(&dict);
        };
    collect(*stateDict, std::string(), 0);
}

bool viewFitsStorage(const CheckpointTensor &tensor, std::uint64_t storageElements)
{
    if (tensor.stride.size() != tensor.shape.size() || tensor.storageOffset < 0)
        return false;
    std::uint64_t last = std::uint64_t(tensor.storageOffset);
    for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
        if (tensor.shape[d] < 0 || tensor.stride[d] < 0)
            return false;
        if (tensor.shape[d] == 0)
            return true; // an empty view reads nothing
        std::uint64_t reach = 0;
        if (__builtin_mul_overflow(std::uint64_t(tensor.shape[d] - 1), std::uint64_t(tensor.stride[d]), &reach) ||
            __builtin_add_overflow(last, reach, &last))
            return false;
    }
    return last < storageElements;
}

const std::byte *TorchCheckpoint::data(const CheckpointTensor &tensor) const
{
    return m_archive.data(*tensor.storage) + std::uint64_t(tensor.storageOffset) * dtypeSize(tensor.dtype);
}

} // namespace atelier::engine
