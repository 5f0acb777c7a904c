#include "ui/installs/install_progress_delegate.h"

#include "ui/installs/install_job_model.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace atelier::ui {

void InstallProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const double progress = index.data(InstallJobModel::ProgressRole).toDouble();
    const QString status = index.data(InstallJobModel::StatusRole).toString();
    const bool underWay = status == QLatin1String("downloading") || status == QLatin1String("paused")
        || status == QLatin1String("running") || (index.parent().isValid() && progress >= 0);
    if (!underWay) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.state = option.state | QStyle::State_Horizontal;
    bar.direction = option.direction;
    bar.fontMetrics = option.fontMetrics;
    bar.palette = option.palette;
    bar.minimum = 0;
    bar.maximum = progress < 0 ? 0 : 1000;  // 0..0 draws a busy bar: size unknown
    bar.progress = progress < 0 ? 0 : int(progress * 1000);
    bar.text = index.data(InstallJobModel::ProgressTextRole).toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

QSize InstallProgressDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), 320));
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 10));
    return size;
}

} // namespace atelier::ui
