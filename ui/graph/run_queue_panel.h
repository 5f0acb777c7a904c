#pragma once

// The runs the editor queued: those running (with their node and step, and the farm worker that took them) and
// those waiting, next first. A waiting run can be removed or moved up; Clear drops every waiting run and leaves the
// running ones alone, as ComfyUI's queue does (Cancel stops one). With a render farm set in the settings, "Run on"
// chooses where the next runs go: this computer's queue or the farm's.
#include <QHash>
#include <QSet>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace atelier::graph {
class RunQueue;
}

namespace atelier::ui {

class RunQueuePanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunQueuePanel(QWidget *parent = nullptr);

    // Lists the runs of `runs` too, and offers it in "Run on" under `name`.
    void follow(graph::RunQueue &runs, const QString &name);
    // Forgets a queue about to go (its runs leave the list).
    void unfollow(graph::RunQueue &runs);
    // Where the next run goes: the queue chosen in "Run on" (the first followed when there is no choice).
    graph::RunQueue *destination() const;
    QComboBox *destinationBox() const { return m_destination; }

    // A run just queued on `runs`, named as the list shows it (the workflow's tab, what it runs).
    void track(quint64 run, const QString &label, graph::RunQueue &runs);
    QListWidget *list() const { return m_list; }
    // The runs listed, in the list's order.
    QList<quint64> shownRuns() const;

    void removeSelected();
    void moveSelectedUp();
    void clearWaiting();

private:
    QListWidgetItem *itemOf(quint64 run) const;
    void describe(QListWidgetItem *item, const QString &state);
    void updateButtons();
    int runningCount() const;

    QList<graph::RunQueue *> m_queues;
    QHash<quint64, graph::RunQueue *> m_queueOf; // each listed run's queue
    QSet<quint64> m_running;
    QComboBox *m_destination = nullptr;
    QLabel *m_destinationLabel = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_remove = nullptr, *m_up = nullptr, *m_clear = nullptr;
};

} // namespace atelier::ui
