#include "core/graph/workflow_shapes.h"

#include "core/graph/editor_workflow.h"
#include "core/json/bounded_json.h"

#include <nlohmann/json.hpp>

namespace atelier::graph {

namespace {

using Json = nlohmann::ordered_json;

Result<Json> readWorkflow(const QByteArray &json)
{
    Result<Json> parsed = parseBoundedOrderedJson(json);
    if (!parsed)
        return Result<Json>::failure(QStringLiteral("not a readable workflow: %1").arg(parsed.error()),
                                     QStringLiteral("FormatError"));
    if (!isEditorWorkflow(json))
        return Result<Json>::failure(QStringLiteral("not a ComfyUI editor workflow (no \"nodes\" list with links)"),
                                     QStringLiteral("FormatError"));
    return parsed;
}

bool isV1(const Json &workflow)
{
    const Json version = workflow.value("version", Json());
    return (version.is_number() && version.get<double>() >= 1.0) || workflow.contains("state");
}

std::int64_t largestId(const Json &list)
{
    std::int64_t largest = 0;
    if (list.is_array())
        for (const Json &item : list)
            if (item.is_object() && item.value("id", Json()).is_number_integer())
                largest = std::max(largest, item["id"].get<std::int64_t>());
    return largest;
}

Json linkObject(const Json &link, const Json &parents)
{
    if (!link.is_array() || link.size() < 6)
        return link; // kept as it is; the reader reports it
    Json object = {{"id", link[0]},        {"origin_id", link[1]},   {"origin_slot", link[2]},
                   {"target_id", link[3]}, {"target_slot", link[4]}, {"type", link[5]}};
    if (parents.is_object() && parents.contains(link[0].dump()))
        object["parentId"] = parents[link[0].dump()];
    return object;
}

Json linkArray(const Json &link)
{
    if (!link.is_object())
        return link;
    return Json::array({link.value("id", Json()), link.value("origin_id", Json()), link.value("origin_slot", Json()),
                        link.value("target_id", Json()), link.value("target_slot", Json()),
                        link.value("type", Json())});
}

Json toV1(const Json &workflow)
{
    // 0.4 keeps native reroutes' parents apart from the links: {"id": link id, "parentId": reroute id}.
    Json parents = Json::object();
    const Json extra = workflow.value("extra", Json::object());
    if (extra.is_object() && extra.value("linkExtensions", Json()).is_array())
        for (const Json &extension : extra["linkExtensions"])
            if (extension.is_object() && extension.contains("id") && extension.contains("parentId"))
                parents[extension["id"].dump()] = extension["parentId"];
    Json converted = Json::object();
    for (auto it = workflow.begin(); it != workflow.end(); ++it) {
        const std::string &key = it.key();
        if (key == "last_node_id") {
            converted["state"] = {{"lastGroupId", largestId(workflow.value("groups", Json()))},
                                  {"lastNodeId", it.value()},
                                  {"lastLinkId", workflow.value("last_link_id", Json(0))},
                                  {"lastRerouteId", largestId(extra.value("reroutes", Json()))}};
        } else if (key == "last_link_id") {
            continue;
        } else if (key == "links" && it.value().is_array()) {
            Json links = Json::array();
            for (const Json &link : it.value())
                links.push_back(linkObject(link, parents));
            converted["links"] = links;
        } else if (key == "extra" && it.value().is_object()) {
            Json rest = it.value();
            if (rest.contains("reroutes")) {
                converted["reroutes"] = rest["reroutes"];
                rest.erase("reroutes");
            }
            rest.erase("linkExtensions");
            converted["extra"] = rest;
        } else if (key == "version") {
            converted["version"] = 1;
        } else {
            converted[key] = it.value();
        }
    }
    if (!converted.contains("version"))
        converted["version"] = 1;
    return converted;
}

Json toV04(const Json &workflow)
{
    Json converted = Json::object();
    Json reroutes = workflow.value("reroutes", Json());
    Json extensions = Json::array();
    for (auto it = workflow.begin(); it != workflow.end(); ++it) {
        const std::string &key = it.key();
        if (key == "state") {
            const Json state = it.value().is_object() ? it.value() : Json::object();
            converted["last_node_id"] = state.value("lastNodeId", Json(0));
            converted["last_link_id"] = state.value("lastLinkId", Json(0));
        } else if (key == "links" && it.value().is_array()) {
            Json links = Json::array();
            for (const Json &link : it.value()) {
                links.push_back(linkArray(link));
                if (link.is_object() && link.contains("parentId"))
                    extensions.push_back({{"id", link.value("id", Json())}, {"parentId", link["parentId"]}});
            }
            converted["links"] = links;
        } else if (key == "reroutes") {
            continue;
        } else if (key == "version") {
            converted["version"] = 0.4;
        } else {
            converted[key] = it.value();
        }
    }
    if (!reroutes.is_null() || !extensions.empty()) {
        Json extra = converted.value("extra", Json::object());
        if (!extra.is_object())
            extra = Json::object();
        if (!reroutes.is_null())
            extra["reroutes"] = reroutes;
        if (!extensions.empty())
            extra["linkExtensions"] = extensions;
        converted["extra"] = extra;
    }
    return converted;
}

} // namespace

Result<WorkflowShape> workflowShape(const QByteArray &json)
{
    const Result<Json> workflow = readWorkflow(json);
    if (!workflow)
        return Result<WorkflowShape>::failure(workflow);
    return isV1(workflow.value()) ? WorkflowShape::V1 : WorkflowShape::V04;
}

Result<QByteArray> workflowInShape(const QByteArray &json, WorkflowShape shape)
{
    const Result<Json> workflow = readWorkflow(json);
    if (!workflow)
        return Result<QByteArray>::failure(workflow);
    const bool v1 = isV1(workflow.value());
    const Json converted = shape == WorkflowShape::V1 ? (v1 ? workflow.value() : toV1(workflow.value()))
                                                      : (v1 ? toV04(workflow.value()) : workflow.value());
    return QByteArray::fromStdString(converted.dump());
}

} // namespace atelier::graph
