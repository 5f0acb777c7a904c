#include "core/engine/io/safetensors_writer.h"

#include "core/engine/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace atelier::engine {

namespace {

std::string jsonString(const std::string &text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

const char *dtypeTag(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat32: return "F32";
    case torch::kFloat16: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kInt64: return "I64";
    default: return nullptr;
    }
}

} // namespace

void writeSafetensors(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                      const std::map<std::string, std::string> &metadata)
{
    std::vector<torch::Tensor> data;
    std::ostringstream header;
    header << '{';
    bool first = true;
    if (!metadata.empty()) {
        header << "\"__metadata__\":{";
        for (const auto &[key, value] : metadata) {
            header << (first ? "" : ",") << jsonString(key) << ':' << jsonString(value);
            first = false;
        }
        header << '}';
    }
    std::uint64_t offset = 0;
    for (const auto &[name, tensor] : tensors) {
        const char *tag = dtypeTag(tensor.scalar_type());
        if (!tag)
            throw Error(path + ": cannot store tensor \"" + name + "\" of type " +
                        std::string(c10::toString(tensor.scalar_type())));
        torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
        const std::uint64_t bytes = std::uint64_t(cpu.numel()) * cpu.element_size();
        header << (metadata.empty() && first ? "" : ",") << jsonString(name) << ":{\"dtype\":\"" << tag
               << "\",\"shape\":[";
        for (std::int64_t i = 0; i < cpu.dim(); ++i)
            header << (i ? "," : "") << cpu.size(i);
        header << "],\"data_offsets\":[" << offset << ',' << offset + bytes << "]}";
        first = false;
        offset += bytes;
        data.push_back(cpu);
    }
    header << '}';
    std::string headerText = header.str();
    while (headerText.size() % 8)
        headerText += ' ';

    const std::string temporary = path + ".part";
    std::FILE *file = std::fopen(temporary.c_str(), "wb");
    if (!file)
        throw Error(path + ": cannot be written (" + std::strerror(errno) + ")");
    const std::uint64_t length = headerText.size();
    unsigned char prefix[8];
    for (int i = 0; i < 8; ++i)
        prefix[i] = static_cast<unsigned char>(length >> (8 * i));
    bool ok = std::fwrite(prefix, 1, 8, file) == 8 &&
              std::fwrite(headerText.data(), 1, headerText.size(), file) == headerText.size();
    for (const torch::Tensor &tensor : data) {
        const std::size_t bytes = std::size_t(tensor.numel()) * tensor.element_size();
        // An empty tensor has no storage (a null data pointer), and nothing to write.
        ok = ok && (bytes == 0 || std::fwrite(tensor.data_ptr(), 1, bytes, file) == bytes);
    }
    const int savedErrno = errno;
    ok = std::fclose(file) == 0 && ok;
    if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(ok ? errno : savedErrno);
        std::remove(temporary.c_str());
        throw Error(path + ": writing failed (" + reason + ")");
    }
}

} // namespace atelier::engine
