#pragma once

// An image saved elsewhere with only the metadata the artist chooses to share: everything, the recipe alone as
// A1111's `parameters` line (the graph, the workflow and every other chunk stripped), or nothing but the pixels.
#include "core/result.h"

#include <QString>

namespace atelier::gallery {

enum class ExportMetadata {
    Everything, // a copy, byte for byte
    RecipeOnly, // the pixels and A1111's `parameters` line of the recipe read from it (nothing when it has none)
    None,       // the pixels alone (and the chunks that change how they look)
};

// Writes `target` (atomically; never over `source` itself). Fails, saying why, when the source is not a PNG it can
// read or the target cannot be written; a failed export leaves no partial file.
Status exportImage(const QString &source, const QString &target, ExportMetadata metadata);

} // namespace atelier::gallery
