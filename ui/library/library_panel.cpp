#include "ui/library/library_panel.h"

#include "core/hashing/model_hasher.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/library/delete_models_dialog.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_table_model.h"
#include "ui/library/model_details_panel.h"
#include "ui/library/model_tile_delegate.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QResizeEvent>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace atelier::ui {

namespace {

constexpr QSize kCoverSize(128, 128);
const QString kGroup = QStringLiteral("library");

QToolButton *toolButton(QWidget *parent, const QString &text, const QString &tip, const QString &objectName)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(tip);
    button->setObjectName(objectName);
    return button;
}

} // namespace

LibraryPanel::LibraryPanel(models::RecordStore &store, models::ModelInstaller &installer, QString modelsDir,
                           QString statePath, QWidget *parent)
    : QWidget(parent), m_store(store), m_installer(installer), m_modelsDir(std::move(modelsDir)),
      m_statePath(std::move(statePath))
{
    setObjectName(QStringLiteral("libraryPanel"));
    m_covers = new ThumbnailCache(kCoverSize, this);
    m_library = new LibraryTableModel(m_store, m_modelsDir, m_covers, this);
    m_proxy = new LibraryFilterProxy(this);
    m_proxy->setLibrary(m_library);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    for (QHBoxLayout *&row : m_filterRows) {
        row = new QHBoxLayout;
        layout->addLayout(row);
    }
    buildFilterBar(m_filterRows[0]);
    // Narrow until shown wide: a dock is sized before it is shown, by the minimum this arrangement has.
    arrangeFilterBar(true);

    auto *chipRow = new QHBoxLayout;
    m_chips = new QWidget(this);
    m_chipsLayout = new QHBoxLayout(m_chips);
    m_chipsLayout->setContentsMargins(0, 0, 0, 0);
    chipRow->addWidget(m_chips, 1);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("libraryCountLabel"));
    chipRow->addWidget(m_count);
    layout->addLayout(chipRow);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("librarySplitter"));
    m_views = new QStackedWidget(m_splitter);

    buildViews();

    m_details = new ModelDetailsPanel(m_store, m_modelsDir, m_splitter);
    m_splitter->addWidget(m_views);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({600, 400});
    layout->addWidget(m_splitter, 1);

    for (QAbstractItemView *view :
         {static_cast<QAbstractItemView *>(m_table), static_cast<QAbstractItemView *>(m_grid)}) {
        view->installEventFilter(this);
        connect(view, &QWidget::customContextMenuRequested, this,
                [this, view](const QPoint &at) { showContextMenu(view, at); });
        connect(view, &QAbstractItemView::activated, this, [this] { m_details->focusEditor(); });
    }
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &LibraryPanel::currentChanged);
    connect(m_table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this](int column, Qt::SortOrder order) {
                if (m_restoring)
                    return;
                // The controls follow a header click; they must not sort a second time.
                const int item = m_sort->findData(column);
                QSignalBlocker blockSort(m_sort);
                QSignalBlocker blockOrder(m_descending);
                if (item >= 0)
                    m_sort->setCurrentIndex(item);
                m_descending->setChecked(order == Qt::DescendingOrder);
                m_descending->setText(order == Qt::DescendingOrder ? QStringLiteral("↓") : QStringLiteral("↑"));
            });

    connect(m_details, &ModelDetailsPanel::locateRequested, this, &LibraryPanel::locate);
    connect(m_details, &ModelDetailsPanel::removeRequested, this,
            [this](const QString &key) { deleteModels({key}, false); });
    connect(m_details, &ModelDetailsPanel::showCopiesRequested, this, &LibraryPanel::showCopies);
    connect(m_details, &ModelDetailsPanel::showInFolderRequested, this, &LibraryPanel::showInFolder);

    followLibrary();

    restoreState();
    m_library->reload();
}

