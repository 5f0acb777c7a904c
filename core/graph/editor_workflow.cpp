#include "core/graph/editor_workflow.h"

#include "core/graph/workflow_json.h"
#include "core/json/bounded_json.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace atelier::graph {

using namespace workflow_json;

namespace {

struct Link
{
    std::int64_t origin = 0;
    int originSlot = 0;
};

Result<Graph> malformed(const QString &message)
{
    return Result<Graph>::failure(message, QStringLiteral("FormatError"));
}

// Links by id, from either shape.
Result<QHash<std::int64_t, Link>> readLinks(const Json &links)
{
    QHash<std::int64_t, Link> byId;
    if (links.is_null())
        return byId;
    if (!links.is_array())
        return Result<QHash<std::int64_t, Link>>::failure(QStringLiteral("\"links\" is not a list"),
                                                          QStringLiteral("FormatError"));
    for (const Json &link : links) {
        std::optional<std::int64_t> id, origin, slot;
        if (link.is_array() && link.size() >= 5) {
            id = integerOf(link[0]), origin = integerOf(link[1]), slot = integerOf(link[2]);
        } else if (link.is_object()) {
            id = integerOf(link.value("id", Json())), origin = integerOf(link.value("origin_id", Json()));
            slot = integerOf(link.value("origin_slot", Json()));
        }
        if (!id || !origin || !slot || *slot < 0 || *slot > 1000)
            return Result<QHash<std::int64_t, Link>>::failure(
                QStringLiteral("a link is neither [id, origin, slot, target, slot, type] nor an object with them: %1")
                    .arg(QString::fromStdString(link.dump()).left(120)),
                QStringLiteral("FormatError"));
        byId.insert(*id, Link{*origin, int(*slot)});
    }
    return byId;
}

// Where a link's value comes from: a node's output, or (through a PrimitiveNode) a literal.
struct Source
{
    std::optional<OutputRef> link;
    std::optional<GraphValue> value;
};

// The nodes and links of the workflow, or of one subgraph instance inside it: ids are prefixed with the instances
// that hold them ("5:", then "5:7:"), and the subgraph's inputs come from the links into its instance.
struct Scope
{
    QHash<std::int64_t, const Json *> nodes;
    QHash<std::int64_t, Link> links;
    QString prefix;
    QHash<int, std::optional<Source>> inputs; // by the subgraph's input slot
    NodeMode mode = NodeMode::Active;         // the instance's, for nodes inside it
};

constexpr std::int64_t kSubgraphInputNode = -10;
constexpr std::int64_t kSubgraphOutputNode = -20;
constexpr int kMaxSubgraphDepth = 32;

Scope scopeOf(const Json &document, QHash<std::int64_t, Link> links)
{
    Scope scope;
    scope.links = std::move(links);
    for (const Json &node : document["nodes"])
        if (node.is_object())
            if (const auto id = integerOf(node.value("id", Json())))
                scope.nodes.insert(*id, &node);
    return scope;
}

class Converter
{
public:
    Converter(const Json &document, const NodeRegistry &registry)
        : m_registry(registry)
    {
        if (document.contains("definitions") && document["definitions"].is_object())
            if (const Json subgraphs = document["definitions"].value("subgraphs", Json()); subgraphs.is_array())
                for (const Json &subgraph : subgraphs)
                    if (subgraph.is_object() && subgraph.value("id", Json()).is_string())
                        m_subgraphs.insert(QString::fromStdString(subgraph["id"].get<std::string>()), subgraph);
    }

