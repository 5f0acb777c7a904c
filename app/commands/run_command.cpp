// `atelier run GRAPH` and `atelier nodes`: pipeline graphs from the command line, through the same validation,
// executor and node library as every other front end.
#include "app/command.h"
#include "app/graph_arguments.h"
#include "app/node_environment.h"

#include "core/graph/editor_workflow.h"
#include "core/graph/executor.h"
#include "core/graph/graph_sources.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/nodes/models_by_hash.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <csignal>

namespace atelier::app {

namespace {

std::atomic_bool g_cancelled{false};

void onInterrupt(int)
{
    g_cancelled = true;
}

// Progress and results as lines of text, or as ComfyUI-style JSON events (one object a line).
class CommandListener final : public graph::RunListener
{
public:
    CommandListener(CommandContext &context, bool json)
        : m_context(context)
        , m_json(json)
    {}
    void nodeCached(const graph::NodeRunReport &report) override
    {
        if (m_json)
            event(QStringLiteral("execution_cached"), {{QStringLiteral("node"), report.nodeId}});
        else
            m_context.err << "  " << report.nodeId << " " << report.classType << ": cached\n";
        m_context.err.flush();
    }
    void nodeStarted(const QString &nodeId, const QString &) override
    {
        if (m_json)
            event(QStringLiteral("executing"), {{QStringLiteral("node"), nodeId}});
    }
    void nodeProgress(const QString &nodeId, int value, int maximum, const std::function<engine::RgbImage()> &) override
    {
        if (m_json) {
            event(QStringLiteral("progress"),
                  {{QStringLiteral("node"), nodeId}, {QStringLiteral("value"), value}, {QStringLiteral("max"), maximum}});
            return;
        }
        m_context.err << "\r  " << nodeId << " " << value << "/" << maximum;
        if (value == maximum)
            m_context.err << "\n";
        m_context.err.flush();
    }
    void nodeExecuted(const graph::NodeRunReport &report, const graph::NodeOutputs &outputs) override
    {
        if (m_json) {
            QJsonArray images;
            for (const graph::OutputFile &file : outputs.files)
                images.append(QJsonObject{{QStringLiteral("filename"), file.filename},
                                          {QStringLiteral("subfolder"), file.subfolder},
                                          {QStringLiteral("type"), file.type}});
            event(QStringLiteral("executed"), {{QStringLiteral("node"), report.nodeId},
                                               {QStringLiteral("reason"), report.reason},
                                               {QStringLiteral("seconds"), report.seconds},
                                               {QStringLiteral("output"), QJsonObject{{QStringLiteral("images"), images}}}});
            return;
        }
        m_context.err << "  " << report.nodeId << " " << report.classType << ": "
                      << QString::number(report.seconds, 'f', 2) << " s (" << report.reason << ")\n";
        for (const QString &note : outputs.notes)
            m_context.err << "    " << note << "\n";
        for (const QString &warning : outputs.warnings)
            m_context.err << "    " << warning << "\n";
        m_context.err.flush();
    }
    void nodeFailed(const QString &nodeId, const QString &classType, const QString &errorType,
                    const QString &message) override
    {
        if (m_json)
            event(QStringLiteral("execution_error"), {{QStringLiteral("node_id"), nodeId},
                                                      {QStringLiteral("node_type"), classType},
                                                      {QStringLiteral("exception_type"), errorType},
                                                      {QStringLiteral("exception_message"), message}});
    }
    void event(const QString &type, const QJsonObject &data)
    {
        m_context.out << QJsonDocument(QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("data"), data}})
                             .toJson(QJsonDocument::Compact)
                      << "\n";
        m_context.out.flush();
    }

private:
    CommandContext &m_context;
    bool m_json;
};

} // namespace