// The two views of the same rows, sharing one selection: a table and a grid of covers.
void LibraryPanel::buildViews()
{
    m_table = new QTableView(m_views);
    m_table->setObjectName(QStringLiteral("libraryTable"));
    m_table->setAccessibleName(tr("Models"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setDragEnabled(true); // onto the node editor: a loader for the model
    m_table->setDragDropMode(QAbstractItemView::DragOnly);
    m_table->verticalHeader()->hide();
    // Fixed row heights and no "resize to contents": both would measure every one of 10,000 rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(LibraryTableModel::NameColumn, 260);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_views->addWidget(m_table);

    m_grid = new QListView(m_views);
    m_grid->setObjectName(QStringLiteral("libraryGrid"));
    m_grid->setModel(m_proxy);
    m_grid->setSelectionModel(m_table->selectionModel());
    m_grid->setModelColumn(LibraryTableModel::NameColumn);
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(500);
    m_grid->setSpacing(4);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_grid->setDragEnabled(true);
    m_grid->setDragDropMode(QAbstractItemView::DragOnly);
    m_grid->setItemDelegate(new ModelTileDelegate(kCoverSize, m_grid));
    m_grid->setContextMenuPolicy(Qt::CustomContextMenu);
    m_views->addWidget(m_grid);
}

// Search as you type, facets, the details panel and the selection follow the library's rows.
void LibraryPanel::followLibrary()
{
    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(120);
    connect(m_searchDelay, &QTimer::timeout, this, [this] { m_proxy->setSearchText(m_search->text()); });
    m_facetsDelay = new QTimer(this);
    m_facetsDelay->setSingleShot(true);
    m_facetsDelay->setInterval(0);
    connect(m_facetsDelay, &QTimer::timeout, this, &LibraryPanel::refreshFacets);
    connect(m_proxy, &LibraryFilterProxy::filterChanged, this, &LibraryPanel::scheduleFacets);
    connect(m_library, &QAbstractItemModel::modelReset, this, &LibraryPanel::scheduleFacets);
    connect(m_library, &QAbstractItemModel::rowsInserted, this, &LibraryPanel::scheduleFacets);
    connect(m_library, &QAbstractItemModel::rowsRemoved, this, &LibraryPanel::scheduleFacets);
    connect(m_library, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
        if (roles != QList<int>{LibraryTableModel::CoverRole})
            scheduleFacets();
    });
    connect(m_library, &LibraryTableModel::loaded, this, [this] {
        if (!m_details)
            return;
        if (!m_pendingSelection.isEmpty())
            selectModel(std::exchange(m_pendingSelection, QString()));
        else if (!m_details->shownKey().isEmpty())
            m_details->showModel(m_details->shownKey());
    });
    connect(m_library, &LibraryTableModel::loadFailed, this, [this](const QString &message) {
        m_count->setText(tr("The library could not be read: %1").arg(message));
    });
    // The details panel follows the duplicate count of the shown model as copies come and go.
    const auto followDuplicates = [this] {
        if (!m_details)
            return;  // being destroyed
        const int row = m_library->rowOfKey(m_details->shownKey());
        m_details->setDuplicates(row < 0 ? 0 : m_library->duplicatesOf(row));
    };
    connect(m_library, &QAbstractItemModel::rowsInserted, this, followDuplicates);
    connect(m_library, &QAbstractItemModel::rowsRemoved, this, followDuplicates);
}

LibraryPanel::~LibraryPanel()
{
    saveState();
    // Before this widget starts hiding and deleting its children, which moves the focus out of the details
    // panel's editors while the rest of the panel is half gone.
    delete m_details;
    m_details = nullptr;
}

void LibraryPanel::buildFilterBar(QHBoxLayout *bar)
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("librarySearch"));
    m_search->setAccessibleName(tr("Search the model library"));
    m_search->setPlaceholderText(tr("Search names, descriptions, tags, trigger words"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(180);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDelay->start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchDelay->stop();
        m_proxy->setSearchText(m_search->text());
        currentView()->setFocus();
        if (!currentView()->currentIndex().isValid() && m_proxy->rowCount() > 0)
            currentView()->setCurrentIndex(m_proxy->index(0, 0));
    });
    m_search->installEventFilter(this);
    bar->addWidget(m_search, 2);

    const auto combo = [this](const QString &objectName) {
        auto *box = new QComboBox(this);
        box->setObjectName(objectName);
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(box, qOverload<int>(&QComboBox::activated), this, &LibraryPanel::filterFromCombos);
        return box;
    };
    m_base = combo(QStringLiteral("baseFilter"));
    m_type = combo(QStringLiteral("typeFilter"));
    m_format = combo(QStringLiteral("formatFilter"));
    m_tag = new QComboBox(this);
    m_tag->setObjectName(QStringLiteral("tagFilter"));
    m_tag->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_tag, qOverload<int>(&QComboBox::activated), this, [this](int item) {
        const QString tag = m_tag->itemData(item).toString();
        m_tag->setCurrentIndex(0);
        if (!tag.isEmpty())
            addTagFilter(tag);
    });
    bar->addWidget(m_base);
    bar->addWidget(m_type);
    bar->addWidget(m_format);
    bar->addWidget(m_tag);

    m_sort = new QComboBox(this);
    m_sort->setObjectName(QStringLiteral("sortCombo"));
    m_sort->addItem(tr("Name"), int(LibraryTableModel::NameColumn));
    m_sort->addItem(tr("Date added"), int(LibraryTableModel::AddedColumn));
    m_sort->addItem(tr("Size"), int(LibraryTableModel::SizeColumn));
    m_sort->addItem(tr("Type"), int(LibraryTableModel::TypeColumn));
    m_sort->setToolTip(tr("Sort by"));
    connect(m_sort, qOverload<int>(&QComboBox::activated), this, &LibraryPanel::applySort);
    m_descending = toolButton(this, QStringLiteral("↓"), tr("Descending order"), QStringLiteral("descendingButton"));
    m_descending->setCheckable(true);
    m_descending->setAccessibleName(tr("Descending order"));
    connect(m_descending, &QToolButton::toggled, this, [this](bool down) {
        m_descending->setText(down ? QStringLiteral("↓") : QStringLiteral("↑"));
        applySort();
    });
    m_descending->setText(QStringLiteral("↑"));
    bar->addWidget(m_sort);
    bar->addWidget(m_descending);

    m_problems = toolButton(this, tr("Problems"), tr("Only models with missing files or duplicates"),
                            QStringLiteral("problemsButton"));
    m_problems->setCheckable(true);
    connect(m_problems, &QToolButton::toggled, this, [this](bool only) { m_proxy->setOnlyProblems(only); });
    bar->addWidget(m_problems);

    m_listButton = toolButton(this, tr("List"), tr("Show as a list"), QStringLiteral("listViewButton"));
    m_gridButton = toolButton(this, tr("Grid"), tr("Show covers in a grid"), QStringLiteral("gridViewButton"));
    m_listButton->setCheckable(true);
    m_gridButton->setCheckable(true);
    connect(m_listButton, &QToolButton::clicked, this, [this] { setViewMode(ViewMode::List); });
    connect(m_gridButton, &QToolButton::clicked, this, [this] { setViewMode(ViewMode::Grid); });
    bar->addWidget(m_listButton);
    bar->addWidget(m_gridButton);
}

