#include "ui/graph/graph_view.h"

#include "ui/common/theme.h"
#include "ui/graph/add_node_popup.h"
#include "ui/graph/canvas_accessibility.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/group_item.h"
#include "ui/graph/minimap.h"
#include "ui/graph/node_item.h"
#include "ui/graph/node_library_panel.h"
#include "ui/library/library_table_model.h"

#include <QAccessible>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFileInfo>
#include <QGraphicsLineItem>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QResizeEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

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
    connect(scene, &GraphScene::addNodeRequested, this, [this](QPointF scenePos) { showAddNode(scenePos); });
    m_minimap = new Minimap(*this);
    static const bool accessible = [] {
        QAccessible::installFactory(canvasAccessibleFactory);
        return true;
    }();
    Q_UNUSED(accessible);
    setAccessibleName(tr("Node canvas"));
    setAccessibleDescription(tr("Arrow keys choose a node, Enter edits its inputs, Tab adds a node, Delete removes "
                                "the selection, F6 moves on to the next area."));
}

void GraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    m_minimap->scheduleUpdate();
}

void GraphView::contextMenuEvent(QContextMenuEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) { // Ctrl and the right button cut links, as in Blender
        event->accept();
        return;
    }
    QGraphicsView::contextMenuEvent(event);
}

void GraphView::panTo(QPointF sceneCentre)
{
    m_fitted = false;
    centerOn(sceneCentre);
}

void GraphView::copySelection()
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (!ids.isEmpty())
        QGuiApplication::clipboard()->setText(QString::fromUtf8(m_scene->document().copyNodes(ids)));
}

void GraphView::cutSelection()
{
    copySelection();
    m_scene->removeSelected();
}

void GraphView::pasteAtCursor(bool keepInputLinks)
{
    // At the pointer when it is over the canvas, else in the middle of the view.
    QPoint at = mapFromGlobal(QCursor::pos());
    if (!viewport()->rect().contains(at))
        at = viewport()->rect().center();
    m_scene->paste(QGuiApplication::clipboard()->text().toUtf8(), mapToScene(at), keepInputLinks);
}

void GraphView::duplicateSelection()
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (!ids.isEmpty())
        m_scene->paste(m_scene->document().copyNodes(ids), m_scene->nodeItem(ids.front())->pos() + QPointF(40, 40),
                       true);
}

void GraphView::selectAll()
{
    for (QGraphicsItem *item : scene()->items())
        if (dynamic_cast<NodeItem *>(item))
            item->setSelected(true);
}

void GraphView::fitSelection()
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.isEmpty()) {
        fitAll();
        return;
    }
    QRectF bounds;
    for (const QString &id : ids)
        bounds |= m_scene->nodeItem(id)->sceneBoundingRect();
    m_fitted = false;
    fitInView(bounds.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
    if (transform().m11() > 1.5)
        setTransform(QTransform::fromScale(1.5, 1.5));
    centerOn(bounds.center());
}

namespace {

// Workflows, API graphs and images (opened when they carry a graph, else loaded by a LoadImage node).
QStringList droppedFiles(const QMimeData *data)
{
    static const QStringList suffixes{QStringLiteral("json"), QStringLiteral("png"),  QStringLiteral("jpg"),
                                      QStringLiteral("jpeg"), QStringLiteral("webp"), QStringLiteral("bmp")};
    QStringList paths;
    for (const QUrl &url : data->urls())
        if (url.isLocalFile() && suffixes.contains(QFileInfo(url.toLocalFile()).suffix().toLower()))
            paths.append(url.toLocalFile());
    return paths;
}

bool canDrop(const QMimeData *data)
{
    return data->hasFormat(kNodeTypeMime) || data->hasFormat(QString::fromLatin1(kModelMime)) ||
           !droppedFiles(data).isEmpty();
}

} // namespace

