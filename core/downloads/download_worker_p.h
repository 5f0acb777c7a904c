#pragma once

// The download queue's worker, which lives on the queue's own thread: it owns the network manager and every
// transfer (requests, resumption, retries with backoff, stall checks, the journal, completion). DownloadQueue
// (download_queue.cpp) is the thread-safe front that hands it jobs. A private header (`_p.h`): nothing else
// includes it, which is why it may name Qt Network.
#include "core/downloads/download_queue.h"

#include "core/downloads/file_name.h"
#include "core/hashing/content_hash.h"
#include "core/logging/log.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QStorageInfo>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace atelier::downloads {

constexpr qint64 kReadBufferBytes = 4 * 1024 * 1024;

// The .part file of a job: beside the destination file, or in the destination folder named after the URL.
inline QString partPathOf(const DownloadJob &job)
{
    const QFileInfo destination(job.destination);
    if (destination.isDir()) {
        const QString name = safeFileName(fileNameFromUrl(job.source), QStringLiteral("download-%1").arg(job.id));
        return QDir(job.destination).filePath(name + QStringLiteral(".part"));
    }
    return job.destination + QStringLiteral(".part");
}

// Retry-After as seconds or as an HTTP date (RFC 9110 10.2.3), in milliseconds; 0 when absent or unreadable.
inline int retryAfterMs(const QNetworkReply &reply)
{
    const QByteArray value = reply.rawHeader("Retry-After").trimmed();
    if (value.isEmpty())
        return 0;
    bool seconds = false;
    const qint64 delay = value.toLongLong(&seconds);
    if (seconds)
        return int(std::clamp<qint64>(delay, 0, 3600) * 1000);
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(value), Qt::RFC2822Date);
    if (!at.isValid())
        return 0;
    return int(std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0, 3600 * 1000));
}

inline bool hostMatches(const QString &host, const QStringList &domains)
{
    return std::any_of(domains.cbegin(), domains.cend(), [&](const QString &domain) {
        return host.compare(domain, Qt::CaseInsensitive) == 0 || host.endsWith(QLatin1Char('.') + domain, Qt::CaseInsensitive);
    });
}


// Lives on the queue's thread; owns the network manager and every transfer.
class DownloadWorker : public QObject
{
    Q_OBJECT
public:
    DownloadWorker(DownloadQueue &queue, DownloadQueue::Options options, DownloadJournal *journal)
        : m_queue(queue), m_options(std::move(options)), m_journal(journal)
    {
    }

public slots:
    void setUp()
    {
        m_network = new QNetworkAccessManager(this);
        m_network->setAutoDeleteReplies(false);
        m_stallCheck = new QTimer(this);
        m_stallCheck->setInterval(std::max(50, std::min(1000, m_options.stallTimeoutMs / 4)));
        connect(m_stallCheck, &QTimer::timeout, this, &DownloadWorker::checkStalls);
        m_stallCheck->start();
    }

    void add(const atelier::downloads::DownloadJob &job, const QList<DownloadEventHandler> &handlers)
    {
        auto transfer = std::make_shared<Transfer>();
        transfer->job = job;
        transfer->handlers = handlers;
        transfer->partPath = partPathOf(job);  // a restored job that is cancelled before it runs removes its part too
        m_transfers.insert(job.id, transfer);
        journal(*transfer);
        schedule();
    }

    void addHandler(int id, const DownloadEventHandler &handler)
    {
        if (const auto transfer = m_transfers.value(id))
            transfer->handlers << handler;
    }

    void clearHandlers(int id)
    {
        if (const auto transfer = m_transfers.value(id))
            transfer->handlers.clear();
    }

    void start(int id)
    {
        const auto transfer = m_transfers.value(id);
        if (!transfer || transfer->job.inTerminalState() || transfer->job.status == DownloadStatus::Running
            || transfer->job.status == DownloadStatus::Enqueued)
            return;
        transfer->job.status = DownloadStatus::Enqueued;
        transfer->attempts = 0;
        publish(*transfer);
        schedule();
    }

    void pause(int id)
    {
        const auto transfer = m_transfers.value(id);
        if (!transfer || transfer->job.inTerminalState() || transfer->job.status == DownloadStatus::Paused)
            return;
        stopTransfer(*transfer);
        transfer->job.status = DownloadStatus::Paused;  // the .part stays for a resume
        publish(*transfer);
        schedule();
    }

