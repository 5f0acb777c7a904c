#include "core/farm/farm_worker.h"

#include "core/graph/api_prompt.h"
#include "core/graph/executor.h"
#include "core/nodes/models_by_hash.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace atelier::farm {

namespace {

using namespace std::chrono_literals;

QByteArray nowMs()
{
    return QByteArray::number(QDateTime::currentMSecsSinceEpoch());
}

// One stream entry: its id and its fields.
struct Delivery
{
    QByteArray entryId;
    QByteArray payload; // the "job" field
    bool reclaimed = false;
};

std::optional<Delivery> entryOf(const RedisReply &entry)
{
    if (entry.type != RedisReply::Type::Array || entry.elements.size() < 2)
        return std::nullopt;
    Delivery delivery;
    delivery.entryId = entry.elements.at(0).text;
    const QList<QByteArray> fields = entry.elements.at(1).texts();
    for (int i = 0; i + 1 < fields.size(); i += 2)
        if (fields.at(i) == "job")
            delivery.payload = fields.at(i + 1);
    return delivery;
}

// While a job runs: keeps it claimed (its idle time reset, so that no other worker takes it over), notes the worker
// alive, and raises `cancel` when the job is cancelled or the worker is stopping. On its own connection and thread,
// because the executor holds the worker's thread for the whole run.
class Heartbeat
{
public:
    Heartbeat(const WorkerOptions &options, QByteArray state, QByteArray entryId, QString jobId,
              const std::atomic_bool &stop, std::atomic_bool &cancel, std::atomic_bool &cancelledByUser)
        : m_redis(options.address, 2s)
        , m_thread([this, &options, state, entryId, jobId, &stop, &cancel, &cancelledByUser] {
            const auto interval = std::max<std::chrono::milliseconds>(500ms, options.reclaimAfter / 4);
            std::unique_lock lock(m_mutex);
            while (!m_done) {
                if (stop)
                    cancel = true;
                beat(options, state, entryId, jobId, cancel, cancelledByUser);
                m_wake.wait_for(lock, interval, [this] { return m_done; });
            }
        })
    {}
    ~Heartbeat()
    {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    void beat(const WorkerOptions &options, const QByteArray &state, const QByteArray &entryId, const QString &jobId,
              std::atomic_bool &cancel, std::atomic_bool &cancelledByUser)
    {
        // A server that is away is simply tried again at the next beat.
        (void)m_redis.command(
            {"XCLAIM", options.keys.jobs(), FarmKeys::group(), options.name.toUtf8(), "0", entryId, "JUSTID"});
        QJsonObject shown = QJsonDocument::fromJson(state).object();
        shown.insert(QStringLiteral("heartbeat"), QDateTime::currentMSecsSinceEpoch());
        (void)m_redis.command({"HSET", options.keys.workers(), options.name.toUtf8(),
                               QJsonDocument(shown).toJson(QJsonDocument::Compact)});
        const Result<RedisReply> cancelled = m_redis.command({"SISMEMBER", options.keys.cancelled(), jobId.toUtf8()});
        if (cancelled && cancelled->integer == 1) {
            cancelledByUser = true;
            cancel = true;
        }
    }

    RedisConnection m_redis;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread;
};

// Progress of the running job, as events on its result stream. Losing one to a Redis hiccup is harmless.
class ProgressPublisher final : public graph::RunListener
{
public:
    ProgressPublisher(RedisConnection &redis, QByteArray stream, QByteArray worker)
        : m_redis(redis)
        , m_stream(std::move(stream))
        , m_worker(std::move(worker))
    {}
    void nodeStarted(const QString &nodeId, const QString &classType) override
    {
        (void)m_redis.command({"XADD", m_stream, "MAXLEN", "~", "2000", "*", "type", "executing", "node",
                               nodeId.toUtf8(), "class", classType.toUtf8(), "worker", m_worker});
    }
    void nodeProgress(const QString &nodeId, int value, int maximum, const std::function<engine::RgbImage()> &) override
    {
        (void)m_redis.command({"XADD", m_stream, "MAXLEN", "~", "2000", "*", "type", "progress", "node",
                               nodeId.toUtf8(), "value", QByteArray::number(value), "max", QByteArray::number(maximum),
                               "worker", m_worker});
    }
    void nodeExecuted(const graph::NodeRunReport &report, const graph::NodeOutputs &outputs) override
    {
        for (const graph::OutputFile &file : outputs.files)
            m_nodeOfFile.insert(file.path, report.nodeId);
    }
    // The node that wrote the file at `path` in this job, or served it from the cache.
    QString nodeOf(const QString &path) const { return m_nodeOfFile.value(path); }

private:
    RedisConnection &m_redis;
    QByteArray m_stream, m_worker;
    QHash<QString, QString> m_nodeOfFile;
};

} // namespace

struct FarmWorker::Private
{
    WorkerOptions options;
    std::shared_ptr<const graph::NodeRegistry> registry;
    nodes::NodeEnvironment environment;
    graph::GraphExecutor executor;
    RedisConnection redis;
    const std::atomic_bool *stop = nullptr;
    std::function<void(const QString &)> log;
    int jobsEnded = 0;
    qint64 started = QDateTime::currentMSecsSinceEpoch();

