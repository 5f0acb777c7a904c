#include "ui/graph/canvas_accessibility.h"

#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_item.h"

#include <QAccessibleWidget>
#include <QHash>
#include <QPointer>
#include <QWindow>

namespace atelier::ui {

namespace {

QRect onScreen(const GraphView *view, const QRectF &sceneRect)
{
    const QRect inView = view->mapFromScene(sceneRect).boundingRect();
    return QRect(view->viewport()->mapToGlobal(inView.topLeft()), inView.size());
}

// One input of a node, as the canvas draws them: its sockets in row order, then its widgets.
class InputAccessible : public QAccessibleInterface, public QAccessibleActionInterface
{
public:
    InputAccessible(QAccessibleInterface *node, GraphView *view, QString nodeId, int index)
        : m_node(node)
        , m_view(view)
        , m_nodeId(std::move(nodeId))
        , m_index(index)
    {}

    bool isValid() const override { return resolve().node != nullptr; }
    QObject *object() const override { return nullptr; }
    QWindow *window() const override { return m_view ? m_view->window()->windowHandle() : nullptr; }
    QAccessibleInterface *focusChild() const override { return nullptr; }
    QAccessibleInterface *childAt(int, int) const override { return nullptr; }
    QAccessibleInterface *parent() const override { return m_node; } // the node, which owns this
    QAccessibleInterface *child(int) const override { return nullptr; }
    int childCount() const override { return 0; }
    int indexOfChild(const QAccessibleInterface *) const override { return -1; }
    void setText(QAccessible::Text, const QString &) override {}

    QString text(QAccessible::Text kind) const override
    {
        const Resolved input = resolve();
        if (!input.node)
            return {};
        const graph::CanvasNode &shown = input.node->node();
        if (input.socket >= 0) {
            const graph::CanvasSlot &slot = shown.inputs.at(input.socket);
            if (kind == QAccessible::Name)
                return graph::inputLabel(slot.name);
            if (kind == QAccessible::Description)
                return slot.type;
            if (kind == QAccessible::Value)
                return slot.link ? linkedFrom(*slot.link) : GraphView::tr("not linked");
            return {};
        }
        if (kind == QAccessible::Name)
            return graph::inputLabel(shown.widgets.at(input.widget).name);
        if (kind == QAccessible::Value)
            return input.node->widgetText(input.widget);
        return {};
    }

    QRect rect() const override
    {
        const Resolved input = resolve();
        if (!input.node)
            return {};
        return onScreen(m_view, input.socket >= 0 ? input.node->socketSceneRect(input.socket)
                                                  : input.node->widgetSceneRect(input.widget));
    }

    QAccessible::Role role() const override
    {
        return resolve().socket >= 0 ? QAccessible::StaticText : QAccessible::EditableText;
    }

    QAccessible::State state() const override
    {
        const Resolved input = resolve();
        QAccessible::State state;
        state.readOnly = input.socket >= 0;
        state.invalid = input.node == nullptr;
        return state;
    }

    void *interface_cast(QAccessible::InterfaceType type) override
    {
        return type == QAccessible::ActionInterface && resolve().widget >= 0
                   ? static_cast<QAccessibleActionInterface *>(this)
                   : nullptr;
    }

    QStringList actionNames() const override { return {pressAction()}; }
    void doAction(const QString &action) override
    {
        if (const Resolved input = resolve(); input.widget >= 0 && action == pressAction())
            input.node->editWidget(input.widget);
    }
    QStringList keyBindingsForAction(const QString &) const override { return {}; }

private:
    // What the index stands for now: the node may have changed since a tool last asked (a widget linked, an
    // undo), so nothing is kept.
    struct Resolved
    {
        NodeItem *node = nullptr;
        int socket = -1; // the workflow's input slot
        int widget = -1; // the index among the node's widgets
    };
    Resolved resolve() const
    {
        NodeItem *node = m_view ? m_view->graphScene()->nodeItem(m_nodeId) : nullptr;
        if (!node)
            return {};
        const QList<int> sockets = node->shownInputs();
        if (m_index < sockets.size())
            return {node, sockets.at(m_index), -1};
        if (const int widget = m_index - int(sockets.size()); widget < node->node().widgets.size())
            return {node, -1, widget};
        return {};
    }

    QString linkedFrom(qint64 linkId) const
    {
        const graph::GraphDocument &document = m_view->graphScene()->document();
        for (const graph::CanvasLink &link : document.links())
            if (link.id == linkId)
                if (const NodeItem *source = m_view->graphScene()->nodeItem(link.from.node)) {
                    const QList<graph::CanvasSlot> &outputs = source->node().outputs;
                    const QString output =
                        link.from.output < outputs.size() ? outputs.at(link.from.output).name : QString();
                    return GraphView::tr("from %1, %2").arg(source->shownTitle(), output);
                }
        return GraphView::tr("linked");
    }

    QAccessibleInterface *m_node;
    QPointer<GraphView> m_view;
    QString m_nodeId;
    int m_index;
};

class NodeAccessible : public QAccessibleInterface
{
public:
    NodeAccessible(GraphView *view, QString nodeId)
        : m_view(view)
        , m_nodeId(std::move(nodeId))
    {}
    ~NodeAccessible() override
    {
        for (const QAccessible::Id id : std::as_const(m_inputs))
            QAccessible::deleteAccessibleInterface(id);
    }

    const QString &nodeId() const { return m_nodeId; }

