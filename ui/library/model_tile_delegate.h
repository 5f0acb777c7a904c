#pragma once

#include <QStyledItemDelegate>

namespace atelier::ui {

// A grid tile: the cover (or a coloured placeholder naming the type), the name, base and type, and the marks for
// missing files and duplicates. Every tile has the same size, so the grid lays out 10,000 models at once.
class ModelTileDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit ModelTileDelegate(QSize coverSize, QObject *parent = nullptr);

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QSize m_cover;
};

} // namespace atelier::ui
