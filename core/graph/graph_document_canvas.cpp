#include "core/graph/document_workflow.h"

#include "core/graph/workflow_shapes.h"
#include "core/json/bounded_json.h"

#include <QSet>

#include <algorithm>

// What the canvas reads of a GraphDocument (its nodes, links and groups, in plain values) and the clipboard.

namespace atelier::graph {

QStringList GraphDocument::nodeIds() const
{
    QStringList ids;
    for (const Json &node : m_workflow->json.value("nodes", Json::array()))
        if (node.is_object())
            if (const auto id = integerOf(node.value("id", Json())))
                ids.append(QString::number(*id));
    return ids;
}

namespace {

QList<CanvasSlot> slotsOf(const Json &list, bool outputs)
{
    QList<CanvasSlot> made;
    if (!list.is_array())
        return made;
    for (const Json &slot : list) {
        CanvasSlot canvas;
        if (slot.is_object()) {
            canvas.name = stringOf(slot.value("name", Json()));
            canvas.type = stringOf(slot.value("type", Json()));
            if (!outputs)
                if (const auto link = integerOf(slot.value("link", Json())))
                    canvas.link = *link;
            const Json links = slot.value("links", Json());
            canvas.links = links.is_array() ? int(links.size()) : 0;
            canvas.widget = slot.contains("widget");
        }
        made.append(canvas);
    }
    return made;
}

// The widgets a node shows: its definition's widget inputs not linked (a Note's text, a primitive's value), or,
// for a type nobody registered, its values by position.
QList<NodeInput> widgetsOf(const NodeDefinition *definition, const Json &node, const QList<CanvasSlot> &inputs)
{
    QList<NodeInput> widgets;
    const Json values = node.value("widgets_values", Json());
    const auto valueAt = [&](std::size_t index) {
        return GraphValue::fromJsonText(QByteArray::fromStdString(values[index].dump()));
    };
    if (!definition || definition->type == QStringLiteral("PrimitiveNode")) {
        if (values.is_array())
            for (std::size_t index = 0; index < values.size(); ++index)
                widgets.append(
                    {index == 0 && definition ? QStringLiteral("value") : QStringLiteral("value %1").arg(index + 1),
                     valueAt(index), std::nullopt});
        return widgets;
    }
    if (definition->editorOnly) { // notes
        if (!definition->inputs.isEmpty() && values.is_array() && !values.empty())
            widgets.append({definition->inputs.front().name, valueAt(0), std::nullopt});
        return widgets;
    }
    const QHash<QString, std::size_t> indexes = widgetIndexes(*definition, values);
    for (const InputSpec &spec : definition->inputs) {
        if (!isWidgetType(spec.type))
            continue;
        const bool linked = std::any_of(inputs.begin(), inputs.end(),
                                        [&](const CanvasSlot &slot) { return slot.name == spec.name && slot.link; });
        if (linked)
            continue;
        std::optional<GraphValue> value = widgetValue(spec, values, indexes);
        widgets.append({spec.name, value ? value : spec.defaultValue, std::nullopt});
        if (spec.controlAfterGenerate && values.is_array() && indexes.contains(spec.name) &&
            indexes.value(spec.name) + 1 < values.size() && isSeedControl(values[indexes.value(spec.name) + 1]))
            widgets.append({QString::fromLatin1(kControlAfterGenerate),
                            GraphValue::text(values[indexes.value(spec.name) + 1].is_string()
                                                 ? stringOf(values[indexes.value(spec.name) + 1])
                                                 : QStringLiteral("randomize")),
                            std::nullopt});
    }
    return widgets;
}

} // namespace

std::optional<CanvasNode> GraphDocument::canvasNode(const QString &id) const
{
    const Json *found = m_workflow->node(id);
    if (!found)
        return std::nullopt;
    const Json &node = *found;
    const NodeDefinition *definition = definitionOf(*m_registry, node);
    CanvasNode canvas;
    canvas.id = id;
    canvas.type = typeOf(node);
    canvas.known = definition != nullptr;
    canvas.title = stringOf(node.value("title", Json()));
    if (canvas.title.isEmpty())
        canvas.title = definition && !definition->displayName.isEmpty() ? definition->displayName : canvas.type;
    canvas.position = pointOf(node.value("pos", Json())).value_or(QPointF());
    const std::optional<QPointF> size = pointOf(node.value("size", Json()));
    canvas.size = size ? QSizeF(size->x(), size->y()) : QSizeF(300, 130);
    canvas.mode = modeOf(node);
    const Json flags = node.value("flags", Json());
    canvas.collapsed = flags.is_object() && flags.value("collapsed", Json()) == Json(true);
    canvas.color = stringOf(node.value("color", Json()));
    canvas.bgcolor = stringOf(node.value("bgcolor", Json()));
    canvas.inputs = slotsOf(node.value("inputs", Json()), false);
    canvas.outputs = slotsOf(node.value("outputs", Json()), true);
    // A reroute's one input is unnamed in the workflow; the canvas names it as edits do ("input").
    if (definition && definition->editorOnly && !definition->inputs.isEmpty() && canvas.inputs.size() == 1 &&
        canvas.inputs.front().name.isEmpty())
        canvas.inputs.front().name = definition->inputs.front().name;
    // Outputs the definition has and the workflow does not list yet.
    if (definition && !definition->editorOnly)
        for (int slot = int(canvas.outputs.size()); slot < definition->outputs.size(); ++slot) {
            const OutputSpec &spec = definition->outputs.at(slot);
            canvas.outputs.append({spec.name.isEmpty() ? spec.type : spec.name, spec.type, std::nullopt, 0, false});
        }
    canvas.widgets = widgetsOf(definition, node, canvas.inputs);
    return canvas;
}

QList<CanvasLink> GraphDocument::links() const
{
    QList<CanvasLink> made;
    const Json links = m_workflow->json.value("links", Json::array());
    if (!links.is_array())
        return made;
    for (const Json &link : links)
        if (const std::optional<LinkEnds> ends = endsOf(link)) {
            const Json type = link.is_array() ? (link.size() > 5 ? link[5] : Json()) : link.value("type", Json());
            made.append({ends->id, OutputRef{QString::number(ends->origin), ends->originSlot},
                         QString::number(ends->target), ends->targetSlot, stringOf(type)});
        }
    return made;
}

QList<CanvasGroup> GraphDocument::groups() const
{
    QList<CanvasGroup> made;
    const Json groups = m_workflow->json.value("groups", Json::array());
    if (!groups.is_array())
        return made;
    for (std::size_t index = 0; index < groups.size(); ++index) {
        const Json &group = groups[index];
        if (!group.is_object())
            continue;
        const std::optional<QRectF> box = rectOf(group.value("bounding", Json()));
        if (!box)
            continue;
        made.append({int(index), stringOf(group.value("title", Json())), *box, stringOf(group.value("color", Json()))});
    }
    return made;
}

QByteArray GraphDocument::copyNodes(const QStringList &ids) const
{
    Json nodes = Json::array(), links = Json::array();
    QSet<std::int64_t> chosen;
    for (const QString &id : ids)
        if (const Json *node = m_workflow->node(id)) {
            nodes.push_back(*node);
            chosen.insert(integerOf((*node)["id"]).value_or(0));
        }
    for (const Json &link : m_workflow->json.value("links", Json::array()))
        if (const std::optional<LinkEnds> ends = endsOf(link); ends && chosen.contains(ends->target))
            links.push_back(link.is_array() ? link
                                            : Json::array({ends->id, ends->origin, ends->originSlot, ends->target,
                                                           ends->targetSlot, link.value("type", Json())}));
    // Links from outside only mean something in the document they came from: the clipboard says which it is.
    const Json clipboard = {{"last_node_id", 0},       {"last_link_id", 0},
                            {"nodes", nodes},          {"links", links},
                            {"groups", Json::array()}, {"extra", {{"atelier_copied_from", m_token.toStdString()}}},
                            {"version", 0.4}};
    return QByteArray::fromStdString(clipboard.dump());
}

QStringList GraphDocument::pasteNodes(const QByteArray &clipboard, QPointF at, bool keepInputLinks)
{
    Result<QByteArray> flat = workflowInShape(clipboard, WorkflowShape::V04);
    if (!flat)
        return {};
    const Json pasted = parseBoundedOrderedJson(flat.value()).value();
    const Json nodes = pasted.value("nodes", Json::array());
    QRectF bounds;
    for (const Json &node : nodes)
        if (node.is_object())
            bounds |= QRectF(pointOf(node.value("pos", Json())).value_or(QPointF()), QSizeF(1, 1));
    // New ids for the pasted nodes, and the nodes themselves, unlinked and moved.
    QHash<std::int64_t, std::int64_t> renamed;
    QStringList made;
    for (const Json &node : nodes) {
        const std::optional<std::int64_t> old = node.is_object() ? integerOf(node.value("id", Json())) : std::nullopt;
        if (!old || typeOf(node).isEmpty() || renamed.contains(*old))
            continue;
        Json copy = node;
        const std::int64_t id = m_workflow->nextId("last_node_id", "lastNodeId", m_workflow->nodes());
        copy["id"] = id;
        const QPointF from = pointOf(node.value("pos", Json())).value_or(QPointF());
        copy["pos"] = Json::array({from.x() - bounds.left() + at.x(), from.y() - bounds.top() + at.y()});
        if (copy["inputs"].is_array())
            for (Json &input : copy["inputs"])
                if (input.is_object())
                    input["link"] = nullptr;
        if (copy["outputs"].is_array())
            for (Json &output : copy["outputs"])
                if (output.is_object())
                    output["links"] = Json::array();
        m_workflow->nodes().push_back(copy);
        m_workflow->nodesChanged();
        renamed.insert(*old, id);
        made.append(QString::number(id));
        emit nodeAdded(made.back());
    }
    for (const Json &link : pasted.value("links", Json::array())) {
        const std::optional<LinkEnds> ends = endsOf(link);
        if (!ends || !renamed.contains(ends->target))
            continue;
        const bool inside = renamed.contains(ends->origin);
        const Json extra = pasted.value("extra", Json::object());
        const bool here = extra.is_object() && stringOf(extra.value("atelier_copied_from", Json())) == m_token;
        if (!inside && (!keepInputLinks || !here || !m_workflow->node(ends->origin)))
            continue;
        const Json *target = m_workflow->node(renamed.value(ends->target));
        const Json inputs = target->value("inputs", Json());
        if (!inputs.is_array() || std::size_t(ends->targetSlot) >= inputs.size())
            continue;
        const QString input = typeOf(*target) == QStringLiteral("Reroute")
                                  ? QStringLiteral("input")
                                  : stringOf(inputs[std::size_t(ends->targetSlot)].value("name", Json()));
        connectInput({QString::number(inside ? renamed.value(ends->origin) : ends->origin), ends->originSlot},
                     QString::number(renamed.value(ends->target)), input);
    }
    if (!made.isEmpty())
        edited();
    return made;
}

} // namespace atelier::graph
