#include "core/engine/io/zip_archive.h"

#include "core/engine/error.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace atelier::engine {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndRecord = 0x06054b50;
constexpr std::uint32_t kZip64EndRecord = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint64_t kMaxEntries = 1'000'000;

// Little-endian reads, bounds-checked against the mapping.
class Reader
{
public:
    Reader(const std::string &path, const std::byte *data, std::uint64_t size) : m_path(path), m_data(data), m_size(size) {}

    std::uint64_t read(std::uint64_t offset, int bytes) const
    {
        if (offset > m_size || m_size - offset < std::uint64_t(bytes))
            fail("a record reaches past the end of the file (truncated archive?)");
        std::uint64_t value = 0;
        for (int i = bytes - 1; i >= 0; --i)
            value = (value << 8) | std::uint8_t(m_data[offset + std::uint64_t(i)]);
        return value;
    }
    std::uint32_t u32(std::uint64_t offset) const { return std::uint32_t(read(offset, 4)); }
    std::uint16_t u16(std::uint64_t offset) const { return std::uint16_t(read(offset, 2)); }
    std::uint64_t u64(std::uint64_t offset) const { return read(offset, 8); }
    std::string text(std::uint64_t offset, std::uint64_t length) const
    {
        if (offset > m_size || m_size - offset < length)
            fail("a file name reaches past the end of the file");
        return std::string(reinterpret_cast<const char *>(m_data + offset), length);
    }
    [[noreturn]] void fail(const std::string &what) const { throw FormatError(m_path + ": " + what); }
    std::uint64_t size() const { return m_size; }

private:
    const std::string &m_path;
    const std::byte *m_data;
    std::uint64_t m_size;
};

bool isSafeName(const std::string &name)
{
    if (name.empty() || name.size() > 4096 || name[0] == '/' || name.find('\\') != std::string::npos
        || name.find('\0') != std::string::npos)
        return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('/', start), name.size());
        if (name.compare(start, end - start, "..") == 0)
            return false;
        start = end + 1;
    }
    return true;
}

} // namespace

bool ZipArchive::looksLikeZip(const std::byte *data, std::uint64_t size)
{
    return size >= 4 && std::uint8_t(data[0]) == 'P' && std::uint8_t(data[1]) == 'K'
        && ((std::uint8_t(data[2]) == 3 && std::uint8_t(data[3]) == 4) || (std::uint8_t(data[2]) == 5 && std::uint8_t(data[3]) == 6));
}

ZipArchive::ZipArchive(const std::string &path) : m_file(path)
{
    const Reader in(path, m_file.data(), m_file.size());
    if (m_file.size() < 22)
        in.fail("too short to be a ZIP archive");

    // The end record sits in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
    std::uint64_t end = 0;
    bool found = false;
    const std::uint64_t lowest = m_file.size() > 65557 ? m_file.size() - 65557 : 0;
    for (std::uint64_t at = m_file.size() - 22 + 1; at-- > lowest;) {
        if (in.u32(at) == kEndRecord) {
            end = at;
            found = true;
            break;
        }
    }
    if (!found)
        in.fail("no ZIP end record: not a ZIP archive, or a truncated one");
    std::uint64_t entryCount = in.u16(end + 10);
    std::uint64_t directorySize = in.u32(end + 12);
    std::uint64_t directoryOffset = in.u32(end + 16);
    if (end >= 20 && in.u32(end - 20) == kZip64Locator) {
        const std::uint64_t record = in.u64(end - 20 + 8);
        if (in.u32(record) != kZip64EndRecord)
            in.fail("the ZIP64 locator points at no ZIP64 end record");
        entryCount = in.u64(record + 32);
        directorySize = in.u64(record + 40);
        directoryOffset = in.u64(record + 48);
    }
    if (entryCount > kMaxEntries)
        in.fail("claims " + std::to_string(entryCount) + " entries, more than any checkpoint has");
    if (directoryOffset > m_file.size() || m_file.size() - directoryOffset < directorySize)
        in.fail("the central directory lies outside the file");

    std::vector<std::pair<std::uint64_t, std::uint64_t>> occupied;  // [local header, end of data) per entry
    std::uint64_t at = directoryOffset;
    for (std::uint64_t i = 0; i < entryCount; ++i) {
        if (in.u32(at) != kCentralHeader)
            in.fail("central directory entry " + std::to_string(i) + " is damaged");
        const std::uint16_t method = in.u16(at + 10);
        const std::uint32_t crc = in.u32(at + 16);
        std::uint64_t compressed = in.u32(at + 20);
        std::uint64_t uncompressed = in.u32(at + 24);
        const std::uint16_t nameLength = in.u16(at + 28);
        const std::uint16_t extraLength = in.u16(at + 30);
        const std::uint16_t commentLength = in.u16(at + 32);
        std::uint64_t localOffset = in.u32(at + 42);
        const std::string name = in.text(at + 46, nameLength);

        // ZIP64 sizes and offsets live in extra field 0x0001, present for each value that overflowed.
        for (std::uint64_t extra = at + 46 + nameLength; extra + 4 <= at + 46 + nameLength + extraLength;) {
            const std::uint16_t id = in.u16(extra), length = in.u16(extra + 2);
            if (id == 0x0001) {
                std::uint64_t field = extra + 4;
                if (uncompressed == 0xffffffff) { uncompressed = in.u64(field); field += 8; }
                if (compressed == 0xffffffff) { compressed = in.u64(field); field += 8; }
                if (localOffset == 0xffffffff) { localOffset = in.u64(field); field += 8; }
            }
            extra += 4 + std::uint64_t(length);
        }
        at += 46 + std::uint64_t(nameLength) + extraLength + commentLength;

        if (!isSafeName(name))
            in.fail("entry \"" + name.substr(0, 200) + "\" has an unsafe name (absolute, \"..\" or control characters)");
        if (name.back() == '/')
            continue;  // a folder
        if (method != 0)
            in.fail("entry \"" + name + "\" is compressed (method " + std::to_string(method) +
                    "); PyTorch checkpoints store their entries uncompressed");
        if (compressed != uncompressed)
            in.fail("entry \"" + name + "\" is stored but its sizes disagree");
        if (in.u32(localOffset) != kLocalHeader)
            in.fail("entry \"" + name + "\" points at no local header");
        const std::uint64_t dataOffset = localOffset + 30 + in.u16(localOffset + 26) + in.u16(localOffset + 28);
        if (dataOffset > m_file.size() || m_file.size() - dataOffset < uncompressed)
            in.fail("entry \"" + name + "\" reaches past the end of the file (truncated archive?)");
        if (m_entries.count(name))
            in.fail("entry \"" + name + "\" appears twice");
        occupied.emplace_back(localOffset, dataOffset + uncompressed);
        m_entries.emplace(name, Entry{name, dataOffset, uncompressed, crc});
    }
    std::sort(occupied.begin(), occupied.end());
    for (std::size_t i = 1; i < occupied.size(); ++i) {
        if (occupied[i].first < occupied[i - 1].second)
            in.fail("two entries overlap (a trick of zip bombs)");
    }
}

const ZipArchive::Entry *ZipArchive::find(const std::string &name) const
{
    const auto it = m_entries.find(name);
    return it == m_entries.end() ? nullptr : &it->second;
}

} // namespace atelier::engine
