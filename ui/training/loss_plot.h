#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>

namespace atelier::ui {

// The training loss over the steps: each step's loss as a faint line, and its running average (over about a
// twentieth of the steps so far) as the line to read, with the axes labelled.
class LossPlot : public QWidget
{
    Q_OBJECT
public:
    explicit LossPlot(QWidget *parent = nullptr);

    void addPoint(int step, double loss);
    // Replaces every point (a resumed run's log); drops those at or after the first step that follows.
    void setPoints(const QList<QPointF> &points);
    void clear();
    const QList<QPointF> &points() const { return m_points; }
    // The average the plot draws at the last step, or NaN without points.
    double smoothedLast() const;

    QSize sizeHint() const override { return {420, 220}; }
    QSize minimumSizeHint() const override { return {200, 120}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<QPointF> smoothed() const;

    QList<QPointF> m_points;
};

} // namespace atelier::ui
