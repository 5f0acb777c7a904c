#pragma once

#include "core/engine/io/dtype.h"
#include "core/engine/io/zip_archive.h"

#include <cstdint>
#include <string>
#include <vector>

namespace atelier::engine {

struct CheckpointTensor
{
    std::string name;              // "model.diffusion_model.input_blocks.0.0.weight"; nested dicts joined by "."
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> stride;
    std::int64_t storageOffset = 0;  // in elements
    const ZipArchive::Entry *storage = nullptr;
};

// True when every element the view reads (offset, shape and stride, all from the file) lies inside a storage of
// `storageElements`, computed without wrap-around: negative values, overflowing products or sums are false.
bool viewFitsStorage(const CheckpointTensor &tensor, std::uint64_t storageElements);

// A PyTorch checkpoint (.ckpt, .pt, .pth, .bin) in the zip format of torch.save since 1.6: its `data.pkl` read
// by the RestrictedUnpickler (nothing in it runs), its tensors checked against the storages in the archive. The
// tensors are those of "state_dict" when the top level holds one, else of the top level; nested dictionaries
// (an embedding's "string_to_param") give dotted names. Throws FormatError for damaged or hostile files and
// UnsupportedModelError for the legacy pre-1.6 format.
class TorchCheckpoint
{
public:
    explicit TorchCheckpoint(const std::string &path);

    const std::string &path() const { return m_archive.path(); }
    const std::vector<CheckpointTensor> &tensors() const { return m_tensors; }
    const std::byte *data(const CheckpointTensor &tensor) const;

private:
    ZipArchive m_archive;
    std::vector<CheckpointTensor> m_tensors;
};

} // namespace atelier::engine
