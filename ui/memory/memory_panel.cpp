#include "ui/memory/memory_panel.h"

#include "core/engine/cache/model_cache.h"
#include "core/engine/client/engine_client.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

enum Column { kModel, kPart, kWhere, kSize, kLastUse, kState, kColumns };

// "1,53 GiB" in German: the cache's budgets are binary units, as the settings ask them.
QString sizeOf(std::int64_t bytes)
{
    return QLocale().formattedDataSize(bytes, bytes >= (std::int64_t(1) << 30) ? 2 : 1, QLocale::DataSizeIecFormat);
}

QString idleText(double seconds)
{
    if (seconds < 5)
        return MemoryPanel::tr("now");
    if (seconds < 90)
        return MemoryPanel::tr("%1 s ago").arg(int(seconds));
    if (seconds < 5400)
        return MemoryPanel::tr("%1 min ago").arg(int(seconds / 60));
    return MemoryPanel::tr("%1 h ago").arg(int(seconds / 3600));
}

QString whereText(const std::string &device)
{
    return device == "cpu" ? MemoryPanel::tr("RAM") : QString::fromStdString(device);
}

// "cuda:0", or "cuda:0 + RAM" for a part loaded partially (what did not fit streams in from RAM as it runs).
QString placementText(const engine::CacheEntryInfo &entry)
{
    if (entry.onDevice < entry.bytes && entry.key.device != "cpu")
        return MemoryPanel::tr("%1 + RAM").arg(whereText(entry.key.device));
    return whereText(entry.key.device);
}

MemoryPanel::CacheAccess engineCache()
{
    return {&engine::client::cacheSnapshot, &engine::client::unloadCached, &engine::client::pinCached};
}

} // namespace

MemoryPanel::MemoryPanel(QWidget *parent)
    : MemoryPanel(engineCache(), parent)
{}

MemoryPanel::MemoryPanel(CacheAccess access, QWidget *parent)
    : QWidget(parent)
    , m_access(std::move(access))
{
    setObjectName(QStringLiteral("memoryPanel"));
    m_entries = new QTreeWidget(this);
    m_entries->setObjectName(QStringLiteral("memoryEntries"));
    m_entries->setAccessibleName(tr("Loaded models"));
    m_entries->setRootIsDecorated(false);
    m_entries->setUniformRowHeights(true);
    m_entries->setColumnCount(kColumns);
    m_entries->setHeaderLabels({tr("Model"), tr("Part"), tr("Where"), tr("Size"), tr("Last used"), tr("State")});
    m_entries->header()->setSectionResizeMode(kModel, QHeaderView::Stretch);
    for (int column = kPart; column < kColumns; ++column)
        m_entries->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_entries->header()->setStretchLastSection(false);
    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("memoryTotals"));
    m_totals->setWordWrap(true);
    m_pin = new QPushButton(tr("Keep loaded"), this);
    m_pin->setCheckable(true);
    m_pin->setToolTip(tr("Never evict the selected part, or move it off its GPU, to make room (\"Keep in VRAM\" "
                         "for a part on a GPU)"));
    m_unload = new QPushButton(tr("Unload"), this);
    m_unload->setToolTip(tr("Drop the selected part from memory (not while a run uses it)"));
    m_freeAll = new QPushButton(tr("Free all"), this);
    m_freeAll->setToolTip(tr("Drop every part no run is using"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_pin);
    buttons->addWidget(m_unload);
    buttons->addStretch();
    buttons->addWidget(m_freeAll);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_totals);
    layout->addWidget(m_entries, 1);
    layout->addLayout(buttons);

    connect(m_entries, &QTreeWidget::itemSelectionChanged, this, &MemoryPanel::updateButtons);
    connect(m_pin, &QPushButton::clicked, this, [this](bool pinned) {
        if (const engine::CacheEntryInfo *entry = selectedEntry())
            m_access.pin(entry->key, pinned);
        refresh();
    });
    connect(m_unload, &QPushButton::clicked, this, [this] {
        if (const engine::CacheEntryInfo *entry = selectedEntry())
            m_access.unload(entry->key);
        refresh();
    });
    connect(m_freeAll, &QPushButton::clicked, this, [this] {
        m_access.unload(engine::SubmodelKey{});
        refresh();
    });
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &MemoryPanel::refresh);
    refresh();
}

void MemoryPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
}

void MemoryPanel::hideEvent(QHideEvent *event)
{
    m_timer->stop();
    QWidget::hideEvent(event);
}