    bool isValid() const override { return item() != nullptr; }
    QObject *object() const override { return nullptr; }
    QWindow *window() const override { return m_view ? m_view->window()->windowHandle() : nullptr; }
    QAccessibleInterface *focusChild() const override { return nullptr; }
    QAccessibleInterface *childAt(int x, int y) const override
    {
        for (int index = 0; index < childCount(); ++index)
            if (QAccessibleInterface *input = child(index);
                input && input->rect().contains(x, y) && input->role() != QAccessible::StaticText)
                return input;
        return nullptr;
    }
    QAccessibleInterface *parent() const override { return QAccessible::queryAccessibleInterface(m_view.data()); }
    int childCount() const override
    {
        const NodeItem *node = item();
        return node ? int(node->shownInputs().size() + node->node().widgets.size()) : 0;
    }
    QAccessibleInterface *child(int index) const override
    {
        if (index < 0 || index >= childCount())
            return nullptr;
        auto known = m_inputs.constFind(index);
        if (known == m_inputs.constEnd())
            known = m_inputs.insert(index, QAccessible::registerAccessibleInterface(new InputAccessible(
                                               const_cast<NodeAccessible *>(this), m_view.data(), m_nodeId, index)));
        return QAccessible::accessibleInterface(*known);
    }
    int indexOfChild(const QAccessibleInterface *child) const override
    {
        for (auto input = m_inputs.constBegin(); input != m_inputs.constEnd(); ++input)
            if (QAccessible::accessibleInterface(input.value()) == child)
                return input.key();
        return -1;
    }
    void setText(QAccessible::Text, const QString &) override {}

    QString text(QAccessible::Text kind) const override
    {
        const NodeItem *node = item();
        if (!node)
            return {};
        if (kind == QAccessible::Name)
            return node->shownTitle();
        if (kind == QAccessible::Description) {
            QStringList parts{node->node().type};
            if (const QString state = node->runStateText(); !state.isEmpty())
                parts << state;
            if (node->node().mode == graph::NodeMode::Bypassed)
                parts << GraphView::tr("bypassed");
            else if (node->node().mode == graph::NodeMode::Muted)
                parts << GraphView::tr("muted");
            parts << node->errors();
            return parts.join(QStringLiteral("; "));
        }
        return {};
    }
    QRect rect() const override
    {
        const NodeItem *node = item();
        return node ? onScreen(m_view, node->sceneBoundingRect()) : QRect();
    }
    QAccessible::Role role() const override { return QAccessible::Grouping; }
    QAccessible::State state() const override
    {
        QAccessible::State state;
        const NodeItem *node = item();
        state.invalid = node == nullptr;
        state.selectable = true;
        state.focusable = true;
        state.selected = node && node->isSelected();
        state.focused = state.selected && m_view->hasFocus() && m_view->graphScene()->selectedNodeIds().size() == 1;
        state.collapsed = node && node->node().collapsed;
        return state;
    }

private:
    NodeItem *item() const { return m_view ? m_view->graphScene()->nodeItem(m_nodeId) : nullptr; }

    QPointer<GraphView> m_view;
    QString m_nodeId;
    mutable QHash<int, QAccessible::Id> m_inputs;
};

class CanvasAccessible : public QAccessibleWidget
{
public:
    explicit CanvasAccessible(GraphView *view)
        : QAccessibleWidget(view, QAccessible::Pane)
    {}
    ~CanvasAccessible() override
    {
        for (const QAccessible::Id id : std::as_const(m_nodes))
            QAccessible::deleteAccessibleInterface(id);
    }

    int childCount() const override { return int(nodeIds().size()); }
    QAccessibleInterface *child(int index) const override
    {
        const QStringList ids = nodeIds();
        if (index < 0 || index >= ids.size())
            return nullptr;
        return nodeInterface(ids.at(index));
    }
    int indexOfChild(const QAccessibleInterface *child) const override
    {
        const QStringList ids = nodeIds();
        for (int index = 0; index < ids.size(); ++index)
            if (const auto known = m_nodes.constFind(ids.at(index));
                known != m_nodes.constEnd() && QAccessible::accessibleInterface(*known) == child)
                return index;
        return -1;
    }
    QAccessibleInterface *childAt(int x, int y) const override
    {
        const QPoint local = view()->viewport()->mapFromGlobal(QPoint(x, y));
        for (QGraphicsItem *item : view()->items(local))
            if (auto *node = dynamic_cast<NodeItem *>(item))
                return nodeInterface(node->id());
        return nullptr;
    }
    QAccessibleInterface *focusChild() const override
    {
        const QStringList selected = view()->graphScene()->selectedNodeIds();
        return selected.size() == 1 ? nodeInterface(selected.front()) : nullptr;
    }
    QString text(QAccessible::Text kind) const override
    {
        if (kind == QAccessible::Name && view()->accessibleName().isEmpty())
            return GraphView::tr("Node canvas");
        return QAccessibleWidget::text(kind);
    }

private:
    GraphView *view() const { return static_cast<GraphView *>(widget()); }
    QStringList nodeIds() const { return view()->graphScene()->document().nodeIds(); }

    QAccessibleInterface *nodeInterface(const QString &id) const
    {
        auto known = m_nodes.constFind(id);
        if (known == m_nodes.constEnd())
            known = m_nodes.insert(id, QAccessible::registerAccessibleInterface(new NodeAccessible(view(), id)));
        return QAccessible::accessibleInterface(*known);
    }

    mutable QHash<QString, QAccessible::Id> m_nodes;
};

} // namespace

QAccessibleInterface *canvasAccessibleFactory(const QString &className, QObject *object)
{
    if (className == QLatin1String("atelier::ui::GraphView"))
        if (auto *view = qobject_cast<GraphView *>(object))
            return new CanvasAccessible(view);
    return nullptr;
}

} // namespace atelier::ui
