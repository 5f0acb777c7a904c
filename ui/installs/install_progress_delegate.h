#pragma once

#include <QStyledItemDelegate>

namespace atelier::ui {

// The progress column of the install queue: a progress bar with the bytes, the speed and the time left on it.
class InstallProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace atelier::ui
