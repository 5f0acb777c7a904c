#include "core/engine/io/safetensors.h"

#include "core/engine/io/mapped_file.h"

#include "core/engine/error.h"
#include "core/engine/io/utf8.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstring>
#include <limits>

namespace atelier::engine {

namespace {

constexpr std::size_t kMaxRank = 16;
constexpr std::size_t kMaxNameBytes = 4096;

std::string inQuotes(const std::string &text)
{
    constexpr std::size_t kShown = 80;
    return "\"" + (text.size() > kShown ? text.substr(0, kShown) + "…" : text) + "\"";
}

[[noreturn]] void fail(const std::string &path, const std::string &what)
{
    throw FormatError(path + ": " + what);
}

// A strict parser for exactly what a safetensors header may hold: one JSON object whose members are tensors
// ({"dtype": "F16", "shape": [..], "data_offsets": [b, e]}) or "__metadata__" (an object of strings). Written for
// this because a general JSON DOM costs ten times more on headers of thousands of tensors, and probing a library
// reads many of them. Full JSON string syntax (escapes, surrogate pairs) and UTF-8 validation are kept.
class HeaderParser
{
public:
    HeaderParser(const std::string &path, const char *begin, const char *end, std::uint64_t dataSize)
        : m_path(path), m_at(begin), m_end(end), m_dataSize(dataSize)
    {
    }

    void parse(std::vector<TensorEntry> &tensors, std::map<std::string, std::string> &metadata)
    {
        skipSpace();
        if (m_at == m_end || *m_at != '{')
            fail("the header is not a JSON object");
        ++m_at;
        skipSpace();
        bool first = true;
        while (true) {
            if (m_at == m_end)
                invalid("the object is not closed");
            if (*m_at == '}') {
                ++m_at;
                break;
            }
            if (!first) {
                expect(',');
                skipSpace();
            }
            first = false;
            std::string name = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (name == "__metadata__") {
                if (m_sawMetadata)
                    fail("the header names tensor " + inQuotes(name) + " twice");
                m_sawMetadata = true;
                metadataObject(metadata);
            } else {
                tensors.push_back(tensor(std::move(name)));
            }
            skipSpace();
        }
        skipSpace();
        if (m_at != m_end)
            invalid("bytes follow the header object");
    }

private:
    [[noreturn]] void invalid(const std::string &what) const { fail("the header is not valid UTF-8 JSON (" + what + ")"); }
    [[noreturn]] void fail(const std::string &what) const { throw FormatError(m_path + ": " + what); }

    void skipSpace()
    {
        while (m_at != m_end && (*m_at == ' ' || *m_at == '\t' || *m_at == '\n' || *m_at == '\r'))
            ++m_at;
    }
    void expect(char c)
    {
        if (m_at == m_end || *m_at != c)
            invalid(std::string("expected '") + c + "'");
        ++m_at;
    }

    std::uint32_t hex4()
    {
        if (m_end - m_at < 4)
            invalid("a \\u escape is cut short");
        std::uint32_t code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *m_at++;
            code <<= 4;
            if (c >= '0' && c <= '9')
                code |= std::uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                code |= std::uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                code |= std::uint32_t(c - 'A' + 10);
            else
                invalid("a \\u escape holds a non-hex digit");
        }
        return code;
    }

