#include "core/graph/api_prompt.h"
#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"
#include "tests/fixtures.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::graph;

namespace {

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

nlohmann::json parsed(const QByteArray &text)
{
    return nlohmann::json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
}

// Every API prompt the corpus holds: the comfyui-api workflow files and the `prompt` chunks of ComfyUI's images.
QList<QPair<QString, QByteArray>> corpusPrompts()
{
    QList<QPair<QString, QByteArray>> prompts;
    const QDir corpus(fixturesDir() + QStringLiteral("/corpus"));
    const QDir api(corpus.filePath(QStringLiteral("workflows/comfyui-api")));
    for (const QString &name : api.entryList({QStringLiteral("*.json")}, QDir::Files))
        prompts.append({name, fileBytes(api.filePath(name))});
    const QDir images(corpus.filePath(QStringLiteral("comfyui")));
    for (const QString &name : images.entryList({QStringLiteral("*.png")}, QDir::Files)) {
        const Result<metadata::PngText> text = metadata::readPngTextFile(images.filePath(name));
        if (!text)
            continue;
        for (const metadata::TextChunk &chunk : text->chunks)
            if (chunk.keyword == QLatin1String("prompt"))
                prompts.append({name, chunk.text.toUtf8()});
    }
    return prompts;
}

} // namespace

// ComfyUI's API prompt: every real one reads and writes back without loss; literals keep their exact values; what
// is not a prompt fails with the node and input named.
class TestApiPrompt : public QObject
{
    Q_OBJECT

private slots:
    void everyCorpusPromptRoundTrips()
    {
        const auto prompts = corpusPrompts();
        QVERIFY2(prompts.size() >= 10, qPrintable(QStringLiteral("%1 prompts found").arg(prompts.size())));
        for (const auto &[name, text] : prompts) {
            const Result<Graph> graph = readApiPrompt(text);
            QVERIFY2(graph, qPrintable(name + QStringLiteral(": ") + graph.error()));
            QCOMPARE(graph->nodes.size(), int(parsed(text).size()));
            const nlohmann::json written = parsed(writeApiPrompt(graph.value()));
            QVERIFY2(written == parsed(text), qPrintable(name));
        }
    }

    void readsNodesInputsAndLinks()
    {
        const Result<Graph> graph = readApiPrompt(
            fileBytes(fixturesDir() + QStringLiteral("/corpus/workflows/comfyui-api/salad_sd1.5_txt2img.json")));
        QVERIFY2(graph, qPrintable(graph.error()));
        QCOMPARE(graph->nodes.size(), 7);
        const GraphNode *sampler = graph->node(QStringLiteral("3"));
        QVERIFY(sampler);
        QCOMPARE(sampler->type, QStringLiteral("KSampler"));
        QCOMPARE(sampler->input(QStringLiteral("seed"))->value->toUnsigned().value(), quint64(712610403220747));
        QCOMPARE(sampler->input(QStringLiteral("cfg"))->value->toReal().value(), 8.0);
        QCOMPARE(sampler->input(QStringLiteral("sampler_name"))->value->toText().value(), QStringLiteral("euler"));
        QCOMPARE(sampler->input(QStringLiteral("model"))->link.value(), (OutputRef{QStringLiteral("4"), 0}));
        QVERIFY(!sampler->input(QStringLiteral("model"))->value);
        QCOMPARE(graph->node(QStringLiteral("8"))->input(QStringLiteral("vae"))->link->output, 2);
        QVERIFY(!graph->node(QStringLiteral("99")));
    }

