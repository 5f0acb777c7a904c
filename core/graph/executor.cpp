#include "core/graph/executor.h"

#include "core/engine/error.h"
#include "core/graph/api_prompt.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QMap>

#include <algorithm>
#include <exception>
#include <map>
#include <stdexcept>

namespace atelier::graph {

namespace {

struct CacheEntry
{
    NodeOutputs outputs;
    qint64 bytes = 0;
    quint64 lastUsed = 0;
};

// What a node was given the last time a node of its id ran, to say what changed.
struct LastInputs
{
    QString type;
    QMap<QString, QString> inputs; // literal JSON, or "node N output K" for a link
    QByteArray changeToken;
};

qint64 bytesOf(const NodeOutputs &outputs)
{
    qint64 bytes = 0;
    for (const engine::EngineValuePtr &value : outputs.values)
        if (value)
            bytes += value->ownBytes();
    return bytes;
}

QString shortened(const QString &text)
{
    return text.size() > 40 ? text.left(37) + QStringLiteral("...") : text;
}

class Context final : public NodeRunContext
{
public:
    Context(const QString &node, const RunOptions &options, RunListener *listener, QByteArray prompt)
        : m_node(node)
        , m_options(options)
        , m_listener(listener)
        , m_prompt(std::move(prompt))
    {}
    QString nodeId() const override { return m_node; }
    bool progress(int value, int maximum, const std::function<engine::RgbImage()> &preview) override
    {
        if (m_listener)
            m_listener->nodeProgress(m_node, value, maximum, preview);
        return !cancelled();
    }
    bool cancelled() const override { return m_options.cancel && m_options.cancel->load(); }
    QByteArray apiPrompt() const override { return m_prompt; }
    QByteArray editorWorkflow() const override { return m_options.editorWorkflow; }

private:
    QString m_node;
    const RunOptions &m_options;
    RunListener *m_listener;
    QByteArray m_prompt;
};

} // namespace

struct GraphExecutor::Cache
{
    CacheLimits limits;
    std::map<QByteArray, CacheEntry> entries;
    quint64 tick = 0;
    QHash<QString, LastInputs> lastInputs; // by node id

    qint64 bytes() const
    {
        qint64 total = 0;
        for (const auto &entry : entries)
            total += entry.second.bytes;
        return total;
    }

    // Least recently used first, never what the run just used (its tick is the newest).
    void trim()
    {
        while (!entries.empty() && (int(entries.size()) > limits.maxEntries || bytes() > limits.maxBytes)) {
            auto oldest = std::min_element(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
                return a.second.lastUsed < b.second.lastUsed;
            });
            if (oldest->second.lastUsed == tick && int(entries.size()) <= limits.maxEntries)
                break;
            entries.erase(oldest);
        }
    }
};

GraphExecutor::GraphExecutor(std::shared_ptr<const NodeRegistry> registry)
    : m_registry(std::move(registry))
    , m_cache(std::make_unique<Cache>())
{}

GraphExecutor::~GraphExecutor() = default;

void GraphExecutor::setCacheLimits(const CacheLimits &limits)
{
    m_cache->limits = limits;
    m_cache->trim();
}

void GraphExecutor::clearCache()
{
    m_cache->entries.clear();
}

int GraphExecutor::cachedEntries() const
{
    return int(m_cache->entries.size());
}

qint64 GraphExecutor::cachedBytes() const
{
    return m_cache->bytes();
}

