#pragma once

// The colour of each type on the canvas (ports, links, the View menu's legend), ComfyUI's where it has one, so that
// its users read a graph at a glance.
#include <QColor>
#include <QList>
#include <QPair>
#include <QString>

namespace atelier::ui {

QColor portColor(const QString &type);
// The types with a colour of their own, in the order the legend lists them.
QList<QPair<QString, QColor>> portLegend();

} // namespace atelier::ui
