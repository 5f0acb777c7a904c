#pragma once

// Graph runs for front ends that must not block: a queue of runs executed one after another on the service's own
// worker thread (GPU work on a device is serial) by one executor, so that its cache serves run after run (the
// editor's Queue button, run again with a new seed). Every event arrives as a signal emitted on the thread the
// service lives on. Cancelling raises a flag the run checks between nodes and sampler steps; nothing is killed,
// and a cancelled run writes no file.
#include "core/graph/run_queue.h"

#include <memory>

namespace atelier::graph {

class GraphRunService final : public RunQueue
{
    Q_OBJECT
public:
    explicit GraphRunService(std::shared_ptr<const NodeRegistry> registry, QObject *parent = nullptr);
    // Cancels the current run, drops the queued ones (without signals) and waits for the worker to stop.
    ~GraphRunService() override;

    quint64 submit(Submission submission) override;
    void cancel(quint64 run) override;
    void cancelAll() override;
    bool moveUp(quint64 run) override;
    QList<quint64> waiting() const override;
    int pending() const override;
    // Empties the executor's cache before the next run starts.
    void clearCache() override;
    void setCacheLimits(const CacheLimits &limits);

private:
    struct Worker;
    std::unique_ptr<Worker> m_worker;
};

} // namespace atelier::graph