    Private(WorkerOptions workerOptions, std::shared_ptr<const graph::NodeRegistry> nodeRegistry,
            nodes::NodeEnvironment nodeEnvironment)
        : options(std::move(workerOptions))
        , registry(std::move(nodeRegistry))
        , environment(std::move(nodeEnvironment))
        , executor(registry)
        , redis(options.address)
    {}

    // Commands the worker cannot do without wait for a server that went away, until the worker is stopped.
    Result<RedisReply> call(const QList<QByteArray> &arguments, std::chrono::milliseconds extraTimeout = 0ms)
    {
        return redis.commandRetrying(arguments, stop, std::chrono::hours(24 * 365), extraTimeout);
    }

    QByteArray state(const QString &jobId = {}, const QString &label = {}) const
    {
        return QJsonDocument(QJsonObject{{QStringLiteral("device"), options.device},
                                         {QStringLiteral("job"), jobId},
                                         {QStringLiteral("label"), label},
                                         {QStringLiteral("heartbeat"), QDateTime::currentMSecsSinceEpoch()},
                                         {QStringLiteral("started"), started},
                                         {QStringLiteral("jobs_ended"), jobsEnded}})
            .toJson(QJsonDocument::Compact);
    }

    void noteIdle() { (void)call({"HSET", options.keys.workers(), options.name.toUtf8(), state()}); }

    Status ensureGroup()
    {
        const Result<RedisReply> created =
            call({"XGROUP", "CREATE", options.keys.jobs(), FarmKeys::group(), "0", "MKSTREAM"});
        if (!created && !created.error().startsWith(QLatin1String("BUSYGROUP")))
            return Status::failure(created.error());
        return {};
    }

    // A job whose worker has not renewed its claim for reclaimAfter, else a new one (waiting up to a second).
    std::optional<Delivery> nextDelivery()
    {
        const QByteArray idle = QByteArray::number(qint64(options.reclaimAfter.count()));
        Result<RedisReply> claimed = call(
            {"XAUTOCLAIM", options.keys.jobs(), FarmKeys::group(), options.name.toUtf8(), idle, "0-0", "COUNT", "1"});
        if (!claimed && claimed.error().startsWith(QLatin1String("NOGROUP"))) {
            (void)ensureGroup(); // the server lost its data (restarted without persistence)
            return std::nullopt;
        }
        if (claimed && claimed->elements.size() >= 2 && !claimed->elements.at(1).elements.isEmpty()) {
            std::optional<Delivery> delivery = entryOf(claimed->elements.at(1).elements.first());
            if (delivery) {
                delivery->reclaimed = true;
                return delivery;
            }
        }
        Result<RedisReply> read = call({"XREADGROUP", "GROUP", FarmKeys::group(), options.name.toUtf8(), "COUNT", "1",
                                        "BLOCK", "1000", "STREAMS", options.keys.jobs(), ">"},
                                       1000ms);
        if (!read) {
            if (read.error().startsWith(QLatin1String("NOGROUP")))
                (void)ensureGroup();
            return std::nullopt;
        }
        if (read->isNil() || read->elements.isEmpty())
            return std::nullopt;
        const RedisReply &stream = read->elements.first();
        if (stream.elements.size() < 2 || stream.elements.at(1).elements.isEmpty())
            return std::nullopt;
        return entryOf(stream.elements.at(1).elements.first());
    }

    void acknowledge(const Delivery &delivery)
    {
        (void)call({"XACK", options.keys.jobs(), FarmKeys::group(), delivery.entryId});
    }

    void keepResultsForADay(const QString &jobId)
    {
        const QByteArray lifetime = QByteArray::number(kResultLifetimeSeconds);
        (void)call({"EXPIRE", options.keys.results(jobId), lifetime});
        (void)call({"EXPIRE", options.keys.job(jobId), lifetime});
    }