LibraryPanel::ViewMode LibraryPanel::viewMode() const
{
    return m_views->currentWidget() == m_grid ? ViewMode::Grid : ViewMode::List;
}

void LibraryPanel::setViewMode(ViewMode mode)
{
    QAbstractItemView *from = currentView();
    QAbstractItemView *to = mode == ViewMode::Grid ? static_cast<QAbstractItemView *>(m_grid) : m_table;
    m_views->setCurrentWidget(to);
    m_listButton->setChecked(mode == ViewMode::List);
    m_gridButton->setChecked(mode == ViewMode::Grid);
    if (to->currentIndex().isValid())
        to->scrollTo(to->currentIndex());
    if (from && from->hasFocus())
        to->setFocus();
}

QAbstractItemView *LibraryPanel::currentView() const
{
    return viewMode() == ViewMode::Grid ? static_cast<QAbstractItemView *>(m_grid) : m_table;
}

QStringList LibraryPanel::selectedKeys() const
{
    QStringList keys;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows(LibraryTableModel::NameColumn))
        keys << index.data(LibraryTableModel::KeyRole).toString();
    if (keys.isEmpty() && m_table->currentIndex().isValid())
        keys << m_table->currentIndex().data(LibraryTableModel::KeyRole).toString();
    return keys;
}

void LibraryPanel::scheduleFacets()
{
    m_facetsDelay->start();
}

