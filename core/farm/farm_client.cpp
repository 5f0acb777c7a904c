#include "core/farm/farm_client.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

namespace atelier::farm {

FarmClient::FarmClient(RedisAddress address, FarmKeys keys)
    : m_redis(std::move(address))
    , m_keys(std::move(keys))
{}

Status FarmClient::connect()
{
    return m_redis.connect();
}

Status FarmClient::submit(const FarmJob &job)
{
    const Result<RedisReply> noted = m_redis.commandRetrying(
        {"HSET", m_keys.job(job.id), "status", job_status::kEnqueued, "label", job.label.toUtf8(), "submitted",
         QByteArray::number(QDateTime::currentMSecsSinceEpoch())},
        m_stop);
    if (!noted)
        return Status::failure(noted.error());
    const Result<RedisReply> added = m_redis.commandRetrying({"XADD", m_keys.jobs(), "*", "job", job.toJson()}, m_stop);
    return added ? Status() : Status::failure(added.error());
}

Status FarmClient::cancel(const QString &jobId)
{
    const Result<RedisReply> added = m_redis.commandRetrying({"SADD", m_keys.cancelled(), jobId.toUtf8()}, m_stop);
    if (!added)
        return Status::failure(added.error());
    (void)m_redis.command({"EXPIRE", m_keys.cancelled(), QByteArray::number(kResultLifetimeSeconds)});
    return {};
}

Result<QList<FarmEvent>> FarmClient::read(QMap<QString, QByteArray> &cursors, std::chrono::milliseconds wait)
{
    QList<QByteArray> arguments{"XREAD", "BLOCK", QByteArray::number(qint64(wait.count())), "STREAMS"};
    QMap<QByteArray, QString> jobOfStream;
    for (auto it = cursors.cbegin(); it != cursors.cend(); ++it) {
        arguments.append(m_keys.results(it.key()));
        jobOfStream.insert(m_keys.results(it.key()), it.key());
    }
    for (auto it = cursors.cbegin(); it != cursors.cend(); ++it)
        arguments.append(it.value());
    const Result<RedisReply> reply = m_redis.commandRetrying(arguments, m_stop, std::chrono::minutes(10), wait);
    if (!reply)
        return Result<QList<FarmEvent>>::failure(reply.error());
    QList<FarmEvent> events;
    for (const RedisReply &stream : reply->elements) {
        if (stream.elements.size() < 2)
            continue;
        const QString jobId = jobOfStream.value(stream.elements.at(0).text);
        for (const RedisReply &entry : stream.elements.at(1).elements) {
            if (entry.elements.size() < 2)
                continue;
            cursors[jobId] = entry.elements.at(0).text;
            FarmEvent event;
            event.jobId = jobId;
            const QList<QByteArray> fields = entry.elements.at(1).texts();
            for (int i = 0; i + 1 < fields.size(); i += 2)
                event.fields.insert(fields.at(i), fields.at(i + 1));
            event.type = event.fields.value("type");
            events.append(event);
        }
    }
    return events;
}

Result<FarmStatus> FarmClient::status()
{
    FarmStatus status;
    const Result<RedisReply> workers = m_redis.command({"HGETALL", m_keys.workers()});
    if (!workers)
        return Result<FarmStatus>::failure(workers.error());
    const QList<QByteArray> pairs = workers->texts();
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
        const QJsonObject state = QJsonDocument::fromJson(pairs.at(i + 1)).object();
        status.workers.append({QString::fromUtf8(pairs.at(i)), state.value(QStringLiteral("device")).toString(),
                               state.value(QStringLiteral("job")).toString(),
                               state.value(QStringLiteral("label")).toString(),
                               qint64(state.value(QStringLiteral("heartbeat")).toDouble()),
                               qint64(state.value(QStringLiteral("started")).toDouble()),
                               state.value(QStringLiteral("jobs_ended")).toInt()});
    }
    // The group's lag: entries not yet delivered to any worker; its pending count: delivered, not acknowledged.
    const Result<RedisReply> groups = m_redis.command({"XINFO", "GROUPS", m_keys.jobs()});
    if (groups) {
        for (const RedisReply &group : groups->elements) {
            const QList<RedisReply> &fields = group.elements;
            bool ours = false;
            qint64 pending = 0, lag = -1;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                const QByteArray &name = fields.at(i).text;
                if (name == "name")
                    ours = fields.at(i + 1).text == FarmKeys::group();
                else if (name == "pending")
                    pending = fields.at(i + 1).integer;
                else if (name == "lag" && fields.at(i + 1).type == RedisReply::Type::Integer)
                    lag = fields.at(i + 1).integer;
            }
            if (ours) {
                status.running = pending;
                status.waiting = std::max<qint64>(lag, 0);
            }
        }
    }
    const Result<RedisReply> stats = m_redis.command({"HGETALL", m_keys.stats()});
    if (stats) {
        const QList<QByteArray> counts = stats->texts();
        for (int i = 0; i + 1 < counts.size(); i += 2) {
            if (counts.at(i) == job_status::kCompleted)
                status.completed = counts.at(i + 1).toLongLong();
            else if (counts.at(i) == job_status::kError)
                status.deadLettered = counts.at(i + 1).toLongLong();
            else if (counts.at(i) == job_status::kCancelled)
                status.cancelled = counts.at(i + 1).toLongLong();
        }
    }
    return status;
}

Status saveFarmImage(const QString &folder, const QString &jobId, const QByteArray &name, const QByteArray &data)
{
    static const QRegularExpression imageName(QStringLiteral("^(.+)_\\d{5}\\.png$"));
    const QString fileName = QString::fromUtf8(name);
    const QRegularExpressionMatch match = imageName.match(fileName);
    if (!match.hasMatch() || match.captured(1) != jobId || !isFarmJobId(jobId))
        return Status::failure(
            QStringLiteral("the farm sent an image named \"%1\" for job %2, which is refused").arg(fileName, jobId));
    QSaveFile file(QDir(folder).filePath(fileName));
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
        return Status::failure(QStringLiteral("%1: cannot be written (%2)").arg(file.fileName(), file.errorString()));
    return {};
}

} // namespace atelier::farm
