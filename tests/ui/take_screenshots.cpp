// Takes the README's screenshots of the model library and the install queue, with real data: the fixture models
// installed through the installer (a checkpoint and both diffusers folders), records with covers from the corpus
// images, a missing model and a duplicate, an install downloading from a local server, and one that failed.
// Run under a real X server (Xvfb) so that the style is the desktop's:
//
//   xvfb-run -s "-screen 0 1600x1000x24" take_screenshots OUTPUT_FOLDER

#include "core/downloads/download_queue.h"
#include "core/engine/client/engine_client.h"
#include "core/gallery/gallery_service.h"
#include "core/graph/graph_document.h"
#include "core/graph/graph_run_service.h"
#include "core/metadata/generation_info.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"
#include "tests/bench/realistic_records.h"
#include "tests/fault_server.h"
#include "tests/fixtures.h"
#include "tests/sparse_safetensors.h"
#include "tests/ui/english_plurals.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/gallery/image_viewer.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/missing_models_dialog.h"
#include "ui/graph/node_item.h"
#include "ui/graph/port_colors.h"
#include "ui/graph/prompt_editor.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/import_library_dialog.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_panel.h"
#include "ui/library/library_table_model.h"
#include "ui/memory/memory_panel.h"
#include "ui/shell/main_window.h"
#include "ui/shell/settings_dialog.h"
#include "ui/training/training_panel.h"

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace atelier;

