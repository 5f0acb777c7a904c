#include "core/graph/api_prompt.h"

#include "core/json/bounded_json.h"

#include <nlohmann/json.hpp>

namespace atelier::graph {

namespace {

using Json = nlohmann::ordered_json;

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

Result<Graph> malformed(const QString &message)
{
    return Result<Graph>::failure(message, QStringLiteral("FormatError"));
}

QByteArray compact(const Json &value)
{
    return QByteArray::fromStdString(value.dump());
}

// ComfyUI treats every two-element list as a link: [node id, output index].
Result<NodeInput> readInput(const std::string &nodeId, const std::string &name, const Json &value)
{
    NodeInput input;
    input.name = q(name);
    if (value.is_array() && value.size() == 2) {
        const Json &from = value[0];
        const Json &output = value[1];
        if (!(from.is_string() || from.is_number_integer()) || !output.is_number_integer() ||
            output.get<std::int64_t>() < 0 || output.get<std::int64_t>() > 1000)
            return Result<NodeInput>::failure(
                QStringLiteral("node %1, input \"%2\": %3 is not a link [node id, output index]")
                    .arg(q(nodeId), q(name), q(value.dump()).left(120)),
                QStringLiteral("FormatError"));
        // Node ids are strings; a hand-written prompt's numeric id means the same node.
        input.link =
            OutputRef{from.is_string() ? q(from.get<std::string>()) : QString::number(from.get<std::int64_t>()),
                      int(output.get<std::int64_t>())};
        return input;
    }
    input.value = GraphValue::fromJsonText(compact(value));
    return input;
}

Result<GraphNode> readNode(const std::string &id, const Json &object)
{
    const auto failed = [&](const QString &why) {
        return Result<GraphNode>::failure(QStringLiteral("node %1: %2").arg(q(id), why), QStringLiteral("FormatError"));
    };
    if (!object.is_object())
        return failed(QStringLiteral("not an object"));
    GraphNode node;
    node.id = q(id);
    const auto type = object.find("class_type");
    if (type == object.end() || !type->is_string() || type->get<std::string>().empty())
        return failed(QStringLiteral("no class_type"));
    node.type = q(type->get<std::string>());
    Json unknown = Json::object();
    for (auto field = object.begin(); field != object.end(); ++field) {
        if (field.key() == "class_type")
            continue;
        if (field.key() == "inputs") {
            if (!field->is_object())
                return failed(QStringLiteral("\"inputs\" is not an object"));
            for (auto input = field->begin(); input != field->end(); ++input) {
                Result<NodeInput> read = readInput(id, input.key(), input.value());
                if (!read)
                    return Result<GraphNode>::failure(read);
                node.inputs << read.value();
            }
        } else if (field.key() == "_meta" && field->is_object()) {
            Json meta = *field;
            if (meta.contains("title") && meta["title"].is_string()) {
                node.title = q(meta["title"].get<std::string>());
                meta.erase("title");
            }
            node.unknownMeta = compact(meta);
        } else {
            unknown[field.key()] = field.value();
        }
    }
    node.unknownFields = compact(unknown);
    return node;
}

// What the reader stored (compact JSON it produced itself).
Json parsedValue(const QByteArray &text)
{
    Json value = Json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
    return value.is_discarded() ? Json() : value;
}

Json parsedObject(const QByteArray &text)
{
    Json value = parsedValue(text);
    return value.is_object() ? value : Json::object();
}

} // namespace

Result<Graph> readApiPrompt(const QByteArray &json)
{
    const Result<Json> parsed = parseBoundedOrderedJson(json);
    if (!parsed)
        return malformed(QStringLiteral("not a readable API prompt: %1").arg(parsed.error()));
    const Json *prompt = &parsed.value();
    // The /prompt endpoint's body wraps the graph with the client's id; Atelier's images (atelier_workflow) with
    // the format's name and version.
    if (prompt->is_object() && prompt->contains("prompt") && (*prompt)["prompt"].is_object() &&
        !(*prompt)["prompt"].contains("class_type"))
        prompt = &(*prompt)["prompt"];
    else if (prompt->is_object() && prompt->value("format", Json()) == "atelier-workflow" &&
             prompt->contains("nodes") && (*prompt)["nodes"].is_object())
        prompt = &(*prompt)["nodes"];
    if (!prompt->is_object())
        return malformed(QStringLiteral("an API prompt is a JSON object of nodes by id"));
    Graph graph;
    for (auto entry = prompt->begin(); entry != prompt->end(); ++entry) {
        Result<GraphNode> node = readNode(entry.key(), entry.value());
        if (!node)
            return Result<Graph>::failure(node);
        graph.nodes << node.value();
    }
    return graph;
}

QByteArray writeApiPrompt(const Graph &graph)
{
    Json prompt = Json::object();
    for (const GraphNode &node : graph.nodes) {
        Json inputs = Json::object();
        for (const NodeInput &input : node.inputs) {
            if (input.link)
                inputs[input.name.toStdString()] = Json::array({input.link->node.toStdString(), input.link->output});
            else if (input.value)
                inputs[input.name.toStdString()] = parsedValue(input.value->jsonText());
        }
        Json object = Json::object();
        object["inputs"] = std::move(inputs);
        object["class_type"] = node.type.toStdString();
        Json meta = parsedObject(node.unknownMeta);
        if (!node.title.isEmpty())
            meta["title"] = node.title.toStdString();
        if (!meta.empty())
            object["_meta"] = std::move(meta);
        const Json unknown = parsedObject(node.unknownFields);
        for (auto field = unknown.begin(); field != unknown.end(); ++field)
            object[field.key()] = field.value();
        prompt[node.id.toStdString()] = std::move(object);
    }
    return compact(prompt);
}

} // namespace atelier::graph
