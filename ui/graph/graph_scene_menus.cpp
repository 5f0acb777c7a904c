// The canvas's right-click menus: on nodes (what applies to the selection), on groups, and on the empty canvas.
#include "ui/graph/graph_scene.h"
#include "ui/graph/group_item.h"
#include "ui/graph/node_item.h"
#include "ui/graph/port_colors.h"

#include <QClipboard>
#include <QGraphicsSceneContextMenuEvent>
#include <QGuiApplication>
#include <QInputDialog>
#include <QMenu>
#include <QPainter>

namespace atelier::ui {

namespace {

QIcon swatch(const QString &color)
{
    QPixmap square(14, 14);
    square.fill(QColor(color));
    return QIcon(square);
}

} // namespace

void GraphScene::contextMenuEvent(QGraphicsSceneContextMenuEvent *event)
{
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (auto *node = dynamic_cast<NodeItem *>(item)) {
            if (!node->isSelected()) { // the menu acts on what is selected: the node clicked, unless it is part of it
                clearSelection();
                node->setSelected(true);
            }
            showNodeMenu(event);
            return;
        }
        if (auto *group = dynamic_cast<GroupItem *>(item)) {
            showGroupMenu(*group, event);
            return;
        }
    }
    showCanvasMenu(event);
}

void GraphScene::showNodeMenu(QGraphicsSceneContextMenuEvent *event)
{
    const QStringList ids = selectedNodeIds();
    const NodeItem *first = m_nodes.value(ids.value(0));
    if (!first)
        return;
    QMenu menu;
    if (ids.size() == 1)
        menu.addAction(tr("Rename…"), [&] {
            if (NodeItem *node = m_nodes.value(ids.front())) // still there when the menu closed
                node->askForTitle();
        });
    QMenu *colours = menu.addMenu(tr("Colour"));
    colours->addAction(tr("No colour"), [this] { setColorOfSelected({}, {}); });
    for (const CanvasColor &color : canvasPalette())
        colours->addAction(swatch(color.body), color.name,
                           [this, color] { setColorOfSelected(color.title, color.body); });
    const bool collapsed = first->node().collapsed;
    menu.addAction(collapsed ? tr("Expand") : tr("Collapse"),
                   [this, collapsed] { setCollapsedOfSelected(!collapsed); });
    menu.addSeparator();
    menu.addAction(tr("Bypass\tCtrl+B"), [this] { setModeOfSelected(graph::NodeMode::Bypassed); });
    menu.addAction(tr("Mute\tCtrl+M"), [this] { setModeOfSelected(graph::NodeMode::Muted); });
    menu.addSeparator();
    QMenu *align = menu.addMenu(tr("Align"));
    align->addAction(tr("To the grid"), [this] { alignSelected(Alignment::Grid); });
    align->addAction(tr("Left edges"), [this] { alignSelected(Alignment::LeftEdges); });
    align->addAction(tr("Top edges"), [this] { alignSelected(Alignment::TopEdges); });
    menu.addAction(tr("Group\tCtrl+G"), [this] { groupSelected(tr("Group")); });
    menu.addSeparator();
    menu.addAction(ids.size() == 1 ? tr("Delete\tDel") : tr("Delete %n nodes\tDel", nullptr, int(ids.size())),
                   [this] { removeSelected(); });
    menu.exec(event->screenPos());
}

void GraphScene::showGroupMenu(GroupItem &group, QGraphicsSceneContextMenuEvent *event)
{
    const graph::CanvasGroup shown = group.group();
    QMenu menu;
    menu.addAction(tr("Rename group…"), [&] {
        bool ok = false;
        const QString title =
            QInputDialog::getText(nullptr, tr("Rename group"), tr("Title:"), QLineEdit::Normal, shown.title, &ok);
        if (ok)
            edit(tr("Rename group"), [&] { m_document.setGroupTitle(shown.index, title); });
    });
    QMenu *colours = menu.addMenu(tr("Colour"));
    for (const CanvasColor &color : canvasPalette())
        colours->addAction(swatch(color.group), color.name, [&, color] {
            edit(tr("Colour group"), [&] { m_document.setGroupColor(shown.index, color.group); });
        });
    menu.addAction(tr("Select its nodes"), [&] {
        clearSelection();
        for (const QString &id : m_document.nodesInGroup(shown.index))
            if (NodeItem *node = m_nodes.value(id))
                node->setSelected(true);
    });
    menu.addSeparator();
    menu.addAction(tr("Remove group (keep its nodes)"),
                   [&] { edit(tr("Remove group"), [&] { m_document.removeGroup(shown.index); }); });
    menu.exec(event->screenPos());
}

void GraphScene::showCanvasMenu(QGraphicsSceneContextMenuEvent *event)
{
    const QPointF at = event->scenePos();
    QMenu menu;
    menu.addAction(tr("Add node…\tTab"), [&] { emit addNodeRequested(at); });
    menu.addAction(tr("Add group"), [&] {
        edit(tr("Add group"), [&] { m_document.addGroup(tr("Group"), QRectF(at, QSizeF(400, 300))); });
    });
    if (!selectedNodeIds().isEmpty())
        menu.addAction(tr("Group selected nodes\tCtrl+G"), [this] { groupSelected(tr("Group")); });
    QAction *pasteHere =
        menu.addAction(tr("Paste\tCtrl+V"), [&] { paste(QGuiApplication::clipboard()->text().toUtf8(), at, false); });
    pasteHere->setEnabled(!QGuiApplication::clipboard()->text().isEmpty());
    menu.exec(event->screenPos());
}

} // namespace atelier::ui
