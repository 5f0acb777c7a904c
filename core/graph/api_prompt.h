#pragma once

// ComfyUI's API prompt: {"<id>": {"class_type": ..., "inputs": {name: literal | [node_id, output]}, "_meta":
// {"title": ...}}}, as its /prompt endpoint takes it (also wrapped as {"prompt": {...}, "client_id": ...}) and as
// its images carry it in the `prompt` text chunk. Atelier's own images carry the same nodes in `atelier_workflow`
// ({"format": "atelier-workflow", "version": ..., "nodes": {...}}), which reads the same way.
#include "core/graph/graph.h"
#include "core/result.h"

#include <QByteArray>

namespace atelier::graph {

// Reads an API prompt. Fails ("FormatError") on text that is not JSON, nested too deeply, or not shaped as a
// prompt, naming the node and input at fault: a node that is not an object or has no class_type, inputs that are
// not an object, a link that is not [node id, output index]. Links are not checked against the nodes here (that is
// validation's job, which reports them as ComfyUI does).
Result<Graph> readApiPrompt(const QByteArray &json);

// The graph as an API prompt (compact JSON), with every field it was read with, in the same order. Modes are an
// editor notion that API prompts do not carry: every node is written (ComfyUI's exporter drops muted nodes and
// rewires bypassed ones before it gets here).
QByteArray writeApiPrompt(const Graph &graph);

} // namespace atelier::graph
