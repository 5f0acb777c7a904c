#include "core/graph/graph_run_service.h"

#include "core/jobs/serial_worker.h"

#include <QMetaObject>

#include <mutex>

namespace atelier::graph {

struct GraphRunService::Worker
{
    explicit Worker(std::shared_ptr<const NodeRegistry> registry)
        : executor(std::move(registry))
    {}

    std::mutex mutex; // guards the two requests below
    bool clearCache = false;
    std::optional<CacheLimits> limits;
    GraphExecutor executor; // used on the worker thread only
    std::unique_ptr<jobs::SerialWorker<Submission>> runs;
};

namespace {

// The executor's events, posted to the service's thread as signals.
class Forwarder final : public RunListener
{
public:
    Forwarder(GraphRunService &service, quint64 run, bool previews)
        : m_service(service)
        , m_run(run)
        , m_previews(previews)
    {}
    void nodeCached(const NodeRunReport &report) override
    {
        post([run = m_run, report](GraphRunService &service) { emit service.nodeCached(run, report); });
    }
    void nodeStarted(const QString &nodeId, const QString &classType) override
    {
        post([run = m_run, nodeId, classType](GraphRunService &service) {
            emit service.nodeStarted(run, nodeId, classType);
        });
    }
    void nodeProgress(const QString &nodeId, int value, int maximum,
                      const std::function<engine::RgbImage()> &preview) override
    {
        post([run = m_run, nodeId, value, maximum](GraphRunService &service) {
            emit service.nodeProgress(run, nodeId, value, maximum);
        });
        if (m_previews && preview && value < maximum) {
            const engine::RgbImage image = preview();
            post([run = m_run, nodeId, image](GraphRunService &service) {
                emit service.previewReady(run, nodeId, image);
            });
        }
    }
    void nodeExecuted(const NodeRunReport &report, const NodeOutputs &outputs) override
    {
        const QList<OutputFile> files = outputs.files;
        post([run = m_run, report, files](GraphRunService &service) { emit service.nodeExecuted(run, report, files); });
    }
    void nodeFailed(const QString &nodeId, const QString &, const QString &errorType, const QString &message) override
    {
        post([run = m_run, nodeId, errorType, message](GraphRunService &service) {
            emit service.nodeFailed(run, nodeId, errorType, message);
        });
    }

private:
    // A queued call on the service (dropped if the service is gone by then); it captures values only, since this
    // forwarder is gone before the call runs.
    template <typename Emit> void post(Emit emitter)
    {
        GraphRunService *service = &m_service;
        QMetaObject::invokeMethod(
            service, [service, emitter = std::move(emitter)] { emitter(*service); }, Qt::QueuedConnection);
    }
    GraphRunService &m_service;
    quint64 m_run;
    bool m_previews;
};

RunOutcome cancelledBeforeStart()
{
    RunOutcome outcome;
    outcome.status = RunOutcome::Status::Interrupted;
    outcome.message = QStringLiteral("cancelled before it started");
    return outcome;
}

} // namespace

GraphRunService::GraphRunService(std::shared_ptr<const NodeRegistry> registry, QObject *parent)
    : RunQueue(parent)
    , m_worker(std::make_unique<Worker>(std::move(registry)))
{
    registerSignalTypes();
    Worker &worker = *m_worker;
    worker.runs = std::make_unique<jobs::SerialWorker<Submission>>(
        [this, &worker](quint64 id, Submission &submission, const std::atomic_bool &cancelled) {
            {
                std::lock_guard<std::mutex> lock(worker.mutex);
                if (worker.clearCache)
                    worker.executor.clearCache();
                if (worker.limits)
                    worker.executor.setCacheLimits(*worker.limits);
                worker.clearCache = false;
                worker.limits.reset();
            }
            QMetaObject::invokeMethod(
                this, [this, id] { emit started(id); }, Qt::QueuedConnection);
            Forwarder forwarder(*this, id, submission.previews);
            RunOptions options = submission.options;
            options.cancel = &cancelled;
            const RunOutcome outcome = worker.executor.run(submission.graph, options, &forwarder);
            return std::function<void()>([this, id, outcome] {
                QMetaObject::invokeMethod(
                    this, [this, id, outcome] { emit finished(id, outcome); }, Qt::QueuedConnection);
            });
        });
}

GraphRunService::~GraphRunService()
{
    m_worker->runs.reset(); // drops the queue, cancels the current run and waits for it
}

quint64 GraphRunService::submit(Submission submission)
{
    int position = 0;
    const quint64 id = m_worker->runs->submit(std::move(submission), &position, newRunId());
    emit queued(id, position);
    return id;
}

void GraphRunService::cancel(quint64 run)
{
    if (m_worker->runs->cancel(run))
        emit finished(run, cancelledBeforeStart());
}

void GraphRunService::cancelAll()
{
    for (quint64 run : m_worker->runs->cancelAll())
        emit finished(run, cancelledBeforeStart());
}

bool GraphRunService::moveUp(quint64 run)
{
    return m_worker->runs->moveUp(run);
}

QList<quint64> GraphRunService::waiting() const
{
    QList<quint64> ids;
    for (quint64 run : m_worker->runs->waiting())
        ids.append(run);
    return ids;
}

int GraphRunService::pending() const
{
    return m_worker->runs->pending();
}

void GraphRunService::clearCache()
{
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    m_worker->clearCache = true;
}

void GraphRunService::setCacheLimits(const CacheLimits &limits)
{
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    m_worker->limits = limits;
}

} // namespace atelier::graph
