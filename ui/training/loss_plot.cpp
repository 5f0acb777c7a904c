#include "ui/training/loss_plot.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace atelier::ui {

LossPlot::LossPlot(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("lossPlot"));
    setAccessibleName(tr("Training loss"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LossPlot::addPoint(int step, double loss)
{
    while (!m_points.isEmpty() && m_points.last().x() >= step)
        m_points.removeLast(); // a resumed run goes back to its checkpoint
    m_points.append(QPointF(step, loss));
    update();
}

void LossPlot::setPoints(const QList<QPointF> &points)
{
    m_points = points;
    update();
}

void LossPlot::clear()
{
    m_points.clear();
    update();
}

QList<QPointF> LossPlot::smoothed() const
{
    QList<QPointF> average;
    const int window = std::max<int>(1, int(m_points.size()) / 20);
    double sum = 0;
    for (int i = 0; i < m_points.size(); ++i) {
        sum += m_points[i].y();
        if (i >= window)
            sum -= m_points[i - window].y();
        average.append(QPointF(m_points[i].x(), sum / std::min(i + 1, window)));
    }
    return average;
}

double LossPlot::smoothedLast() const
{
    const QList<QPointF> average = smoothed();
    return average.isEmpty() ? std::numeric_limits<double>::quiet_NaN() : average.last().y();
}

void LossPlot::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QFontMetrics metrics(font());
    const QRectF area = QRectF(rect()).adjusted(metrics.horizontalAdvance(QStringLiteral("00.00")) + 12, 10, -12,
                                                -metrics.height() - 10);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(area);
    if (m_points.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter, tr("The loss appears here as the steps run"));
        return;
    }
    double low = m_points.first().y(), high = low;
    for (const QPointF &point : m_points) {
        low = std::min(low, point.y());
        high = std::max(high, point.y());
    }
    low = std::max(0.0, low - 0.05 * (high - low));
    if (high - low < 1e-9)
        high = low + 1;
    const double firstStep = m_points.first().x(), lastStep = std::max(firstStep + 1, m_points.last().x());
    const auto place = [&](const QPointF &point) {
        return QPointF(area.left() + (point.x() - firstStep) / (lastStep - firstStep) * area.width(),
                       area.bottom() - (point.y() - low) / (high - low) * area.height());
    };
    const auto line = [&](const QList<QPointF> &points) {
        QPainterPath path(place(points.first()));
        for (const QPointF &point : points)
            path.lineTo(place(point));
        return path;
    };
    QColor raw = palette().color(QPalette::Highlight);
    raw.setAlpha(70);
    painter.setPen(QPen(raw, 1));
    painter.drawPath(line(m_points));
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.drawPath(line(smoothed()));

    painter.setPen(palette().color(QPalette::Text));
    const int textWidth = int(area.left()) - 6;
    painter.drawText(QRectF(0, area.top() - metrics.height() / 2.0, textWidth, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, QLocale().toString(high, 'f', 2));
    painter.drawText(QRectF(0, area.bottom() - metrics.height() / 2.0, textWidth, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, QLocale().toString(low, 'f', 2));
    const QRectF below(area.left(), area.bottom() + 4, area.width(), metrics.height());
    painter.drawText(below, Qt::AlignLeft, tr("step %1").arg(int(firstStep)));
    painter.drawText(below, Qt::AlignRight, tr("step %1").arg(int(lastStep)));
    painter.drawText(below, Qt::AlignHCenter, tr("loss (line: running average)"));
}

} // namespace atelier::ui
