#include "core/engine/io/mapped_file.h"

#include "core/engine/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atelier::engine {

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
    if (m_data)
        ::munmap(const_cast<std::byte *>(m_data), m_size);
    m_data = nullptr;
    m_size = 0;
}

} // namespace atelier::engine
