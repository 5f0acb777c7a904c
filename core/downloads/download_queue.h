#pragma once

#include "core/downloads/download_job.h"
#include "core/downloads/download_journal.h"
#include "core/jobs/job_table.h"

#include <QList>
#include <QObject>
#include <QThread>

#include <optional>

namespace atelier::downloads {

class DownloadWorker;

// Whether `url` is on the origin of `source`: the same scheme, host and port (a scheme's default port and an
// unstated one are the same). A download's access token goes there only, so that neither another host (a CDN a
// hub redirects to) nor plain http on the same host ever sees it.
bool sameOrigin(const QUrl &url, const QUrl &source);

// InvokeAI's DownloadQueueService on QtNetwork: jobs run on the queue's own thread with its own
// QNetworkAccessManager, at most `maxParallel` at once, lowest priority first. Data streams to "<name>.part",
// which is renamed into place only when it is whole (its size matches Content-Length, and its SHA-256 when one is
// expected). Pausing keeps the .part; resuming asks for the rest with Range and If-Range, and starts over when
// the server does not honour the range. Dropped connections, stalls and 5xx answers are retried with
// exponential backoff; 4xx answers are not. Redirects are followed, and the access token is never sent to
// another host. With a journal, unfinished jobs are kept in it and come back paused, with their partial files,
// when a queue is next made on it. Every public function is thread-safe and returns at once, except
// waitForJob() and join().
class DownloadQueue : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxParallel = 5;
        int maxAttempts = 5;          // tries per job before it ends in error
        int retryBaseDelayMs = 1000;  // doubled after each failed try
        int stallTimeoutMs = 60000;   // no byte for this long counts as a dropped connection
        // Hosts (and their subdomains) that take the token as "?token=" in the URL, Civitai's convention,
        // instead of an Authorization header.
        QStringList queryTokenHosts{QStringLiteral("civitai.com")};
        // Run for every job after the job's own handlers.
        QList<DownloadEventHandler> eventHandlers;
        // Gives the token for a job restored from the journal (which keeps none); may be empty.
        std::function<QString(const QUrl &source)> accessTokenFor;
    };

    // `journal`, when given, must outlive the queue.
    explicit DownloadQueue(Options options, DownloadJournal *journal = nullptr, QObject *parent = nullptr);
    explicit DownloadQueue(QObject *parent = nullptr) : DownloadQueue(Options{}, nullptr, parent) {}
    ~DownloadQueue() override;

    // Queues a job (status enqueued, or idle when !start) and returns its id. `handlers` run for this job's
    // events before the queue's own.
    int submit(DownloadJob job, bool start = true, QList<DownloadEventHandler> handlers = {});
    // The seed's create_download_job: into `destinationFolder`, named `fileName` or else by the server.
    int createDownloadJob(const QUrl &source, const QString &destinationFolder, const QString &fileName = QString(),
                          bool start = true, int priority = 10, const QString &accessToken = QString(),
                          QList<DownloadEventHandler> handlers = {});
    // Job control. Each returns false, and does nothing, for an id this queue does not know.
    bool startJob(int id);
    bool pauseJob(int id);
    bool cancelJob(int id);
    bool addEventHandler(int id, DownloadEventHandler handler);
    bool clearEventHandlers(int id);
    void startAll();
    void pauseAll();
    void cancelAll();

    std::optional<DownloadJob> jobById(int id) const;
    QList<DownloadJob> listJobs() const;
    // Forgets jobs in a terminal state.
    void pruneJobs();
    // Blocks until the job is completed, errored or cancelled, or until the timeout (ms, -1 for none); true when
    // it ended. Never call on the GUI thread.
    bool waitForJob(int id, int timeoutMs = -1) const;
    // Blocks until no job is enqueued, running or paused-by-queue, or until the timeout; true when all ended.
    bool join(int timeoutMs = -1) const;

signals:
    // Every status change, and progress about every 1% and at least once a second. Emitted from the queue's
    // thread: connect with a queued connection from GUI objects (AutoConnection does that).
    void jobChanged(const atelier::downloads::DownloadJob &job);

private:
    friend class DownloadWorker;
    void publish(const DownloadJob &job);  // called by the worker
    bool knows(int id) const;

    QThread m_thread;
    DownloadWorker *m_worker = nullptr;
    jobs::JobTable<DownloadJob> m_jobs; // snapshots, as published
};

} // namespace atelier::downloads