const engine::CacheEntryInfo *MemoryPanel::selectedEntry() const
{
    const QList<QTreeWidgetItem *> selected = m_entries->selectedItems();
    if (selected.isEmpty())
        return nullptr;
    const int index = m_entries->indexOfTopLevelItem(selected.first());
    return index >= 0 && std::size_t(index) < m_snapshot.entries.size() ? &m_snapshot.entries[std::size_t(index)]
                                                                        : nullptr;
}

void MemoryPanel::updateButtons()
{
    const engine::CacheEntryInfo *entry = selectedEntry();
    m_pin->setEnabled(entry);
    m_pin->setChecked(entry && entry->pinned);
    m_pin->setText(entry && entry->key.device != "cpu" ? tr("Keep in VRAM") : tr("Keep loaded"));
    m_unload->setEnabled(entry && !entry->inUse);
    m_freeAll->setEnabled(!m_snapshot.entries.empty());
}

void MemoryPanel::refresh()
{
    // The selection is kept by key across refreshes.
    engine::SubmodelKey selected;
    const bool hadSelection = selectedEntry() != nullptr;
    if (hadSelection)
        selected = selectedEntry()->key;
    m_snapshot = m_access.snapshot();
    const int scrolled = m_entries->verticalScrollBar()->value();
    m_entries->clear();
    for (const engine::CacheEntryInfo &entry : m_snapshot.entries) {
        auto *item = new QTreeWidgetItem(m_entries);
        const QString source = QString::fromStdString(entry.key.source);
        item->setText(kModel, QFileInfo(source).fileName().isEmpty() ? source : QFileInfo(source).fileName());
        item->setToolTip(kModel, source);
        item->setText(kPart, QString::fromStdString(entry.key.submodel));
        item->setText(kWhere, placementText(entry) + QStringLiteral(" · ") + QString::fromStdString(entry.key.dtype));
        item->setText(kSize, sizeOf(entry.bytes));
        item->setTextAlignment(kSize, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(kLastUse, idleText(entry.idleSeconds));
        QStringList state;
        if (entry.inUse)
            state << tr("in use");
        if (entry.pinned)
            state << tr("kept");
        if (state.isEmpty())
            state << tr("idle");
        if (entry.onDevice < entry.bytes && entry.key.device != "cpu") {
            state << tr("%1 on %2, the rest in RAM")
                         .arg(sizeOf(entry.onDevice), QString::fromStdString(entry.key.device));
            item->setToolTip(kWhere, tr("Loaded partially: the device budget could not hold all of it beside the "
                                        "parts in use, so the layers that did not fit are copied in as they run"));
        }
        for (const std::string &note : entry.notes)
            state << QString::fromStdString(note);
        item->setText(kState, state.join(QStringLiteral(", ")));
        if (hadSelection && entry.key == selected)
            item->setSelected(true);
    }
    m_entries->verticalScrollBar()->setValue(scrolled);
    // Totals against the budgets: RAM always, each device that holds something.
    const auto budgetOn = [&](const std::string &device) {
        const auto resolved = m_snapshot.budgetBytes.find(device);
        const std::int64_t bytes = resolved != m_snapshot.budgetBytes.end() ? resolved->second
                                   : device == "cpu"                        ? m_snapshot.budgets.ramBytes
                                                                            : m_snapshot.budgets.deviceBytes;
        if (bytes == engine::CacheBudgets::kCardLessReserve)
            return tr("automatic: the card's memory less %1").arg(sizeOf(engine::CacheBudgets::kDeviceWorkingReserve));
        return bytes > 0 ? sizeOf(bytes) : tr("no limit");
    };
    const auto held = [&](const std::string &device) {
        const auto found = m_snapshot.heldBytes.find(device);
        return found == m_snapshot.heldBytes.end() ? std::int64_t(0) : found->second;
    };
    QStringList totals{tr("RAM: %1 of %2").arg(sizeOf(held("cpu")), budgetOn("cpu"))};
    for (const auto &[device, bytes] : m_snapshot.heldBytes)
        if (device != "cpu")
            totals << tr("%1: %2 of %3").arg(QString::fromStdString(device), sizeOf(bytes), budgetOn(device));
    totals << tr("%Ln load(s) from disk", nullptr, int(m_snapshot.loads))
           << tr("%Ln hit(s)", nullptr, int(m_snapshot.hits))
           << tr("%Ln eviction(s)", nullptr, int(m_snapshot.evictions));
    if (m_snapshot.offloads > 0 || m_snapshot.reloads > 0)
        totals << tr("%Ln moved to RAM", nullptr, int(m_snapshot.offloads))
               << tr("%Ln moved back", nullptr, int(m_snapshot.reloads));
    m_totals->setText(totals.join(QStringLiteral(" · ")));
    updateButtons();
}

} // namespace atelier::ui
