#include "ui/graph/graph_editor.h"

#include "core/graph/api_prompt.h"
#include "core/graph/graph_sources.h"
#include "core/graph/recipe_fill.h"
#include "ui/common/rgb_image.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/missing_models_dialog.h"
#include "ui/graph/node_item.h"
#include "ui/graph/run_queue_panel.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>
#include <QVBoxLayout>

namespace atelier::ui {

struct GraphEditor::Tab
{
    std::unique_ptr<graph::GraphDocument> document;
    std::unique_ptr<QUndoStack> undo;
    GraphScene *scene = nullptr;
    GraphView *view = nullptr;
    QString title;
    QString path;
};

namespace {

// The canvas node a run's node belongs to: itself, or the subgraph instance holding it ("5:2" is in 5).
QString canvasId(const QString &runNode)
{
    return runNode.section(QLatin1Char(':'), 0, 0);
}

QUndoGroup &undoGroupOf(QObject *owner)
{
    auto *group = owner->findChild<QUndoGroup *>(QStringLiteral("graphUndoGroup"));
    if (!group) {
        group = new QUndoGroup(owner);
        group->setObjectName(QStringLiteral("graphUndoGroup"));
    }
    return *group;
}

} // namespace

GraphEditor::GraphEditor(std::shared_ptr<const graph::NodeRegistry> registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(std::move(registry))
    , m_runs(m_registry)
{
    setObjectName(QStringLiteral("graphEditor"));
    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("graphToolbar"));
    // Each button's tooltip says what it does and its keys.
    const auto tip = [](QAction *action, const QString &what) {
        const QString keys = action->shortcut().toString(QKeySequence::NativeText);
        action->setToolTip(keys.isEmpty() ? what : tr("%1 (%2)").arg(what, keys));
    };
    const auto action = [&](const QString &text, const QKeySequence &keys, const QString &what, auto slot) {
        QAction *made = toolbar->addAction(text, this, slot);
        made->setShortcut(keys);
        made->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        tip(made, what);
        return made;
    };
    action(tr("New"), QKeySequence::New, tr("A new tab with a ready text-to-image graph"), [this] { newTxt2ImgTab(); });
    action(tr("Open…"), QKeySequence::Open, tr("Open a workflow, or the graph stored in an image"), [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open workflow"), {}, tr("Workflows and images (*.json *.png)"));
        if (!path.isEmpty())
            if (const Status opened = openFile(path); !opened)
                QMessageBox::warning(this, tr("Open workflow"), opened.error());
    });
    action(tr("Save"), QKeySequence::Save, tr("Save this workflow as ComfyUI JSON"), [this] {
        QString path = currentPath();
        if (path.isEmpty() || !path.endsWith(QStringLiteral(".json")))
            path = QFileDialog::getSaveFileName(this, tr("Save workflow"), {}, tr("Workflows (*.json)"));
        if (!path.isEmpty())
            if (const Status saved = saveFile(path); !saved)
                QMessageBox::warning(this, tr("Save workflow"), saved.error());
    });
    toolbar->addSeparator();
    QAction *undo = undoGroupOf(this).createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = undoGroupOf(this).createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    for (QAction *history : {undo, redo}) {
        history->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        toolbar->addAction(history);
    }
    tip(undo, tr("Take back the last change to this graph"));
    tip(redo, tr("Make the change taken back again"));
    toolbar->addSeparator();
    QAction *queue = action(tr("Queue"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                            tr("Run this graph; runs queued meanwhile wait their turn"), [this] { queueCurrent(); });
    queue->setObjectName(QStringLiteral("queueAction"));
    QAction *toHere =
        action(tr("Run to here"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return),
               tr("Runs only what the selected nodes need"), [this] {
                   if (const GraphScene *scene = currentScene(); scene && !scene->selectedNodeIds().isEmpty())
                       queueCurrent(scene->selectedNodeIds());
                   else
                       m_status->setText(tr("Select the nodes to run up to first"));
               });
    toHere->setObjectName(QStringLiteral("runToHereAction"));
    action(tr("Cancel"), QKeySequence(Qt::Key_Escape), tr("Stop the running graph and empty the queue"),
           [this] { cancelRuns(); });

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("graphTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (Tab *tab = currentTab())
            undoGroupOf(this).setActiveStack(tab->undo.get());
    });
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget *view = m_tabs->widget(index);
        m_tabs->removeTab(index);
        m_tabList.erase(std::remove_if(m_tabList.begin(), m_tabList.end(),
                                       [&](const std::unique_ptr<Tab> &tab) { return tab->view == view; }),
                        m_tabList.end());
    });
    m_queuePanel = new RunQueuePanel(this);
    m_queuePanel->follow(m_runs, tr("This computer"));
    m_queuePanel->hide(); // until the window puts it in its dock
    m_status = new QLabel(tr("Ready"), this);
    m_status->setObjectName(QStringLiteral("graphStatus"));
    m_missingButton = new QToolButton(this);
    m_missingButton->setObjectName(QStringLiteral("missingModelsButton"));
    m_missingButton->setToolTip(tr("The models this graph needs that the library lacks, and where to get them"));
    m_missingButton->hide();
    connect(m_missingButton, &QToolButton::clicked, this, &GraphEditor::showMissingModels);
    auto *statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(4, 0, 4, 0);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_missingButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(toolbar);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(statusRow);
    connectRuns(m_runs);
}