void GraphView::dragEnterEvent(QDragEnterEvent *event)
{
    if (canDrop(event->mimeData()))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent *event)
{
    if (canDrop(event->mimeData()))
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
    const QPointF at = mapToScene(event->position().toPoint());
    if (event->mimeData()->hasFormat(QString::fromLatin1(kModelMime))) { // from the model library: loaders
        event->acceptProposedAction();
        QPointF next = at;
        QStringList refused;
        for (const QByteArray &line : event->mimeData()->data(QString::fromLatin1(kModelMime)).split('\n')) {
            const QList<QByteArray> fields = line.split('\t');
            if (fields.size() < 2)
                continue;
            const QString type = QString::fromUtf8(fields.at(0)), file = QString::fromUtf8(fields.at(1));
            if (m_scene->addLoader(type, file, next).isEmpty())
                refused.append(tr("%1 (a %2 model)").arg(file, type));
            else
                next += QPointF(40, 160);
        }
        if (!refused.isEmpty())
            emit message(tr("No loader node takes %1 yet").arg(refused.join(QStringLiteral(", "))));
        return;
    }
    const QStringList paths = droppedFiles(event->mimeData());
    if (paths.isEmpty()) {
        QGraphicsView::dropEvent(event);
        return;
    }
    event->acceptProposedAction();
    emit filesDropped(paths, at);
}

void GraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    m_minimap->move(width() - m_minimap->width() - 10, height() - m_minimap->height() - 10);
    if (m_fitted)
        fitAll(m_fit);
}

