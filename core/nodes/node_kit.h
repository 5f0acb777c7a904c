#pragma once

// What the built-in node files share: short ways to state inputs and outputs, a node type made of a definition
// and functions, and the bridge from node inputs to engine operations.
#include "core/engine/ops/op_call.h"
#include "core/graph/node_type.h"
#include "core/nodes/node_environment.h"

#include <functional>
#include <memory>

namespace atelier::nodes::kit {

graph::InputSpec link(const QString &name, const QString &type, bool optional = false);
graph::InputSpec integer(const QString &name, qint64 defaultValue, double minimum, double maximum, double step = 1);
graph::InputSpec real(const QString &name, double defaultValue, double minimum, double maximum, double step);
graph::InputSpec text(const QString &name, const QString &defaultValue, bool multiline = false);
graph::InputSpec combo(const QString &name, const QStringList &options);
graph::InputSpec libraryCombo(const QString &name, const QString &optionsFrom);
graph::InputSpec seed(const QString &name);
graph::OutputSpec output(const QString &type, const QString &name = {});

using RunFunction = std::function<graph::NodeOutputs(const graph::NodeInputs &, graph::NodeRunContext &)>;

// ComfyUI's display name for a built-in type (its NODE_DISPLAY_NAME_MAPPINGS), or the type itself.
QString comfyDisplayName(const QString &type);

class FunctionNode final : public graph::NodeType
{
public:
    // A definition without a display name gets ComfyUI's for its type, so that the canvas and /object_info read
    // as ComfyUI's do ("Empty Latent Image", "VAE Decode").
    FunctionNode(graph::NodeDefinition definition, RunFunction run)
        : m_definition(std::move(definition))
        , m_run(std::move(run))
    {
        if (m_definition.displayName.isEmpty())
            m_definition.displayName = comfyDisplayName(m_definition.type);
    }
    const graph::NodeDefinition &definition() const override { return m_definition; }
    graph::NodeOutputs run(const graph::NodeInputs &inputs, graph::NodeRunContext &context) const override;
    QByteArray changeToken(const graph::NodeInputs &inputs) const override
    {
        return changes ? changes(inputs) : QByteArray();
    }
    std::optional<Problem> checkValue(const QString &input, const graph::GraphValue &value) const override
    {
        return check ? check(input, value) : std::nullopt;
    }

    std::function<QByteArray(const graph::NodeInputs &)> changes;
    std::function<std::optional<Problem>(const QString &, const graph::GraphValue &)> check;

private:
    graph::NodeDefinition m_definition;
    RunFunction m_run;
};

// An input as an engine argument: a linked value as its handle, a literal as a number, text or truth value.
engine::OpArgument argument(const graph::NodeInputs &inputs, const QString &name);
QString textOf(const graph::NodeInputs &inputs, const QString &name);

// Runs an engine operation, its sampler steps reported as the node's progress.
engine::OpResult runOp(const engine::OpCall &call, graph::NodeRunContext &context);
graph::NodeOutputs outputsOf(const engine::OpResult &result);

// A node that is one engine operation: `arguments` maps its inputs to the operation's (name on the node, name of
// the argument), literal extras are added by `extra`, and `complete` adds the arguments that are worked out from
// several inputs or spelled otherwise ("enable" for true).
using CompleteCall = std::function<void(const graph::NodeInputs &, engine::OpCall &)>;
std::shared_ptr<graph::NodeType> opNode(graph::NodeDefinition definition, std::string op,
                                        QList<QPair<QString, std::string>> arguments,
                                        std::map<std::string, engine::OpArgument> extra = {},
                                        CompleteCall complete = {});

// The path, config and prediction type of the main model a loader names (a library key, name or file name, or a
// path; ComfyUI's folder-prefixed names by their file name).
Result<engine::GenerationRequest> resolveCheckpoint(const NodeEnvironment &environment, const QString &name);
// The file of the LoRA a loader names (a library key, name or file name, or a path).
Result<QString> resolveLoraFile(const NodeEnvironment &environment, const QString &name);
// A library-backed combo's problem: the name does not resolve.
std::optional<graph::NodeType::Problem> notFound(const QString &input, const QString &name, const QString &why);

// Each file's node types.
void addModelNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment);
void addSamplingNodes(graph::NodeRegistry &registry);
void addImageNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment);
void addAmusedNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment);
void addEditorNodes(graph::NodeRegistry &registry);

} // namespace atelier::nodes::kit
