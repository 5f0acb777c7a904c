#pragma once

// Where the built-in nodes find and put things: the model library their loader combos list and resolve, the
// folders LoadImage reads and SaveImage writes, and the device the engine runs them on.
#include "core/generation/library_models.h"

#include <QString>
#include <QStringList>

namespace atelier::nodes {

struct NodeEnvironment
{
    generation::ModelLibrary library;
    QString inputDir;  // LoadImage's images: <root>/input
    QString outputDir; // SaveImage: <root>/outputs
    QString tempDir;   // PreviewImage
    QString device = QStringLiteral("cpu");
    QString precision = QStringLiteral("fp32");
    QStringList embeddingFolders; // besides the library's embeddings folder
};

} // namespace atelier::nodes
