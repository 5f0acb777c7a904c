#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace atelier::engine {

// Element types that weight files store, with the names safetensors uses.
enum class DType { F64, F32, F16, BF16, F8E4M3, F8E5M2, I64, I32, I16, I8, U64, U32, U16, U8, Bool };

const char *dtypeName(DType dtype);          // "F16" …
std::size_t dtypeSize(DType dtype);          // bytes per element
std::optional<DType> dtypeFromName(const std::string &name);

} // namespace atelier::engine
