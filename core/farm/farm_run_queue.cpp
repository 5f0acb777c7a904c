#include "core/farm/farm_run_queue.h"

#include "core/graph/api_prompt.h"
#include "core/nodes/models_by_hash.h"

#include <QDir>
#include <QMetaObject>
#include <QUuid>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace atelier::farm {

namespace {

// How long one read of the result streams waits for news before the thread looks at its outbox again: the longest
// a queued run waits before it is on the farm.
constexpr std::chrono::milliseconds kReadWait(200);

graph::RunOutcome outcomeOf(graph::RunOutcome::Status status, const QString &message,
                            const QString &errorType = QString())
{
    graph::RunOutcome outcome;
    outcome.status = status;
    outcome.message = message;
    outcome.errorType = errorType;
    return outcome;
}

} // namespace

// The thread that talks to Redis: it sends the jobs and cancellations the queue hands it, reads the result streams
// of the jobs it follows and writes their images, and posts every event to the queue's thread.
struct FarmRunQueue::Follower
{
    struct Outgoing
    {
        quint64 run = 0;
        FarmJob job;        // without its models yet
        graph::Graph graph; // whose models the follower looks up in the library, off the submitter's thread
    };
    struct Cancel
    {
        QString jobId;
        bool forget = false; // the run ended here already: its events are no longer wanted
    };

    FarmRunQueue *queue;
    FarmClient client;
    const nodes::NodeEnvironment environment; // the library and output folder (the record store is thread-safe)
    std::atomic_bool stop{false};
    std::mutex mutex; // guards outbox and cancels
    std::condition_variable wake;
    std::deque<Outgoing> outbox;
    std::deque<Cancel> cancels;
    std::thread thread;

    // The thread's own.
    QHash<QString, quint64> runOfJob;
    QMap<QString, QByteArray> cursors;
    QHash<QString, NodeFiles> images;
    QHash<QString, QStringList> unsaved; // why a job's images could not be written here

    Follower(FarmRunQueue *owner, RedisAddress address, FarmKeys keys, nodes::NodeEnvironment nodeEnvironment)
        : queue(owner)
        , client(std::move(address), std::move(keys))
        , environment(std::move(nodeEnvironment))
    {
        client.setStopFlag(&stop);
    }

    ~Follower()
    {
        stop = true;
        wake.notify_all();
        if (thread.joinable())
            thread.join();
    }

    void post(quint64 run, FarmEvent event, NodeFiles files = {})
    {
        QMetaObject::invokeMethod(
            queue,
            [queue = queue, run, event = std::move(event), files = std::move(files)] {
                queue->receive(run, event, files);
            },
            Qt::QueuedConnection);
    }

    void postEnd(quint64 run, graph::RunOutcome outcome)
    {
        QMetaObject::invokeMethod(
            queue, [queue = queue, run, outcome = std::move(outcome)] { queue->end(run, outcome); },
            Qt::QueuedConnection);
    }

    void forget(const QString &jobId)
    {
        runOfJob.remove(jobId);
        cursors.remove(jobId);
        images.remove(jobId);
        unsaved.remove(jobId);
    }

    void loop(bool connectFirst)
    {
        if (connectFirst)
            if (const Status connected = client.connect(); !connected)
                QMetaObject::invokeMethod(
                    queue, [queue = queue, message = connected.error()] { emit queue->unreachable(message); },
                    Qt::QueuedConnection);
        while (!stop) {
            std::deque<Outgoing> sending;
            std::deque<Cancel> cancelling;
            {
                std::unique_lock<std::mutex> lock(mutex);
                if (outbox.empty() && cancels.empty() && cursors.isEmpty())
                    wake.wait_for(lock, std::chrono::seconds(1));
                sending.swap(outbox);
                cancelling.swap(cancels);
            }
            for (const Cancel &cancel : cancelling) {
                (void)client.cancel(cancel.jobId);
                if (cancel.forget)
                    forget(cancel.jobId);
            }
            for (Outgoing &outgoing : sending) {
                if (stop)
                    break;
                for (const nodes::ModelReference &model : nodes::referencedModels(outgoing.graph, environment))
                    outgoing.job.models.append(
                        {model.node, model.input, model.name, model.sha256, shareableSource(model.source)});
                if (const Status sent = client.submit(outgoing.job); !sent) {
                    postEnd(outgoing.run,
                            outcomeOf(graph::RunOutcome::Status::Failed,
                                      QStringLiteral("the farm did not take the job: %1").arg(sent.error()),
                                      QStringLiteral("FarmUnreachable")));
                    continue;
                }
                runOfJob.insert(outgoing.job.id, outgoing.run);
                cursors.insert(outgoing.job.id, "0");
            }
            if (cursors.isEmpty() || stop)
                continue;
            QMap<QString, QByteArray> reading = cursors;
            const Result<QList<FarmEvent>> events = client.read(reading, kReadWait);
            if (!events) {
                // Redis gone for longer than the client waits, or refusing us (a changed password): the cursors
                // stand, and the next turn waits a moment rather than spinning.
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait_for(lock, std::chrono::seconds(1), [this] { return stop.load(); });
                continue;
            }
            for (auto it = reading.cbegin(); it != reading.cend(); ++it)
                if (cursors.contains(it.key()))
                    cursors[it.key()] = it.value();
            for (const FarmEvent &event : events.value())
                handle(event);
        }
        // Best effort, and at most one wait for a server that does not answer: the cancellations asked for last.
        std::lock_guard<std::mutex> lock(mutex);
        for (const Cancel &cancel : cancels)
            if (!client.redis().command({"SADD", client.keys().cancelled(), cancel.jobId.toUtf8()}) &&
                client.redis().lastFailureWasConnection())
                break;
    }

