#pragma once

#include "core/metadata/generation_info.h"

#include <QString>

#include <functional>
#include <optional>

namespace atelier::ui {

// A model a recipe names, as the library has it: found by hash first (a full SHA-256, or A1111's short AutoV2),
// then by name. The window answers from the model library; the gallery only asks.
struct LibraryMatch
{
    QString key;
    QString name;
    QString base; // TAXONOMY's base ("sd-1", "sdxl" ...)
};
using LibraryFinder = std::function<std::optional<LibraryMatch>(const metadata::ModelReference &model)>;

} // namespace atelier::ui
