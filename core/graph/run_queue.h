#pragma once

// What front ends queue graph runs on: this machine's GraphRunService, or a render farm's queue (core/farm). Both
// give every run an id unique in the process (so that one window can follow both), emit every event as a signal on
// the thread the queue lives on, and end every run with `finished`, whatever became of it.
#include "core/generation/generation_request.h" // RgbImage's metatype
#include "core/graph/executor.h"

#include <QObject>

namespace atelier::graph {

class RunQueue : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    struct Submission
    {
        Graph graph;
        RunOptions options;    // its cancel flag is the queue's own
        bool previews = false; // previewReady after each sampler step, where the queue can send them
        QString label;         // what the run is called where a farm lists it (the workflow's name)
    };
    // Queues a run and returns its id; `queued` is emitted before this returns.
    virtual quint64 submit(Submission submission) = 0;
    // A waiting run is dropped (finished with Interrupted); a running one stops at its next check.
    virtual void cancel(quint64 run) = 0;
    virtual void cancelAll() = 0;
    // A waiting run goes one place up the queue; false when it is first, running, gone, or the queue keeps no order.
    virtual bool moveUp(quint64 run) = 0;
    // The runs waiting, next first (running ones are not among them).
    virtual QList<quint64> waiting() const = 0;
    // Runs queued or running.
    virtual int pending() const = 0;
    // Empties the cache of what ran before, where the queue has one.
    virtual void clearCache() {}

signals:
    void queued(quint64 run, int position);
    // Where the run runs, when the queue spreads work (a farm's worker name).
    void placed(quint64 run, const QString &where);
    // A run taken by a farm's worker waits again, handed back, and why ("a: it lacks model x").
    void noted(quint64 run, const QString &message);
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

protected:
    // 1, 2, ... across every queue of the process.
    static quint64 newRunId();
    // Registers the types the signals carry for queued connections.
    static void registerSignalTypes();
};

} // namespace atelier::graph

Q_DECLARE_METATYPE(atelier::graph::NodeRunReport)
Q_DECLARE_METATYPE(atelier::graph::OutputFile)
Q_DECLARE_METATYPE(atelier::graph::RunOutcome)
