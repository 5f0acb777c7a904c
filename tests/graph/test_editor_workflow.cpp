// ComfyUI's editor workflows: every workflow the corpus holds loads and validates with only the errors it should
// have (custom nodes, models this machine lacks), and for the images that carry both, the graph made from the
// workflow is the API prompt ComfyUI ran.
#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/graph/validation.h"
#include "core/graph/workflow_shapes.h"
#include "tests/fixtures.h"
#include "tests/graph/corpus_workflows.h"
#include "tests/graph/library_free_nodes.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;

namespace {

bool sameValue(const graph::GraphValue &a, const graph::GraphValue &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toReal() == b.toReal();
    return a.jsonText() == b.jsonText();
}

} // namespace

class TestEditorWorkflow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    std::shared_ptr<graph::NodeRegistry> m_registry;

private slots:
    void initTestCase() { m_registry = libraryFreeNodes(m_root); }

    void imagesWithBoth_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator files(QDir(fixturesDir()).filePath(QStringLiteral("corpus")), {QStringLiteral("*.png")},
                           QDir::Files, QDirIterator::Subdirectories);
        int count = 0;
        while (files.hasNext()) {
            const QString path = files.next();
            const ComfyChunks chunks = comfyChunksOf(path);
            if (!chunks.prompt.isEmpty() && !chunks.workflow.isEmpty()) {
                QTest::newRow(qPrintable(QDir(fixturesDir()).relativeFilePath(path))) << path;
                ++count;
            }
        }
        QVERIFY(count >= 10);
    }
    // The workflow's graph, as it runs, is the prompt ComfyUI sent for the node types Atelier knows: the same
    // nodes, the same literal values, the same links (through reroutes and primitives).
    void imagesWithBoth()
    {
        QFETCH(QString, path);
        const ComfyChunks chunks = comfyChunksOf(path);
        const Result<graph::Graph> prompt = graph::readApiPrompt(chunks.prompt);
        QVERIFY2(prompt, qPrintable(prompt.error()));
        const Result<graph::Graph> fromWorkflow = graph::graphFromEditorWorkflow(chunks.workflow, *m_registry);
        QVERIFY2(fromWorkflow, qPrintable(fromWorkflow.error()));
        const graph::Graph runs = graph::executableGraph(fromWorkflow.value(), *m_registry);
        int compared = 0;
        for (const graph::GraphNode &sent : prompt->nodes) {
            const graph::GraphNode *made = runs.node(sent.id);
            QVERIFY2(made, qPrintable(QStringLiteral("node %1 (%2) is missing").arg(sent.id, sent.type)));
            QCOMPARE(made->type, sent.type);
            if (!m_registry->find(sent.type))
                continue; // a custom node: its widgets are not known here
            for (const graph::NodeInput &input : sent.inputs) {
                if (!m_registry->find(sent.type)->definition().input(input.name))
                    continue; // what older editors sent besides the inputs ("choose file to upload"), ignored
                const graph::NodeInput *ours = made->input(input.name);
                QVERIFY2(ours, qPrintable(QStringLiteral("node %1 (%2) lacks %3").arg(sent.id, sent.type, input.name)));
                if (input.link) {
                    QVERIFY2(ours->link && *ours->link == *input.link,
                             qPrintable(QStringLiteral("node %1 input %2: link differs").arg(sent.id, input.name)));
                } else {
                    QVERIFY2(ours->value && sameValue(*ours->value, *input.value),
                             qPrintable(QStringLiteral("node %1 input %2: %3 instead of %4")
                                            .arg(sent.id, input.name,
                                                 ours->value ? QString::fromUtf8(ours->value->jsonText()) : "a link",
                                                 QString::fromUtf8(input.value->jsonText()))));
                }
                ++compared;
            }
        }
        QVERIFY(compared > 0);
    }

    void workflowsValidateWithOnlyTheExpectedErrors_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator files(QDir(fixturesDir()).filePath(QStringLiteral("corpus/comfyui-workflows")),
                           {QStringLiteral("*.json")}, QDir::Files);
        while (files.hasNext()) {
            const QString path = files.next();
            QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
        }
    }
    void workflowsValidateWithOnlyTheExpectedErrors()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll();
        QVERIFY(graph::isEditorWorkflow(json));
        const Result<graph::Graph> graph = graph::graphFromEditorWorkflow(json, *m_registry);
        QVERIFY2(graph, qPrintable(graph.error()));
        QVERIFY(!graph->nodes.isEmpty());
        const graph::Validation validation =
            graph::validate(graph::executableGraph(graph.value(), *m_registry), *m_registry);
        const QStringList expected{QStringLiteral("missing_node_type"), QStringLiteral("value_not_in_list"),
                                   QStringLiteral("unsupported_node")};
        for (const graph::NodeErrors &node : validation.nodeErrors)
            for (const graph::ValidationError &error : node.errors)
                QVERIFY2(expected.contains(error.type) || (error.type == QStringLiteral("dependency_cycle")),
                         qPrintable(QStringLiteral("node %1 (%2): %3 %4")
                                        .arg(node.nodeId, node.classType, error.type, error.details)));
    }

    void shapesConvertWithoutLoss_data()
    {
        QTest::addColumn<QByteArray>("json");
        for (const CorpusWorkflow &workflow : corpusEditorWorkflows())
            QTest::newRow(qPrintable(workflow.name)) << workflow.json;
        // A version 1 canvas with a native reroute on a link.
        QTest::newRow("version 1 with a reroute") << kVersion1WithReroute;
    }
    // 0.4 to version 1 and back (or the other way) gives the document it started from, and both shapes make the
    // same graph.
    void shapesConvertWithoutLoss()
    {
        QFETCH(QByteArray, json);
        const graph::WorkflowShape original = graph::workflowShape(json).value();
        const graph::WorkflowShape other =
            original == graph::WorkflowShape::V04 ? graph::WorkflowShape::V1 : graph::WorkflowShape::V04;
        const Result<QByteArray> converted = graph::workflowInShape(json, other);
        QVERIFY2(converted, qPrintable(converted.error()));
        QCOMPARE(int(graph::workflowShape(converted.value()).value()), int(other));
        const Result<QByteArray> back = graph::workflowInShape(converted.value(), original);
        QVERIFY(back);
        QCOMPARE(QJsonDocument::fromJson(back.value()), QJsonDocument::fromJson(json));

        const graph::Graph a = graph::graphFromEditorWorkflow(json, *m_registry).value();
        const graph::Graph b = graph::graphFromEditorWorkflow(converted.value(), *m_registry).value();
        QCOMPARE(graph::writeApiPrompt(b), graph::writeApiPrompt(a));
    }

    // A version 1 workflow whose prompt encoder sits in a subgraph (used twice, once nested in another): flattened
    // for running with "instance:node" ids, its inputs and outputs wired through.
    void subgraphsAreFlattened()
    {
        const QByteArray json = R"({"version": 1, "state": {"lastNodeId": 12, "lastLinkId": 9},
          "nodes": [
            {"id": 1, "type": "CheckpointLoaderSimple", "widgets_values": ["model.safetensors"]},
            {"id": 10, "type": "enc-0000", "inputs": [{"name": "clip", "type": "CLIP", "link": 1}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [2]}]},
            {"id": 11, "type": "outer-0000", "inputs": [{"name": "clip", "type": "CLIP", "link": 3}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [4]}]},
            {"id": 12, "type": "ConditioningCombine",
             "inputs": [{"name": "conditioning_1", "type": "CONDITIONING", "link": 2},
                        {"name": "conditioning_2", "type": "CONDITIONING", "link": 4}]}],
          "links": [{"id": 1, "origin_id": 1, "origin_slot": 1, "target_id": 10, "target_slot": 0, "type": "CLIP"},
                    {"id": 2, "origin_id": 10, "origin_slot": 0, "target_id": 12, "target_slot": 0, "type": "CONDITIONING"},
                    {"id": 3, "origin_id": 1, "origin_slot": 1, "target_id": 11, "target_slot": 0, "type": "CLIP"},
                    {"id": 4, "origin_id": 11, "origin_slot": 0, "target_id": 12, "target_slot": 1, "type": "CONDITIONING"}],
          "definitions": {"subgraphs": [
            {"id": "enc-0000", "name": "Encode",
             "inputs": [{"name": "clip", "type": "CLIP"}], "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING"}],
             "nodes": [{"id": 2, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
                        "widgets_values": ["a castle"]}],
             "links": [{"id": 5, "origin_id": -10, "origin_slot": 0, "target_id": 2, "target_slot": 0, "type": "CLIP"},
                       {"id": 6, "origin_id": 2, "origin_slot": 0, "target_id": -20, "target_slot": 0, "type": "CONDITIONING"}]},
            {"id": "outer-0000", "name": "Outer",
             "inputs": [{"name": "clip", "type": "CLIP"}], "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING"}],
             "nodes": [{"id": 7, "type": "enc-0000", "inputs": [{"name": "clip", "type": "CLIP", "link": 7}]}],
             "links": [{"id": 7, "origin_id": -10, "origin_slot": 0, "target_id": 7, "target_slot": 0, "type": "CLIP"},
                       {"id": 8, "origin_id": 7, "origin_slot": 0, "target_id": -20, "target_slot": 0, "type": "CONDITIONING"}]}]}})";
        const Result<graph::Graph> graph = graph::graphFromEditorWorkflow(json, *m_registry);
        QVERIFY2(graph, qPrintable(graph.error()));
        QStringList ids;
        for (const graph::GraphNode &node : graph->nodes)
            ids.append(node.id);
        ids.sort();
        QCOMPARE(ids, (QStringList{"1", "10:2", "11:7:2", "12"}));
        QCOMPARE(*graph->node("10:2")->input("clip")->link, (graph::OutputRef{"1", 1}));
        QCOMPARE(*graph->node("11:7:2")->input("clip")->link, (graph::OutputRef{"1", 1}));
        QCOMPARE(graph->node("10:2")->input("text")->value->toText().value_or(QString()), QStringLiteral("a castle"));
        QCOMPARE(*graph->node("12")->input("conditioning_1")->link, (graph::OutputRef{"10:2", 0}));
        QCOMPARE(*graph->node("12")->input("conditioning_2")->link, (graph::OutputRef{"11:7:2", 0}));

        // A subgraph that holds itself is refused, not followed.
        QByteArray looping = json;
        looping.replace(R"("nodes": [{"id": 7, "type": "enc-0000")", R"("nodes": [{"id": 7, "type": "outer-0000")");
        const Result<graph::Graph> refused = graph::graphFromEditorWorkflow(looping, *m_registry);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("holds itself")), qPrintable(refused.error()));
    }

    // Every corpus API prompt written as an editor workflow reads back as the same graph.
    void apiPromptsBecomeWorkflows()
    {
        QDirIterator files(QDir(fixturesDir()).filePath(QStringLiteral("corpus")),
                           {QStringLiteral("*.png"), QStringLiteral("*.json")}, QDir::Files,
                           QDirIterator::Subdirectories);
        int written = 0;
        while (files.hasNext()) {
            const QString path = files.next();
            QByteArray json;
            if (path.endsWith(QStringLiteral(".png")))
                json = comfyChunksOf(path).prompt;
            else if (QFile file(path); file.open(QIODevice::ReadOnly))
                json = file.readAll();
            const Result<graph::Graph> prompt = graph::readApiPrompt(json);
            if (json.isEmpty() || !prompt)
                continue;
            const QByteArray workflow = graph::editorWorkflowFromGraph(prompt.value(), *m_registry);
            QVERIFY(graph::isEditorWorkflow(workflow));
            const Result<graph::Graph> back = graph::graphFromEditorWorkflow(workflow, *m_registry);
            QVERIFY2(back, qPrintable(path + ": " + back.error()));
            for (const graph::GraphNode &sent : prompt->nodes) {
                const graph::GraphNode *made = back->node(sent.id);
                QVERIFY2(made && made->type == sent.type, qPrintable(path + ": node " + sent.id));
                const graph::NodeType *type = m_registry->find(sent.type);
                for (const graph::NodeInput &input : sent.inputs) {
                    if (!type || !type->definition().input(input.name))
                        continue;
                    const graph::NodeInput *ours = made->input(input.name);
                    QVERIFY2(ours, qPrintable(path + ": node " + sent.id + " lacks " + input.name));
                    if (input.link)
                        QVERIFY(ours->link && *ours->link == *input.link);
                    else
                        QVERIFY2(ours->value && sameValue(*ours->value, *input.value),
                                 qPrintable(path + ": node " + sent.id + " " + input.name));
                }
            }
            ++written;
        }
        QVERIFY(written >= 10);
    }

    void brokenWorkflowsAreRefusedWithAReason_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("words");
        QTest::newRow("not JSON") << QByteArray("{\"nodes\": [") << "not a readable workflow";
        QTest::newRow("nodes not a list") << QByteArray(R"({"nodes": 3, "links": []})") << "no \"nodes\" list";
        QTest::newRow("node without id") << QByteArray(R"({"nodes": [{"type": "KSampler"}], "links": []})")
                                         << "not an object with an id";
        QTest::newRow("InvokeAI's") << QByteArray(R"({"nodes": [], "edges": []})") << "an InvokeAI workflow";
        QTest::newRow("bad link") << QByteArray(R"({"nodes": [], "links": [[1, "x"]]})") << "a link is neither";
        QTest::newRow("deep") << (QByteArray(R"({"nodes": [], "extra": )") + QByteArray(5000, '[') +
                                  QByteArray(5000, ']') + "}")
                              << "not a readable workflow";
    }
    void brokenWorkflowsAreRefusedWithAReason()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, words);
        const Result<graph::Graph> graph = graph::graphFromEditorWorkflow(json, *m_registry);
        QVERIFY(!graph);
        QVERIFY2(graph.error().contains(words), qPrintable(graph.error()));
    }

    // A reroute loop and a link to nowhere leave the input unset for validation to report.
    void hostileLinksEndInValidationErrors()
    {
        const QByteArray json = R"({"nodes": [
            {"id": 1, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 2}]},
            {"id": 2, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}]},
            {"id": 3, "type": "SaveImage", "inputs": [{"name": "images", "type": "IMAGE", "link": 3}],
             "widgets_values": ["x"]}],
            "links": [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 1, 0, "*"], [3, 1, 0, 3, 0, "IMAGE"]]})";
        const Result<graph::Graph> graph = graph::graphFromEditorWorkflow(json, *m_registry);
        QVERIFY2(graph, qPrintable(graph.error()));
        const graph::Validation validation = graph::validate(graph.value(), *m_registry);
        QCOMPARE(validation.errorsOf(QStringLiteral("3"))->errors.front().type,
                 QStringLiteral("required_input_missing"));
    }
};

QTEST_GUILESS_MAIN(TestEditorWorkflow)
#include "test_editor_workflow.moc"