    void cancel(int id)
    {
        const auto transfer = m_transfers.value(id);
        if (!transfer || transfer->job.inTerminalState())
            return;
        stopTransfer(*transfer);
        finish(*transfer, DownloadStatus::Cancelled, QString(), QString());
    }

    void prune(QList<int> ids)
    {
        for (int id : ids)
            m_transfers.remove(id);
    }

    void shutDown()
    {
        for (const auto &transfer : std::as_const(m_transfers))
            stopTransfer(*transfer);  // partial files stay: the jobs can resume in a later session
        m_transfers.clear();
    }

private:
    struct Transfer
    {
        DownloadJob job;
        QNetworkReply *reply = nullptr;
        QFile part;
        QString partPath;
        QUrl currentUrl;
        int redirects = 0;
        int attempts = 0;
        qint64 resumeFrom = 0;
        bool headersSeen = false;
        qint64 lastReported = 0;
        QElapsedTimer sinceReport;
        QElapsedTimer sinceData;
        QTimer *retryTimer = nullptr;
        bool stalled = false;
        QList<DownloadEventHandler> handlers;
        std::optional<DownloadStatus> journaled;  // the status last written to the journal
        // Held while the job writes its partial file, so that no other job or process writes the same one.
        std::unique_ptr<QLockFile> partLock;
    };
    using TransferPtr = std::shared_ptr<Transfer>;

    // Handlers first (the job's, then the queue's), so that whoever waits on the job sees their effects.
    void publish(Transfer &transfer)
    {
        const DownloadJob job = transfer.job;
        for (const DownloadEventHandler &handler : std::as_const(transfer.handlers))
            handler(job);
        for (const DownloadEventHandler &handler : std::as_const(m_options.eventHandlers))
            handler(job);
        journal(transfer);
        m_queue.publish(job);
    }

    // Writes status changes, not progress: a restored job measures its .part file anyway.
    void journal(Transfer &transfer)
    {
        if (!m_journal || transfer.job.transient || transfer.journaled == transfer.job.status)
            return;
        transfer.journaled = transfer.job.status;
        if (transfer.job.inTerminalState())
            m_journal->forget(transfer.job.id);
        else
            m_journal->keep(transfer.job);
    }

    int running() const
    {
        int count = 0;
        for (const auto &transfer : m_transfers)
            count += transfer->job.status == DownloadStatus::Running ? 1 : 0;
        return count;
    }

    // Starts enqueued jobs, lowest priority first, while slots are free.
    void schedule()
    {
        while (running() < m_options.maxParallel) {
            TransferPtr next;
            for (const auto &transfer : std::as_const(m_transfers)) {
                if (transfer->job.status != DownloadStatus::Enqueued || transfer->retryTimer)
                    continue;
                if (!next || transfer->job.priority < next->job.priority
                    || (transfer->job.priority == next->job.priority && transfer->job.id < next->job.id))
                    next = transfer;
            }
            if (!next)
                return;
            begin(next);
        }
    }

    bool destinationInUse(const Transfer &transfer) const
    {
        for (const auto &other : m_transfers) {
            if (other.get() != &transfer && !other->job.inTerminalState() && other->job.status == DownloadStatus::Running
                && other->partPath == transfer.partPath)
                return true;
        }
        return false;
    }

    void begin(const TransferPtr &transfer)
    {
        DownloadJob &job = transfer->job;
        job.status = DownloadStatus::Running;
        if (!job.jobStarted.isValid())
            job.jobStarted = QDateTime::currentDateTimeUtc();
        if (job.jobSequence < 0)
            job.jobSequence = ++m_sequence;
        transfer->partPath = partPathOf(job);
        if (destinationInUse(*transfer)) {
            const QString inUse = transfer->partPath;
            transfer->partPath.clear();  // the file belongs to the other job: finishing must not remove it
            finish(*transfer, DownloadStatus::Error, QStringLiteral("Conflict"),
                   QStringLiteral("another download is already writing %1").arg(inUse));
            return;
        }
        // Another process (the window and the command line, two command lines) may write the same partial file:
        // the lock is theirs while they run, and a lock left by a process that died is taken over.
        transfer->partLock = std::make_unique<QLockFile>(transfer->partPath + QStringLiteral(".lock"));
        transfer->partLock->setStaleLockTime(0);
        if (!transfer->partLock->tryLock(0)) {
            qint64 pid = 0;
            QString host, application;
            transfer->partLock->getLockInfo(&pid, &host, &application);
            const QString inUse = transfer->partPath;
            transfer->partLock.reset();
            transfer->partPath.clear(); // the file belongs to the other process: finishing must not remove it
            finish(*transfer, DownloadStatus::Error, QStringLiteral("Conflict"),
                   QStringLiteral("another download (process %1) is already writing %2").arg(pid).arg(inUse));
            return;
        }
        transfer->currentUrl = job.source;
        transfer->redirects = 0;
        publish(*transfer);
        sendRequest(transfer);
    }

