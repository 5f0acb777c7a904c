#pragma once

// ComfyUI's batch count: run k of a batch (0-based) is the graph with every seed input (the inputs whose editor
// widget has "control after generate") k higher than the first run's, wrapping around as 64-bit seeds do.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"

namespace atelier::graph {

Graph withSeedsAdvanced(const Graph &graph, const NodeRegistry &registry, std::uint64_t runIndex);

} // namespace atelier::graph
