#pragma once

// Graph runs for front ends that must not block: a queue of runs executed one after another on the service's own
// worker thread (GPU work on a device is serial) by one executor, so that its cache serves run after run (the
// editor's Queue button, run again with a new seed). Every event arrives as a signal emitted on the thread the
// service lives on. Cancelling raises a flag the run checks between nodes and sampler steps; nothing is killed,
// and a cancelled run writes no file.
#include "core/generation/generation_request.h" // RgbImage's metatype
#include "core/graph/executor.h"

#include <QObject>

#include <memory>

namespace atelier::graph {

class GraphRunService : public QObject
{
    Q_OBJECT
public:
    explicit GraphRunService(std::shared_ptr<const NodeRegistry> registry, QObject *parent = nullptr);
    // Cancels the current run, drops the queued ones (without signals) and waits for the worker to stop.
    ~GraphRunService() override;

    struct Submission
    {
        Graph graph;
        RunOptions options;    // its cancel flag is the service's own
        bool previews = false; // previewReady after each sampler step
    };
    // Queues a run and returns its id (1, 2, ...); `queued` is emitted before this returns.
    quint64 submit(Submission submission);
    // A queued run is dropped (finished with Interrupted at once); the current one stops at its next check.
    void cancel(quint64 run);
    void cancelAll();
    // A queued run goes one place up the queue; false when it is first, running or gone.
    bool moveUp(quint64 run);
    // The runs waiting, next first (the running one is not among them).
    QList<quint64> waiting() const;
    // Runs queued or running.
    int pending() const;
    // Empties the executor's cache before the next run starts.
    void clearCache();
    void setCacheLimits(const CacheLimits &limits);

signals:
    void queued(quint64 run, int position);
    void started(quint64 run);
    void nodeStarted(quint64 run, const QString &nodeId, const QString &classType);
    void nodeCached(quint64 run, const atelier::graph::NodeRunReport &report);
    void nodeProgress(quint64 run, const QString &nodeId, int value, int maximum);
    void previewReady(quint64 run, const QString &nodeId, const atelier::engine::RgbImage &preview);
    void nodeExecuted(quint64 run, const atelier::graph::NodeRunReport &report,
                      const QList<atelier::graph::OutputFile> &files);
    void nodeFailed(quint64 run, const QString &nodeId, const QString &errorType, const QString &message);
    // Always the last signal of a run, whatever its status (invalid, failed, interrupted, completed).
    void finished(quint64 run, const atelier::graph::RunOutcome &outcome);

private:
    struct Worker;
    std::unique_ptr<Worker> m_worker;
};

} // namespace atelier::graph

Q_DECLARE_METATYPE(atelier::graph::NodeRunReport)
Q_DECLARE_METATYPE(atelier::graph::OutputFile)
Q_DECLARE_METATYPE(atelier::graph::RunOutcome)
