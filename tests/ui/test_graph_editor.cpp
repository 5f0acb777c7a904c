// The node editor driven as an artist drives it, offscreen: nodes added through the search popup, links dragged
// from port to port, the txt2img graph run on the tiny fixture model to the fixture's image; every kind of edit
// undone back to the very workflow it started from; corpus images opened as their graphs; invalid graphs marked
// and never run; a run cancelled mid-way.
#include "core/graph/graph_document.h"
#include "tests/graph/corpus_workflows.h"
#include "tests/graph/graph_test_support.h"
#include "tests/image_difference.h"
#include "tests/ui/editor_test_support.h"
#include "ui/graph/add_node_popup.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/minimap.h"
#include "ui/graph/missing_models_dialog.h"
#include "ui/graph/node_item.h"
#include "ui/graph/node_library_panel.h"
#include "ui/graph/option_picker.h"
#include "ui/graph/port_colors.h"
#include "ui/graph/prompt_editor.h"
#include "ui/library/library_table_model.h"

#include <QAction>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QUndoStack>
#include <QtTest>

using namespace atelier;
using namespace graph_tests;

namespace {

QPoint onViewport(const ui::GraphView &view, QPointF scenePoint)
{
    return view.mapFromScene(scenePoint);
}

} // namespace

class TestGraphEditor : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TinyRoot> m_tiny;
    std::unique_ptr<ui::GraphEditor> m_editor;

    ui::GraphView &view() const { return *m_editor->currentView(); }
    ui::GraphScene &scene() const { return *m_editor->currentScene(); }
    graph::GraphDocument &document() const { return *m_editor->currentDocument(); }

    // Adds a node the way an artist does: the search popup, a few letters, Enter.
    QString addBySearch(const QString &query, const QString &type, QPointF at)
    {
        const QStringList before = document().nodeIds();
        view().showAddNode(at);
        ui::AddNodePopup *popup = view().addNodePopup();
        if (!popup)
            return {};
        QTest::keyClicks(popup->searchField(), query);
        if (popup->listed().value(0) != type)
            qWarning("\"%s\" lists %s first, not %s", qPrintable(query), qPrintable(popup->listed().value(0)),
                     qPrintable(type));
        QTest::keyClick(popup->searchField(), Qt::Key_Return);
        const QStringList after = document().nodeIds();
        return after.size() == before.size() + 1 ? after.back() : QString();
    }

    // Drags a link from an output port to an input (its socket, or its widget) with the mouse.
    void dragLink(const QString &from, int output, const QString &to, const QString &input)
    {
        const ui::NodeItem *source = scene().nodeItem(from);
        const ui::NodeItem *target = scene().nodeItem(to);
        QVERIFY(source && target);
        QPointF at;
        const graph::CanvasNode &node = target->node();
        bool found = false;
        for (int slot = 0; slot < node.inputs.size(); ++slot)
            if (node.inputs.at(slot).name == input && (!node.inputs.at(slot).widget || node.inputs.at(slot).link)) {
                at = target->inputPort(slot);
                found = true;
            }
        QVERIFY2(found, qPrintable(input));
        QWidget *viewport = view().viewport();
        QTest::mousePress(viewport, Qt::LeftButton, {}, onViewport(view(), source->outputPort(output)));
        QTest::mouseMove(viewport, onViewport(view(), (source->outputPort(output) + at) / 2));
        QTest::mouseMove(viewport, onViewport(view(), at));
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, onViewport(view(), at));
    }

    QStringList txt2imgOnTheTinyModel(int steps) { return editor_tests::txt2imgOnTheTinyModel(*m_editor, steps); }

    void dropOnCanvas(QMimeData &data, QPoint at = QPoint(200, 200))
    {
        QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view().viewport(), &enter);
        QDropEvent event(QPointF(at), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view().viewport(), &event);
    }

    graph::RunOutcome runAndWait() { return editor_tests::runAndWait(*m_editor); }

