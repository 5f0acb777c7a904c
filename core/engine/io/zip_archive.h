#pragma once

#include "core/engine/io/mapped_file.h"

#include <cstdint>
#include <map>
#include <string>

namespace atelier::engine {

// The stored (uncompressed) entries of a ZIP archive, as PyTorch's zip checkpoints hold them, read in place from
// a memory map. Strict where hostile archives attack readers: names with ".." parts or absolute paths,
// entries outside the file or overlapping one another (the overlap trick of zip bombs), compressed entries,
// absurd entry counts. Any of these throws FormatError naming the archive and the entry.
class ZipArchive
{
public:
    struct Entry
    {
        std::string name;
        std::uint64_t dataOffset = 0;  // in the file
        std::uint64_t size = 0;
        std::uint32_t crc32 = 0;
    };

    explicit ZipArchive(const std::string &path);

    const std::string &path() const { return m_file.path(); }
    const std::map<std::string, Entry> &entries() const { return m_entries; }
    const Entry *find(const std::string &name) const;
    const std::byte *data(const Entry &entry) const { return m_file.data() + entry.dataOffset; }

    // True when the file starts like a ZIP archive (a local header or an empty archive's end record).
    static bool looksLikeZip(const std::byte *data, std::uint64_t size);

private:
    MappedFile m_file;
    std::map<std::string, Entry> m_entries;
};

} // namespace atelier::engine
