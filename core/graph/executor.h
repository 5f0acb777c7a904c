#pragma once

// Runs graphs, ComfyUI's way: only the nodes the chosen outputs need, each after what it needs, with outputs cached
// by input signature (the node's type, its literal inputs, its change token and the signatures of everything
// upstream; never its id), so that changing a seed re-runs only the sampler and what follows. Every node run says
// why it ran or was served from the cache. Synchronous: call it on a worker thread; listeners are called there.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"
#include "core/graph/validation.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

namespace atelier::graph {

// What the executor keeps of node outputs between runs (the settings' output cache; these are its defaults).
struct CacheLimits
{
    int maxEntries = 256;
    qint64 maxBytes = 4ll * 1024 * 1024 * 1024; // latents, images and conditionings (models are counted elsewhere)

    static CacheLimits of(int entries, double gigabytes)
    {
        return {entries, qint64(gigabytes * 1024.0 * 1024.0 * 1024.0)};
    }
};

struct NodeRunReport
{
    QString nodeId;
    QString classType;
    bool cached = false;
    QString reason; // why it ran or was served from the cache, in words
    double seconds = 0;
};

// Called on the executor's thread, in this order for each node: started or cached, progress, executed or failed.
class RunListener
{
public:
    virtual ~RunListener() = default;
    virtual void nodeCached(const NodeRunReport &) {}
    virtual void nodeStarted(const QString & /*nodeId*/, const QString & /*classType*/) {}
    virtual void nodeProgress(const QString & /*nodeId*/, int /*value*/, int /*maximum*/,
                              const std::function<engine::RgbImage()> & /*preview*/)
    {}
    virtual void nodeExecuted(const NodeRunReport &, const NodeOutputs &) {}
    virtual void nodeFailed(const QString & /*nodeId*/, const QString & /*classType*/,
                            const QString & /*errorType*/, const QString & /*message*/)
    {}
};

struct RunOptions
{
    QStringList targets;           // node ids to run up to; empty: every output node
    QByteArray editorWorkflow;     // the editor workflow the graph came from, written into images
    const std::atomic_bool *cancel = nullptr; // checked between nodes and sampler steps
};

struct RunOutcome
{
    enum class Status { Completed, Invalid, Failed, Interrupted };
    Status status = Status::Completed;
    Validation validation;
    QString failedNode;
    QString errorType;
    QString message;
    QList<NodeRunReport> nodes; // in the order they ran
    QList<OutputFile> files;    // written by this run or served from the cache
    QStringList warnings;

    bool ok() const { return status == Status::Completed; }
};

class GraphExecutor
{
public:
    explicit GraphExecutor(std::shared_ptr<const NodeRegistry> registry);
    ~GraphExecutor();

    // Validates (nothing runs when no output is valid), then runs. Outputs whose branch is invalid are skipped and
    // reported in outcome.validation. A node that throws ends the run with its id and message; what ran before
    // stays cached and the executor stays usable.
    RunOutcome run(const Graph &graph, const RunOptions &options = {}, RunListener *listener = nullptr);

    void setCacheLimits(const CacheLimits &limits);
    void clearCache();
    int cachedEntries() const;
    qint64 cachedBytes() const;

private:
    struct Cache;
    std::shared_ptr<const NodeRegistry> m_registry;
    std::unique_ptr<Cache> m_cache;
};

} // namespace atelier::graph
