#include "core/graph/editor_workflow.h"

#include "core/json/bounded_json.h"

#include <nlohmann/json.hpp>

#include <QHash>

#include <algorithm>

namespace atelier::graph {

namespace {

using Json = nlohmann::ordered_json;

struct Link
{
    std::int64_t origin = 0;
    int originSlot = 0;
};

Result<Graph> malformed(const QString &message)
{
    return Result<Graph>::failure(message, QStringLiteral("FormatError"));
}

std::optional<std::int64_t> integerOf(const Json &value)
{
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    if (value.is_string()) {
        bool ok = false;
        const qint64 number = QString::fromStdString(value.get<std::string>()).toLongLong(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
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

bool isEditorOnly(const QString &type)
{
    return type == QStringLiteral("Reroute") || type == QStringLiteral("PrimitiveNode") ||
           type == QStringLiteral("Note") || type == QStringLiteral("MarkdownNote");
}

const QStringList kSeedControls{QStringLiteral("fixed"), QStringLiteral("increment"), QStringLiteral("decrement"),
                                QStringLiteral("randomize")};

class Converter
{
public:
    Converter(const Json &document, const NodeRegistry &registry, QHash<std::int64_t, Link> links)
        : m_registry(registry)
        , m_links(std::move(links))
    {
        for (const Json &node : document["nodes"])
            if (node.is_object())
                if (const auto id = integerOf(node.value("id", Json())))
                    m_nodes.insert(*id, &node);
    }

    Result<Graph> convert()
    {
        QList<std::int64_t> ids = m_nodes.keys();
        std::sort(ids.begin(), ids.end());
        Graph graph;
        for (std::int64_t id : ids) {
            const Json &node = *m_nodes.value(id);
            const QString type = QString::fromStdString(node.value("type", std::string()));
            if (type.isEmpty())
                return malformed(QStringLiteral("node %1 has no type").arg(id));
            if (isEditorOnly(type))
                continue;
            Result<GraphNode> converted = convertNode(id, node, type);
            if (!converted)
                return Result<Graph>::failure(converted);
            graph.nodes.append(std::move(converted).value());
        }
        return graph;
    }

private:
    // Where a link's value comes from: a node's output, or (through a PrimitiveNode) a literal.
    struct Source
    {
        std::optional<OutputRef> link;
        std::optional<GraphValue> value;
    };
    std::optional<Source> follow(std::int64_t linkId) const
    {
        for (int hops = 0; hops <= m_nodes.size(); ++hops) {
            const auto link = m_links.constFind(linkId);
            if (link == m_links.constEnd())
                return std::nullopt;
            const Json *origin = m_nodes.value(link->origin);
            const QString type = origin ? QString::fromStdString(origin->value("type", std::string())) : QString();
            if (type == QStringLiteral("Reroute")) {
                const Json &inputs = origin->value("inputs", Json::array());
                const std::optional<std::int64_t> next = inputs.is_array() && !inputs.empty() && inputs[0].is_object()
                                                             ? integerOf(inputs[0].value("link", Json()))
                                                             : std::nullopt;
                if (!next)
                    return std::nullopt;
                linkId = *next;
                continue;
            }
            if (type == QStringLiteral("PrimitiveNode")) {
                const Json &values = origin->value("widgets_values", Json::array());
                if (!values.is_array() || values.empty())
                    return std::nullopt;
                return Source{std::nullopt, GraphValue::fromJsonText(QByteArray::fromStdString(values[0].dump()))};
            }
            return Source{OutputRef{QString::number(link->origin), link->originSlot}, std::nullopt};
        }
        return std::nullopt; // a loop of reroutes
    }

    Result<GraphNode> convertNode(std::int64_t id, const Json &node, const QString &type)
    {
        GraphNode converted;
        converted.id = QString::number(id);
        converted.type = type;
        if (node.contains("title") && node["title"].is_string())
            converted.title = QString::fromStdString(node["title"].get<std::string>());
        const Json modeValue = node.value("mode", Json(0));
        const std::int64_t mode = modeValue.is_number_integer() ? modeValue.get<std::int64_t>() : 0;
        converted.mode = mode == 2 ? NodeMode::Muted : mode == 4 ? NodeMode::Bypassed : NodeMode::Active;
        const Json &properties = node.value("properties", Json::object());
        if (properties.is_object())
            for (const char *key : {"cnr_id", "aux_id"})
                if (properties.contains(key) && properties[key].is_string() && converted.package.isEmpty())
                    converted.package = QString::fromStdString(properties[key].get<std::string>());

        // The node's input slots by name: their links, converted widgets included.
        QHash<QString, std::int64_t> linked;
        const Json &inputs = node.value("inputs", Json::array());
        if (inputs.is_array())
            for (const Json &input : inputs)
                if (input.is_object() && input.contains("name") && input["name"].is_string())
                    if (const auto link = integerOf(input.value("link", Json())))
                        linked.insert(QString::fromStdString(input["name"].get<std::string>()), *link);
        const auto addLinked = [&](const QString &name) {
            if (!linked.contains(name))
                return;
            if (const std::optional<Source> source = follow(linked.value(name)))
                converted.inputs.append({name, source->value, source->link});
        };

        const NodeType *known = m_registry.find(type);
        if (!known) {
            for (auto it = linked.cbegin(); it != linked.cend(); ++it)
                addLinked(it.key());
            return converted;
        }
        const Json &values = node.value("widgets_values", Json::array());
        std::size_t next = 0;
        for (const InputSpec &spec : known->definition().inputs) {
            if (!isWidgetType(spec.type)) {
                addLinked(spec.name);
                continue;
            }
            std::optional<GraphValue> value;
            if (values.is_array() && next < values.size()) {
                value = GraphValue::fromJsonText(QByteArray::fromStdString(values[next++].dump()));
                // The editor's "control after generate" value follows a seed: a word, or true in older workflows.
                if (spec.controlAfterGenerate && next < values.size() &&
                    (values[next].is_boolean() ||
                     (values[next].is_string() &&
                      kSeedControls.contains(QString::fromStdString(values[next].get<std::string>())))))
                    ++next;
            } else if (values.is_object() && values.contains(spec.name.toStdString())) {
                value = GraphValue::fromJsonText(QByteArray::fromStdString(values[spec.name.toStdString()].dump()));
            }
            if (linked.contains(spec.name)) // a widget turned into an input: the link wins
                addLinked(spec.name);
            else if (value)
                converted.inputs.append({spec.name, value, std::nullopt});
        }
        return converted;
    }

    const NodeRegistry &m_registry;
    QHash<std::int64_t, Link> m_links;
    QHash<std::int64_t, const Json *> m_nodes;
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
    if (document.contains("definitions") && document["definitions"].is_object() &&
        document["definitions"].contains("subgraphs") && !document["definitions"]["subgraphs"].empty())
        return malformed(QStringLiteral("the workflow uses subgraphs, which Atelier does not run yet"));
    return Converter(document, registry, std::move(links).value()).convert();
}

} // namespace atelier::graph
