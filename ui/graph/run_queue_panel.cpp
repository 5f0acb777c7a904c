#include "ui/graph/run_queue_panel.h"

#include "core/graph/run_queue.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

constexpr int kRunRole = Qt::UserRole;
constexpr int kLabelRole = Qt::UserRole + 1;
constexpr int kWhereRole = Qt::UserRole + 2; // the farm worker running it

} // namespace

RunQueuePanel::RunQueuePanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("runQueuePanel"));
    m_destination = new QComboBox(this);
    m_destination->setObjectName(QStringLiteral("runDestinationCombo"));
    m_destination->setToolTip(tr("Where the Queue button sends the next runs"));
    m_destinationLabel = new QLabel(tr("Run on:"), this);
    m_destinationLabel->setBuddy(m_destination);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("runQueueList"));
    m_list->setAccessibleName(tr("Runs"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setToolTip(tr("Drops a waiting run, or cancels a running one"));
    m_up = new QPushButton(tr("Move up"), this);
    m_clear = new QPushButton(tr("Clear waiting"), this);
    m_clear->setToolTip(tr("Drops every waiting run; the running ones go on"));
    connect(m_remove, &QPushButton::clicked, this, &RunQueuePanel::removeSelected);
    connect(m_up, &QPushButton::clicked, this, &RunQueuePanel::moveSelectedUp);
    connect(m_clear, &QPushButton::clicked, this, &RunQueuePanel::clearWaiting);
    connect(m_list, &QListWidget::currentRowChanged, this, &RunQueuePanel::updateButtons);

    auto *where = new QHBoxLayout;
    where->addWidget(m_destinationLabel);
    where->addWidget(m_destination, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_remove);
    buttons->addWidget(m_up);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(where);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    m_destinationLabel->hide();
    m_destination->hide();
    updateButtons();
}

void RunQueuePanel::follow(graph::RunQueue &runs, const QString &name)
{
    m_queues.append(&runs);
    m_destination->addItem(name, QVariant::fromValue(static_cast<void *>(&runs)));
    // A choice only once there is one.
    m_destinationLabel->setVisible(m_queues.size() > 1);
    m_destination->setVisible(m_queues.size() > 1);

    connect(&runs, &graph::RunQueue::started, this, [this](quint64 run) {
        m_running.insert(run);
        if (QListWidgetItem *item = itemOf(run)) {
            // Running ones head the list, in the order they started.
            m_list->takeItem(m_list->row(item));
            m_list->insertItem(runningCount(), item);
            describe(item, tr("running"));
        }
        updateButtons();
    });
    connect(&runs, &graph::RunQueue::placed, this, [this](quint64 run, const QString &where) {
        if (QListWidgetItem *item = itemOf(run)) {
            item->setData(kWhereRole, where);
            describe(item, m_running.contains(run) ? tr("running") : tr("waiting"));
        }
    });
    connect(&runs, &graph::RunQueue::noted, this, [this](quint64 run, const QString &message) {
        if (QListWidgetItem *item = itemOf(run)) {
            // A farm worker handed it back: it waits again, for another.
            if (m_running.remove(run)) {
                m_list->takeItem(m_list->row(item));
                m_list->insertItem(runningCount(), item);
                item->setData(kWhereRole, QString());
            }
            describe(item, tr("waiting (%1)").arg(message));
            updateButtons();
        }
    });
    connect(&runs, &graph::RunQueue::nodeStarted, this, [this](quint64 run, const QString &, const QString &classType) {
        if (QListWidgetItem *item = itemOf(run))
            describe(item, tr("running %1").arg(classType));
    });
    connect(&runs, &graph::RunQueue::nodeProgress, this, [this](quint64 run, const QString &, int value, int maximum) {
        if (QListWidgetItem *item = itemOf(run))
            describe(item, tr("step %1 of %2").arg(value).arg(maximum));
    });
    connect(&runs, &graph::RunQueue::finished, this, [this](quint64 run) {
        m_running.remove(run);
        m_queueOf.remove(run);
        delete itemOf(run);
        updateButtons();
    });
}

void RunQueuePanel::unfollow(graph::RunQueue &runs)
{
    const int index = m_queues.indexOf(&runs);
    if (index < 0)
        return;
    m_queues.removeAt(index);
    m_destination->removeItem(index);
    m_destinationLabel->setVisible(m_queues.size() > 1);
    m_destination->setVisible(m_queues.size() > 1);
    runs.disconnect(this);
    for (auto it = m_queueOf.begin(); it != m_queueOf.end();) {
        if (it.value() == &runs) {
            m_running.remove(it.key());
            delete itemOf(it.key());
            it = m_queueOf.erase(it);
        } else {
            ++it;
        }
    }
    updateButtons();
}

graph::RunQueue *RunQueuePanel::destination() const
{
    if (m_queues.isEmpty())
        return nullptr;
    return m_queues.value(std::max(0, m_destination->currentIndex()), m_queues.first());
}

void RunQueuePanel::track(quint64 run, const QString &label, graph::RunQueue &runs)
{
    if (itemOf(run)) // already listed
        return;
    m_queueOf.insert(run, &runs);
    auto *item = new QListWidgetItem;
    item->setData(kRunRole, run);
    item->setData(kLabelRole, label);
    m_list->addItem(item);
    describe(item, tr("waiting"));
    updateButtons();
}

QList<quint64> RunQueuePanel::shownRuns() const
{
    QList<quint64> runs;
    for (int row = 0; row < m_list->count(); ++row)
        runs.append(m_list->item(row)->data(kRunRole).toULongLong());
    return runs;
}

QListWidgetItem *RunQueuePanel::itemOf(quint64 run) const
{
    for (int row = 0; row < m_list->count(); ++row)
        if (m_list->item(row)->data(kRunRole).toULongLong() == run)
            return m_list->item(row);
    return nullptr;
}

int RunQueuePanel::runningCount() const
{
    int count = 0;
    for (const quint64 run : m_running)
        count += itemOf(run) != nullptr;
    return count;
}

void RunQueuePanel::describe(QListWidgetItem *item, const QString &state)
{
    const quint64 run = item->data(kRunRole).toULongLong();
    QString text = tr("#%1  %2 — %3").arg(run).arg(item->data(kLabelRole).toString(), state);
    if (const QString where = item->data(kWhereRole).toString(); !where.isEmpty())
        text += QLatin1Char(' ') + tr("on %1").arg(where);
    else if (m_queues.size() > 1 && m_queueOf.value(run) != m_queues.first())
        text += QLatin1Char(' ') + tr("(farm)");
    item->setText(text);
}

void RunQueuePanel::removeSelected()
{
    if (QListWidgetItem *item = m_list->currentItem()) {
        const quint64 run = item->data(kRunRole).toULongLong();
        if (graph::RunQueue *runs = m_queueOf.value(run))
            runs->cancel(run); // its end arrives as `finished`, which takes the row off
    }
}

void RunQueuePanel::moveSelectedUp()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item)
        return;
    const quint64 run = item->data(kRunRole).toULongLong();
    graph::RunQueue *runs = m_queueOf.value(run);
    if (!runs || !runs->moveUp(run))
        return;
    // Past the run of the same queue it overtook (runs of another queue keep their places).
    int row = m_list->row(item) - 1;
    while (row > 0 && m_queueOf.value(m_list->item(row)->data(kRunRole).toULongLong()) != runs)
        --row;
    m_list->insertItem(row, m_list->takeItem(m_list->row(item)));
    m_list->setCurrentItem(item);
}

void RunQueuePanel::clearWaiting()
{
    for (graph::RunQueue *runs : std::as_const(m_queues))
        for (const quint64 run : runs->waiting())
            if (m_queueOf.contains(run))
                runs->cancel(run);
}

void RunQueuePanel::updateButtons()
{
    const QListWidgetItem *item = m_list->currentItem();
    const quint64 run = item ? item->data(kRunRole).toULongLong() : 0;
    const bool running = m_running.contains(run);
    m_remove->setEnabled(item != nullptr);
    m_remove->setText(running ? tr("Cancel") : tr("Remove"));
    const int row = item ? m_list->row(item) : -1;
    m_up->setEnabled(item && !running && row > runningCount());
    m_clear->setEnabled(m_list->count() > runningCount());
}

} // namespace atelier::ui