    Result<Graph> convert(const Scope &scope)
    {
        QList<std::int64_t> ids = scope.nodes.keys();
        std::sort(ids.begin(), ids.end());
        for (std::int64_t id : ids) {
            const Json &node = *scope.nodes.value(id);
            const QString type = typeOf(node);
            if (type.isEmpty())
                return malformed(QStringLiteral("node %1%2 has no type").arg(scope.prefix).arg(id));
            if (isEditorOnly(type))
                continue;
            if (m_subgraphs.contains(type)) {
                if (!instanceOutputs(scope, id))
                    return malformed(m_problem);
                continue;
            }
            m_graph.nodes.append(convertNode(scope, id, node, type));
        }
        if (!m_problem.isEmpty())
            return malformed(m_problem);
        return m_graph;
    }

private:
    std::optional<Source> follow(const Scope &scope, std::int64_t linkId)
    {
        for (int hops = 0; hops <= scope.nodes.size(); ++hops) {
            const auto link = scope.links.constFind(linkId);
            if (link == scope.links.constEnd())
                return std::nullopt;
            if (link->origin == kSubgraphInputNode)
                return scope.inputs.value(link->originSlot);
            const Json *origin = scope.nodes.value(link->origin);
            const QString type = origin ? typeOf(*origin) : QString();
            if (type == QStringLiteral("Reroute")) {
                const Json inputs = origin->value("inputs", Json::array());
                const std::optional<std::int64_t> next = inputs.is_array() && !inputs.empty() && inputs[0].is_object()
                                                             ? integerOf(inputs[0].value("link", Json()))
                                                             : std::nullopt;
                if (!next)
                    return std::nullopt;
                linkId = *next;
                continue;
            }
            if (type == QStringLiteral("PrimitiveNode")) {
                const Json values = origin->value("widgets_values", Json::array());
                if (!values.is_array() || values.empty())
                    return std::nullopt;
                return Source{std::nullopt, GraphValue::fromJsonText(QByteArray::fromStdString(values[0].dump()))};
            }
            if (m_subgraphs.contains(type)) {
                const auto outputs = instanceOutputs(scope, link->origin);
                return outputs ? outputs->value(link->originSlot) : std::nullopt;
            }
            return Source{OutputRef{scope.prefix + QString::number(link->origin), link->originSlot}, std::nullopt};
        }
        return std::nullopt; // a loop of reroutes
    }

    // A subgraph instance, flattened once: its nodes join the graph under "<instance>:<node>" ids, and its outputs
    // are where the links to its output node come from. Null (with m_problem) for a subgraph nested in itself.
    std::optional<QHash<int, std::optional<Source>>> instanceOutputs(const Scope &scope, std::int64_t id)
    {
        const QString key = scope.prefix + QString::number(id);
        if (const auto done = m_instanceOutputs.constFind(key); done != m_instanceOutputs.constEnd())
            return *done;
        const Json &instance = *scope.nodes.value(id);
        if (m_open.contains(key) || m_open.size() >= kMaxSubgraphDepth) {
            m_problem = QStringLiteral("subgraph instance %1 holds itself, or subgraphs nest deeper than %2")
                            .arg(key)
                            .arg(kMaxSubgraphDepth);
            return std::nullopt;
        }
        m_open.insert(key);
        const Json &definition = *m_subgraphs.constFind(typeOf(instance));
        Scope inner;
        inner.prefix = key + QLatin1Char(':');
        inner.mode = scope.mode != NodeMode::Active ? scope.mode : modeOf(instance);
        if (definition.value("nodes", Json()).is_array())
            for (const Json &node : definition["nodes"])
                if (node.is_object())
                    if (const auto nodeId = integerOf(node.value("id", Json())))
                        inner.nodes.insert(*nodeId, &node);
        std::vector<std::pair<std::int64_t, int>> toOutputs; // link id, output slot
        if (definition.value("links", Json()).is_array())
            for (const Json &link : definition["links"]) {
                const auto linkId = integerOf(link.value("id", Json())),
                           origin = integerOf(link.value("origin_id", Json()));
                const auto slot = integerOf(link.value("origin_slot", Json()));
                if (!linkId || !origin || !slot)
                    continue;
                inner.links.insert(*linkId, Link{*origin, int(*slot)});
                if (integerOf(link.value("target_id", Json())) == kSubgraphOutputNode)
                    if (const auto target = integerOf(link.value("target_slot", Json())))
                        toOutputs.emplace_back(*linkId, int(*target));
            }
        // The instance's input slots, in the subgraph's input order.
        const Json inputs = instance.value("inputs", Json::array());
        if (inputs.is_array())
            for (std::size_t slot = 0; slot < inputs.size(); ++slot)
                if (inputs[slot].is_object())
                    if (const auto link = integerOf(inputs[slot].value("link", Json())))
                        inner.inputs.insert(int(slot), follow(scope, *link));

        QList<std::int64_t> ids = inner.nodes.keys();
        std::sort(ids.begin(), ids.end());
        for (std::int64_t nodeId : ids) {
            const Json &node = *inner.nodes.value(nodeId);
            const QString type = typeOf(node);
            if (type.isEmpty() || isEditorOnly(type))
                continue;
            if (m_subgraphs.contains(type)) {
                if (!instanceOutputs(inner, nodeId))
                    return std::nullopt;
                continue;
            }
            m_graph.nodes.append(convertNode(inner, nodeId, node, type));
        }
        QHash<int, std::optional<Source>> outputs;
        for (const auto &[linkId, slot] : toOutputs)
            outputs.insert(slot, follow(inner, linkId));
        m_open.remove(key);
        m_instanceOutputs.insert(key, outputs);
        return outputs;
    }

