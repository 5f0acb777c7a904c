#include "ui/graph/run_queue_panel.h"

#include "core/graph/graph_run_service.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

constexpr int kRunRole = Qt::UserRole;
constexpr int kLabelRole = Qt::UserRole + 1;

} // namespace

RunQueuePanel::RunQueuePanel(graph::GraphRunService &runs, QWidget *parent)
    : QWidget(parent)
    , m_runs(runs)
{
    setObjectName(QStringLiteral("runQueuePanel"));
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("runQueueList"));
    m_list->setAccessibleName(tr("Runs"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setToolTip(tr("Drops a waiting run, or cancels the one running"));
    m_up = new QPushButton(tr("Move up"), this);
    m_clear = new QPushButton(tr("Clear waiting"), this);
    m_clear->setToolTip(tr("Drops every waiting run; the one running goes on"));
    connect(m_remove, &QPushButton::clicked, this, &RunQueuePanel::removeSelected);
    connect(m_up, &QPushButton::clicked, this, &RunQueuePanel::moveSelectedUp);
    connect(m_clear, &QPushButton::clicked, this, &RunQueuePanel::clearWaiting);
    connect(m_list, &QListWidget::currentRowChanged, this, &RunQueuePanel::updateButtons);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_remove);
    buttons->addWidget(m_up);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    connect(&m_runs, &graph::GraphRunService::started, this, [this](quint64 run) {
        m_running = run;
        if (QListWidgetItem *item = itemOf(run)) {
            // The running one heads the list.
            m_list->insertItem(0, m_list->takeItem(m_list->row(item)));
            describe(item, tr("running"));
        }
        updateButtons();
    });
    connect(&m_runs, &graph::GraphRunService::nodeStarted, this,
            [this](quint64 run, const QString &, const QString &classType) {
                if (QListWidgetItem *item = itemOf(run))
                    describe(item, tr("running %1").arg(classType));
            });
    connect(&m_runs, &graph::GraphRunService::nodeProgress, this,
            [this](quint64 run, const QString &, int value, int maximum) {
                if (QListWidgetItem *item = itemOf(run))
                    describe(item, tr("step %1 of %2").arg(value).arg(maximum));
            });
    connect(&m_runs, &graph::GraphRunService::finished, this, [this](quint64 run) {
        if (run == m_running)
            m_running = 0;
        delete itemOf(run);
        updateButtons();
    });
    updateButtons();
}

void RunQueuePanel::track(quint64 run, const QString &label)
{
    if (itemOf(run)) // already started or finished: the service's signals came first
        return;
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

void RunQueuePanel::describe(QListWidgetItem *item, const QString &state)
{
    item->setText(
        tr("#%1  %2 — %3").arg(item->data(kRunRole).toULongLong()).arg(item->data(kLabelRole).toString(), state));
}

void RunQueuePanel::removeSelected()
{
    if (QListWidgetItem *item = m_list->currentItem())
        m_runs.cancel(item->data(kRunRole).toULongLong()); // its end arrives as `finished`, which takes the row off
}

void RunQueuePanel::moveSelectedUp()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item || !m_runs.moveUp(item->data(kRunRole).toULongLong()))
        return;
    const int row = m_list->row(item);
    m_list->insertItem(row - 1, m_list->takeItem(row));
    m_list->setCurrentItem(item);
}

void RunQueuePanel::clearWaiting()
{
    for (quint64 run : m_runs.waiting())
        m_runs.cancel(run);
}

void RunQueuePanel::updateButtons()
{
    const QListWidgetItem *item = m_list->currentItem();
    const quint64 run = item ? item->data(kRunRole).toULongLong() : 0;
    m_remove->setEnabled(item != nullptr);
    m_remove->setText(run != 0 && run == m_running ? tr("Cancel") : tr("Remove"));
    const int row = item ? m_list->row(item) : -1;
    m_up->setEnabled(item && run != m_running && row > (m_running != 0 ? 1 : 0));
    m_clear->setEnabled(m_list->count() > (m_running != 0 ? 1 : 0));
}

} // namespace atelier::ui
