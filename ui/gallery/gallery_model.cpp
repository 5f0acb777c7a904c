#include "ui/gallery/gallery_model.h"

#include "ui/common/thumbnail_cache.h"

#include <QFileInfo>
#include <QMimeData>
#include <QPixmap>
#include <QUrl>

#include <algorithm>

namespace atelier::ui {

GalleryModel::GalleryModel(gallery::GalleryService &service, ThumbnailCache &thumbnails, QObject *parent)
    : QAbstractListModel(parent)
    , m_service(service)
    , m_thumbnails(thumbnails)
{
    m_query.limit = 0;
    m_searchAgain.setSingleShot(true);
    m_searchAgain.setInterval(300);
    connect(&m_searchAgain, &QTimer::timeout, this, &GalleryModel::refresh);
    connect(&service, &gallery::GalleryService::searchFinished, this, &GalleryModel::answered);
    connect(&service, &gallery::GalleryService::imagesIndexed, this, &GalleryModel::indexed);
    connect(&service, &gallery::GalleryService::imagesRemoved, this, &GalleryModel::removed);
    connect(&service, &gallery::GalleryService::scanFinished, this,
            [this](const QString &, const gallery::ScanReport &report) {
                if (!report.sentAsRecords && report.indexed + report.removed > 0)
                    m_searchAgain.start();
            });
    // Something the index refused (a star that could not be saved): the rows show what it holds.
    // (Not for a search that failed: that would only fail again.)
    connect(&service, &gallery::GalleryService::problem, this, [this] {
        if (!isSearching())
            m_searchAgain.start();
    });
    connect(&service, &gallery::GalleryService::foldersChanged, &m_searchAgain, qOverload<>(&QTimer::start));
    connect(&service, &gallery::GalleryService::ready, this, &GalleryModel::refresh);
    connect(&thumbnails, &ThumbnailCache::thumbnailReady, this, [this](const QString &path) {
        if (const int row = rowOf(path); row >= 0)
            emit dataChanged(index(row), index(row), {Qt::DecorationRole});
    });
}

void GalleryModel::setQuery(const gallery::ImageQuery &query)
{
    m_query = query;
    refresh();
}

void GalleryModel::refresh()
{
    m_searchAgain.stop();
    m_firstPart = true;
    m_ticket = m_service.search(m_query);
}

void GalleryModel::answered(quint64 ticket, const QList<gallery::IndexedImage> &images, bool complete)
{
    if (ticket != m_ticket)
        return; // a newer search is on its way
    if (m_firstPart) {
        beginResetModel();
        m_images = images;
        reindexRows();
        endResetModel();
    } else if (!images.isEmpty()) {
        const int first = firstImageRow() + int(m_images.size());
        beginInsertRows({}, first, first + int(images.size()) - 1);
        m_images += images;
        reindexRows();
        endInsertRows();
    }
    const bool wasFirst = std::exchange(m_firstPart, false);
    if (complete)
        m_ticket = 0;
    if (wasFirst || complete)
        emit searched(complete);
}

bool GalleryModel::showsEveryNewImageOnTop() const
{
    const gallery::ImageQuery &q = m_query;
    return q.order == gallery::ImageOrder::Newest && q.text.trimmed().isEmpty() && q.models.isEmpty() &&
           q.lora.isEmpty() && q.folder.isEmpty() && !q.until && !q.starredOnly && q.minRating == 0;
}

void GalleryModel::indexed(const QList<gallery::IndexedImage> &images)
{
    bool unplaced = false;
    for (const gallery::IndexedImage &image : images) {
        if (const int at = m_rowByPath.value(image.path, -1); at >= 0) {
            m_images[at] = image;
            const QModelIndex changed = index(firstImageRow() + at);
            emit dataChanged(changed, changed);
        } else if (showsEveryNewImageOnTop() && (!m_query.since || image.modified >= *m_query.since)) {
            // Newest first: a new image goes on top, one put back from the trash where its date says.
            const auto place =
                std::partition_point(m_images.cbegin(), m_images.cend(), [&](const gallery::IndexedImage &shown) {
                    return shown.modified > image.modified ||
                           (shown.modified == image.modified && shown.path < image.path);
                });
            const int at = int(place - m_images.cbegin());
            beginInsertRows({}, firstImageRow() + at, firstImageRow() + at);
            m_images.insert(at, image);
            reindexRows();
            endInsertRows();
        } else {
            unplaced = true;
        }
    }
    if (unplaced)
        m_searchAgain.start();
}

void GalleryModel::removed(const QStringList &paths)
{
    takeOut(paths);
}

void GalleryModel::takeOut(const QStringList &paths)
{
    for (const QString &path : paths) {
        const int at = m_rowByPath.value(path, -1);
        if (at < 0)
            continue;
        beginRemoveRows({}, firstImageRow() + at, firstImageRow() + at);
        m_images.removeAt(at);
        reindexRows();
        endRemoveRows();
    }
}

void GalleryModel::reindexRows()
{
    m_rowByPath.clear();
    m_rowByPath.reserve(m_images.size());
    for (int i = 0; i < m_images.size(); ++i)
        m_rowByPath.insert(m_images.at(i).path, i);
}

const gallery::IndexedImage *GalleryModel::image(int row) const
{
    const int at = row - firstImageRow();
    return at >= 0 && at < m_images.size() ? &m_images.at(at) : nullptr;
}

int GalleryModel::rowOf(const QString &path) const
{
    const int at = m_rowByPath.value(path, -1);
    return at < 0 ? -1 : firstImageRow() + at;
}

QStringList GalleryModel::mark(const QModelIndexList &rows, int role,
                               const std::function<void(gallery::IndexedImage &)> &change)
{
    QStringList paths;
    for (const QModelIndex &row : rows)
        if (const int at = row.row() - firstImageRow(); at >= 0 && at < m_images.size()) {
            change(m_images[at]);
            paths << m_images.at(at).path;
            emit dataChanged(row, row, {role});
        }
    return paths;
}

void GalleryModel::setStarred(const QModelIndexList &rows, bool starred)
{
    if (const QStringList paths =
            mark(rows, StarredRole, [&](gallery::IndexedImage &image) { image.starred = starred; });
        !paths.isEmpty())
        m_service.setStarred(paths, starred);
}

void GalleryModel::setRating(const QModelIndexList &rows, int rating)
{
    if (const QStringList paths = mark(rows, RatingRole, [&](gallery::IndexedImage &image) { image.rating = rating; });
        !paths.isEmpty())
        m_service.setRating(paths, rating);
}

void GalleryModel::showPreview(const QImage &image, double progress)
{
    if (!m_preview) {
        beginInsertRows({}, 0, 0);
        m_preview = Preview{image, progress};
        reindexRows();
        endInsertRows();
        return;
    }
    m_preview = Preview{image, progress};
    emit dataChanged(index(0), index(0));
}

void GalleryModel::endPreview()
{
    if (!m_preview)
        return;
    beginRemoveRows({}, 0, 0);
    m_preview.reset();
    endRemoveRows();
}

int GalleryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : firstImageRow() + int(m_images.size());
}