void LibraryPanel::refreshFacets()
{
    const LibraryFacets facets = m_proxy->facets();
    const auto fill = [](QComboBox *box, const QString &all, const QHash<QString, int> &counts, const QStringList &order,
                         const QString &selected) {
        QSignalBlocker block(box);
        box->clear();
        int total = 0;
        for (int count : counts)
            total += count;
        box->addItem(QStringLiteral("%1 (%2)").arg(all).arg(total), QString());
        for (const QString &value : order) {
            const int count = counts.value(value);
            if (count == 0 && value != selected)
                continue;
            box->addItem(QStringLiteral("%1 (%2)").arg(value).arg(count), value);
        }
        box->setCurrentIndex(std::max(0, box->findData(selected)));
    };
    fill(m_base, tr("All bases"), facets.bases, models::allStrings<models::BaseModel>(),
         m_proxy->base() ? models::toString(*m_proxy->base()) : QString());
    fill(m_type, tr("All types"), facets.types, models::allStrings<models::ModelType>(),
         m_proxy->type() ? models::toString(*m_proxy->type()) : QString());
    fill(m_format, tr("All formats"), facets.formats, models::allStrings<models::ModelFormat>(),
         m_proxy->format() ? models::toString(*m_proxy->format()) : QString());
    {
        QSignalBlocker block(m_tag);
        m_tag->clear();
        m_tag->addItem(tr("Add a tag filter…"), QString());
        QList<QPair<QString, int>> tags;
        for (auto it = facets.tags.cbegin(); it != facets.tags.cend(); ++it)
            if (!m_proxy->tags().contains(it.key(), Qt::CaseInsensitive))
                tags << qMakePair(it.key(), it.value());
        std::sort(tags.begin(), tags.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first.compare(b.first, Qt::CaseInsensitive) < 0;
        });
        for (const auto &[tag, count] : std::as_const(tags))
            m_tag->addItem(QStringLiteral("%1 (%2)").arg(tag).arg(count), tag);
    }
    if (m_library->isLoading() && facets.total == 0)
        m_count->setText(tr("Loading the library…"));
    else if (facets.shown == facets.total)
        m_count->setText(tr("%Ln model(s)", nullptr, facets.total));
    else
        m_count->setText(
            tr("%1 of %2").arg(QLocale().toString(facets.shown), tr("%Ln model(s)", nullptr, facets.total)));
    m_problems->setText(tr("Problems (%1)").arg(facets.problems));
    m_problems->setVisible(facets.problems > 0 || m_problems->isChecked());
}

void LibraryPanel::filterFromCombos()
{
    const QString base = m_base->currentData().toString();
    const QString type = m_type->currentData().toString();
    const QString format = m_format->currentData().toString();
    m_proxy->setBase(base.isEmpty() ? std::nullopt : std::optional(models::parseTaxonomy<models::BaseModel>(base).value()));
    m_proxy->setType(type.isEmpty() ? std::nullopt : std::optional(models::parseTaxonomy<models::ModelType>(type).value()));
    m_proxy->setFormat(format.isEmpty() ? std::nullopt : std::optional(models::parseTaxonomy<models::ModelFormat>(format).value()));
}

void LibraryPanel::addTagFilter(const QString &tag)
{
    QStringList tags = m_proxy->tags();
    if (tags.contains(tag, Qt::CaseInsensitive))
        return;
    tags << tag;
    m_proxy->setTags(tags);
    refreshChips();
}