namespace {

// Why a node that was not in the cache runs, from what its id had last time and what ran upstream this time.
QString whyItRuns(const GraphNode &node, const LastInputs *last, const LastInputs &now,
                  const QHash<QString, QString> &ranThisRun)
{
    if (!last)
        return QCoreApplication::translate("RunReason", "new node");
    if (last->type != now.type)
        return QCoreApplication::translate("RunReason", "node type changed (%1 -> %2)").arg(last->type, now.type);
    QStringList changes;
    for (auto it = now.inputs.cbegin(); it != now.inputs.cend(); ++it) {
        const QString before = last->inputs.value(it.key());
        if (!last->inputs.contains(it.key()))
            changes.append(QCoreApplication::translate("RunReason", "%1 added").arg(inputLabel(it.key())));
        else if (before != it.value())
            changes.append(QCoreApplication::translate("RunReason", "%1 changed (%2 -> %3)")
                               .arg(inputLabel(it.key()), shortened(before), shortened(it.value())));
    }
    for (auto it = last->inputs.cbegin(); it != last->inputs.cend(); ++it)
        if (!now.inputs.contains(it.key()))
            changes.append(QCoreApplication::translate("RunReason", "%1 removed").arg(inputLabel(it.key())));
    for (const NodeInput &input : node.inputs)
        if (input.link && ranThisRun.contains(input.link->node))
            changes.append(QCoreApplication::translate("RunReason", "upstream node %1 (%2) ran again")
                               .arg(input.link->node, ranThisRun.value(input.link->node)));
    if (last->changeToken != now.changeToken)
        changes.append(QCoreApplication::translate("RunReason", "its source changed on disk"));
    if (changes.isEmpty())
        return QCoreApplication::translate("RunReason", "not in the cache (evicted or cleared)");
    return changes.join(QStringLiteral("; "));
}

} // namespace

namespace {

// What a node gets when it runs, with its cache signature and what to remember for the next run's reasons.
struct PreparedNode
{
    NodeInputs inputs;
    LastInputs now;
    QByteArray key;
};

PreparedNode prepare(const GraphNode &node, const NodeType &type, const QHash<QString, QByteArray> &signatures,
                     const QHash<QString, const NodeOutputs *> &results)
{
    PreparedNode prepared;
    prepared.now.type = node.type;
    QCryptographicHash signature(QCryptographicHash::Sha256);
    signature.addData(node.type.toUtf8() + '\0');
    for (const InputSpec &spec : type.definition().inputs) {
        const NodeInput *given = node.input(spec.name);
        InputValue value;
        if (given && given->link) {
            const OutputRef &link = *given->link;
            const NodeOutputs *upstream = results.value(link.node);
            value.engine =
                upstream && link.output < upstream->values.size() ? upstream->values.at(link.output) : nullptr;
            signature.addData(spec.name.toUtf8() + "=@" + signatures.value(link.node) + ':' +
                              QByteArray::number(link.output) + '\0');
            prepared.now.inputs.insert(spec.name, QStringLiteral("node %1 output %2").arg(link.node).arg(link.output));
        } else if (given && given->value) {
            value.literal = given->value;
            signature.addData(spec.name.toUtf8() + '=' + given->value->jsonText() + '\0');
            prepared.now.inputs.insert(spec.name, QString::fromUtf8(given->value->jsonText()));
        } else if (spec.defaultValue) {
            value.literal = spec.defaultValue;
        } else {
            continue;
        }
        prepared.inputs.insert(spec.name, value);
    }
    prepared.now.changeToken = type.changeToken(prepared.inputs);
    signature.addData("#" + prepared.now.changeToken);
    prepared.key = signature.result();
    return prepared;
}

// A node's run, its exceptions turned into the failure they stand for.
struct NodeRun
{
    NodeOutputs outputs;
    std::optional<RunOutcome::Status> failure;
    QString errorType, message;
};

NodeRun runNode(const NodeType &type, const NodeInputs &inputs, NodeRunContext &context)
{
    NodeRun run;
    const auto failed = [&run](RunOutcome::Status status, const QString &errorType, const QString &message) {
        run.failure = status;
        run.errorType = errorType;
        run.message = message;
    };
    try {
        run.outputs = type.run(inputs, context);
    } catch (const engine::CancelledError &error) {
        failed(RunOutcome::Status::Interrupted, QString::fromUtf8(error.type()),
               QStringLiteral("the run was cancelled"));
    } catch (const engine::Error &error) {
        failed(RunOutcome::Status::Failed, QString::fromUtf8(error.type()), QString::fromUtf8(error.what()));
    } catch (const std::invalid_argument &error) {
        failed(RunOutcome::Status::Failed, QStringLiteral("ValueError"), QString::fromUtf8(error.what()));
    } catch (const std::bad_alloc &) {
        failed(RunOutcome::Status::Failed, QStringLiteral("OutOfMemoryError"), QStringLiteral("out of memory"));
    } catch (const std::exception &error) {
        failed(RunOutcome::Status::Failed, QStringLiteral("RuntimeError"), QString::fromUtf8(error.what()));
    }
    const int expected = int(type.definition().outputs.size());
    if (!run.failure && run.outputs.values.size() < expected)
        failed(RunOutcome::Status::Failed, QStringLiteral("RuntimeError"),
               QStringLiteral("%1 made %2 outputs, not %3")
                   .arg(type.definition().type)
                   .arg(run.outputs.values.size())
                   .arg(expected));
    return run;
}

} // namespace

