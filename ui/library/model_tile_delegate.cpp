#include "ui/library/model_tile_delegate.h"

#include "ui/common/theme.h"
#include "ui/library/library_table_model.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace atelier::ui {

namespace {
constexpr int kPadding = 6;

// A stable colour per model type, so that placeholders of one type look alike.
QColor typeColour(const QString &type)
{
    return QColor::fromHsl(int(qHash(type) % 360), 90, 110);
}
}

ModelTileDelegate::ModelTileDelegate(QSize coverSize, QObject *parent) : QStyledItemDelegate(parent), m_cover(coverSize) {}

QSize ModelTileDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int line = option.fontMetrics.height();
    return {m_cover.width() + 2 * kPadding, m_cover.height() + 2 * line + 3 * kPadding};
}

void ModelTileDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect tile = option.rect.adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette &palette = option.palette;
    painter->setPen(selected ? QPen(palette.highlight().color(), 2) : QPen(palette.mid().color(), 1));
    // A tint of the selection colour under the palette's own text, readable in light and dark themes alike.
    painter->setBrush(selected ? blend(palette.base().color(), palette.highlight().color(), 0.3)
                               : palette.base().color());
    painter->drawRoundedRect(tile, 6, 6);

    const QModelIndex row = index.siblingAtColumn(LibraryTableModel::NameColumn);
    const QString type = index.siblingAtColumn(LibraryTableModel::TypeColumn).data().toString();
    const QString base = index.siblingAtColumn(LibraryTableModel::BaseColumn).data().toString();
    const QRect coverRect(tile.left() + kPadding - 2, tile.top() + kPadding - 2, m_cover.width(), m_cover.height());
    const QPixmap cover = row.data(LibraryTableModel::CoverRole).value<QPixmap>();
    if (!cover.isNull()) {
        const QSize shown = cover.size().scaled(coverRect.size(), Qt::KeepAspectRatio);
        const QRect target(coverRect.center().x() - shown.width() / 2 + 1, coverRect.center().y() - shown.height() / 2 + 1,
                           shown.width(), shown.height());
        painter->drawPixmap(target, cover);
    } else {
        QPainterPath rounded;
        rounded.addRoundedRect(coverRect, 4, 4);
        painter->fillPath(rounded, typeColour(type));
        painter->setPen(Qt::white);
        QFont big = option.font;
        big.setPointSizeF(big.pointSizeF() * 1.6);
        big.setBold(true);
        painter->setFont(big);
        painter->drawText(coverRect, Qt::AlignCenter, type.toUpper().replace(QLatin1Char('_'), QLatin1Char('\n')));
    }

    const bool missing = row.data(LibraryTableModel::MissingRole).toBool();
    const int duplicates = row.data(LibraryTableModel::DuplicateRole).toInt();
    // Words rather than symbols: every font has them.
    const QString marks = missing ? tr("missing") : duplicates > 0 ? tr("duplicate") : QString();
    if (!marks.isEmpty()) {
        QFont markFont = option.font;
        markFont.setBold(true);
        markFont.setPointSizeF(markFont.pointSizeF() * 0.85);
        painter->setFont(markFont);
        const int width = QFontMetrics(markFont).horizontalAdvance(marks) + 10;
        const QRect badge(coverRect.right() - width - 4, coverRect.top() + 4, width, QFontMetrics(markFont).height() + 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(missing ? QColor(192, 57, 43) : QColor(211, 84, 0));
        painter->drawRoundedRect(badge, 4, 4);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, marks);
    }

    const int line = option.fontMetrics.height();
    QRect text(tile.left() + kPadding, coverRect.bottom() + kPadding, tile.width() - 2 * kPadding, line);
    QFont nameFont = option.font;
    nameFont.setBold(true);
    painter->setFont(nameFont);
    painter->setPen(missing ? palette.color(QPalette::Disabled, QPalette::Text) : palette.text().color());
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(nameFont).elidedText(row.data().toString(), Qt::ElideRight, text.width()));
    text.translate(0, line);
    painter->setFont(option.font);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(QStringLiteral("%1 · %2").arg(base, type), Qt::ElideRight, text.width()));
    painter->restore();
}

} // namespace atelier::ui
