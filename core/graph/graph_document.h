#pragma once

// A workflow being edited, for the node editor: ComfyUI's editor workflow itself (either shape, as it was read), its
// edits, and a signal for each, emitted on the thread that makes the edit (the GUI's). Edits change the workflow in
// place, so that what Atelier does not show or understand (groups, notes, native reroutes, subgraph definitions,
// extensions' fields) is written back as it was read. The graph that runs is derived from it on demand.
// Edits are checked against the node definitions (a link must join an output to an input of its type, a value must
// be one the input takes) and refused with false otherwise; nothing else is validated here (that is validation's
// job, before a run). No widgets; the editor's undo stack sits on top. Node ids are the workflow's top-level ids.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"
#include "core/result.h"

#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <memory>
#include <optional>

namespace atelier::graph {

// What the canvas shows of the workflow, in plain values.
struct CanvasSlot
{
    QString name;
    QString type;
    std::optional<qint64> link; // inputs: the link into it; outputs: unused
    int links = 0;              // outputs: how many links leave it
    bool widget = false;        // an input that is a widget turned into a socket
};

struct CanvasNode
{
    QString id;
    QString type;
    QString title; // the workflow's, else the definition's display name, else the type
    QPointF position;
    QSizeF size;
    NodeMode mode = NodeMode::Active;
    bool known = false;                // a registered type
    bool collapsed = false;            // drawn as its title bar alone
    QString color, bgcolor;            // the title's and the body's colours ("#rgb" or "#rrggbb"), or empty
    QList<CanvasSlot> inputs, outputs; // in the workflow's slot order
    // The widgets shown on the node (widget inputs not linked), in definition order, with their values.
    QList<NodeInput> widgets;
};

struct CanvasLink
{
    qint64 id = 0;
    OutputRef from;
    QString to;
    int toSlot = 0;
    QString type;
};

struct CanvasGroup
{
    int index = 0; // its place in the workflow's list, which names it in edits
    QString title;
    QRectF bounds;
    QString color; // "#rrggbb", or empty
};

class GraphDocument : public QObject
{
    Q_OBJECT
public:
    // An empty workflow (0.4 shape).
    explicit GraphDocument(std::shared_ptr<const NodeRegistry> registry, QObject *parent = nullptr);
    // `graph` laid out as a workflow (an API prompt opened in the editor).
    GraphDocument(std::shared_ptr<const NodeRegistry> registry, const Graph &graph, QObject *parent = nullptr);
    ~GraphDocument() override;

    // Replaces the document with an editor workflow, kept as it is; fails (and keeps the current one) on text that
    // does not read as a workflow. Signals reset().
    Status openWorkflow(const QByteArray &json);
    void openGraph(const Graph &graph);
    // Puts back a workflow this document wrote before (undo and redo): read once, not checked again.
    void restore(const QByteArray &written);

    const NodeRegistry &registry() const { return *m_registry; }
    // The graph the workflow runs: reroutes and primitives resolved, subgraphs flattened, notes left out.
    const Graph &graph() const;
    // The workflow as edited, in the shape it was read in, every field of the source kept.
    QByteArray editorWorkflow() const;

    // The canvas: every top-level node (editor nodes included) in document order, the links between them, groups.
    QStringList nodeIds() const;
    std::optional<CanvasNode> canvasNode(const QString &id) const;
    QList<CanvasLink> links() const;
    QList<CanvasGroup> groups() const;

    // A node of a registered type (editor nodes included) with its widget inputs at their defaults, at `position`;
    // its new id (one above the largest in use), or empty for an unknown type.
    QString addNode(const QString &type, QPointF position);
    // Removes the node and every link into or out of it.
    bool removeNode(const QString &id);
    // A widget input's value (a Note's "text", a PrimitiveNode's "value").
    bool setValue(const QString &nodeId, const QString &input, const GraphValue &value);
    // Links output `from` to the input (replacing a link it had; a widget input becomes a linked one) when the types
    // match.
    bool connectInput(const OutputRef &from, const QString &nodeId, const QString &input);
    bool disconnectInput(const QString &nodeId, const QString &input);
    bool setMode(const QString &nodeId, NodeMode mode);
    bool setTitle(const QString &nodeId, const QString &title);
    bool moveNode(const QString &nodeId, QPointF position);

    // How a node looks (graph_document_layout.cpp): collapsed to its title bar, coloured (ComfyUI's "color" for the
    // title and "bgcolor" for the body; empty strings take the colours off).
    bool setCollapsed(const QString &nodeId, bool collapsed);
    bool setColor(const QString &nodeId, const QString &color, const QString &bgcolor);

    // Groups: titled boxes. Moving one moves the nodes whose centre lies inside it, as ComfyUI's canvas does.
    int addGroup(const QString &title, const QRectF &bounds); // its index
    bool removeGroup(int index);
    bool moveGroup(int index, QPointF by);
    bool setGroupBounds(int index, const QRectF &bounds); // resizing: the nodes stay where they are
    bool setGroupTitle(int index, const QString &title);
    bool setGroupColor(int index, const QString &color);
    QStringList nodesInGroup(int index) const;
    // Where a node lies on the canvas: its position and the size the workflow gives it.
    std::optional<QRectF> nodeBounds(const QString &nodeId) const;

    // ComfyUI's "control after generate" of seed widgets, shown on the canvas as the widget
    // "control_after_generate" after the seed and set with setValue: "fixed", "increment", "decrement" or
    // "randomize". Applied after a run is queued: the seeds change as their controls say (random seeds stay below
    // 2^53, which every JSON reader keeps exact). The nodes whose seed changed.
    QStringList applySeedControls();

    // The clipboard: the nodes as an editor workflow of their own (with the links among them and those into them),
    // which another window, another tab or ComfyUI's canvas can take.
    QByteArray copyNodes(const QStringList &ids) const;
    // Pastes what copyNodes made (or any editor workflow) with new ids, its top left at `at`, the links among the
    // pasted nodes remade and, with `keepInputLinks`, those into them from nodes this document has. The new ids;
    // none for text that is not a workflow.
    QStringList pasteNodes(const QByteArray &clipboard, QPointF at, bool keepInputLinks = false);

signals:
    void reset(); // a whole new document
    void nodeAdded(const QString &id);
    void nodeRemoved(const QString &id);
    // A value set, a link made or taken off.
    void inputChanged(const QString &nodeId, const QString &input);
    void nodeChanged(const QString &nodeId); // mode or title
    void nodeMoved(const QString &nodeId, QPointF position);
    void groupsChanged(); // a group added, removed, moved, resized, renamed or recoloured
    // After every edit, whatever it was: for views that redraw everything and for "modified" marks.
    void changed();

private:
    struct Workflow;

    void edited();
    // Takes link `linkId` off both its ends; signals the input it fed.
    void removeLink(std::int64_t linkId);
    bool setGroupText(int index, const char *field, const QString &value); // a group's title or colour

    std::shared_ptr<const NodeRegistry> m_registry;
    std::unique_ptr<Workflow> m_workflow;
    QString m_token;                      // names this document in what it copies
    mutable std::optional<Graph> m_graph; // derived, until the next edit
};

} // namespace atelier::graph
