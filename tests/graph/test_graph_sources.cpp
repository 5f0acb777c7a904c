// Graphs from everywhere they come: loader names through the library, the corpus's API graphs run on the tiny
// model, any image opened as a graph (its graph or its recipe), and models found by the hash a recipe gives.
#include "core/generation/png_image.h"
#include "core/graph/graph_sources.h"
#include "core/metadata/png_text.h"
#include "core/nodes/models_by_hash.h"
#include "tests/graph/graph_test_support.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace atelier;
using namespace graph_tests;

class TestGraphSources : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TinyRoot> m_tiny;
    std::shared_ptr<graph::NodeRegistry> m_registry;
    nodes::NodeEnvironment m_environment;

    bool addTinyModel(const QString &hash) { return m_tiny->addTinyModel(hash); }

private slots:
    void init()
    {
        m_tiny = std::make_unique<TinyRoot>();
        m_registry = m_tiny->registry;
        m_environment = m_tiny->environment;
    }
    void cleanup()
    {
        m_registry.reset();
        m_tiny.reset();
    }

    // Loader names resolve through the library: by name, and by the file name of a path from another machine.
    void loadersResolveLibraryNames()
    {
        QVERIFY(addTinyModel({}));
        graph::GraphExecutor executor(m_registry);
        for (const QString &name : {QStringLiteral("Tiny"), QStringLiteral("sd15/tiny-sd1.safetensors")}) {
            const graph::RunOutcome outcome = executor.run(graphOf(txt2img(name, QStringLiteral("a cat"), 1, 2)));
            QVERIFY2(outcome.ok(), qPrintable(name + ": " + outcome.message));
        }
        const QJsonObject info = m_registry->objectInfo();
        const QJsonArray checkpoints = info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0].toArray();
        QCOMPARE(checkpoints, QJsonArray{"tiny-sd1.safetensors"});
        const graph::Validation missing =
            graph::validate(graphOf(txt2img("dreamshaper_8.safetensors", "x", 1, 2)), *m_registry);
        QCOMPARE(missing.errorsOf("4")->errors.front().type, QStringLiteral("value_not_in_list"));
        QVERIFY(missing.errorsOf("4")->errors.front().details.contains(QStringLiteral("dreamshaper_8.safetensors")));
    }

    void corpusGraphsRunOnTheTinyModel_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator files(fixture(QStringLiteral("corpus")), {QStringLiteral("*.png"), QStringLiteral("*.json")},
                           QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            if (path.contains(QStringLiteral("/comfyui")))
                QTest::newRow(qPrintable(QDir(fixturesDir()).relativeFilePath(path))) << path;
        }
    }
    // The corpus's API graphs, their models mapped onto the tiny fixture model (and sizes and steps made small):
    // those of built-in nodes run; the others fail validation only for the node types Atelier lacks.
    void corpusGraphsRunOnTheTinyModel()
    {
        QFETCH(QString, path);
        QByteArray json;
        if (path.endsWith(QStringLiteral(".png"))) {
            if (const auto text = metadata::readPngTextFile(path))
                for (const metadata::TextChunk &chunk : text->chunks)
                    if (chunk.keyword == QStringLiteral("prompt"))
                        json = chunk.text.toUtf8();
        } else if (QFile file(path); file.open(QIODevice::ReadOnly)) {
            json = file.readAll();
        }
        Result<graph::Graph> read = graph::readApiPrompt(json);
        if (!read)
            QSKIP("no API prompt here (an editor workflow only, tested in test_editor_workflow)");
        graph::Graph graph = std::move(read).value();
        QVERIFY(generation::writePngFile(QDir(m_environment.inputDir).filePath("corpus.png"),
                                         engine::RgbImage{64, 64, std::vector<std::uint8_t>(64 * 64 * 3, 128)}, {}));
        const QString lora = fixture(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors"));
        const QRegularExpression embedding(QStringLiteral("embedding:[\\w.\\-]+"));
        for (graph::GraphNode &node : graph.nodes)
            for (graph::NodeInput &input : node.inputs) {
                if (!input.value)
                    continue;
                const QString name = input.name;
                if (name == QStringLiteral("ckpt_name"))
                    input.value = graph::GraphValue::text(checkpointOf("tiny-sd1"));
                else if (name == QStringLiteral("lora_name"))
                    input.value = graph::GraphValue::text(lora);
                else if (name == QStringLiteral("vae_name"))
                    input.value = graph::GraphValue::text(fixture(QStringLiteral("models/tiny-sd1/diffusers/vae")));
                else if (name == QStringLiteral("image") && node.type == QStringLiteral("LoadImage"))
                    input.value = graph::GraphValue::text(QStringLiteral("corpus.png"));
                else if ((name == QStringLiteral("width") || name == QStringLiteral("height")) &&
                         node.type.startsWith(QStringLiteral("EmptyLatent")))
                    input.value = graph::GraphValue::integer(64);
                else if ((name == QStringLiteral("width") || name == QStringLiteral("height")) &&
                         node.type == QStringLiteral("LatentUpscale"))
                    input.value = graph::GraphValue::integer(96);
                else if (name == QStringLiteral("batch_size"))
                    input.value = graph::GraphValue::integer(1);
                else if (name == QStringLiteral("steps"))
                    input.value = graph::GraphValue::integer(std::min<qint64>(input.value->toInteger().value_or(2), 4));
                else if (input.value->isText())
                    input.value = graph::GraphValue::text(
                        input.value->toText()->replace(embedding, QStringLiteral("embedding:tiny-ti")));
            }
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(graph);
        const auto hasDefault = [&](const QString &type, const QString &input) {
            const graph::NodeType *known = m_registry->find(type);
            const graph::InputSpec *spec = known ? known->definition().input(input) : nullptr;
            return spec && spec->defaultValue;
        };
        for (const graph::NodeErrors &node : outcome.validation.nodeErrors)
            for (const graph::ValidationError &error : node.errors)
                // Samplers ComfyUI has and the engine does not yet (dpmpp_sde, uni_pc_bh2) are reported, not run;
                // so are inputs newer than the ComfyUI that made the image (its server refuses them too).
                QVERIFY2(error.type == QStringLiteral("missing_node_type") ||
                             (error.type == QStringLiteral("required_input_missing") &&
                              hasDefault(node.classType, error.details)) ||
                             error.type == QStringLiteral("unsupported_node") ||
                             (error.type == QStringLiteral("value_not_in_list") &&
                              error.details.startsWith(QStringLiteral("sampler_name:"))),
                         qPrintable(QStringLiteral("node %1 (%2): %3 %4")
                                        .arg(node.nodeId, node.classType, error.type, error.details)));
        if (!outcome.validation.nodeErrors.isEmpty())
            return; // what it lacks is what it should lack
        QVERIFY2(outcome.ok(), qPrintable(outcome.failedNode + ": " + outcome.message));
        QVERIFY(!outcome.files.isEmpty());
    }

    // Any image opens as a graph: the graph it carries, or the one its recipe describes (A1111, InvokeAI, Fooocus
    // ...), with only the errors its absent models and init image cause.
    void anyImageOpensAsAGraph()
    {
        QDirIterator files(fixture(QStringLiteral("corpus/png")), {QStringLiteral("*.png")}, QDir::Files,
                           QDirIterator::Subdirectories);
        int opened = 0, refused = 0;
        while (files.hasNext()) {
            const QString path = files.next();
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const Result<graph::GraphSource> source = graph::graphFromImage(file.readAll(), *m_registry);
            if (!source) {
                QVERIFY2(!source.error().isEmpty(), qPrintable(path));
                ++refused;
                continue;
            }
            ++opened;
            const graph::Validation validation =
                graph::validate(graph::executableGraph(source->graph, *m_registry), *m_registry);
            for (const graph::NodeErrors &node : validation.nodeErrors)
                for (const graph::ValidationError &error : node.errors)
                    QVERIFY2(QStringList({"value_not_in_list", "missing_node_type", "unsupported_node",
                                          "required_input_missing"})
                                 .contains(error.type),
                             qPrintable(QStringLiteral("%1 (%2): node %3 %4 %5")
                                            .arg(path, source->from, node.nodeId, error.type, error.details)));
        }
        qInfo("%d corpus images opened as graphs, %d refused with a reason", opened, refused);
        QVERIFY(opened >= 8);
    }

    // A recipe naming a model this library keeps under another name: found by its hash (A1111's short one), run.
    void aRecipesModelIsFoundByItsHash()
    {
        QFile weights(checkpointOf("tiny-sd1"));
        QVERIFY(weights.open(QIODevice::ReadOnly));
        QCryptographicHash sha(QCryptographicHash::Sha256);
        sha.addData(&weights);
        const QString hex = QString::fromLatin1(sha.result().toHex());
        QVERIFY(addTinyModel(QStringLiteral("sha256:") + hex));

        metadata::TextChunk parameters;
        parameters.type = "tEXt";
        parameters.keyword = QStringLiteral("parameters");
        parameters.text = QStringLiteral("a cat\nNegative prompt: blurry\nSteps: 2, Sampler: Euler, CFG scale: 7, "
                                         "Seed: 3, Size: 64x64, Model hash: %1, Model: elsewhere_v1")
                              .arg(hex.left(10));
        const QByteArray png =
            generation::encodePng(engine::RgbImage{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 0)}, {parameters})
                .value();
        Result<graph::GraphSource> source = graph::graphFromImage(png, *m_registry);
        QVERIFY2(source, qPrintable(source.error()));
        QVERIFY(source->from.contains(QStringLiteral("A1111")));
        QCOMPARE(source->graph.node("6")->input("seed")->value->toInteger().value_or(-1), qint64(3));
        QCOMPARE(graph::validate(source->graph, *m_registry).errorsOf("1")->errors.front().type,
                 QStringLiteral("value_not_in_list"));
        const QStringList found =
            nodes::resolveModelsByHash(source->graph, source->modelHashes, *m_registry, m_environment);
        QCOMPARE(found.size(), 1);
        QVERIFY2(found.front().contains(QStringLiteral("elsewhere_v1")), qPrintable(found.front()));
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(source->graph);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message + QJsonDocument(outcome.validation.toJson()).toJson()));
    }

    // Models a workflow names and the library lacks are listed with what the workflow says of them: the URL and
    // hash of its "models" list (on the workflow or on the loader), matched by the file's name.
    void missingModelsComeWithTheirSources()
    {
        graph::Graph graph;
        graph::GraphNode checkpoint;
        checkpoint.id = QStringLiteral("1");
        checkpoint.type = QStringLiteral("CheckpointLoaderSimple");
        checkpoint.inputs.append(
            {QStringLiteral("ckpt_name"), graph::GraphValue::text("sdxl/juggernaut.safetensors"), std::nullopt});
        graph::GraphNode lora;
        lora.id = QStringLiteral("2");
        lora.type = QStringLiteral("LoraLoader");
        lora.inputs = {{QStringLiteral("model"), std::nullopt, graph::OutputRef{"1", 0}},
                       {QStringLiteral("clip"), std::nullopt, graph::OutputRef{"1", 1}},
                       {QStringLiteral("lora_name"), graph::GraphValue::text("ink.safetensors"), std::nullopt},
                       {QStringLiteral("strength_model"), graph::GraphValue::real(1.0), std::nullopt},
                       {QStringLiteral("strength_clip"), graph::GraphValue::real(1.0), std::nullopt}};
        graph.nodes = {checkpoint, lora};
        const QByteArray workflow =
            "{\"nodes\": [{\"id\": 2, \"type\": \"LoraLoader\", \"properties\": {\"models\": [{\"name\": "
            "\"ink.safetensors\", \"hash\": \"abc123\", \"hash_type\": \"SHA256\", \"directory\": \"loras\"}]}}], "
            "\"models\": [{\"name\": \"juggernaut.safetensors\", \"url\": \"https://example.org/j.safetensors\", "
            "\"directory\": \"checkpoints\"}]}";
        const QList<graph::ModelSource> sources = graph::workflowModelSources(workflow);
        QCOMPARE(sources.size(), 2);
        const graph::Validation validation = graph::validate(graph, *m_registry, {QStringLiteral("2")});
        const QList<graph::MissingModel> missing = graph::missingModels(graph, *m_registry, validation, sources);
        QCOMPARE(missing.size(), 2);
        QCOMPARE(missing.at(0).nodeId, QStringLiteral("1"));
        QCOMPARE(missing.at(0).input, QStringLiteral("ckpt_name"));
        QCOMPARE(missing.at(0).name, QStringLiteral("sdxl/juggernaut.safetensors"));
        QCOMPARE(missing.at(0).source.url, QStringLiteral("https://example.org/j.safetensors"));
        QCOMPARE(missing.at(1).source.hash, QStringLiteral("abc123"));
        QVERIFY(missing.at(1).source.url.isEmpty());
        // Garbage is no list at all.
        QVERIFY(graph::workflowModelSources("{\"models\": 3}").isEmpty());
        QVERIFY(graph::workflowModelSources("not json").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestGraphSources)
#include "test_graph_sources.moc"