QUndoGroup *GraphEditor::undoGroup()
{
    return &undoGroupOf(this);
}

GraphEditor::~GraphEditor()
{
    m_tabs->clear();
    m_tabList.clear();
}

void GraphEditor::addTab(std::unique_ptr<graph::GraphDocument> document, const QString &title, const QString &path)
{
    auto tab = std::make_unique<Tab>();
    tab->document = std::move(document);
    tab->undo = std::make_unique<QUndoStack>();
    undoGroupOf(this).addStack(tab->undo.get());
    tab->scene = new GraphScene(*tab->document, *tab->undo, this);
    tab->view = new GraphView(tab->scene, m_tabs);
    tab->scene->setParent(tab->view);
    tab->title = title;
    tab->path = path;
    Tab &added = *tab;
    connect(tab->view, &GraphView::filesDropped, this, &GraphEditor::dropFiles);
    connect(tab->view, &GraphView::message, m_status, &QLabel::setText);
    connect(tab->undo.get(), &QUndoStack::cleanChanged, this, [this, &added] { updateTitle(added); });
    m_tabList.push_back(std::move(tab));
    m_tabs->setCurrentIndex(m_tabs->addTab(added.view, title));
    undoGroupOf(this).setActiveStack(added.undo.get());
    updateTitle(added);
    added.view->fitAll(GraphView::Fit::Readable);
}

void GraphEditor::updateTitle(Tab &tab)
{
    const int index = m_tabs->indexOf(tab.view);
    if (index >= 0) // a dirty marker, as editors have
        m_tabs->setTabText(index, tab.undo->isClean() ? tab.title : tab.title + QStringLiteral(" •"));
}

void GraphEditor::newEmptyTab()
{
    addTab(std::make_unique<graph::GraphDocument>(m_registry), tr("Untitled"));
}

void GraphEditor::newTxt2ImgTab()
{
    auto document = std::make_unique<graph::GraphDocument>(m_registry);
    graph::GraphDocument &doc = *document;
    const QString load = doc.addNode(QStringLiteral("CheckpointLoaderSimple"), QPointF(0, 200));
    const QString positive = doc.addNode(QStringLiteral("CLIPTextEncode"), QPointF(380, 0));
    const QString negative = doc.addNode(QStringLiteral("CLIPTextEncode"), QPointF(380, 260));
    const QString latent = doc.addNode(QStringLiteral("EmptyLatentImage"), QPointF(380, 500));
    const QString sampler = doc.addNode(QStringLiteral("KSampler"), QPointF(760, 120));
    const QString decode = doc.addNode(QStringLiteral("VAEDecode"), QPointF(1120, 120));
    const QString save = doc.addNode(QStringLiteral("SaveImage"), QPointF(1480, 120));
    if (const QString model = m_registry->options(QStringLiteral("checkpoints")).value(0); !model.isEmpty())
        doc.setValue(load, QStringLiteral("ckpt_name"), graph::GraphValue::text(model));
    doc.setValue(positive, QStringLiteral("text"),
                 graph::GraphValue::text(QStringLiteral("a lighthouse on a cliff at dusk, oil painting")));
    doc.setValue(negative, QStringLiteral("text"), graph::GraphValue::text(QStringLiteral("blurry, text")));
    // Stored in English, as a title the type gives: the canvas shows them translated (nodeTitle), and the
    // workflow reads the same whatever the language it was made in.
    doc.setTitle(positive, QStringLiteral(QT_TRANSLATE_NOOP("NodeTitle", "Positive prompt")));
    doc.setTitle(negative, QStringLiteral(QT_TRANSLATE_NOOP("NodeTitle", "Negative prompt")));
    doc.connectInput({load, 0}, sampler, QStringLiteral("model"));
    doc.connectInput({load, 1}, positive, QStringLiteral("clip"));
    doc.connectInput({load, 1}, negative, QStringLiteral("clip"));
    doc.connectInput({positive, 0}, sampler, QStringLiteral("positive"));
    doc.connectInput({negative, 0}, sampler, QStringLiteral("negative"));
    doc.connectInput({latent, 0}, sampler, QStringLiteral("latent_image"));
    doc.connectInput({sampler, 0}, decode, QStringLiteral("samples"));
    doc.connectInput({load, 2}, decode, QStringLiteral("vae"));
    doc.connectInput({decode, 0}, save, QStringLiteral("images"));
    addTab(std::move(document), tr("txt2img"));
}