void GraphView::fitAll(Fit fit)
{
    m_fitted = true;
    m_fit = fit;
    QRectF bounds;
    for (QGraphicsItem *item : scene()->items())
        if (dynamic_cast<NodeItem *>(item))
            bounds |= item->sceneBoundingRect();
    if (bounds.isEmpty())
        return;
    fitInView(bounds.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
    if (transform().m11() > 1.5) // a small graph is shown at a readable size, not blown up
        setTransform(QTransform::fromScale(1.5, 1.5));
    QPointF centre = bounds.center();
    if (fit == Fit::Readable && transform().m11() < NodeItem::kReadableScale) {
        setTransform(QTransform::fromScale(NodeItem::kReadableScale, NodeItem::kReadableScale));
        // Too wide to be read whole: the graph is shown from where it starts, its loaders on the left (a graph
        // reads left to right), rather than cut at both ends.
        const double shownWidth = viewport()->width() / NodeItem::kReadableScale;
        if (shownWidth < bounds.width() + 80)
            centre.setX(bounds.left() - 40 + shownWidth / 2);
    }
    centerOn(centre);
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
    m_minimap->scheduleUpdate();
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
    // Ctrl and a drag that starts off the nodes: a stroke that cuts the links it crosses.
    const bool onNode = dynamic_cast<NodeItem *>(itemAt(event->pos())) != nullptr;
    if ((event->modifiers() & Qt::ControlModifier) && !onNode &&
        (event->button() == Qt::LeftButton || event->button() == Qt::RightButton)) {
        const QPointF at = mapToScene(event->pos());
        m_cutStroke = scene()->addLine(QLineF(at, at), QPen(themeColors().cutStroke, 2, Qt::DashLine));
        m_cutStroke->setZValue(20);
        viewport()->setCursor(Qt::CrossCursor);
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
    if (m_cutStroke) {
        m_cutStroke->setLine(QLineF(m_cutStroke->line().p1(), mapToScene(event->pos())));
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
    if (m_cutStroke) {
        const QLineF stroke(m_cutStroke->line().p1(), mapToScene(event->pos()));
        delete std::exchange(m_cutStroke, nullptr);
        viewport()->unsetCursor();
        if (stroke.length() > 2)
            m_scene->cutLinks(stroke);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const QPointF at = mapToScene(event->pos());
    if (event->button() == Qt::LeftButton && !dynamic_cast<NodeItem *>(itemAt(event->pos()))) {
        if (const std::optional<qint64> link = m_scene->linkAt(at)) {
            m_scene->insertReroute(*link, at);
            event->accept();
            return;
        }
        if (const GroupItem *group = m_scene->groupAt(at); !group || !group->onTitle(at)) {
            showAddNode(at);
            event->accept();
            return;
        }
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
    } else if ((event->modifiers() & Qt::AltModifier) && event->key() == Qt::Key_C) {
        const QStringList ids = m_scene->selectedNodeIds();
        if (!ids.isEmpty())
            m_scene->setCollapsedOfSelected(!m_scene->nodeItem(ids.front())->node().collapsed);
    } else if (control && event->key() == Qt::Key_G) {
        m_scene->groupSelected(tr("Group"));
    } else if (control && event->key() == Qt::Key_A) {
        selectAll();
    } else if (control && event->key() == Qt::Key_C) {
        copySelection();
    } else if (control && event->key() == Qt::Key_X) {
        cutSelection();
    } else if (control && event->key() == Qt::Key_V) {
        // Ctrl+Shift+V keeps the links into the pasted nodes, as ComfyUI's does.
        pasteAtCursor(event->modifiers() & Qt::ShiftModifier);
    } else if (control && event->key() == Qt::Key_D) {
        duplicateSelection();
    } else if (event->key() == Qt::Key_F || event->key() == Qt::Key_Home) {
        fitSelection();
    } else if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
    } else if (event->modifiers() == Qt::NoModifier && (event->key() == Qt::Key_Left || event->key() == Qt::Key_Right ||
                                                        event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        selectNeighbour(event->key());
    } else if (!control && (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)) {
        showInputsMenu();
    } else if (event->key() == Qt::Key_F6) { // Tab belongs to the node search: F6 leaves, as in other editors
        QWidget::focusNextPrevChild(!(event->modifiers() & Qt::ShiftModifier));
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

void GraphView::selectNeighbour(int key)
{
    const QStringList ids = m_scene->document().nodeIds();
    if (ids.isEmpty())
        return;
    const QStringList selected = m_scene->selectedNodeIds();
    const NodeItem *from = selected.isEmpty() ? nullptr : m_scene->nodeItem(selected.front());
    const QPointF origin = from ? from->sceneBoundingRect().center() : mapToScene(viewport()->rect().center());
    const QPointF direction = key == Qt::Key_Left    ? QPointF(-1, 0)
                              : key == Qt::Key_Right ? QPointF(1, 0)
                              : key == Qt::Key_Up    ? QPointF(0, -1)
                                                     : QPointF(0, 1);
    // The nearest node that way, sideways distance counting double; with nothing selected, the one nearest the
    // middle of the view.
    NodeItem *best = nullptr;
    qreal bestScore = 0;
    for (const QString &id : ids) {
        NodeItem *node = m_scene->nodeItem(id);
        if (!node || node == from)
            continue;
        const QPointF offset = node->sceneBoundingRect().center() - origin;
        const qreal along = QPointF::dotProduct(offset, direction);
        const qreal across = std::abs(offset.x() * direction.y() - offset.y() * direction.x());
        if (from && along <= 0)
            continue;
        const qreal score = from ? along + 2 * across : std::hypot(offset.x(), offset.y());
        if (!best || score < bestScore)
            best = node, bestScore = score;
    }
    if (!best)
        return;
    m_scene->clearSelection();
    best->setSelected(true);
    ensureVisible(best, 40, 40);
    if (QAccessible::isActive()) {
        QAccessibleEvent focus(this, QAccessible::Focus);
        focus.setChild(int(ids.indexOf(best->id())));
        QAccessible::updateAccessibility(&focus);
    }
}

void GraphView::showInputsMenu()
{
    const QStringList selected = m_scene->selectedNodeIds();
    // The node may be gone when the menu closes (a run's refresh, an undo by shortcut): held by a guard.
    QPointer<NodeItem> node = selected.size() == 1 ? m_scene->nodeItem(selected.front()) : nullptr;
    if (!node)
        return;
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("nodeInputsMenu"));
    menu.setTitle(node->shownTitle());
    const QList<graph::NodeInput> &widgets = node->node().widgets;
    for (int index = 0; index < widgets.size(); ++index)
        menu.addAction(QStringLiteral("%1: %2").arg(graph::inputLabel(widgets.at(index).name), node->widgetText(index)))
            ->setData(index);
    if (widgets.isEmpty())
        menu.addAction(tr("(no inputs to edit)"))->setEnabled(false);
    const QPointF corner = node->sceneBoundingRect().topLeft() + QPointF(0, 26);
    const QAction *chosen = menu.exec(viewport()->mapToGlobal(mapFromScene(corner)));
    if (node && chosen && chosen->isEnabled() && chosen->data().toInt() < node->node().widgets.size())
        node->editWidget(chosen->data().toInt());
}

void GraphView::changeEvent(QEvent *event)
{
    // The theme changed: nodes keep their last drawing in a cache, so each is drawn again.
    if (event->type() == QEvent::PaletteChange)
        for (QGraphicsItem *item : m_scene->items())
            item->update();
    QGraphicsView::changeEvent(event);
}

bool GraphView::focusNextPrevChild(bool)
{
    return false; // Tab opens the node search
}

} // namespace atelier::ui
