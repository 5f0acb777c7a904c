#include "ui/graph/graph_scene.h"

#include "ui/common/theme.h"
#include "ui/graph/group_item.h"
#include "ui/graph/node_item.h"
#include "ui/graph/node_texts.h"
#include "ui/graph/port_colors.h"
#include "ui/graph/workflow_edit.h"

#include <QGraphicsPathItem>
#include <QPainter>
#include <QUndoStack>

#include <cmath>
#include <limits>

namespace atelier::ui {

namespace {

constexpr qreal kGrid = 20;

// A link's curve, hit where the pointer is within a few pixels of the stroke (a path item's own shape is the
// area the curve encloses).
class LinkItem : public QGraphicsPathItem
{
public:
    LinkItem(qint64 id, const QColor &color)
        : m_id(id)
    {
        setPen(QPen(color, 2.5));
        setZValue(-1);
        setAcceptedMouseButtons(Qt::NoButton);
    }
    qint64 id() const { return m_id; }
    QRectF boundingRect() const override { return path().boundingRect().adjusted(-6, -6, 6, 6); }
    QPainterPath shape() const override
    {
        QPainterPathStroker stroker;
        stroker.setWidth(10);
        return stroker.createStroke(path());
    }

private:
    qint64 m_id;
};

} // namespace

GraphScene::GraphScene(graph::GraphDocument &document, QUndoStack &undo, QObject *parent)
    : QGraphicsScene(parent)
    , m_document(document)
    , m_undo(undo)
{
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    connect(&m_document, &graph::GraphDocument::reset, this, &GraphScene::rebuild);
    connect(&m_document, &graph::GraphDocument::nodeAdded, this, &GraphScene::addNodeItem);
    connect(&m_document, &graph::GraphDocument::nodeRemoved, this, [this](const QString &id) {
        delete m_nodes.take(id);
        scheduleLinks();
    });
    connect(&m_document, &graph::GraphDocument::inputChanged, this, [this](const QString &id, const QString &) {
        refreshNode(id);
        scheduleLinks();
    });
    connect(&m_document, &graph::GraphDocument::nodeChanged, this, [this](const QString &id) {
        refreshNode(id);
        updateLinkPaths(id); // a collapsed node's links meet at its title
    });
    connect(&m_document, &graph::GraphDocument::groupsChanged, this, &GraphScene::syncGroups);
    connect(&m_document, &graph::GraphDocument::nodeMoved, this, [this](const QString &id, QPointF) {
        refreshNode(id);
        updateLinkPaths(id);
    });
    rebuild();
}

GraphScene::~GraphScene() = default;

void GraphScene::rebuild()
{
    for (NodeItem *item : std::as_const(m_nodes))
        delete item;
    m_nodes.clear();
    syncGroups();
    for (const QString &id : m_document.nodeIds())
        addNodeItem(id);
    rebuildLinks();
}

void GraphScene::syncGroups()
{
    // Items are kept and refreshed in place: a group's own drag ends in an edit that lands here, and the item
    // handling that release must outlive it.
    const QList<graph::CanvasGroup> groups = m_document.groups();
    int shown = 0;
    for (const graph::CanvasGroup &group : groups) {
        if (shown < m_groups.size()) {
            m_groups[shown]->refresh(group);
        } else {
            auto *item = new GroupItem(*this, group);
            addItem(item);
            m_groups.append(item);
        }
        ++shown;
    }
    while (m_groups.size() > shown)
        delete m_groups.takeLast();
}

GroupItem *GraphScene::groupAt(QPointF scenePos) const
{
    for (QGraphicsItem *item : items(scenePos))
        if (auto *group = dynamic_cast<GroupItem *>(item))
            return group;
    return nullptr;
}

void GraphScene::addNodeItem(const QString &id)
{
    const std::optional<graph::CanvasNode> node = m_document.canvasNode(id);
    if (!node || m_nodes.contains(id))
        return;
    auto *item = new NodeItem(*this, id);
    item->refresh(*node);
    addItem(item);
    m_nodes.insert(id, item);
}

void GraphScene::refreshNode(const QString &id)
{
    if (NodeItem *item = m_nodes.value(id))
        if (const std::optional<graph::CanvasNode> node = m_document.canvasNode(id))
            item->refresh(*node);
}

QStringList GraphScene::selectedNodeIds() const
{
    QStringList ids;
    for (QGraphicsItem *item : selectedItems())
        if (auto *node = dynamic_cast<NodeItem *>(item))
            ids.append(node->id());
    return ids;
}

QPainterPath GraphScene::linkPath(QPointF from, QPointF to) const
{
    const qreal bend = std::max<qreal>(40, std::abs(to.x() - from.x()) / 2);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(bend, 0), to - QPointF(bend, 0), to);
    return path;
}