    // The farm's count of jobs that ended so: once per job, however often it ran.
    void count(const QString &jobId, const char *status)
    {
        const Result<RedisReply> first = call({"HSETNX", options.keys.job(jobId), "counted", status});
        if (first && first->integer == 1)
            (void)call({"HINCRBY", options.keys.stats(), status, "1"});
    }

    void event(const QString &jobId, QList<QByteArray> fields)
    {
        QList<QByteArray> arguments{"XADD", options.keys.results(jobId), "*"};
        arguments << fields << "worker" << options.name.toUtf8();
        (void)call(arguments);
    }

    // The job can run nowhere: it goes to the dead-letter stream with its error, and ends.
    void deadLetter(const Delivery &delivery, const QString &jobId, const QString &error)
    {
        log(QStringLiteral("job %1: dead-lettered: %2").arg(jobId.isEmpty() ? QStringLiteral("?") : jobId, error));
        (void)call({"XADD", options.keys.dead(), "*", "id", jobId.toUtf8(), "error", error.toUtf8(), "worker",
                    options.name.toUtf8(), "job", delivery.payload.left(FarmJob::kMaxBytes)});
        if (!jobId.isEmpty()) {
            (void)call({"HSET", options.keys.job(jobId), "status", job_status::kError, "error", error.toUtf8(),
                        "updated", nowMs()});
            event(jobId, {"type", "error", "message", error.toUtf8()});
            count(jobId, job_status::kError);
            keepResultsForADay(jobId);
        } else {
            (void)call({"HINCRBY", options.keys.stats(), job_status::kError, "1"});
        }
        acknowledge(delivery);
    }

    void endCancelled(const Delivery &delivery, const QString &jobId)
    {
        log(QStringLiteral("job %1: cancelled").arg(jobId));
        (void)call({"HSET", options.keys.job(jobId), "status", job_status::kCancelled, "updated", nowMs()});
        event(jobId, {"type", "cancelled"});
        count(jobId, job_status::kCancelled);
        keepResultsForADay(jobId);
        acknowledge(delivery);
    }

    // Back on the stream for any worker, at once; `counted`: this start counts toward the job's attempts.
    void handBack(const Delivery &delivery, const QString &jobId, const QString &why, bool counted)
    {
        log(QStringLiteral("job %1: handed back: %2").arg(jobId, why));
        if (!counted)
            (void)call({"HINCRBY", options.keys.job(jobId), "attempts", "-1"});
        (void)call({"HSET", options.keys.job(jobId), "status", job_status::kEnqueued, "error", why.toUtf8(), "updated",
                    nowMs()});
        event(jobId, {"type", "handed_back", "message", why.toUtf8()});
        // Added again before the old entry is acknowledged: a crash in between leaves it twice, never nowhere.
        (void)call({"XADD", options.keys.jobs(), "*", "job", delivery.payload});
        acknowledge(delivery);
    }

    // The models the job names that this worker's library has under another name are renamed to it (by hash); the
    // first model input of the graph still naming nothing here is returned (whether or not the job listed it).
    std::optional<nodes::ModelReference> firstMissing(graph::Graph &graph, const FarmJob &job,
                                                      const QMap<QString, QString> &hashByName)
    {
        for (const QString &line : nodes::resolveModelsByHash(graph, hashByName, *registry, environment))
            log(QStringLiteral("job %1: %2").arg(job.id, line));
        for (const nodes::ModelReference &model : nodes::referencedModels(graph, environment)) {
            const graph::GraphNode *node = graph.node(model.node);
            const graph::NodeType *type = node ? registry->find(node->type) : nullptr;
            if (type && type->checkValue(model.input, graph::GraphValue::text(model.name)))
                return model; // the loader's list has no such model
        }
        return std::nullopt;
    }

