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

class GroupItem;
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
    // The loader node for a library model of `modelType` (TAXONOMY's "main", "vae", "lora"), set to `file`, as
    // one step; its id, or empty when no loader takes that type.
    QString addLoader(const QString &modelType, const QString &file, QPointF at);
    // A node of `type` with `input` set to `value`, as one step (a LoadImage for a dropped image); its id.
    QString addNodeWithValue(const QString &type, const QString &input, const graph::GraphValue &value, QPointF at);
    // Pastes copied nodes at `at` as one step and selects them; their ids.
    QStringList paste(const QByteArray &clipboard, QPointF at, bool keepInputLinks);
    void setModeOfSelected(graph::NodeMode mode); // the mode, or back to active when all have it already
    void setCollapsedOfSelected(bool collapsed);
    void setColorOfSelected(const QString &title, const QString &body); // empty: ComfyUI's default look
    // A group around the selected nodes, as one step; its index, or -1 with nothing selected.
    int groupSelected(const QString &title);
    enum class Alignment { Grid, LeftEdges, TopEdges };
    void alignSelected(Alignment alignment);

    // Links: the one whose curve passes within a few pixels of a scene point, links crossed by a cut stroke
    // (taken off as one step), and a reroute point put on a link (one step).
    std::optional<qint64> linkAt(QPointF scenePos) const;
    int cutLinks(const QLineF &stroke);
    QString insertReroute(qint64 linkId, QPointF at);
    GroupItem *groupAt(QPointF scenePos) const;

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
    // "Add node…" chosen from the canvas's menu.
    void addNodeRequested(QPointF scenePos);

protected:
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;

private:
    QString shownName(const QString &type) const;
    void rebuild();
    void syncGroups();
    void showNodeMenu(QGraphicsSceneContextMenuEvent *event);
    void showGroupMenu(GroupItem &group, QGraphicsSceneContextMenuEvent *event);
    void showCanvasMenu(QGraphicsSceneContextMenuEvent *event);
    void addNodeItem(const QString &id);
    void refreshNode(const QString &id);
    void rebuildLinks();
    void scheduleLinks();
    void updateLinkPaths(const QString &node = {}); // every link's, or those of one node
    struct LinkView;
    void updateLinkPath(const LinkView &view) const;
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
    QMultiHash<QString, int> m_linksOfNode; // node id -> index in m_links, both ends
    QList<GroupItem *> m_groups; // by index in the workflow's list
    bool m_linksScheduled = false;

    QByteArray m_editBefore;
    QString m_editLabel;
    int m_editDepth = 0;

    std::optional<graph::OutputRef> m_dragFrom;
    QString m_dragType;
    QGraphicsPathItem *m_dragItem = nullptr;
};

} // namespace atelier::ui
