#include "core/gallery/gallery_service.h"
#include "core/graph/graph_document.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/settings_store.h"
#include "tests/fixtures.h"
#include "tests/ui/test_library.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_item.h"
#include "ui/installs/install_job_model.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/import_library_dialog.h"
#include "ui/library/library_panel.h"
#include "ui/shell/about_dialog.h"
#include "ui/shell/main_window.h"
#include "ui/shell/settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTextBrowser>
#include <QUndoStack>
#include <QUndoView>
#include <QtTest>

using namespace atelier;

namespace {
const std::vector<engine::DeviceInfo> kDevices{{engine::DeviceKind::Cpu, 0, "cpu", "CPU (2 threads)"},
                                               {engine::DeviceKind::Cuda, 0, "cuda:0", "Test GPU"}};
const ui::EngineStatus kEngine{ui::EngineStatus::State::Ready, kDevices, QStringLiteral("9.8.7"), QString()};
}

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto root = settings::AppRoot::open(m_dir->path());
        QVERIFY(root.ok());
        m_store = std::make_unique<settings::SettingsStore>(root.value());
        m_store->load();
    }

    void cleanup()
    {
        m_store.reset();
        m_dir.reset();
    }

    void opensWithItsFourAreas()
    {
        ui::MainWindow window(*m_store);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.centralWidget()->objectName(), QStringLiteral("graphCanvas"));
        // The icon comes from the resources linked into the executable.
        QVERIFY(QFile::exists(QStringLiteral(":/icons/atelier.svg")));
        QVERIFY(!window.windowIcon().pixmap(32).isNull());
        QCOMPARE(window.dockWidgetArea(window.libraryDock()), Qt::LeftDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(window.installQueueDock()), Qt::BottomDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(window.galleryDock()), Qt::RightDockWidgetArea);
        for (QDockWidget *dock : {window.libraryDock(), window.installQueueDock(), window.galleryDock()}) {
            QVERIFY(dock->isVisible());
            // Each placeholder says what will appear there.
            const auto *text = dock->findChild<QLabel *>(QStringLiteral("placeholderText"));
            QVERIFY(text && text->text().size() > 20);
        }
    }

    // The node editor brings its docks (node library, run queue, history) and menus: Edit's undo, redo and
    // clipboard actions act on the current canvas; File → Open recent lists what was opened or saved.
    void theEditorHasItsMenusDocksAndRecentFiles()
    {
        ui::MainWindow window(*m_store);
        nodes::NodeEnvironment environment;
        environment.inputDir = m_dir->filePath(QStringLiteral("input"));
        environment.outputDir = m_dir->filePath(QStringLiteral("outputs"));
        window.setGraphServices(nodes::builtInNodes(environment));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QMenu *view = nullptr;
        for (QAction *menu : window.menuBar()->actions())
            if (menu->text() == QStringLiteral("&View"))
                view = menu->menu();
        QVERIFY(view);
        for (QDockWidget *dock : {window.runQueueDock(), window.historyDock()}) {
            QVERIFY(dock);
            QVERIFY(view->actions().contains(dock->toggleViewAction()));
        }
        QVERIFY(window.historyDock()->findChild<QUndoView *>(QStringLiteral("undoHistory")));

        ui::GraphEditor &editor = *window.graphEditor();
        const int nodes = int(editor.currentDocument()->nodeIds().size());
        editor.currentScene()->addNode(QStringLiteral("EmptyLatentImage"), QPointF(-300, -300));
        auto *edit = window.findChild<QMenu *>(QStringLiteral("editMenu"));
        QVERIFY(edit);
        QVERIFY(window.menuBar()->actions().contains(edit->menuAction()));
        auto *undo = edit->findChild<QAction *>(QStringLiteral("editUndo"));
        QVERIFY(undo);
        undo->trigger();
        QCOMPARE(int(editor.currentDocument()->nodeIds().size()), nodes);
        edit->findChild<QAction *>(QStringLiteral("editRedo"))->trigger();
        QCOMPARE(int(editor.currentDocument()->nodeIds().size()), nodes + 1);
        // Copy and paste through the menu: the pasted node is new.
        editor.currentScene()->clearSelection();
        editor.currentScene()->nodeItem(editor.currentDocument()->nodeIds().back())->setSelected(true);
        edit->findChild<QAction *>(QStringLiteral("editCopy"))->trigger();
        edit->findChild<QAction *>(QStringLiteral("editPaste"))->trigger();
        QCOMPARE(int(editor.currentDocument()->nodeIds().size()), nodes + 2);

        const QString saved = m_dir->filePath(QStringLiteral("mine.json"));
        QVERIFY(editor.saveFile(saved));
        QVERIFY(editor.openFile(saved));
        QCOMPARE(window.recentFiles(), QStringList{QFileInfo(saved).absoluteFilePath()});
        auto *recent = window.findChild<QMenu *>(QStringLiteral("recentFilesMenu"));
        QVERIFY(recent);
        QMetaObject::invokeMethod(recent, "aboutToShow");
        QCOMPARE(recent->actions().front()->text(), QStringLiteral("mine.json"));
        const int tabs = editor.tabCount();
        recent->actions().front()->trigger();
        QCOMPARE(editor.tabCount(), tabs + 1);
    }

    // A missing model's Install goes onto the window's install queue (shown), Find in library into the library's
    // search (shown).
    void missingModelsReachTheInstallQueueAndTheLibrary()
    {
        TestLibrary library;
        QVERIFY(library.opened);
        ui::MainWindow window(*m_store);
        window.setLibraryServices(*library.store, *library.installer);
        nodes::NodeEnvironment environment;
        environment.inputDir = m_dir->filePath(QStringLiteral("input"));
        window.setGraphServices(nodes::builtInNodes(environment));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.installQueueDock()->hide();
        const int jobs = window.installQueuePanel()->jobModel()->rowCount();
        const QString missing = m_dir->filePath(QStringLiteral("no-such-model.safetensors"));
        emit window.graphEditor()->installModelRequested(missing);
        QTRY_COMPARE(window.installQueuePanel()->jobModel()->rowCount(), jobs + 1);
        QVERIFY(window.installQueueDock()->isVisible());

        window.libraryDock()->hide();
        emit window.graphEditor()->findModelRequested(QStringLiteral("dreamshaper_8"));
        QVERIFY(window.libraryDock()->isVisible());
        auto *search = window.libraryPanel()->findChild<QLineEdit *>(QStringLiteral("librarySearch"));
        QVERIFY(search);
        QCOMPARE(search->text(), QStringLiteral("dreamshaper_8"));
    }

    // The gallery replaces the placeholder: a recipe's model found in the library links to it (the library shows
    // it), a missing one is looked up by hash through the install queue, and an image opens as a graph.
    void theGalleryReachesTheLibraryInstallQueueAndEditor()
    {
        TestLibrary library;
        QVERIFY(library.opened);
        models::ModelConfig base;
        base.name = QStringLiteral("SD 1.5 base");
        base.type = models::ModelType::Main;
        base.format = models::ModelFormat::Checkpoint;
        base.base = models::BaseModel::Sd1;
        base.path = library.modelsDir() + QStringLiteral("/v1-5-pruned-emaonly.ckpt");
        base.hash = QStringLiteral("sha256:") + QString(64, QLatin1Char('c'));
        const auto added = library.store->addModel(base);
        QVERIFY2(added, qPrintable(added.error()));
        const QString outputs = m_dir->filePath(QStringLiteral("outputs"));
        QDir().mkpath(outputs);
        QVERIFY(QFile::copy(fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora.png"),
                            outputs + QStringLiteral("/lora_lora.png")));
        gallery::GalleryService images(m_dir->filePath(QStringLiteral("images.db")), outputs);

        ui::MainWindow window(*m_store);
        window.setLibraryServices(*library.store, *library.installer);
        nodes::NodeEnvironment environment;
        environment.inputDir = m_dir->filePath(QStringLiteral("input"));
        environment.outputDir = outputs;
        window.setGraphServices(nodes::builtInNodes(environment));
        window.setGalleryService(images);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.galleryDock()->widget(), window.galleryPanel());
        QSignalSpy scanned(&images, &gallery::GalleryService::scanFinished);
        images.start();
        QVERIFY(scanned.wait(20000));
        ui::GalleryPanel &panel = *window.galleryPanel();
        QTRY_COMPARE(panel.model()->imageCount(), 1);
        panel.grid()->setCurrentIndex(panel.model()->index(0, 0));
        panel.inspector()->waitForRead();

        // The checkpoint by its file name: a link to the library's record.
        QLabel *modelRow = nullptr;
        for (QLabel *label : panel.inspector()->findChildren<QLabel *>())
            if (label->text().contains(QStringLiteral("select:")))
                modelRow = label;
        QVERIFY(modelRow);
        QVERIFY(modelRow->text().contains(QStringLiteral("SD 1.5 base")));
        window.libraryDock()->hide();
        emit modelRow->linkActivated(QStringLiteral("select:") + added->key);
        QVERIFY(window.libraryDock()->isVisible());

        // A LoRA the library lacks, by the hash a recipe gives: onto the install queue as Civitai's by-hash address
        // (of the Civitai the settings name: here a port on this machine where nothing listens).
        settings::Settings offline = m_store->current();
        offline.civitaiEndpoint = QStringLiteral("http://127.0.0.1:9");
        QVERIFY(m_store->save(offline));
        const int jobs = window.installQueuePanel()->jobModel()->rowCount();
        emit panel.installRequested(QStringLiteral("ABCDEF0123"));
        QTRY_COMPARE(window.installQueuePanel()->jobModel()->rowCount(), jobs + 1);
        QVERIFY(window.installQueueDock()->isVisible());
        bool byHash = false;
        for (const auto &job : library.installer->listJobs())
            byHash =
                byHash || job.source.contains(QStringLiteral("127.0.0.1:9/api/v1/model-versions/by-hash/ABCDEF0123"));
        QVERIFY(byHash);

        const int tabs = window.graphEditor()->tabCount();
        emit panel.openAsGraphRequested(outputs + QStringLiteral("/lora_lora.png"));
        QCOMPARE(window.graphEditor()->tabCount(), tabs + 1);

        // A PNG opened from outside (the command line, a file manager, a later launch) shows in the inspector; a
        // workflow opens in the editor.
        const QString elsewhere = fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora.png");
        window.galleryDock()->hide();
        QVERIFY(window.openFromOutside(elsewhere));
        QVERIFY(window.galleryDock()->isVisible());
        panel.inspector()->waitForRead();
        QCOMPARE(panel.inspector()->path(), elsewhere);
        QCOMPARE(window.graphEditor()->tabCount(), tabs + 1);
        const QString workflow = m_dir->filePath(QStringLiteral("opened.json"));
        QVERIFY(window.graphEditor()->saveFile(workflow));
        QVERIFY(window.openFromOutside(workflow));
        QCOMPARE(window.graphEditor()->tabCount(), tabs + 2);
        QVERIFY(!window.openFromOutside(m_dir->filePath(QStringLiteral("missing.json"))));
    }

    // View → Port colours lists every type the canvas colours, with its swatch.
    // The first start with an empty library and another tool's models in the usual places offers to import them,
    // once; File → Import models from other tools… opens the same dialog any time.
    void anEmptyLibraryIsOfferedTheOtherToolsModelsOnce()
    {
        const QByteArray home = qgetenv("HOME");
        const QString fakeHome = m_dir->filePath(QStringLiteral("home"));
        QDir().mkpath(fakeHome + QStringLiteral("/ComfyUI/models/checkpoints"));
        qputenv("HOME", fakeHome.toUtf8());
        TestLibrary library;
        QVERIFY(library.opened);
        for (int start = 0; start < 2; ++start) {
            ui::MainWindow window(*m_store);
            window.setLibraryServices(*library.store, *library.installer);
            QCoreApplication::processEvents();
            const auto dialogs = window.findChildren<ui::ImportLibraryDialog *>();
            QCOMPARE(dialogs.size(), start == 0 ? 1 : 0);
            auto *action = window.findChild<QAction *>(QStringLiteral("importLibraryAction"));
            QVERIFY(action && action->isEnabled());
            action->trigger();
            QCOMPARE(window.findChildren<ui::ImportLibraryDialog *>().size(), start == 0 ? 2 : 1);
            for (ui::ImportLibraryDialog *dialog : window.findChildren<ui::ImportLibraryDialog *>())
                QTRY_VERIFY(!dialog->busy());
        }
        qputenv("HOME", home);
    }

    // An import from the window leaves its folders watched: a model copied there later is registered.
    void importedFoldersAreWatched()
    {
        TestLibrary library;
        QVERIFY(library.opened);
        ui::MainWindow window(*m_store);
        window.setLibraryServices(*library.store, *library.installer);
        const QString loras = m_dir->filePath(QStringLiteral("ComfyUI/models/loras"));
        QDir().mkpath(loras);
        QDir().mkpath(m_dir->filePath(QStringLiteral("ComfyUI/models/checkpoints")));
        QVERIFY(QFile::copy(
            QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors")),
            loras + QStringLiteral("/kohya.safetensors")));
        ui::ImportLibraryDialog *dialog = window.showImportLibraryDialog({m_dir->filePath(QStringLiteral("ComfyUI"))});
        QVERIFY(dialog);
        QTRY_VERIFY(!dialog->busy() && dialog->importButton()->isEnabled());
        dialog->importButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->current().watchedModelFolders == QStringList{QDir::cleanPath(loras)}, 20000);
        QVERIFY(QFile::copy(
            QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-peft.safetensors")),
            loras + QStringLiteral("/peft.safetensors")));
        QTRY_VERIFY_WITH_TIMEOUT(
            library.store->searchByPath(QDir::cleanPath(loras + QStringLiteral("/peft.safetensors"))), 20000);
        QTRY_VERIFY(!dialog->busy());
    }

    void theViewMenuHasThePortLegend()
    {
        ui::MainWindow window(*m_store);
        auto *legend = window.findChild<QMenu *>(QStringLiteral("portLegendMenu"));
        QVERIFY(legend);
        QStringList types;
        for (const QAction *action : legend->actions()) {
            QVERIFY(!action->icon().isNull());
            types.append(action->text());
        }
        for (const char *type : {"MODEL", "CLIP", "VAE", "CONDITIONING", "LATENT", "IMAGE", "MASK"})
            QVERIFY2(types.contains(QString::fromLatin1(type)), type);
    }

    void statusBarShowsTheComputeDevice()
    {
        ui::MainWindow window(*m_store);
        QCOMPARE(window.deviceLabel()->text(), QStringLiteral("Device: starting the engine…"));
        window.setEngineStatus(kEngine);
        QCOMPARE(window.deviceLabel()->text(), QStringLiteral("Device: Test GPU · fp16"));
        settings::Settings changed = m_store->current();
        changed.device = QStringLiteral("cpu");
        QVERIFY(m_store->save(changed).ok());
        QCOMPARE(window.deviceLabel()->text(), QStringLiteral("Device: CPU (2 threads) · fp32"));
        window.setEngineStatus({ui::EngineStatus::State::Unavailable, {}, QString(), QStringLiteral("no libtorch")});
        QCOMPARE(window.deviceLabel()->text(), QStringLiteral("Engine unavailable"));
        QCOMPARE(window.deviceLabel()->toolTip(), QStringLiteral("no libtorch"));
    }

    void layoutSurvivesARestart()
    {
        {
            ui::MainWindow window(*m_store);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.addDockWidget(Qt::LeftDockWidgetArea, window.galleryDock());
            window.installQueueDock()->hide();
            window.resize(1000, 700);
            window.close();  // saves the layout, as quitting does
        }
        QVERIFY(QFile::exists(m_store->root().uiStatePath()));
        ui::MainWindow reopened(*m_store);
        reopened.show();
        QVERIFY(QTest::qWaitForWindowExposed(&reopened));
        QCOMPARE(reopened.dockWidgetArea(reopened.galleryDock()), Qt::LeftDockWidgetArea);
        QVERIFY(!reopened.installQueueDock()->isVisible());
        QCOMPARE(reopened.size(), QSize(1000, 700));
        reopened.resetLayout();
        QCOMPARE(reopened.dockWidgetArea(reopened.galleryDock()), Qt::RightDockWidgetArea);
        QVERIFY(reopened.installQueueDock()->isVisible());
    }

    void damagedLayoutFileFallsBackToTheDefault()
    {
        QFile state(m_store->root().uiStatePath());
        QVERIFY(state.open(QIODevice::WriteOnly));
        state.write("[mainWindow]\nstate=@ByteArray(garbage\\0\\x1)\ngeometry=@ByteArray(nonsense)\n");
        state.close();
        ui::MainWindow window(*m_store);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.dockWidgetArea(window.galleryDock()), Qt::RightDockWidgetArea);
        QVERIFY(window.libraryDock()->isVisible());
    }

    void settingsDialogSavesWhatItShows()
    {
        ui::SettingsDialog dialog(*m_store, kDevices);
        auto *device = dialog.findChild<QComboBox *>(QStringLiteral("deviceCombo"));
        auto *precision = dialog.findChild<QComboBox *>(QStringLiteral("precisionCombo"));
        auto *downloads = dialog.findChild<QSpinBox *>(QStringLiteral("parallelDownloadsSpin"));
        auto *token = dialog.findChild<QLineEdit *>(QStringLiteral("huggingFaceTokenEdit"));
        auto *models = dialog.findChild<QLineEdit *>(QStringLiteral("modelsDirEdit"));
        auto *recipe = dialog.findChild<QCheckBox *>(QStringLiteral("writeMetadataCheck"));
        auto *language = dialog.findChild<QComboBox *>(QStringLiteral("languageCombo"));
        QVERIFY(device && precision && downloads && token && models && recipe && language);
        QCOMPARE(language->currentData().toString(), QStringLiteral("system"));
        language->setCurrentIndex(language->findData(QStringLiteral("de")));
        QVERIFY(recipe->isChecked());
        recipe->setChecked(false);
        QCOMPARE(device->findData(QStringLiteral("cuda:0")) >= 0, true);
        device->setCurrentIndex(device->findData(QStringLiteral("cuda:0")));
        precision->setCurrentIndex(precision->findData(QStringLiteral("bf16")));
        downloads->setValue(2);
        QTest::keyClicks(token, QStringLiteral("hf_typed"));
        QTest::keyClicks(models, QStringLiteral("elsewhere"));
        QCOMPARE(token->echoMode(), QLineEdit::Password);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        settings::SettingsStore reopened(m_store->root());
        reopened.load();
        QCOMPARE(reopened.current().device, QStringLiteral("cuda:0"));
        QCOMPARE(reopened.current().precision, QStringLiteral("bf16"));
        QCOMPARE(reopened.current().maxParallelDownloads, 2);
        QCOMPARE(reopened.current().huggingFaceToken, QStringLiteral("hf_typed"));
        QCOMPARE(reopened.modelsDir(), m_dir->path() + QStringLiteral("/elsewhere"));
        QCOMPARE(reopened.current().writeMetadata, false);
        QCOMPARE(reopened.current().language, QStringLiteral("de"));
    }

    void settingsDialogRefusesAnInvalidTokenAndStaysOpen()
    {
        ui::SettingsDialog dialog(*m_store, kDevices);
        dialog.show();
        auto *token = dialog.findChild<QLineEdit *>(QStringLiteral("civitaiTokenEdit"));
        QTest::keyClicks(token, QStringLiteral("abc\tdef"));
        token->setText(QStringLiteral("abc def"));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        const auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
        QVERIFY(error->isVisibleTo(&dialog));
        QVERIFY2(error->text().contains(QStringLiteral("token")), qPrintable(error->text()));
        QCOMPARE(m_store->current().civitaiToken, QString());
    }

    // The render farm's URL goes to secrets.json, not settings.json; a rediss:// URL is refused with the reason,
    // without repeating the password.
    void settingsDialogSetsTheRenderFarm()
    {
        ui::SettingsDialog dialog(*m_store, kDevices);
        dialog.show();
        auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("farmUrlEdit"));
        auto *reclaim = dialog.findChild<QSpinBox *>(QStringLiteral("farmReclaimSpin"));
        auto *attempts = dialog.findChild<QSpinBox *>(QStringLiteral("farmAttemptsSpin"));
        QVERIFY(url && reclaim && attempts);
        QCOMPARE(url->echoMode(), QLineEdit::Password);
        url->setText(QStringLiteral("rediss://render:hunter2@farm.local:6380"));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        const auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
        QVERIFY2(error->text().contains(QStringLiteral("TLS")) && !error->text().contains(QStringLiteral("hunter2")),
                 qPrintable(error->text()));
        url->setText(QStringLiteral("redis://render:hunter2@farm.local:6380"));
        reclaim->setValue(30);
        attempts->setValue(5);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        settings::SettingsStore reopened(m_store->root());
        reopened.load();
        QCOMPARE(reopened.current().farmRedisUrl, QStringLiteral("redis://render:hunter2@farm.local:6380"));
        QCOMPARE(reopened.current().farmReclaimSeconds, 30);
        QCOMPARE(reopened.current().farmMaxAttempts, 5);
        QFile settingsFile(m_store->root().settingsPath());
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        QVERIFY(!settingsFile.readAll().contains("hunter2"));
    }

    void settingsDialogKeepsADeviceThatIsGone()
    {
        settings::Settings changed = m_store->current();
        changed.device = QStringLiteral("cuda:3");
        QVERIFY(m_store->save(changed).ok());
        ui::SettingsDialog dialog(*m_store, kDevices);
        QCOMPARE(dialog.edited().device, QStringLiteral("cuda:3"));
        const auto *device = dialog.findChild<QComboBox *>(QStringLiteral("deviceCombo"));
        QVERIFY(device->currentText().contains(QStringLiteral("not available")));
    }

    // Help → User guide (F1) shows the built-in guide.
    void userGuideIsBuiltIn()
    {
        ui::MainWindow window(*m_store);
        window.show();
        auto *action = window.findChild<QAction *>(QStringLiteral("userGuideAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(QKeySequence::HelpContents));
        action->trigger();
        auto *guide = window.findChild<QDialog *>(QStringLiteral("userGuide"));
        QVERIFY(guide && guide->isVisible());
        auto *text = guide->findChild<QTextBrowser *>();
        QVERIFY(text);
        QVERIFY(text->toPlainText().contains(QStringLiteral("Teaching aMUSEd your style")));
        QVERIFY(text->toPlainText().contains(QStringLiteral("Making an image")));
    }

    void aboutDialogShowsVersionsAndDevices()
    {
        ui::AboutDialog dialog(kEngine);
        const auto *versions = dialog.findChild<QLabel *>(QStringLiteral("versionsLabel"));
        QVERIFY(versions);
        QVERIFY(versions->text().contains(QStringLiteral(ATELIER_VERSION)));
        QVERIFY(versions->text().contains(QString::fromLatin1(qVersion())));
        QVERIFY(versions->text().contains(QStringLiteral("9.8.7")));
        QVERIFY(versions->text().contains(QStringLiteral("Test GPU")));
        const ui::AboutDialog unavailable(
            {ui::EngineStatus::State::Unavailable, {}, QString(), QStringLiteral("<none>")});
        const auto *why = unavailable.findChild<QLabel *>(QStringLiteral("versionsLabel"));
        QVERIFY2(why->text().contains(QStringLiteral("unavailable: &lt;none&gt;")), qPrintable(why->text()));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<settings::SettingsStore> m_store;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
