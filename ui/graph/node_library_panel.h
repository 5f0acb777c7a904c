#pragma once

// The node library: every node type by category, searchable, for those who browse rather than type. A type is
// added to the current workflow by double-click (at the centre of the view) or by dragging it onto the canvas.
#include "core/graph/node_type.h"

#include <QWidget>

class QLineEdit;
class QTreeWidget;

namespace atelier::ui {

// What a node type dragged from the library carries.
inline const QString kNodeTypeMime = QStringLiteral("application/x-atelier-node-type");

class NodeLibraryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit NodeLibraryPanel(const graph::NodeRegistry &registry, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QTreeWidget *tree() const { return m_tree; }

signals:
    void addRequested(const QString &type);

protected:
    void changeEvent(QEvent *event) override;

private:
    void refill();

    const graph::NodeRegistry &m_registry;
    QLineEdit *m_search = nullptr;
    QTreeWidget *m_tree = nullptr;
};

} // namespace atelier::ui
