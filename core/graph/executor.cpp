#include "core/graph/executor.h"

#include "core/engine/error.h"
#include "core/graph/api_prompt.h"

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
        return QStringLiteral("new node");
    if (last->type != now.type)
        return QStringLiteral("node type changed (%1 -> %2)").arg(last->type, now.type);
    QStringList changes;
    for (auto it = now.inputs.cbegin(); it != now.inputs.cend(); ++it) {
        const QString before = last->inputs.value(it.key());
        if (!last->inputs.contains(it.key()))
            changes.append(QStringLiteral("%1 added").arg(it.key()));
        else if (before != it.value())
            changes.append(QStringLiteral("%1 changed (%2 -> %3)")
                               .arg(it.key(), shortened(before), shortened(it.value())));
    }
    for (auto it = last->inputs.cbegin(); it != last->inputs.cend(); ++it)
        if (!now.inputs.contains(it.key()))
            changes.append(QStringLiteral("%1 removed").arg(it.key()));
    for (const NodeInput &input : node.inputs)
        if (input.link && ranThisRun.contains(input.link->node))
            changes.append(QStringLiteral("upstream node %1 (%2) ran again")
                               .arg(input.link->node, ranThisRun.value(input.link->node)));
    if (last->changeToken != now.changeToken)
        changes.append(QStringLiteral("its source changed on disk"));
    if (changes.isEmpty())
        return QStringLiteral("not in the cache (evicted or cleared)");
    return changes.join(QStringLiteral("; "));
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
        const NodeDefinition &definition = type.definition();

        NodeInputs inputs;
        LastInputs now;
        now.type = node.type;
        QCryptographicHash signature(QCryptographicHash::Sha256);
        signature.addData(node.type.toUtf8() + '\0');
        for (const InputSpec &spec : definition.inputs) {
            const NodeInput *given = node.input(spec.name);
            InputValue value;
            if (given && given->link) {
                const NodeOutputs *upstream = results.value(given->link->node);
                value.engine = upstream && given->link->output < upstream->values.size()
                                   ? upstream->values.at(given->link->output)
                                   : nullptr;
                signature.addData(spec.name.toUtf8() + "=@" + signatures.value(given->link->node) + ':' +
                                  QByteArray::number(given->link->output) + '\0');
                now.inputs.insert(spec.name,
                                  QStringLiteral("node %1 output %2").arg(given->link->node).arg(given->link->output));
            } else if (given && given->value) {
                value.literal = given->value;
                signature.addData(spec.name.toUtf8() + '=' + given->value->jsonText() + '\0');
                now.inputs.insert(spec.name, QString::fromUtf8(given->value->jsonText()));
            } else if (spec.defaultValue) {
                value.literal = spec.defaultValue;
            } else {
                continue;
            }
            inputs.insert(spec.name, value);
        }
        now.changeToken = type.changeToken(inputs);
        signature.addData("#" + now.changeToken);
        const QByteArray key = signature.result();
        signatures.insert(id, key.toHex());

        NodeRunReport report{id, node.type, false, {}, 0};
        const auto cached = cache.entries.find(key);
        if (cached != cache.entries.end()) {
            cached->second.lastUsed = cache.tick;
            results.insert(id, &cached->second.outputs);
            report.cached = true;
            report.reason = QStringLiteral("cached: same inputs as an earlier run");
            outcome.files += cached->second.outputs.files;
            outcome.nodes.append(report);
            cache.lastInputs.insert(id, now);
            if (listener)
                listener->nodeCached(report);
            continue;
        }
        report.reason = whyItRuns(node, cache.lastInputs.contains(id) ? &cache.lastInputs[id] : nullptr, now,
                                  ranThisRun);
        if (listener)
            listener->nodeStarted(id, node.type);
        Context context(id, options, listener, prompt);
        QElapsedTimer timer;
        timer.start();
        NodeOutputs outputs;
        const auto fail = [&](RunOutcome::Status status, const QString &errorType, const QString &message) {
            outcome.status = status;
            outcome.failedNode = id;
            outcome.errorType = errorType;
            outcome.message = message;
            if (listener)
                listener->nodeFailed(id, node.type, errorType, message);
            return outcome;
        };
        try {
            outputs = type.run(inputs, context);
        } catch (const engine::CancelledError &error) {
            return fail(RunOutcome::Status::Interrupted, QString::fromUtf8(error.type()),
                        QStringLiteral("the run was cancelled"));
        } catch (const engine::Error &error) {
            return fail(RunOutcome::Status::Failed, QString::fromUtf8(error.type()), QString::fromUtf8(error.what()));
        } catch (const std::invalid_argument &error) {
            return fail(RunOutcome::Status::Failed, QStringLiteral("ValueError"), QString::fromUtf8(error.what()));
        } catch (const std::bad_alloc &) {
            return fail(RunOutcome::Status::Failed, QStringLiteral("OutOfMemoryError"), QStringLiteral("out of memory"));
        } catch (const std::exception &error) {
            return fail(RunOutcome::Status::Failed, QStringLiteral("RuntimeError"), QString::fromUtf8(error.what()));
        }
        report.seconds = double(timer.nsecsElapsed()) / 1e9;
        if (outputs.values.size() < definition.outputs.size())
            return fail(RunOutcome::Status::Failed, QStringLiteral("RuntimeError"),
                        QStringLiteral("%1 made %2 outputs, not %3")
                            .arg(node.type)
                            .arg(outputs.values.size())
                            .arg(definition.outputs.size()));
        outcome.files += outputs.files;
        outcome.warnings += outputs.warnings;
        CacheEntry &entry = cache.entries[key];
        entry.outputs = outputs;
        entry.bytes = bytesOf(outputs);
        entry.lastUsed = cache.tick;
        results.insert(id, &entry.outputs);
        ranThisRun.insert(id, node.type);
        cache.lastInputs.insert(id, now);
        outcome.nodes.append(report);
        if (listener)
            listener->nodeExecuted(report, outputs);
    }
    cache.trim();
    return outcome;
}

} // namespace atelier::graph