    // Validates one UTF-8 sequence starting at m_at (a byte >= 0x80) and copies it.
    void utf8Sequence(std::string &out)
    {
        const auto lead = static_cast<unsigned char>(*m_at);
        int length = 0;
        std::uint32_t code = 0;
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            code = lead & 0x1f;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            code = lead & 0x0f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            code = lead & 0x07;
        } else {
            invalid("ill-formed UTF-8 byte");
        }
        if (m_end - m_at < length)
            invalid("ill-formed UTF-8 byte");
        for (int i = 1; i < length; ++i) {
            const auto next = static_cast<unsigned char>(m_at[i]);
            if ((next & 0xc0) != 0x80)
                invalid("ill-formed UTF-8 byte");
            code = (code << 6) | (next & 0x3f);
        }
        if ((length == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)))
            || (length == 4 && (code < 0x10000 || code > 0x10ffff)))
            invalid("ill-formed UTF-8 byte");
        out.append(m_at, std::size_t(length));
        m_at += length;
    }

    std::string string()
    {
        if (m_at == m_end || *m_at != '"')
            invalid("expected a string");
        ++m_at;
        std::string out;
        while (true) {
            if (m_at == m_end)
                invalid("a string is not closed");
            const char c = *m_at;
            if (c == '"') {
                ++m_at;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                invalid("a control character inside a string");
            if (c == '\\') {
                if (++m_at == m_end)
                    invalid("a string ends in an escape");
                const char e = *m_at++;
                switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t code = hex4();
                    if (code >= 0xd800 && code <= 0xdbff) {
                        if (m_end - m_at < 2 || m_at[0] != '\\' || m_at[1] != 'u')
                            invalid("a lone surrogate in a \\u escape");
                        m_at += 2;
                        const std::uint32_t low = hex4();
                        if (low < 0xdc00 || low > 0xdfff)
                            invalid("a lone surrogate in a \\u escape");
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    } else if (code >= 0xdc00 && code <= 0xdfff) {
                        invalid("a lone surrogate in a \\u escape");
                    }
                    appendUtf8(out, code);
                    break;
                }
                default:
                    invalid("an unknown escape in a string");
                }
            } else if (static_cast<unsigned char>(c) >= 0x80) {
                utf8Sequence(out);
            } else {
                // Tensor names are long and plain: copy the run of ordinary characters at once.
                const char *run = m_at;
                while (m_at != m_end && *m_at != '"' && *m_at != '\\' && static_cast<unsigned char>(*m_at) >= 0x20
                       && static_cast<unsigned char>(*m_at) < 0x80)
                    ++m_at;
                out.append(run, std::size_t(m_at - run));
            }
        }
    }

    // A JSON number that must be a non-negative integer fitting 64 bits.
    std::uint64_t unsignedInteger(const std::string &tensor, const char *field)
    {
        const char *start = m_at;
        std::uint64_t value = 0;
        bool fits = true;
        while (m_at != m_end && *m_at >= '0' && *m_at <= '9') {
            const std::uint64_t digit = std::uint64_t(*m_at - '0');
            fits = fits && value <= (std::numeric_limits<std::uint64_t>::max() - digit) / 10;
            value = value * 10 + digit;
            ++m_at;
        }
        const char *digitsEnd = m_at;
        // Anything else a JSON number may hold (a sign, a fraction, an exponent) is not a size or an offset.
        while (m_at != m_end && (*m_at == '-' || *m_at == '+' || *m_at == '.' || *m_at == 'e' || *m_at == 'E'
                                 || (*m_at >= '0' && *m_at <= '9')))
            ++m_at;
        if (m_at == start)
            invalid("expected a number");
        const bool leadingZero = digitsEnd - start > 1 && *start == '0';  // JSON has no leading zeros
        if (m_at != digitsEnd || !fits || leadingZero)
            fail("tensor " + inQuotes(tensor) + ": " + field + " must hold non-negative integers, not " +
                 std::string(start, std::size_t(std::min<std::ptrdiff_t>(m_at - start, 40))));
        return value;
    }

    // Up to kMaxRank integers, without allocating: this runs for every tensor of every file probed.
    struct Integers
    {
        std::uint64_t values[kMaxRank] = {};
        std::size_t count = 0;
    };

    Integers integers(const std::string &tensor, const char *field, std::size_t maxCount)
    {
        Integers result;
        if (m_at == m_end || *m_at != '[')
            fail("tensor " + inQuotes(tensor) + ": " + field + " must be an array");
        ++m_at;
        skipSpace();
        if (m_at != m_end && *m_at == ']') {
            ++m_at;
            return result;
        }
        while (true) {
            skipSpace();
            const std::uint64_t value = unsignedInteger(tensor, field);
            if (result.count == maxCount)
                fail("tensor " + inQuotes(tensor) + ": " + field + " holds more than " + std::to_string(maxCount) + " values");
            result.values[result.count++] = value;
            skipSpace();
            if (m_at != m_end && *m_at == ',') {
                ++m_at;
                continue;
            }
            expect(']');
            return result;
        }
    }

    void metadataObject(std::map<std::string, std::string> &metadata)
    {
        if (m_at == m_end || *m_at != '{')
            fail("__metadata__ must be an object of strings");
        ++m_at;
        skipSpace();
        bool first = true;
        while (m_at != m_end && *m_at != '}') {
            if (!first) {
                expect(',');
                skipSpace();
            }
            first = false;
            std::string key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m_at == m_end || *m_at != '"')
                fail("__metadata__ entry " + inQuotes(key) + " is not a string");
            metadata[key] = string();
            skipSpace();
        }
        expect('}');
    }

    TensorEntry tensor(std::string name)
    {
        if (name.empty() || name.size() > kMaxNameBytes)
            fail("a tensor name is empty or longer than " + std::to_string(kMaxNameBytes) + " bytes");
        if (m_at == m_end || *m_at != '{')
            fail("tensor " + inQuotes(name) + " is not described by an object");
        ++m_at;
        TensorEntry entry;
        entry.name = std::move(name);
        bool sawDtype = false, sawShape = false, sawOffsets = false, first = true;
        Integers shape, offsets;
        skipSpace();
        while (m_at != m_end && *m_at != '}') {
            if (!first) {
                expect(',');
                skipSpace();
            }
            first = false;
            const std::string field = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (field == "dtype" && !sawDtype) {
                sawDtype = true;
                if (m_at == m_end || *m_at != '"')
                    fail("tensor " + inQuotes(entry.name) + ": dtype must be a string");
                const std::string dtype = string();
                const auto parsed = dtypeFromName(dtype);
                if (!parsed)
                    fail("tensor " + inQuotes(entry.name) + " has the unknown dtype " + inQuotes(dtype));
                entry.dtype = *parsed;
            } else if (field == "shape" && !sawShape) {
                sawShape = true;
                shape = integers(entry.name, "shape", kMaxRank);
            } else if (field == "data_offsets" && !sawOffsets) {
                sawOffsets = true;
                offsets = integers(entry.name, "data_offsets", 2);
                if (offsets.count != 2)
                    fail("tensor " + inQuotes(entry.name) + ": data_offsets must be [begin, end]");
            } else {
                fail("tensor " + inQuotes(entry.name) + " has an unexpected field " + inQuotes(field));
            }
            skipSpace();
        }
        expect('}');
        if (!sawDtype || !sawShape || !sawOffsets)
            fail("tensor " + inQuotes(entry.name) + " lacks dtype, shape or data_offsets");
        std::uint64_t elements = 1;
        entry.shape.reserve(shape.count);
        for (std::size_t d = 0; d < shape.count; ++d) {
            const std::uint64_t size = shape.values[d];
            if (size != 0 && elements > std::numeric_limits<std::uint64_t>::max() / size)
                fail("tensor " + inQuotes(entry.name) + ": its shape overflows");
            elements *= size;
            entry.shape.push_back(std::int64_t(std::min<std::uint64_t>(size, std::uint64_t(std::numeric_limits<std::int64_t>::max()))));
        }
        entry.begin = offsets.values[0];
        entry.end = offsets.values[1];
        if (entry.begin > entry.end)
            fail("tensor " + inQuotes(entry.name) + " ends before it begins");
        if (entry.end > m_dataSize)
            fail("tensor " + inQuotes(entry.name) + " ends at byte " + std::to_string(entry.end) + " of a data region of " +
                 std::to_string(m_dataSize) + " bytes (the file is truncated or the header lies)");
        const std::uint64_t itemSize = dtypeSize(entry.dtype);
        if (elements > std::numeric_limits<std::uint64_t>::max() / itemSize || elements * itemSize != entry.end - entry.begin)
            fail("tensor " + inQuotes(entry.name) + ": a " + dtypeName(entry.dtype) + " tensor of " + std::to_string(elements) +
                 " elements needs " + std::to_string(elements * itemSize) + " bytes, but its offsets span " +
                 std::to_string(entry.end - entry.begin));
        return entry;
    }

    const std::string &m_path;
    const char *m_at;
    const char *m_end;
    std::uint64_t m_dataSize;
    bool m_sawMetadata = false;
};

} // namespace

