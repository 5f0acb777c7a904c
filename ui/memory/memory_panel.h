#pragma once

#include "core/engine/cache/model_cache.h"

#include <QWidget>

#include <functional>
#include <vector>

class QLabel;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace atelier::ui {

// The Memory dock: what the model cache holds (each submodel, where it is, its size, when it was last used, whether
// a run holds it or it is pinned), the totals against the budgets, and "Keep loaded", "Unload" and "Free all".
// Refreshed every second while visible, and at once after an action.
class MemoryPanel : public QWidget
{
    Q_OBJECT
public:
    // Where it reads the cache and acts on it; by default the engine's (engine::client), which it never loads.
    struct CacheAccess
    {
        std::function<engine::CacheSnapshot()> snapshot;
        std::function<bool(const engine::SubmodelKey &)> unload; // an empty source: every unused entry
        std::function<void(const engine::SubmodelKey &, bool)> pin;
    };

    explicit MemoryPanel(QWidget *parent = nullptr);
    MemoryPanel(CacheAccess access, QWidget *parent);

    void refresh();
    QTreeWidget *entryList() const { return m_entries; }
    QLabel *totalsLabel() const { return m_totals; }
    QPushButton *pinButton() const { return m_pin; }
    QPushButton *unloadButton() const { return m_unload; }
    QPushButton *freeAllButton() const { return m_freeAll; }

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    const engine::CacheEntryInfo *selectedEntry() const;
    void updateButtons();

    CacheAccess m_access;
    engine::CacheSnapshot m_snapshot;
    QTreeWidget *m_entries = nullptr;
    QLabel *m_totals = nullptr;
    QPushButton *m_pin = nullptr;
    QPushButton *m_unload = nullptr;
    QPushButton *m_freeAll = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace atelier::ui