Status GraphEditor::openFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure(tr("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.read(256ll * 1024 * 1024);
    const bool png = bytes.startsWith("\x89PNG");
    const Result<graph::GraphSource> source =
        png ? graph::graphFromImage(bytes, *m_registry) : graph::graphFromDocument(bytes, *m_registry);
    if (!source)
        return Status::failure(tr("%1: %2").arg(QFileInfo(path).fileName(), source.error()));
    auto document = std::make_unique<graph::GraphDocument>(m_registry);
    const bool canvas = !source->editorWorkflow.isEmpty() && document->openWorkflow(source->editorWorkflow);
    if (!canvas)
        document->openGraph(source->graph);
    // Only workflows are saved back where they came from; anything else becomes a new workflow.
    addTab(std::move(document), QFileInfo(path).completeBaseName(), !png && canvas ? path : QString());
    emit fileUsed(QFileInfo(path).absoluteFilePath());
    return {};
}

void GraphEditor::dropFiles(const QStringList &paths, QPointF scenePos)
{
    QStringList problems;
    QPointF next = scenePos;
    for (const QString &path : paths) {
        // A workflow, or an image with a graph or a recipe, opens in a tab.
        const Status opened = openFile(path);
        if (opened || path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) {
            if (!opened)
                problems.append(opened.error());
            continue;
        }
        // Any other picture: into the input folder, and a LoadImage for it where it was dropped.
        const Result<QString> name = importInputImage(path);
        if (!name) {
            problems.append(name.error());
            continue;
        }
        if (GraphScene *scene = currentScene();
            scene && !scene
                          ->addNodeWithValue(QStringLiteral("LoadImage"), QStringLiteral("image"),
                                             graph::GraphValue::text(name.value()), next)
                          .isEmpty())
            next += QPointF(40, 40);
    }
    m_status->setText(problems.isEmpty() ? tr("Ready") : problems.join(QLatin1Char('\n')));
}

Result<QString> GraphEditor::importInputImage(const QString &path)
{
    if (m_inputFolder.isEmpty())
        return Result<QString>::failure(tr("there is no input folder to put %1 in").arg(QFileInfo(path).fileName()));
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull())
        return Result<QString>::failure(
            tr("%1 is not an image Atelier can read: %2").arg(QFileInfo(path).fileName(), reader.errorString()));
    if (!QDir().mkpath(m_inputFolder))
        return Result<QString>::failure(tr("cannot create the input folder %1").arg(m_inputFolder));
    // LoadImage reads PNG: other formats are converted. A name already taken by another picture gets a number.
    const QString base = QFileInfo(path).completeBaseName();
    QString name = base + QStringLiteral(".png");
    for (int copy = 2; QFileInfo::exists(QDir(m_inputFolder).filePath(name)); ++copy) {
        if (QImage(QDir(m_inputFolder).filePath(name)) == image)
            return name; // the same picture, dropped again
        name = QStringLiteral("%1 (%2).png").arg(base).arg(copy);
    }
    QSaveFile file(QDir(m_inputFolder).filePath(name));
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit())
        return Result<QString>::failure(tr("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    return name;
}

Status GraphEditor::saveFile(const QString &path)
{
    Tab *tab = currentTab();
    if (!tab)
        return Status::failure(tr("no workflow is open"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(tab->document->editorWorkflow());
    if (!file.commit())
        return Status::failure(tr("cannot write %1: %2").arg(path, file.errorString()));
    tab->path = path;
    tab->title = QFileInfo(path).completeBaseName();
    tab->undo->setClean();
    updateTitle(*tab);
    emit fileUsed(QFileInfo(path).absoluteFilePath());
    return {};
}

Status GraphEditor::exportApiPrompt(const QString &path)
{
    const graph::GraphDocument *document = currentDocument();
    if (!document)
        return Status::failure(tr("no workflow is open"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(graph::writeApiPrompt(document->graph()));
    return file.commit() ? Status{} : Status::failure(tr("cannot write %1: %2").arg(path, file.errorString()));
}

void GraphEditor::saveSession(const QString &folder, QSettings &state) const
{
    QDir dir(folder);
    dir.mkpath(QStringLiteral("."));
    for (const QString &old : dir.entryList({QStringLiteral("tab-*.json")}, QDir::Files))
        dir.remove(old);
    state.beginGroup(QStringLiteral("graphSession"));
    state.remove(QString());
    state.beginWriteArray(QStringLiteral("tabs"));
    for (int index = 0; index < m_tabs->count(); ++index) {
        const auto tab = std::find_if(m_tabList.begin(), m_tabList.end(), [&](const std::unique_ptr<Tab> &held) {
            return held->view == m_tabs->widget(index);
        });
        if (tab == m_tabList.end())
            continue;
        const QString file = QStringLiteral("tab-%1.json").arg(index + 1);
        QSaveFile saved(dir.filePath(file));
        if (!saved.open(QIODevice::WriteOnly) || saved.write((*tab)->document->editorWorkflow()) < 0 || !saved.commit())
            continue; // a tab that cannot be kept is not worth failing the quit for
        state.setArrayIndex(index);
        state.setValue(QStringLiteral("file"), file);
        state.setValue(QStringLiteral("title"), (*tab)->title);
        state.setValue(QStringLiteral("path"), (*tab)->path);
    }
    state.endArray();
    state.setValue(QStringLiteral("current"), m_tabs->currentIndex());
    state.endGroup();
}

bool GraphEditor::restoreSession(const QString &folder, QSettings &state)
{
    state.beginGroup(QStringLiteral("graphSession"));
    const int count = state.beginReadArray(QStringLiteral("tabs"));
    for (int index = 0; index < count; ++index) {
        state.setArrayIndex(index);
        QFile file(QDir(folder).filePath(state.value(QStringLiteral("file")).toString()));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        auto document = std::make_unique<graph::GraphDocument>(m_registry);
        if (!document->openWorkflow(file.readAll()))
            continue;
        addTab(std::move(document), state.value(QStringLiteral("title")).toString(),
               state.value(QStringLiteral("path")).toString());
    }
    state.endArray();
    const int current = state.value(QStringLiteral("current"), 0).toInt();
    state.endGroup();
    if (current >= 0 && current < m_tabs->count())
        m_tabs->setCurrentIndex(current);
    return m_tabs->count() > 0;
}

QString GraphEditor::addNodeAtCentre(const QString &type)
{
    GraphView *view = currentView();
    if (!view)
        return {};
    return view->graphScene()->addNode(type, view->mapToScene(view->viewport()->rect().center()));
}

int GraphEditor::tabCount() const
{
    return m_tabs->count();
}

GraphEditor::Tab *GraphEditor::currentTab() const
{
    QWidget *view = m_tabs->currentWidget();
    for (const std::unique_ptr<Tab> &tab : m_tabList)
        if (tab->view == view)
            return tab.get();
    return nullptr;
}

GraphEditor::Tab *GraphEditor::tabOf(quint64 run) const
{
    GraphView *view = m_runTabs.value(run);
    for (const std::unique_ptr<Tab> &tab : m_tabList)
        if (tab->view == view)
            return tab.get();
    return nullptr;
}

GraphView *GraphEditor::currentView() const
{
    Tab *tab = currentTab();
    return tab ? tab->view : nullptr;
}

GraphScene *GraphEditor::currentScene() const
{
    Tab *tab = currentTab();
    return tab ? tab->scene : nullptr;
}

graph::GraphDocument *GraphEditor::currentDocument() const
{
    Tab *tab = currentTab();
    return tab ? tab->document.get() : nullptr;
}

QUndoStack *GraphEditor::currentUndoStack() const
{
    Tab *tab = currentTab();
    return tab ? tab->undo.get() : nullptr;
}

QString GraphEditor::currentPath() const
{
    Tab *tab = currentTab();
    return tab ? tab->path : QString();
}

quint64 GraphEditor::queueCurrent(const QStringList &targets)
{
    Tab *tab = currentTab();
    if (!tab)
        return 0;
    for (const QString &id : tab->document->nodeIds())
        if (NodeItem *item = tab->scene->nodeItem(id)) {
            item->setErrors({}, {});
            item->setRunState(NodeItem::RunState::Idle);
        }
    graph::RunQueue::Submission submission;
    submission.graph = tab->document->graph(); // a copy: edits from now on are for the next run
    submission.options.editorWorkflow = tab->document->editorWorkflow();
    submission.options.targets = targets;
    submission.previews = true;
    submission.label = targets.isEmpty() ? tab->title : tr("%1, up to %2").arg(tab->title, targets.join(", "));
    graph::RunQueue &runs = *m_queuePanel->destination();
    const QString label = submission.label;
    // Known before it is queued: `queued` is emitted inside submit.
    const quint64 run = runs.submit(std::move(submission));
    m_runTabs.insert(run, tab->view);
    m_queuePanel->track(run, label, runs);
    // Seeds set to change after each run do so now, for the next one (ComfyUI's "control after generate").
    tab->scene->edit(tr("Seeds after queueing"), [&] { tab->document->applySeedControls(); });
    return run;
}

void GraphEditor::showMissingModels()
{
    auto *dialog = new MissingModelsDialog(m_missing, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &MissingModelsDialog::installRequested, this, &GraphEditor::installModelRequested);
    connect(dialog, &MissingModelsDialog::lookUpRequested, this, &GraphEditor::installModelByHashRequested);
    connect(dialog, &MissingModelsDialog::findRequested, this, &GraphEditor::findModelRequested);
    dialog->show();
}

void GraphEditor::cancelRuns()
{
    m_runs.cancelAll();
    if (m_farm)
        m_farm->cancelAll();
}

void GraphEditor::setFarm(std::unique_ptr<graph::RunQueue> farm, const QString &name)
{
    if (m_farm) {
        m_farm->cancelAll(); // every run it had ends now, on the canvas and in the list
        m_queuePanel->unfollow(*m_farm);
        m_farm.reset();
    }
    m_farm = std::move(farm);
    if (!m_farm)
        return;
    connectRuns(*m_farm);
    m_queuePanel->follow(*m_farm, tr("Render farm (%1)").arg(name));
    connect(m_farm.get(), &graph::RunQueue::placed, this,
            [this](quint64, const QString &worker) { m_status->setText(tr("Running on the farm's %1…").arg(worker)); });
}

void GraphEditor::markErrors(Tab &tab, const graph::Validation &validation)
{
    for (const graph::NodeErrors &node : validation.nodeErrors) {
        NodeItem *item = tab.scene->nodeItem(canvasId(node.nodeId));
        if (!item)
            continue;
        QStringList messages, inputs;
        for (const graph::ValidationError &error : node.errors) {
            messages.append(error.details.isEmpty() ? error.message
                                                    : error.message + QStringLiteral(": ") + error.details);
            if (const QString input = error.extraInfo.value(QStringLiteral("input_name")).toString(); !input.isEmpty())
                inputs.append(input);
        }
        item->setErrors(messages, inputs);
    }
}

void GraphEditor::connectRuns(graph::RunQueue &runs)
{
    const auto itemOf = [this](quint64 run, const QString &node) -> NodeItem * {
        Tab *tab = tabOf(run);
        return tab ? tab->scene->nodeItem(canvasId(node)) : nullptr;
    };
    connect(&runs, &graph::RunQueue::queued, this, [this](quint64, int position) {
        m_status->setText(position > 1 ? tr("Queued (%1 ahead)").arg(position - 1) : tr("Queued"));
    });
    connect(&runs, &graph::RunQueue::started, this, [this](quint64) { m_status->setText(tr("Running…")); });
    connect(&runs, &graph::RunQueue::nodeStarted, this,
            [this, itemOf](quint64 run, const QString &node, const QString &type) {
                NodeItem *item = itemOf(run, node);
                if (item)
                    item->setRunState(NodeItem::RunState::Running);
                // The node as its canvas names it (translated, or the title the artist gave it).
                m_status->setText(tr("Running %1…").arg(item ? item->shownTitle() : type));
            });
    connect(&runs, &graph::RunQueue::nodeCached, this, [itemOf](quint64 run, const graph::NodeRunReport &report) {
        if (NodeItem *item = itemOf(run, report.nodeId))
            item->setRunState(NodeItem::RunState::Cached, report.reason);
    });
    connect(&runs, &graph::RunQueue::nodeProgress, this,
            [this, itemOf](quint64 run, const QString &node, int value, int maximum) {
                if (NodeItem *item = itemOf(run, node))
                    item->setProgress(value, maximum);
                m_status->setText(tr("Step %1 of %2").arg(value).arg(maximum));
            });
    connect(&runs, &graph::RunQueue::previewReady, this,
            [itemOf](quint64 run, const QString &node, const engine::RgbImage &preview) {
                if (NodeItem *item = itemOf(run, node))
                    item->setPreview(toQImage(preview).scaled(256, 256, Qt::KeepAspectRatio, Qt::SmoothTransformation));
            });
    connect(&runs, &graph::RunQueue::nodeExecuted, this,
            [itemOf](quint64 run, const graph::NodeRunReport &report, const QList<graph::OutputFile> &files) {
                NodeItem *item = itemOf(run, report.nodeId);
                if (!item)
                    return;
                item->setRunState(NodeItem::RunState::Done, report.reason);
                if (!files.isEmpty())
                    item->setPreview(QImage(files.front().path));
            });
    connect(&runs, &graph::RunQueue::nodeFailed, this,
            [itemOf](quint64 run, const QString &node, const QString &, const QString &message) {
                if (NodeItem *item = itemOf(run, node))
                    item->setRunState(NodeItem::RunState::Failed, message);
            });
    connect(&runs, &graph::RunQueue::finished, this, [this](quint64 run, const graph::RunOutcome &outcome) {
        if (Tab *tab = tabOf(run)) {
            markErrors(*tab, outcome.validation);
            m_missing = graph::missingModels(tab->document->graph(), *m_registry, outcome.validation,
                                             graph::workflowModelSources(tab->document->editorWorkflow()));
            m_missingButton->setText(tr("%n model(s) missing: install…", nullptr, int(m_missing.size())));
            m_missingButton->setVisible(!m_missing.isEmpty());
        }
        switch (outcome.status) {
        case graph::RunOutcome::Status::Completed:
            m_status->setText(outcome.files.isEmpty() ? tr("Done") : tr("Done: %1").arg(outcome.files.back().path));
            break;
        case graph::RunOutcome::Status::Invalid:
            m_status->setText(tr("The graph has errors (marked on the nodes); nothing ran"));
            break;
        case graph::RunOutcome::Status::Failed:
            m_status->setText(tr("Failed at node %1: %2").arg(outcome.failedNode, outcome.message));
            break;
        case graph::RunOutcome::Status::Interrupted:
            m_status->setText(tr("Cancelled"));
            break;
        }
        m_runTabs.remove(run);
        emit runFinished(run, outcome);
    });
}

QStringList GraphEditor::useRecipe(const metadata::GenerationInfo &recipe)
{
    Tab *tab = currentTab();
    if (!tab)
        return {};
    QStringList changes;
    tab->scene->edit(tr("Use recipe"), [&] { changes = graph::fillFromRecipe(*tab->document, recipe); });
    m_status->setText(changes.isEmpty() ? tr("This graph has no widget for the recipe's settings.")
                                        : tr("Recipe used: %n setting(s) changed", nullptr, int(changes.size())));
    m_status->setToolTip(changes.join(QLatin1Char('\n')));
    return changes;
}

} // namespace atelier::ui