void LibraryPanel::refreshChips()
{
    while (QLayoutItem *item = m_chipsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const auto chip = [this](const QString &text, const QString &objectName, std::function<void()> remove) {
        auto *button = new QToolButton(m_chips);
        button->setObjectName(objectName);
        button->setText(text + QStringLiteral("  ✕"));
        button->setToolTip(tr("Remove this filter"));
        button->setAccessibleName(tr("Remove the filter %1").arg(text));
        button->setAutoRaise(false);
        connect(button, &QToolButton::clicked, this, [this, remove] {
            remove();
            QTimer::singleShot(0, this, &LibraryPanel::refreshChips);
        });
        m_chipsLayout->addWidget(button);
    };
    for (const QString &tag : m_proxy->tags())
        chip(QStringLiteral("#%1").arg(tag), QStringLiteral("tagChip"), [this, tag] {
            QStringList tags = m_proxy->tags();
            tags.removeAll(tag);
            m_proxy->setTags(tags);
        });
    if (!m_proxy->hash().isEmpty())
        chip(tr("Copies of %1").arg(shortHash(m_proxy->hash())), QStringLiteral("hashChip"), [this] { m_proxy->setHash(QString()); });
    m_chipsLayout->addStretch();
}

void LibraryPanel::applySort()
{
    const int column = m_sort->currentData().toInt();
    const Qt::SortOrder order = m_descending->isChecked() ? Qt::DescendingOrder : Qt::AscendingOrder;
    m_table->sortByColumn(column, order);
}

void LibraryPanel::currentChanged()
{
    if (!m_details)
        return;  // being destroyed
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const QString key = current.isValid() ? current.data(LibraryTableModel::KeyRole).toString() : QString();
    if (key == m_details->shownKey())
        return;
    m_details->showModel(key);
    const int row = m_library->rowOfKey(key);
    m_details->setDuplicates(row < 0 ? 0 : m_library->duplicatesOf(row));
}

void LibraryPanel::clearFilters()
{
    m_search->clear();
    m_searchDelay->stop();
    m_proxy->setSearchText(QString());
    m_proxy->setBase(std::nullopt);
    m_proxy->setType(std::nullopt);
    m_proxy->setFormat(std::nullopt);
    m_proxy->setTags({});
    m_proxy->setHash(QString());
    m_problems->setChecked(false);
    refreshChips();
}

void LibraryPanel::selectModel(const QString &key)
{
    if (m_library->isLoading()) {
        m_pendingSelection = key;
        return;
    }
    const int row = m_library->rowOfKey(key);
    if (row < 0)
        return;
    QModelIndex index = m_proxy->mapFromSource(m_library->index(row, LibraryTableModel::NameColumn));
    if (!index.isValid()) {
        clearFilters();
        index = m_proxy->mapFromSource(m_library->index(row, LibraryTableModel::NameColumn));
    }
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    currentView()->scrollTo(index);
}

void LibraryPanel::searchFor(const QString &text)
{
    m_search->setText(text);
    m_searchDelay->stop();
    m_proxy->setSearchText(text);
}

void LibraryPanel::arrangeFilterBar(bool narrow)
{
    m_narrow = narrow;
    QList<QWidget *> rows[3];
    if (narrow) {
        rows[0] = {m_search, m_listButton, m_gridButton};
        rows[1] = {m_base, m_type, m_format, m_tag};
        rows[2] = {m_sort, m_descending, m_problems};
    } else {
        rows[0] = {m_search, m_base,       m_type,     m_format,     m_tag,
                   m_sort,   m_descending, m_problems, m_listButton, m_gridButton};
    }
    for (QHBoxLayout *row : m_filterRows)
        while (QLayoutItem *item = row->takeAt(0))
            delete item;
    for (int row = 0; row < 3; ++row) {
        for (QWidget *widget : std::as_const(rows[row]))
            m_filterRows[row]->addWidget(widget, widget == m_search ? 2 : 0);
        if (row == 2 && narrow)
            m_filterRows[row]->addStretch(1);
    }
    // Narrow, the filter combos share their row and elide what does not fit. Their explicit minimum lets the
    // panel shrink in the first place: sized to their contents, they would hold a dock too wide to ever be narrow.
    for (QComboBox *box : {m_base, m_type, m_format, m_tag, m_sort}) {
        box->setMinimumWidth(56);
        if (box == m_sort)
            continue;
        box->setSizeAdjustPolicy(narrow ? QComboBox::AdjustToMinimumContentsLengthWithIcon
                                        : QComboBox::AdjustToContents);
        box->setMinimumContentsLength(narrow ? 4 : 0);
        box->setSizePolicy(narrow ? QSizePolicy::Expanding : QSizePolicy::Preferred, QSizePolicy::Fixed);
    }
    m_search->setMinimumWidth(narrow ? 100 : 180);
}

void LibraryPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (const bool narrow = width() < 760; narrow != m_narrow)
        arrangeFilterBar(narrow);
    // Side by side only where both get room (the library alone in a wide window): a horizontal splitter's
    // minimum is the two panels' together, which would hold a dock too wide for the canvas beside it.
    const Qt::Orientation wanted = width() >= 1000 && width() > height() ? Qt::Horizontal : Qt::Vertical;
    if (m_splitter->orientation() == wanted)
        return;
    m_splitter->setOrientation(wanted);
    const int length = wanted == Qt::Horizontal ? m_splitter->width() : m_splitter->height();
    m_splitter->setSizes({length * 3 / 5, length * 2 / 5});
}

