#pragma once

// The node canvas for screen readers and other assistive tools. QGraphicsView exposes nothing of what it shows, so
// the view's accessible children are its nodes (named by title, described by type, run state and problems,
// selected and focused as on the canvas), and each node's children are its inputs: sockets (their type, linked or
// not) and widgets (their value, with a press action that opens the editor a click opens).
class QAccessibleInterface;
class QObject;
class QString;

namespace atelier::ui {

// For QAccessible::installFactory: the canvas's interface for a GraphView, nothing for anything else.
QAccessibleInterface *canvasAccessibleFactory(const QString &className, QObject *object);

} // namespace atelier::ui
