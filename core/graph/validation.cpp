#include "core/graph/validation.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <cmath>

namespace atelier::graph {

const NodeErrors *Validation::errorsOf(const QString &nodeId) const
{
    for (const NodeErrors &errors : nodeErrors)
        if (errors.nodeId == nodeId)
            return &errors;
    return nullptr;
}

namespace {

QJsonObject errorJson(const ValidationError &error)
{
    return {{QStringLiteral("type"), error.type},
            {QStringLiteral("message"), error.message},
            {QStringLiteral("details"), error.details},
            {QStringLiteral("extra_info"), error.extraInfo}};
}

using NodeIndex = QHash<QString, const GraphNode *>;

NodeIndex indexOf(const Graph &graph)
{
    NodeIndex index;
    index.reserve(graph.nodes.size());
    for (const GraphNode &node : graph.nodes)
        index.insert(node.id, &node);
    return index;
}

// The type of output `link.output` of the node it names, or empty when there is none.
QString outputType(const NodeIndex &nodes, const NodeRegistry &registry, const OutputRef &link)
{
    const GraphNode *source = nodes.value(link.node);
    const NodeType *type = source ? registry.find(source->type) : nullptr;
    if (!type || link.output < 0 || link.output >= type->definition().outputs.size())
        return {};
    return type->definition().outputs.at(link.output).type;
}

QString numberText(double value)
{
    return QString::number(value, 'g', 17);
}

// A literal against its input's definition.
std::optional<ValidationError> checkLiteral(const InputSpec &spec, const GraphValue &value, const NodeType &type)
{
    const QJsonObject info{{QStringLiteral("input_name"), spec.name},
                           {QStringLiteral("received_value"), QString::fromUtf8(value.jsonText().left(200))}};
    const auto invalid = [&](const QString &what) {
        return ValidationError{QStringLiteral("invalid_input_type"),
                               QStringLiteral("Failed to convert an input value to a %1 value").arg(what),
                               QStringLiteral("%1, %2").arg(spec.name, QString::fromUtf8(value.jsonText().left(200))),
                               info};
    };
    if (spec.type == kInt || spec.type == kFloat) {
        const std::optional<double> number = value.toReal();
        if (!number || !std::isfinite(*number) || (spec.type == kInt && !value.toInteger() && !value.toUnsigned()))
            return invalid(spec.type);
        if (spec.minimum && *number < *spec.minimum)
            return ValidationError{QStringLiteral("value_smaller_than_min"),
                                   QStringLiteral("Value %1 smaller than min of %2")
                                       .arg(numberText(*number), numberText(*spec.minimum)),
                                   spec.name, info};
        if (spec.maximum && *number > *spec.maximum)
            return ValidationError{QStringLiteral("value_bigger_than_max"),
                                   QStringLiteral("Value %1 bigger than max of %2")
                                       .arg(numberText(*number), numberText(*spec.maximum)),
                                   spec.name, info};
    } else if (spec.type == kString) {
        if (!value.isText())
            return invalid(kString);
    } else if (spec.type == kBoolean) {
        if (!value.isBoolean())
            return invalid(kBoolean);
    } else if (spec.type == kCombo) {
        if (!value.isText())
            return invalid(kCombo);
        if (spec.optionsFrom.isEmpty() && !spec.options.contains(*value.toText())) {
            QJsonObject extra = info;
            extra.insert(QStringLiteral("input_config"), QJsonArray::fromStringList(spec.options));
            return ValidationError{QStringLiteral("value_not_in_list"), QStringLiteral("Value not in list"),
                                   QStringLiteral("%1: '%2' not in %3")
                                       .arg(spec.name, *value.toText(),
                                            QStringLiteral("[") + spec.options.join(QStringLiteral(", ")) + "]"),
                                   extra};
        }
    } else {
        return ValidationError{QStringLiteral("invalid_input_type"),
                               QStringLiteral("Input needs a link from a %1 output, not a value").arg(spec.type),
                               spec.name, info};
    }
    if (const auto problem = type.checkValue(spec.name, value))
        return ValidationError{problem->type, problem->message, problem->details, info};
    return std::nullopt;
}

// The node's own faults, not counting those of the nodes it needs.
QList<ValidationError> checkNode(const NodeIndex &nodes, const NodeRegistry &registry, const GraphNode &node)
{
    QList<ValidationError> errors;
    const NodeType *type = registry.find(node.type);
    if (!type) {
        QJsonObject extra{{QStringLiteral("class_type"), node.type}};
        QString details = node.type;
        if (!node.package.isEmpty()) {
            extra.insert(QStringLiteral("package"), node.package);
            details += QStringLiteral(" (from the node package %1)").arg(node.package);
        }
        errors.append({QStringLiteral("missing_node_type"),
                       QStringLiteral("Node type %1 is not known to Atelier").arg(node.type), details, extra});
        return errors;
    }
    const NodeDefinition &definition = type->definition();
    if (!definition.unsupported.isEmpty()) { // one clear reason; its inputs do not matter while it cannot run
        errors.append({QStringLiteral("unsupported_node"), definition.unsupported, node.type, {}});
        return errors;
    }
    for (const InputSpec &spec : definition.inputs) {
        const NodeInput *input = node.input(spec.name);
        if (!input || (!input->link && !input->value)) {
            if (!spec.optional)
                errors.append({QStringLiteral("required_input_missing"), QStringLiteral("Required input is missing"),
                               spec.name, {{QStringLiteral("input_name"), spec.name}}});
            continue;
        }
        if (input->link) {
            const OutputRef &link = *input->link;
            QJsonObject extra{{QStringLiteral("input_name"), spec.name},
                              {QStringLiteral("linked_node"), QJsonArray{link.node, link.output}}};
            if (link.node == node.id) {
                errors.append({QStringLiteral("bad_linked_input"), QStringLiteral("Input is linked to its own node"),
                               spec.name, extra});
                continue;
            }
            const GraphNode *source = nodes.value(link.node);
            if (!source) {
                errors.append({QStringLiteral("bad_linked_input"),
                               QStringLiteral("Input is linked to node %1, which is not in the graph").arg(link.node),
                               spec.name, extra});
                continue;
            }
            if (!registry.find(source->type))
                continue; // reported on that node
            const QString received = outputType(nodes, registry, link);
            if (received.isEmpty()) {
                errors.append({QStringLiteral("bad_linked_input"),
                               QStringLiteral("Input is linked to output %1 of node %2, which has no such output")
                                   .arg(link.output)
                                   .arg(link.node),
                               spec.name, extra});
                continue;
            }
            const bool comboFromText = spec.type == kCombo && received == kString;
            if (received != spec.type && received != QStringLiteral("*") && !comboFromText) {
                extra.insert(QStringLiteral("input_type"), spec.type);
                extra.insert(QStringLiteral("received_type"), received);
                errors.append({QStringLiteral("return_type_mismatch"),
                               QStringLiteral("Return type mismatch between linked nodes"),
                               QStringLiteral("%1, received_type(%2) mismatch input_type(%3)")
                                   .arg(spec.name, received, spec.type),
                               extra});
            }
            continue;
        }
        if (const auto error = checkLiteral(spec, *input->value, *type))
            errors.append(*error);
    }
    return errors;
}

} // namespace

QJsonObject Validation::toJson() const
{
    QJsonObject errors;
    for (const NodeErrors &node : nodeErrors) {
        QJsonArray list;
        for (const ValidationError &error : node.errors)
            list.append(errorJson(error));
        errors.insert(node.nodeId, QJsonObject{{QStringLiteral("errors"), list},
                                               {QStringLiteral("dependent_outputs"),
                                                QJsonArray::fromStringList(node.dependentOutputs)},
                                               {QStringLiteral("class_type"), node.classType}});
    }
    return {{QStringLiteral("error"), error ? QJsonValue(errorJson(*error)) : QJsonValue()},
            {QStringLiteral("node_errors"), errors}};
}

namespace {

// `starts` and every node they need, through links, without recursion.
QSet<QString> upstreamOf(const NodeIndex &nodes, QStringList starts)
{
    QSet<QString> found;
    while (!starts.isEmpty()) {
        const QString id = starts.takeLast();
        const GraphNode *node = nodes.value(id);
        if (found.contains(id) || !node)
            continue;
        found.insert(id);
        for (const NodeInput &input : node->inputs)
            if (input.link && !found.contains(input.link->node))
                starts.append(input.link->node);
    }
    return found;
}

// The nodes of `needed`, each after the nodes it needs (Kahn's); those left out are in or behind a cycle.
QStringList dependencyOrder(const Graph &graph, const QSet<QString> &needed)
{
    QHash<QString, int> waiting;
    QHash<QString, QStringList> consumers;
    for (const GraphNode &node : graph.nodes) {
        if (!needed.contains(node.id))
            continue;
        QSet<QString> sources;
        for (const NodeInput &input : node.inputs)
            if (input.link && input.link->node != node.id && needed.contains(input.link->node))
                sources.insert(input.link->node);
        waiting.insert(node.id, int(sources.size()));
        for (const QString &source : sources)
            consumers[source].append(node.id);
    }
    QStringList order;
    for (const GraphNode &node : graph.nodes)
        if (needed.contains(node.id) && waiting.value(node.id) == 0)
            order.append(node.id);
    for (int i = 0; i < order.size(); ++i)
        for (const QString &consumer : consumers.value(order.at(i)))
            if (--waiting[consumer] == 0)
                order.append(consumer);
    return order;
}

QStringList outputNodes(const Graph &graph, const NodeRegistry &registry)
{
    QStringList outputs;
    for (const GraphNode &node : graph.nodes)
        if (const NodeType *type = registry.find(node.type); type && type->definition().outputNode)
            outputs.append(node.id);
    return outputs;
}

} // namespace

Validation validate(const Graph &graph, const NodeRegistry &registry, const QStringList &targets)
{
    Validation result;
    const QStringList outputs = targets.isEmpty() ? outputNodes(graph, registry) : targets;
    if (outputs.isEmpty()) {
        result.error =
            ValidationError{QStringLiteral("prompt_no_outputs"), QStringLiteral("Prompt has no outputs"), {}, {}};
        return result;
    }
    const NodeIndex nodes = indexOf(graph);
    for (const QString &output : outputs)
        if (!nodes.contains(output)) {
            result.error = ValidationError{
                QStringLiteral("invalid_prompt"), QStringLiteral("Node %1 is not in the graph").arg(output), {}, {}};
            return result;
        }

    // Each needed node's own faults; then those in or behind a cycle.
    const QSet<QString> needed = upstreamOf(nodes, outputs);
    QHash<QString, QList<ValidationError>> faults;
    for (const GraphNode &node : graph.nodes)
        if (needed.contains(node.id))
            if (QList<ValidationError> errors = checkNode(nodes, registry, node); !errors.isEmpty())
                faults.insert(node.id, errors);
    const QStringList order = dependencyOrder(graph, needed);
    const QSet<QString> ordered(order.cbegin(), order.cend());
    for (const GraphNode &node : graph.nodes)
        if (needed.contains(node.id) && !ordered.contains(node.id) && !faults.contains(node.id))
            faults[node.id].append({QStringLiteral("dependency_cycle"),
                                    QStringLiteral("The node is part of a cycle, or needs one"), node.type, {}});

    // A node is valid when it and everything it needs is; an invalid output depends on every fault behind it.
    QSet<QString> invalid(faults.keyBegin(), faults.keyEnd());
    for (const QString &id : order)
        for (const NodeInput &input : nodes.value(id)->inputs)
            if (input.link && invalid.contains(input.link->node))
                invalid.insert(id);
    QHash<QString, QStringList> dependents;
    for (const QString &output : outputs) {
        if (!invalid.contains(output)) {
            result.validOutputs.append(output);
            continue;
        }
        for (const QString &id : upstreamOf(nodes, {output}))
            if (faults.contains(id))
                dependents[id].append(output);
    }
    for (const GraphNode &node : graph.nodes)
        if (faults.contains(node.id))
            result.nodeErrors.append({node.id, node.type, faults.value(node.id), dependents.value(node.id)});

    if (result.validOutputs.isEmpty()) {
        result.error = ValidationError{QStringLiteral("prompt_outputs_failed_validation"),
                                       QStringLiteral("Prompt outputs failed validation"), {}, {}};
        return result;
    }
    const QSet<QString> runs = upstreamOf(nodes, result.validOutputs);
    for (const QString &id : order)
        if (runs.contains(id))
            result.executionOrder.append(id);
    return result;
}

Graph executableGraph(const Graph &graph, const NodeRegistry &registry)
{
    const NodeIndex byId = indexOf(graph);
    // Where a link to a bypassed or muted node leads instead; followed through chains of bypassed nodes.
    const auto redirect = [&](OutputRef link) -> std::optional<OutputRef> {
        for (int hops = 0; hops <= graph.nodes.size(); ++hops) {
            const GraphNode *source = byId.value(link.node);
            if (!source || source->mode == NodeMode::Active)
                return link;
            if (source->mode == NodeMode::Muted)
                return std::nullopt;
            const QString wanted = outputType(byId, registry, link);
            const NodeType *type = registry.find(source->type);
            std::optional<OutputRef> through;
            for (int pass = 0; pass < 2 && !through && type; ++pass)
                for (int i = 0; i < source->inputs.size() && !through; ++i) {
                    const NodeInput &input = source->inputs.at(i);
                    const InputSpec *spec = type->definition().input(input.name);
                    if (input.link && spec && spec->type == wanted && (pass == 1 || i == link.output))
                        through = input.link;
                }
            if (!through)
                return std::nullopt;
            link = *through;
        }
        return std::nullopt; // a cycle of bypassed nodes
    };
    Graph result;
    for (const GraphNode &node : graph.nodes) {
        if (node.mode != NodeMode::Active)
            continue;
        GraphNode copy = node;
        QList<NodeInput> inputs;
        for (NodeInput input : node.inputs) {
            if (input.link) {
                input.link = redirect(*input.link);
                if (!input.link)
                    continue;
            }
            inputs.append(input);
        }
        copy.inputs = inputs;
        result.nodes.append(copy);
    }
    return result;
}

} // namespace atelier::graph
