#pragma once

#include "core/nodes/built_in_nodes.h"

#include <QTemporaryDir>

// The built-in node types without a model library, their folders in `root`: for tests of definitions, formats and
// validation that run nothing.
inline std::shared_ptr<atelier::graph::NodeRegistry> libraryFreeNodes(const QTemporaryDir &root)
{
    atelier::nodes::NodeEnvironment environment;
    environment.inputDir = root.filePath(QStringLiteral("input"));
    environment.outputDir = root.filePath(QStringLiteral("outputs"));
    environment.tempDir = root.filePath(QStringLiteral("temp"));
    return atelier::nodes::builtInNodes(environment);
}