    void handle(const FarmEvent &event)
    {
        const auto found = runOfJob.constFind(event.jobId);
        if (found == runOfJob.cend())
            return;
        const quint64 run = found.value();
        if (event.type == "image") {
            const QByteArray name = event.fields.value("name");
            if (const Status saved =
                    saveFarmImage(environment.outputDir, event.jobId, name, event.fields.value("data"));
                !saved) {
                unsaved[event.jobId].append(saved.error());
                return;
            }
            NodeFiles &files = images[event.jobId];
            const QString fileName = QString::fromUtf8(name);
            const bool known = std::any_of(files.cbegin(), files.cend(),
                                           [&](const auto &image) { return image.second.filename == fileName; });
            if (!known) // sent again by a second worker after the first died: one image
                files.append({QString::fromUtf8(event.fields.value("node")),
                              graph::OutputFile{fileName, QString(), QStringLiteral("output"),
                                                QDir(environment.outputDir).filePath(fileName)}});
            return;
        }
        FarmEvent shown = event;
        shown.fields.remove("data");
        if (event.type == "completed" && unsaved.contains(event.jobId)) {
            // Made on the farm, lost here (a full disk): the run failed for whoever waits for its images.
            shown.type = "error";
            shown.fields.insert("message", unsaved.value(event.jobId).join(QStringLiteral("; ")).toUtf8());
        }
        const bool ended = event.type == "completed" || event.type == "error" || event.type == "cancelled";
        post(run, shown, ended ? images.value(event.jobId) : NodeFiles());
        if (ended)
            forget(event.jobId);
    }
};

FarmRunQueue::FarmRunQueue(RedisAddress address, FarmKeys keys, nodes::NodeEnvironment environment, QObject *parent)
    : RunQueue(parent)
    , m_environment(std::move(environment))
    , m_farmName(address.shown())
    , m_follower(std::make_unique<Follower>(this, std::move(address), std::move(keys), m_environment))
{
    registerSignalTypes();
}

FarmRunQueue::~FarmRunQueue()
{
    {
        std::lock_guard<std::mutex> lock(m_follower->mutex);
        for (const quint64 run : std::as_const(m_order))
            m_follower->cancels.push_back({m_runs.value(run).jobId, true});
    }
    m_follower.reset();
}

Status FarmRunQueue::start()
{
    QDir().mkpath(m_environment.outputDir);
    const Status connected = m_follower->client.connect();
    m_follower->thread = std::thread([follower = m_follower.get()] { follower->loop(false); });
    return connected;
}

void FarmRunQueue::startFollowing()
{
    QDir().mkpath(m_environment.outputDir);
    m_follower->thread = std::thread([follower = m_follower.get()] { follower->loop(true); });
}

QString FarmRunQueue::farmName() const
{
    return m_farmName;
}

QString FarmRunQueue::jobOf(quint64 run) const
{
    return m_runs.value(run).jobId;
}

quint64 FarmRunQueue::submit(Submission submission)
{
    const quint64 run = newRunId();
    FarmJob job;
    job.id = QUuid::createUuid().toString(QUuid::Id128).left(16);
    job.label = submission.label.isEmpty() ? QStringLiteral("run %1").arg(run) : submission.label;
    job.graph = graph::writeApiPrompt(submission.graph);
    job.targets = submission.options.targets;
    job.workflow = submission.options.editorWorkflow;
    m_runs.insert(run, {job.id, false});
    m_order.append(run);
    {
        std::lock_guard<std::mutex> lock(m_follower->mutex);
        m_follower->outbox.push_back({run, std::move(job), std::move(submission.graph)});
    }
    m_follower->wake.notify_all();
    emit queued(run, int(waiting().size()));
    return run;
}

