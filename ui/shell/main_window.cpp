#include "ui/shell/main_window.h"

#include "core/generation/cache_budgets.h"
#include "core/logging/log.h"
#include "core/models/import/folder_watch.h"
#include "core/models/import/foreign_installations.h"
#include "core/models/install/model_source.h"
#include "core/models/record_store.h"
#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"
#include "core/training/training_service.h"
#include "ui/common/focus_ring.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/port_colors.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/import_library_dialog.h"
#include "ui/library/library_panel.h"
#include "ui/memory/memory_panel.h"
#include "ui/shell/about_dialog.h"
#include "ui/shell/placeholder_panel.h"
#include "ui/shell/settings_dialog.h"
#include "ui/training/training_panel.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QHash>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QSettings>
#include <QShowEvent>
#include <QStatusBar>
#include <QTabBar>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {
// Bumped when the set of docks changes, so that a stale saved layout is ignored rather than half-applied.
constexpr int kLayoutVersion = 1;
}

MainWindow::MainWindow(settings::SettingsStore &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Atelier"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/atelier.svg")));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    new FocusRing(this);

    auto *canvas = new PlaceholderPanel(
        tr("Node graph"),
        tr("The node-graph editor will appear here: wire loaders, prompts, samplers and decoders into a pipeline, "
           "run it, and open any Atelier or ComfyUI image back as its graph."),
        this);
    canvas->setObjectName(QStringLiteral("graphCanvas"));
    setCentralWidget(canvas);

    m_libraryDock = addArea(
        QStringLiteral("libraryDock"), tr("Model library"),
        new PlaceholderPanel(tr("Model library"),
                             tr("Your installed models will be listed here: browse, search, filter by base and "
                                "type, tag, inspect and delete."),
                             this),
        Qt::LeftDockWidgetArea);
    m_installQueueDock = addArea(
        QStringLiteral("installQueueDock"), tr("Install queue"),
        new PlaceholderPanel(tr("Install queue"),
                             tr("Drop model files, folders or links here to install them; downloads and installs "
                                "show their progress here."),
                             this),
        Qt::BottomDockWidgetArea);
    m_galleryDock = addArea(
        QStringLiteral("galleryDock"), tr("Gallery"),
        new PlaceholderPanel(tr("Gallery and metadata"),
                             tr("Generated images will appear here, with the recipe stored in each image: prompts, "
                                "seed, sampler, models."),
                             this),
        Qt::RightDockWidgetArea);

    // What the model cache holds, beside the install queue.
    m_memoryDock = addArea(QStringLiteral("memoryDock"), tr("Memory"), new MemoryPanel(this), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_installQueueDock, m_memoryDock);
    // Teaching an aMUSEd model a style, beside them.
    m_trainingDock = addArea(
        QStringLiteral("trainingDock"), tr("Training"),
        new PlaceholderPanel(tr("Training"),
                             tr("Teach an aMUSEd model a style from your own captioned images: a LoRA or a whole "
                                "new model, added to the library."),
                             this),
        Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_memoryDock, m_trainingDock);
    m_installQueueDock->raise();

    m_deviceLabel = new QLabel(this);
    m_deviceLabel->setObjectName(QStringLiteral("deviceLabel"));
    statusBar()->addPermanentWidget(m_deviceLabel);
    showComputeDevice(m_settings.current());
    connect(&m_settings, &settings::SettingsStore::changed, this, &MainWindow::showComputeDevice);
    generation::applyCacheBudgets(m_settings.current());
    connect(&m_settings, &settings::SettingsStore::changed, this, &generation::applyCacheBudgets);

    buildMenus();
    resize(1400, 900);
    m_defaultState = saveState(kLayoutVersion);
    m_layoutRestored = restoreLayout();
}

