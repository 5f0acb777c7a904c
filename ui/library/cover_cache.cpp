#include "ui/library/cover_cache.h"

#include <QImage>
#include <QImageReader>
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

namespace atelier::ui {

namespace {
// Thumbnails are small; a few hundred cover a screenful of grid many times over.
constexpr int kCachedThumbnails = 600;
// Images larger than this are not decoded at all: a hostile or absurd "cover" must not exhaust memory.
constexpr qint64 kLargestCoverPixels = qint64(16384) * 16384;
}

CoverCache::CoverCache(QSize thumbnailSize, QObject *parent)
    : QObject(parent), m_size(thumbnailSize), m_pool(new QThreadPool(this)), m_thumbnails(kCachedThumbnails)
{
    m_pool->setMaxThreadCount(2);
}

CoverCache::~CoverCache()
{
    m_pool->waitForDone();
}

QPixmap CoverCache::cover(const QString &path)
{
    if (path.isEmpty() || m_unreadable.contains(path))
        return {};
    if (const QPixmap *cached = m_thumbnails.object(path))
        return *cached;
    if (m_loading.contains(path))
        return {};
    m_loading.insert(path);
    const QSize size = m_size;
    QPointer<CoverCache> self(this);
    m_pool->start([self, path, size] {
        QImageReader reader(path);
        reader.setAutoTransform(true);
        QImage image;
        const QSize full = reader.size();
        if (full.isValid() && qint64(full.width()) * full.height() <= kLargestCoverPixels) {
            // Decoding straight to the thumbnail's size is much cheaper for JPEGs than scaling afterwards.
            reader.setScaledSize(full.scaled(size, Qt::KeepAspectRatio));
            image = reader.read();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, image] {
                if (self)
                    self->loaded(path, image);
            },
            Qt::QueuedConnection);
    });
    return {};
}

void CoverCache::waitForLoads()
{
    m_pool->waitForDone();
}

void CoverCache::loaded(const QString &path, const QImage &image)
{
    m_loading.remove(path);
    if (image.isNull()) {
        m_unreadable.insert(path);
        return;
    }
    m_thumbnails.insert(path, new QPixmap(QPixmap::fromImage(image)));
    emit coverReady(path);
}

} // namespace atelier::ui