void GraphScene::scheduleLinks()
{
    // Many edits come at once (a paste, a removal of many nodes): the links are redrawn once, after them.
    if (std::exchange(m_linksScheduled, true))
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_linksScheduled)
                rebuildLinks();
        },
        Qt::QueuedConnection);
}

void GraphScene::rebuildLinks()
{
    m_linksScheduled = false;
    for (const LinkView &view : std::as_const(m_links))
        delete view.item;
    m_links.clear();
    m_linksOfNode.clear();
    for (const graph::CanvasLink &link : m_document.links()) {
        if (!m_nodes.contains(link.from.node) || !m_nodes.contains(link.to))
            continue;
        auto *item = new LinkItem(link.id, portColor(link.type));
        addItem(item);
        m_linksOfNode.insert(link.from.node, int(m_links.size()));
        m_linksOfNode.insert(link.to, int(m_links.size()));
        m_links.append({link, item});
    }
    updateLinkPaths();
}

void GraphScene::updateLinkPath(const LinkView &view) const
{
    const NodeItem *from = m_nodes.value(view.link.from.node);
    const NodeItem *to = m_nodes.value(view.link.to);
    if (from && to)
        view.item->setPath(linkPath(from->outputPort(view.link.from.output), to->inputPort(view.link.toSlot)));
}

void GraphScene::updateLinkPaths(const QString &node)
{
    if (node.isEmpty()) {
        for (const LinkView &view : std::as_const(m_links))
            updateLinkPath(view);
        return;
    }
    // Only the links of the node that moved: a drag of one node among hundreds stays cheap.
    for (auto at = m_linksOfNode.constFind(node); at != m_linksOfNode.constEnd() && at.key() == node; ++at)
        updateLinkPath(m_links.at(*at));
}

void GraphScene::edit(const QString &label, const std::function<void()> &change)
{
    beginEdit(label);
    change();
    endEdit();
}

void GraphScene::beginEdit(const QString &label)
{
    if (m_editDepth++ == 0) {
        m_editBefore = m_document.editorWorkflow();
        m_editLabel = label;
    }
}

void GraphScene::endEdit()
{
    if (m_editDepth == 0 || --m_editDepth > 0)
        return;
    if (m_linksScheduled) // what the edit did is on the canvas when it returns
        rebuildLinks();
    QByteArray after = m_document.editorWorkflow();
    if (after != m_editBefore)
        m_undo.push(new WorkflowEdit(m_document, m_editLabel, std::exchange(m_editBefore, {}), std::move(after)));
}

// A type as the node library lists it (translated), for the undo history.
QString GraphScene::shownName(const QString &type) const
{
    const graph::NodeType *known = m_document.registry().find(type);
    return known ? nodeName(known->definition()) : type;
}