    GraphNode convertNode(const Scope &scope, std::int64_t id, const Json &node, const QString &type)
    {
        GraphNode converted;
        converted.id = scope.prefix + QString::number(id);
        converted.type = type;
        if (node.contains("title") && node["title"].is_string())
            converted.title = QString::fromStdString(node["title"].get<std::string>());
        converted.mode = scope.mode != NodeMode::Active ? scope.mode : modeOf(node);
        if (const Json pos = node.value("pos", Json()); scope.prefix.isEmpty())
            if (const std::optional<QPointF> at = pointOf(pos))
                converted.position = at;
        const Json properties = node.value("properties", Json::object());
        if (properties.is_object())
            for (const char *key : {"cnr_id", "aux_id"})
                if (properties.contains(key) && properties[key].is_string() && converted.package.isEmpty())
                    converted.package = QString::fromStdString(properties[key].get<std::string>());

        // The node's input slots by name: their links, converted widgets included.
        QHash<QString, std::int64_t> linked;
        const Json inputs = node.value("inputs", Json::array());
        if (inputs.is_array())
            for (const Json &input : inputs)
                if (input.is_object() && input.contains("name") && input["name"].is_string())
                    if (const auto link = integerOf(input.value("link", Json())))
                        linked.insert(QString::fromStdString(input["name"].get<std::string>()), *link);
        const auto addLinked = [&](const QString &name) {
            if (!linked.contains(name))
                return;
            if (const std::optional<Source> source = follow(scope, linked.value(name)))
                converted.inputs.append({name, source->value, source->link});
        };

        const NodeType *known = m_registry.find(type);
        if (!known) {
            for (auto it = linked.cbegin(); it != linked.cend(); ++it)
                addLinked(it.key());
            return converted;
        }
        const Json values = node.value("widgets_values", Json::array());
        const QHash<QString, std::size_t> indexes = widgetIndexes(known->definition(), values);
        for (const InputSpec &spec : known->definition().inputs) {
            if (!isWidgetType(spec.type) ||
                linked.contains(spec.name)) { // a widget turned into an input: the link wins
                addLinked(spec.name);
                continue;
            }
            // A widget the workflow has no value for (one added to the node type after it was saved) shows its
            // default, as ComfyUI's canvas shows it.
            std::optional<GraphValue> value = widgetValue(spec, values, indexes);
            if (!value)
                value = spec.defaultValue;
            if (value)
                converted.inputs.append({spec.name, value, std::nullopt});
        }
        return converted;
    }

