#pragma once

// The submitting side of a farm (`atelier farm`, `atelier serve --farm`): putting jobs on the stream, following
// their result streams, cancelling, and reading the farm's state for `farm status`.
#include "core/farm/farm_job.h"
#include "core/farm/redis_connection.h"

#include <QMap>

#include <atomic>
#include <chrono>

namespace atelier::farm {

// One event of a job's result stream: "started", "executing", "progress", "image", "completed", "handed_back",
// "error" (dead-lettered) or "cancelled", with its fields ("node", "value", "max", "name", "data", "message" ...).
struct FarmEvent
{
    QString jobId;
    QByteArray type;
    QMap<QByteArray, QByteArray> fields;
};

struct FarmWorkerState
{
    QString name, device, job, label;
    qint64 heartbeatMs = 0, startedMs = 0;
    int jobsEnded = 0;
};

struct FarmStatus
{
    QList<FarmWorkerState> workers;
    qint64 waiting = 0; // on the stream, not yet taken by a worker
    qint64 running = 0; // taken, not yet acknowledged
    qint64 completed = 0, deadLettered = 0, cancelled = 0;
};

class FarmClient
{
public:
    FarmClient(RedisAddress address, FarmKeys keys);

    Status connect();
    // While Redis is away, commands wait for it (with backoff) until this flag is raised.
    void setStopFlag(const std::atomic_bool *stop) { m_stop = stop; }
    const FarmKeys &keys() const { return m_keys; }
    RedisConnection &redis() { return m_redis; }

    // Puts the job on the stream; the job's hash says "enqueued" with its label.
    Status submit(const FarmJob &job);
    // Seen by the job's worker between sampler steps, or before it starts.
    Status cancel(const QString &jobId);
    // The events after each job's cursor ("0" at first; advanced here), waiting up to `wait` for the first.
    Result<QList<FarmEvent>> read(QMap<QString, QByteArray> &cursors, std::chrono::milliseconds wait);
    Result<FarmStatus> status();

private:
    RedisConnection m_redis;
    FarmKeys m_keys;
    const std::atomic_bool *m_stop = nullptr;
};

// Writes an image a farm sent for `jobId` into `folder` under the name the job gives it (a name written twice is one
// image). Refuses any other name than the job's images' (farmImageName), so that nothing else can be overwritten.
Status saveFarmImage(const QString &folder, const QString &jobId, const QByteArray &name, const QByteArray &data);

} // namespace atelier::farm
