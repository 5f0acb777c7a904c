#include "ui/graph/group_item.h"

#include "ui/common/theme.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/node_item.h"

#include <QGraphicsSceneMouseEvent>
#include <QInputDialog>
#include <QPainter>

#include <cmath>

namespace atelier::ui {

namespace {

constexpr qreal kTitleHeight = 34;
constexpr qreal kHandle = 14;
constexpr qreal kGrid = 20;
const QColor kDefaultColor(0x3f, 0x78, 0x9e);

qreal snapped(qreal value)
{
    return std::round(value / kGrid) * kGrid;
}

} // namespace

GroupItem::GroupItem(GraphScene &scene, const graph::CanvasGroup &group)
    : m_scene(scene)
{
    setZValue(-10);
    setAcceptedMouseButtons(Qt::LeftButton);
    refresh(group);
}

void GroupItem::refresh(const graph::CanvasGroup &group)
{
    prepareGeometryChange();
    m_group = group;
    setPos(group.bounds.topLeft());
    setToolTip(group.title);
    update();
}

QRectF GroupItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_group.bounds.size()).adjusted(-1, -1, 1, 1);
}

QRectF GroupItem::resizeHandle() const
{
    const QSizeF size = m_group.bounds.size();
    return QRectF(size.width() - kHandle, size.height() - kHandle, kHandle, kHandle);
}

bool GroupItem::onTitle(const QPointF &scenePoint) const
{
    const QPointF local = mapFromScene(scenePoint);
    return QRectF(0, 0, m_group.bounds.width(), kTitleHeight).contains(local);
}

void GroupItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QColor color = QColor::isValidColorName(m_group.color) ? QColor(m_group.color) : kDefaultColor;
    const QRectF box(QPointF(0, 0), m_group.bounds.size());
    painter->setPen(QPen(color, 2));
    painter->setBrush(QColor(color.red(), color.green(), color.blue(), 40));
    painter->drawRect(box);
    painter->fillRect(QRectF(0, 0, box.width(), kTitleHeight), QColor(color.red(), color.green(), color.blue(), 90));
    QFont font = painter->font();
    font.setPixelSize(20);
    painter->setFont(font);
    painter->setPen(themeColors().titleText);
    painter->drawText(QRectF(10, 0, box.width() - 20, kTitleHeight), Qt::AlignVCenter | Qt::AlignLeft,
                      painter->fontMetrics().elidedText(m_group.title, Qt::ElideRight, int(box.width() - 20)));
    // The resize grip, three short diagonals in the corner.
    painter->setPen(QPen(color.lighter(130), 1.5));
    const QRectF grip = resizeHandle();
    for (qreal inset : {3.0, 7.0, 11.0})
        painter->drawLine(QPointF(grip.right() - inset, grip.bottom() - 1),
                          QPointF(grip.right() - 1, grip.bottom() - inset));
}

void GroupItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    m_gesture = Gesture::None;
    m_pressAt = event->scenePos();
    m_pressSize = m_group.bounds.size();
    if (resizeHandle().adjusted(-4, -4, 4, 4).contains(event->pos())) {
        m_gesture = Gesture::Resize;
    } else if (onTitle(event->scenePos())) {
        m_gesture = Gesture::Move;
        m_carried = m_scene.document().nodesInGroup(m_group.index);
        m_carriedFrom.clear();
        for (const QString &id : std::as_const(m_carried))
            m_carriedFrom.append(m_scene.nodeItem(id) ? m_scene.nodeItem(id)->pos() : QPointF());
    } else {
        event->ignore(); // the body lets the rubber band start
        return;
    }
    event->accept();
}

void GroupItem::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    const QPointF by(snapped(event->scenePos().x() - m_pressAt.x()), snapped(event->scenePos().y() - m_pressAt.y()));
    if (m_gesture == Gesture::Move) {
        // On the canvas only, until the release makes it one edit.
        setPos(m_group.bounds.topLeft() + by);
        for (int at = 0; at < m_carried.size(); ++at)
            if (NodeItem *node = m_scene.nodeItem(m_carried.at(at)))
                node->setPos(m_carriedFrom.at(at) + by);
    } else if (m_gesture == Gesture::Resize) {
        prepareGeometryChange();
        m_group.bounds.setSize(QSizeF(std::max<qreal>(120, m_pressSize.width() + by.x()),
                                      std::max<qreal>(kTitleHeight + 20, m_pressSize.height() + by.y())));
    }
}

void GroupItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    const Gesture gesture = std::exchange(m_gesture, Gesture::None);
    const QPointF by(snapped(event->scenePos().x() - m_pressAt.x()), snapped(event->scenePos().y() - m_pressAt.y()));
    const int index = m_group.index;
    if (gesture == Gesture::Move && !by.isNull())
        m_scene.edit(tr("Move group"), [&] { m_scene.document().moveGroup(index, by); });
    else if (gesture == Gesture::Resize)
        m_scene.edit(tr("Resize group"), [&] { m_scene.document().setGroupBounds(index, m_group.bounds); });
}

void GroupItem::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    if (!onTitle(event->scenePos())) {
        event->ignore();
        return;
    }
    bool ok = false;
    const QString title =
        QInputDialog::getText(nullptr, tr("Rename group"), tr("Title:"), QLineEdit::Normal, m_group.title, &ok);
    const int index = m_group.index;
    if (ok)
        m_scene.edit(tr("Rename group"), [&] { m_scene.document().setGroupTitle(index, title); });
    event->accept();
}

} // namespace atelier::ui
