#pragma once

#include <QStringList>
#include <QWidget>

class QAbstractItemView;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;
class QToolButton;
class QHBoxLayout;

namespace atelier::models {
class ModelInstaller;
class RecordStore;
}

namespace atelier::ui {

class ThumbnailCache;
class LibraryFilterProxy;
class LibraryTableModel;
class ModelDetailsPanel;

// The model library browser: a filter bar (search as you type, base, type, format and tag filters with counts,
// sort), a table and a cover grid over the same filtered model and selection, and the details panel. The filter,
// sort, view and splitter state are kept in ui-state.ini. Everything slow (loading, deleting, relocating, covers)
// runs off the GUI thread.
class LibraryPanel : public QWidget
{
    Q_OBJECT
public:
    enum class ViewMode { List, Grid };

    LibraryPanel(models::RecordStore &store, models::ModelInstaller &installer, QString modelsDir, QString statePath,
                 QWidget *parent = nullptr);
    ~LibraryPanel() override;

    LibraryTableModel *library() const { return m_library; }
    LibraryFilterProxy *proxy() const { return m_proxy; }
    QTableView *tableView() const { return m_table; }
    QListView *gridView() const { return m_grid; }
    ModelDetailsPanel *detailsPanel() const { return m_details; }
    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *baseCombo() const { return m_base; }
    QComboBox *typeCombo() const { return m_type; }
    QComboBox *formatCombo() const { return m_format; }
    QComboBox *tagCombo() const { return m_tag; }
    QComboBox *sortCombo() const { return m_sort; }
    QLabel *countLabel() const { return m_count; }

    ViewMode viewMode() const;
    void setViewMode(ViewMode mode);
    QStringList selectedKeys() const;
    QAbstractItemView *currentView() const;

    // Selects and shows a model (after the library has loaded, if it is still loading); filters that would hide
    // it are cleared.
    void selectModel(const QString &key);
    // Shows what the search finds for `text`, as if typed in the search field.
    void searchFor(const QString &text);
    // Asks what to do (remove the records, or delete the files too) and does it.
    void deleteSelected();
    // Without asking: for the dialog's answer, and for scripts and tests.
    void deleteModels(const QStringList &keys, bool deleteFiles);
    // A model whose files are missing, found at `path`: accepted when it is the same file (same hash).
    void relocateModel(const QString &key, const QString &path);
    void addTagToSelection(const QString &tag);
    void removeTagFromSelection(const QString &tag);

    void saveState() const;

signals:
    void deletionFinished(const QStringList &failures);
    void relocationFinished(const QString &key, bool relocated, const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    // The details go below the list in a dock beside the canvas and beside it when the panel is wide, so that
    // neither is squeezed.
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildFilterBar(QHBoxLayout *bar);
    // One row of filters when wide; in a narrow dock, three (search and view; filters; sort and problems).
    void arrangeFilterBar(bool narrow);
    void buildViews();
    void followLibrary();
    void restoreState();
    void refreshFacets();
    void scheduleFacets();
    void filterFromCombos();
    void addTagFilter(const QString &tag);
    void refreshChips();
    void currentChanged();
    void applySort();
    void showContextMenu(QAbstractItemView *view, const QPoint &position);
    void askTag(bool add);
    void locate(const QString &key);
    void showInFolder(const QString &path);
    void showCopies(const QString &hash);
    void clearFilters();

    models::RecordStore &m_store;
    models::ModelInstaller &m_installer;
    QString m_modelsDir;
    QString m_statePath;
    ThumbnailCache *m_covers = nullptr;
    LibraryTableModel *m_library = nullptr;
    LibraryFilterProxy *m_proxy = nullptr;

    QLineEdit *m_search = nullptr;
    QComboBox *m_base = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_format = nullptr;
    QComboBox *m_tag = nullptr;
    QComboBox *m_sort = nullptr;
    QToolButton *m_descending = nullptr;
    QToolButton *m_listButton = nullptr;
    QToolButton *m_gridButton = nullptr;
    QToolButton *m_problems = nullptr;
    QWidget *m_chips = nullptr;
    QHBoxLayout *m_chipsLayout = nullptr;
    QHBoxLayout *m_filterRows[3] = {};
    bool m_narrow = false;
    QLabel *m_count = nullptr;
    QStackedWidget *m_views = nullptr;
    QTableView *m_table = nullptr;
    QListView *m_grid = nullptr;
    QSplitter *m_splitter = nullptr;
    ModelDetailsPanel *m_details = nullptr;
    QTimer *m_searchDelay = nullptr;
    QTimer *m_facetsDelay = nullptr;
    QString m_pendingSelection;
    bool m_restoring = false;
};

} // namespace atelier::ui
