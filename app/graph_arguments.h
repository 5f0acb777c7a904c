#pragma once

// What `atelier run` and `atelier farm submit` read from their arguments: a graph from a file, and --set changes.
#include "core/graph/graph_sources.h"

namespace atelier::app {

// PATH: an API prompt, an Atelier workflow or a ComfyUI editor workflow (JSON), or a PNG carrying one or only a
// recipe (graph_sources.h). Refuses files over 64 MB.
Result<graph::GraphSource> loadGraphFile(const QString &path, const graph::NodeRegistry &registry);

// --set NODE.INPUT=VALUE, VALUE as JSON when it reads as JSON (20, 7.5, true, "text"), else as text.
Status applySetting(graph::Graph &graph, const QString &setting);

} // namespace atelier::app