    // Why the job cannot run here, so that another worker may take it; nothing once every model it names is in the
    // library (fetched first, with `fetchModel`, from the sources the job gives).
    QString resolveModels(graph::Graph &graph, const FarmJob &job, const std::atomic_bool &interrupt)
    {
        QMap<QString, QString> hashByName;
        for (const FarmModelReference &model : job.models)
            if (!model.sha256.isEmpty())
                hashByName.insert(model.name, model.sha256);
        QStringList fetched;
        while (const std::optional<nodes::ModelReference> missing = firstMissing(graph, job, hashByName)) {
            const QString hash = hashByName.value(missing->name);
            const QString lacking =
                QStringLiteral("this worker's library has no model %1%2")
                    .arg(missing->name, hash.isEmpty() ? QString() : QStringLiteral(" (SHA-256 %1)").arg(hash));
            const auto reference = std::find_if(job.models.cbegin(), job.models.cend(), [&](const auto &model) {
                return model.name == missing->name && !model.source.isEmpty();
            });
            if (!options.fetchModel || reference == job.models.cend() || fetched.contains(missing->name))
                return lacking;
            fetched.append(missing->name);
            log(QStringLiteral("job %1: fetching %2 from %3").arg(job.id, missing->name, reference->source));
            if (const Status got = options.fetchModel(*reference, interrupt); !got)
                return QStringLiteral("%1, and fetching it from %2 failed: %3")
                    .arg(lacking, reference->source, got.error());
        }
        return {};
    }