    QString validatorPath(const Transfer &transfer) const { return transfer.partPath + QStringLiteral(".json"); }

    void sendRequest(const TransferPtr &transfer)
    {
        DownloadJob &job = transfer->job;
        QNetworkRequest request(transfer->currentUrl);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Atelier/" ATELIER_VERSION));
        if (!job.accessToken.isEmpty() && sameOrigin(transfer->currentUrl, job.source)) {
            if (hostMatches(transfer->currentUrl.host(), m_options.queryTokenHosts)) {
                QUrl withToken = transfer->currentUrl;
                QUrlQuery query(withToken);
                query.removeAllQueryItems(QStringLiteral("token"));
                query.addQueryItem(QStringLiteral("token"), job.accessToken);
                withToken.setQuery(query);
                request.setUrl(withToken);
            } else {
                request.setRawHeader("Authorization", "Bearer " + job.accessToken.toUtf8());
            }
        }

        // Resume when a partial file and the validator it was fetched under are both there.
        transfer->resumeFrom = 0;
        const qint64 partSize = QFileInfo(transfer->partPath).size();
        QFile validatorFile(validatorPath(*transfer));
        if (partSize > 0 && validatorFile.open(QIODevice::ReadOnly)) {
            const QJsonObject validator = QJsonDocument::fromJson(validatorFile.readAll()).object();
            const QString etag = validator.value(QStringLiteral("etag")).toString();
            const QString lastModified = validator.value(QStringLiteral("last_modified")).toString();
            if (validator.value(QStringLiteral("url")).toString() == job.source.toString() && (!etag.isEmpty() || !lastModified.isEmpty())) {
                transfer->resumeFrom = partSize;
                request.setRawHeader("Range", "bytes=" + QByteArray::number(partSize) + "-");
                request.setRawHeader("If-Range", (etag.isEmpty() ? lastModified : etag).toUtf8());
            }
        }
        transfer->headersSeen = false;
        transfer->sinceData.start();
        transfer->sinceReport.start();
        QNetworkReply *reply = m_network->get(request);
        // Bounded buffering: when the disk is slower than the network, the socket waits instead of memory growing.
        reply->setReadBufferSize(kReadBufferBytes);
        transfer->reply = reply;
        connect(reply, &QNetworkReply::readyRead, this, [this, transfer] { receive(transfer); });
        connect(reply, &QNetworkReply::finished, this, [this, transfer] { replyFinished(transfer); });
    }

