#pragma once

// Loader inputs whose model the library does not know by name, found by the hash the graph's document gives for
// that name (a workflow's "models" list, an image's recipe): the same model under another name or folder on this
// machine. A full SHA-256 matches exactly; A1111's 10-digit short hash (AUTOV2) matches a SHA-256's start.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"
#include "core/nodes/node_environment.h"

#include <QMap>
#include <QStringList>

namespace atelier::nodes {

// Replaces each such input with the library model's key and says so, one line each.
QStringList resolveModelsByHash(graph::Graph &graph, const QMap<QString, QString> &hashByName,
                                const graph::NodeRegistry &registry, const NodeEnvironment &environment);

} // namespace atelier::nodes
