#pragma once

// The canvas in miniature, in a corner of the view: every node as a box in its title's colour, and the part the
// view shows as a frame. A click or drag there moves the view. It redraws a moment after the canvas changes, so
// that a drag of many nodes does not pay for it every frame.
#include <QTimer>
#include <QTransform>
#include <QWidget>

namespace atelier::ui {

class GraphView;

class Minimap : public QWidget
{
    Q_OBJECT
public:
    explicit Minimap(GraphView &view);

    // The scene rectangle the map shows (the nodes and the view's own rectangle).
    QRectF shownArea() const;
    void scheduleUpdate();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    QTransform sceneToMap() const;
    void centreViewAt(const QPoint &mapPoint);

    GraphView &m_view;
    QTimer m_redraw;
    QTransform m_dragMap;
};

} // namespace atelier::ui