    void process(const Delivery &delivery);
};

void FarmWorker::Private::process(const Delivery &delivery)
{
    Result<FarmJob> parsed = FarmJob::fromJson(delivery.payload);
    if (!parsed) {
        // Whatever id it claims cannot be trusted to name anything.
        deadLetter(delivery, QString(), parsed.error());
        return;
    }
    const FarmJob &job = parsed.value();
    const Result<RedisReply> status = call({"HGET", options.keys.job(job.id), "status"});
    if (status && (status->text == job_status::kCompleted || status->text == job_status::kError ||
                   status->text == job_status::kCancelled)) {
        acknowledge(delivery); // a second delivery of a job that already ended
        return;
    }
    const Result<RedisReply> cancelled = call({"SISMEMBER", options.keys.cancelled(), job.id.toUtf8()});
    if (cancelled && cancelled->integer == 1) {
        endCancelled(delivery, job.id);
        return;
    }
    const Result<RedisReply> attempts = call({"HINCRBY", options.keys.job(job.id), "attempts", "1"});
    const qint64 attempt = attempts ? attempts->integer : 1;
    if (attempt > options.maxAttempts) {
        const Result<RedisReply> lastError = call({"HGET", options.keys.job(job.id), "error"});
        deadLetter(delivery, job.id,
                   QStringLiteral("started %1 times without finishing%2")
                       .arg(attempt - 1)
                       .arg(lastError && !lastError->text.isEmpty()
                                ? QStringLiteral("; the last error: ") + QString::fromUtf8(lastError->text)
                                : QStringLiteral(" (its workers stopped answering)")));
        return;
    }

    Result<graph::Graph> graph = graph::readApiPrompt(job.graph);
    if (!graph) {
        deadLetter(delivery, job.id, QStringLiteral("the job's graph cannot be read: %1").arg(graph.error()));
        return;
    }
    std::atomic_bool cancel{false}, cancelledByUser{false};
    QString missing;
    {
        // A model fetched first may take longer than the reclaim time: the job stays claimed meanwhile, and a
        // cancel or SIGTERM stops the download.
        std::optional<Heartbeat> fetching;
        if (options.fetchModel)
            fetching.emplace(options, state(job.id, job.label), delivery.entryId, job.id, *stop, cancel,
                             cancelledByUser);
        missing = resolveModels(graph.value(), job, cancel);
    }
    if (cancelledByUser) {
        endCancelled(delivery, job.id);
        return;
    }
    if (!missing.isEmpty()) {
        handBack(delivery, job.id, missing, !*stop); // a download stopped by SIGTERM is no failed attempt
        return;
    }

    log(QStringLiteral("job %1 (%2): started, attempt %3%4")
            .arg(job.id, job.label)
            .arg(attempt)
            .arg(delivery.reclaimed ? QStringLiteral(", taken over from a worker that stopped answering") : QString()));
    (void)call({"HSET", options.keys.job(job.id), "status", job_status::kRunning, "worker", options.name.toUtf8(),
                "updated", nowMs()});
    event(job.id, {"type", "started", "attempt", QByteArray::number(attempt)});

    QElapsedTimer timer;
    timer.start();
    graph::RunOutcome outcome;
    struct Image
    {
        QString path;
        QByteArray node, data;
    };
    QList<Image> images;
    {
        const Heartbeat heartbeat(options, state(job.id, job.label), delivery.entryId, job.id, *stop, cancel,
                                  cancelledByUser);
        ProgressPublisher publisher(redis, options.keys.results(job.id), options.name.toUtf8());
        graph::RunOptions runOptions;
        runOptions.cancel = &cancel;
        runOptions.targets = job.targets;
        runOptions.editorWorkflow = job.workflow;
        for (int run = 0; run < 2; ++run) {
            outcome = executor.run(graph.value(), runOptions, &publisher);
            images.clear();
            bool allRead = true;
            for (const graph::OutputFile &file : outcome.files) {
                if (file.type != QLatin1String("output"))
                    continue;
                QFile image(file.path);
                if (!image.open(QIODevice::ReadOnly)) {
                    allRead = false;
                    break;
                }
                images.append({file.path, publisher.nodeOf(file.path).toUtf8(), image.readAll()});
            }
            if (!outcome.ok() || allRead)
                break;
            executor.clearCache(); // an output served from the cache whose file was sent and removed before
        }
    }
    for (const Image &image : images)
        QFile::remove(image.path);

    if (outcome.status == graph::RunOutcome::Status::Interrupted) {
        if (cancelledByUser)
            endCancelled(delivery, job.id);
        else
            handBack(delivery, job.id, QStringLiteral("worker %1 was stopped").arg(options.name), false);
        return;
    }
    if (!outcome.validation.nodeErrors.isEmpty() || outcome.status == graph::RunOutcome::Status::Invalid) {
        const QString errors =
            QString::fromUtf8(QJsonDocument(outcome.validation.toJson()).toJson(QJsonDocument::Compact));
        deadLetter(delivery, job.id,
                   QStringLiteral("the graph is invalid: %1 %2").arg(outcome.message, errors).trimmed());
        return;
    }
    if (!outcome.ok()) {
        const QString error =
            QStringLiteral("node %1: %2: %3").arg(outcome.failedNode, outcome.errorType, outcome.message);
        if (attempt >= options.maxAttempts)
            deadLetter(delivery, job.id, QStringLiteral("failed %1 times; the last error: %2").arg(attempt).arg(error));
        else
            handBack(delivery, job.id, error, true);
        return;
    }
    // Results first, acknowledgement last: a worker dying in between leaves the job to be run again, and the
    // images it sent carry the same names.
    for (int i = 0; i < images.size(); ++i)
        event(job.id, {"type", "image", "name", farmImageName(job.id, i + 1).toUtf8(), "node", images.at(i).node,
                       "data", images.at(i).data});
    const QByteArray seconds = QByteArray::number(timer.elapsed() / 1000.0, 'f', 3);
    (void)call({"HSET", options.keys.job(job.id), "status", job_status::kCompleted, "worker", options.name.toUtf8(),
                "seconds", seconds, "images", QByteArray::number(images.size()), "updated", nowMs()});
    event(job.id, {"type", "completed", "images", QByteArray::number(images.size()), "seconds", seconds});
    count(job.id, job_status::kCompleted);
    keepResultsForADay(job.id);
    acknowledge(delivery);
    log(QStringLiteral("job %1: completed in %2 s, %3 image(s)")
            .arg(job.id, QString::fromLatin1(seconds))
            .arg(images.size()));
}

FarmWorker::FarmWorker(WorkerOptions options, std::shared_ptr<const graph::NodeRegistry> registry,
                       nodes::NodeEnvironment environment)
    : d(std::make_unique<Private>(std::move(options), std::move(registry), std::move(environment)))
{}

FarmWorker::~FarmWorker() = default;

Status FarmWorker::run(const std::atomic_bool &stop, const std::function<void(const QString &)> &log)
{
    d->stop = &stop;
    d->log = log;
    QDir().mkpath(d->environment.outputDir);
    if (const Status connected = d->redis.connect(); !connected)
        return connected;
    if (const Status group = d->ensureGroup(); !group)
        return group;
    log(QStringLiteral("worker %1 on %2 serves %3 from %4")
            .arg(d->options.name, d->options.device, QString::fromUtf8(d->options.keys.jobs()),
                 d->options.address.shown()));
    while (!stop && (d->options.maxJobs == 0 || d->jobsEnded < d->options.maxJobs)) {
        d->noteIdle();
        const std::optional<Delivery> delivery = d->nextDelivery();
        if (!delivery)
            continue;
        d->process(*delivery);
        ++d->jobsEnded;
    }
    (void)d->redis.command({"HDEL", d->options.keys.workers(), d->options.name.toUtf8()});
    log(QStringLiteral("worker %1 left after %2 job(s)").arg(d->options.name).arg(d->jobsEnded));
    return {};
}

} // namespace atelier::farm
