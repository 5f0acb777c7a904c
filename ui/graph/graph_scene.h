#pragma once

// The canvas of one workflow: a node item per node and a curve per link, rebuilt from the document it shows and
// kept in step with its signals. Every change an artist makes goes to the document as one undo step on the
// scene's stack (a drag is one step, a new link is one step), recorded as the workflow before and after.
#include "core/graph/graph_document.h"

#include <QGraphicsScene>
#include <QHash>
#include <QPointer>

#include <functional>

class QGraphicsPathItem;
class QUndoStack;

namespace atelier::ui {

class NodeItem;

class GraphScene : public QGraphicsScene
{
    Q_OBJECT
public:
    GraphScene(graph::GraphDocument &document, QUndoStack &undo, QObject *parent = nullptr);
    ~GraphScene() override;

    graph::GraphDocument &document() const { return m_document; }
    QUndoStack &undoStack() const { return m_undo; }
    NodeItem *nodeItem(const QString &id) const { return m_nodes.value(id); }
    QStringList selectedNodeIds() const;

    // Runs `change` on the document as one undo step named `label` (nothing is recorded if it changed nothing).
    void edit(const QString &label, const std::function<void()> &change);
    // The same, for gestures that change the document as they go (a drag): begun at the press, recorded at the
    // release.
    void beginEdit(const QString &label);
    void endEdit();

    // Adds a node of `type` at `at` as one undo step; its id, or empty for an unknown type. With `from`, its first
    // input of a matching type is linked to that output in the same step.
    QString addNode(const QString &type, QPointF at, const std::optional<graph::OutputRef> &from = std::nullopt);
    void removeSelected();
    // Pastes copied nodes at `at` as one step and selects them; their ids.
    QStringList paste(const QByteArray &clipboard, QPointF at, bool keepInputLinks);
    void setModeOfSelected(graph::NodeMode mode); // the mode, or back to active when all have it already

    // Link dragging, driven by the node items.
    void startLinkDrag(const graph::OutputRef &from, QPointF scenePos);
    void pickUpLink(const QString &nodeId, const QString &input, QPointF scenePos);
    void moveLinkDrag(QPointF scenePos);
    void finishLinkDrag(QPointF scenePos, QPoint screenPos);
    QString draggedType() const { return m_dragType; }

    // A node item moved: its links follow now; the document hears of it at the end of the drag.
    void nodeMovedOnCanvas(const QString &id);
    void commitMoves();

signals:
    // A link was dropped where no input is: the view offers the nodes that can take it.
    void linkDroppedOnCanvas(const atelier::graph::OutputRef &from, const QString &type, QPointF scenePos,
                             QPoint screenPos);

protected:
    void drawBackground(QPainter *painter, const QRectF &rect) override;

private:
    void rebuild();
    void addNodeItem(const QString &id);
    void refreshNode(const QString &id);
    void rebuildLinks();
    void scheduleLinks();
    void updateLinkPaths();
    QPainterPath linkPath(QPointF from, QPointF to) const;

    graph::GraphDocument &m_document;
    QUndoStack &m_undo;
    QHash<QString, NodeItem *> m_nodes;
    struct LinkView
    {
        graph::CanvasLink link;
        QGraphicsPathItem *item = nullptr;
    };
    QList<LinkView> m_links;
    QList<QGraphicsItem *> m_groupItems;
    bool m_linksScheduled = false;

    QByteArray m_editBefore;
    QString m_editLabel;
    int m_editDepth = 0;

    std::optional<graph::OutputRef> m_dragFrom;
    QString m_dragType;
    QGraphicsPathItem *m_dragItem = nullptr;
};

} // namespace atelier::ui