RunOutcome GraphExecutor::run(const Graph &input, const RunOptions &options, RunListener *listener)
{
    RunOutcome outcome;
    const Graph graph = executableGraph(input, *m_registry);
    outcome.validation = validate(graph, *m_registry, options.targets);
    if (!outcome.validation.runnable()) {
        outcome.status = RunOutcome::Status::Invalid;
        outcome.errorType = outcome.validation.error->type;
        outcome.message = outcome.validation.error->message;
        return outcome;
    }
    const QByteArray prompt = writeApiPrompt(graph);
    Cache &cache = *m_cache;
    ++cache.tick;
    QHash<QString, QByteArray> signatures;
    QHash<QString, const NodeOutputs *> results;
    QHash<QString, QString> ranThisRun; // id -> type
    QHash<QString, const GraphNode *> byId;
    for (const GraphNode &node : graph.nodes)
        byId.insert(node.id, &node);

    for (const QString &id : outcome.validation.executionOrder) {
        if (options.cancel && options.cancel->load()) {
            outcome.status = RunOutcome::Status::Interrupted;
            outcome.message = QStringLiteral("the run was cancelled");
            return outcome;
        }
        const GraphNode &node = *byId.value(id);
        const NodeType &type = *m_registry->find(node.type);
        const PreparedNode prepared = prepare(node, type, signatures, results);
        signatures.insert(id, prepared.key.toHex());

        NodeRunReport report{id, node.type, false, {}, 0};
        if (const auto cached = cache.entries.find(prepared.key); cached != cache.entries.end()) {
            cached->second.lastUsed = cache.tick;
            results.insert(id, &cached->second.outputs);
            report.cached = true;
            report.reason = QCoreApplication::translate("RunReason", "cached: same inputs as an earlier run");
            outcome.files += cached->second.outputs.files;
            outcome.nodes.append(report);
            cache.lastInputs.insert(id, prepared.now);
            if (listener)
                listener->nodeCached(report);
            continue;
        }
        report.reason =
            whyItRuns(node, cache.lastInputs.contains(id) ? &cache.lastInputs[id] : nullptr, prepared.now, ranThisRun);
        if (listener)
            listener->nodeStarted(id, node.type);
        Context context(id, options, listener, prompt);
        QElapsedTimer timer;
        timer.start();
        const NodeRun ran = runNode(type, prepared.inputs, context);
        if (ran.failure) {
            outcome.status = *ran.failure;
            outcome.failedNode = id;
            outcome.errorType = ran.errorType;
            outcome.message = ran.message;
            if (listener)
                listener->nodeFailed(id, node.type, ran.errorType, ran.message);
            return outcome;
        }
        report.seconds = double(timer.nsecsElapsed()) / 1e9;
        outcome.files += ran.outputs.files;
        outcome.warnings += ran.outputs.warnings;
        CacheEntry &entry = cache.entries[prepared.key];
        entry.outputs = ran.outputs;
        entry.bytes = bytesOf(ran.outputs);
        entry.lastUsed = cache.tick;
        results.insert(id, &entry.outputs);
        ranThisRun.insert(id, node.type);
        cache.lastInputs.insert(id, prepared.now);
        outcome.nodes.append(report);
        if (listener)
            listener->nodeExecuted(report, ran.outputs);
    }
    cache.trim();
    return outcome;
}

} // namespace atelier::graph
