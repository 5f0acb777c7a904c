#pragma once

// A group on the canvas: a titled, tinted box behind the nodes. Dragging its title bar moves it with the nodes
// whose centre lies inside (one undo step), its corner resizes it, a double-click on the title renames it. The
// body lets presses through, so that a rubber band can start inside a group.
#include "core/graph/graph_document.h"

#include <QGraphicsObject>

namespace atelier::ui {

class GraphScene;

class GroupItem : public QGraphicsObject
{
    Q_OBJECT
public:
    GroupItem(GraphScene &scene, const graph::CanvasGroup &group);

    const graph::CanvasGroup &group() const { return m_group; }
    void refresh(const graph::CanvasGroup &group);
    // Whether a scene point lies on the title bar (where drags and double-clicks belong to the group).
    bool onTitle(const QPointF &scenePoint) const;

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;

private:
    enum class Gesture { None, Move, Resize };
    QRectF resizeHandle() const; // local

    GraphScene &m_scene;
    graph::CanvasGroup m_group;
    Gesture m_gesture = Gesture::None;
    QPointF m_pressAt;
    QSizeF m_pressSize;
    QStringList m_carried;        // the nodes a move takes along
    QList<QPointF> m_carriedFrom; // where they were at the press
};

} // namespace atelier::ui
