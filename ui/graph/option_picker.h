#pragma once

// The picker of a combo widget with many entries (a library's models, the input images): a search field with the
// node search's fuzzy matching over file names and library names, a filter by base ("sd-1", "sdxl"...) when the
// entries have one, and the current value marked. Enter or a double-click chooses; Escape closes.
#include "core/graph/node_type.h"

#include <QFrame>

class QComboBox;
class QLineEdit;
class QListWidget;

namespace atelier::ui {

class OptionPicker : public QFrame
{
    Q_OBJECT
public:
    OptionPicker(QList<graph::ComboOption> options, const QString &current, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QComboBox *groupFilter() const { return m_groups; }
    QListWidget *list() const { return m_list; }
    QStringList listed() const; // the values shown now, best first

signals:
    void chosen(const QString &value);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refill();
    void choose();

    QList<graph::ComboOption> m_options;
    QString m_current;
    QLineEdit *m_search = nullptr;
    QComboBox *m_groups = nullptr;
    QListWidget *m_list = nullptr;
};

} // namespace atelier::ui
