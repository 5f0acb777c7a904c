#pragma once

// The canvas's colours: each type's (ports, links, the View menu's legend), ComfyUI's where it has one, so that
// its users read a graph at a glance; and the palette artists colour nodes and groups from, the one ComfyUI's
// canvas offers, so that colours chosen in either look the same in the other.
#include <QColor>
#include <QList>
#include <QPair>
#include <QString>

namespace atelier::ui {

QColor portColor(const QString &type);
// The types with a colour of their own, in the order the legend lists them.
QList<QPair<QString, QColor>> portLegend();

struct CanvasColor
{
    QString name;
    QString title, body; // a node's "color" and "bgcolor"
    QString group;       // a group's "color"
};
const QList<CanvasColor> &canvasPalette();

} // namespace atelier::ui
