#pragma once

// ComfyUI's editor workflow (what its canvas saves and its images carry in the `workflow` chunk), in both shapes:
// 0.4 (links as arrays [id, origin, slot, target, slot, type]) and version 1 (links as objects). Turned into the
// graph that runs the way ComfyUI's editor turns it into an API prompt: widget values matched to the definition's
// widget inputs in order (the seed's "control after generate" value skipped), object-form widget values by name,
// links followed through Reroute nodes, PrimitiveNode values moved into the inputs they feed, notes left out,
// subgraphs (version 1's definitions.subgraphs) flattened with "instance:node" ids, and each node's mode (muted,
// bypassed) and node package (cnr_id, aux_id) kept.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"
#include "core/result.h"

#include <QByteArray>

namespace atelier::graph {

// True when `json` is shaped as an editor workflow (an object with a "nodes" array), whatever its version.
bool isEditorWorkflow(const QByteArray &json);

// The graph an editor workflow runs. Fails ("FormatError") on text that is not a workflow, naming the node or link
// at fault; node types the registry does not know are kept with their linked inputs (validation reports them).
Result<Graph> graphFromEditorWorkflow(const QByteArray &json, const NodeRegistry &registry);

// The graph as an editor workflow (0.4 shape) that ComfyUI's canvas and Atelier's open: widget values in definition
// order (seeds "fixed"), links for linked inputs, nodes where their positions say or else laid out left to right
// by depth. Node ids that are not
// numbers get new ones. An API prompt opened in the editor, or written beside a run, goes through here.
QByteArray editorWorkflowFromGraph(const Graph &graph, const NodeRegistry &registry);

} // namespace atelier::graph
