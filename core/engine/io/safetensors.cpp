#include "core/engine/io/safetensors.h"

#include "core/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace atelier::engine {

using json = nlohmann::json;

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

// Builds the header's JSON like json::parse, and notes a tensor name given twice (JSON allows it; a weights file
// must not). A SAX handler, because a parse callback costs seven times the parse on headers of thousands of tensors.
class DuplicateCheckingParser : public nlohmann::detail::json_sax_dom_parser<json>
{
public:
    explicit DuplicateCheckingParser(json &result) : json_sax_dom_parser(result, true) {}

    bool start_object(std::size_t elements)
    {
        ++m_depth;
        return json_sax_dom_parser::start_object(elements);
    }
    bool end_object()
    {
        --m_depth;
        return json_sax_dom_parser::end_object();
    }
    bool key(json::string_t &name)
    {
        if (m_depth == 1 && !m_seen.insert(name).second && m_duplicate.empty())
            m_duplicate = name;
        return json_sax_dom_parser::key(name);
    }
    const std::string &duplicate() const { return m_duplicate; }

private:
    int m_depth = 0;
    std::unordered_set<std::string> m_seen;
    std::string m_duplicate;
};

json parseHeader(const std::string &path, const char *begin, const char *end)
{
    json header;
    DuplicateCheckingParser parser(header);
    try {
        json::sax_parse(begin, end, &parser);
    } catch (const json::exception &e) {
        fail(path, std::string("the header is not valid UTF-8 JSON (") + e.what() + ")");
    }
    if (!parser.duplicate().empty())
        fail(path, "the header names tensor " + inQuotes(parser.duplicate()) + " twice");
    if (!header.is_object())
        fail(path, "the header is not a JSON object");
    return header;
}

std::uint64_t unsignedValue(const std::string &path, const std::string &tensor, const char *field, const json &value)
{
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
        fail(path, "tensor " + inQuotes(tensor) + ": " + field + " must hold non-negative integers, not " + value.dump());
    return value.get<std::uint64_t>();
}

TensorEntry parseTensor(const std::string &path, const std::string &name, const json &entry, std::uint64_t dataSize)
{
    if (name.empty() || name.size() > kMaxNameBytes)
        fail(path, "a tensor name is empty or longer than " + std::to_string(kMaxNameBytes) + " bytes");
    if (!entry.is_object())
        fail(path, "tensor " + inQuotes(name) + " is not described by an object");
    for (const auto &item : entry.items()) {
        if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets")
            fail(path, "tensor " + inQuotes(name) + " has an unexpected field " + inQuotes(item.key()));
    }
    const auto dtypeField = entry.find("dtype");
    const auto shapeField = entry.find("shape");
    const auto offsetsField = entry.find("data_offsets");
    if (dtypeField == entry.end() || shapeField == entry.end() || offsetsField == entry.end())
        fail(path, "tensor " + inQuotes(name) + " lacks dtype, shape or data_offsets");

    TensorEntry tensor;
    tensor.name = name;
    if (!dtypeField->is_string())
        fail(path, "tensor " + inQuotes(name) + ": dtype must be a string");
    const auto dtype = dtypeFromName(dtypeField->get<std::string>());
    if (!dtype)
        fail(path, "tensor " + inQuotes(name) + " has the unknown dtype " + inQuotes(dtypeField->get<std::string>()));
    tensor.dtype = *dtype;

    if (!shapeField->is_array() || shapeField->size() > kMaxRank)
        fail(path, "tensor " + inQuotes(name) + ": shape must be an array of at most " + std::to_string(kMaxRank) + " sizes");
    std::uint64_t elements = 1;
    for (const json &dimension : *shapeField) {
        const std::uint64_t size = unsignedValue(path, name, "shape", dimension);
        if (size != 0 && elements > std::numeric_limits<std::uint64_t>::max() / size)
            fail(path, "tensor " + inQuotes(name) + ": its shape overflows");
        elements *= size;
        tensor.shape.push_back(std::int64_t(std::min<std::uint64_t>(size, std::uint64_t(std::numeric_limits<std::int64_t>::max()))));
    }
    if (!offsetsField->is_array() || offsetsField->size() != 2)
        fail(path, "tensor " + inQuotes(name) + ": data_offsets must be [begin, end]");
    tensor.begin = unsignedValue(path, name, "data_offsets", (*offsetsField)[0]);
    tensor.end = unsignedValue(path, name, "data_offsets", (*offsetsField)[1]);
    if (tensor.begin > tensor.end)
        fail(path, "tensor " + inQuotes(name) + " ends before it begins");
    if (tensor.end > dataSize)
        fail(path, "tensor " + inQuotes(name) + " ends at byte " + std::to_string(tensor.end) + " of a data region of " +
                       std::to_string(dataSize) + " bytes (the file is truncated or the header lies)");
    const std::uint64_t itemSize = dtypeSize(tensor.dtype);
    if (elements > std::numeric_limits<std::uint64_t>::max() / itemSize || elements * itemSize != tensor.end - tensor.begin)
        fail(path, "tensor " + inQuotes(name) + ": a " + dtypeName(tensor.dtype) + " tensor of " + std::to_string(elements) +
                       " elements needs " + std::to_string(elements * itemSize) + " bytes, but its offsets span " +
                       std::to_string(tensor.end - tensor.begin));
    return tensor;
}

} // namespace

