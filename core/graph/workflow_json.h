#pragma once

// Reading ComfyUI's editor workflow JSON, shared by what turns a workflow into a graph (editor_workflow.cpp) and what
// edits one in place (graph_document.cpp), so that both read widget values, modes and positions the same way.
// Internal to core/graph: it includes the JSON library.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"

#include <nlohmann/json.hpp>

#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <cstdint>
#include <optional>

namespace atelier::graph::workflow_json {

using Json = nlohmann::ordered_json;

// An id or slot, as a number or a numeric string (some writers quote them).
std::optional<std::int64_t> integerOf(const Json &value);
QString stringOf(const Json &value);
QString typeOf(const Json &node);

// The editor's "control after generate" words, and whether an entry after a seed is one (a word, or true in older
// workflows).
extern const QStringList kSeedControls;
bool isSeedControl(const Json &value);

// Reroute, PrimitiveNode, Note and MarkdownNote: shapes on the canvas, resolved away before a graph runs.
bool isEditorOnly(const QString &type);

NodeMode modeOf(const Json &node);
int modeNumber(NodeMode mode); // 0 active, 2 muted ("never"), 4 bypassed
// A canvas position: [x, y], or {"0": x, "1": y} as some editors write it.
std::optional<QPointF> pointOf(const Json &pos);
// A group's "bounding": [x, y, width, height].
std::optional<QRectF> rectOf(const Json &bounding);

// Where each widget input of `definition` sits in a node's array-form `widgets_values`: in definition order, one
// entry per widget, the seed's "control after generate" entry skipped where the array has one. Inputs past the end
// of the array are absent.
QHash<QString, std::size_t> widgetIndexes(const NodeDefinition &definition, const Json &values);
// The widget values a new node of `definition` starts with: defaults (the first option of a fixed combo) and
// "fixed" after seeds.
Json defaultWidgetValues(const NodeDefinition &definition);

// The value of `node`'s widget input `spec`, from array- or object-form `widgets_values`.
std::optional<GraphValue> widgetValue(const InputSpec &spec, const Json &values,
                                      const QHash<QString, std::size_t> &indexes);

} // namespace atelier::graph::workflow_json
