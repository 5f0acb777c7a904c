#pragma once

// The search that adds a node (Tab or a double-click on the canvas, or a link dropped in empty space): fuzzy
// matching over names, display names and categories, the most used types first; limited to the types that can
// take a given link type when one is being dropped.
#include "core/graph/node_type.h"

#include <QFrame>
#include <QHash>

#include <functional>

class QKeyEvent;
class QLineEdit;
class QListWidget;

namespace atelier::ui {

// How well `query` matches `text`: its letters in order (a subsequence), higher for adjacent letters and word
// starts; -1 when it does not match at all.
int fuzzyScore(const QString &query, const QString &text);
// How well `query` finds a node type: by its type, its English name (as ComfyUI's guides call it) or its name in
// the interface's language; and by its category, in either language. -1 when it does not match.
int nodeNameScore(const QString &query, const graph::NodeDefinition &definition);
int nodeCategoryScore(const QString &query, const graph::NodeDefinition &definition);

// The keys a search field above a list answers for it: Up and Down move in the list, Enter chooses, Escape
// dismisses. True when `key` was one of them.
bool searchListKey(QListWidget &list, const QKeyEvent &key, const std::function<void()> &choose,
                   const std::function<void()> &dismiss);

class AddNodePopup : public QFrame
{
    Q_OBJECT
public:
    AddNodePopup(const graph::NodeRegistry &registry, const QHash<QString, int> &uses, QWidget *parent = nullptr);

    // Only types with an input `type` can take (empty: all).
    void setLinkType(const QString &type);
    QLineEdit *searchField() const { return m_search; }
    QListWidget *list() const { return m_list; }
    // The types listed now, best first.
    QStringList listed() const;

signals:
    void chosen(const QString &type);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refill();
    void choose();

    const graph::NodeRegistry &m_registry;
    QHash<QString, int> m_uses;
    QString m_linkType;
    QLineEdit *m_search = nullptr;
    QListWidget *m_list = nullptr;
};

} // namespace atelier::ui
