#pragma once

// The image index kept live for a front end that must not block: the index lives on the service's own worker
// thread (its SQLite connection with it), which rescans the outputs folder and every added folder at start-up,
// watches them (and their subfolders) for files written, renamed or deleted while Atelier runs, and answers
// searches. Every answer and change arrives as a signal on the thread the service lives on; nothing here waits
// for the worker except waitForIdle().
#include "core/gallery/image_index.h"

#include <QObject>

#include <memory>

namespace atelier::gallery {

class GalleryService : public QObject
{
    Q_OBJECT
public:
    // `outputsFolder` is always indexed and watched (it is created when missing).
    GalleryService(QString databasePath, QString outputsFolder, QObject *parent = nullptr);
    // Stops a scan between files and waits for the worker.
    ~GalleryService() override;

    // Opens the index (failed() says why it cannot be), then rescans every folder, outputs first, and watches
    // them; ready() once the index can answer, scanFinished() per folder.
    void start();
    QString outputsFolder() const { return m_outputsFolder; }
    // The folders indexed, as last heard from the worker (foldersChanged).
    QStringList folders() const { return m_folders; }

    // Answered by searchFinished with the same ticket: first up to `firstPage` images (the first screen, soon),
    // then, when more match, the rest.
    quint64 search(const ImageQuery &query, int firstPage = 300);
    void requestFacets(); // answered by facetsChanged
    void addFolder(const QString &folder);
    void removeFolder(const QString &folder); // its images leave the index; the files stay
    // Files just written (by the executor): indexed at once rather than when the watcher notices.
    void indexFiles(const QStringList &paths);
    void setStarred(const QStringList &paths, bool starred);
    void setRating(const QStringList &paths, int rating);
    // Files moved away (to the trash): out of the index at once.
    void forgetImages(const QStringList &paths);

    // Blocks until the worker has done what it was asked so far (tests, benchmarks, screenshots).
    void waitForIdle();

signals:
    void ready();
    void failed(const QString &why);
    void scanProgress(const QString &folder, int done, int total);
    void scanFinished(const QString &folder, const atelier::gallery::ScanReport &report);
    // `complete`: the last part of the answer to `ticket`.
    void searchFinished(quint64 ticket, const QList<atelier::gallery::IndexedImage> &images, bool complete);
    void facetsChanged(const atelier::gallery::ImageFacets &facets);
    void foldersChanged(const QStringList &folders);
    // New or changed files (the watcher, indexFiles, a rescan), and files that left the index.
    void imagesIndexed(const QList<atelier::gallery::IndexedImage> &images);
    void imagesRemoved(const QStringList &paths);
    // Something asked of the index that it could not do (a file unreadable, the database refusing a write).
    void problem(const QString &message);

private:
    class Worker;
    QString m_outputsFolder;
    QStringList m_folders;
    quint64 m_nextTicket = 1;
    std::unique_ptr<Worker> m_worker;
};

} // namespace atelier::gallery

Q_DECLARE_METATYPE(atelier::gallery::IndexedImage)
Q_DECLARE_METATYPE(atelier::gallery::ScanReport)
Q_DECLARE_METATYPE(atelier::gallery::ImageFacets)