std::int64_t TensorEntry::elementCount() const
{
    std::int64_t count = 1;
    for (std::int64_t size : shape)
        count *= size;
    return count;
}

SafetensorsFile::Header SafetensorsFile::parse(const std::string &path, std::uint64_t size, const std::byte *prefix,
                                               const std::function<const char *(std::uint64_t)> &headerBytesAt8)
{
    Header result;
    if (size == 0)
        fail(path, "the file is empty");
    if (size < 8)
        fail(path, "only " + std::to_string(size) + " bytes: too short for a safetensors header");
    std::uint64_t headerBytes = 0;
    for (int i = 7; i >= 0; --i)
        headerBytes = (headerBytes << 8) | std::uint8_t(prefix[i]);
    if (headerBytes > kMaxHeaderBytes)
        fail(path, "header length " + std::to_string(headerBytes) + " is over the " +
                       std::to_string(kMaxHeaderBytes >> 20) + " MiB limit (not a safetensors file, or a hostile one)");
    if (headerBytes > size - 8)
        fail(path, "header length " + std::to_string(headerBytes) + " exceeds the file size of " + std::to_string(size) +
                       " bytes (the file is truncated or not a safetensors file)");
    if (headerBytes < 2)
        fail(path, "the header is too short to hold a JSON object");
    const char *header = headerBytesAt8(headerBytes);
    result.dataStart = 8 + headerBytes;
    const std::uint64_t dataSize = size - result.dataStart;
    HeaderParser(path, header, header + headerBytes, dataSize).parse(result.tensors, result.metadata);

    // The tensors must tile the data region exactly: no overlap (two names aliasing bytes), no hole.
    std::vector<const TensorEntry *> byOffset;
    byOffset.reserve(result.tensors.size());
    for (const TensorEntry &tensor : result.tensors)
        byOffset.push_back(&tensor);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorEntry *a, const TensorEntry *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t expected = 0;
    for (const TensorEntry *tensor : byOffset) {
        if (tensor->begin < expected)
            fail(path, "tensor " + inQuotes(tensor->name) + " overlaps the tensor before it");
        if (tensor->begin > expected)
            fail(path, "there is a gap of " + std::to_string(tensor->begin - expected) + " bytes before tensor " +
                           inQuotes(tensor->name));
        expected = tensor->end;
    }
    if (expected != dataSize)
        fail(path, "the tensors cover " + std::to_string(expected) + " of the " + std::to_string(dataSize) +
                       " data bytes; the rest belongs to no tensor");

    // Names must be unique: sort them once (find() and the probe use the order too) and compare neighbours.
    result.byName.resize(result.tensors.size());
    for (std::size_t i = 0; i < result.tensors.size(); ++i)
        result.byName[i] = std::uint32_t(i);
    const auto &tensors = result.tensors;
    std::sort(result.byName.begin(), result.byName.end(),
              [&tensors](std::uint32_t a, std::uint32_t b) { return tensors[a].name < tensors[b].name; });
    for (std::size_t i = 1; i < result.byName.size(); ++i) {
        if (tensors[result.byName[i]].name == tensors[result.byName[i - 1]].name)
            fail(path, "the header names tensor " + inQuotes(tensors[result.byName[i]].name) + " twice");
    }
    return result;
}

