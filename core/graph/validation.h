#pragma once

// Checking a graph before anything runs, with ComfyUI's error shapes: for each node at fault,
// node_errors[id] = {errors: [{type, message, details, extra_info}], dependent_outputs, class_type}. Outputs whose
// branch is valid still run. Iterative throughout: a 10,000-node chain or a cycle costs no stack and never hangs.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace atelier::graph {

struct ValidationError
{
    QString type; // required_input_missing, bad_linked_input, return_type_mismatch, invalid_input_type,
                  // value_smaller_than_min, value_bigger_than_max, value_not_in_list, missing_node_type,
                  // unsupported_node, dependency_cycle
    QString message;
    QString details;
    QJsonObject extraInfo;
};

struct NodeErrors
{
    QString nodeId;
    QString classType;
    QList<ValidationError> errors;
    QStringList dependentOutputs; // the output nodes that cannot run because of this one
};

struct Validation
{
    // Empty when at least one output is valid; else prompt_no_outputs or prompt_outputs_failed_validation.
    std::optional<ValidationError> error;
    QList<NodeErrors> nodeErrors; // in graph order
    QStringList validOutputs;     // output (or target) nodes that can run
    // The nodes the valid outputs need, each after everything it needs.
    QStringList executionOrder;

    bool runnable() const { return !error.has_value(); }
    bool clean() const { return !error && nodeErrors.isEmpty(); }
    const NodeErrors *errorsOf(const QString &nodeId) const;
    // {"error": {...}, "node_errors": {...}} as ComfyUI's /prompt answers (error null when runnable).
    QJsonObject toJson() const;
};

// The graph as it runs: muted nodes removed (links to them dropped), bypassed nodes replaced by links from their
// inputs of the same type (the input at the same index first, then the first of the type), as ComfyUI's editor
// does before it sends a prompt.
Graph executableGraph(const Graph &graph, const NodeRegistry &registry);

// Validates what `targets` need (node ids; empty: every output node of the graph) in `graph` as given (a graph with
// muted or bypassed nodes goes through executableGraph first).
Validation validate(const Graph &graph, const NodeRegistry &registry, const QStringList &targets = {});

} // namespace atelier::graph
