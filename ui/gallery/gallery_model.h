#pragma once

#include "core/gallery/gallery_service.h"

#include <QAbstractListModel>
#include <QHash>
#include <QImage>
#include <QTimer>

#include <functional>
#include <optional>

namespace atelier::ui {

class ThumbnailCache;

// The gallery's images: the index's answer to the current query, newest first unless asked otherwise, kept live
// by the service's signals (an image written appears at the top, a deleted one leaves) and, while a run renders,
// its preview as a first tile until the image is written. Thumbnails come from the cache, keyed by content hash.
class GalleryModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        PathRole = Qt::UserRole + 1,
        StarredRole,
        RatingRole,
        PreviewRole,  // true for the running run's tile
        ProgressRole, // that tile's step / steps, 0 to 1
    };

    GalleryModel(gallery::GalleryService &service, ThumbnailCache &thumbnails, QObject *parent = nullptr);

    void setQuery(const gallery::ImageQuery &query); // searched at once
    const gallery::ImageQuery &query() const { return m_query; }
    void refresh(); // the same query again
    bool isSearching() const { return m_ticket != 0; }

    // nullptr for the preview tile and rows out of range.
    const gallery::IndexedImage *image(int row) const;
    int rowOf(const QString &path) const;
    int imageCount() const { return int(m_images.size()); }

    // Optimistic: the rows change at once, the index after.
    void setStarred(const QModelIndexList &rows, bool starred);
    void setRating(const QModelIndexList &rows, int rating);
    // Rows gone (files moved to the trash), before the watcher notices.
    void takeOut(const QStringList &paths);

    void showPreview(const QImage &image, double progress);
    void endPreview();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

signals:
    // A search's first screen has arrived (`complete`: and all of it).
    void searched(bool complete);

private:
    void answered(quint64 ticket, const QList<gallery::IndexedImage> &images, bool complete);
    void indexed(const QList<gallery::IndexedImage> &images);
    void removed(const QStringList &paths);
    bool showsEveryNewImageOnTop() const;
    void reindexRows();
    // Changes the images of `rows` in place and says so; their paths.
    QStringList mark(const QModelIndexList &rows, int role, const std::function<void(gallery::IndexedImage &)> &change);
    int firstImageRow() const { return m_preview ? 1 : 0; }

    struct Preview
    {
        QImage image;
        double progress = 0;
    };

    gallery::GalleryService &m_service;
    ThumbnailCache &m_thumbnails;
    gallery::ImageQuery m_query;
    quint64 m_ticket = 0;
    bool m_firstPart = true;
    QList<gallery::IndexedImage> m_images;
    QHash<QString, int> m_rowByPath; // into m_images
    std::optional<Preview> m_preview;
    QTimer m_searchAgain; // changes the model cannot place itself: searched again, once things settle
};

} // namespace atelier::ui
