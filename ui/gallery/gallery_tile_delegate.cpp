#include "ui/gallery/gallery_tile_delegate.h"

#include "ui/gallery/gallery_model.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace atelier::ui {

namespace {
constexpr int kGap = 3;
const QColor kStarColour(0xf5, 0xc5, 0x18);
} // namespace

GalleryTileDelegate::GalleryTileDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

QSize GalleryTileDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const
{
    return {m_tile + 2 * kGap, m_tile + 2 * kGap};
}

void GalleryTileDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    const QRect tile = option.rect.adjusted(kGap, kGap, -kGap, -kGap);
    const QPalette &palette = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    painter->fillRect(tile, palette.color(QPalette::AlternateBase));

    const QVariant decoration = index.data(Qt::DecorationRole);
    QPixmap picture = decoration.canConvert<QPixmap>() ? decoration.value<QPixmap>() : QPixmap();
    if (picture.isNull() && decoration.canConvert<QImage>())
        picture = QPixmap::fromImage(decoration.value<QImage>());
    if (!picture.isNull()) {
        const QSize fitted = picture.size().scaled(tile.size(), Qt::KeepAspectRatio);
        const QRect target(tile.center() - QPoint(fitted.width() / 2, fitted.height() / 2), fitted);
        painter->setRenderHint(QPainter::SmoothPixmapTransform, fitted.width() < picture.width());
        painter->drawPixmap(target, picture);
    } else {
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(tile, Qt::AlignCenter | Qt::TextWordWrap, index.data(Qt::DisplayRole).toString());
    }

    if (index.data(GalleryModel::PreviewRole).toBool()) {
        const double progress = index.data(GalleryModel::ProgressRole).toDouble();
        const QRect bar(tile.left(), tile.bottom() - 5, tile.width(), 6);
        painter->fillRect(bar, QColor(0, 0, 0, 140));
        painter->fillRect(QRect(bar.topLeft(), QSize(int(bar.width() * progress), bar.height())),
                          palette.color(QPalette::Highlight));
        QRect label = tile.adjusted(0, 0, 0, -8);
        painter->setPen(Qt::white);
        painter->drawText(label, Qt::AlignBottom | Qt::AlignHCenter,
                          QCoreApplication::translate("GalleryTileDelegate", "Rendering %1%").arg(int(progress * 100)));
    }

    // The artist's marks, readable over any picture: a gold star, then the rating as small stars.
    QFont font = option.font;
    font.setPixelSize(std::max(11, m_tile / 10));
    painter->setFont(font);
    if (index.data(GalleryModel::StarredRole).toBool()) {
        const QRect badge(tile.topLeft() + QPoint(4, 2), QSize(font.pixelSize() + 6, font.pixelSize() + 6));
        painter->setPen(QColor(0, 0, 0, 160));
        painter->drawText(badge.translated(1, 1), Qt::AlignCenter, QStringLiteral("★"));
        painter->setPen(kStarColour);
        painter->drawText(badge, Qt::AlignCenter, QStringLiteral("★"));
    }
    if (const int rating = index.data(GalleryModel::RatingRole).toInt(); rating > 0) {
        const QString stars = QString(rating, QChar(0x2605));
        const QRect strip(tile.left(), tile.bottom() - font.pixelSize() - 6, tile.width() - 4, font.pixelSize() + 4);
        painter->setPen(QColor(0, 0, 0, 160));
        painter->drawText(strip.translated(1, 1), Qt::AlignRight | Qt::AlignVCenter, stars);
        painter->setPen(Qt::white);
        painter->drawText(strip, Qt::AlignRight | Qt::AlignVCenter, stars);
    }

    if (selected || (option.state & QStyle::State_HasFocus)) {
        QPen frame(palette.color(QPalette::Highlight), selected ? 3 : 1);
        painter->setPen(frame);
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(tile.adjusted(1, 1, -2, -2));
    }
    painter->restore();
}

} // namespace atelier::ui
