// How the canvas is arranged and how its nodes look: collapse, colours and groups. None of it changes what runs.
#include "core/graph/document_workflow.h"

namespace atelier::graph {

namespace {

Json boundingOf(const QRectF &bounds)
{
    return Json::array({bounds.x(), bounds.y(), bounds.width(), bounds.height()});
}

// The group at `index`, without adding a "groups" field to a workflow that has none.
Json *groupAt(Json &document, int index)
{
    const auto groups = document.find("groups");
    if (groups == document.end() || !groups->is_array() || index < 0 || std::size_t(index) >= groups->size() ||
        !(*groups)[std::size_t(index)].is_object())
        return nullptr;
    return &(*groups)[std::size_t(index)];
}

} // namespace

bool GraphDocument::setCollapsed(const QString &nodeId, bool collapsed)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    Json &flags = (*node)["flags"];
    if (!flags.is_object())
        flags = Json::object();
    if (collapsed)
        flags["collapsed"] = true;
    else
        flags.erase("collapsed");
    emit nodeChanged(nodeId);
    edited();
    return true;
}

bool GraphDocument::setColor(const QString &nodeId, const QString &color, const QString &bgcolor)
{
    Json *node = m_workflow->node(nodeId);
    if (!node)
        return false;
    const auto set = [&](const char *field, const QString &value) {
        if (value.isEmpty())
            node->erase(field);
        else
            (*node)[field] = value.toStdString();
    };
    set("color", color);
    set("bgcolor", bgcolor);
    emit nodeChanged(nodeId);
    edited();
    return true;
}

std::optional<QRectF> GraphDocument::nodeBounds(const QString &nodeId) const
{
    const Json *node = m_workflow->node(nodeId);
    if (!node)
        return std::nullopt;
    const QPointF position = pointOf(node->value("pos", Json())).value_or(QPointF());
    const QPointF size = pointOf(node->value("size", Json())).value_or(QPointF(300, 130));
    return QRectF(position, QSizeF(size.x(), size.y()));
}

int GraphDocument::addGroup(const QString &title, const QRectF &bounds)
{
    Json &groups = m_workflow->json["groups"];
    if (!groups.is_array())
        groups = Json::array();
    Json group = {
        {"title", title.toStdString()}, {"bounding", boundingOf(bounds)}, {"color", "#3f789e"}, {"font_size", 24}};
    if (m_workflow->v1) {
        Json &last = m_workflow->json["state"]["lastGroupId"];
        const std::int64_t id = integerOf(last).value_or(0) + 1;
        last = id;
        group["id"] = id;
        group["flags"] = Json::object();
    }
    groups.push_back(std::move(group));
    emit groupsChanged();
    edited();
    return int(groups.size()) - 1;
}

bool GraphDocument::removeGroup(int index)
{
    if (!groupAt(m_workflow->json, index))
        return false;
    Json &groups = m_workflow->json["groups"];
    groups.erase(groups.begin() + index);
    emit groupsChanged();
    edited();
    return true;
}

QStringList GraphDocument::nodesInGroup(int index) const
{
    const Json *group = groupAt(m_workflow->json, index);
    const std::optional<QRectF> box = group ? rectOf(group->value("bounding", Json())) : std::nullopt;
    if (!box)
        return {};
    QStringList inside;
    for (const QString &id : nodeIds())
        if (const std::optional<QRectF> bounds = nodeBounds(id); bounds && box->contains(bounds->center()))
            inside.append(id);
    return inside;
}

bool GraphDocument::moveGroup(int index, QPointF by)
{
    Json *group = groupAt(m_workflow->json, index);
    const std::optional<QRectF> box = group ? rectOf(group->value("bounding", Json())) : std::nullopt;
    if (!box)
        return false;
    const QStringList inside = nodesInGroup(index);
    (*group)["bounding"] = boundingOf(box->translated(by));
    for (const QString &id : inside)
        if (const std::optional<QRectF> bounds = nodeBounds(id)) {
            (*m_workflow->node(id))["pos"] = Json::array({bounds->x() + by.x(), bounds->y() + by.y()});
            emit nodeMoved(id, bounds->topLeft() + by);
        }
    emit groupsChanged();
    edited();
    return true;
}

bool GraphDocument::setGroupBounds(int index, const QRectF &bounds)
{
    Json *group = groupAt(m_workflow->json, index);
    if (!group || !bounds.isValid())
        return false;
    (*group)["bounding"] = boundingOf(bounds);
    emit groupsChanged();
    edited();
    return true;
}

bool GraphDocument::setGroupText(int index, const char *field, const QString &value)
{
    Json *group = groupAt(m_workflow->json, index);
    if (!group)
        return false;
    (*group)[field] = value.toStdString();
    emit groupsChanged();
    edited();
    return true;
}

bool GraphDocument::setGroupTitle(int index, const QString &title)
{
    return setGroupText(index, "title", title);
}

bool GraphDocument::setGroupColor(int index, const QString &color)
{
    return setGroupText(index, "color", color);
}

} // namespace atelier::graph
