#pragma once

// The runs the editor queued: the one running (with its node and step) and those waiting, next first. A waiting
// run can be removed or moved up; Clear drops every waiting run and leaves the running one alone, as ComfyUI's
// queue does (Cancel stops that one).
#include <QWidget>

class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace atelier::graph {
class GraphRunService;
}

namespace atelier::ui {

class RunQueuePanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunQueuePanel(graph::GraphRunService &runs, QWidget *parent = nullptr);

    // A run just queued, named as the list shows it (the workflow's tab, what it runs).
    void track(quint64 run, const QString &label);
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

    graph::GraphRunService &m_runs;
    QListWidget *m_list = nullptr;
    QPushButton *m_remove = nullptr, *m_up = nullptr, *m_clear = nullptr;
    quint64 m_running = 0;
};

} // namespace atelier::ui
