#include "core/graph/workflow_json.h"

#include <QStringList>

namespace atelier::graph::workflow_json {

const QStringList kSeedControls{QStringLiteral("fixed"), QStringLiteral("increment"), QStringLiteral("decrement"),
                                QStringLiteral("randomize")};

bool isSeedControl(const Json &value)
{
    return value.is_boolean() || (value.is_string() && kSeedControls.contains(stringOf(value)));
}

namespace {

std::optional<GraphValue> initialValue(const InputSpec &spec)
{
    if (spec.defaultValue)
        return spec.defaultValue;
    if (spec.type == kCombo && spec.optionsFrom.isEmpty() && !spec.options.isEmpty())
        return GraphValue::text(spec.options.front());
    return std::nullopt;
}

} // namespace

std::optional<std::int64_t> integerOf(const Json &value)
{
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    if (value.is_string()) {
        bool ok = false;
        const qint64 number = stringOf(value).toLongLong(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

QString stringOf(const Json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QString typeOf(const Json &node)
{
    return stringOf(node.value("type", Json()));
}

bool isEditorOnly(const QString &type)
{
    return type == QStringLiteral("Reroute") || type == QStringLiteral("PrimitiveNode") ||
           type == QStringLiteral("Note") || type == QStringLiteral("MarkdownNote");
}

NodeMode modeOf(const Json &node)
{
    const Json mode = node.value("mode", Json(0));
    const std::int64_t value = mode.is_number_integer() ? mode.get<std::int64_t>() : 0;
    return value == 2 ? NodeMode::Muted : value == 4 ? NodeMode::Bypassed : NodeMode::Active;
}

int modeNumber(NodeMode mode)
{
    return mode == NodeMode::Muted ? 2 : mode == NodeMode::Bypassed ? 4 : 0;
}

std::optional<QPointF> pointOf(const Json &pos)
{
    if (pos.is_array() && pos.size() >= 2 && pos[0].is_number() && pos[1].is_number())
        return QPointF(pos[0].get<double>(), pos[1].get<double>());
    if (pos.is_object() && pos.value("0", Json()).is_number() && pos.value("1", Json()).is_number())
        return QPointF(pos["0"].get<double>(), pos["1"].get<double>());
    return std::nullopt;
}

std::optional<QRectF> rectOf(const Json &bounding)
{
    if (!bounding.is_array() || bounding.size() < 4)
        return std::nullopt;
    for (std::size_t at = 0; at < 4; ++at)
        if (!bounding[at].is_number())
            return std::nullopt;
    return QRectF(bounding[0].get<double>(), bounding[1].get<double>(), bounding[2].get<double>(),
                  bounding[3].get<double>());
}

QHash<QString, std::size_t> widgetIndexes(const NodeDefinition &definition, const Json &values)
{
    QHash<QString, std::size_t> indexes;
    if (!values.is_array())
        return indexes;
    std::size_t next = 0;
    for (const InputSpec &spec : definition.inputs) {
        if (!isWidgetType(spec.type))
            continue;
        if (next >= values.size())
            break;
        indexes.insert(spec.name, next++);
        if (spec.controlAfterGenerate && next < values.size() && isSeedControl(values[next]))
            ++next;
    }
    return indexes;
}

Json defaultWidgetValues(const NodeDefinition &definition)
{
    Json values = Json::array();
    for (const InputSpec &spec : definition.inputs) {
        if (!isWidgetType(spec.type))
            continue;
        const std::optional<GraphValue> value = initialValue(spec);
        values.push_back(value ? Json::parse(value->jsonText().toStdString(), nullptr, false) : Json());
        if (spec.controlAfterGenerate)
            values.push_back("fixed");
    }
    return values;
}

std::optional<GraphValue> widgetValue(const InputSpec &spec, const Json &values,
                                      const QHash<QString, std::size_t> &indexes)
{
    if (values.is_array() && indexes.contains(spec.name))
        return GraphValue::fromJsonText(QByteArray::fromStdString(values[indexes.value(spec.name)].dump()));
    if (values.is_object() && values.contains(spec.name.toStdString()))
        return GraphValue::fromJsonText(QByteArray::fromStdString(values[spec.name.toStdString()].dump()));
    return std::nullopt;
}

} // namespace atelier::graph::workflow_json