void MainWindow::setLibraryServices(models::RecordStore &store, models::ModelInstaller &installer)
{
    const settings::AppRoot &root = m_settings.root();
    m_store = &store;
    m_installer = &installer;
    m_importLibraryAction->setEnabled(true);
    m_libraryPanel = new LibraryPanel(store, installer, m_settings.modelsDir(), root.uiStatePath(), this);
    m_installQueuePanel = new InstallQueuePanel(installer, m_settings.current().installInPlace, this);
    connect(m_installQueuePanel, &InstallQueuePanel::showModelRequested, this, [this](const QString &key) {
        m_libraryDock->show();
        m_libraryDock->raise();
        m_libraryPanel->selectModel(key);
    });
    connect(&m_settings, &settings::SettingsStore::changed, m_installQueuePanel, [this](const settings::Settings &current) {
        m_installQueuePanel->inPlaceCheck()->setChecked(current.installInPlace);
    });
    delete m_libraryDock->widget();
    m_libraryDock->setWidget(m_libraryPanel);
    delete m_installQueueDock->widget();
    m_installQueueDock->setWidget(m_installQueuePanel);
    m_trainingService = new training::TrainingService({&store, m_settings.modelsDir()}, installer,
                                                      QDir(root.path()).filePath(QStringLiteral("training")), this);
    m_trainingPanel = new TrainingPanel(store, *m_trainingService, this);
    connect(m_trainingPanel, &TrainingPanel::modelTrained, this, [this](const QString &key) {
        statusBar()->showMessage(tr("Training finished: the result is in the library"), 8000);
        m_libraryPanel->selectModel(key);
    });
    delete m_trainingDock->widget();
    m_trainingDock->setWidget(m_trainingPanel);
    m_libraryWatcher = new models::LibraryWatcher(installer, this);
    m_libraryWatcher->setFolders(m_settings.current().watchedModelFolders);
    connect(&m_settings, &settings::SettingsStore::changed, m_libraryWatcher,
            [this](const settings::Settings &current) {
                if (current.watchedModelFolders != m_libraryWatcher->folders())
                    m_libraryWatcher->setFolders(current.watchedModelFolders);
            });
    connect(m_libraryWatcher, &models::LibraryWatcher::reconciled, this,
            [this](const models::FolderReconciliation &outcome) {
                if (outcome.changedLibrary())
                    statusBar()->showMessage(tr("Watched folders: %1 new, %2 missing, %3 found again")
                                                 .arg(outcome.registered.size())
                                                 .arg(outcome.missing.size())
                                                 .arg(outcome.found.size()),
                                             8000);
            });
    QTimer::singleShot(0, this, &MainWindow::offerLibraryImport);
}

void MainWindow::watchImportedFolders(const QStringList &folders)
{
    if (const Status saved = m_settings.addWatchedModelFolders(folders); !saved)
        statusBar()->showMessage(tr("The imported folders will not be watched: %1").arg(saved.error()));
}

ImportLibraryDialog *MainWindow::showImportLibraryDialog(const QStringList &paths)
{
    if (!m_store || !m_installer)
        return nullptr;
    auto *dialog = new ImportLibraryDialog(*m_store, *m_installer, paths, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportLibraryDialog::imported, this, [this](const models::ImportReport &report) {
        // Stopped is stopped: the watch would otherwise register the rest.
        if (!report.cancelled)
            watchImportedFolders(report.folders);
    });
    dialog->show();
    return dialog;
}

void MainWindow::installByHash(const QString &hash)
{
    if (!m_installQueuePanel)
        return;
    const QString endpoint = m_settings.current().civitaiEndpoint;
    m_installQueuePanel->install({models::civitaiByHashSource(
        hash, QUrl(endpoint.isEmpty() ? QStringLiteral("https://civitai.com") : endpoint))});
    m_installQueueDock->show();
    m_installQueueDock->raise();
}

void MainWindow::offerLibraryImport()
{
    QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    const QString offered = QStringLiteral("libraryImport/offered");
    if (state.value(offered).toBool() || !m_store)
        return;
    // One summary row tells whether the library is empty, without reading every record on the GUI thread.
    models::ModelQuery anyModel;
    anyModel.limit = 1;
    const auto page = m_store->browse(anyModel);
    if (!page || page->total > 0 || models::usualInstallationPaths(QDir::homePath()).isEmpty())
        return;
    state.setValue(offered, true);
    showImportLibraryDialog();
}

