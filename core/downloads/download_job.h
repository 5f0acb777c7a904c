#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <functional>

namespace atelier::downloads {

// The statuses of the seed's DownloadJobStatus, with its string values.
enum class DownloadStatus { Idle, Enqueued, Running, Paused, Completed, Error, Cancelled };
QString toString(DownloadStatus status);

// One download: a snapshot of the queue's job, safe to copy across threads. Field names follow the seed's
// DownloadJobBase / DownloadJobRemoteSource.
struct DownloadJob
{
    int id = -1;                      // assigned by the queue
    int priority = 10;                // lower runs first
    QUrl source;
    QString destination;              // a file, or an existing folder (the name then comes from the server or URL)
    DownloadStatus status = DownloadStatus::Idle;
    qint64 bytes = 0;                 // downloaded so far
    qint64 totalBytes = 0;            // 0 until the server says
    QString accessToken;              // sent to the source's host only (a bearer token, or Civitai's ?token=)
    bool needsAccessToken = false;    // restored from the journal, which keeps no tokens: ask the token provider
    QString expectedSha256;           // when known, the file is verified and a mismatch is an error
    bool preservePartialDownloads = false;
    bool transient = false;           // never kept in the journal (an installer's temporary files, say)
    QDateTime jobStarted;
    QDateTime jobEnded;
    int jobSequence = -1;             // the order in which jobs were taken off the queue
    QString errorType;                // "HttpError", "NetworkError", "Mismatch", "Io", "Timeout" …
    QString errorMessage;
    QString downloadPath;             // the final file, once its name is known

    bool inTerminalState() const
    {
        return status == DownloadStatus::Completed || status == DownloadStatus::Error || status == DownloadStatus::Cancelled;
    }
};

// Called on the queue's thread for every status change and progress step of a job. A handler may control the
// queue (cancel, pause …) but must not wait on it.
using DownloadEventHandler = std::function<void(const DownloadJob &job)>;

} // namespace atelier::downloads

Q_DECLARE_METATYPE(atelier::downloads::DownloadJob)
