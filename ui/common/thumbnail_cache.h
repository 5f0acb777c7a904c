#pragma once

#include <QCache>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QSize>
#include <QString>

#include <atomic>

class QThreadPool;

namespace atelier::ui {

// Thumbnails for the library's covers and the gallery's images. A thumbnail is decoded and scaled on a worker
// thread the first time it is asked for; until then thumbnail() returns a null pixmap, and thumbnailReady() says
// when to ask again. Thumbnails stay in a bounded memory cache; a file that cannot be decoded is remembered as such
// and not tried again.
//
// With a disk cache, a thumbnail asked for with a content key (the file's SHA-256) is also written under the
// folder, named by key and size, and read from there next time, so that a gallery of thousands opens without
// decoding them again; the folder is kept under its size cap, the oldest thumbnails going first.
class ThumbnailCache : public QObject
{
    Q_OBJECT
public:
    explicit ThumbnailCache(QSize thumbnailSize, QObject *parent = nullptr);
    ~ThumbnailCache() override;

    void setDiskCache(const QString &folder, qint64 maxBytes);
    QString diskCacheFolder() const { return m_diskFolder; }
    QSize thumbnailSize() const { return m_size; }
    // The thumbnail of the image at `path` (absolute), or a null pixmap while it loads or when it cannot be read.
    QPixmap thumbnail(const QString &path, const QString &contentKey = {});
    // Blocks until every load started so far has finished (for tests and screenshots).
    void waitForLoads();
    // Where the disk copy of a thumbnail goes.
    QString diskPath(const QString &contentKey) const;

signals:
    void thumbnailReady(const QString &path);

private:
    void loaded(const QString &path, const QString &key, const QImage &image);
    void keepUnderCap(); // on the pool

    QSize m_size;
    QThreadPool *m_pool;
    QCache<QString, QPixmap> m_thumbnails; // by path, and content key when given
    QSet<QString> m_loading;
    QSet<QString> m_unreadable;
    QString m_diskFolder;
    qint64 m_diskCap = 0;
    std::atomic<qint64> m_diskBytesWritten{0}; // since the folder was last measured
    std::atomic_bool m_pruning{false};
};

} // namespace atelier::ui
