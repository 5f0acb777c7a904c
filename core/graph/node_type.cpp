#include "core/graph/node_type.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace atelier::graph {

bool typesConnect(const QString &produced, const QString &wanted)
{
    if (produced == QStringLiteral("*") || wanted == QStringLiteral("*") || (wanted == kCombo && produced == kString))
        return true;
    const QStringList offered = produced.split(QLatin1Char(','));
    for (const QString &type : wanted.split(QLatin1Char(',')))
        if (offered.contains(type))
            return true;
    return false;
}

bool isWidgetType(const QString &type)
{
    return type == kInt || type == kFloat || type == kString || type == kBoolean || type == kCombo;
}

QString inputLabel(const QString &name)
{
    return name.isEmpty() ? name : QCoreApplication::translate("NodeInput", name.toUtf8().constData());
}

const InputSpec *NodeDefinition::input(const QString &name) const
{
    for (const InputSpec &spec : inputs)
        if (spec.name == name)
            return &spec;
    return nullptr;
}

namespace {

QJsonValue jsonOf(const GraphValue &value)
{
    // Wrapped in an array so that scalars parse; exact 64-bit seeds become doubles here, as JSON readers take them.
    const QJsonDocument document = QJsonDocument::fromJson("[" + value.jsonText() + "]");
    return document.isArray() ? document.array().at(0) : QJsonValue();
}

QJsonArray inputEntry(const InputSpec &spec, const std::function<QStringList(const QString &)> &listOptions)
{
    QJsonObject options;
    if (spec.defaultValue)
        options.insert(QStringLiteral("default"), jsonOf(*spec.defaultValue));
    if (spec.minimum)
        options.insert(QStringLiteral("min"), *spec.minimum);
    if (spec.maximum)
        options.insert(QStringLiteral("max"), *spec.maximum);
    if (spec.step)
        options.insert(QStringLiteral("step"), *spec.step);
    if (spec.multiline)
        options.insert(QStringLiteral("multiline"), true);
    if (spec.controlAfterGenerate)
        options.insert(QStringLiteral("control_after_generate"), true);
    if (spec.imageUpload)
        options.insert(QStringLiteral("image_upload"), true);
    if (!spec.tooltip.isEmpty())
        options.insert(QStringLiteral("tooltip"), spec.tooltip);
    if (spec.type == kCombo) {
        const QStringList choices =
            spec.optionsFrom.isEmpty() || !listOptions ? spec.options : listOptions(spec.optionsFrom);
        return QJsonArray{QJsonArray::fromStringList(choices), options};
    }
    if (options.isEmpty())
        return QJsonArray{spec.type};
    return QJsonArray{spec.type, options};
}

} // namespace

QJsonObject objectInfo(const NodeDefinition &definition,
                       const std::function<QStringList(const QString &optionsFrom)> &listOptions)
{
    QJsonObject required, optional;
    QJsonArray requiredOrder, optionalOrder;
    for (const InputSpec &spec : definition.inputs) {
        (spec.optional ? optional : required).insert(spec.name, inputEntry(spec, listOptions));
        (spec.optional ? optionalOrder : requiredOrder).append(spec.name);
    }
    QJsonObject input{{QStringLiteral("required"), required}};
    QJsonObject order{{QStringLiteral("required"), requiredOrder}};
    if (!optional.isEmpty()) {
        input.insert(QStringLiteral("optional"), optional);
        order.insert(QStringLiteral("optional"), optionalOrder);
    }
    QJsonArray outputs, names, lists;
    for (const OutputSpec &output : definition.outputs) {
        outputs.append(output.type);
        names.append(output.name.isEmpty() ? output.type : output.name);
        lists.append(output.isList);
    }
    QJsonObject info{
        {QStringLiteral("input"), input},
        {QStringLiteral("input_order"), order},
        {QStringLiteral("output"), outputs},
        {QStringLiteral("output_is_list"), lists},
        {QStringLiteral("output_name"), names},
        {QStringLiteral("name"), definition.type},
        {QStringLiteral("display_name"), definition.displayName.isEmpty() ? definition.type : definition.displayName},
        {QStringLiteral("description"), definition.description},
        {QStringLiteral("python_module"), QStringLiteral("nodes")},
        {QStringLiteral("category"), definition.category},
        {QStringLiteral("output_node"), definition.outputNode},
    };
    if (!definition.unsupported.isEmpty())
        info.insert(QStringLiteral("atelier_unsupported"), definition.unsupported);
    return info;
}

void NodeRegistry::add(std::shared_ptr<const NodeType> type)
{
    const QString name = type->definition().type;
    m_types.insert(name, std::move(type));
}

const NodeType *NodeRegistry::find(const QString &classType) const
{
    const auto found = m_types.constFind(classType);
    return found == m_types.constEnd() ? nullptr : found->get();
}

QList<const NodeType *> NodeRegistry::types() const
{
    QList<const NodeType *> types;
    for (const auto &type : m_types)
        types.append(type.get());
    std::sort(types.begin(), types.end(), [](const NodeType *a, const NodeType *b) {
        return a->definition().type < b->definition().type;
    });
    return types;
}

QJsonObject NodeRegistry::objectInfo() const
{
    QJsonObject all;
    for (const NodeType *type : types())
        all.insert(type->definition().type,
                   graph::objectInfo(type->definition(), [this](const QString &from) { return options(from); }));
    return all;
}

} // namespace atelier::graph
