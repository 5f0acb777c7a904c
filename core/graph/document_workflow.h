#pragma once

// Internal to core/graph: the workflow a GraphDocument holds and the JSON helpers its two source files share
// (graph_document.cpp edits it, graph_document_canvas.cpp reads it for the canvas and the clipboard). It includes
// the JSON library, which graph_document.h keeps out of sight.
#include "core/graph/graph_document.h"
#include "core/graph/workflow_json.h"

#include <QHash>

#include <optional>

namespace atelier::graph {

using namespace workflow_json;

namespace document_detail {

inline constexpr const char *kControlAfterGenerate = "control_after_generate";

// The index of the control entry after the seed widget of `definition` in array-form `values`, or -1; `seed`
// gets the seed input's name.
inline int seedControlIndex(const NodeDefinition &definition, const Json &values, QString *seed = nullptr)
{
    const QHash<QString, std::size_t> indexes = widgetIndexes(definition, values);
    for (const InputSpec &spec : definition.inputs)
        if (spec.controlAfterGenerate && indexes.contains(spec.name) && indexes.value(spec.name) + 1 < values.size() &&
            isSeedControl(values[indexes.value(spec.name) + 1])) {
            if (seed)
                *seed = spec.name;
            return int(indexes.value(spec.name) + 1);
        }
    return -1;
}

struct LinkEnds
{
    std::int64_t id = 0, origin = 0, target = 0;
    int originSlot = 0, targetSlot = 0;
};

// A link in either shape: [id, origin, slot, target, slot, type] or an object with those fields.
inline std::optional<LinkEnds> endsOf(const Json &link)
{
    std::optional<std::int64_t> id, origin, originSlot, target, targetSlot;
    if (link.is_array() && link.size() >= 5) {
        id = integerOf(link[0]), origin = integerOf(link[1]), originSlot = integerOf(link[2]);
        target = integerOf(link[3]), targetSlot = integerOf(link[4]);
    } else if (link.is_object()) {
        id = integerOf(link.value("id", Json())), origin = integerOf(link.value("origin_id", Json()));
        originSlot = integerOf(link.value("origin_slot", Json()));
        target = integerOf(link.value("target_id", Json()));
        targetSlot = integerOf(link.value("target_slot", Json()));
    }
    if (!id || !origin || !originSlot || !target || !targetSlot)
        return std::nullopt;
    return LinkEnds{*id, *origin, *target, int(*originSlot), int(*targetSlot)};
}

inline const NodeDefinition *definitionOf(const NodeRegistry &registry, const Json &node)
{
    const NodeType *type = registry.find(typeOf(node));
    return type ? &type->definition() : nullptr;
}

} // namespace document_detail

using namespace document_detail;

// The document and how its shape spells the counters and links.
struct GraphDocument::Workflow
{
    Json json;
    bool v1 = false;

    Json &nodes() { return json["nodes"]; }
    Json &links()
    {
        if (!json["links"].is_array())
            json["links"] = Json::array();
        return json["links"];
    }

    // Nodes by id through an index of their positions, rebuilt when the list changed size or the document was
    // replaced (the canvas asks for every node after each edit; a scan each time is quadratic in large graphs).
    Json *node(std::int64_t id)
    {
        Json &list = nodes();
        if (!list.is_array())
            return nullptr;
        if (indexedSize != list.size()) {
            positions.clear();
            for (std::size_t at = 0; at < list.size(); ++at)
                if (list[at].is_object())
                    if (const auto held = integerOf(list[at].value("id", Json())))
                        positions.insert(*held, at);
            indexedSize = list.size();
        }
        const auto found = positions.constFind(id);
        return found == positions.constEnd() ? nullptr : &list[*found];
    }
    void nodesChanged() { indexedSize = std::size_t(-1); }
    void replace(Json document)
    {
        json = std::move(document);
        indexedSize = std::size_t(-1);
    }
    QHash<std::int64_t, std::size_t> positions;
    std::size_t indexedSize = std::size_t(-1);
    Json *node(const QString &id)
    {
        bool number = false;
        const std::int64_t value = id.toLongLong(&number);
        return number ? node(value) : nullptr;
    }

    // One above the largest id in use or ever counted, counted as the shape counts it.
    std::int64_t nextId(const char *counter04, const char *counterV1, const Json &items)
    {
        Json &counter = v1 ? json["state"][counterV1] : json[counter04];
        std::int64_t largest = integerOf(counter).value_or(0);
        for (const Json &item : items)
            if (item.is_object())
                largest = std::max(largest, integerOf(item.value("id", Json())).value_or(0));
            else if (const auto ends = endsOf(item))
                largest = std::max(largest, ends->id);
        counter = largest + 1;
        return largest + 1;
    }

    Json makeLink(const LinkEnds &ends, const QString &type) const
    {
        if (v1)
            return {{"id", ends.id},
                    {"origin_id", ends.origin},
                    {"origin_slot", ends.originSlot},
                    {"target_id", ends.target},
                    {"target_slot", ends.targetSlot},
                    {"type", type.toStdString()}};
        return Json::array({ends.id, ends.origin, ends.originSlot, ends.target, ends.targetSlot, type.toStdString()});
    }
};

} // namespace atelier::graph
