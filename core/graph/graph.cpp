#include "core/graph/graph.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace atelier::graph {

namespace {

using Json = nlohmann::json;

// Literals were parsed (and bounded) when the document was read, or made by the functions below.
Json parsed(const QByteArray &text)
{
    return Json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
}

GraphValue of(const Json &value)
{
    return GraphValue::fromJsonText(QByteArray::fromStdString(value.dump()));
}

} // namespace

GraphValue GraphValue::integer(std::int64_t value)
{
    return of(Json(value));
}

GraphValue GraphValue::unsignedInteger(std::uint64_t value)
{
    return of(Json(value));
}

GraphValue GraphValue::real(double value)
{
    return of(std::isfinite(value) ? Json(value) : Json());
}

GraphValue GraphValue::text(const QString &value)
{
    return of(Json(value.toStdString()));
}

GraphValue GraphValue::boolean(bool value)
{
    return of(Json(value));
}

bool GraphValue::isNull() const
{
    return parsed(m_json).is_null();
}

bool GraphValue::isNumber() const
{
    return parsed(m_json).is_number();
}

bool GraphValue::isInteger() const
{
    return parsed(m_json).is_number_integer();
}

bool GraphValue::isText() const
{
    return parsed(m_json).is_string();
}

bool GraphValue::isBoolean() const
{
    return parsed(m_json).is_boolean();
}

std::optional<std::int64_t> GraphValue::toInteger() const
{
    const Json value = parsed(m_json);
    if (value.is_number_unsigned()) {
        const auto number = value.get<std::uint64_t>();
        return number <= std::uint64_t(INT64_MAX) ? std::optional<std::int64_t>(std::int64_t(number)) : std::nullopt;
    }
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    if (value.is_number_float()) {
        const double number = value.get<double>();
        if (std::floor(number) == number && std::abs(number) < 9.0e15)
            return std::int64_t(number);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> GraphValue::toUnsigned() const
{
    const Json value = parsed(m_json);
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>();
    if (const std::optional<std::int64_t> number = toInteger(); number && *number >= 0)
        return std::uint64_t(*number);
    return std::nullopt;
}

std::optional<double> GraphValue::toReal() const
{
    const Json value = parsed(m_json);
    return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
}

std::optional<QString> GraphValue::toText() const
{
    const Json value = parsed(m_json);
    return value.is_string() ? std::optional<QString>(QString::fromStdString(value.get<std::string>())) : std::nullopt;
}

std::optional<bool> GraphValue::toBoolean() const
{
    const Json value = parsed(m_json);
    return value.is_boolean() ? std::optional<bool>(value.get<bool>()) : std::nullopt;
}

const NodeInput *GraphNode::input(const QString &name) const
{
    for (const NodeInput &candidate : inputs)
        if (candidate.name == name)
            return &candidate;
    return nullptr;
}

const GraphNode *Graph::node(const QString &id) const
{
    for (const GraphNode &candidate : nodes)
        if (candidate.id == id)
            return &candidate;
    return nullptr;
}

} // namespace atelier::graph
