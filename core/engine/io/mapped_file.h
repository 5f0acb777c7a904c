#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <sys/stat.h>

namespace atelier::engine {

// Opens `path` for reading, refusing anything but a regular file without waiting on it: a FIFO or a device named
// like a model would otherwise block open() for ever. Returns the descriptor (the caller closes it) and fills
// `info`; throws FormatError naming the file.
int openRegularFile(const std::string &path, struct stat &info);

// A whole file mapped read-only into memory. Pages are read on first touch, so mapping a 7 GB checkpoint costs
// nothing until its tensors are used. Throws FormatError (naming the file) when it cannot be opened or mapped.
class MappedFile
{
public:
    explicit MappedFile(const std::string &path);
    ~MappedFile();
    MappedFile(MappedFile &&other) noexcept;
    MappedFile &operator=(MappedFile &&other) noexcept;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::byte *data() const { return m_data; }
    std::uint64_t size() const { return m_size; }
    const std::string &path() const { return m_path; }

private:
    void release() noexcept;

    std::string m_path;
    const std::byte *m_data = nullptr;
    std::uint64_t m_size = 0;
};

// Gives back the resident pages of [data, data + bytes) where the range lies in a live MappedFile, so that a weight
// copied to another dtype or device stops counting twice; the pages are read again from the file (or the page
// cache) if touched later. Only whole pages inside the range are given back; memory that is not a mapped file is
// left alone, since giving back anonymous pages would lose their contents.
void releaseMappedPages(const void *data, std::size_t bytes);

} // namespace atelier::engine
