#include "core/graph/document_workflow.h"

#include "core/graph/editor_workflow.h"
#include "core/graph/workflow_shapes.h"
#include "core/json/bounded_json.h"

#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>

namespace atelier::graph {

namespace {

Json jsonOf(const GraphValue &value)
{
    return Json::parse(value.jsonText().toStdString(), nullptr, false);
}

// A value an input's definition takes: one of a fixed combo's options, a number in range, text for text.
bool acceptable(const InputSpec &spec, const GraphValue &value)
{
    if (spec.type == kCombo)
        return spec.optionsFrom.isEmpty() ? spec.options.contains(value.toText().value_or(QString())) : value.isText();
    if (spec.type == kInt || spec.type == kFloat) {
        const std::optional<double> number = value.toReal();
        return number && (!spec.minimum || *number >= *spec.minimum) && (!spec.maximum || *number <= *spec.maximum) &&
               (spec.type == kFloat || value.toInteger());
    }
    if (spec.type == kString)
        return value.isText();
    if (spec.type == kBoolean)
        return value.isBoolean();
    return false;
}

Json newNode(const NodeDefinition &definition, std::int64_t id, QPointF position, std::size_t order)
{
    const bool reroute = definition.type == QStringLiteral("Reroute");
    Json inputs = Json::array(), outputs = Json::array();
    for (const InputSpec &spec : definition.inputs)
        if (!isWidgetType(spec.type))
            inputs.push_back({{"name", reroute ? "" : spec.name.toStdString()},
                              {"type", spec.type.toStdString()},
                              {"link", nullptr}});
    for (int slot = 0; slot < definition.outputs.size(); ++slot) {
        const OutputSpec &spec = definition.outputs.at(slot);
        const QString name = reroute ? QString() : spec.name.isEmpty() ? spec.type : spec.name;
        outputs.push_back({{"name", name.toStdString()},
                           {"type", spec.type.toStdString()},
                           {"links", Json::array()},
                           {"slot_index", slot}});
    }
    Json widgets = defaultWidgetValues(definition);
    if (definition.type == QStringLiteral("Note") || definition.type == QStringLiteral("MarkdownNote"))
        widgets = Json::array({""});
    return {{"id", id},
            {"type", definition.type.toStdString()},
            {"pos", Json::array({position.x(), position.y()})},
            {"size", reroute ? Json::array({75, 26}) : Json::array({300, 130})},
            {"flags", Json::object()},
            {"order", order},
            {"mode", 0},
            {"inputs", inputs},
            {"outputs", outputs},
            {"properties", {{"Node name for S&R", definition.type.toStdString()}}},
            {"widgets_values", widgets}};
}

} // namespace

namespace {

// The input slot named `name` (a Reroute's one slot whatever its name), or -1.
int inputSlot(const Json &node, const QString &name)
{
    const Json &inputs = node.contains("inputs") ? node["inputs"] : Json();
    if (!inputs.is_array())
        return -1;
    if (typeOf(node) == QStringLiteral("Reroute"))
        return inputs.empty() ? -1 : 0;
    for (std::size_t slot = 0; slot < inputs.size(); ++slot)
        if (inputs[slot].is_object() && stringOf(inputs[slot].value("name", Json())) == name)
            return int(slot);
    return -1;
}

// The type an output carries: the workflow's own word for editor and unknown nodes (a Reroute says what it carries
// once linked), the definition's for the rest.
QString outputType(const NodeDefinition *definition, const Json &node, int slot)
{
    if (definition && !definition->editorOnly)
        return slot >= 0 && slot < definition->outputs.size() ? definition->outputs.at(slot).type : QString();
    const Json outputs = node.value("outputs", Json());
    if (!outputs.is_array() || slot < 0 || std::size_t(slot) >= outputs.size() ||
        !outputs[std::size_t(slot)].is_object())
        return definition && slot < definition->outputs.size() ? definition->outputs.at(slot).type : QString();
    return stringOf(outputs[std::size_t(slot)].value("type", Json()));
}

} // namespace

GraphDocument::GraphDocument(std::shared_ptr<const NodeRegistry> registry, QObject *parent)
    : GraphDocument(std::move(registry), Graph{}, parent)
{}

GraphDocument::GraphDocument(std::shared_ptr<const NodeRegistry> registry, const Graph &graph, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
    , m_workflow(std::make_unique<Workflow>())
    , m_token(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_workflow->replace(Json::parse(editorWorkflowFromGraph(graph, *m_registry).toStdString()));
}

GraphDocument::~GraphDocument() = default;

Status GraphDocument::openWorkflow(const QByteArray &json)
{
    const Result<WorkflowShape> shape = workflowShape(json);
    if (!shape)
        return Status::failure(shape);
    if (const Result<Graph> runs = graphFromEditorWorkflow(json, *m_registry); !runs)
        return Status::failure(runs);
    m_workflow->replace(parseBoundedOrderedJson(json).value());
    m_workflow->v1 = shape.value() == WorkflowShape::V1;
    m_graph.reset();
    emit reset();
    emit changed();
    return {};
}

void GraphDocument::restore(const QByteArray &written)
{
    Result<Json> parsed = parseBoundedOrderedJson(written);
    if (!parsed)
        return; // never: the document wrote it
    m_workflow->replace(std::move(parsed).value());
    m_graph.reset();
    emit reset();
    emit changed();
}

void GraphDocument::openGraph(const Graph &graph)
{
    m_workflow->replace(Json::parse(editorWorkflowFromGraph(graph, *m_registry).toStdString()));
    m_workflow->v1 = false;
    m_graph.reset();
    emit reset();
    emit changed();
}

const Graph &GraphDocument::graph() const
{
    if (!m_graph) {
        // Every edit keeps the workflow readable, so this reads; an empty graph stands in if it ever did not.
        Result<Graph> runs = graphFromEditorWorkflow(editorWorkflow(), *m_registry);
        m_graph = runs ? std::move(runs).value() : Graph{};
    }
    return *m_graph;
}

QByteArray GraphDocument::editorWorkflow() const
{
    return QByteArray::fromStdString(m_workflow->json.dump());
}

void GraphDocument::edited()
{
    m_graph.reset();
    emit changed();
}

QString GraphDocument::addNode(const QString &type, QPointF position)
{
    const NodeType *known = m_registry->find(type);
    if (!known)
        return {};
    if (!m_workflow->nodes().is_array())
        m_workflow->nodes() = Json::array();
    const std::int64_t id = m_workflow->nextId("last_node_id", "lastNodeId", m_workflow->nodes());
    m_workflow->nodes().push_back(newNode(known->definition(), id, position, m_workflow->nodes().size()));
    m_workflow->nodesChanged();
    const QString added = QString::number(id);
    emit nodeAdded(added);
    edited();
    return added;
}

void GraphDocument::removeLink(std::int64_t linkId)
{
    Json &links = m_workflow->links();
    const auto found = std::find_if(links.begin(), links.end(), [&](const Json &link) {
        const auto ends = endsOf(link);
        return ends && ends->id == linkId;
    });
    if (found == links.end())
        return;
    const LinkEnds ends = *endsOf(*found);
    links.erase(found);
    if (Json *origin = m_workflow->node(ends.origin))
        if (Json &outputs = (*origin)["outputs"]; outputs.is_array() && std::size_t(ends.originSlot) < outputs.size())
            if (Json &made = outputs[std::size_t(ends.originSlot)]["links"]; made.is_array())
                made.erase(
                    std::remove_if(made.begin(), made.end(), [&](const Json &id) { return integerOf(id) == linkId; }),
                    made.end());
    Json *target = m_workflow->node(ends.target);
    if (!target || !(*target)["inputs"].is_array() || std::size_t(ends.targetSlot) >= (*target)["inputs"].size())
        return;
    Json &input = (*target)["inputs"][std::size_t(ends.targetSlot)];
    if (integerOf(input.value("link", Json())) == linkId)
        input["link"] = nullptr;
    const QString name =
        typeOf(*target) == QStringLiteral("Reroute") ? QStringLiteral("input") : stringOf(input.value("name", Json()));
    emit inputChanged(QString::number(ends.target), name);
}

bool GraphDocument::removeNode(const QString &id)
{
    const Json *node = m_workflow->node(id);
    if (!node)
        return false;
    const std::int64_t removed = integerOf((*node)["id"]).value_or(0);
    QList<std::int64_t> touching;
    for (const Json &link : m_workflow->links())
        if (const auto ends = endsOf(link); ends && (ends->origin == removed || ends->target == removed))
            touching.append(ends->id);
    for (std::int64_t link : touching)
        removeLink(link);
    Json &nodes = m_workflow->nodes();
    nodes.erase(std::find_if(nodes.begin(), nodes.end(), [&](const Json &held) {
        return held.is_object() && integerOf(held.value("id", Json())) == removed;
    }));
    m_workflow->nodesChanged();
    emit nodeRemoved(id);
    edited();
    return true;
}

bool GraphDocument::setValue(const QString &nodeId, const QString &input, const GraphValue &value)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    const NodeDefinition *definition = definitionOf(*m_registry, *node);
    Json &values = (*node)["widgets_values"];
    if (definition && definition->type == QStringLiteral("PrimitiveNode") && input == QStringLiteral("value")) {
        if (!values.is_array() || values.empty())
            values = Json::array({nullptr});
        values[0] = jsonOf(value);
    } else if (definition && input == QLatin1String(kControlAfterGenerate)) {
        const int at = values.is_array() ? seedControlIndex(*definition, values) : -1;
        if (at < 0 || !kSeedControls.contains(value.toText().value_or(QString())))
            return false;
        values[std::size_t(at)] = jsonOf(value);
    } else if (!definition) {
        if (!values.is_object()) // array values of an unknown type: which entry is which is unknown
            return false;
        values[input.toStdString()] = jsonOf(value);
    } else {
        const InputSpec *spec = definition->input(input);
        if (!spec || !graph::isWidgetType(spec->type) || !acceptable(*spec, value))
            return false;
        if (values.is_object()) {
            values[input.toStdString()] = jsonOf(value);
        } else {
            if (!values.is_array())
                values = Json::array();
            // Entries the workflow lacks at the end take their defaults first.
            const Json defaults = defaultWidgetValues(*definition);
            while (!widgetIndexes(*definition, values).contains(input) && values.size() < defaults.size())
                values.push_back(defaults[values.size()]);
            const QHash<QString, std::size_t> indexes = widgetIndexes(*definition, values);
            if (!indexes.contains(input))
                return false;
            values[indexes.value(input)] = jsonOf(value);
        }
    }
    emit inputChanged(nodeId, input);
    edited();
    return true;
}

bool GraphDocument::connectInput(const OutputRef &from, const QString &nodeId, const QString &input)
{
    Json *origin = m_workflow->node(from.node);
    Json *target = m_workflow->node(nodeId);
    if (!origin || !target || from.node == nodeId)
        return false;
    const NodeDefinition *produces = definitionOf(*m_registry, *origin);
    const NodeDefinition *takes = definitionOf(*m_registry, *target);
    const QString produced = outputType(produces, *origin, from.output);
    int slot = inputSlot(*target, input);
    const InputSpec *spec = takes && !takes->editorOnly ? takes->input(input) : nullptr;
    const QString wanted = spec        ? spec->type
                           : slot >= 0 ? stringOf((*target)["inputs"][std::size_t(slot)].value("type", Json()))
                                       : QString();
    if (produced.isEmpty() || wanted.isEmpty() || !typesConnect(produced, wanted))
        return false;

    Json &inputs = (*target)["inputs"];
    if (!inputs.is_array())
        inputs = Json::array();
    if (slot < 0) { // a widget input turned into a linked one, or an optional input the workflow left out
        Json made = {{"name", input.toStdString()}, {"type", wanted.toStdString()}, {"link", nullptr}};
        if (graph::isWidgetType(wanted))
            made["widget"] = {{"name", input.toStdString()}};
        inputs.push_back(made);
        slot = int(inputs.size()) - 1;
    }
    if (const auto held = integerOf(inputs[std::size_t(slot)].value("link", Json())))
        removeLink(*held);

    const std::int64_t linkId = m_workflow->nextId("last_link_id", "lastLinkId", m_workflow->links());
    const LinkEnds ends{linkId, integerOf((*origin)["id"]).value_or(0), integerOf((*target)["id"]).value_or(0),
                        from.output, slot};
    m_workflow->links().push_back(m_workflow->makeLink(ends, produced == QStringLiteral("*") ? wanted : produced));
    inputs[std::size_t(slot)]["link"] = linkId;
    // A reroute carries the type of what feeds it from now on, as ComfyUI's canvas has it.
    if (typeOf(*target) == QStringLiteral("Reroute") && produced != QStringLiteral("*"))
        if (Json &carried = (*target)["outputs"]; carried.is_array() && !carried.empty() && carried[0].is_object())
            carried[0]["type"] = produced.toStdString();
    Json &outputs = (*origin)["outputs"];
    if (!outputs.is_array())
        outputs = Json::array();
    while (outputs.size() <= std::size_t(from.output))
        outputs.push_back({{"name", ""}, {"type", produced.toStdString()}, {"links", Json::array()}});
    Json &made = outputs[std::size_t(from.output)]["links"];
    if (!made.is_array())
        made = Json::array();
    made.push_back(linkId);
    emit inputChanged(nodeId, input);
    edited();
    return true;
}

bool GraphDocument::disconnectInput(const QString &nodeId, const QString &input)
{
    const Json *node = m_workflow->node(nodeId);
    const int slot = node ? inputSlot(*node, input) : -1;
    const auto link = slot >= 0 ? integerOf((*node)["inputs"][std::size_t(slot)].value("link", Json())) : std::nullopt;
    if (!link)
        return false;
    removeLink(*link);
    edited();
    return true;
}

bool GraphDocument::setMode(const QString &nodeId, NodeMode mode)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    if (modeOf(*node) == mode)
        return true;
    (*node)["mode"] = modeNumber(mode);
    emit nodeChanged(nodeId);
    edited();
    return true;
}