    const NodeRegistry &m_registry;
    QHash<QString, Json> m_subgraphs; // by id
    QHash<QString, QHash<int, std::optional<Source>>> m_instanceOutputs;
    QSet<QString> m_open; // instances being flattened
    QString m_problem;
    Graph m_graph;
};

} // namespace

namespace {

// ComfyUI's canvas: a "nodes" list with links ("links", or a version 1 "state"); InvokeAI's workflows have nodes
// too, with "edges" instead.
bool isComfyWorkflow(const Json &document)
{
    return document.is_object() && document.contains("nodes") && document["nodes"].is_array() &&
           !document.contains("edges") &&
           (document.contains("links") || document.contains("last_node_id") || document.contains("state"));
}

} // namespace

bool isEditorWorkflow(const QByteArray &json)
{
    return isComfyWorkflow(parseBoundedJsonOrDiscarded<Json>(json));
}

Result<Graph> graphFromEditorWorkflow(const QByteArray &json, const NodeRegistry &registry)
{
    const Result<Json> parsed = parseBoundedOrderedJson(json);
    if (!parsed)
        return malformed(QStringLiteral("not a readable workflow: %1").arg(parsed.error()));
    const Json &document = parsed.value();
    if (document.is_object() && document.contains("edges"))
        return malformed(QStringLiteral("an InvokeAI workflow, which Atelier does not read as a graph yet"));
    if (!isComfyWorkflow(document))
        return malformed(QStringLiteral("not an editor workflow (no \"nodes\" list with links)"));
    Result<QHash<std::int64_t, Link>> links = readLinks(document.value("links", Json()));
    if (!links)
        return malformed(links.error());
    for (const Json &node : document["nodes"])
        if (!node.is_object() || !integerOf(node.value("id", Json())))
            return malformed(QStringLiteral("a node is not an object with an id: %1")
                                 .arg(QString::fromStdString(node.dump()).left(120)));
    return Converter(document, registry).convert(scopeOf(document, std::move(links).value()));
}

namespace {

// Workflow ids: the graph's where they are numbers, new ones above them otherwise; `lastId` the highest.
QHash<QString, std::int64_t> workflowIds(const Graph &graph, std::int64_t &lastId)
{
    QHash<QString, std::int64_t> ids;
    QSet<std::int64_t> taken;
    for (const GraphNode &node : graph.nodes) {
        bool number = false;
        const std::int64_t id = node.id.toLongLong(&number);
        if (number && id > 0 && !taken.contains(id)) {
            ids.insert(node.id, id);
            taken.insert(id);
            lastId = std::max(lastId, id);
        }
    }
    for (const GraphNode &node : graph.nodes)
        if (!ids.contains(node.id))
            ids.insert(node.id, ++lastId);
    return ids;
}

// Each node's depth (the longest chain of links before it), the column it is laid out in; bounded for cycles.
QHash<QString, int> depthsOf(const Graph &graph)
{
    QHash<QString, int> depth;
    QSet<QString> present;
    for (const GraphNode &node : graph.nodes)
        present.insert(node.id);
    for (int pass = 0; pass < std::min<int>(int(graph.nodes.size()), 64); ++pass)
        for (const GraphNode &node : graph.nodes)
            for (const NodeInput &input : node.inputs)
                if (input.link && present.contains(input.link->node))
                    depth[node.id] = std::max(depth.value(node.id), depth.value(input.link->node) + 1);
    return depth;
}

// Every output slot the definition has, with the links made from it.
Json outputSlots(const NodeType *type, Json list)
{
    if (!type)
        return list;
    for (int slot = 0; slot < type->definition().outputs.size(); ++slot) {
        while (int(list.size()) <= slot)
            list.push_back({{"links", Json::array()}});
        const OutputSpec &spec = type->definition().outputs.at(slot);
        list[std::size_t(slot)]["name"] = spec.name.toStdString();
        list[std::size_t(slot)]["type"] = spec.type.toStdString();
        list[std::size_t(slot)]["slot_index"] = slot;
    }
    return list;
}

} // namespace

