#pragma once

// The canvas view: zoom to the cursor (wheel), pan (middle drag, or Space and drag), fit (F or Home), and the
// keys ComfyUI's and Blender's users expect: Tab or a double-click adds a node, Delete removes the selection,
// Ctrl+B bypasses and Ctrl+M mutes it, Ctrl+A selects everything, Ctrl+C/X/V copy, cut and paste (Ctrl+Shift+V
// with the links into the pasted nodes), Ctrl+D duplicates.
#include "core/graph/graph.h"

#include <QGraphicsView>

#include <optional>

namespace atelier::ui {

class AddNodePopup;
class GraphScene;

class GraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit GraphView(GraphScene *scene, QWidget *parent = nullptr);

    GraphScene *graphScene() const { return m_scene; }
    void fitAll();
    // Opens the node search at `scenePos`; the node chosen is added there (linked from `from` when given).
    void showAddNode(QPointF scenePos, const QString &linkType = {},
                     const std::optional<graph::OutputRef> &from = std::nullopt);
    AddNodePopup *addNodePopup() const { return m_popup; }

signals:
    // Workflow, API graph or PNG files dropped on the canvas, to be opened.
    void filesDropped(const QStringList &paths);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool focusNextPrevChild(bool next) override;

private:
    GraphScene *m_scene;
    AddNodePopup *m_popup = nullptr;
    bool m_panning = false;
    bool m_spaceHeld = false;
    bool m_fitted = true; // the whole graph is in view, until the artist zooms or pans
    QPoint m_panFrom;
};

} // namespace atelier::ui