QString GraphScene::addNode(const QString &type, QPointF at, const std::optional<graph::OutputRef> &from)
{
    QString id;
    edit(tr("Add %1").arg(shownName(type)), [&] {
        id = m_document.addNode(type, QPointF(std::round(at.x() / kGrid) * kGrid, std::round(at.y() / kGrid) * kGrid));
        if (id.isEmpty() || !from)
            return;
        if (const std::optional<graph::CanvasNode> node = m_document.canvasNode(id)) {
            for (const graph::CanvasSlot &slot : node->inputs)
                if (m_document.connectInput(*from, id, slot.name))
                    return;
            for (const graph::NodeInput &widget : node->widgets)
                if (m_document.connectInput(*from, id, widget.name))
                    return;
        }
    });
    return id;
}

QString GraphScene::addNodeWithValue(const QString &type, const QString &input, const graph::GraphValue &value,
                                     QPointF at)
{
    QString id;
    edit(tr("Add %1").arg(shownName(type)), [&] {
        id = m_document.addNode(type, QPointF(std::round(at.x() / kGrid) * kGrid, std::round(at.y() / kGrid) * kGrid));
        if (!id.isEmpty() && !m_document.setValue(id, input, value)) {
            m_document.removeNode(id);
            id.clear();
        }
    });
    return id;
}

QString GraphScene::addLoader(const QString &modelType, const QString &file, QPointF at)
{
    // ComfyUI's loaders, so that the workflow opens there too.
    static const QHash<QString, QPair<QString, QString>> loaders{
        {QStringLiteral("main"), {QStringLiteral("CheckpointLoaderSimple"), QStringLiteral("ckpt_name")}},
        {QStringLiteral("vae"), {QStringLiteral("VAELoader"), QStringLiteral("vae_name")}},
        {QStringLiteral("lora"), {QStringLiteral("LoraLoader"), QStringLiteral("lora_name")}},
    };
    const auto loader = loaders.constFind(modelType);
    if (loader == loaders.constEnd())
        return {};
    return addNodeWithValue(loader->first, loader->second, graph::GraphValue::text(file), at);
}

void GraphScene::removeSelected()
{
    const QStringList ids = selectedNodeIds();
    if (ids.isEmpty())
        return;
    edit(ids.size() == 1 ? tr("Delete node") : tr("Delete %n nodes", nullptr, int(ids.size())), [&] {
        for (const QString &id : ids)
            m_document.removeNode(id);
    });
}

QStringList GraphScene::paste(const QByteArray &clipboard, QPointF at, bool keepInputLinks)
{
    QStringList pasted;
    edit(tr("Paste"), [&] { pasted = m_document.pasteNodes(clipboard, at, keepInputLinks); });
    clearSelection();
    for (const QString &id : pasted)
        if (NodeItem *item = m_nodes.value(id))
            item->setSelected(true);
    return pasted;
}

void GraphScene::setModeOfSelected(graph::NodeMode mode)
{
    const QStringList ids = selectedNodeIds();
    bool all = !ids.isEmpty();
    for (const QString &id : ids)
        if (const auto node = m_document.canvasNode(id); node && node->mode != mode)
            all = false;
    const graph::NodeMode chosen = all ? graph::NodeMode::Active : mode;
    edit(chosen == graph::NodeMode::Bypassed ? tr("Bypass")
         : chosen == graph::NodeMode::Muted  ? tr("Mute")
                                             : tr("Activate"),
         [&] {
             for (const QString &id : ids)
                 m_document.setMode(id, chosen);
         });
}

void GraphScene::setCollapsedOfSelected(bool collapsed)
{
    const QStringList ids = selectedNodeIds();
    edit(collapsed ? tr("Collapse") : tr("Expand"), [&] {
        for (const QString &id : ids)
            m_document.setCollapsed(id, collapsed);
    });
}

void GraphScene::setColorOfSelected(const QString &title, const QString &body)
{
    const QStringList ids = selectedNodeIds();
    edit(tr("Colour"), [&] {
        for (const QString &id : ids)
            m_document.setColor(id, title, body);
    });
}

int GraphScene::groupSelected(const QString &title)
{
    QRectF around;
    for (const QString &id : selectedNodeIds())
        around |= m_nodes.value(id)->sceneBoundingRect();
    if (around.isEmpty())
        return -1;
    int index = -1;
    // Room for the title bar above the nodes, as ComfyUI's "Group selected nodes" leaves.
    edit(tr("Group"), [&] { index = m_document.addGroup(title, around.adjusted(-20, -54, 20, 20)); });
    return index;
}