QByteArray editorWorkflowFromGraph(const Graph &graph, const NodeRegistry &registry)
{
    std::int64_t lastId = 0;
    const QHash<QString, std::int64_t> ids = workflowIds(graph, lastId);
    const QHash<QString, int> depth = depthsOf(graph);
    QHash<int, int> rows;

    Json nodes = Json::array(), links = Json::array();
    std::int64_t lastLink = 0;
    QHash<QString, Json> outputs; // node id -> its outputs list, filled as links are made
    for (const GraphNode &node : graph.nodes) {
        const NodeType *type = registry.find(node.type);
        Json made = {{"id", ids.value(node.id)}, {"type", node.type.toStdString()}};
        const int column = depth.value(node.id);
        const QPointF laidOut(50 + column * 320, 50 + rows[column]++ * 260);
        const QPointF at = node.position.value_or(laidOut);
        made["pos"] = Json::array({at.x(), at.y()});
        made["size"] = Json::array({300, 200});
        made["flags"] = Json::object();
        made["order"] = nodes.size();
        made["mode"] = modeNumber(node.mode);
        if (!node.title.isEmpty())
            made["title"] = node.title.toStdString();
        Json inputs = Json::array(), widgets = Json::array();
        const auto linkInput = [&](const QString &name, const QString &slotType, const OutputRef &from, bool widget) {
            const std::int64_t linkId = ++lastLink;
            const int slot = int(inputs.size());
            Json input = {{"name", name.toStdString()}, {"type", slotType.toStdString()}, {"link", linkId}};
            if (widget)
                input["widget"] = {{"name", name.toStdString()}};
            inputs.push_back(input);
            links.push_back(Json::array(
                {linkId, ids.value(from.node), from.output, ids.value(node.id), slot, slotType.toStdString()}));
            Json &list = outputs[from.node];
            if (!list.is_array())
                list = Json::array();
            while (int(list.size()) <= from.output)
                list.push_back({{"name", ""}, {"type", ""}, {"links", Json::array()}});
            list[std::size_t(from.output)]["type"] = slotType.toStdString();
            list[std::size_t(from.output)]["name"] = slotType.toStdString();
            list[std::size_t(from.output)]["links"].push_back(linkId);
        };
        if (type) {
            for (const InputSpec &spec : type->definition().inputs) {
                const NodeInput *given = node.input(spec.name);
                const bool widget = isWidgetType(spec.type);
                if (given && given->link)
                    linkInput(spec.name, spec.type, *given->link, widget);
                if (!widget)
                    continue;
                const std::optional<GraphValue> value = given && given->value ? given->value : spec.defaultValue;
                widgets.push_back(value ? Json::parse(value->jsonText().toStdString(), nullptr, false) : Json());
                if (spec.controlAfterGenerate)
                    widgets.push_back("fixed");
            }
        } else {
            for (const NodeInput &input : node.inputs)
                if (input.link)
                    linkInput(input.name, QStringLiteral("*"), *input.link, false);
        }
        made["inputs"] = inputs;
        made["properties"] = {{"Node name for S&R", node.type.toStdString()}};
        if (!node.package.isEmpty())
            made["properties"]["cnr_id"] = node.package.toStdString();
        made["widgets_values"] = widgets;
        nodes.push_back(made);
    }
    for (std::size_t index = 0; index < nodes.size(); ++index) {
        const GraphNode &node = graph.nodes.at(qsizetype(index));
        nodes[index]["outputs"] = outputSlots(registry.find(node.type), outputs.value(node.id, Json::array()));
    }
    const Json workflow = {{"last_node_id", lastId},
                           {"last_link_id", lastLink},
                           {"nodes", nodes},
                           {"links", links},
                           {"groups", Json::array()},
                           {"config", Json::object()},
                           {"extra", {{"ds", {{"scale", 1}, {"offset", Json::array({0, 0})}}}}},
                           {"version", 0.4}};
    return QByteArray::fromStdString(workflow.dump());
}

} // namespace atelier::graph
