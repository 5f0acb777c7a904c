#include "ui/graph/node_library_panel.h"

#include "ui/graph/add_node_popup.h"
#include "ui/graph/node_texts.h"

#include <QEvent>
#include <QHash>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

// A tree that drags node types out as their names.
class NodeTypeTree : public QTreeWidget
{
public:
    using QTreeWidget::QTreeWidget;

protected:
    QMimeData *mimeData(const QList<QTreeWidgetItem *> &items) const override
    {
        const QString type = items.isEmpty() ? QString() : items.front()->data(0, Qt::UserRole).toString();
        if (type.isEmpty())
            return nullptr;
        auto *data = new QMimeData;
        data->setData(kNodeTypeMime, type.toUtf8());
        return data;
    }
};

} // namespace

NodeLibraryPanel::NodeLibraryPanel(const graph::NodeRegistry &registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
{
    setObjectName(QStringLiteral("nodeLibraryPanel"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("nodeLibrarySearch"));
    m_search->setAccessibleName(tr("Search the node types"));
    m_search->setPlaceholderText(tr("Search nodes…"));
    m_search->setClearButtonEnabled(true);
    m_tree = new NodeTypeTree(this);
    m_tree->setObjectName(QStringLiteral("nodeLibraryTree"));
    m_tree->setAccessibleName(tr("Node types"));
    m_tree->setHeaderHidden(true);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);
    connect(m_search, &QLineEdit::textChanged, this, &NodeLibraryPanel::refill);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (const QString type = item->data(0, Qt::UserRole).toString(); !type.isEmpty())
            emit addRequested(type);
    });
    refill();
}

void NodeLibraryPanel::changeEvent(QEvent *event)
{
    // The theme changed: the greyed entries take its grey.
    if (event->type() == QEvent::PaletteChange && m_tree)
        refill();
    QWidget::changeEvent(event);
}

void NodeLibraryPanel::refill()
{
    const QString query = m_search->text().trimmed();
    m_tree->clear();
    QHash<QString, QTreeWidgetItem *> categories;
    // "latent/inpaint" is a folder in a folder, as ComfyUI's menu shows it.
    const std::function<QTreeWidgetItem *(const QString &)> folder = [&](const QString &path) -> QTreeWidgetItem * {
        if (QTreeWidgetItem *held = categories.value(path))
            return held;
        const int slash = int(path.lastIndexOf(QLatin1Char('/')));
        const QString name = nodeCategory(slash < 0 ? path : path.mid(slash + 1));
        QTreeWidgetItem *made =
            slash < 0 ? new QTreeWidgetItem(m_tree, {name}) : new QTreeWidgetItem(folder(path.left(slash)), {name});
        made->setFlags(Qt::ItemIsEnabled);
        categories.insert(path, made);
        return made;
    };
    for (const graph::NodeType *type : m_registry.types()) {
        const graph::NodeDefinition &definition = type->definition();
        if (!query.isEmpty() && nodeNameScore(query, definition) < 0 && nodeCategoryScore(query, definition) < 0)
            continue;
        const QString name = nodeName(definition);
        auto *item = new QTreeWidgetItem(
            folder(definition.category.isEmpty() ? QStringLiteral("other") : definition.category), {name});
        item->setData(0, Qt::UserRole, definition.type);
        item->setToolTip(0, nodeDescription(definition));
        if (!definition.unsupported.isEmpty())
            item->setForeground(0, palette().color(QPalette::PlaceholderText));
    }
    m_tree->sortItems(0, Qt::AscendingOrder);
    if (!query.isEmpty())
        m_tree->expandAll();
}

} // namespace atelier::ui