void FarmRunQueue::cancel(quint64 run)
{
    withdraw(run, false);
}

void FarmRunQueue::cancelAll()
{
    // Running ones too end here at once (their workers stop at their next step), so that whoever follows the queue
    // is told before the queue may go.
    for (const quint64 run : QList<quint64>(m_order))
        withdraw(run, true);
}

void FarmRunQueue::withdraw(quint64 run, bool endRunning)
{
    const auto found = m_runs.constFind(run);
    if (found == m_runs.cend())
        return;
    const bool started = found->started;
    const bool endsNow = !started || endRunning;
    {
        std::lock_guard<std::mutex> lock(m_follower->mutex);
        // A job still in the outbox is simply not sent; one on the farm is marked cancelled for its worker.
        auto &outbox = m_follower->outbox;
        const auto waitingHere = std::find_if(
            outbox.begin(), outbox.end(), [run](const Follower::Outgoing &outgoing) { return outgoing.run == run; });
        if (waitingHere != outbox.end())
            outbox.erase(waitingHere);
        else
            m_follower->cancels.push_back({found->jobId, endsNow});
    }
    m_follower->wake.notify_all();
    // A job no worker has taken ends now; a running one when its worker stops it, unless it is ended here.
    if (endsNow)
        end(run, outcomeOf(graph::RunOutcome::Status::Interrupted,
                           started ? QStringLiteral("cancelled") : QStringLiteral("cancelled before it started")));
}

bool FarmRunQueue::moveUp(quint64)
{
    return false;
}

QList<quint64> FarmRunQueue::waiting() const
{
    QList<quint64> runs;
    for (const quint64 run : m_order)
        if (!m_runs.value(run).started)
            runs.append(run);
    return runs;
}

int FarmRunQueue::pending() const
{
    return int(m_order.size());
}

void FarmRunQueue::receive(quint64 run, const FarmEvent &event, const NodeFiles &images)
{
    const auto found = m_runs.find(run);
    if (found == m_runs.end())
        return; // ended here already (cancelled before a worker took it)
    const QString worker = QString::fromUtf8(event.fields.value("worker"));
    const QString message = QString::fromUtf8(event.fields.value("message"));
    const QByteArray &type = event.type;
    if (type == "started") {
        if (!found->started) {
            found->started = true;
            emit started(run);
        }
        emit placed(run, worker);
    } else if (type == "executing") {
        emit nodeStarted(run, QString::fromUtf8(event.fields.value("node")),
                         QString::fromUtf8(event.fields.value("class")));
    } else if (type == "progress") {
        emit nodeProgress(run, QString::fromUtf8(event.fields.value("node")), event.fields.value("value").toInt(),
                          event.fields.value("max").toInt());
    } else if (type == "handed_back") {
        found->started = false;
        emit noted(run, worker.isEmpty() ? message : QStringLiteral("%1: %2").arg(worker, message));
    } else if (type == "completed") {
        graph::RunOutcome outcome;
        QStringList nodes;
        for (const auto &image : images)
            if (!nodes.contains(image.first))
                nodes.append(image.first);
        for (const QString &node : std::as_const(nodes)) {
            QList<graph::OutputFile> files;
            for (const auto &image : images)
                if (image.first == node)
                    files.append(image.second);
            graph::NodeRunReport report;
            report.nodeId = node;
            report.reason = worker.isEmpty() ? QStringLiteral("ran on the farm")
                                             : QStringLiteral("ran on the farm's worker %1").arg(worker);
            emit nodeExecuted(run, report, files);
            outcome.files += files;
        }
        end(run, outcome);
    } else if (type == "error") {
        end(run, outcomeOf(graph::RunOutcome::Status::Failed, message, QStringLiteral("FarmJobFailed")));
    } else if (type == "cancelled") {
        end(run, outcomeOf(graph::RunOutcome::Status::Interrupted, QStringLiteral("cancelled")));
    }
}

void FarmRunQueue::end(quint64 run, const graph::RunOutcome &outcome)
{
    if (!m_runs.remove(run))
        return;
    m_order.removeAll(run);
    emit finished(run, outcome);
}

} // namespace atelier::farm
