#include "core/gallery/gallery_service.h"

#include "core/logging/log.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QMetaObject>
#include <QSet>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <deque>
#include <mutex>

namespace atelier::gallery {

namespace {

void registerTypes()
{
    static const bool registered = [] {
        qRegisterMetaType<IndexedImage>();
        qRegisterMetaType<QList<IndexedImage>>();
        qRegisterMetaType<ScanReport>();
        qRegisterMetaType<ImageFacets>();
        return true;
    }();
    Q_UNUSED(registered);
}

// A watcher tells of changes after the fact and in bursts (a batch of eight images is eight renames): folders are
// rescanned once things have been quiet this long.
constexpr int kSettleMs = 250;
// inotify watches are a per-user resource shared with every other program: a deep folder tree is watched only
// this far, and its deeper folders are picked up by the rescans at start-up.
constexpr int kMostWatchedFoldersPerRoot = 512;
// A file changed this recently may still be being written in place (tools that do not write atomically): its
// folder is looked at again after this long.
constexpr qint64 kStillBeingWrittenMs = 2000;
// A watcher-driven rescan that changed more than this many files tells views to search again rather than sending
// each record.
constexpr int kLargestChangeSentAsRecords = 200;

bool isInside(const QString &path, const QString &folder)
{
    return path == folder || path.startsWith(folder.endsWith(QLatin1Char('/')) ? folder : folder + QLatin1Char('/'));
}

struct PendingSearch
{
    quint64 ticket;
    ImageQuery query;
    int firstPage;
};

} // namespace

class GalleryService::Worker
{
public:
    Worker(GalleryService &service, QString databasePath, QString outputsFolder)
        : service(service)
        , outputs(QDir(outputsFolder).absolutePath())
        , index(std::move(databasePath))
    {
        context.moveToThread(&thread);
        thread.setObjectName(QStringLiteral("image index"));
        thread.start();
    }

    // Runs `work` on the worker thread, after everything posted before it.
    template <typename Work> void post(Work work)
    {
        QMetaObject::invokeMethod(&context, std::move(work), Qt::QueuedConnection);
    }
    // Runs `then` on the service's thread, unless the service is gone by then.
    template <typename Then> void toService(Then then)
    {
        QMetaObject::invokeMethod(&service, std::move(then), Qt::QueuedConnection);
    }

    void open()
    {
        if (const Status opened = index.open(); !opened) {
            toService([this, why = opened.error()] { emit service.failed(why); });
            return;
        }
        watcher = new QFileSystemWatcher(&context);
        QObject::connect(watcher, &QFileSystemWatcher::directoryChanged, &context,
                         [this](const QString &changed) { noticeChange(changed); });
        settle = new QTimer(&context);
        settle->setSingleShot(true);
        settle->setInterval(kSettleMs);
        QObject::connect(settle, &QTimer::timeout, &context, [this] { rescanChanged(); });

        QDir().mkpath(outputs);
        if (const Result<QStringList> remembered = index.folders(); remembered)
            folders = remembered.value();
        folders.removeAll(outputs);
        folders.prepend(outputs);
        announceFolders();
        toService([this] { emit service.ready(); });
        // Watched first, so that nothing written while a folder is scanned is missed; searches are answered
        // between the files of a scan (a first screen does not wait for the start-up rescan).
        for (const QString &folder : std::as_const(folders)) {
            watch(folder);
            post([this, folder] {
                if (!stopping && folders.contains(folder))
                    scan(folder, false);
            });
        }
    }

    // The searches asked for so far, answered in order.
    void answerSearches()
    {
        for (;;) {
            PendingSearch next;
            {
                std::lock_guard lock(searchMutex);
                if (searches.empty())
                    return;
                next = std::move(searches.front());
                searches.pop_front();
            }
            answer(next);
        }
    }

    void answer(const PendingSearch &asked)
    {
        const ImageQuery &query = asked.query;
        const quint64 ticket = asked.ticket;
        const bool paged = asked.firstPage > 0 && (query.limit == 0 || query.limit > asked.firstPage);
        ImageQuery first = query;
        if (paged)
            first.limit = asked.firstPage;
        // Asked before the index has opened: nothing yet, and no problem to report (`ready` makes views ask again).
        if (!index.isOpen()) {
            toService([this, ticket] { emit service.searchFinished(ticket, {}, true); });
            return;
        }
        const Result<QList<IndexedImage>> found = index.search(first);
        if (!found) {
            toService([this, ticket, why = found.error()] {
                emit service.problem(why);
                emit service.searchFinished(ticket, {}, true);
            });
            return;
        }
        const bool more = paged && found->size() == asked.firstPage;
        toService([this, ticket, images = found.value(), more] { emit service.searchFinished(ticket, images, !more); });
        if (!more)
            return;
        ImageQuery rest = query;
        rest.offset = query.offset + asked.firstPage;
        rest.limit = query.limit == 0 ? 0 : query.limit - asked.firstPage;
        const Result<QList<IndexedImage>> others = index.search(rest);
        toService([this, ticket, images = others ? others.value() : QList<IndexedImage>()] {
            emit service.searchFinished(ticket, images, true);
        });
    }

