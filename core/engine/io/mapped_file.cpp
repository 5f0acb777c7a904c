#include "core/engine/io/mapped_file.h"

#include "core/engine/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atelier::engine {

namespace {

// The live mappings by start address, for releaseMappedPages.
std::mutex g_mappingsMutex;
std::map<const std::byte *, std::uint64_t> g_mappings;

} // namespace

void releaseMappedPages(const void *data, std::size_t bytes)
{
    const auto *begin = static_cast<const std::byte *>(data);
    const std::lock_guard<std::mutex> lock(g_mappingsMutex);
    auto mapping = g_mappings.upper_bound(begin);
    if (mapping == g_mappings.begin())
        return;
    --mapping;
    if (begin + bytes > mapping->first + mapping->second)
        return;
    const std::uintptr_t page = std::uintptr_t(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    const std::uintptr_t last = (reinterpret_cast<std::uintptr_t>(begin) + bytes) / page * page;
    if (last > first) // a read-only private file mapping: its pages come back from the file
        ::madvise(reinterpret_cast<void *>(first), last - first, MADV_DONTNEED);
}

int openRegularFile(const std::string &path, struct stat &info)
{
    // O_NONBLOCK makes opening a FIFO return at once; for a regular file it changes nothing that is read here.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw FormatError(path + ": cannot open (" + std::strerror(errno) + ")");
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw FormatError(path + ": not a regular file (a FIFO, device or socket cannot be a model)");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

MappedFile::MappedFile(const std::string &path)
    : m_path(path)
{
    struct stat info
    {
    };
    const int fd = openRegularFile(path, info);
    m_size = std::uint64_t(info.st_size);
    if (m_size > 0) {
        void *mapped = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            const int error = errno;
            ::close(fd);
            throw FormatError(path + ": cannot map into memory (" + std::strerror(error) + ")");
        }
        m_data = static_cast<const std::byte *>(mapped);
        const std::lock_guard<std::mutex> lock(g_mappingsMutex);
        g_mappings[m_data] = m_size;
    }
    ::close(fd);
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile &&other) noexcept
    : m_path(std::move(other.m_path)), m_data(other.m_data), m_size(other.m_size)
{
    other.m_data = nullptr;
    other.m_size = 0;
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept
{
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

void MappedFile::release() noexcept
{
    if (m_data) {
        {
            const std::lock_guard<std::mutex> lock(g_mappingsMutex);
            g_mappings.erase(m_data);
        }
        ::munmap(const_cast<std::byte *>(m_data), m_size);
    }
    m_data = nullptr;
    m_size = 0;
}

} // namespace atelier::engine
