#pragma once

#include "core/result.h"

#include "ui/shell/engine_status.h"

#include <QMainWindow>

#include <functional>

#include <memory>
#include <vector>

class QAction;
class QDialog;
class QDockWidget;
class QLabel;

namespace atelier::models {
class LibraryWatcher;
class ModelInstaller;
class RecordStore;
}

namespace atelier::settings {
class SettingsStore;
struct Settings;
}

namespace atelier::graph {
class NodeRegistry;
class RunQueue;
}

namespace atelier::training {
class TrainingService;
}

namespace atelier::gallery {
class GalleryService;
}

namespace atelier::ui {

class GalleryPanel;
class GraphEditor;
class ImportLibraryDialog;
class InstallQueuePanel;
class LibraryPanel;
class TrainingPanel;

// The studio's window: the model library on the left, the install queue at the bottom, the node-graph canvas in
// the centre, the gallery and metadata inspector on the right, and the compute device in the status bar. The
// dock layout and window geometry are saved in the root when the window closes and restored when it opens.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(settings::SettingsStore &settings, QWidget *parent = nullptr);

    QDockWidget *libraryDock() const { return m_libraryDock; }
    QDockWidget *installQueueDock() const { return m_installQueueDock; }
    QDockWidget *galleryDock() const { return m_galleryDock; }
    QDockWidget *memoryDock() const { return m_memoryDock; }
    QDockWidget *trainingDock() const { return m_trainingDock; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    QLabel *deviceLabel() const { return m_deviceLabel; }

    // Puts the model library and the install queue in their areas, on these services (which outlive the window).
    void setLibraryServices(models::RecordStore &store, models::ModelInstaller &installer);
    // The node editor takes the centre, over the node types given (the library's models behind their combos), with
    // a txt2img graph ready in its first tab.
    void setGraphServices(std::shared_ptr<const graph::NodeRegistry> registry);
    GraphEditor *graphEditor() const { return m_graphEditor; }
    // A render farm's queue for a Redis URL; `problem` says why there is none, or that the farm does not answer yet.
    struct FarmConnection
    {
        std::unique_ptr<graph::RunQueue> queue;
        QString name; // the URL, its password shown as ***
        QString problem;
    };
    using FarmConnector = std::function<FarmConnection(const QString &url)>;
    // The settings' render farm (and every farm set later) offered in the Run queue panel beside this computer.
    // After setGraphServices and setGalleryService.
    void setFarmConnector(FarmConnector connector);
    // The gallery and inspector take the right-hand area, over the image index (which outlives the window); the
    // editor's images reach it as they are written. After setLibraryServices and setGraphServices.
    void setGalleryService(gallery::GalleryService &service);
    // A file given on the command line or handed over by a later launch: a PNG in the gallery's inspector (its recipe;
    // "Open as graph" is one click away), anything else (a workflow, an API graph) in the node editor. Raises the
    // window; an empty path only raises it.
    Status openFromOutside(const QString &path);
    GalleryPanel *galleryPanel() const { return m_galleryPanel; }
    LibraryPanel *libraryPanel() const { return m_libraryPanel; }
    InstallQueuePanel *installQueuePanel() const { return m_installQueuePanel; }
    QDockWidget *runQueueDock() const { return m_runQueueDock; }
    QDockWidget *historyDock() const { return m_historyDock; }
    // Workflows opened or saved, the latest first (File → Open recent).
    QStringList recentFiles() const;

    // The engine's devices and version once it has loaded, or why it could not; until then the status bar says
    // that it is starting.
    void setEngineStatus(EngineStatus status);
    const EngineStatus &engineStatus() const { return m_engine; }

    void saveLayout() const;
    bool restoreLayout();

public slots:
    void showSettingsDialog();
    void showUserGuide(); // Help → User guide: docs/user-guide.md, built in
    void showAboutDialog();
    // File → Import models from other tools…: looks in `paths`, or the usual places when none are given.
    ImportLibraryDialog *showImportLibraryDialog(const QStringList &paths = {});
    void resetLayout();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    // Tab goes through the window area by area, as it is laid out: the left docks, the editor, the right docks,
    // the bottom ones, each dock's tabs before it; docks behind another's tab are skipped (their tab shows them).
    // Panels build their widgets at different times, so the order is worked out at each step.
    bool focusNextPrevChild(bool next) override;

private:
    QDockWidget *addArea(const QString &objectName, const QString &title, QWidget *content,
                         Qt::DockWidgetArea area);
    void buildMenus();
    void applyDefaultDockSizes();
    QString sessionFolder() const; // the open workflows, kept across restarts
    // main_window_graph.cpp: the node editor's docks and menus.
    QDockWidget *addEditorDock(const QString &objectName, const QString &title, QWidget *content,
                               Qt::DockWidgetArea area, QDockWidget *besides);
    void buildWorkflowFileActions();
    void buildEditMenu();
    void openWorkflowFile(const QString &path);
    void fillRecentMenu();
    void rememberRecentFile(const QString &path);
    void showComputeDevice(const settings::Settings &current);
    void connectFarm(const QString &url);

    settings::SettingsStore &m_settings;
    EngineStatus m_engine;
    QDockWidget *m_libraryDock = nullptr;
    QDockWidget *m_installQueueDock = nullptr;
    QDockWidget *m_galleryDock = nullptr;
    QDockWidget *m_memoryDock = nullptr;
    QDockWidget *m_trainingDock = nullptr;
    QDialog *m_userGuide = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    training::TrainingService *m_trainingService = nullptr;
    QLabel *m_deviceLabel = nullptr;
    LibraryPanel *m_libraryPanel = nullptr;
    InstallQueuePanel *m_installQueuePanel = nullptr;
    GraphEditor *m_graphEditor = nullptr;
    FarmConnector m_farmConnector;
    QString m_farmUrl; // the one connected
    GalleryPanel *m_galleryPanel = nullptr;
    models::RecordStore *m_store = nullptr;
    models::ModelInstaller *m_installer = nullptr;
    models::LibraryWatcher *m_libraryWatcher = nullptr; // the imported folders, kept in step with the library
    void watchImportedFolders(const QStringList &folders);
    QAction *m_importLibraryAction = nullptr;
    // The first start with an empty library and other tools' folders in the usual places offers to import them,
    // once.
    void offerLibraryImport();
    // A model an image or workflow names by hash: looked up on Civitai (the settings' endpoint) by the install queue.
    void installByHash(const QString &hash);
    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QDockWidget *m_nodeLibraryDock = nullptr;
    QDockWidget *m_runQueueDock = nullptr;
    QDockWidget *m_historyDock = nullptr;
    QMenu *m_recentMenu = nullptr;
    QByteArray m_defaultState;
    bool m_layoutRestored = false;
    bool m_dockSizesApplied = false;
};

} // namespace atelier::ui