namespace {

void spin(int ms)
{
    QElapsedTimer wait;
    wait.start();
    while (wait.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication application(argc, argv);
    if (!installEnglishPlurals()) {
        std::fprintf(stderr, "take_screenshots: the English plural forms (%s) are missing\n", ATELIER_EN_QM);
        return 1;
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: take_screenshots OUTPUT_FOLDER\n");
        return 2;
    }
    const QString output = QString::fromLocal8Bit(argv[1]);
    QDir().mkpath(output);
    QTemporaryDir dir;
    const auto root = settings::AppRoot::open(dir.filePath(QStringLiteral("root")));
    if (!root)
        return 1;
    settings::SettingsStore settingsStore(root.value());
    settingsStore.load();
    models::RecordStore store(root->databasePath());
    if (!store.open())
        return 1;
    downloads::DownloadQueue queue(downloads::DownloadQueue::Options{});
    models::ModelInstaller::Options options;
    options.modelsDir = settingsStore.modelsDir();
    options.cacheDir = root->cacheDir();
    models::ModelInstaller installer(store, queue, options);

    // Real installs of the fixture models.
    const QString fixtures = QDir(fixturesDir()).filePath(QStringLiteral("models"));
    for (const QString &source : {QStringLiteral("tiny-sd1/tiny-sd1.safetensors"), QStringLiteral("tiny-sd2v/tiny-sd2v.safetensors"),
                                  QStringLiteral("tiny-sdxl/tiny-sdxl.safetensors")})
        installer.heuristicImport(QDir(fixtures).filePath(source));
    installer.waitForInstalls(60000);
    installer.pruneJobs();

    // Records with the corpus's images as covers, so that the grid shows real pictures.
    QStringList covers;
    QDirIterator images(QDir(fixturesDir()).filePath(QStringLiteral("corpus")), {QStringLiteral("*.png")}, QDir::Files,
                        QDirIterator::Subdirectories);
    while (images.hasNext())
        covers << images.next();
    covers.sort();
    QRandomGenerator random(7);
    QList<models::ModelConfig> configs;
    for (int i = 0; i < 60; ++i) {
        models::ModelConfig config = bench::realisticRecord(i, random);
        config.key = models::ModelConfig::newKey();
        if (!covers.isEmpty() && i % 3 != 2)
            config.coverImage = covers.at(i % covers.size());
        if (i == 4)
            config.missing = true;
        configs << config;
    }
    configs[7].hash = configs[8].hash;  // a duplicate
    store.importModels(configs, false);

    ui::MainWindow window(settingsStore);
    ui::EngineStatus engineStatus;
    engineStatus.state = ui::EngineStatus::State::Ready;
    engineStatus.devices = engine::client::availableDevices();
    engineStatus.libtorchVersion = QString::fromStdString(engine::client::libtorchVersion());
    window.setEngineStatus(engineStatus);
    window.setLibraryServices(store, installer);
    window.resize(1560, 960);
    window.show();
    spin(800);

    // The queue: a download in progress from a local server, and one that failed.
    FaultServer server(QHostAddress(QStringLiteral("127.0.0.2")));
    FaultRoute slow;
    slow.body = readAll(QDir(fixtures).filePath(QStringLiteral("tiny-sdxl/tiny-sdxl.safetensors"))) + QByteArray(8 << 20, '\0');
    slow.chunkDelayMs = 40;
    server.setRoute("/models/juggernaut-xl-tiny.safetensors", slow);
    FaultRoute missing;
    missing.status = 404;
    server.setRoute("/models/removed.safetensors", missing);
    ui::InstallQueuePanel *queuePanel = window.installQueuePanel();
    queuePanel->install({QDir(fixtures).filePath(QStringLiteral("tiny-sd1/diffusers"))});
    queuePanel->install({server.url("/models/juggernaut-xl-tiny.safetensors").toString()});
    queuePanel->install({server.url("/models/removed.safetensors").toString()});
    spin(3000);

    ui::LibraryPanel *library = window.libraryPanel();
    library->tableView()->selectRow(0);
    library->selectModel(configs[7].key);
    spin(500);
    window.grab().save(QDir(output).filePath(QStringLiteral("library-list.png")));
    library->setViewMode(ui::LibraryPanel::ViewMode::Grid);
    spin(1500);
    window.grab().save(QDir(output).filePath(QStringLiteral("library-grid.png")));
    window.installQueueDock()->grab().save(QDir(output).filePath(QStringLiteral("install-queue.png")));
    {
        ui::SettingsDialog settingsDialog(settingsStore, engineStatus.devices);
        settingsDialog.show();
        spin(300);
        settingsDialog.grab().save(QDir(output).filePath(QStringLiteral("settings.png")));
    }

    // Importing other tools' libraries: a ComfyUI install whose extra_model_paths.yaml adds an A1111 one, LoRAs
    // with Civitai Helper's sidecars, and a checkpoint the library has already.
    {
        const QDir tools(dir.filePath(QStringLiteral("tools")));
        const auto write = [](const QString &path, const QByteArray &content) {
            QDir().mkpath(QFileInfo(path).path());
            QFile file(path);
            if (file.open(QIODevice::WriteOnly))
                file.write(content);
        };
        const char *loras[] = {"neon-city", "watercolor-wash", "film-grain", "ink-sketch"};
        for (const char *name : loras) {
            const QString path =
                tools.filePath(QStringLiteral("ComfyUI/models/loras/%1.safetensors").arg(QLatin1String(name)));
            writeSparseSd1Lora(path, QLatin1String(name));
            write(QFileInfo(path).path() + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".civitai.info"),
                  QByteArray(R"({"id": 1, "modelId": 2, "trainedWords": ["style"], "model": {"name": ")") + name +
                      R"("}})");
        }
        QDir().mkpath(tools.filePath(QStringLiteral("ComfyUI/models/checkpoints")));
        QFile::copy(QDir(fixtures).filePath(QStringLiteral("tiny-sd1/tiny-sd1.safetensors")),
                    tools.filePath(QStringLiteral("ComfyUI/models/checkpoints/tiny-sd1.safetensors")));
        write(tools.filePath(QStringLiteral("ComfyUI/extra_model_paths.yaml")),
              "a111:\n    base_path: ../stable-diffusion-webui\n    loras: models/Lora\n    embeddings: embeddings\n");
        QDir().mkpath(tools.filePath(QStringLiteral("stable-diffusion-webui/embeddings")));
        QFile::copy(QDir(fixtures).filePath(QStringLiteral("tiny-sd1/embeddings/tiny-ti.safetensors")),
                    tools.filePath(QStringLiteral("stable-diffusion-webui/embeddings/tiny-ti.safetensors")));
        writeSparseSd1Lora(tools.filePath(QStringLiteral("stable-diffusion-webui/models/Lora/detail.safetensors")),
                           QStringLiteral("detail"));
        ui::ImportLibraryDialog importDialog(store, installer, {tools.filePath(QStringLiteral("ComfyUI"))});
        importDialog.show();
        const auto waitFor = [&](auto signal) {
            QEventLoop loop;
            QObject::connect(&importDialog, signal, &loop, &QEventLoop::quit);
            QTimer::singleShot(30000, &loop, &QEventLoop::quit);
            loop.exec();
        };
        waitFor(&ui::ImportLibraryDialog::planned);
        spin(200);
        importDialog.grab().save(QDir(output).filePath(QStringLiteral("import-library.png")));
        importDialog.importButton()->click();
        waitFor(&ui::ImportLibraryDialog::imported);
        waitFor(&ui::ImportLibraryDialog::planned);
        spin(200);
        importDialog.grab().save(QDir(output).filePath(QStringLiteral("import-library-done.png")));
    }

    // The node editor: the ready txt2img graph on the tiny model, idle, running with the sampler's preview, done,
    // and a graph with validation errors.
    nodes::NodeEnvironment environment;
    environment.library = {&store, settingsStore.modelsDir()};
    environment.inputDir = root->inputDir();
    environment.outputDir = root->outputsDir();
    environment.tempDir = root->tempDir();
    window.setGraphServices(nodes::builtInNodes(environment));
    // Images from every tool in the corpus: ComfyUI's in the outputs folder, the others in another tool's folder.
    const QString corpus = QDir(fixturesDir()).filePath(QStringLiteral("corpus"));
    const QString comfyOutputs = QDir(root->outputsDir()).filePath(QStringLiteral("comfyui"));
    QDir().mkpath(comfyOutputs);
    for (const QString &name : QDir(corpus + QStringLiteral("/comfyui")).entryList({QStringLiteral("*.png")}))
        QFile::copy(corpus + QStringLiteral("/comfyui/") + name, QDir(comfyOutputs).filePath(name));
    const QString otherTools = QDir(root->path()).filePath(QStringLiteral("other-tools"));
    QDirIterator others(corpus + QStringLiteral("/png"), {QStringLiteral("*.png")}, QDir::Files,
                        QDirIterator::Subdirectories);
    QDir().mkpath(otherTools);
    while (others.hasNext()) {
        const QFileInfo file(others.next());
        QFile::copy(file.filePath(), QDir(otherTools).filePath(file.dir().dirName() + '-' + file.fileName()));
    }
    {
        // The whole window at its first start, as Atelier opens it: the model library (details below its list)
        // and the node library on the left, the canvas in the middle, the gallery and history on the right, the
        // install and run queues below.
        gallery::GalleryService freshImages(root->imageIndexPath(), root->outputsDir());
        ui::MainWindow fresh(settingsStore);
        fresh.setEngineStatus(engineStatus);
        fresh.setLibraryServices(store, installer);
        fresh.setGraphServices(nodes::builtInNodes(environment));
        fresh.setGalleryService(freshImages);
        fresh.show();
        freshImages.start();
        spin(800);
        freshImages.waitForIdle();
        fresh.galleryPanel()->thumbnails()->waitForLoads();
        spin(300);
        fresh.grab().save(QDir(output).filePath(QStringLiteral("main-window.png")));
    }
    window.installQueueDock()->hide();
    window.galleryDock()->hide();
    window.libraryDock()->hide();
    window.runQueueDock()->hide();
    window.historyDock()->hide();
    if (auto *nodeLibrary = window.findChild<QDockWidget *>(QStringLiteral("nodeLibraryDock")))
        window.resizeDocks({nodeLibrary}, {300}, Qt::Horizontal);
    ui::GraphEditor *editor = window.graphEditor();
    graph::GraphDocument *document = editor->currentDocument();
    const QStringList ids = document->nodeIds();
    document->setValue(ids.at(0), QStringLiteral("ckpt_name"),
                       graph::GraphValue::text(QStringLiteral("tiny-sd1.safetensors")));
    document->setValue(ids.at(3), QStringLiteral("width"), graph::GraphValue::integer(128));
    document->setValue(ids.at(3), QStringLiteral("height"), graph::GraphValue::integer(128));
    document->setValue(ids.at(4), QStringLiteral("steps"), graph::GraphValue::integer(40));
    editor->currentView()->fitAll();
    spin(500);
    window.grab().save(QDir(output).filePath(QStringLiteral("graph-editor.png")));
    // Until the sampler is at step 12 (or the run ends, whatever happened), then until the run ends.
    QEventLoop running;
    bool ended = false;
    QObject::connect(&editor->runService(), &graph::GraphRunService::nodeProgress, &running,
                     [&](quint64, const QString &, int value, int) {
                         if (value == 12)
                             running.quit();
                     });
    QObject::connect(editor, &ui::GraphEditor::runFinished, &running, [&](quint64, const graph::RunOutcome &outcome) {
        ended = true;
        if (!outcome.ok())
            std::fprintf(stderr, "the run ended: %s\n", qPrintable(outcome.message));
        running.quit();
    });
    editor->queueCurrent();
    running.exec();
    spin(200);
    window.grab().save(QDir(output).filePath(QStringLiteral("graph-running.png")));
    while (!ended)
        running.exec();
    spin(300);
    window.grab().save(QDir(output).filePath(QStringLiteral("graph-done.png")));
    // The Memory dock after the run: the submodels its loader put in the cache.
    window.memoryDock()->show();
    window.memoryDock()->raise();
    if (auto *memory = window.memoryDock()->findChild<ui::MemoryPanel *>()) {
        memory->refresh();
        spin(100);
        window.memoryDock()->grab().save(QDir(output).filePath(QStringLiteral("memory.png")));
    }
    window.installQueueDock()->raise();
    document->setValue(ids.at(0), QStringLiteral("ckpt_name"),
                       graph::GraphValue::text(QStringLiteral("sdxl/juggernautXL_v9.safetensors")));
    document->setValue(ids.at(4), QStringLiteral("cfg"), graph::GraphValue::real(7.5));
    document->disconnectInput(ids.at(5), QStringLiteral("vae"));
    ended = false;
    editor->queueCurrent();
    while (!ended)
        running.exec();
    spin(300);
    window.grab().save(QDir(output).filePath(QStringLiteral("graph-errors.png")));
    editor->showMissingModels();
    spin(300);
    if (auto *missing = editor->findChild<ui::MissingModelsDialog *>()) {
        missing->grab().save(QDir(output).filePath(QStringLiteral("missing-models.png")));
        missing->close();
    }

    // Organised: the prompts grouped and coloured, a reroute carrying the VAE, the run queue with three runs.
    document->setValue(ids.at(0), QStringLiteral("ckpt_name"),
                       graph::GraphValue::text(QStringLiteral("tiny-sd1.safetensors")));
    document->connectInput({ids.at(0), 2}, ids.at(5), QStringLiteral("vae"));
    document->setValue(ids.at(4), QStringLiteral("steps"), graph::GraphValue::integer(30));
    document->setValue(ids.at(4), QStringLiteral("control_after_generate"), graph::GraphValue::text("increment"));
    ui::GraphScene *scene = editor->currentScene();
    scene->clearSelection();
    for (int node : {1, 2, 3})
        scene->nodeItem(ids.at(node))->setSelected(true);
    scene->groupSelected(QStringLiteral("Prompt and size"));
    scene->clearSelection();
    scene->nodeItem(ids.at(1))->setSelected(true);
    scene->setColorOfSelected(ui::canvasPalette().at(2).title, ui::canvasPalette().at(2).body);
    scene->clearSelection();
    scene->nodeItem(ids.at(2))->setSelected(true);
    scene->setColorOfSelected(ui::canvasPalette().at(0).title, ui::canvasPalette().at(0).body);
    scene->clearSelection();
    for (const graph::CanvasLink &link : document->links())
        if (link.to == ids.at(5) && link.type == QStringLiteral("VAE"))
            scene->insertReroute(link.id, QPointF(1180, 330));
    window.graphEditor()->statusLabel()->setText(QStringLiteral("Ready"));
    window.runQueueDock()->show();
    window.resizeDocks({window.runQueueDock()}, {170}, Qt::Vertical);
    editor->currentView()->fitAll();
    bool queueShown = false;
    QObject::connect(&editor->runService(), &graph::GraphRunService::nodeProgress, &running,
                     [&](quint64, const QString &, int value, int) {
                         if (value == 8 && !queueShown)
                             running.quit();
                     });
    ended = false;
    for (int run = 0; run < 3; ++run)
        editor->queueCurrent();
    running.exec();
    queueShown = true;
    spin(200);
    window.grab().save(QDir(output).filePath(QStringLiteral("graph-organised.png")));
    editor->cancelRuns();
    spin(500);

    // aMUSEd's graph, as an aMUSEd image's recipe writes it, opened in a tab of its own and run.
    {
        metadata::GenerationInfo recipe;
        recipe.model = metadata::ModelReference{QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-amused")), {}};
        recipe.prompt = QStringLiteral("a photo of a cat");
        recipe.negativePrompt = QString();
        recipe.seed = 42;
        recipe.steps = 12;
        recipe.cfg = 10.0;
        recipe.width = 64;
        recipe.height = 64;
        recipe.maskedTokens = metadata::MaskedTokenRecipe();
        const QString workflow = QDir(root->tempDir()).filePath(QStringLiteral("amused.json"));
        QDir().mkpath(root->tempDir());
        QFile file(workflow);
        if (file.open(QIODevice::WriteOnly))
            file.write(metadata::recipeWorkflow(recipe).toUtf8()); // atelier-workflow JSON opens as a graph
        file.close();
        window.runQueueDock()->hide();
        if (const Status opened = editor->openFile(workflow); !opened)
            std::fprintf(stderr, "the aMUSEd workflow did not open: %s\n", qPrintable(opened.error()));
        editor->currentView()->fitAll();
        ended = false;
        editor->queueCurrent();
        while (!ended)
            running.exec();
        spin(300);
        editor->currentView()->fitAll();
        spin(200);
        window.grab().save(QDir(output).filePath(QStringLiteral("graph-amused.png")));
    }

    // The Training panel after a short LoRA run on the fixture training set, with its loss and validation images.
    {
        models::InstallRequest inPlace;
        inPlace.inplace = true;
        if (const auto added = installer.registerPath(QDir(fixtures).filePath(QStringLiteral("tiny-amused")), inPlace);
            !added)
            std::fprintf(stderr, "tiny-amused was not added: %s\n", qPrintable(added.error()));
        const QString data = dir.filePath(QStringLiteral("watercolour shapes"));
        QDir().mkpath(data);
        const QDir cases(QDir(fixturesDir()).filePath(QStringLiteral("cases")));
        for (const QString &name : cases.entryList({QStringLiteral("tiny-amused.train.image*.png")}))
            QFile::copy(cases.filePath(name), QDir(data).filePath(name));
        QFile::copy(cases.filePath(QStringLiteral("tiny-amused.train.captions.json")),
                    QDir(data).filePath(QStringLiteral("captions.json")));
        ui::TrainingPanel *training = window.trainingPanel();
        window.trainingDock()->show();
        window.trainingDock()->raise();
        training->refreshModels();
        training->dataEdit()->setText(data);
        QMetaObject::invokeMethod(training->dataEdit(), "editingFinished");
        training->rankSpin()->setValue(4);
        training->stepsSpin()->setValue(150);
        training->learningRateSpin()->setValue(0.004);
        training->batchSpin()->setValue(4);
        training->validationPromptsEdit()->setPlainText(QStringLiteral("a red circle on a blue background\n"
                                                                       "green and yellow stripes"));
        training->validateEverySpin()->setValue(50);
        QEventLoop trained;
        QObject::connect(training, &ui::TrainingPanel::modelTrained, &trained, &QEventLoop::quit);
        training->startButton()->click();
        QTimer::singleShot(120000, &trained, &QEventLoop::quit);
        trained.exec();
        window.trainingDock()->setFloating(true);
        window.trainingDock()->resize(1180, 560);
        spin(400);
        window.trainingDock()->grab().save(QDir(output).filePath(QStringLiteral("training.png")));
        window.trainingDock()->setFloating(false);
    }

    // The prompt editor colours emphasis, weights, embeddings and BREAK as the engine reads them.
    ui::PromptEditor prompt(QStringLiteral("Positive prompt — text"),
                            QStringLiteral("a (lighthouse:1.3) on a cliff at dusk, [fog], embedding:oil-style, "
                                           "((dramatic sky)) BREAK warm light, <lora:ink:0.6> (unfinished"));
    prompt.show();
    spin(300);
    prompt.grab().save(QDir(output).filePath(QStringLiteral("prompt-editor.png")));

    // The gallery over the corpus's images from every tool, copied into the outputs folder and another tool's folder.
    {
        gallery::GalleryService images(root->imageIndexPath(), root->outputsDir());
        ui::MainWindow shown(settingsStore);
        shown.setEngineStatus(engineStatus);
        shown.setLibraryServices(store, installer);
        shown.setGraphServices(nodes::builtInNodes(environment));
        shown.setGalleryService(images);
        shown.resize(1560, 960);
        shown.libraryDock()->hide();
        shown.installQueueDock()->hide();
        shown.runQueueDock()->hide();
        shown.historyDock()->hide();
        if (auto *nodeLibrary = shown.findChild<QDockWidget *>(QStringLiteral("nodeLibraryDock")))
            nodeLibrary->hide();
        shown.show();
        images.start();
        images.addFolder(otherTools);
        spin(300);
        images.waitForIdle();
        spin(300);
        images.waitForIdle();
        ui::GalleryPanel *panel = shown.galleryPanel();
        shown.resizeDocks({shown.galleryDock()}, {820}, Qt::Horizontal);
        panel->setTileSize(150);
        spin(300);
        QListView *grid = panel->grid();
        const auto mark = [&](int row, bool star, int rating) {
            grid->setCurrentIndex(panel->model()->index(row, 0));
            if (star)
                panel->toggleStar();
            panel->rate(rating);
        };
        mark(1, true, 5);
        mark(3, false, 4);
        mark(6, true, 3);
        const int comfy = panel->model()->rowOf(QDir(comfyOutputs).filePath(QStringLiteral("lora_lora.png")));
        grid->setCurrentIndex(panel->model()->index(std::max(0, comfy), 0));
        panel->thumbnails()->waitForLoads();
        panel->inspector()->waitForRead();
        spin(500);
        panel->thumbnails()->waitForLoads();
        spin(300);
        shown.grab().save(QDir(output).filePath(QStringLiteral("gallery.png")));

        // Two attempts side by side, with what changed between their recipes.
        const QString before = QDir(comfyOutputs).filePath(QStringLiteral("lora_lora.png"));
        const QString after = QDir(comfyOutputs).filePath(QStringLiteral("lora_lora_multiple.png"));
        ui::ImageViewer *viewer = panel->viewer();
        viewer->compare(before, metadata::readGenerationInfo(before).value(), after,
                        metadata::readGenerationInfo(after).value());
        viewer->resize(1200, 760);
        viewer->show();
        viewer->waitForImages();
        spin(400);
        viewer->grab().save(QDir(output).filePath(QStringLiteral("gallery-compare.png")));
        viewer->close();
    }

    std::printf("screenshots written to %s\n", qPrintable(output));
    for (const auto &job : installer.listJobs())
        installer.cancelJob(job.id);
    installer.waitForInstalls(20000);
    return 0;
}
