#pragma once

#include <QCache>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QSize>
#include <QString>

class QThreadPool;

namespace atelier::ui {

// Cover thumbnails for the library views. A cover is decoded and scaled on a worker thread the first time it is
// asked for; until then cover() returns a null pixmap, and coverReady() says when to ask again. Thumbnails stay in a
// bounded cache; a file that cannot be decoded is remembered as such and not tried again.
class CoverCache : public QObject
{
    Q_OBJECT
public:
    explicit CoverCache(QSize thumbnailSize, QObject *parent = nullptr);
    ~CoverCache() override;

    QSize thumbnailSize() const { return m_size; }
    // The thumbnail of the image at `path` (absolute), or a null pixmap while it loads or when it cannot be read.
    QPixmap cover(const QString &path);
    // Blocks until every load started so far has finished (for tests and screenshots).
    void waitForLoads();

signals:
    void coverReady(const QString &path);

private:
    void loaded(const QString &path, const QImage &image);

    QSize m_size;
    QThreadPool *m_pool;
    QCache<QString, QPixmap> m_thumbnails;
    QSet<QString> m_loading;
    QSet<QString> m_unreadable;
};

} // namespace atelier::ui