bool GraphDocument::setTitle(const QString &nodeId, const QString &title)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    if (title.isEmpty())
        node->erase("title");
    else
        (*node)["title"] = title.toStdString();
    emit nodeChanged(nodeId);
    edited();
    return true;
}

bool GraphDocument::moveNode(const QString &nodeId, QPointF position)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    (*node)["pos"] = Json::array({position.x(), position.y()});
    emit nodeMoved(nodeId, position);
    edited();
    return true;
}

QStringList GraphDocument::applySeedControls()
{
    QStringList changed;
    for (const QString &id : nodeIds()) {
        Json *node = m_workflow->node(id);
        const NodeDefinition *definition = definitionOf(*m_registry, *node);
        Json &values = (*node)["widgets_values"];
        QString seedInput;
        const int at = definition && values.is_array() ? seedControlIndex(*definition, values, &seedInput) : -1;
        if (at < 0 || !values[std::size_t(at)].is_string())
            continue;
        const QString control = stringOf(values[std::size_t(at)]);
        const std::uint64_t seed =
            GraphValue::fromJsonText(QByteArray::fromStdString(values[std::size_t(at - 1)].dump()))
                .toUnsigned()
                .value_or(0);
        std::uint64_t next = seed;
        if (control == QStringLiteral("increment"))
            next = seed + 1;
        else if (control == QStringLiteral("decrement"))
            next = seed == 0 ? 0 : seed - 1;
        else if (control == QStringLiteral("randomize"))
            next = QRandomGenerator::global()->generate64() & ((std::uint64_t(1) << 53) - 1);
        if (next == seed)
            continue;
        values[std::size_t(at - 1)] = next;
        changed.append(id);
        emit inputChanged(id, seedInput);
    }
    if (!changed.isEmpty())
        edited();
    return changed;
}

} // namespace atelier::graph