std::int64_t TensorEntry::elementCount() const
{
    std::int64_t count = 1;
    for (std::int64_t size : shape)
        count *= size;
    return count;
}

SafetensorsFile::SafetensorsFile(const std::string &path) : m_file(path)
{
    const std::uint64_t size = m_file.size();
    if (size == 0)
        fail(path, "the file is empty");
    if (size < 8)
        fail(path, "only " + std::to_string(size) + " bytes: too short for a safetensors header");
    std::uint64_t headerBytes = 0;
    for (int i = 7; i >= 0; --i)
        headerBytes = (headerBytes << 8) | std::uint8_t(m_file.data()[i]);
    if (headerBytes > kMaxHeaderBytes)
        fail(path, "header length " + std::to_string(headerBytes) + " is over the " +
                       std::to_string(kMaxHeaderBytes >> 20) + " MiB limit (not a safetensors file, or a hostile one)");
    if (headerBytes > size - 8)
        fail(path, "header length " + std::to_string(headerBytes) + " exceeds the file size of " + std::to_string(size) +
                       " bytes (the file is truncated or not a safetensors file)");
    if (headerBytes < 2)
        fail(path, "the header is too short to hold a JSON object");
    const char *header = reinterpret_cast<const char *>(m_file.data() + 8);
    const json parsed = parseHeader(path, header, header + headerBytes);
    m_dataStart = 8 + headerBytes;
    const std::uint64_t dataSize = size - m_dataStart;

    for (const auto &item : parsed.items()) {
        if (item.key() == "__metadata__") {
            if (!item.value().is_object())
                fail(path, "__metadata__ must be an object of strings");
            for (const auto &field : item.value().items()) {
                if (!field.value().is_string())
                    fail(path, "__metadata__ entry " + inQuotes(field.key()) + " is not a string");
                m_metadata[field.key()] = field.value().get<std::string>();
            }
            continue;
        }
        m_tensors.push_back(parseTensor(path, item.key(), item.value(), dataSize));
    }

    // The tensors must tile the data region exactly: no overlap (two names aliasing bytes), no hole.
    std::vector<const TensorEntry *> byOffset;
    byOffset.reserve(m_tensors.size());
    for (const TensorEntry &tensor : m_tensors)
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

    for (std::size_t i = 0; i < m_tensors.size(); ++i)
        m_index.emplace(m_tensors[i].name, i);
}

const TensorEntry *SafetensorsFile::find(const std::string &name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const std::byte *SafetensorsFile::data(const TensorEntry &tensor) const
{
    return m_file.data() + m_dataStart + tensor.begin;
}

} // namespace atelier::engine
