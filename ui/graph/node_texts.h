#pragma once

// The built-in nodes' names, descriptions and categories in the interface's language. core/nodes keeps them in
// English (the names ComfyUI users know, marked there with QT_TRANSLATE_NOOP("NodeDefinition", ...); the category
// folders are marked in node_texts.cpp) and workflows store only types; translation happens where they are shown. Text
// Atelier does not know (another tool's custom node, a title the user typed) is shown as it is.
#include <QString>

namespace atelier::graph {
struct NodeDefinition;
}

namespace atelier::ui {

// The name a node type is listed under: its display name, translated, or else its type.
QString nodeName(const graph::NodeDefinition &definition);
// Its description, translated, or else its type.
QString nodeDescription(const graph::NodeDefinition &definition);
// A category path ("advanced/loaders"), translated folder by folder.
QString nodeCategory(const QString &path);
// A node's title on the canvas: translated while it is still the type's display name or a title Atelier gave it.
QString nodeTitle(const QString &title, const graph::NodeDefinition *definition);
// Input labels are graph::inputLabel (core/graph/node_type.h): the run reasons use them too.
// A value of the seed's control ("randomize") or of a boolean ("true") as the canvas shows it; the value stored is
// the English one.
QString choiceLabel(const QString &value);

} // namespace atelier::ui