    // Status line and headers: decides append or restart, the total size, the final name.
    bool acceptHeaders(const TransferPtr &transfer)
    {
        DownloadJob &job = transfer->job;
        QNetworkReply *reply = transfer->reply;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200 && status != 206)
            return false;  // handled when the reply finishes
        transfer->headersSeen = true;
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).isValid()
            ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong()
            : -1;
        const bool appending = status == 206 && transfer->resumeFrom > 0
            && reply->rawHeader("Content-Range").startsWith("bytes " + QByteArray::number(transfer->resumeFrom) + "-");
        if (status == 206 && !appending) {
            // Part of a file where the whole was asked for, or another part than asked for: saved as the file it
            // would be corrupt. Start again from nothing.
            const QString why =
                QStringLiteral("%1 answered 206 with bytes \"%2\" to a request for %3")
                    .arg(transfer->currentUrl.host(), QString::fromLatin1(reply->rawHeader("Content-Range")),
                         transfer->resumeFrom > 0 ? QStringLiteral("bytes %1-").arg(transfer->resumeFrom)
                                                  : QStringLiteral("the whole file"));
            stopTransfer(*transfer);
            QFile::remove(transfer->partPath);
            QFile::remove(validatorPath(*transfer));
            retryOrFail(transfer, QStringLiteral("HttpError"), why, 0);
            return false;
        }
        transfer->part.setFileName(transfer->partPath);
        if (!transfer->part.open((appending ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate) | QIODevice::Unbuffered)) {
            failNow(transfer, QStringLiteral("Io"), QStringLiteral("cannot write %1: %2").arg(transfer->partPath, transfer->part.errorString()));
            return false;
        }
        job.bytes = appending ? transfer->resumeFrom : 0;
        job.totalBytes = length >= 0 ? job.bytes + length : 0;
        if (appending) {
            // "bytes 100-999/1000": the total must be what the part and the rest add up to.
            const QByteArray range = reply->rawHeader("Content-Range");
            bool known = false;
            const qint64 total = range.mid(range.lastIndexOf('/') + 1).toLongLong(&known);
            if (known && length >= 0 && total != job.totalBytes) {
                const QString why = QStringLiteral("%1 answered bytes \"%2\" with %3 bytes of body")
                                        .arg(transfer->currentUrl.host(), QString::fromLatin1(range))
                                        .arg(length);
                stopTransfer(*transfer);
                QFile::remove(transfer->partPath);
                QFile::remove(validatorPath(*transfer));
                retryOrFail(transfer, QStringLiteral("HttpError"), why, 0);
                return false;
            }
        }

        // Remember what the bytes were fetched under, so that a later resume can ask for the same file.
        QJsonObject validator{{QStringLiteral("url"), job.source.toString()},
                              {QStringLiteral("etag"), QString::fromUtf8(reply->rawHeader("ETag"))},
                              {QStringLiteral("last_modified"), QString::fromUtf8(reply->rawHeader("Last-Modified"))}};
        QFile validatorFile(validatorPath(*transfer));
        if (validatorFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
            validatorFile.write(QJsonDocument(validator).toJson(QJsonDocument::Compact));

        if (QFileInfo(job.destination).isDir()) {
            QString name = fileNameFromContentDisposition(reply->rawHeader("Content-Disposition"));
            if (name.isEmpty())
                name = fileNameFromUrl(transfer->currentUrl);
            job.downloadPath = QDir(job.destination).filePath(safeFileName(name, QStringLiteral("download-%1").arg(job.id)));
        } else {
            job.downloadPath = job.destination;
        }
        if (job.totalBytes > 0) {
            const QStorageInfo volume(QFileInfo(transfer->partPath).absolutePath());
            if (volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < job.totalBytes - job.bytes) {
                failNow(transfer, QStringLiteral("DiskFull"),
                        QStringLiteral("%1 needs %2 more bytes, and only %3 are free there")
                            .arg(job.downloadPath).arg(job.totalBytes - job.bytes).arg(volume.bytesAvailable()));
                return false;
            }
        }
        return true;
    }

    void receive(const TransferPtr &transfer)
    {
        QNetworkReply *reply = transfer->reply;
        if (!reply)
            return;
        if (!transfer->headersSeen && !acceptHeaders(transfer))
            return;
        DownloadJob &job = transfer->job;
        // Read in steps of about 1% so that a large burst still reports its progress as it is written.
        const qint64 onePercent = job.totalBytes > 0 ? std::max<qint64>(job.totalBytes / 100, 16 * 1024) : (1 << 20);
        while (reply->bytesAvailable() > 0) {
            const qint64 read = reply->read(m_buffer.data(), std::min<qint64>(qint64(m_buffer.size()), std::min(reply->bytesAvailable(), onePercent)));
            if (read <= 0)
                break;
            if (transfer->part.write(m_buffer.data(), read) != read) {
                failNow(transfer, QStringLiteral("Io"),
                        QStringLiteral("cannot write %1 (%2)").arg(transfer->partPath, transfer->part.errorString()));
                return;
            }
            job.bytes += read;
            if (job.bytes - transfer->lastReported >= onePercent || transfer->sinceReport.elapsed() >= 1000) {
                transfer->lastReported = job.bytes;
                transfer->sinceReport.restart();
                publish(*transfer);
            }
        }
        transfer->sinceData.restart();
    }

    void replyFinished(const TransferPtr &transfer)
    {
        QNetworkReply *reply = transfer->reply;
        if (!reply)
            return;  // stopped on purpose (pause, cancel, failure already reported)
        if (!transfer->headersSeen && reply->error() == QNetworkReply::NoError)
            acceptHeaders(transfer);
        if (!transfer->reply)
            return;
        receive(transfer);
        if (!transfer->reply)
            return;
        transfer->reply = nullptr;
        reply->deleteLater();
        transfer->part.close();
        DownloadJob &job = transfer->job;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();

        if (status >= 300 && status < 400 && reply->hasRawHeader("Location")) {
            if (++transfer->redirects > 10) {
                finish(*transfer, DownloadStatus::Error, QStringLiteral("HttpError"), QStringLiteral("more than 10 redirects"));
                return;
            }
            const QUrl next = transfer->currentUrl.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
            if (next.scheme() != QLatin1String("http") && next.scheme() != QLatin1String("https")) {
                finish(*transfer, DownloadStatus::Error, QStringLiteral("HttpError"),
                       QStringLiteral("%1 redirected to %2; only http and https addresses are followed")
                           .arg(transfer->currentUrl.host(), next.toDisplayString().left(200)));
                return;
            }
            transfer->currentUrl = next;
            sendRequest(transfer);
            return;
        }
        if (status == 416 && transfer->resumeFrom > 0) {
            // The server has less than we hold: the file changed. Start over.
            QFile::remove(transfer->partPath);
            QFile::remove(validatorPath(*transfer));
            sendRequest(transfer);
            return;
        }
        if (status == 429) {
            // Hubs rate-limit with 429: wait as long as they ask, then try again.
            retryOrFail(transfer, QStringLiteral("HttpError"),
                        QStringLiteral("%1 answered 429 Too Many Requests").arg(transfer->currentUrl.host()),
                        retryAfterMs(*reply));
            return;
        }
        if (status >= 400 && status < 500) {
            finish(*transfer, DownloadStatus::Error, QStringLiteral("HttpError"),
                   QStringLiteral("%1 answered %2 %3")
                       .arg(transfer->currentUrl.host())
                       .arg(status)
                       .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
            return;
        }
        const bool serverError = status >= 500;
        const bool networkError = reply->error() != QNetworkReply::NoError && !serverError;
        const bool shortBody = !serverError && !networkError && job.totalBytes > 0 && job.bytes != job.totalBytes;
        if (serverError || networkError || shortBody || transfer->stalled) {
            const bool cutShort = job.totalBytes > 0 && job.bytes < job.totalBytes;
            const QString why = transfer->stalled ? QStringLiteral("no data for %1 s").arg(m_options.stallTimeoutMs / 1000.0)
                : serverError ? QStringLiteral("%1 answered %2").arg(transfer->currentUrl.host()).arg(status)
                : cutShort    ? QStringLiteral("the connection ended after %1 of %2 bytes").arg(job.bytes).arg(job.totalBytes)
                : shortBody   ? QStringLiteral("the server sent %1 bytes but announced %2").arg(job.bytes).arg(job.totalBytes)
                              : reply->errorString();
            const QString type = transfer->stalled ? QStringLiteral("Timeout")
                : serverError                        ? QStringLiteral("HttpError")
                                                     : QStringLiteral("NetworkError");
            transfer->stalled = false;
            retryOrFail(transfer, type, why, serverError && status == 503 ? retryAfterMs(*reply) : 0);
            return;
        }
        complete(transfer);
    }

    void complete(const TransferPtr &transfer)
    {
        DownloadJob &job = transfer->job;
        if (!job.expectedSha256.isEmpty()) {
            const Result<QString> sha256 = hashing::sha256OfFile(transfer->partPath);
            if (!sha256 || sha256.value().compare(job.expectedSha256, Qt::CaseInsensitive) != 0) {
                finish(*transfer, DownloadStatus::Error, QStringLiteral("Mismatch"),
                       sha256 ? QStringLiteral("%1 has SHA-256 %2, not the expected %3").arg(job.downloadPath, sha256.value(), job.expectedSha256)
                              : sha256.error());
                return;
            }
        }
        // A name the server chose never replaces a file already in the folder ("model (2).safetensors" instead);
        // an explicit file destination is replaced, since that is what was asked for.
        if (QFileInfo(job.destination).isDir())
            job.downloadPath = unusedPath(job.downloadPath);
        // rename(2) replaces the destination atomically: readers see the old file or the whole new one.
        if (std::rename(QFile::encodeName(transfer->partPath).constData(), QFile::encodeName(job.downloadPath).constData()) != 0) {
            finish(*transfer, DownloadStatus::Error, QStringLiteral("Io"),
                   QStringLiteral("cannot move %1 to %2").arg(transfer->partPath, job.downloadPath));
            return;
        }
        QFile::remove(validatorPath(*transfer));
        if (job.totalBytes == 0)
            job.totalBytes = job.bytes;
        finish(*transfer, DownloadStatus::Completed, QString(), QString());
    }

    void retryOrFail(const TransferPtr &transfer, const QString &type, const QString &why, int serverDelayMs)
    {
        if (++transfer->attempts >= m_options.maxAttempts) {
            // The partial file and its validator stay: running the same download again resumes from them.
            finish(*transfer, DownloadStatus::Error, type,
                   QStringLiteral("%1 (gave up after %2 tries)").arg(why).arg(transfer->attempts),
                   /*keepPartial=*/true);
            return;
        }
        const int delay = std::max(serverDelayMs, m_options.retryBaseDelayMs << std::min(transfer->attempts - 1, 10));
        qCInfo(lcDownloads).noquote() << "download" << transfer->job.id << why << "- retrying in" << delay << "ms";
        transfer->job.status = DownloadStatus::Enqueued;
        transfer->retryTimer = new QTimer(this);
        transfer->retryTimer->setSingleShot(true);
        connect(transfer->retryTimer, &QTimer::timeout, this, [this, transfer] {
            transfer->retryTimer->deleteLater();
            transfer->retryTimer = nullptr;
            if (transfer->job.status == DownloadStatus::Enqueued)
                schedule();
        });
        transfer->retryTimer->start(std::min(delay, 120000));
        publish(*transfer);
        schedule();
    }

    void failNow(const TransferPtr &transfer, const QString &type, const QString &message)
    {
        stopTransfer(*transfer);
        finish(*transfer, DownloadStatus::Error, type, message);
    }

    void stopTransfer(Transfer &transfer)
    {
        if (transfer.retryTimer) {
            transfer.retryTimer->stop();
            transfer.retryTimer->deleteLater();
            transfer.retryTimer = nullptr;
        }
        if (QNetworkReply *reply = transfer.reply) {
            transfer.reply = nullptr;
            reply->abort();
            reply->deleteLater();
        }
        transfer.part.close();
        transfer.partLock.reset();
    }

    void finish(Transfer &transfer, DownloadStatus status, const QString &errorType, const QString &message,
                bool keepPartial = false)
    {
        DownloadJob &job = transfer.job;
        if (status != DownloadStatus::Completed && !keepPartial && !job.preservePartialDownloads &&
            !transfer.partPath.isEmpty() && !destinationInUse(transfer)) {
            QFile::remove(transfer.partPath);
            QFile::remove(validatorPath(transfer));
        }
        transfer.partLock.reset();
        job.status = status;
        job.errorType = errorType;
        job.errorMessage = message;
        job.jobEnded = QDateTime::currentDateTimeUtc();
        if (status == DownloadStatus::Error)
            qCWarning(lcDownloads).noquote() << "download" << job.id << "of" << job.source.toDisplayString() << "failed:" << message;
        publish(transfer);
        schedule();
    }

    void checkStalls()
    {
        for (const auto &transfer : std::as_const(m_transfers)) {
            if (transfer->reply && transfer->sinceData.isValid() && transfer->sinceData.elapsed() > m_options.stallTimeoutMs) {
                transfer->stalled = true;
                transfer->reply->abort();  // finished() follows and retries
            }
        }
    }

    DownloadQueue &m_queue;
    DownloadQueue::Options m_options;
    DownloadJournal *m_journal = nullptr;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_stallCheck = nullptr;
    QMap<int, TransferPtr> m_transfers;
    int m_sequence = 0;
    std::vector<char> m_buffer = std::vector<char>(kReadBufferBytes);  // reused for every read
};

} // namespace atelier::downloads
