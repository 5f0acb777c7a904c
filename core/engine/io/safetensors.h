#pragma once

#include "core/engine/io/dtype.h"
#include "core/engine/io/mapped_file.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace atelier::engine {

struct TensorEntry
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  // byte offsets within the data region
    std::uint64_t end = 0;

    std::int64_t elementCount() const;
};

// A .safetensors file, memory-mapped, its header validated before anything in it is trusted: the 8-byte length
// within the file and under kMaxHeaderBytes, UTF-8 JSON with unique names, known dtypes, shapes whose byte size
// matches their offsets, offsets inside the data region, tensors contiguous and non-overlapping and covering
// the whole region, and `__metadata__` holding strings only. Any violation throws FormatError naming the file
// and what is wrong.
class SafetensorsFile
{
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

    // What the header says, validated as the constructor validates it.
    struct Header
    {
        std::vector<TensorEntry> tensors;  // in file order
        std::map<std::string, std::string> metadata;
        std::uint64_t dataStart = 0;       // byte offset of the data region in the file
        std::vector<std::uint32_t> byName; // indices into tensors, sorted by name
    };
    // Reads and validates only the header, without keeping the file mapped: what identifying a model needs.
    static Header readHeader(const std::string &path);

    explicit SafetensorsFile(const std::string &path);

    const std::string &path() const { return m_file.path(); }
    std::uint64_t fileSize() const { return m_file.size(); }
    const std::vector<TensorEntry> &tensors() const { return m_tensors; }  // in file order
    const TensorEntry *find(const std::string &name) const;
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }

    // The tensor's bytes inside the mapping: no copy. Valid while this object lives.
    const std::byte *data(const TensorEntry &tensor) const;

private:
    // `prefix`: the file's first 8 bytes (when it has them); `headerBytesAt8`: the header's bytes, once their
    // length has been checked against the file size.
    static Header parse(const std::string &path, std::uint64_t size, const std::byte *prefix,
                        const std::function<const char *(std::uint64_t)> &headerBytesAt8);

    MappedFile m_file;
    std::uint64_t m_dataStart = 0;
    std::vector<TensorEntry> m_tensors;
    std::vector<std::uint32_t> m_byName;  // indices into m_tensors, sorted by name, for find()
    std::map<std::string, std::string> m_metadata;
};

} // namespace atelier::engine
