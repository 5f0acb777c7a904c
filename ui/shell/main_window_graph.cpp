// The node editor in the window: the centre, its docks (node library, run queue, undo history), its File actions
// and recent files, and the Edit menu.
#include "ui/shell/main_window.h"

#include "core/graph/executor.h"
#include "core/settings/settings_store.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_library_panel.h"
#include "ui/graph/run_queue_panel.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/library_panel.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QUndoGroup>
#include <QUndoView>

namespace atelier::ui {

namespace {

constexpr int kRecentFiles = 10;
const QString kRecentKey = QStringLiteral("graphSession/recentFiles");

} // namespace

void MainWindow::setGraphServices(std::shared_ptr<const graph::NodeRegistry> registry)
{
    m_graphEditor = new GraphEditor(std::move(registry), this);
    m_graphEditor->setInputFolder(m_settings.root().inputDir());
    const settings::Settings &current = m_settings.current();
    m_graphEditor->runService().setCacheLimits(
        graph::CacheLimits::of(current.outputCacheEntries, current.outputCacheGb));
    connect(&m_settings, &settings::SettingsStore::changed, m_graphEditor, [this](const settings::Settings &now) {
        m_graphEditor->runService().setCacheLimits(graph::CacheLimits::of(now.outputCacheEntries, now.outputCacheGb));
    });
    delete takeCentralWidget();
    setCentralWidget(m_graphEditor);
    // The tabs open when Atelier was last closed, or the ready txt2img graph the first time.
    QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    if (!m_graphEditor->restoreSession(sessionFolder(), state))
        m_graphEditor->newTxt2ImgTab();

    auto *nodeLibrary = new NodeLibraryPanel(m_graphEditor->registry(), this);
    connect(nodeLibrary, &NodeLibraryPanel::addRequested, m_graphEditor, &GraphEditor::addNodeAtCentre);
    m_nodeLibraryDock = addEditorDock(QStringLiteral("nodeLibraryDock"), tr("Node library"), nodeLibrary,
                                      Qt::LeftDockWidgetArea, m_libraryDock);
    m_runQueueDock = addEditorDock(QStringLiteral("runQueueDock"), tr("Run queue"), m_graphEditor->runQueuePanel(),
                                   Qt::BottomDockWidgetArea, m_installQueueDock);
    auto *history = new QUndoView(m_graphEditor->undoGroup(), this);
    history->setObjectName(QStringLiteral("undoHistory"));
    history->setAccessibleName(tr("Edit history"));
    history->setEmptyLabel(tr("Opened"));
    m_historyDock =
        addEditorDock(QStringLiteral("historyDock"), tr("History"), history, Qt::RightDockWidgetArea, m_galleryDock);
    QAction *firstView = m_viewMenu->actions().value(0);
    for (QDockWidget *dock : {m_nodeLibraryDock, m_runQueueDock, m_historyDock})
        m_viewMenu->insertAction(firstView, dock->toggleViewAction());

    buildWorkflowFileActions();
    buildEditMenu();
    connect(m_graphEditor, &GraphEditor::fileUsed, this, &MainWindow::rememberRecentFile);
    // The missing models of a refused run: onto the install queue, or looked for in the library.
    connect(m_graphEditor, &GraphEditor::installModelRequested, this, [this](const QString &source) {
        if (!m_installQueuePanel)
            return;
        m_installQueuePanel->install({source});
        m_installQueueDock->show();
        m_installQueueDock->raise();
    });
    connect(m_graphEditor, &GraphEditor::installModelByHashRequested, this, &MainWindow::installByHash);
    connect(m_graphEditor, &GraphEditor::findModelRequested, this, [this](const QString &name) {
        if (!m_libraryPanel)
            return;
        m_libraryDock->show();
        m_libraryDock->raise();
        m_libraryPanel->searchFor(name);
    });
}

QDockWidget *MainWindow::addEditorDock(const QString &objectName, const QString &title, QWidget *content,
                                       Qt::DockWidgetArea area, QDockWidget *besides)
{
    // Made after the saved layout was applied: where the layout had it, else in a tab beside `besides`.
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    content->show();
    dock->setWidget(content);
    if (!restoreDockWidget(dock)) {
        addDockWidget(area, dock);
        tabifyDockWidget(besides, dock);
        besides->raise();
    }
    return dock;
}

void MainWindow::buildWorkflowFileActions()
{
    QAction *before = m_fileMenu->actions().value(0);
    const auto add = [&](const QString &text, const QKeySequence &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(keys);
        connect(action, &QAction::triggered, this, slot);
        m_fileMenu->insertAction(before, action);
        return action;
    };
    add(tr("&New workflow"), {}, [this] { m_graphEditor->newTxt2ImgTab(); });
    add(tr("&Open workflow or image…"), {}, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open workflow"), {}, tr("Workflows and images (*.json *.png)"));
        if (!path.isEmpty())
            openWorkflowFile(path);
    });
    m_recentMenu = new QMenu(tr("Open &recent"), this);
    m_recentMenu->setObjectName(QStringLiteral("recentFilesMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    m_fileMenu->insertMenu(before, m_recentMenu);
    add(tr("Save workflow &as…"), QKeySequence::SaveAs, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save workflow"), {}, tr("Workflows (*.json)"));
        if (!path.isEmpty())
            if (const Status saved = m_graphEditor->saveFile(path); !saved)
                QMessageBox::warning(this, tr("Save workflow"), saved.error());
    });
    add(tr("&Export API graph…"), {}, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export API graph"), {}, tr("API graphs (*.json)"));
        if (!path.isEmpty())
            if (const Status saved = m_graphEditor->exportApiPrompt(path); !saved)
                QMessageBox::warning(this, tr("Export API graph"), saved.error());
    });
    m_fileMenu->insertSeparator(before);
}