void GraphScene::alignSelected(Alignment alignment)
{
    const QStringList ids = selectedNodeIds();
    if (ids.isEmpty())
        return;
    qreal left = std::numeric_limits<qreal>::max(), top = left;
    for (const QString &id : ids) {
        left = std::min(left, m_nodes.value(id)->pos().x());
        top = std::min(top, m_nodes.value(id)->pos().y());
    }
    edit(tr("Align"), [&] {
        for (const QString &id : ids) {
            QPointF to = m_nodes.value(id)->pos();
            if (alignment == Alignment::Grid)
                to = QPointF(std::round(to.x() / kGrid) * kGrid, std::round(to.y() / kGrid) * kGrid);
            else if (alignment == Alignment::LeftEdges)
                to.setX(left);
            else
                to.setY(top);
            if (to != m_nodes.value(id)->node().position)
                m_document.moveNode(id, to);
        }
    });
}

std::optional<qint64> GraphScene::linkAt(QPointF scenePos) const
{
    for (QGraphicsItem *item : items(scenePos))
        if (auto *link = dynamic_cast<LinkItem *>(item))
            return link->id();
    return std::nullopt;
}

namespace {

// The input a link feeds, by name.
QString inputFed(const graph::GraphDocument &document, const graph::CanvasLink &link)
{
    const std::optional<graph::CanvasNode> target = document.canvasNode(link.to);
    if (!target || link.toSlot < 0 || link.toSlot >= target->inputs.size())
        return {};
    return target->inputs.at(link.toSlot).name;
}

} // namespace

int GraphScene::cutLinks(const QLineF &stroke)
{
    QList<graph::CanvasLink> crossed;
    for (const LinkView &view : std::as_const(m_links)) {
        // The curve as a polyline, fine enough for a stroke drawn by hand.
        const QPainterPath &curve = view.item->path();
        QPointF previous = curve.pointAtPercent(0);
        for (int step = 1; step <= 24; ++step) {
            const QPointF next = curve.pointAtPercent(step / 24.0);
            if (QLineF(previous, next).intersects(stroke) == QLineF::BoundedIntersection) {
                crossed.append(view.link);
                break;
            }
            previous = next;
        }
    }
    if (crossed.isEmpty())
        return 0;
    edit(crossed.size() == 1 ? tr("Cut link") : tr("Cut %n links", nullptr, int(crossed.size())), [&] {
        for (const graph::CanvasLink &link : std::as_const(crossed))
            m_document.disconnectInput(link.to, inputFed(m_document, link));
    });
    return int(crossed.size());
}

QString GraphScene::insertReroute(qint64 linkId, QPointF at)
{
    const QList<graph::CanvasLink> links = m_document.links();
    const auto found =
        std::find_if(links.begin(), links.end(), [&](const graph::CanvasLink &link) { return link.id == linkId; });
    if (found == links.end())
        return {};
    const graph::CanvasLink link = *found;
    const QString input = inputFed(m_document, link);
    QString reroute;
    edit(tr("Add reroute"), [&] {
        reroute = m_document.addNode(QStringLiteral("Reroute"), at - QPointF(30, 13));
        if (reroute.isEmpty())
            return;
        // The old link stays until the reroute's output replaces it: taking the reroute away undoes a failure.
        if (!m_document.connectInput(link.from, reroute, QStringLiteral("input")) ||
            !m_document.connectInput({reroute, 0}, link.to, input))
            m_document.removeNode(std::exchange(reroute, QString()));
    });
    return reroute;
}

