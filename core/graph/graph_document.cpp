#include "core/graph/graph_document.h"

#include "core/graph/editor_workflow.h"

#include <algorithm>

namespace atelier::graph {

GraphDocument::GraphDocument(std::shared_ptr<const NodeRegistry> registry, Graph graph, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
    , m_graph(std::move(graph))
{}

QByteArray GraphDocument::editorWorkflow() const
{
    return editorWorkflowFromGraph(m_graph, *m_registry);
}

GraphNode *GraphDocument::find(const QString &id)
{
    for (GraphNode &node : m_graph.nodes)
        if (node.id == id)
            return &node;
    return nullptr;
}

QString GraphDocument::outputType(const OutputRef &output) const
{
    const GraphNode *source = m_graph.node(output.node);
    const NodeType *type = source ? m_registry->find(source->type) : nullptr;
    if (!type || output.output < 0 || output.output >= type->definition().outputs.size())
        return {};
    return type->definition().outputs.at(output.output).type;
}

void GraphDocument::setInput(GraphNode &node, NodeInput input)
{
    const QString name = input.name;
    const auto existing =
        std::find_if(node.inputs.begin(), node.inputs.end(), [&](const NodeInput &held) { return held.name == name; });
    if (existing != node.inputs.end())
        *existing = std::move(input);
    else
        node.inputs.append(std::move(input));
    emit inputChanged(node.id, name);
    emit changed();
}

QString GraphDocument::addNode(const QString &type, QPointF position)
{
    const NodeType *known = m_registry->find(type);
    if (!known)
        return {};
    qint64 largest = 0;
    for (const GraphNode &node : m_graph.nodes)
        largest = std::max(largest, node.id.toLongLong());
    GraphNode node;
    node.id = QString::number(largest + 1);
    node.type = type;
    node.position = position;
    for (const InputSpec &spec : known->definition().inputs)
        if (graph::isWidgetType(spec.type) && spec.defaultValue)
            node.inputs.append({spec.name, spec.defaultValue, std::nullopt});
        else if (spec.type == kCombo && spec.optionsFrom.isEmpty() && !spec.options.isEmpty())
            node.inputs.append({spec.name, GraphValue::text(spec.options.front()), std::nullopt});
    m_graph.nodes.append(node);
    emit nodeAdded(node.id);
    emit changed();
    return node.id;
}

bool GraphDocument::removeNode(const QString &id)
{
    const auto found =
        std::find_if(m_graph.nodes.begin(), m_graph.nodes.end(), [&](const GraphNode &node) { return node.id == id; });
    if (found == m_graph.nodes.end())
        return false;
    m_graph.nodes.erase(found);
    emit nodeRemoved(id);
    for (GraphNode &node : m_graph.nodes)
        for (auto input = node.inputs.begin(); input != node.inputs.end();)
            if (input->link && input->link->node == id) {
                const QString name = input->name;
                input = node.inputs.erase(input);
                emit inputChanged(node.id, name);
            } else {
                ++input;
            }
    emit changed();
    return true;
}

bool GraphDocument::setValue(const QString &nodeId, const QString &input, const GraphValue &value)
{
    GraphNode *node = find(nodeId);
    const NodeType *type = node ? m_registry->find(node->type) : nullptr;
    const InputSpec *spec = type ? type->definition().input(input) : nullptr;
    if (!node || (type && (!spec || !graph::isWidgetType(spec->type))))
        return false; // unknown nodes take any value; known ones only on their widget inputs
    if (spec && spec->type == kCombo && spec->optionsFrom.isEmpty() &&
        !spec->options.contains(value.toText().value_or(QString())))
        return false;
    if (spec && (spec->type == kInt || spec->type == kFloat)) {
        const std::optional<double> number = value.toReal();
        if (!number || (spec->minimum && *number < *spec->minimum) || (spec->maximum && *number > *spec->maximum))
            return false;
    }
    setInput(*node, {input, value, std::nullopt});
    return true;
}

bool GraphDocument::connectInput(const OutputRef &from, const QString &nodeId, const QString &input)
{
    GraphNode *node = find(nodeId);
    const NodeType *type = node ? m_registry->find(node->type) : nullptr;
    const InputSpec *spec = type ? type->definition().input(input) : nullptr;
    const QString produced = outputType(from);
    if (!spec || produced.isEmpty() || from.node == nodeId ||
        !(produced == spec->type || produced == QStringLiteral("*") || (spec->type == kCombo && produced == kString)))
        return false;
    setInput(*node, {input, std::nullopt, from});
    return true;
}

bool GraphDocument::disconnectInput(const QString &nodeId, const QString &input)
{
    GraphNode *node = find(nodeId);
    if (!node)
        return false;
    for (auto it = node->inputs.begin(); it != node->inputs.end(); ++it)
        if (it->name == input && it->link) {
            node->inputs.erase(it);
            emit inputChanged(nodeId, input);
            emit changed();
            return true;
        }
    return false;
}

bool GraphDocument::setMode(const QString &nodeId, NodeMode mode)
{
    GraphNode *node = find(nodeId);
    if (!node || node->mode == mode)
        return node != nullptr;
    node->mode = mode;
    emit nodeChanged(nodeId);
    emit changed();
    return true;
}

bool GraphDocument::setTitle(const QString &nodeId, const QString &title)
{
    GraphNode *node = find(nodeId);
    if (!node)
        return false;
    node->title = title;
    emit nodeChanged(nodeId);
    emit changed();
    return true;
}

bool GraphDocument::moveNode(const QString &nodeId, QPointF position)
{
    GraphNode *node = find(nodeId);
    if (!node)
        return false;
    node->position = position;
    emit nodeMoved(nodeId, position);
    emit changed();
    return true;
}

} // namespace atelier::graph
