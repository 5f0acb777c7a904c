// Editing a workflow as the node editor does: nodes added with their defaults, values and links checked against the
// definitions, removals that take their links along, a signal for every edit, reroutes and primitives wired like
// any node, and the workflow written back with everything it was read with (groups, notes, fields of extensions),
// in its own shape.
#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/graph/graph_document.h"
#include "core/graph/recipe_fill.h"
#include "core/graph/validation.h"
#include "core/graph/workflow_shapes.h"
#include "core/metadata/generation_info.h"
#include "tests/graph/corpus_workflows.h"
#include "tests/graph/library_free_nodes.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace atelier;

class TestGraphDocument : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    std::shared_ptr<graph::NodeRegistry> m_registry;

private slots:
    void initTestCase() { m_registry = libraryFreeNodes(m_root); }

    void editsAreCheckedAndSignalled()
    {
        graph::GraphDocument document(m_registry);
        QSignalSpy added(&document, &graph::GraphDocument::nodeAdded);
        QSignalSpy inputs(&document, &graph::GraphDocument::inputChanged);
        QSignalSpy removed(&document, &graph::GraphDocument::nodeRemoved);
        QSignalSpy changed(&document, &graph::GraphDocument::changed);

        QCOMPARE(document.addNode(QStringLiteral("NoSuchNode"), {}), QString());
        const QString latent = document.addNode(QStringLiteral("EmptyLatentImage"), QPointF(10, 20));
        const QString sampler = document.addNode(QStringLiteral("KSampler"), QPointF(400, 20));
        const QString decode = document.addNode(QStringLiteral("VAEDecode"), QPointF(800, 20));
        QCOMPARE((QStringList{latent, sampler, decode}), (QStringList{"1", "2", "3"}));
        QCOMPARE(added.size(), 3);
        // Defaults as the definitions give them; the first of a fixed list for combos.
        QCOMPARE(document.graph().node(latent)->input("width")->value->toInteger().value_or(0), qint64(512));
        QCOMPARE(document.graph().node(sampler)->input("sampler_name")->value->toText().value_or(QString()),
                 QStringLiteral("euler"));

        QVERIFY(document.setValue(sampler, QStringLiteral("steps"), graph::GraphValue::integer(30)));
        QVERIFY(!document.setValue(sampler, QStringLiteral("steps"), graph::GraphValue::integer(20000))); // above max
        QVERIFY(!document.setValue(sampler, QStringLiteral("sampler_name"), graph::GraphValue::text("x")));
        QVERIFY(!document.setValue(sampler, QStringLiteral("model"), graph::GraphValue::integer(1))); // a link input

        QVERIFY(document.connectInput({latent, 0}, sampler, QStringLiteral("latent_image")));
        QVERIFY(!document.connectInput({latent, 0}, sampler, QStringLiteral("model")));        // LATENT into MODEL
        QVERIFY(!document.connectInput({latent, 3}, sampler, QStringLiteral("latent_image"))); // no such output
        QVERIFY(document.connectInput({sampler, 0}, decode, QStringLiteral("samples")));
        QCOMPARE(inputs.size(), 3);

        QVERIFY(document.setMode(sampler, graph::NodeMode::Bypassed));
        QVERIFY(document.setTitle(sampler, QStringLiteral("Sampler")));
        QVERIFY(document.moveNode(sampler, QPointF(420, 40)));

        // Removing the sampler takes the link into the decoder with it.
        QVERIFY(document.removeNode(sampler));
        QCOMPARE(removed.size(), 1);
        QVERIFY(!document.graph().node(decode)->input("samples"));
        QVERIFY(changed.size() >= 9);
    }

    void theWorkflowReadsBackWithPositions()
    {
        graph::GraphDocument document(m_registry);
        const QString load = document.addNode(QStringLiteral("CheckpointLoaderSimple"), QPointF(10, 10));
        const QString encode = document.addNode(QStringLiteral("CLIPTextEncode"), QPointF(300, 10));
        QVERIFY(document.setValue(encode, QStringLiteral("text"), graph::GraphValue::text("a castle")));
        QVERIFY(document.connectInput({load, 1}, encode, QStringLiteral("clip")));
        QVERIFY(document.moveNode(encode, QPointF(333, 44)));
        const Result<graph::Graph> back = graph::graphFromEditorWorkflow(document.editorWorkflow(), *m_registry);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(*back->node(encode)->input("clip")->link, (graph::OutputRef{load, 1}));
        QCOMPARE(back->node(encode)->input("text")->value->toText().value_or(QString()), QStringLiteral("a castle"));
        QCOMPARE(back->node(encode)->position.value_or(QPointF()), QPointF(333, 44));
        QCOMPARE(back->node(load)->position.value_or(QPointF()), QPointF(10, 10));
    }
    void openedWorkflowsWriteBackUnchanged_data()
    {
        QTest::addColumn<QByteArray>("json");
        for (const CorpusWorkflow &workflow : corpusEditorWorkflows()) {
            QTest::newRow(qPrintable(workflow.name)) << workflow.json;
            QTest::newRow(qPrintable(workflow.name + QStringLiteral(" (version 1)")))
                << graph::workflowInShape(workflow.json, graph::WorkflowShape::V1).value();
        }
    }
    void openedWorkflowsWriteBackUnchanged()
    {
        QFETCH(QByteArray, json);
        graph::GraphDocument document(m_registry);
        QSignalSpy reset(&document, &graph::GraphDocument::reset);
        const Status opened = document.openWorkflow(json);
        QVERIFY2(opened, qPrintable(opened.error()));
        QCOMPARE(reset.size(), 1);
        QCOMPARE(QJsonDocument::fromJson(document.editorWorkflow()), QJsonDocument::fromJson(json));
        QCOMPARE(graph::writeApiPrompt(document.graph()),
                 graph::writeApiPrompt(graph::graphFromEditorWorkflow(json, *m_registry).value()));
    }

    void anEditChangesOnlyWhatItEdits_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("sampler");
        for (const CorpusWorkflow &workflow : corpusEditorWorkflows())
            for (const QJsonValue node : QJsonDocument::fromJson(workflow.json).object().value("nodes").toArray())
                if (node.toObject().value("type").toString() == QStringLiteral("KSampler") &&
                    node.toObject().value("widgets_values").isArray()) {
                    QTest::newRow(qPrintable(workflow.name))
                        << workflow.json << QString::number(node.toObject().value("id").toInteger());
                    break;
                }
    }
    // A new seed and a move touch that node's seed and position; every other node, group, link and field is the
    // same, in a workflow with groups, notes and custom nodes.
    void anEditChangesOnlyWhatItEdits()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, sampler);
        graph::GraphDocument document(m_registry);
        QVERIFY(document.openWorkflow(json));
        QVERIFY(document.setValue(sampler, QStringLiteral("seed"), graph::GraphValue::integer(123456789)));
        QVERIFY(document.moveNode(sampler, QPointF(5, 6)));
        QCOMPARE(document.graph().node(sampler)->input("seed")->value->toInteger().value_or(0), qint64(123456789));

        QJsonObject before = QJsonDocument::fromJson(json).object();
        QJsonObject after = QJsonDocument::fromJson(document.editorWorkflow()).object();
        QJsonArray nodesBefore = before.take("nodes").toArray(), nodesAfter = after.take("nodes").toArray();
        QCOMPARE(after, before);
        QCOMPARE(nodesAfter.size(), nodesBefore.size());
        for (qsizetype index = 0; index < nodesBefore.size(); ++index) {
            QJsonObject was = nodesBefore.at(index).toObject(), is = nodesAfter.at(index).toObject();
            if (QString::number(was.value("id").toInteger()) != sampler) {
                QCOMPARE(is, was);
                continue;
            }
            QCOMPARE(is.take("pos").toArray(), (QJsonArray{5, 6}));
            QJsonArray valuesWere = was.take("widgets_values").toArray(), values = is.take("widgets_values").toArray();
            was.remove("pos");
            QCOMPARE(is, was);
            QCOMPARE(values.at(0).toInteger(), qint64(123456789));
            valuesWere.removeFirst(), values.removeFirst();
            QCOMPARE(values, valuesWere);
        }
    }

    // Reroutes pass a link on, a primitive's value reaches the widget it is wired to, notes stay on the canvas; the
    // graph that runs has none of them.
    void reroutesPrimitivesAndNotesAreEditable()
    {
        graph::GraphDocument document(m_registry);
        const QString load = document.addNode(QStringLiteral("CheckpointLoaderSimple"), QPointF(0, 0));
        const QString reroute = document.addNode(QStringLiteral("Reroute"), QPointF(300, 0));
        const QString sampler = document.addNode(QStringLiteral("KSampler"), QPointF(500, 0));
        const QString primitive = document.addNode(QStringLiteral("PrimitiveNode"), QPointF(300, 200));
        const QString note = document.addNode(QStringLiteral("Note"), QPointF(0, 300));
        QVERIFY(document.connectInput({load, 0}, reroute, QStringLiteral("input")));
        QVERIFY(document.connectInput({reroute, 0}, sampler, QStringLiteral("model")));
        QVERIFY(document.setValue(primitive, QStringLiteral("value"), graph::GraphValue::integer(777)));
        QVERIFY(document.connectInput({primitive, 0}, sampler, QStringLiteral("seed")));
        QVERIFY(document.setValue(note, QStringLiteral("text"), graph::GraphValue::text("light from the left")));

        const graph::Graph &runs = document.graph();
        QCOMPARE(runs.nodes.size(), 2);
        QCOMPARE(*runs.node(sampler)->input("model")->link, (graph::OutputRef{load, 0}));
        QCOMPARE(runs.node(sampler)->input("seed")->value->toInteger().value_or(0), qint64(777));
        QVERIFY(document.editorWorkflow().contains("light from the left"));

        // Unlinking the seed gives the widget its own value back.
        QVERIFY(document.disconnectInput(sampler, QStringLiteral("seed")));
        QCOMPARE(document.graph().node(sampler)->input("seed")->value->toInteger().value_or(-1), qint64(0));
        QVERIFY(!document.disconnectInput(sampler, QStringLiteral("seed")));
    }

    // A version 1 document is edited in its own shape: object links, the counters under "state", its reroutes.
    void version1DocumentsStayVersion1()
    {
        const QByteArray json = kVersion1WithReroute;
        graph::GraphDocument document(m_registry);
        QVERIFY(document.openWorkflow(json));
        const QString preview = document.addNode(QStringLiteral("PreviewImage"), QPointF(400, 0));
        QCOMPARE(preview, QStringLiteral("3"));
        QVERIFY(document.connectInput({QStringLiteral("1"), 0}, preview, QStringLiteral("images")));

        const QJsonObject written = QJsonDocument::fromJson(document.editorWorkflow()).object();
        QCOMPARE(written.value("version").toInt(), 1);
        QCOMPARE(written.value("state").toObject(),
                 (QJsonObject{{"lastGroupId", 0}, {"lastNodeId", 3}, {"lastLinkId", 2}, {"lastRerouteId", 1}}));
        const QJsonArray links = written.value("links").toArray();
        QCOMPARE(links.size(), 2);
        QCOMPARE(links.at(0).toObject().value("parentId").toInt(), 1);
        QCOMPARE(links.at(1).toObject(), (QJsonObject{{"id", 2},
                                                      {"origin_id", 1},
                                                      {"origin_slot", 0},
                                                      {"target_id", 3},
                                                      {"target_slot", 0},
                                                      {"type", "IMAGE"}}));
        QCOMPARE(written.value("reroutes").toArray().size(), 1);
        QCOMPARE(document.graph().nodes.size(), 3);
    }

    // What does not read as a workflow is refused with the reason, and the document keeps what it had.
    void aBadWorkflowIsRefusedAndTheDocumentKept()
    {
        graph::GraphDocument document(m_registry);
        const QString load = document.addNode(QStringLiteral("CheckpointLoaderSimple"), QPointF(0, 0));
        const QByteArray kept = document.editorWorkflow();
        for (const QByteArray &bad :
             {QByteArray("{"), QByteArray(R"({"prompt": {}})"), QByteArray(R"({"nodes": [{"id": 1}], "links": []})"),
              QByteArray(R"({"nodes": [{"id": 1, "type": "KSampler"}], "links": 7})")}) {
            const Status opened = document.openWorkflow(bad);
            QVERIFY2(!opened, bad.constData());
            QVERIFY(!opened.error().isEmpty());
        }
        QCOMPARE(document.editorWorkflow(), kept);
        QVERIFY(document.graph().node(load));
    }
    // What the canvas shows: every node (notes included) with its sockets and widgets, the links, the groups.
    void theCanvasSeesTheWholeWorkflow()
    {
        QFile file(QDir(fixturesDir()).filePath("corpus/comfyui-workflows/video_workflow_txt_to_img_to_video.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll();
        graph::GraphDocument document(m_registry);
        QVERIFY(document.openWorkflow(json));
        const QJsonObject workflow = QJsonDocument::fromJson(json).object();
        QCOMPARE(document.nodeIds().size(), workflow.value("nodes").toArray().size());
        QCOMPARE(document.links().size(), workflow.value("links").toArray().size());
        QCOMPARE(document.groups().size(), workflow.value("groups").toArray().size());
        QVERIFY(!document.groups().front().title.isEmpty());
        for (const QString &id : document.nodeIds()) {
            const std::optional<graph::CanvasNode> node = document.canvasNode(id);
            QVERIFY(node);
            if (node->type != QStringLiteral("KSampler"))
                continue;
            QVERIFY(node->known);
            QStringList widgets;
            for (const graph::NodeInput &widget : node->widgets)
                widgets.append(widget.name);
            QCOMPARE(widgets, (QStringList{"seed", "control_after_generate", "steps", "cfg", "sampler_name",
                                           "scheduler", "denoise"}));
            QCOMPARE(node->outputs.front().type, QStringLiteral("LATENT"));
            QVERIFY(node->inputs.front().link);
        }
        // A widget turned into a socket leaves the widgets and shows as a linked input.
        graph::GraphDocument built(m_registry);
        const QString sampler = built.addNode("KSampler", {});
        const QString primitive = built.addNode("PrimitiveNode", {});
        QVERIFY(built.connectInput({primitive, 0}, sampler, "seed"));
        const graph::CanvasNode node = *built.canvasNode(sampler);
        QVERIFY(std::none_of(node.widgets.begin(), node.widgets.end(),
                             [](const graph::NodeInput &widget) { return widget.name == "seed"; }));
        QVERIFY(std::any_of(node.inputs.begin(), node.inputs.end(), [](const graph::CanvasSlot &slot) {
            return slot.name == "seed" && slot.widget && slot.link;
        }));
        QVERIFY(!built.canvasNode("999"));
    }
    // ComfyUI's "control after generate": shown after the seed, set like a widget, applied after a run is queued.
    void groupsMoveTheirNodesAndNodesKeepTheirLooks_data()
    {
        QTest::addColumn<bool>("version1");
        QTest::newRow("0.4") << false;
        QTest::newRow("version 1") << true;
    }
    void groupsMoveTheirNodesAndNodesKeepTheirLooks()
    {
        QFETCH(bool, version1);
        graph::GraphDocument document(m_registry);
        if (version1)
            QVERIFY(document.openWorkflow(
                graph::workflowInShape(document.editorWorkflow(), graph::WorkflowShape::V1).value()));
        const QString inside = document.addNode(QStringLiteral("EmptyLatentImage"), QPointF(100, 100));
        const QString outside = document.addNode(QStringLiteral("VAEDecode"), QPointF(900, 100));
        QSignalSpy groupsChanged(&document, &graph::GraphDocument::groupsChanged);
        QSignalSpy moved(&document, &graph::GraphDocument::nodeMoved);

        const int group = document.addGroup(QStringLiteral("Latent"), QRectF(50, 50, 500, 300));
        QCOMPARE(group, 0);
        QCOMPARE(document.nodesInGroup(group), QStringList{inside});
        QVERIFY(document.moveGroup(group, QPointF(40, -20)));
        QCOMPARE(document.canvasNode(inside)->position, QPointF(140, 80));
        QCOMPARE(document.canvasNode(outside)->position, QPointF(900, 100));
        QCOMPARE(moved.size(), 1);
        QVERIFY(document.setGroupTitle(group, QStringLiteral("Size")));
        QVERIFY(document.setGroupColor(group, QStringLiteral("#a1309b")));
        QVERIFY(document.setGroupBounds(group, QRectF(90, 30, 800, 300)));
        const QList<graph::CanvasGroup> groups = document.groups();
        QCOMPARE(groups.size(), 1);
        QCOMPARE(groups.front().title, QStringLiteral("Size"));
        QCOMPARE(groups.front().color, QStringLiteral("#a1309b"));
        QCOMPARE(groups.front().bounds, QRectF(90, 30, 800, 300));
        QCOMPARE(groupsChanged.size(), 5);
        QVERIFY(!document.moveGroup(3, QPointF(1, 1)));
        // Version 1 counts its groups and gives each an id, as ComfyUI's frontend does.
        const QJsonObject written = QJsonDocument::fromJson(document.editorWorkflow()).object();
        if (version1) {
            QCOMPARE(written.value("state").toObject().value("lastGroupId").toInt(), 1);
            QCOMPARE(written.value("groups").toArray().at(0).toObject().value("id").toInt(), 1);
        }

        QVERIFY(document.setCollapsed(inside, true));
        QVERIFY(document.setColor(inside, QStringLiteral("#322"), QStringLiteral("#533")));
        std::optional<graph::CanvasNode> node = document.canvasNode(inside);
        QVERIFY(node->collapsed);
        QCOMPARE(node->color, QStringLiteral("#322"));
        QCOMPARE(node->bgcolor, QStringLiteral("#533"));
        QVERIFY(document.setCollapsed(inside, false));
        QVERIFY(document.setColor(inside, {}, {}));
        node = document.canvasNode(inside);
        QVERIFY(!node->collapsed);
        QVERIFY(node->color.isEmpty() && node->bgcolor.isEmpty());
        // None of it touches what runs.
        QCOMPARE(document.graph().nodes.size(), 2);

        QVERIFY(document.removeGroup(group));
        QVERIFY(document.groups().isEmpty());
    }

    void seedsChangeAfterARunAsTheirControlSays()
    {
        graph::GraphDocument document(m_registry);
        const QString sampler = document.addNode("KSampler", {});
        const auto widget = [&](const QString &name) -> std::optional<graph::GraphValue> {
            const graph::CanvasNode node = *document.canvasNode(sampler);
            for (const graph::NodeInput &input : node.widgets)
                if (input.name == name)
                    return input.value;
            return std::nullopt;
        };
        QCOMPARE(widget("control_after_generate")->toText().value_or(QString()), QStringLiteral("fixed"));
        QVERIFY(document.setValue(sampler, "seed", graph::GraphValue::integer(41)));
        QVERIFY(document.applySeedControls().isEmpty()); // fixed
        QVERIFY(!document.setValue(sampler, "control_after_generate", graph::GraphValue::text("sometimes")));
        QVERIFY(document.setValue(sampler, "control_after_generate", graph::GraphValue::text("increment")));
        QCOMPARE(document.applySeedControls(), QStringList{sampler});
        QCOMPARE(document.graph().node(sampler)->input("seed")->value->toInteger().value_or(0), qint64(42));
        QVERIFY(!document.graph().node(sampler)->input("control_after_generate"));
        QVERIFY(document.setValue(sampler, "control_after_generate", graph::GraphValue::text("randomize")));
        QCOMPARE(document.applySeedControls(), QStringList{sampler});
        const std::uint64_t random = widget("seed")->toUnsigned().value_or(0);
        QVERIFY(random != 42 && random < (std::uint64_t(1) << 53));
    }
    // Copied nodes paste with new ids and the links among them; Ctrl+Shift+V's links from outside only in the
    // document they were copied from.
    void copiedNodesPasteWithTheirLinks()
    {
        graph::GraphDocument document(m_registry);
        const QString load = document.addNode("CheckpointLoaderSimple", QPointF(0, 0));
        const QString encode = document.addNode("CLIPTextEncode", QPointF(300, 0));
        const QString zero = document.addNode("ConditioningZeroOut", QPointF(600, 0));
        QVERIFY(document.connectInput({load, 1}, encode, "clip"));
        QVERIFY(document.connectInput({encode, 0}, zero, "conditioning"));
        QVERIFY(document.setValue(encode, "text", graph::GraphValue::text("a fox")));
        const QByteArray clipboard = document.copyNodes({encode, zero});
        QVERIFY(graph::isEditorWorkflow(clipboard)); // ComfyUI's canvas can take it

        const QStringList plain = document.pasteNodes(clipboard, QPointF(0, 500));
        QCOMPARE(plain.size(), 2);
        QVERIFY(!plain.contains(encode) && !plain.contains(zero));
        QCOMPARE(document.canvasNode(plain.at(0))->position, QPointF(0, 500));
        QCOMPARE(document.canvasNode(plain.at(1))->position, QPointF(300, 500));
        QCOMPARE(*document.graph().node(plain.at(1))->input("conditioning")->link, (graph::OutputRef{plain.at(0), 0}));
        QVERIFY(!document.graph().node(plain.at(0))->input("clip")); // its input link stayed behind
        QCOMPARE(document.graph().node(plain.at(0))->input("text")->value->toText().value_or(QString()),
                 QStringLiteral("a fox"));

        const QStringList linked = document.pasteNodes(clipboard, QPointF(0, 900), true);
        QCOMPARE(*document.graph().node(linked.at(0))->input("clip")->link, (graph::OutputRef{load, 1}));

        graph::GraphDocument other(m_registry);
        other.addNode("KSampler", {});
        const QStringList elsewhere = other.pasteNodes(clipboard, QPointF(), true);
        QCOMPARE(elsewhere.size(), 2);
        QVERIFY(!other.graph().node(elsewhere.at(0))->input("clip")); // node 1 there is not the loader
        QVERIFY(document.pasteNodes("not a workflow", {}).isEmpty());
    }

    // "Use recipe": an A1111 image's settings go into the graph's widgets, its sampler names in ComfyUI's spelling.
    void aRecipeFillsTheGraphsWidgets()
    {
        metadata::GenerationInfo made;
        made.prompt = QStringLiteral("first");
        made.negativePrompt = QStringLiteral("first negative");
        made.model = metadata::ModelReference{QStringLiteral("base.safetensors"), QString()};
        graph::GraphDocument document(m_registry);
        document.openGraph(graph::readApiPrompt(metadata::recipeWorkflow(made).toUtf8()).value());

        const metadata::GenerationInfo recipe = metadata::parseA1111Parameters(QStringLiteral(
            "a lighthouse at dusk\nNegative prompt: fog\nSteps: 31, Sampler: DPM++ 2M Karras, CFG scale: 5.5, Seed: "
            "123456789012, Size: 640x896, Model: dreamshaper_8.safetensors"));
        const QStringList changes = graph::fillFromRecipe(document, recipe);
        QVERIFY2(changes.size() == 10, qPrintable(changes.join('\n')));
        const graph::Graph &graph = document.graph();
        const auto value = [&](const char *node, const char *input) {
            return *graph.node(QString::fromLatin1(node))->input(QString::fromLatin1(input))->value;
        };
        QCOMPARE(value("6", "seed").toUnsigned(), std::optional<std::uint64_t>(123456789012ull));
        QCOMPARE(value("6", "steps").toInteger(), std::optional<std::int64_t>(31));
        QCOMPARE(value("6", "cfg").toReal(), std::optional<double>(5.5));
        QCOMPARE(value("6", "sampler_name").toText(), std::optional<QString>(QStringLiteral("dpmpp_2m")));
        QCOMPARE(value("6", "scheduler").toText(), std::optional<QString>(QStringLiteral("karras")));
        QCOMPARE(value("2", "text").toText(), std::optional<QString>(QStringLiteral("a lighthouse at dusk")));
        QCOMPARE(value("3", "text").toText(), std::optional<QString>(QStringLiteral("fog")));
        QCOMPARE(value("4", "width").toInteger(), std::optional<std::int64_t>(640));
        QCOMPARE(value("4", "height").toInteger(), std::optional<std::int64_t>(896));
        QCOMPARE(value("1", "ckpt_name").toText(), std::optional<QString>(QStringLiteral("dreamshaper_8.safetensors")));
        // Again: nothing left to change. A recipe stating nothing changes nothing.
        QVERIFY(graph::fillFromRecipe(document, recipe).isEmpty());
        QVERIFY(graph::fillFromRecipe(document, metadata::GenerationInfo()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestGraphDocument)
#include "test_graph_document.moc"
