#include "ui/graph/add_node_popup.h"

#include "ui/graph/node_texts.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace atelier::ui {

int fuzzyScore(const QString &query, const QString &text)
{
    if (query.isEmpty())
        return 0;
    int score = 0, at = 0, run = 0;
    for (const QChar wanted : query) {
        if (wanted.isSpace())
            continue;
        const int found = int(text.indexOf(wanted, at, Qt::CaseInsensitive));
        if (found < 0)
            return -1;
        run = found == at ? run + 1 : 0;
        const bool wordStart =
            found == 0 || !text.at(found - 1).isLetter() || (text.at(found).isUpper() && text.at(found - 1).isLower());
        score += 1 + run * 3 + (wordStart ? 4 : 0) - std::min(found - at, 5);
        at = found + 1;
    }
    return score;
}

int nodeNameScore(const QString &query, const graph::NodeDefinition &definition)
{
    return std::max({fuzzyScore(query, definition.type), fuzzyScore(query, definition.displayName),
                     fuzzyScore(query, nodeName(definition))});
}

int nodeCategoryScore(const QString &query, const graph::NodeDefinition &definition)
{
    return std::max(fuzzyScore(query, definition.category), fuzzyScore(query, nodeCategory(definition.category)));
}

AddNodePopup::AddNodePopup(const graph::NodeRegistry &registry, const QHash<QString, int> &uses, QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_registry(registry)
    , m_uses(uses)
{
    setObjectName(QStringLiteral("addNodePopup"));
    setFrameShape(QFrame::StyledPanel);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("addNodeSearch"));
    m_search->setPlaceholderText(tr("Search nodes…"));
    m_search->installEventFilter(this);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("addNodeList"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    resize(360, 380);
    connect(m_search, &QLineEdit::textChanged, this, &AddNodePopup::refill);
    connect(m_list, &QListWidget::itemActivated, this, &AddNodePopup::choose);
    refill();
}

void AddNodePopup::setLinkType(const QString &type)
{
    m_linkType = type;
    refill();
}

QStringList AddNodePopup::listed() const
{
    QStringList types;
    for (int row = 0; row < m_list->count(); ++row)
        types.append(m_list->item(row)->data(Qt::UserRole).toString());
    return types;
}

void AddNodePopup::refill()
{
    struct Candidate
    {
        const graph::NodeDefinition *definition;
        int score;
    };
    const QString query = m_search->text().trimmed();
    std::vector<Candidate> candidates;
    for (const graph::NodeType *type : m_registry.types()) {
        const graph::NodeDefinition &definition = type->definition();
        if (!m_linkType.isEmpty() &&
            std::none_of(definition.inputs.begin(), definition.inputs.end(),
                         [&](const graph::InputSpec &input) { return graph::typesConnect(m_linkType, input.type); }))
            continue;
        const int score = std::max(nodeNameScore(query, definition), nodeCategoryScore(query, definition) - 4);
        if (score < 0)
            continue;
        // Deprecated types last; then the most used; then the shorter of two names matched as well.
        const int deprecated = definition.displayName.contains(QStringLiteral("DEPRECATED")) ? 1 : 0;
        candidates.push_back({&definition, (score - deprecated * 1000) * 10000 +
                                               std::min(m_uses.value(definition.type), 99) * 100 -
                                               std::min<int>(int(definition.type.size()), 99)});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
    m_list->clear();
    for (const Candidate &candidate : candidates) {
        const graph::NodeDefinition &definition = *candidate.definition;
        auto *item = new QListWidgetItem(
            QStringLiteral("%1    %2").arg(nodeName(definition), nodeCategory(definition.category)), m_list);
        item->setData(Qt::UserRole, definition.type);
        item->setToolTip(nodeDescription(definition));
        if (!definition.unsupported.isEmpty())
            item->setForeground(palette().color(QPalette::PlaceholderText));
    }
    m_list->setCurrentRow(0);
}

void AddNodePopup::choose()
{
    if (const QListWidgetItem *item = m_list->currentItem()) {
        const QString type = item->data(Qt::UserRole).toString();
        hide();
        emit chosen(type);
    }
}

bool searchListKey(QListWidget &list, const QKeyEvent &key, const std::function<void()> &choose,
                   const std::function<void()> &dismiss)
{
    if (key.key() == Qt::Key_Down || key.key() == Qt::Key_Up) {
        const int row = list.currentRow() + (key.key() == Qt::Key_Down ? 1 : -1);
        list.setCurrentRow(std::clamp(row, 0, list.count() - 1));
        return true;
    }
    if (key.key() == Qt::Key_Return || key.key() == Qt::Key_Enter) {
        choose();
        return true;
    }
    if (key.key() == Qt::Key_Escape) {
        dismiss();
        return true;
    }
    return false;
}

bool AddNodePopup::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress &&
        searchListKey(
            *m_list, *static_cast<QKeyEvent *>(event), [this] { choose(); }, [this] { hide(); }))
        return true;
    return QFrame::eventFilter(watched, event);
}

} // namespace atelier::ui
