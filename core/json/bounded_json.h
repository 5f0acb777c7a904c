#pragma once

// Parsing JSON that comes from outside (settings files, imports, recipes, hub answers, the library's own columns)
// without trusting it: nesting is capped when parsing, so that nothing later (serialising, copying) can recurse
// itself to a crash, and every parser error (syntax, a number out of range such as 1e999) is a failure with a
// message, never an exception.
#include "core/result.h"

#include <nlohmann/json.hpp>

#include <QByteArrayView>

namespace atelier {

// Deeper than any file Atelier or the tools it reads from write; ComfyUI graphs and InvokeAI records stay below 20.
constexpr int kMaxJsonDepth = 128;

Result<nlohmann::json> parseBoundedJson(QByteArrayView text, int maxDepth = kMaxJsonDepth);
// The same for callers that only need to know whether it parsed: a discarded value (is_discarded()) on failure.
// Json is nlohmann::json or nlohmann::ordered_json (which keeps the keys in the file's order).
template <typename Json = nlohmann::json>
Json parseBoundedJsonOrDiscarded(QByteArrayView text, int maxDepth = kMaxJsonDepth);
Result<nlohmann::ordered_json> parseBoundedOrderedJson(QByteArrayView text, int maxDepth = kMaxJsonDepth);

} // namespace atelier
