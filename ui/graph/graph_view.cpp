#include "ui/graph/graph_view.h"

#include "ui/graph/add_node_popup.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/node_item.h"
#include "ui/graph/node_library_panel.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMimeData>
#include <QResizeEvent>
#include <QScrollBar>
#include <QWheelEvent>

namespace atelier::ui {

namespace {

// How often each type was added in this session: the search lists the most used first.
QHash<QString, int> &typeUses()
{
    static QHash<QString, int> uses;
    return uses;
}

} // namespace

GraphView::GraphView(GraphScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene)
{
    setObjectName(QStringLiteral("graphView"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setDragMode(QGraphicsView::RubberBandDrag);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSceneRect(-1e6, -1e6, 2e6, 2e6);
    setFocusPolicy(Qt::StrongFocus);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    connect(scene, &GraphScene::linkDroppedOnCanvas, this,
            [this](const graph::OutputRef &from, const QString &type, QPointF scenePos, QPoint) {
                showAddNode(scenePos, type, from);
            });
}

namespace {

QStringList droppedGraphs(const QMimeData *data)
{
    QStringList paths;
    for (const QUrl &url : data->urls())
        if (url.isLocalFile() && (url.toLocalFile().endsWith(QStringLiteral(".json"), Qt::CaseInsensitive) ||
                                  url.toLocalFile().endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)))
            paths.append(url.toLocalFile());
    return paths;
}

} // namespace

void GraphView::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedGraphs(event->mimeData()).isEmpty() || event->mimeData()->hasFormat(kNodeTypeMime))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent *event)
{
    if (!droppedGraphs(event->mimeData()).isEmpty() || event->mimeData()->hasFormat(kNodeTypeMime))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent *event)
{
    if (event->mimeData()->hasFormat(kNodeTypeMime)) { // from the node library
        event->acceptProposedAction();
        m_scene->addNode(QString::fromUtf8(event->mimeData()->data(kNodeTypeMime)),
                         mapToScene(event->position().toPoint()));
        return;
    }
    const QStringList paths = droppedGraphs(event->mimeData());
    if (paths.isEmpty()) {
        QGraphicsView::dropEvent(event);
        return;
    }
    event->acceptProposedAction();
    emit filesDropped(paths);
}

void GraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitted)
        fitAll();
}

void GraphView::fitAll()
{
    m_fitted = true;
    QRectF bounds;
    for (QGraphicsItem *item : scene()->items())
        if (dynamic_cast<NodeItem *>(item))
            bounds |= item->sceneBoundingRect();
    if (bounds.isEmpty())
        return;
    fitInView(bounds.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
    if (transform().m11() > 1.5) // a small graph is shown at a readable size, not blown up
        setTransform(QTransform::fromScale(1.5, 1.5));
    centerOn(bounds.center());
}

void GraphView::showAddNode(QPointF scenePos, const QString &linkType, const std::optional<graph::OutputRef> &from)
{
    delete m_popup;
    m_popup = new AddNodePopup(m_scene->document().registry(), typeUses(), this);
    m_popup->setLinkType(linkType);
    connect(m_popup, &AddNodePopup::chosen, this, [this, scenePos, from](const QString &type) {
        if (!m_scene->addNode(type, scenePos, from).isEmpty())
            ++typeUses()[type];
    });
    m_popup->move(mapToGlobal(mapFromScene(scenePos)));
    m_popup->show();
    m_popup->searchField()->setFocus();
}

void GraphView::wheelEvent(QWheelEvent *event)
{
    const double factor = std::pow(1.0015, event->angleDelta().y());
    const double zoom = transform().m11() * factor;
    if (zoom < 0.05 || zoom > 4.0)
        return;
    m_fitted = false;
    scale(factor, factor);
}

void GraphView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton || (m_spaceHeld && event->button() == Qt::LeftButton)) {
        m_panning = true;
        m_fitted = false;
        m_panFrom = event->pos();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPoint delta = event->pos() - m_panFrom;
        m_panFrom = event->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning) {
        m_panning = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (!itemAt(event->pos()) && event->button() == Qt::LeftButton) {
        showAddNode(mapToScene(event->pos()));
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent *event)
{
    const bool control = event->modifiers() & Qt::ControlModifier;
    if (event->key() == Qt::Key_Tab) {
        showAddNode(mapToScene(mapFromGlobal(QCursor::pos())));
    } else if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
        m_scene->removeSelected();
    } else if (control && event->key() == Qt::Key_B) {
        m_scene->setModeOfSelected(graph::NodeMode::Bypassed);
    } else if (control && event->key() == Qt::Key_M) {
        m_scene->setModeOfSelected(graph::NodeMode::Muted);
    } else if (control && event->key() == Qt::Key_A) {
        for (QGraphicsItem *item : scene()->items())
            if (dynamic_cast<NodeItem *>(item))
                item->setSelected(true);
    } else if (control && (event->key() == Qt::Key_C || event->key() == Qt::Key_X)) {
        const QStringList ids = m_scene->selectedNodeIds();
        if (!ids.isEmpty())
            QGuiApplication::clipboard()->setText(QString::fromUtf8(m_scene->document().copyNodes(ids)));
        if (event->key() == Qt::Key_X)
            m_scene->removeSelected();
    } else if (control && event->key() == Qt::Key_V) {
        // At the cursor; Ctrl+Shift+V keeps the links into the pasted nodes, as ComfyUI's does.
        m_scene->paste(QGuiApplication::clipboard()->text().toUtf8(), mapToScene(mapFromGlobal(QCursor::pos())),
                       event->modifiers() & Qt::ShiftModifier);
    } else if (control && event->key() == Qt::Key_D) {
        const QStringList ids = m_scene->selectedNodeIds();
        if (!ids.isEmpty())
            m_scene->paste(m_scene->document().copyNodes(ids), m_scene->nodeItem(ids.front())->pos() + QPointF(40, 40),
                           true);
    } else if (event->key() == Qt::Key_F || event->key() == Qt::Key_Home) {
        fitAll();
    } else if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
    } else {
        QGraphicsView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void GraphView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat())
        m_spaceHeld = false;
    QGraphicsView::keyReleaseEvent(event);
}

bool GraphView::focusNextPrevChild(bool)
{
    return false; // Tab opens the node search
}

} // namespace atelier::ui