void MainWindow::openWorkflowFile(const QString &path)
{
    if (const Status opened = m_graphEditor->openFile(path); !opened)
        QMessageBox::warning(this, tr("Open workflow"), opened.error());
}

QStringList MainWindow::recentFiles() const
{
    const QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    return state.value(kRecentKey).toStringList();
}

void MainWindow::rememberRecentFile(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    state.setValue(kRecentKey, recent.mid(0, kRecentFiles));
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentFiles();
    for (const QString &path : recent) {
        QAction *open =
            m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openWorkflowFile(path); });
        open->setToolTip(path);
        open->setStatusTip(path);
        open->setEnabled(QFileInfo::exists(path)); // a file moved or deleted since stays listed, greyed
    }
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu
        ->addAction(tr("Clear the list"), this,
                    [this] {
                        QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
                        state.remove(kRecentKey);
                    })
        ->setEnabled(!recent.isEmpty());
}

void MainWindow::buildEditMenu()
{
    // The canvas handles these keys itself while it has the focus; the menu shows them without taking them, so that
    // Ctrl+C and Ctrl+Z stay with the text fields of the other panels.
    QMenu *edit = new QMenu(tr("&Edit"), this);
    edit->setObjectName(QStringLiteral("editMenu"));
    menuBar()->insertMenu(m_viewMenu->menuAction(), edit);
    QUndoGroup *history = m_graphEditor->undoGroup();
    QAction *undo = edit->addAction(tr("Undo\tCtrl+Z"), history, &QUndoGroup::undo);
    QAction *redo = edit->addAction(tr("Redo\tCtrl+Shift+Z"), history, &QUndoGroup::redo);
    undo->setObjectName(QStringLiteral("editUndo"));
    redo->setObjectName(QStringLiteral("editRedo"));
    const auto updateHistoryActions = [history, undo, redo] {
        undo->setEnabled(history->canUndo());
        redo->setEnabled(history->canRedo());
        undo->setText(history->canUndo() ? tr("Undo %1\tCtrl+Z").arg(history->undoText()) : tr("Undo\tCtrl+Z"));
        redo->setText(history->canRedo() ? tr("Redo %1\tCtrl+Shift+Z").arg(history->redoText())
                                         : tr("Redo\tCtrl+Shift+Z"));
    };
    connect(edit, &QMenu::aboutToShow, this, updateHistoryActions);
    edit->addAction(tr("History"), this, [this] {
        m_historyDock->show();
        m_historyDock->raise();
    });
    edit->addSeparator();
    const auto onView = [this](auto act) {
        return [this, act] {
            if (GraphView *view = m_graphEditor->currentView())
                act(*view);
        };
    };
    edit->addAction(tr("Cut\tCtrl+X"), this, onView([](GraphView &view) { view.cutSelection(); }));
    edit->addAction(tr("Copy\tCtrl+C"), this, onView([](GraphView &view) { view.copySelection(); }))
        ->setObjectName(QStringLiteral("editCopy"));
    edit->addAction(tr("Paste\tCtrl+V"), this, onView([](GraphView &view) { view.pasteAtCursor(false); }))
        ->setObjectName(QStringLiteral("editPaste"));
    edit->addAction(tr("Paste with input links\tCtrl+Shift+V"), this,
                    onView([](GraphView &view) { view.pasteAtCursor(true); }));
    edit->addAction(tr("Duplicate\tCtrl+D"), this, onView([](GraphView &view) { view.duplicateSelection(); }));
    edit->addSeparator();
    edit->addAction(tr("Select all\tCtrl+A"), this, onView([](GraphView &view) { view.selectAll(); }));
    edit->addAction(tr("Frame selection\tF"), this, onView([](GraphView &view) { view.fitSelection(); }));
}

void MainWindow::setFarmConnector(FarmConnector connector)
{
    m_farmConnector = std::move(connector);
    connectFarm(m_settings.current().farmRedisUrl);
    connect(&m_settings, &settings::SettingsStore::changed, this,
            [this](const settings::Settings &now) { connectFarm(now.farmRedisUrl); });
}

void MainWindow::connectFarm(const QString &url)
{
    if (!m_graphEditor || !m_farmConnector || url == m_farmUrl)
        return;
    m_farmUrl = url;
    if (url.isEmpty()) {
        m_graphEditor->setFarm(nullptr);
        return;
    }
    FarmConnection connection = m_farmConnector(url);
    if (connection.queue && m_galleryPanel)
        m_galleryPanel->followRuns(*connection.queue);
    m_graphEditor->setFarm(std::move(connection.queue), connection.name);
    if (!connection.problem.isEmpty())
        m_graphEditor->statusLabel()->setText(tr("Render farm: %1").arg(connection.problem));
}

} // namespace atelier::ui
