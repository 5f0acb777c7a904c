#include "core/downloads/download_journal.h"

#include "core/logging/log.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace atelier::downloads {

namespace {

std::optional<DownloadStatus> statusFromString(const QString &text)
{
    for (DownloadStatus status : {DownloadStatus::Idle, DownloadStatus::Enqueued, DownloadStatus::Running, DownloadStatus::Paused,
                                  DownloadStatus::Completed, DownloadStatus::Error, DownloadStatus::Cancelled}) {
        if (toString(status) == text)
            return status;
    }
    return std::nullopt;
}

} // namespace

QByteArray toJournal(const DownloadJob &job)
{
    const QJsonObject body{
        {QStringLiteral("id"), job.id},
        {QStringLiteral("priority"), job.priority},
        {QStringLiteral("source"), job.source.toString()},
        {QStringLiteral("destination"), job.destination},
        {QStringLiteral("status"), toString(job.status)},
        {QStringLiteral("bytes"), job.bytes},
        {QStringLiteral("total_bytes"), job.totalBytes},
        {QStringLiteral("needs_access_token"), !job.accessToken.isEmpty()},
        {QStringLiteral("expected_sha256"), job.expectedSha256},
        {QStringLiteral("preserve_partial_downloads"), job.preservePartialDownloads},
        {QStringLiteral("job_started"), job.jobStarted.toString(Qt::ISODateWithMs)},
        {QStringLiteral("job_sequence"), job.jobSequence},
        {QStringLiteral("download_path"), job.downloadPath},
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

std::optional<DownloadJob> fromJournal(const QByteArray &body)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    const auto status = statusFromString(object.value(QStringLiteral("status")).toString());
    const QUrl source(object.value(QStringLiteral("source")).toString(), QUrl::StrictMode);
    const QString destination = object.value(QStringLiteral("destination")).toString();
    if (!status || !object.value(QStringLiteral("id")).isDouble() || !source.isValid() || source.isRelative() || destination.isEmpty())
        return std::nullopt;
    DownloadJob job;
    job.id = object.value(QStringLiteral("id")).toInt();
    job.priority = object.value(QStringLiteral("priority")).toInt(10);
    job.source = source;
    job.destination = destination;
    job.status = *status;
    job.bytes = object.value(QStringLiteral("bytes")).toInteger();
    job.totalBytes = object.value(QStringLiteral("total_bytes")).toInteger();
    job.expectedSha256 = object.value(QStringLiteral("expected_sha256")).toString();
    job.preservePartialDownloads = object.value(QStringLiteral("preserve_partial_downloads")).toBool();
    job.jobStarted = QDateTime::fromString(object.value(QStringLiteral("job_started")).toString(), Qt::ISODateWithMs);
    job.jobSequence = object.value(QStringLiteral("job_sequence")).toInt(-1);
    job.downloadPath = object.value(QStringLiteral("download_path")).toString();
    job.needsAccessToken = object.value(QStringLiteral("needs_access_token")).toBool();
    return job;
}

} // namespace atelier::downloads
