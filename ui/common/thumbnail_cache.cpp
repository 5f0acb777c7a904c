#include "ui/common/thumbnail_cache.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QMetaObject>
#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>

#include <algorithm>
#include <vector>

namespace atelier::ui {

namespace {
// Thumbnails are small; a few hundred cover a screenful of grid many times over.
constexpr int kCachedThumbnails = 600;
// Images larger than this are not decoded at all: a hostile or absurd image must not exhaust memory.
constexpr qint64 kLargestImagePixels = qint64(16384) * 16384;
// Pruned down to this share of the cap, so that pruning is rare.
constexpr double kPruneTo = 0.8;

QImage decodeScaled(const QString &path, QSize size)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize full = reader.size();
    if (!full.isValid() || qint64(full.width()) * full.height() > kLargestImagePixels)
        return {};
    // Decoding straight to the thumbnail's size is much cheaper for JPEGs than scaling afterwards; PNG decoders
    // cannot, so those are scaled smoothly here, off the GUI thread.
    const QSize target = full.scaled(size, Qt::KeepAspectRatio).expandedTo(QSize(1, 1));
    if (reader.format() == "png") {
        const QImage image = reader.read();
        return image.isNull() ? image : image.scaled(target, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    reader.setScaledSize(target);
    return reader.read();
}
} // namespace

ThumbnailCache::ThumbnailCache(QSize thumbnailSize, QObject *parent)
    : QObject(parent)
    , m_size(thumbnailSize)
    , m_pool(new QThreadPool(this))
    , m_thumbnails(kCachedThumbnails)
{
    m_pool->setMaxThreadCount(2);
}

ThumbnailCache::~ThumbnailCache()
{
    m_pool->waitForDone();
}

void ThumbnailCache::setDiskCache(const QString &folder, qint64 maxBytes)
{
    m_diskFolder = folder;
    m_diskCap = maxBytes;
    QDir().mkpath(folder);
    m_pool->start([this] { keepUnderCap(); });
}

QString ThumbnailCache::diskPath(const QString &contentKey) const
{
    // Two-character shards keep any one folder small; the size is in the name so that a new size never reads an
    // old, smaller thumbnail.
    return QStringLiteral("%1/%2/%3-%4.jpg")
        .arg(m_diskFolder, contentKey.left(2), contentKey)
        .arg(std::max(m_size.width(), m_size.height()));
}

QPixmap ThumbnailCache::thumbnail(const QString &path, const QString &contentKey)
{
    // The same path with other contents (a file written again) is another thumbnail.
    const QString key = contentKey.isEmpty() ? path : path + QLatin1Char('#') + contentKey;
    if (path.isEmpty() || m_unreadable.contains(key))
        return {};
    if (const QPixmap *cached = m_thumbnails.object(key))
        return *cached;
    if (m_loading.contains(key))
        return {};
    m_loading.insert(key);
    const QSize size = m_size;
    const QString onDisk = m_diskFolder.isEmpty() || contentKey.size() < 8 ? QString() : diskPath(contentKey);
    QPointer<ThumbnailCache> self(this);
    m_pool->start([self, this, path, key, size, onDisk] {
        QImage image;
        if (!onDisk.isEmpty())
            image = QImage(onDisk);
        if (image.isNull()) {
            image = decodeScaled(path, size);
            // Pictures with transparency are not written: JPEG would lose it, and generated images rarely have it.
            if (!onDisk.isEmpty() && !image.isNull() && !image.hasAlphaChannel()) {
                QDir().mkpath(QFileInfo(onDisk).path());
                QSaveFile file(onDisk);
                if (file.open(QIODevice::WriteOnly) && image.save(&file, "JPG", 88) && file.commit()) {
                    m_diskBytesWritten += QFileInfo(onDisk).size();
                    if (m_diskBytesWritten > m_diskCap * (1.0 - kPruneTo) && !m_pruning.exchange(true))
                        m_pool->start([this] { keepUnderCap(); });
                }
            }
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, key, image] {
                if (self)
                    self->loaded(path, key, image);
            },
            Qt::QueuedConnection);
    });
    return {};
}

void ThumbnailCache::keepUnderCap()
{
    m_pruning = true;
    struct Entry
    {
        QString path;
        qint64 size;
        qint64 time;
    };
    std::vector<Entry> entries;
    qint64 total = 0;
    for (QDirIterator it(m_diskFolder, {QStringLiteral("*.jpg")}, QDir::Files, QDirIterator::Subdirectories);
         it.hasNext();) {
        const QFileInfo info(it.next());
        entries.push_back({info.filePath(), info.size(), info.lastModified().toMSecsSinceEpoch()});
        total += info.size();
    }
    if (m_diskCap > 0 && total > m_diskCap) {
        std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.time < b.time; });
        for (const Entry &entry : entries) {
            if (total <= m_diskCap * kPruneTo)
                break;
            if (QFile::remove(entry.path))
                total -= entry.size;
        }
    }
    m_diskBytesWritten = 0;
    m_pruning = false;
}

void ThumbnailCache::waitForLoads()
{
    m_pool->waitForDone();
}

void ThumbnailCache::loaded(const QString &path, const QString &key, const QImage &image)
{
    m_loading.remove(key);
    if (image.isNull()) {
        m_unreadable.insert(key);
        return;
    }
    m_thumbnails.insert(key, new QPixmap(QPixmap::fromImage(image)));
    emit thumbnailReady(path);
}

} // namespace atelier::ui