    // `live`: a change noticed while running, sent as records when it is small.
    void scan(const QString &folder, bool live)
    {
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        const auto progress = [&](int done, int total) {
            answerSearches();
            if (done == total || sinceProgress.elapsed() >= 100) {
                sinceProgress.restart();
                toService([this, folder, done, total] { emit service.scanProgress(folder, done, total); });
            }
        };
        const Result<ScanReport> report = index.scanFolder(folder, progress, &stopping);
        if (!report) {
            toService([this, why = report.error()] { emit service.problem(why); });
            return;
        }
        for (const QString &failure : report->failures)
            qCWarning(lcGallery).noquote() << "not indexed:" << failure;
        ScanReport done = report.value();
        if (live && done.indexedPaths.size() <= kLargestChangeSentAsRecords) {
            sendRecords(done.indexedPaths);
            if (!done.removedPaths.isEmpty())
                toService([this, gone = done.removedPaths] { emit service.imagesRemoved(gone); });
            done.sentAsRecords = true;
        }
        // A file written in place may have been read half-written: its folder is looked at again shortly.
        const QDateTime recently = QDateTime::currentDateTimeUtc().addMSecs(-kStillBeingWrittenMs);
        for (const QString &path : std::as_const(done.indexedPaths))
            if (QFileInfo(path).lastModified().toUTC() > recently) {
                changedFolders.insert(folder);
                if (!settle->isActive())
                    settle->start(int(kStillBeingWrittenMs));
                break;
            }
        toService([this, folder, done] { emit service.scanFinished(folder, done); });
    }

    void sendRecords(const QStringList &paths)
    {
        QList<IndexedImage> records;
        for (const QString &path : paths)
            if (const auto record = index.image(path); record && record.value())
                records << *record.value();
        if (!records.isEmpty())
            toService([this, records] { emit service.imagesIndexed(records); });
    }