bool LibraryPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    if (watched == m_search) {
        // Down from the search field goes to the results; Escape clears the search.
        if (key->key() == Qt::Key_Down && m_proxy->rowCount() > 0) {
            currentView()->setFocus();
            if (!currentView()->currentIndex().isValid())
                currentView()->setCurrentIndex(m_proxy->index(0, 0));
            return true;
        }
        if (key->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
            m_search->clear();
            return true;
        }
        return false;
    }
    if (watched == m_table || watched == m_grid) {
        if (key->matches(QKeySequence::Delete) || key->key() == Qt::Key_Delete) {
            deleteSelected();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            m_details->focusEditor();
            return true;
        }
        // Typing in the list searches: the text goes to the search field, which takes the focus.
        const QString text = key->text();
        const bool plain = !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
        if (plain && !text.isEmpty() && text.at(0).isPrint() && !text.at(0).isSpace()) {
            m_search->setFocus(Qt::ShortcutFocusReason);
            m_search->setText(m_search->text() + text);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void LibraryPanel::saveState() const
{
    if (m_statePath.isEmpty())
        return;
    QSettings state(m_statePath, QSettings::IniFormat);
    state.beginGroup(kGroup);
    state.setValue(QStringLiteral("search"), m_search->text());
    state.setValue(QStringLiteral("base"), m_proxy->base() ? models::toString(*m_proxy->base()) : QString());
    state.setValue(QStringLiteral("type"), m_proxy->type() ? models::toString(*m_proxy->type()) : QString());
    state.setValue(QStringLiteral("format"), m_proxy->format() ? models::toString(*m_proxy->format()) : QString());
    state.setValue(QStringLiteral("tags"), m_proxy->tags());
    state.setValue(QStringLiteral("sortColumn"), m_sort->currentData().toInt());
    state.setValue(QStringLiteral("descending"), m_descending->isChecked());
    state.setValue(QStringLiteral("view"), viewMode() == ViewMode::Grid ? QStringLiteral("grid") : QStringLiteral("list"));
    state.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    state.setValue(QStringLiteral("columns"), m_table->horizontalHeader()->saveState());
    state.endGroup();
}

void LibraryPanel::restoreState()
{
    m_restoring = true;
    const QSettings state(m_statePath, QSettings::IniFormat);
    const auto value = [&](const QString &key) { return state.value(kGroup + QLatin1Char('/') + key); };
    if (!m_statePath.isEmpty()) {
        m_table->horizontalHeader()->restoreState(value(QStringLiteral("columns")).toByteArray());
        m_splitter->restoreState(value(QStringLiteral("splitter")).toByteArray());
    }
    const QString search = value(QStringLiteral("search")).toString();
    m_search->setText(search);
    m_proxy->setSearchText(search);
    m_searchDelay->stop();
    // Values that are not (or no longer) in the taxonomy are ignored: a hand-edited file cannot break the panel.
    if (const auto base = models::parseTaxonomy<models::BaseModel>(value(QStringLiteral("base")).toString()))
        m_proxy->setBase(base.value());
    if (const auto type = models::parseTaxonomy<models::ModelType>(value(QStringLiteral("type")).toString()))
        m_proxy->setType(type.value());
    if (const auto format = models::parseTaxonomy<models::ModelFormat>(value(QStringLiteral("format")).toString()))
        m_proxy->setFormat(format.value());
    m_proxy->setTags(value(QStringLiteral("tags")).toStringList());
    const int sortItem = m_sort->findData(value(QStringLiteral("sortColumn")).toInt());
    m_sort->setCurrentIndex(std::max(0, sortItem));
    {
        QSignalBlocker block(m_descending);
        m_descending->setChecked(value(QStringLiteral("descending")).toBool());
        m_descending->setText(m_descending->isChecked() ? QStringLiteral("↓") : QStringLiteral("↑"));
    }
    m_restoring = false;
    applySort();
    setViewMode(value(QStringLiteral("view")).toString() == QLatin1String("grid") ? ViewMode::Grid : ViewMode::List);
    refreshChips();
    refreshFacets();
}

} // namespace atelier::ui
