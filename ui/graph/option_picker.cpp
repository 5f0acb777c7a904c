#include "ui/graph/option_picker.h"

#include "ui/graph/add_node_popup.h"

#include <QComboBox>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace atelier::ui {

OptionPicker::OptionPicker(QList<graph::ComboOption> options, const QString &current, QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_options(std::move(options))
    , m_current(current)
{
    setObjectName(QStringLiteral("optionPicker"));
    setFrameShape(QFrame::StyledPanel);
    setAttribute(Qt::WA_DeleteOnClose);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("optionSearch"));
    m_search->setPlaceholderText(tr("Search…"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    m_groups = new QComboBox(this);
    m_groups->setObjectName(QStringLiteral("optionGroups"));
    QStringList groups;
    for (const graph::ComboOption &option : std::as_const(m_options))
        if (!option.group.isEmpty() && !groups.contains(option.group))
            groups.append(option.group);
    groups.sort();
    m_groups->addItem(tr("All bases"), QString());
    for (const QString &group : std::as_const(groups))
        m_groups->addItem(group, group);
    m_groups->setVisible(!groups.isEmpty());
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("optionList"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_groups);
    layout->addWidget(m_list);
    resize(380, 340);
    connect(m_search, &QLineEdit::textChanged, this, &OptionPicker::refill);
    connect(m_groups, &QComboBox::currentIndexChanged, this, &OptionPicker::refill);
    connect(m_list, &QListWidget::itemActivated, this, &OptionPicker::choose);
    refill();
}

QStringList OptionPicker::listed() const
{
    QStringList values;
    for (int row = 0; row < m_list->count(); ++row)
        values.append(m_list->item(row)->data(Qt::UserRole).toString());
    return values;
}

void OptionPicker::refill()
{
    const QString query = m_search->text().trimmed();
    const QString group = m_groups->currentData().toString();
    std::vector<std::pair<int, const graph::ComboOption *>> matches;
    for (const graph::ComboOption &option : std::as_const(m_options)) {
        if (!group.isEmpty() && option.group != group)
            continue;
        const int score = std::max(fuzzyScore(query, option.value), fuzzyScore(query, option.detail));
        if (score >= 0)
            matches.emplace_back(score, &option);
    }
    // The best matches first; with nothing typed, the list's own order.
    std::stable_sort(matches.begin(), matches.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    m_list->clear();
    int currentRow = 0;
    for (const auto &[score, option] : matches) {
        QString text = option->value;
        if (!option->detail.isEmpty() && option->detail != option->value)
            text += QStringLiteral("  —  ") + option->detail;
        if (!option->group.isEmpty())
            text += QStringLiteral("  [%1]").arg(option->group);
        auto *item = new QListWidgetItem(text, m_list);
        item->setData(Qt::UserRole, option->value);
        item->setToolTip(text);
        if (option->value == m_current) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
            if (query.isEmpty())
                currentRow = m_list->count() - 1;
        }
    }
    if (matches.empty())
        m_list->addItem(query.isEmpty() ? tr("(nothing to choose from)") : tr("(no match)"));
    m_list->setCurrentRow(currentRow);
}

void OptionPicker::choose()
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item || item->data(Qt::UserRole).isNull())
        return;
    const QString value = item->data(Qt::UserRole).toString();
    close();
    emit chosen(value);
}

bool OptionPicker::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress &&
        searchListKey(
            *m_list, *static_cast<QKeyEvent *>(event), [this] { choose(); }, [this] { close(); }))
        return true;
    return QFrame::eventFilter(watched, event);
}

} // namespace atelier::ui