    void watch(const QString &folder)
    {
        if (!watcher)
            return;
        QStringList directories{folder};
        QDirIterator below(folder, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (below.hasNext() && directories.size() < kMostWatchedFoldersPerRoot)
            directories << below.next();
        const QStringList watched = watcher->directories();
        QStringList added;
        for (const QString &directory : std::as_const(directories))
            if (!watched.contains(directory))
                added << directory;
        if (!added.isEmpty())
            watcher->addPaths(added);
    }

    void unwatch(const QString &folder)
    {
        QStringList inside;
        for (const QString &directory : watcher ? watcher->directories() : QStringList())
            if (isInside(directory, folder))
                inside << directory;
        if (!inside.isEmpty())
            watcher->removePaths(inside);
    }

    void noticeChange(const QString &directory)
    {
        for (const QString &folder : std::as_const(folders))
            if (isInside(directory, folder)) {
                changedFolders.insert(folder);
                settle->start(kSettleMs);
                return;
            }
    }

    void rescanChanged()
    {
        const QSet<QString> changed = std::exchange(changedFolders, {});
        for (const QString &folder : changed) {
            if (stopping || !folders.contains(folder))
                continue;
            watch(folder); // new subfolders
            scan(folder, true);
        }
    }

    void announceFolders()
    {
        toService([this, list = folders] {
            service.m_folders = list;
            emit service.foldersChanged(list);
        });
    }

    QString folderOf(const QString &path) const
    {
        for (const QString &folder : folders)
            if (isInside(path, folder))
                return folder;
        return {};
    }

    GalleryService &service;
    const QString outputs;
    QThread thread;
    QObject context;     // lives on `thread`; the watcher and timer are its children
    ImageIndex index;    // used on `thread` only, its connection with it
    QStringList folders; // outputs first
    QFileSystemWatcher *watcher = nullptr;
    QTimer *settle = nullptr;
    QSet<QString> changedFolders;
    std::atomic_bool stopping{false};
    std::mutex searchMutex; // guards `searches`, filled from the service's thread
    std::deque<PendingSearch> searches;
};

GalleryService::GalleryService(QString databasePath, QString outputsFolder, QObject *parent)
    : QObject(parent)
    , m_outputsFolder(QDir(outputsFolder).absolutePath())
{
    registerTypes();
    m_worker = std::make_unique<Worker>(*this, std::move(databasePath), m_outputsFolder);
}

GalleryService::~GalleryService()
{
    m_worker->stopping = true;
    // The watcher and the timer belong to the worker thread: they go there. (The index's connections are closed when
    // the index goes, after the thread has stopped.)
    QMetaObject::invokeMethod(
        &m_worker->context,
        [worker = m_worker.get()] {
            delete worker->watcher;
            delete worker->settle;
            worker->watcher = nullptr;
            worker->settle = nullptr;
            worker->context.moveToThread(nullptr);
            worker->thread.quit();
        },
        Qt::QueuedConnection);
    m_worker->thread.wait();
}

void GalleryService::start()
{
    m_worker->post([worker = m_worker.get()] { worker->open(); });
}

quint64 GalleryService::search(const ImageQuery &query, int firstPage)
{
    const quint64 ticket = m_nextTicket++;
    {
        std::lock_guard lock(m_worker->searchMutex);
        m_worker->searches.push_back({ticket, query, firstPage});
    }
    m_worker->post([worker = m_worker.get()] { worker->answerSearches(); });
    return ticket;
}

void GalleryService::requestFacets()
{
    m_worker->post([worker = m_worker.get()] {
        // Asked before the index has opened (a panel showing before start()): `ready` asks again.
        if (!worker->index.isOpen())
            return;
        if (const Result<ImageFacets> facets = worker->index.facets(); facets)
            worker->toService([worker, facets = facets.value()] { emit worker->service.facetsChanged(facets); });
        else
            worker->toService([worker, why = facets.error()] { emit worker->service.problem(why); });
    });
}

void GalleryService::addFolder(const QString &folder)
{
    m_worker->post([worker = m_worker.get(), folder = QDir(folder).absolutePath()] {
        if (!worker->index.isOpen() || worker->folders.contains(folder))
            return;
        if (!QFileInfo(folder).isDir()) {
            worker->toService([worker, folder] {
                emit worker->service.problem(tr("%1 is not a folder.").arg(QDir::toNativeSeparators(folder)));
            });
            return;
        }
        for (const QString &indexed : std::as_const(worker->folders))
            if (isInside(folder, indexed) || isInside(indexed, folder)) {
                worker->toService([worker, folder, indexed] {
                    emit worker->service.problem(
                        tr("%1 is already indexed as part of %2, or holds it.")
                            .arg(QDir::toNativeSeparators(folder), QDir::toNativeSeparators(indexed)));
                });
                return;
            }
        worker->folders << folder;
        worker->announceFolders();
        worker->watch(folder);
        worker->scan(folder, false);
    });
}

void GalleryService::removeFolder(const QString &folder)
{
    m_worker->post([worker = m_worker.get(), folder = QDir(folder).absolutePath()] {
        if (folder == worker->outputs || !worker->folders.removeOne(folder))
            return;
        worker->unwatch(folder);
        if (const Status forgotten = worker->index.forgetFolder(folder); !forgotten)
            worker->toService([worker, why = forgotten.error()] { emit worker->service.problem(why); });
        worker->announceFolders();
    });
}

void GalleryService::indexFiles(const QStringList &paths)
{
    m_worker->post([worker = m_worker.get(), paths] {
        QList<IndexedImage> records;
        for (const QString &path : paths) {
            const Result<IndexedImage> indexed = worker->index.indexFile(path, worker->folderOf(path));
            if (indexed)
                records << indexed.value();
            else
                worker->toService([worker, why = indexed.error()] { emit worker->service.problem(why); });
        }
        if (!records.isEmpty())
            worker->toService([worker, records] { emit worker->service.imagesIndexed(records); });
    });
}

void GalleryService::setStarred(const QStringList &paths, bool starred)
{
    m_worker->post([worker = m_worker.get(), paths, starred] {
        for (const QString &path : paths)
            if (const Status set = worker->index.setStarred(path, starred); !set)
                worker->toService([worker, why = set.error()] { emit worker->service.problem(why); });
    });
}

void GalleryService::setRating(const QStringList &paths, int rating)
{
    m_worker->post([worker = m_worker.get(), paths, rating] {
        for (const QString &path : paths)
            if (const Status set = worker->index.setRating(path, rating); !set)
                worker->toService([worker, why = set.error()] { emit worker->service.problem(why); });
    });
}

void GalleryService::forgetImages(const QStringList &paths)
{
    m_worker->post([worker = m_worker.get(), paths] {
        QStringList gone;
        for (const QString &path : paths)
            if (worker->index.removeImage(path))
                gone << path;
        if (!gone.isEmpty())
            worker->toService([worker, gone] { emit worker->service.imagesRemoved(gone); });
    });
}

void GalleryService::waitForIdle()
{
    QMetaObject::invokeMethod(
        &m_worker->context,
        [worker = m_worker.get()] {
            if (worker->settle && worker->settle->isActive()) {
                worker->settle->stop();
                worker->rescanChanged();
            }
        },
        Qt::BlockingQueuedConnection);
}

} // namespace atelier::gallery
