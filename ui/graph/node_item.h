#pragma once

// One node on the canvas: its title, typed ports, and the widgets of its literal inputs, painted (no child widgets,
// so that hundreds of nodes pan and zoom smoothly). It holds only the node's id and a copy of what it shows;
// every change goes through the scene to the document as an undoable edit.
#include "core/graph/graph_document.h"

#include <QGraphicsObject>
#include <QImage>

namespace atelier::ui {

class GraphScene;

class NodeItem : public QGraphicsObject
{
    Q_OBJECT
public:
    // Below this scale a node is drawn as its box and title bar only: text that small cannot be read.
    static constexpr qreal kTextScale = 0.4;
    // The smallest scale a newly opened graph is shown at: its titles and widgets comfortably readable.
    static constexpr qreal kReadableScale = 0.6;

    enum class RunState { Idle, Queued, Running, Cached, Done, Failed };

    NodeItem(GraphScene &scene, const QString &id);

    const QString &id() const { return m_id; }
    const graph::CanvasNode &node() const { return m_node; }
    // The title as drawn: the stored one, translated while it is still the type's display name.
    const QString &shownTitle() const { return m_shownTitle; }
    // Asks for a new title (double-clicking the title bar, the context menu's Rename…).
    void askForTitle();
    // Takes what the document says about the node now.
    void refresh(const graph::CanvasNode &node);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    // Where a port sits, in scene coordinates (inputs by the workflow's slot index).
    QPointF inputPort(int slot) const;
    QPointF outputPort(int slot) const;
    // The input a link dropped at `scenePoint` would feed (a socket, or a widget that becomes one), or empty.
    QString inputAt(const QPointF &scenePoint) const;
    // The output slot whose port is within reach of `scenePoint`, or -1.
    int outputAt(const QPointF &scenePoint) const;

    void setRunState(RunState state, const QString &message = {});
    void setProgress(int value, int maximum);
    void setPreview(const QImage &image);
    // Validation errors: the node's, and the inputs they concern (drawn in red), with the messages as tooltip.
    void setErrors(const QStringList &messages, const QStringList &inputs);

    // For the keyboard and assistive tools: a widget's value as drawn, where it sits, and its editor (the one a click
    // opens), placed under it; the run state in words; the validation messages.
    QList<int> shownInputs() const; // slot indexes of the inputs drawn as sockets, in row order
    QString widgetText(int index) const;
    QRectF widgetSceneRect(int index) const;
    QRectF socketSceneRect(int slot) const; // an input socket's row, its name included
    void editWidget(int index);
    QString runStateText() const;
    const QStringList &errors() const { return m_errors; }

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;

private:
    // The seed's "control after generate", shown as a widget of its own after the seed.
    static constexpr const char *kSeedControl = "control_after_generate";
    enum class Gesture { None, Move, LinkFromOutput, LinkFromInput, DragNumber };

    qreal width() const;
    bool isReroute() const;
    bool compact() const;          // drawn as a title bar alone: collapsed, or a reroute
    QRectF collapseToggle() const; // local
    int socketRows() const;
    int inputRow(int slot) const;
    QRectF widgetRect(int index) const; // local
    int widgetAt(const QPointF &local) const;
    const graph::InputSpec *specOf(const QString &input) const;
    void stepNumber(int index, double steps);
    void editWidget(int index, const QPointF &screenPos);
    void chooseOption(int index, const QPoint &screenPos);
    void paintWidget(QPainter *painter, int index) const;
    void paintPorts(QPainter *painter) const;
    const QImage &shownImage() const; // the run's preview or result, else an image input's thumbnail
    void loadThumbnail();

    GraphScene &m_scene;
    QString m_id;
    graph::CanvasNode m_node;
    QString m_shownTitle;
    qreal m_height = 0;
    qreal m_collapsedWidth = 0;
    RunState m_state = RunState::Idle;
    QString m_message;
    int m_progress = 0, m_progressMax = 0;
    QImage m_preview;
    QImage m_thumbnail;
    QString m_thumbnailOf;
    QStringList m_errors, m_errorInputs;

    Gesture m_gesture = Gesture::None;
    int m_gestureIndex = -1;
    QPointF m_pressAt;
    double m_pressValue = 0;
};

} // namespace atelier::ui
