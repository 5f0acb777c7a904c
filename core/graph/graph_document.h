#pragma once

// A graph being edited, for the node editor: the graph, its edits, and a signal for each, emitted on the thread that
// makes the edit (the GUI's). Edits are checked against the node definitions (a link must join an output to an
// input of its type, a value must be one the input takes) and refused with false otherwise; nothing else is
// validated here (that is validation's job, before a run). No widgets; the editor's undo stack sits on top.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"

#include <QObject>

#include <memory>

namespace atelier::graph {

class GraphDocument : public QObject
{
    Q_OBJECT
public:
    GraphDocument(std::shared_ptr<const NodeRegistry> registry, Graph graph = {}, QObject *parent = nullptr);

    const Graph &graph() const { return m_graph; }
    const NodeRegistry &registry() const { return *m_registry; }
    // The graph as an editor workflow (positions kept), to save or to write into images.
    QByteArray editorWorkflow() const;

    // A node of a registered type with its widget inputs at their defaults, at `position`; its new id (one above
    // the largest number in use), or empty for an unknown type.
    QString addNode(const QString &type, QPointF position);
    // Removes the node and the links into it from other nodes.
    bool removeNode(const QString &id);
    bool setValue(const QString &nodeId, const QString &input, const GraphValue &value);
    // Links output `from` to the input (replacing a value or link it had) when the types match.
    bool connectInput(const OutputRef &from, const QString &nodeId, const QString &input);
    bool disconnectInput(const QString &nodeId, const QString &input);
    bool setMode(const QString &nodeId, NodeMode mode);
    bool setTitle(const QString &nodeId, const QString &title);
    bool moveNode(const QString &nodeId, QPointF position);

signals:
    void nodeAdded(const QString &id);
    void nodeRemoved(const QString &id);
    // A value set, a link made or taken off.
    void inputChanged(const QString &nodeId, const QString &input);
    void nodeChanged(const QString &nodeId); // mode or title
    void nodeMoved(const QString &nodeId, QPointF position);
    // After every edit, whatever it was: for views that redraw everything and for "modified" marks.
    void changed();

private:
    GraphNode *find(const QString &id);
    // Gives the node the input (a value or a link), replacing one of its name, and signals it.
    void setInput(GraphNode &node, NodeInput input);
    QString outputType(const OutputRef &output) const;

    std::shared_ptr<const NodeRegistry> m_registry;
    Graph m_graph;
};

} // namespace atelier::graph