int runRunCommand(CommandContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("GRAPH"),
        QStringLiteral("An API prompt, Atelier or ComfyUI editor workflow (JSON), or a PNG carrying one."));
    const QCommandLineOption set(QStringLiteral("set"), QStringLiteral("Set a node's input (repeatable)."),
                                 QStringLiteral("NODE.INPUT=VALUE"));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("Run only up to this node (repeatable); default: every output."),
                                    QStringLiteral("NODE"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Write images here instead of <root>/outputs."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print events and results as JSON lines."));
    const QCommandLineOption validateOnly(QStringLiteral("validate-only"),
                                          QStringLiteral("Only validate: print node_errors as JSON, exit 1 if invalid."));
    parser.addOptions({set, target, out, json, validateOnly});
    if (const int code = parseCommandArguments(parser, context, QStringLiteral("Run a pipeline graph.")); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier run: give one GRAPH\nTry 'atelier run --help'.\n";
        return kExitUsage;
    }
    models::RecordStore store(context.root.databasePath());
    (void)store.open(); // a library that cannot be opened fails the lookups that need it, with its reason
    const nodes::NodeEnvironment environment =
        app::nodeEnvironment(context.root, context.settings, store, parser.value(out));
    const auto registry = nodes::builtInNodes(environment);
    Result<graph::GraphSource> loaded = loadGraphFile(parser.positionalArguments().front(), *registry);
    if (!loaded) {
        context.err << "atelier run: " << loaded.error() << "\n";
        return kExitFailure;
    }
    for (const QString &warning : loaded->warnings)
        context.err << "atelier run: " << warning << "\n";
    for (const QString &found : nodes::resolveModelsByHash(loaded->graph, loaded->modelHashes, *registry, environment))
        context.err << "atelier run: " << found << "\n";
    for (const QString &setting : parser.values(set))
        if (const Status applied = applySetting(loaded->graph, setting); !applied) {
            context.err << "atelier run: " << applied.error() << "\n";
            return kExitUsage;
        }
    if (parser.isSet(validateOnly)) {
        const graph::Validation validation =
            graph::validate(graph::executableGraph(loaded->graph, *registry), *registry, parser.values(target));
        context.out << QJsonDocument(validation.toJson()).toJson(QJsonDocument::Indented);
        return validation.clean() ? kExitOk : kExitFailure;
    }

    graph::GraphExecutor executor(registry);
    const settings::Settings &preferences = context.settings.current();
    executor.setCacheLimits(graph::CacheLimits::of(preferences.outputCacheEntries, preferences.outputCacheGb));
    CommandListener listener(context, parser.isSet(json));
    graph::RunOptions options;
    options.targets = parser.values(target);
    // ComfyUI's canvas opens the images too: a graph that came without its canvas gets one laid out.
    options.editorWorkflow = loaded->editorWorkflow.isEmpty() ? graph::editorWorkflowFromGraph(loaded->graph, *registry)
                                                              : loaded->editorWorkflow;
    options.cancel = &g_cancelled;
    g_cancelled = false;
    const auto previous = std::signal(SIGINT, onInterrupt);
    const graph::RunOutcome outcome = executor.run(loaded->graph, options, &listener);
    std::signal(SIGINT, previous);

    if (!outcome.validation.nodeErrors.isEmpty()) {
        context.err << "atelier run: the graph has errors; the outputs they affect do not run:\n"
                    << QJsonDocument(outcome.validation.toJson()).toJson(QJsonDocument::Indented);
    }
    for (const QString &warning : outcome.warnings)
        context.err << "atelier run: " << warning << "\n";
    if (!outcome.ok()) {
        if (outcome.status == graph::RunOutcome::Status::Invalid)
            context.err << "atelier run: " << outcome.message << "\n";
        else
            context.err << "atelier run: node " << outcome.failedNode << ": " << outcome.errorType << ": "
                        << outcome.message << "\n";
        return kExitFailure;
    }
    if (!parser.isSet(json))
        for (const graph::OutputFile &file : outcome.files)
            context.out << file.path << "\n";
    return outcome.validation.nodeErrors.isEmpty() ? kExitOk : kExitFailure;
}

int runNodesCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the definitions as ComfyUI's /object_info does."));
    parser.addOption(json);
    if (const int code = parseCommandArguments(parser, context, QStringLiteral("List the node types graphs can use."));
        code >= 0)
        return code;
    models::RecordStore store(context.root.databasePath());
    (void)store.open();
    const auto registry = nodes::builtInNodes(app::nodeEnvironment(context.root, context.settings, store));
    if (parser.isSet(json)) {
        context.out << QJsonDocument(registry->objectInfo()).toJson(QJsonDocument::Indented);
        return kExitOk;
    }
    for (const graph::NodeType *type : registry->types()) {
        const graph::NodeDefinition &definition = type->definition();
        QStringList inputs, outputs;
        for (const graph::InputSpec &spec : definition.inputs)
            inputs.append(spec.name + QLatin1Char(':') + spec.type + (spec.optional ? QStringLiteral("?") : QString()));
        for (const graph::OutputSpec &output : definition.outputs)
            outputs.append(output.type);
        context.out << definition.type << "  [" << definition.category << "]\n    in:  " << inputs.join(QStringLiteral(", "))
                    << "\n    out: " << (outputs.isEmpty() ? QStringLiteral("(output node)") : outputs.join(QStringLiteral(", ")))
                    << "\n";
        if (!definition.unsupported.isEmpty())
            context.out << "    not runnable: " << definition.unsupported << "\n";
    }
    return kExitOk;
}

} // namespace atelier::app
