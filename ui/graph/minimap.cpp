#include "ui/graph/minimap.h"

#include "ui/common/theme.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_item.h"

#include <QMouseEvent>
#include <QPainter>

namespace atelier::ui {

namespace {

QRectF nodesArea(const GraphScene &scene)
{
    QRectF area;
    for (const QString &id : scene.document().nodeIds())
        if (const NodeItem *node = scene.nodeItem(id))
            area |= node->sceneBoundingRect();
    return area;
}

} // namespace

Minimap::Minimap(GraphView &view)
    : QWidget(&view)
    , m_view(view)
{
    setObjectName(QStringLiteral("graphMinimap"));
    setFixedSize(200, 130);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click or drag to move the view"));
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(80);
    connect(&m_redraw, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    connect(view.scene(), &QGraphicsScene::changed, this, &Minimap::scheduleUpdate);
}

void Minimap::scheduleUpdate()
{
    if (isVisible() && !m_redraw.isActive())
        m_redraw.start();
}

QRectF Minimap::shownArea() const
{
    const QRectF visible = m_view.mapToScene(m_view.viewport()->rect()).boundingRect();
    const QRectF nodes = nodesArea(*m_view.graphScene());
    return (nodes.isEmpty() ? visible : nodes.adjusted(-60, -60, 60, 60)) | visible;
}

QTransform Minimap::sceneToMap() const
{
    const QRectF area = shownArea();
    const QRectF inside = QRectF(rect()).adjusted(4, 4, -4, -4);
    const qreal scale =
        std::min(inside.width() / std::max(1.0, area.width()), inside.height() / std::max(1.0, area.height()));
    // Centred in the map.
    const QPointF offset(inside.left() + (inside.width() - area.width() * scale) / 2,
                         inside.top() + (inside.height() - area.height() * scale) / 2);
    return QTransform::fromTranslate(-area.left(), -area.top()) * QTransform::fromScale(scale, scale) *
           QTransform::fromTranslate(offset.x(), offset.y());
}

void Minimap::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const ThemeColors &colors = themeColors();
    painter.fillRect(rect(), colors.minimapBackground);
    painter.setPen(colors.minimapFrame);
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    const QTransform map = sceneToMap();
    const GraphScene &scene = *m_view.graphScene();
    for (const QString &id : scene.document().nodeIds()) {
        const NodeItem *node = scene.nodeItem(id);
        if (!node)
            continue;
        const QColor title = node->isSelected() ? colors.minimapSelected
                             : QColor::isValidColorName(node->node().color)
                                 ? shownArtistColor(QColor(node->node().color), colors)
                                 : colors.minimapNode;
        painter.fillRect(map.mapRect(node->sceneBoundingRect()), title);
    }
    QColor view = colors.minimapView;
    view.setAlpha(200);
    painter.setPen(QPen(view, 1));
    view.setAlpha(25);
    painter.setBrush(view);
    painter.drawRect(map.mapRect(m_view.mapToScene(m_view.viewport()->rect()).boundingRect()));
}

void Minimap::centreViewAt(const QPoint &mapPoint)
{
    bool invertible = false;
    const QTransform back = m_dragMap.inverted(&invertible);
    if (invertible)
        m_view.panTo(back.map(QPointF(mapPoint)));
    update();
}

void Minimap::mousePressEvent(QMouseEvent *event)
{
    m_dragMap = sceneToMap(); // held through the drag: the map would rescale under the pointer as the view moves
    centreViewAt(event->pos());
    event->accept();
}

void Minimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        centreViewAt(event->pos());
    event->accept();
}

} // namespace atelier::ui