void GraphScene::startLinkDrag(const graph::OutputRef &from, QPointF scenePos)
{
    const NodeItem *origin = m_nodes.value(from.node);
    if (!origin || from.output >= origin->node().outputs.size())
        return;
    m_dragFrom = from;
    m_dragType = origin->node().outputs.at(from.output).type;
    m_dragItem = addPath(linkPath(origin->outputPort(from.output), scenePos), QPen(portColor(m_dragType), 2.5));
    m_dragItem->setZValue(10);
    for (NodeItem *item : std::as_const(m_nodes))
        item->update(); // compatible ports light up
}

void GraphScene::pickUpLink(const QString &nodeId, const QString &input, QPointF scenePos)
{
    const std::optional<graph::CanvasNode> node = m_document.canvasNode(nodeId);
    if (!node)
        return;
    for (const graph::CanvasSlot &slot : node->inputs)
        if (slot.name == input && slot.link)
            for (const graph::CanvasLink &link : m_document.links())
                if (link.id == *slot.link) {
                    beginEdit(tr("Move link"));
                    m_document.disconnectInput(nodeId, input);
                    startLinkDrag(link.from, scenePos);
                    return;
                }
}

void GraphScene::moveLinkDrag(QPointF scenePos)
{
    if (!m_dragItem || !m_dragFrom)
        return;
    if (const NodeItem *origin = m_nodes.value(m_dragFrom->node))
        m_dragItem->setPath(linkPath(origin->outputPort(m_dragFrom->output), scenePos));
}

void GraphScene::finishLinkDrag(QPointF scenePos, QPoint screenPos)
{
    if (!m_dragFrom)
        return;
    const graph::OutputRef from = *m_dragFrom;
    const QString type = std::exchange(m_dragType, {});
    m_dragFrom.reset();
    delete std::exchange(m_dragItem, nullptr);
    for (NodeItem *item : std::as_const(m_nodes))
        item->update();

    NodeItem *target = nullptr;
    for (QGraphicsItem *item : items(scenePos))
        if ((target = dynamic_cast<NodeItem *>(item)))
            break;
    // A picked-up link is one step with where it goes: beginEdit ran when it was picked up.
    const bool pickedUp = m_editDepth > 0;
    if (target && target->id() != from.node) {
        QString input = target->inputAt(scenePos);
        if (input.isEmpty()) // dropped on the node: its first free input of the type
            for (const graph::CanvasSlot &slot : target->node().inputs)
                if (!slot.link && graph::typesConnect(type, slot.type)) {
                    input = slot.name;
                    break;
                }
        if (!input.isEmpty())
            edit(tr("Link"), [&] { m_document.connectInput(from, target->id(), input); });
    } else if (!target) {
        emit linkDroppedOnCanvas(from, type, scenePos, screenPos);
    }
    if (pickedUp)
        endEdit();
}

void GraphScene::nodeMovedOnCanvas(const QString &id)
{
    updateLinkPaths(id);
}

void GraphScene::commitMoves()
{
    for (NodeItem *item : std::as_const(m_nodes)) {
        const QPointF snapped(std::round(item->pos().x() / kGrid) * kGrid, std::round(item->pos().y() / kGrid) * kGrid);
        if (snapped != item->node().position)
            m_document.moveNode(item->id(), snapped);
    }
}

void GraphScene::drawBackground(QPainter *painter, const QRectF &rect)
{
    const ThemeColors &colors = themeColors();
    painter->fillRect(rect, colors.canvas);
    // A dot grid, dropped when zoomed far out so that it never costs more than the nodes.
    const qreal scale = painter->worldTransform().m11();
    if (scale < 0.35)
        return;
    painter->setPen(QPen(colors.canvasGrid, 0));
    const qreal left = std::floor(rect.left() / kGrid) * kGrid, top = std::floor(rect.top() / kGrid) * kGrid;
    QVector<QPointF> dots;
    for (qreal x = left; x < rect.right(); x += kGrid)
        for (qreal y = top; y < rect.bottom(); y += kGrid)
            dots.append(QPointF(x, y));
    painter->drawPoints(dots.constData(), int(dots.size()));
}

} // namespace atelier::ui
