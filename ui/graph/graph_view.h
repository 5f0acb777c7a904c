#pragma once

// The canvas view: zoom to the cursor (wheel), pan (middle drag, or Space and drag), fit (F or Home: the selection,
// or everything), a minimap in the corner, and the keys ComfyUI's and Blender's users expect: Tab or a double-click
// adds a node, Delete removes the selection, Ctrl+B bypasses and Ctrl+M mutes it, Alt+C collapses it, Ctrl+G groups
// it, Ctrl+A selects everything, Ctrl+C/X/V copy, cut and paste (Ctrl+Shift+V with the links into the pasted
// nodes), Ctrl+D duplicates. Ctrl+drag (left, or right as in Blender) across links cuts them; a double-click on a
// link puts a reroute point on it. Without a mouse: the arrow keys choose the nearest node that way, Enter lists
// its inputs to edit, F6 and Shift+F6 leave the canvas (Tab stays the node search); assistive tools see the nodes
// and their inputs (canvas_accessibility.h).
#include "core/graph/graph.h"

#include <QGraphicsView>

class QGraphicsLineItem;

#include <optional>

namespace atelier::ui {

class AddNodePopup;
class GraphScene;
class Minimap;

class GraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit GraphView(GraphScene *scene, QWidget *parent = nullptr);

    GraphScene *graphScene() const { return m_scene; }
    // Everything: the whole graph, however small that makes it. Readable: the whole graph, but never smaller than
    // the scale at which titles and widgets are drawn (a graph opened in a small canvas shows its middle, legibly).
    enum class Fit { Everything, Readable };
    void fitAll(Fit fit = Fit::Everything);
    void fitSelection(); // the selected nodes, or everything when none is
    void panTo(QPointF sceneCentre);

    // The Edit menu's actions, on the selection (the canvas's keys do the same).
    void copySelection();
    void cutSelection();
    void pasteAtCursor(bool keepInputLinks);
    void duplicateSelection();
    void selectAll();
    Minimap *minimap() const { return m_minimap; }
    // Opens the node search at `scenePos`; the node chosen is added there (linked from `from` when given).
    void showAddNode(QPointF scenePos, const QString &linkType = {},
                     const std::optional<graph::OutputRef> &from = std::nullopt);
    AddNodePopup *addNodePopup() const { return m_popup; }

signals:
    // Workflows, API graphs or images dropped on the canvas at `scenePos`: to open, or to load by a LoadImage node.
    void filesDropped(const QStringList &paths, QPointF scenePos);
    // Something to tell the artist (the status line shows it).
    void message(const QString &text);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool focusNextPrevChild(bool next) override;
    void changeEvent(QEvent *event) override;

private:
    void selectNeighbour(int key);
    void showInputsMenu();

    GraphScene *m_scene;
    AddNodePopup *m_popup = nullptr;
    Minimap *m_minimap = nullptr;
    QGraphicsLineItem *m_cutStroke = nullptr; // while Ctrl-dragging across links
    bool m_panning = false;
    bool m_spaceHeld = false;
    bool m_fitted = true; // the view follows m_fit on resizes, until the artist zooms or pans
    Fit m_fit = Fit::Everything;
    QPoint m_panFrom;
};

} // namespace atelier::ui
