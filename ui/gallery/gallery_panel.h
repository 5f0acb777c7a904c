#pragma once

#include "core/gallery/gallery_service.h"
#include "ui/gallery/library_match.h"

#include <QDate>
#include <QWidget>

#include <utility>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QSlider;
class QUndoStack;

namespace atelier::graph {
class RunQueue;
}

namespace atelier::ui {

class GalleryModel;
class GalleryTileDelegate;
class ImageInspector;
class ImageViewer;
class ThumbnailCache;

// The gallery: every indexed image as a thumbnail grid (sizes by slider), newest first or by a recipe field,
// searched by words of the prompts and model names and filtered by model, base, LoRA, time, star, rating and
// folder; the selected image's recipe in the inspector below. F stars, 1-5 rate (0 clears), Delete moves to the
// trash (undoable), Return opens the viewer; the context menu shows in the folder, copies, compares two images,
// opens as a graph or uses the recipe; images drag out as files.
class GalleryPanel : public QWidget
{
    Q_OBJECT
public:
    GalleryPanel(gallery::GalleryService &service, const QString &thumbnailFolder, QWidget *parent = nullptr);
    ~GalleryPanel() override;

    void setLibraryFinder(LibraryFinder finder);

    GalleryModel *model() const { return m_model; }
    QListView *grid() const { return m_grid; }
    ImageInspector *inspector() const { return m_inspector; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    QUndoStack *undoStack() const { return m_undo; }
    ImageViewer *viewer(); // made on first use
    QLineEdit *searchField() const { return m_search; }
    void setTileSize(int pixels);
    QStringList selectedPaths() const;

    void toggleStar();
    void rate(int rating);
    void moveSelectionToTrash();
    void openViewer();
    void compareSelection(); // the two selected images
    void showInFolder();
    void copyImage();
    void addFolder();
    // Only images made from `from` to `to` (both included); the time filter's "Between…".
    void setDateRange(QDate from, QDate to);

    // The runs of an editor: while one samples, its preview is the first tile; the images it writes are indexed at
    // once, so that they appear on top without waiting for the watcher.
    void followRuns(graph::RunQueue &runs);
    // While a run renders: its preview as the first tile.
    void showRunPreview(const QImage &preview, double progress);
    void endRunPreview();

signals:
    void openAsGraphRequested(const QString &path);
    void useRecipeRequested(const atelier::metadata::GenerationInfo &recipe);
    void selectModelRequested(const QString &key);
    void installRequested(const QString &source);

private:
    void buildFilters(QWidget *bar);
    void applyFilters();
    void chooseDates();
    void facetsChanged(const gallery::ImageFacets &facets);
    void foldersChanged(const QStringList &folders);
    void currentChanged();
    void updateStatus();
    void showContextMenu(const QPoint &at);

    gallery::GalleryService &m_service;
    LibraryFinder m_finder;
    gallery::ImageFacets m_facets;
    ThumbnailCache *m_thumbnails;
    GalleryModel *m_model;
    GalleryTileDelegate *m_delegate;
    QUndoStack *m_undo;
    QLineEdit *m_search;
    QComboBox *m_order;
    QSlider *m_size;
    QComboBox *m_modelFilter;
    QComboBox *m_baseFilter;
    QComboBox *m_loraFilter;
    QComboBox *m_timeFilter;
    QCheckBox *m_starredFilter;
    QComboBox *m_ratingFilter;
    QComboBox *m_folderFilter;
    QListView *m_grid;
    QLabel *m_status;
    ImageInspector *m_inspector;
    ImageViewer *m_viewer = nullptr;
    QString m_scanning; // "outputs 120 / 400" while a folder is scanned
    QStringList m_unreadable;
    QString m_problem;               // the last thing the index could not do
    std::pair<QDate, QDate> m_dates; // the time filter's "Between…"
    double m_runProgress = 0;        // the sampler's, for the preview tile
};

} // namespace atelier::ui