QVariant GalleryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (m_preview && index.row() == 0) {
        switch (role) {
        case Qt::DecorationRole:
            return m_preview->image;
        case PreviewRole:
            return true;
        case ProgressRole:
            return m_preview->progress;
        case Qt::ToolTipRole:
            return tr("Rendering…");
        default:
            return {};
        }
    }
    const gallery::IndexedImage *shown = image(index.row());
    if (!shown)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return QFileInfo(shown->path).fileName();
    case Qt::DecorationRole:
        return m_thumbnails.thumbnail(shown->path, shown->sha256);
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("<b>%1</b>").arg(QFileInfo(shown->path).fileName().toHtmlEscaped());
        if (shown->recipe.prompt)
            tip += QStringLiteral("<br>") + shown->recipe.prompt->left(300).toHtmlEscaped();
        if (shown->recipe.model)
            tip += QStringLiteral("<br><i>%1</i>").arg(shown->recipe.model->name.toHtmlEscaped());
        return tip;
    }
    case PathRole:
        return shown->path;
    case StarredRole:
        return shown->starred;
    case RatingRole:
        return shown->rating;
    case PreviewRole:
        return false;
    default:
        return {};
    }
}

Qt::ItemFlags GalleryModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractListModel::flags(index);
    if (image(index.row()))
        flags |= Qt::ItemIsDragEnabled;
    else if (index.isValid())
        flags &= ~Qt::ItemIsSelectable;
    return flags;
}

QStringList GalleryModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list")};
}

QMimeData *GalleryModel::mimeData(const QModelIndexList &indexes) const
{
    // Files, as a file manager drags them: dropped on a folder they are copied, on another app opened.
    QList<QUrl> urls;
    for (const QModelIndex &index : indexes)
        if (const gallery::IndexedImage *shown = image(index.row()))
            urls << QUrl::fromLocalFile(shown->path);
    if (urls.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setUrls(urls);
    return mime;
}

} // namespace atelier::ui