QDockWidget *MainWindow::addArea(const QString &objectName, const QString &title, QWidget *content,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_fileMenu = file;
    QAction *settingsAction = file->addAction(tr("&Settings…"), this, &MainWindow::showSettingsDialog);
    settingsAction->setShortcut(QKeySequence::Preferences);
    settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_importLibraryAction =
        file->addAction(tr("&Import models from other tools…"), this, [this] { showImportLibraryDialog(); });
    m_importLibraryAction->setObjectName(QStringLiteral("importLibraryAction"));
    m_importLibraryAction->setToolTip(tr("Register the models of ComfyUI, A1111/Forge, InvokeAI and Stability Matrix "
                                         "where they are"));
    m_importLibraryAction->setEnabled(false);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_viewMenu = view;
    for (QDockWidget *dock : {m_libraryDock, m_installQueueDock, m_memoryDock, m_trainingDock, m_galleryDock})
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    // What each colour of the node editor's ports and links carries.
    QMenu *legend = view->addMenu(tr("Port &colours"));
    legend->setObjectName(QStringLiteral("portLegendMenu"));
    for (const auto &[type, color] : portLegend()) {
        QPixmap swatch(14, 14);
        swatch.fill(color);
        legend->addAction(QIcon(swatch), type == QStringLiteral("*") ? tr("any type (reroutes, primitives)") : type);
    }
    view->addSeparator();
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *guide = help->addAction(tr("&User guide"), this, &MainWindow::showUserGuide);
    guide->setObjectName(QStringLiteral("userGuideAction"));
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Atelier"), this, &MainWindow::showAboutDialog);
}

void MainWindow::setEngineStatus(EngineStatus status)
{
    m_engine = std::move(status);
    showComputeDevice(m_settings.current());
}

void MainWindow::showComputeDevice(const settings::Settings &current)
{
    if (m_engine.state == EngineStatus::State::Starting) {
        m_deviceLabel->setText(tr("Device: starting the engine…"));
        m_deviceLabel->setToolTip(QString());
        return;
    }
    if (m_engine.state == EngineStatus::State::Unavailable) {
        m_deviceLabel->setText(tr("Engine unavailable"));
        m_deviceLabel->setToolTip(m_engine.problem);
        return;
    }
    const settings::ComputeChoice choice = settings::chooseCompute(current, m_engine.devices);
    m_deviceLabel->setText(tr("Device: %1").arg(choice.label()));
    m_deviceLabel->setToolTip(choice.note);
}

void MainWindow::showSettingsDialog()
{
    SettingsDialog dialog(m_settings, m_engine.devices, this);
    dialog.exec();
}

void MainWindow::showUserGuide()
{
    if (!m_userGuide) {
        m_userGuide = new QDialog(this);
        m_userGuide->setObjectName(QStringLiteral("userGuide"));
        m_userGuide->setWindowTitle(tr("Atelier user guide"));
        auto *text = new QTextBrowser(m_userGuide);
        text->setOpenExternalLinks(true);
        // The guide in the interface's language where there is one (docs/user-guide.LANGUAGE.md), else English.
        QFile guide(QStringLiteral(":/user-guide.%1.md").arg(QLocale().name().section(QLatin1Char('_'), 0, 0)));
        if (!guide.exists())
            guide.setFileName(QStringLiteral(":/user-guide.md"));
        if (guide.open(QIODevice::ReadOnly))
            text->setMarkdown(QString::fromUtf8(guide.readAll()));
        auto *layout = new QVBoxLayout(m_userGuide);
        layout->addWidget(text);
        auto *close = new QDialogButtonBox(QDialogButtonBox::Close, m_userGuide);
        connect(close, &QDialogButtonBox::rejected, m_userGuide, &QDialog::close);
        layout->addWidget(close);
        m_userGuide->resize(760, 640);
    }
    m_userGuide->show();
    m_userGuide->raise();
}

void MainWindow::showAboutDialog()
{
    AboutDialog dialog(m_engine, this);
    dialog.exec();
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, kLayoutVersion);
    for (QDockWidget *dock : {m_libraryDock, m_installQueueDock, m_memoryDock, m_trainingDock, m_galleryDock})
        dock->show();
    applyDefaultDockSizes();
}

// The canvas takes most of the window; without it the library needs room for its list and details. Sizes only
// hold once the window is laid out, so this runs when it is first shown (unless a saved layout has its own).
void MainWindow::applyDefaultDockSizes()
{
    if (m_graphEditor)
        resizeDocks({m_libraryDock, m_galleryDock}, {width() / 4, width() / 6}, Qt::Horizontal);
    else
        resizeDocks({m_libraryDock, m_galleryDock}, {width() * 11 / 20, width() / 4}, Qt::Horizontal);
    resizeDocks({m_installQueueDock}, {height() / 5}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_layoutRestored && !m_dockSizesApplied) {
        m_dockSizesApplied = true;
        applyDefaultDockSizes();
    }
}

