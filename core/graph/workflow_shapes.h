#pragma once

// ComfyUI's editor workflow in its two shapes, each converted to the other without losing a field:
// 0.4 (`last_node_id`, `last_link_id`, links as [id, origin, slot, target, slot, type], native reroutes under
// `extra.reroutes` and their links' parents under `extra.linkExtensions`) and version 1 (`state`, links as
// objects with `parentId`, `reroutes` at the top). Nodes, groups, `extra` and every field Atelier does not read are
// copied as they are, in their order.
#include "core/result.h"

#include <QByteArray>

namespace atelier::graph {

enum class WorkflowShape { V04, V1 };

// The shape a workflow document has; fails on what is not an editor workflow.
Result<WorkflowShape> workflowShape(const QByteArray &json);
// The document in `shape` (compact JSON; unchanged content when it already has it).
Result<QByteArray> workflowInShape(const QByteArray &json, WorkflowShape shape);

} // namespace atelier::graph
