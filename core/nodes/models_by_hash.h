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

// A model a graph names, as this machine's library knows it (for a job another machine runs).
struct ModelReference
{
    QString node, input, name;
    QString sha256; // empty when the library has no record of it, or no hash yet
    QString source; // where the library installed it from, or empty
};

// Every loader input that names a model (checkpoints, VAEs, LoRAs), with the library's hash and source for it.
QList<ModelReference> referencedModels(const graph::Graph &graph, const NodeEnvironment &environment);

// Replaces each such input with the library model's key and says so, one line each.
QStringList resolveModelsByHash(graph::Graph &graph, const QMap<QString, QString> &hashByName,
                                const graph::NodeRegistry &registry, const NodeEnvironment &environment);

} // namespace atelier::nodes
