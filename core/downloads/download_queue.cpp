#include "core/downloads/download_queue.h"
#include "core/downloads/download_worker_p.h"

#include "core/downloads/file_name.h"
#include "core/hashing/content_hash.h"
#include "core/logging/log.h"

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

QString toString(DownloadStatus status)
{
    switch (status) {
    case DownloadStatus::Idle: return QStringLiteral("idle");
    case DownloadStatus::Enqueued: return QStringLiteral("enqueued");
    case DownloadStatus::Running: return QStringLiteral("running");
    case DownloadStatus::Paused: return QStringLiteral("paused");
    case DownloadStatus::Completed: return QStringLiteral("completed");
    case DownloadStatus::Error: return QStringLiteral("error");
    case DownloadStatus::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("error");
}

bool sameOrigin(const QUrl &url, const QUrl &source)
{
    const auto port = [](const QUrl &address) {
        const QString scheme = address.scheme().toLower();
        return address.port(scheme == QLatin1String("https") ? 443 : scheme == QLatin1String("http") ? 80 : -1);
    };
    return url.scheme().compare(source.scheme(), Qt::CaseInsensitive) == 0 &&
           url.host().compare(source.host(), Qt::CaseInsensitive) == 0 && port(url) == port(source);
}

DownloadQueue::DownloadQueue(Options options, DownloadJournal *journal, QObject *parent)
    : QObject(parent)
    , m_jobs([this](const DownloadJob &job) { emit jobChanged(job); })
{
    qRegisterMetaType<DownloadJob>();
    const auto accessTokenFor = options.accessTokenFor;
    m_thread.setObjectName(QStringLiteral("downloads"));
    m_worker = new DownloadWorker(*this, std::move(options), journal);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &DownloadWorker::setUp, Qt::QueuedConnection);

    // Jobs of an earlier session come back paused, with as many bytes as their partial files hold.
    if (journal) {
        for (DownloadJob job : journal->unfinished()) {
            if (job.status != DownloadStatus::Idle)
                job.status = DownloadStatus::Paused;
            job.bytes = QFileInfo(partPathOf(job)).size();
            if (job.needsAccessToken && accessTokenFor)
                job.accessToken = accessTokenFor(job.source);
            m_jobs.restore(job);
            qCInfo(lcDownloads).noquote() << "download" << job.id << "of" << job.source.toDisplayString(QUrl::RemoveQuery)
                                          << "restored, paused at" << job.bytes << "bytes";
            QMetaObject::invokeMethod(m_worker, [worker = m_worker, job] { worker->add(job, {}); }, Qt::QueuedConnection);
        }
    }
}

DownloadQueue::~DownloadQueue()
{
    QMetaObject::invokeMethod(m_worker, &DownloadWorker::shutDown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void DownloadQueue::publish(const DownloadJob &job)
{
    m_jobs.put(job); // a pruned job stays forgotten
}

int DownloadQueue::submit(DownloadJob job, bool start, QList<DownloadEventHandler> handlers)
{
    job.status = start ? DownloadStatus::Enqueued : DownloadStatus::Idle;
    m_jobs.add(job);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, job, handlers = std::move(handlers)] { worker->add(job, handlers); }, Qt::QueuedConnection);
    return job.id;
}

int DownloadQueue::createDownloadJob(const QUrl &source, const QString &destinationFolder, const QString &fileName, bool start,
                                     int priority, const QString &accessToken, QList<DownloadEventHandler> handlers)
{
    DownloadJob job;
    job.source = source;
    // A caller's name is reduced like a server's: it can never lead outside the folder.
    job.destination = fileName.isEmpty() ? destinationFolder
                                         : QDir(destinationFolder).filePath(safeFileName(fileName, QStringLiteral("download")));
    job.priority = priority;
    job.accessToken = accessToken;
    return submit(job, start, std::move(handlers));
}

bool DownloadQueue::knows(int id) const
{
    return m_jobs.contains(id);
}

bool DownloadQueue::startJob(int id)
{
    return knows(id) && QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->start(id); }, Qt::QueuedConnection);
}

bool DownloadQueue::pauseJob(int id)
{
    return knows(id) && QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->pause(id); }, Qt::QueuedConnection);
}

bool DownloadQueue::cancelJob(int id)
{
    return knows(id) && QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->cancel(id); }, Qt::QueuedConnection);
}

bool DownloadQueue::addEventHandler(int id, DownloadEventHandler handler)
{
    return knows(id)
        && QMetaObject::invokeMethod(
               m_worker, [w = m_worker, id, handler = std::move(handler)] { w->addHandler(id, handler); }, Qt::QueuedConnection);
}

bool DownloadQueue::clearEventHandlers(int id)
{
    return knows(id) && QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->clearHandlers(id); }, Qt::QueuedConnection);
}

void DownloadQueue::startAll()
{
    for (const DownloadJob &job : listJobs())
        startJob(job.id);
}

void DownloadQueue::pauseAll()
{
    for (const DownloadJob &job : listJobs())
        pauseJob(job.id);
}

void DownloadQueue::cancelAll()
{
    for (const DownloadJob &job : listJobs())
        cancelJob(job.id);
}

std::optional<DownloadJob> DownloadQueue::jobById(int id) const
{
    return m_jobs.find(id);
}

QList<DownloadJob> DownloadQueue::listJobs() const
{
    return m_jobs.list();
}

void DownloadQueue::pruneJobs()
{
    const QList<int> pruned = m_jobs.removeWhere([](const DownloadJob &job) { return job.inTerminalState(); });
    QMetaObject::invokeMethod(m_worker, [w = m_worker, pruned] { w->prune(pruned); }, Qt::QueuedConnection);
}

bool DownloadQueue::waitForJob(int id, int timeoutMs) const
{
    return m_jobs.waitUntil(
        [id](const QMap<int, DownloadJob> &jobs) {
            const auto it = jobs.constFind(id);
            return it == jobs.constEnd() || it->inTerminalState();
        },
        timeoutMs);
}

bool DownloadQueue::join(int timeoutMs) const
{
    return m_jobs.waitUntil(
        [](const QMap<int, DownloadJob> &jobs) {
            return std::none_of(jobs.cbegin(), jobs.cend(), [](const DownloadJob &job) {
                return job.status == DownloadStatus::Enqueued || job.status == DownloadStatus::Running;
            });
        },
        timeoutMs);
}

} // namespace atelier::downloads