    void keepsLargeSeedsTitlesAndUnknownFieldsExactly()
    {
        const QByteArray text =
            R"({"prompt": {"3": {"inputs": {"seed": 18446744073709551615, "denoise": 0.85, "extra": [1, 2, 3]},
            "class_type": "KSampler", "_meta": {"title": "Sampler", "note": "kept"}, "is_changed": ["x"]}},
            "client_id": "abc"})";
        const Result<Graph> graph = readApiPrompt(text);
        QVERIFY2(graph, qPrintable(graph.error()));
        const GraphNode &node = graph->nodes.first();
        QCOMPARE(node.title, QStringLiteral("Sampler"));
        QCOMPARE(node.input(QStringLiteral("seed"))->value->toUnsigned().value(), quint64(18446744073709551615ull));
        QVERIFY(!node.input(QStringLiteral("seed"))->value->toInteger()); // past int64: only unsigned
        QCOMPARE(node.input(QStringLiteral("denoise"))->value->toReal().value(), 0.85);
        QVERIFY(!node.input(QStringLiteral("extra"))->link); // three elements: a literal, not a link
        const nlohmann::json written = parsed(writeApiPrompt(graph.value()));
        QCOMPARE(written["3"]["inputs"]["seed"].get<std::uint64_t>(), 18446744073709551615ull);
        QCOMPARE(written["3"]["_meta"]["note"].get<std::string>(), std::string("kept"));
        QCOMPARE(written["3"]["is_changed"][0].get<std::string>(), std::string("x"));
        QCOMPARE(written["3"]["inputs"]["extra"].size(), std::size_t(3));
    }

    void malformedPromptsSayWhere_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"3\": ") << QStringLiteral("not a readable API prompt");
        QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("JSON object of nodes");
        QTest::newRow("node not object") << QByteArray(R"({"3": 7})") << QStringLiteral("node 3: not an object");
        QTest::newRow("no class_type") << QByteArray(R"({"3": {"inputs": {}}})")
                                       << QStringLiteral("node 3: no class_type");
        QTest::newRow("inputs not object") << QByteArray(R"({"3": {"class_type": "X", "inputs": [1]}})")
                                           << QStringLiteral("\"inputs\" is not an object");
        QTest::newRow("bad link") << QByteArray(R"({"3": {"class_type": "X", "inputs": {"model": ["4", -1]}}})")
                                  << QStringLiteral("node 3, input \"model\"");
        QTest::newRow("link of objects") << QByteArray(R"({"3": {"class_type": "X", "inputs": {"a": [{}, 0]}}})")
                                         << QStringLiteral("is not a link");
        QTest::newRow("deep nesting") << QByteArray(R"({"3": {"class_type": "X", "inputs": {"a": )") +
                                             QByteArray(5000, '[')
                                      << QStringLiteral("not a readable API prompt");
    }

    void malformedPromptsSayWhere()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const Result<Graph> graph = readApiPrompt(text);
        QVERIFY(!graph);
        QCOMPARE(graph.errorType(), QStringLiteral("FormatError"));
        QVERIFY2(graph.error().contains(expected), qPrintable(graph.error()));
    }

    void readsTheGraphAtelierWritesIntoItsImages()
    {
        metadata::GenerationInfo recipe;
        recipe.toolVersion = QStringLiteral("1.0");
        recipe.prompt = QStringLiteral("a cat");
        recipe.negativePrompt = QString();
        recipe.seed = 18446744073709551615ull;
        recipe.steps = 8;
        recipe.cfg = 7.5;
        recipe.sampler = QStringLiteral("euler");
        recipe.scheduler = QStringLiteral("karras");
        recipe.model = metadata::ModelReference{QStringLiteral("tiny-sd1"), QString(64, QLatin1Char('a'))};
        recipe.vae = metadata::ModelReference{QStringLiteral("vae-ft-mse"), QString(64, QLatin1Char('b'))};
        recipe.loras << metadata::LoraUse{QStringLiteral("detail"), 0.8, QString(), 0.5};
        const Result<Graph> graph = readApiPrompt(metadata::recipeWorkflow(recipe).toUtf8());
        QVERIFY2(graph, qPrintable(graph.error()));
        const auto ofType = [&](const QString &type) -> const GraphNode * {
            for (const GraphNode &node : graph->nodes)
                if (node.type == type)
                    return &node;
            return nullptr;
        };
        const GraphNode *sampler = ofType(QStringLiteral("KSampler"));
        const GraphNode *lora = ofType(QStringLiteral("LoraLoader"));
        const GraphNode *vae = ofType(QStringLiteral("VAELoader"));
        QVERIFY(sampler && lora && vae && ofType(QStringLiteral("CheckpointLoaderSimple")));
        QCOMPARE(sampler->input(QStringLiteral("seed"))->value->toUnsigned().value(), 18446744073709551615ull);
        QCOMPARE(sampler->input(QStringLiteral("scheduler"))->value->toText().value(), QStringLiteral("karras"));
        QCOMPARE(sampler->input(QStringLiteral("model"))->link->node, lora->id);
        QCOMPARE(lora->input(QStringLiteral("strength_clip"))->value->toReal().value(), 0.5);
        QCOMPARE(vae->input(QStringLiteral("vae_name"))->value->toText().value(), QStringLiteral("vae-ft-mse"));
        QCOMPARE(ofType(QStringLiteral("VAEDecode"))->input(QStringLiteral("vae"))->link->node, vae->id);
    }

    void numericLinkIdsMeanTheSameNode()
    {
        const Result<Graph> graph = readApiPrompt(R"({"8": {"class_type": "VAEDecode", "inputs": {"vae": [4, 2]}}})");
        QVERIFY2(graph, qPrintable(graph.error()));
        QCOMPARE(graph->nodes.first().input(QStringLiteral("vae"))->link.value(), (OutputRef{QStringLiteral("4"), 2}));
    }
};

QTEST_GUILESS_MAIN(TestApiPrompt)
#include "test_api_prompt.moc"