void MainWindow::saveLayout() const
{
    QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    state.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    state.setValue(QStringLiteral("mainWindow/state"), saveState(kLayoutVersion));
    state.sync();
    if (state.status() != QSettings::NoError)
        qCWarning(lcUi) << "could not save the window layout to" << m_settings.root().uiStatePath();
}

bool MainWindow::restoreLayout()
{
    const QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
    const QByteArray geometry = state.value(QStringLiteral("mainWindow/geometry")).toByteArray();
    const QByteArray docks = state.value(QStringLiteral("mainWindow/state")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    // restoreState rejects a layout of another version or a damaged one and keeps the default.
    return !docks.isEmpty() && restoreState(docks, kLayoutVersion);
}

QString MainWindow::sessionFolder() const
{
    return QDir(m_settings.root().workflowsDir()).filePath(QStringLiteral(".session"));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    if (m_graphEditor) {
        QSettings state(m_settings.root().uiStatePath(), QSettings::IniFormat);
        m_graphEditor->saveSession(sessionFolder(), state);
    }
    if (m_libraryPanel)
        m_libraryPanel->saveState();
    event->accept();
}

bool MainWindow::focusNextPrevChild(bool next)
{
    const QList<QDockWidget *> docks = findChildren<QDockWidget *>(QString(), Qt::FindDirectChildrenOnly);
    const auto areaRank = [](Qt::DockWidgetArea area) {
        switch (area) {
        case Qt::LeftDockWidgetArea:
            return 0;
        case Qt::RightDockWidgetArea:
            return 2;
        case Qt::BottomDockWidgetArea:
            return 3;
        default:
            return 4;
        }
    };
    // Where a widget comes in the walk, and whether it can be seen: a dock behind another's tab cannot (Qt keeps
    // it "visible"); its tab is reached instead.
    struct Place
    {
        int rank = 1000;
        bool shown = true;
    };
    const auto placeOf = [&](QWidget *widget) {
        if (auto *tabs = qobject_cast<QTabBar *>(widget); tabs && tabs->parentWidget() == this) {
            for (QDockWidget *dock : docks)
                if (tabs->currentIndex() >= 0 && dock->windowTitle() == tabs->tabText(tabs->currentIndex()))
                    return Place{areaRank(dockWidgetArea(dock)) * 100 - 1, true};
            return Place{};
        }
        for (QWidget *at = widget; at && at != this; at = at->parentWidget()) {
            if (at == centralWidget())
                return Place{100, true};
            if (auto *dock = qobject_cast<QDockWidget *>(at))
                return Place{areaRank(dockWidgetArea(dock)) * 100 + int(docks.indexOf(dock)),
                             dock->isFloating() || !dock->visibleRegion().isEmpty()};
        }
        return Place{}; // the menu bar and status bar
    };
    QList<QWidget *> chain;
    QHash<QWidget *, Place> places;
    for (QWidget *widget = nextInFocusChain(); widget != this; widget = widget->nextInFocusChain())
        if ((widget->focusPolicy() & Qt::TabFocus) && !widget->focusProxy() && widget->window() == this) {
            chain << widget;
            places.insert(widget, placeOf(widget));
        }
    std::stable_sort(chain.begin(), chain.end(),
                     [&](QWidget *a, QWidget *b) { return places.value(a).rank < places.value(b).rank; });
    QWidget *from = QApplication::focusWidget();
    while (from && from->focusProxy())
        from = from->focusProxy();
    const int at = int(chain.indexOf(from));
    if (at < 0 || chain.isEmpty())
        return QMainWindow::focusNextPrevChild(next);
    for (int step = 1; step < chain.size(); ++step) {
        QWidget *candidate = chain.at((at + (next ? step : -step) + chain.size()) % chain.size());
        if (candidate->isVisible() && candidate->isEnabled() && places.value(candidate).shown) {
            candidate->setFocus(next ? Qt::TabFocusReason : Qt::BacktabFocusReason);
            return true;
        }
    }
    return false;
}

} // namespace atelier::ui
