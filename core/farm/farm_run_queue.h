#pragma once

// A render farm as a run queue: `atelier serve --farm` and the window's Queue panel put their runs on the farm's job
// stream instead of running them here, and follow each job's result stream. The events a worker sends arrive as the
// queue's signals (`placed` names the worker); the images are written into the environment's output folder under
// the names their jobs give them, and reported per node when the job completes. A worker handing a job back leaves
// it waiting (`noted` says why). Runs wait while Redis is away and are sent when it answers again.
//
// One thread of the queue's own talks to Redis; the signals are emitted on the thread the queue lives on.
#include "core/farm/farm_client.h"
#include "core/graph/run_queue.h"
#include "core/nodes/node_environment.h"

#include <QHash>

#include <memory>

namespace atelier::farm {

class FarmRunQueue final : public graph::RunQueue
{
    Q_OBJECT
public:
    // The jobs' models are looked up in `environment`'s library (for their hashes and sources); their images go to
    // its output folder.
    FarmRunQueue(RedisAddress address, FarmKeys keys, nodes::NodeEnvironment environment, QObject *parent = nullptr);
    // Stops following; the jobs it sent that have not ended are cancelled on the farm (as far as Redis answers).
    ~FarmRunQueue() override;

    // Connects and starts following. A farm that does not answer is this error, yet the queue starts: runs queued
    // wait for it.
    Status start();
    // The same without blocking the caller: the queue's thread connects, and says `unreachable` when it cannot.
    void startFollowing();
    // The farm's URL, its password shown as ***.
    QString farmName() const;
    // The farm job a run became (empty for a run that is not the queue's).
    QString jobOf(quint64 run) const;

    quint64 submit(Submission submission) override;
    void cancel(quint64 run) override;
    // Ends every run at once (finished, Interrupted), running ones included; their workers stop at their next step.
    void cancelAll() override;
    bool moveUp(quint64 run) override; // the farm's stream keeps the order jobs came in: always false
    QList<quint64> waiting() const override;
    int pending() const override;

signals:
    // The farm did not answer when the queue started (the URL shown without its password); runs wait for it.
    void unreachable(const QString &message);

private:
    struct Follower;
    struct Run
    {
        QString jobId;
        bool started = false;
    };
    // The node that wrote each image, and the image as written here.
    using NodeFiles = QList<QPair<QString, graph::OutputFile>>;
    // Takes `run` back: from the outbox while it is unsent, else by cancelling its job on the farm. A run no worker
    // has taken ends at once, a running one too when `endRunning`, else when its worker stops.
    void withdraw(quint64 run, bool endRunning);
    void receive(quint64 run, const FarmEvent &event, const NodeFiles &images);
    void end(quint64 run, const graph::RunOutcome &outcome);

    nodes::NodeEnvironment m_environment;
    QString m_farmName;
    QHash<quint64, Run> m_runs;
    QList<quint64> m_order; // the runs not yet ended, in the order they were queued
    std::unique_ptr<Follower> m_follower;
};

} // namespace atelier::farm
