#pragma once

// A recipe as `atelier inspect --json` prints it (and `atelier images show --json`): every field, null where the
// image does not state it, the raw chunks and the warnings.
#include "core/metadata/generation_info.h"

#include <nlohmann/json.hpp>

namespace atelier::app {

nlohmann::ordered_json recipeJson(const metadata::GenerationInfo &info);

} // namespace atelier::app