SafetensorsFile::Header SafetensorsFile::readHeader(const std::string &path)
{
    // Two reads instead of a mapping: probing many files should not fault in and unmap their pages.
    struct stat info
    {
    };
    const int fd = openRegularFile(path, info);
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    const std::uint64_t size = std::uint64_t(info.st_size);
    std::byte prefix[8] = {};
    if (size >= 8 && ::pread(fd, prefix, 8, 0) != 8)
        throw FormatError(path + ": cannot read (" + std::strerror(errno) + ")");
    std::vector<char> header;
    return parse(path, size, prefix, [&](std::uint64_t length) {
        header.resize(std::size_t(length));
        std::uint64_t done = 0;
        while (done < length) {
            const ssize_t read = ::pread(fd, header.data() + done, std::size_t(length - done), off_t(8 + done));
            if (read <= 0)
                throw FormatError(path + ": cannot read the header (" + std::strerror(errno) + ")");
            done += std::uint64_t(read);
        }
        return header.data();
    });
}

SafetensorsFile::SafetensorsFile(const std::string &path) : m_file(path)
{
    Header header = parse(path, m_file.size(), m_file.data(),
                          [this](std::uint64_t) { return reinterpret_cast<const char *>(m_file.data() + 8); });
    m_dataStart = header.dataStart;
    m_tensors = std::move(header.tensors);
    m_metadata = std::move(header.metadata);
    m_byName = std::move(header.byName);
}

const TensorEntry *SafetensorsFile::find(const std::string &name) const
{
    const auto it = std::lower_bound(m_byName.begin(), m_byName.end(), name,
                                     [this](std::uint32_t index, const std::string &n) { return m_tensors[index].name < n; });
    return it != m_byName.end() && m_tensors[*it].name == name ? &m_tensors[*it] : nullptr;
}

const std::byte *SafetensorsFile::data(const TensorEntry &tensor) const
{
    return m_file.data() + m_dataStart + tensor.begin;
}

} // namespace atelier::engine
