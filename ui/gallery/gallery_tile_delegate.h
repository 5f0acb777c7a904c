#pragma once

#include <QStyledItemDelegate>

namespace atelier::ui {

// A gallery tile: the thumbnail fitted into a square of the chosen size, the star and rating over its corners, the
// selection as a frame; the running run's tile shows its preview under a progress bar.
class GalleryTileDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit GalleryTileDelegate(QObject *parent = nullptr);

    void setTileSize(int pixels) { m_tile = pixels; }
    int tileSize() const { return m_tile; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_tile = 160;
};

} // namespace atelier::ui