private slots:
    void init()
    {
        m_tiny = std::make_unique<TinyRoot>();
        m_editor = std::make_unique<ui::GraphEditor>(m_tiny->registry);
        m_editor->resize(1400, 900);
        m_editor->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_editor.get()));
    }
    void cleanup()
    {
        m_editor.reset();
        m_tiny.reset();
    }

    // txt2img built by hand (search popup, link drags), run, and compared with the fixture's image.
    void aGraphBuiltByHandMakesTheFixturesImage()
    {
        m_editor->newEmptyTab();
        view().setTransform(QTransform::fromScale(0.6, 0.6));
        view().centerOn(700, 300);
        const QString load =
            addBySearch(QStringLiteral("ckptloader"), QStringLiteral("CheckpointLoaderSimple"), {0, 200});
        const QString positive = addBySearch(QStringLiteral("cliptextenc"), QStringLiteral("CLIPTextEncode"), {380, 0});
        const QString negative =
            addBySearch(QStringLiteral("cliptextenc"), QStringLiteral("CLIPTextEncode"), {380, 300});
        const QString latent =
            addBySearch(QStringLiteral("emptylatent"), QStringLiteral("EmptyLatentImage"), {380, 560});
        const QString sampler = addBySearch(QStringLiteral("ksampler"), QStringLiteral("KSampler"), {800, 100});
        const QString decode = addBySearch(QStringLiteral("vaedecode"), QStringLiteral("VAEDecode"), {1160, 100});
        const QString save = addBySearch(QStringLiteral("saveimage"), QStringLiteral("SaveImage"), {1520, 100});
        QCOMPARE(document().nodeIds().size(), 7);
        for (const auto &[id, type] : std::vector<std::pair<QString, QString>>{
                 {load, "CheckpointLoaderSimple"}, {sampler, "KSampler"}, {save, "SaveImage"}})
            QCOMPARE(document().canvasNode(id)->type, type);

        dragLink(load, 0, sampler, QStringLiteral("model"));
        dragLink(load, 1, positive, QStringLiteral("clip"));
        dragLink(load, 1, negative, QStringLiteral("clip"));
        dragLink(positive, 0, sampler, QStringLiteral("positive"));
        dragLink(negative, 0, sampler, QStringLiteral("negative"));
        dragLink(latent, 0, sampler, QStringLiteral("latent_image"));
        dragLink(sampler, 0, decode, QStringLiteral("samples"));
        dragLink(load, 2, decode, QStringLiteral("vae"));
        dragLink(decode, 0, save, QStringLiteral("images"));
        QCOMPARE(document().links().size(), 9);
        // A LATENT cannot go into MODEL: the drop is refused.
        dragLink(latent, 0, sampler, QStringLiteral("model"));
        QCOMPARE(*document().graph().node(sampler)->input("model")->link, (graph::OutputRef{load, 0}));

        // The fixture case tiny-sd1.txt2img.euler.normal.s42.
        const auto set = [&](const QString &node, const QString &input, const graph::GraphValue &value) {
            scene().edit(QStringLiteral("set"), [&] { QVERIFY(document().setValue(node, input, value)); });
        };
        set(load, "ckpt_name", graph::GraphValue::text(checkpointOf("tiny-sd1")));
        set(positive, "text", graph::GraphValue::text("a photo of a cat"));
        set(negative, "text", graph::GraphValue::text(""));
        set(latent, "width", graph::GraphValue::integer(64));
        set(latent, "height", graph::GraphValue::integer(64));
        set(sampler, "seed", graph::GraphValue::integer(42));
        set(sampler, "steps", graph::GraphValue::integer(8));
        set(sampler, "cfg", graph::GraphValue::real(7.0));
        const graph::RunOutcome outcome = runAndWait();
        QVERIFY2(outcome.ok(), qPrintable(outcome.message + QJsonDocument(outcome.validation.toJson()).toJson()));
        QCOMPARE(outcome.files.size(), 1);
        const QImage made(outcome.files.front().path);
        const QImage expected(fixture("cases/tiny-sd1.txt2img.euler.normal.s42.png"));
        QVERIFY(largestDifference(made, expected) <= 1);
        // The saver shows what it wrote; the sampler what it made.
        QVERIFY(m_editor->statusLabel()->text().startsWith(QStringLiteral("Done")));
    }

    // Every kind of edit, undone, gives back the very workflow; redone, the edited one.
    void undoAndRedoEveryEdit()
    {
        const CorpusWorkflow workflow = corpusEditorWorkflows().value(0);
        QVERIFY(!workflow.json.isEmpty());
        QTemporaryDir dir;
        const QString path = dir.filePath("workflow.json");
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(workflow.json);
        }
        QVERIFY(m_editor->openFile(path));
        const QByteArray original = document().editorWorkflow();
        QUndoStack &undo = *m_editor->currentUndoStack();
        const QString first = document().nodeIds().front();

        const QString added = scene().addNode(QStringLiteral("EmptyLatentImage"), QPointF(-400, -400));
        QVERIFY(!added.isEmpty());
        scene().edit("value", [&] { document().setValue(added, "width", graph::GraphValue::integer(768)); });
        scene().edit("move", [&] { document().moveNode(first, QPointF(-800, 40)); });
        scene().edit("title", [&] { document().setTitle(first, "renamed"); });
        scene().nodeItem(first)->setSelected(true);
        scene().setModeOfSelected(graph::NodeMode::Bypassed);
        scene().clearSelection();
        scene().nodeItem(added)->setSelected(true);
        scene().removeSelected();
        QCOMPARE(undo.count(), 6);
        const QByteArray edited = document().editorWorkflow();
        QVERIFY(edited != original);
        while (undo.canUndo())
            undo.undo();
        QCOMPARE(document().editorWorkflow(), original);
        while (undo.canRedo())
            undo.redo();
        QCOMPARE(document().editorWorkflow(), edited);
    }

    // A link dragged from port to port is one step; so is one picked up from an input and dropped elsewhere.
    void aLinkDragIsOneStep()
    {
        m_editor->newEmptyTab();
        const QString latent = scene().addNode(QStringLiteral("EmptyLatentImage"), QPointF(0, 0));
        const QString decode = scene().addNode(QStringLiteral("VAEDecode"), QPointF(400, 0));
        const QString other = scene().addNode(QStringLiteral("VAEDecode"), QPointF(400, 300));
        view().fitAll();
        QUndoStack &undo = *m_editor->currentUndoStack();
        const int before = undo.count();
        dragLink(latent, 0, decode, QStringLiteral("samples"));
        QCOMPARE(undo.count(), before + 1);
        QCOMPARE(document().links().size(), 1);
        undo.undo();
        QCOMPARE(document().links().size(), 0);
        undo.redo();
        QCOMPARE(document().links().size(), 1);
        // Picked up from the input and dropped on the other decoder's.
        const ui::NodeItem *from = scene().nodeItem(decode);
        const ui::NodeItem *to = scene().nodeItem(other);
        QWidget *viewport = view().viewport();
        QTest::mousePress(viewport, Qt::LeftButton, {}, view().mapFromScene(from->inputPort(0)));
        QTest::mouseMove(viewport, view().mapFromScene(to->inputPort(0) + QPointF(0, -20)));
        QTest::mouseMove(viewport, view().mapFromScene(to->inputPort(0)));
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, view().mapFromScene(to->inputPort(0)));
        QCOMPARE(undo.count(), before + 2);
        QCOMPARE(document().links().size(), 1);
        QCOMPARE(document().links().front().to, other);
        undo.undo();
        QCOMPARE(document().links().front().to, decode);
    }

    // A seed set to increment is one higher after each Queue; the run got the seed it had when queued.
    void seedsIncrementAfterQueueing()
    {
        m_editor->newTxt2ImgTab();
        const QString sampler = document().nodeIds().at(4);
        scene().edit("seed", [&] {
            document().setValue(sampler, "seed", graph::GraphValue::integer(7));
            document().setValue(sampler, "control_after_generate", graph::GraphValue::text("increment"));
        });
        const graph::RunOutcome outcome = runAndWait(); // invalid (no model), but queued
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Invalid));
        QCOMPARE(document().graph().node(sampler)->input("seed")->value->toInteger().value_or(0), qint64(8));
    }

    void corpusImagesOpenAsTheirGraphs()
    {
        const QString png = fixture("corpus/comfyui/lora_lora.png");
        QVERIFY(m_editor->openFile(png));
        const QJsonDocument workflow = QJsonDocument::fromJson(comfyChunksOf(png).workflow);
        QCOMPARE(document().nodeIds().size(), workflow.object().value("nodes").toArray().size());
        QCOMPARE(document().links().size(), workflow.object().value("links").toArray().size());
        QVERIFY(m_editor->currentPath().isEmpty()); // an image is never overwritten by Save
        QVERIFY(!m_editor->openFile(fixture("index.json")));
    }

    void invalidGraphsAreMarkedAndNeverRun()
    {
        m_editor->newTxt2ImgTab(); // the library is empty: the loader names no model
        const graph::RunOutcome outcome = runAndWait();
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Invalid));
        QVERIFY(outcome.files.isEmpty());
        const QString loader = document().nodeIds().front();
        QVERIFY(!scene().nodeItem(loader)->toolTip().isEmpty());
        QVERIFY(scene().nodeItem(loader)->toolTip().contains(QStringLiteral("ckpt_name")));
        QVERIFY(QDir(m_tiny->outputs()).entryList(QDir::Files).isEmpty());
    }

    // A model the library lacks is listed after the refused run, with the URL the workflow's "models" list gives:
    // Install puts it on the install queue; one without a URL is looked for in the library.
    void missingModelsCanBeInstalled()
    {
        const QStringList ids = txt2imgOnTheTinyModel(2);
        scene().edit("models", [&] {
            document().setValue(ids.at(0), "ckpt_name", graph::GraphValue::text("sdxl/juggernaut.safetensors"));
            document().connectInput({ids.at(0), 0}, ids.at(4), "model");
        });
        QJsonObject workflow = QJsonDocument::fromJson(document().editorWorkflow()).object();
        workflow.insert("models", QJsonArray{QJsonObject{{"name", "juggernaut.safetensors"},
                                                         {"url", "https://example.org/juggernaut.safetensors"},
                                                         {"directory", "checkpoints"}}});
        QTemporaryDir dir;
        const QString path = dir.filePath("needs-a-model.json");
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QJsonDocument(workflow).toJson());
        }
        QVERIFY(m_editor->openFile(path));
        const graph::RunOutcome outcome = runAndWait();
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Invalid));
        QCOMPARE(m_editor->missingModels().size(), 1);
        auto *button = m_editor->findChild<QToolButton *>("missingModelsButton");
        QVERIFY(button && button->isVisible());
        QSignalSpy install(m_editor.get(), &ui::GraphEditor::installModelRequested);
        button->click();
        auto *dialog = m_editor->findChild<ui::MissingModelsDialog *>();
        QVERIFY(dialog);
        QCOMPARE(dialog->table()->rowCount(), 1);
        QCOMPARE(dialog->table()->item(0, 0)->text(), QStringLiteral("sdxl/juggernaut.safetensors"));
        auto *installButton = dialog->findChild<QPushButton *>("installButton");
        QVERIFY(installButton);
        installButton->click();
        QCOMPARE(install.size(), 1);
        QCOMPARE(install.front().front().toString(), QStringLiteral("https://example.org/juggernaut.safetensors"));
        dialog->close();

        // Without a URL: found by its name in the library.
        ui::MissingModelsDialog plain({{"1", "ckpt_name", "sd15/dreamshaper_8.safetensors", {}}});
        QSignalSpy find(&plain, &ui::MissingModelsDialog::findRequested);
        plain.findChild<QPushButton *>("findButton")->click();
        QCOMPARE(find.size(), 1);
        QCOMPARE(find.front().front().toString(), QStringLiteral("dreamshaper_8"));

        // Without a URL but with a hash Civitai can find (a full SHA-256 or A1111's AutoV2): looked up there.
        ui::MissingModelsDialog hashed(
            {{"1", "ckpt_name", "sd15/dreamshaper_8.safetensors", {"", "", "879DB523C3", ""}}});
        QVERIFY(!hashed.findChild<QPushButton *>("findButton"));
        QSignalSpy lookUp(&hashed, &ui::MissingModelsDialog::lookUpRequested);
        auto *lookUpButton = hashed.findChild<QPushButton *>("lookUpButton");
        QVERIFY(lookUpButton);
        lookUpButton->click();
        QCOMPARE(lookUp.size(), 1);
        QCOMPARE(lookUp.front().front().toString(), QStringLiteral("879DB523C3"));
        QVERIFY(!lookUpButton->isEnabled());
        // A hash Civitai cannot search by (a 7-digit one) leaves the library search.
        ui::MissingModelsDialog shortHash({{"1", "ckpt_name", "x.safetensors", {"", "", "abcdef1", ""}}});
        QVERIFY(shortHash.findChild<QPushButton *>("findButton"));
    }

    // Ctrl+C in one tab, Ctrl+V in another: the same nodes, one undo step.
    void copyAndPasteBetweenTabs()
    {
        m_editor->newTxt2ImgTab();
        const QStringList ids = document().nodeIds();
        scene().nodeItem(ids.at(1))->setSelected(true);
        scene().nodeItem(ids.at(4))->setSelected(true);
        view().setFocus();
        QTest::keyClick(view().viewport(), Qt::Key_C, Qt::ControlModifier);
        m_editor->newEmptyTab();
        view().setFocus();
        QTest::keyClick(view().viewport(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(document().nodeIds().size(), 2);
        QCOMPARE(document().links().size(), 1); // the prompt into the sampler
        QCOMPARE(scene().selectedNodeIds().size(), 2);
        QCOMPARE(m_editor->currentUndoStack()->count(), 1);
        m_editor->currentUndoStack()->undo();
        QCOMPARE(document().nodeIds().size(), 0);
    }
    // A PNG dropped on the canvas opens as its graph in a new tab; a file that is not one says why.
    void aDroppedImageOpensItsGraph()
    {
        m_editor->newEmptyTab();
        const int tabs = m_editor->tabCount();
        const auto drop = [&](const QString &path) {
            QMimeData data;
            data.setUrls({QUrl::fromLocalFile(path)});
            dropOnCanvas(data);
        };
        drop(fixture("corpus/comfyui/img2img_img2img_workflow.png"));
        QCOMPARE(m_editor->tabCount(), tabs + 1);
        QVERIFY(document().nodeIds().size() >= 7);
        drop(fixture("index.json"));
        QCOMPARE(m_editor->tabCount(), tabs + 1);
        QVERIFY(m_editor->statusLabel()->text().contains(QStringLiteral("index.json")));
    }

    // Ctrl+G groups the selection; dragging the group's title carries its nodes (one step); the title bar's dot
    // collapses a node; colours come from ComfyUI's palette.
    void groupsCarryTheirNodesAndNodesCollapse()
    {
        m_editor->newEmptyTab();
        const QString latent = scene().addNode(QStringLiteral("EmptyLatentImage"), QPointF(0, 0));
        const QString decode = scene().addNode(QStringLiteral("VAEDecode"), QPointF(600, 0));
        const QString outside = scene().addNode(QStringLiteral("VAEDecode"), QPointF(600, 600));
        view().fitAll();
        QUndoStack &undo = *m_editor->currentUndoStack();
        scene().nodeItem(latent)->setSelected(true);
        scene().nodeItem(decode)->setSelected(true);
        view().setFocus();
        QTest::keyClick(&view(), Qt::Key_G, Qt::ControlModifier);
        QCOMPARE(document().groups().size(), 1);
        QCOMPARE(document().nodesInGroup(0), (QStringList{latent, decode}));
        const QPointF title = document().groups().front().bounds.topLeft() + QPointF(60, 12);
        const int steps = undo.count();
        QWidget *viewport = view().viewport();
        QTest::mousePress(viewport, Qt::LeftButton, {}, view().mapFromScene(title));
        QTest::mouseMove(viewport, view().mapFromScene(title + QPointF(100, 30)));
        QTest::mouseMove(viewport, view().mapFromScene(title + QPointF(200, 100)));
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, view().mapFromScene(title + QPointF(200, 100)));
        QCOMPARE(undo.count(), steps + 1);
        QCOMPARE(document().canvasNode(latent)->position, QPointF(200, 100));
        QCOMPARE(document().canvasNode(decode)->position, QPointF(800, 100));
        QCOMPARE(document().canvasNode(outside)->position, QPointF(600, 600));
        QCOMPARE(scene().nodeItem(latent)->pos(), QPointF(200, 100));
        undo.undo();
        QCOMPARE(document().canvasNode(latent)->position, QPointF(0, 0));

        // The dot at the left of the title collapses and expands.
        const ui::NodeItem *item = scene().nodeItem(latent);
        const qreal fullHeight = item->boundingRect().height();
        const QPoint toggle = view().mapFromScene(item->mapToScene(QPointF(13, 13)));
        QTest::mouseClick(viewport, Qt::LeftButton, {}, toggle);
        QVERIFY(document().canvasNode(latent)->collapsed);
        QVERIFY(scene().nodeItem(latent)->boundingRect().height() < fullHeight / 2);
        QTest::mouseClick(viewport, Qt::LeftButton, {}, toggle);
        QVERIFY(!document().canvasNode(latent)->collapsed);

        scene().clearSelection();
        scene().nodeItem(decode)->setSelected(true);
        scene().setColorOfSelected(ui::canvasPalette().front().title, ui::canvasPalette().front().body);
        QCOMPARE(document().canvasNode(decode)->bgcolor, ui::canvasPalette().front().body);

        // Top edges line up with the highest of the selection; left edges with the leftmost.
        scene().edit("apart", [&] { document().moveNode(outside, QPointF(640, 600)); });
        scene().nodeItem(outside)->setSelected(true);
        scene().alignSelected(ui::GraphScene::Alignment::TopEdges);
        QCOMPARE(document().canvasNode(outside)->position, QPointF(640, 0));
        scene().alignSelected(ui::GraphScene::Alignment::LeftEdges);
        QCOMPARE(document().canvasNode(outside)->position, QPointF(600, 0));
        QCOMPARE(document().canvasNode(decode)->position, QPointF(600, 0));
    }

    // A double-click on a link puts a reroute point on it; Ctrl and a stroke across links cut them, one step.
    void reroutesAndCutsOnLinks()
    {
        m_editor->newEmptyTab();
        const QString latent = scene().addNode(QStringLiteral("EmptyLatentImage"), QPointF(0, 0));
        const QString decode = scene().addNode(QStringLiteral("VAEDecode"), QPointF(800, 0));
        scene().edit("link", [&] { document().connectInput({latent, 0}, decode, QStringLiteral("samples")); });
        view().fitAll();
        const QPointF middle = (scene().nodeItem(latent)->outputPort(0) + scene().nodeItem(decode)->inputPort(0)) / 2;
        QWidget *viewport = view().viewport();
        QTest::mouseDClick(viewport, Qt::LeftButton, {}, view().mapFromScene(middle));
        QCOMPARE(document().nodeIds().size(), 3);
        const QString reroute = document().nodeIds().back();
        QCOMPARE(document().canvasNode(reroute)->type, QStringLiteral("Reroute"));
        QCOMPARE(document().links().size(), 2);
        // What runs is unchanged: the decoder still takes the latent.
        QCOMPARE(*document().graph().node(decode)->input("samples")->link, (graph::OutputRef{latent, 0}));

        QUndoStack &undo = *m_editor->currentUndoStack();
        const int steps = undo.count();
        // A stroke across the link into the reroute, left of it.
        const QPointF top(middle.x() - 150, middle.y() - 150), bottom(middle.x() - 170, middle.y() + 150);
        QTest::mousePress(viewport, Qt::LeftButton, Qt::ControlModifier, view().mapFromScene(top));
        QTest::mouseMove(viewport, view().mapFromScene(middle - QPointF(160, 0)));
        QTest::mouseMove(viewport, view().mapFromScene(bottom));
        QTest::mouseRelease(viewport, Qt::LeftButton, Qt::ControlModifier, view().mapFromScene(bottom));
        QCOMPARE(document().links().size(), 1);
        QCOMPARE(document().links().front().from.node, reroute);
        QCOMPARE(undo.count(), steps + 1);
        undo.undo();
        QCOMPARE(document().links().size(), 2);

        // The reroute's input is picked up like any other: dragged off into empty canvas, its link goes.
        const QPointF rerouteInput = scene().nodeItem(reroute)->inputPort(0);
        QTest::mousePress(viewport, Qt::LeftButton, {}, view().mapFromScene(rerouteInput));
        QTest::mouseMove(viewport, view().mapFromScene(rerouteInput + QPointF(0, 150)));
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, view().mapFromScene(rerouteInput + QPointF(0, 300)));
        QCOMPARE(document().links().size(), 1);
        QCOMPARE(document().links().front().from.node, reroute);
        if (view().addNodePopup())
            view().addNodePopup()->hide();
        undo.undo();
        QCOMPARE(document().links().size(), 2);
        // And a link dropped on its input feeds it.
        scene().edit("unlink", [&] { document().disconnectInput(reroute, QStringLiteral("input")); });
        dragLink(latent, 0, reroute, QStringLiteral("input"));
        QCOMPARE(document().links().size(), 2);
    }

    // Prompts are coloured as the engine reads them; long combos open a picker with search and a base filter.
    void promptsAreHighlightedAndModelsPicked()
    {
        using Mark = ui::PromptHighlighter::Mark;
        const QString prompt =
            QStringLiteral("a (red:1.3) fox, [blur] \\(x\\) embedding:style BREAK <lora:ink:0.5> (open");
        const QList<Mark> marks = ui::PromptHighlighter::marks(prompt);
        const auto markAt = [&](const QString &piece, int offset = 0) {
            return marks.at(int(prompt.indexOf(piece)) + offset);
        };
        QCOMPARE(markAt("red"), Mark::Emphasis);
        QCOMPARE(markAt("1.3"), Mark::Weight);
        QCOMPARE(markAt("blur"), Mark::Deemphasis);
        QCOMPARE(markAt("x"), Mark::Plain); // escaped brackets are text
        QCOMPARE(markAt("embedding:style", 10), Mark::Embedding);
        QCOMPARE(markAt("BREAK"), Mark::Break);
        QCOMPARE(markAt("<lora"), Mark::Lora);
        QCOMPARE(markAt("(open"), Mark::Unclosed);
        QCOMPARE(markAt("fox"), Mark::Plain);

        ui::OptionPicker picker({{"tiny.safetensors", "sd-1", "Tiny", {}},
                                 {"big-xl.safetensors", "sdxl", "Big XL", {}},
                                 {"tiny-inpaint.safetensors", "sd-1", "Tiny inpainting", {}}},
                                QStringLiteral("tiny.safetensors"));
        QSignalSpy chosen(&picker, &ui::OptionPicker::chosen);
        QCOMPARE(picker.listed().size(), 3);
        QCOMPARE(picker.list()->currentItem()->data(Qt::UserRole).toString(), QStringLiteral("tiny.safetensors"));
        picker.groupFilter()->setCurrentIndex(picker.groupFilter()->findData(QStringLiteral("sdxl")));
        QCOMPARE(picker.listed(), QStringList{"big-xl.safetensors"});
        picker.groupFilter()->setCurrentIndex(0);
        QTest::keyClicks(picker.searchField(), QStringLiteral("inpaint"));
        QCOMPARE(picker.listed(), QStringList{"tiny-inpaint.safetensors"});
        QTest::keyClick(picker.searchField(), Qt::Key_Return);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.front().front().toString(), QStringLiteral("tiny-inpaint.safetensors"));
    }

    // A model dragged from the library makes its loader; a plain picture goes into the input folder and gets a
    // LoadImage showing it; a file that is no picture is refused with its name.
    void droppedModelsAndPicturesMakeTheirNodes()
    {
        m_editor->newEmptyTab();
        m_editor->setInputFolder(m_tiny->environment.inputDir);
        QMimeData models;
        models.setData(QString::fromLatin1(ui::kModelMime),
                       "main\ttiny.safetensors\tsd-1\nlora\tink.safetensors\tsd-1\nembedding\tstyle.pt\tsd-1\n");
        dropOnCanvas(models);
        QCOMPARE(document().nodeIds().size(), 2);
        const std::optional<graph::CanvasNode> loader = document().canvasNode(document().nodeIds().front());
        QCOMPARE(loader->type, QStringLiteral("CheckpointLoaderSimple"));
        QCOMPARE(loader->widgets.front().value->toText().value_or(QString()), QStringLiteral("tiny.safetensors"));
        QCOMPARE(document().canvasNode(document().nodeIds().back())->type, QStringLiteral("LoraLoader"));
        QVERIFY(m_editor->statusLabel()->text().contains(QStringLiteral("style.pt")));

        QTemporaryDir pictures;
        QImage picture(48, 32, QImage::Format_RGB888);
        picture.fill(QColor(200, 40, 40));
        const QString jpeg = pictures.filePath("red fox.jpg");
        QVERIFY(picture.save(jpeg, "JPEG"));
        QMimeData image;
        image.setUrls({QUrl::fromLocalFile(jpeg)});
        const int tabs = m_editor->tabCount();
        dropOnCanvas(image);
        QCOMPARE(m_editor->tabCount(), tabs); // no graph in it: no new tab
        QCOMPARE(document().nodeIds().size(), 3);
        const QString load = document().nodeIds().back();
        QCOMPARE(document().canvasNode(load)->type, QStringLiteral("LoadImage"));
        QCOMPARE(document().canvasNode(load)->widgets.front().value->toText().value_or(QString()),
                 QStringLiteral("red fox.png"));
        QVERIFY(QFileInfo::exists(QDir(m_tiny->environment.inputDir).filePath("red fox.png")));
        QVERIFY(scene().nodeItem(load)->boundingRect().height() > 120); // its thumbnail
        dropOnCanvas(image);                                            // the same picture again: the same file
        QCOMPARE(QDir(m_tiny->environment.inputDir).entryList(QDir::Files).size(), 1);

        const QString broken = pictures.filePath("broken.png");
        {
            QFile file(broken);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("\x89PNG\r\n\x1a\nnot really");
        }
        QMimeData bad;
        bad.setUrls({QUrl::fromLocalFile(broken)});
        dropOnCanvas(bad);
        QVERIFY(m_editor->statusLabel()->text().contains(QStringLiteral("broken.png")));
        QCOMPARE(document().nodeIds().size(), 4);
    }

    // The minimap shows the canvas and a click there moves the view.
    void theMinimapMovesTheView()
    {
        txt2imgOnTheTinyModel(2);
        ui::Minimap *minimap = view().minimap();
        QVERIFY(minimap->isVisible());
        view().scale(3, 3);
        const QPointF before = view().mapToScene(view().viewport()->rect().center());
        QTest::mouseClick(minimap, Qt::LeftButton, {}, QPoint(minimap->width() - 8, minimap->height() / 2));
        const QPointF after = view().mapToScene(view().viewport()->rect().center());
        QVERIFY2(after.x() > before.x() + 100, qPrintable(QStringLiteral("%1 → %2").arg(before.x()).arg(after.x())));
    }

    // The open tabs come back after a restart, edits included, the current one current.
    void theOpenTabsComeBack()
    {
        m_editor->newTxt2ImgTab();
        scene().edit("title", [&] { document().setTitle(document().nodeIds().front(), "kept"); });
        QVERIFY(m_editor->openFile(fixture("corpus/comfyui/lora_lora.png")));
        const QByteArray second = document().editorWorkflow();
        m_editor->newEmptyTab();
        QTemporaryDir dir;
        const QString folder = dir.filePath("session");
        {
            QSettings state(dir.filePath("ui-state.ini"), QSettings::IniFormat);
            m_editor->saveSession(folder, state);
        }
        ui::GraphEditor again(m_tiny->registry);
        QSettings state(dir.filePath("ui-state.ini"), QSettings::IniFormat);
        QVERIFY(again.restoreSession(folder, state));
        QCOMPARE(again.tabCount(), 3);
        QCOMPARE(again.currentDocument()->nodeIds().size(), 0);
        auto *tabs = again.findChild<QTabWidget *>(QStringLiteral("graphTabs"));
        tabs->setCurrentIndex(1);
        QCOMPARE(again.currentDocument()->editorWorkflow(), second);
        tabs->setCurrentIndex(0);
        QCOMPARE(again.currentDocument()->canvasNode(again.currentDocument()->nodeIds().front())->title,
                 QStringLiteral("kept"));
        ui::GraphEditor nothing(m_tiny->registry);
        QSettings empty(dir.filePath("none.ini"), QSettings::IniFormat);
        QVERIFY(!nothing.restoreSession(dir.filePath("nowhere"), empty));
    }
    // The node library lists the types by category, filters as you type, and adds the one activated.
    void theNodeLibraryAddsNodes()
    {
        m_editor->newEmptyTab();
        ui::NodeLibraryPanel panel(*m_tiny->registry);
        connect(&panel, &ui::NodeLibraryPanel::addRequested, m_editor.get(), &ui::GraphEditor::addNodeAtCentre);
        QVERIFY(panel.tree()->topLevelItemCount() >= 5); // categories: conditioning, image, latent, loaders ...
        QTest::keyClicks(panel.searchField(), QStringLiteral("vaedecode"));
        QTreeWidgetItem *found = nullptr;
        for (QTreeWidgetItemIterator it(panel.tree()); *it; ++it)
            if ((*it)->data(0, Qt::UserRole).toString() == QStringLiteral("VAEDecode"))
                found = *it;
        QVERIFY(found);
        emit panel.tree()->itemActivated(found, 0);
        QCOMPARE(document().nodeIds().size(), 1);
        QCOMPARE(document().canvasNode(document().nodeIds().front())->type, QStringLiteral("VAEDecode"));
        QCOMPARE(m_editor->currentUndoStack()->count(), 1);
    }
    // "Run to here": only what the selected node needs runs; the saver does not.
    void runToHereRunsOnlyWhatItNeeds()
    {
        const QStringList ids = txt2imgOnTheTinyModel(2);
        scene().nodeItem(ids.at(5))->setSelected(true); // the decoder
        QSignalSpy finished(m_editor.get(), &ui::GraphEditor::runFinished);
        m_editor->findChild<QAction *>(QStringLiteral("runToHereAction"))->trigger();
        QVERIFY(finished.wait(120000));
        const graph::RunOutcome outcome = finished.first().at(1).value<graph::RunOutcome>();
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QStringList ran;
        for (const graph::NodeRunReport &report : outcome.nodes)
            ran.append(report.nodeId);
        QVERIFY(ran.contains(ids.at(5)));
        QVERIFY(!ran.contains(ids.at(6))); // the saver
        QVERIFY(outcome.files.isEmpty());
    }
};

QTEST_MAIN(TestGraphEditor)
#include "test_graph_editor.moc"
