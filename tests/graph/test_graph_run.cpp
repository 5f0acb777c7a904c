// Graphs run through validation, the executor and the built-in nodes on the tiny fixture models: the fixtures'
// images from API graphs, the cache's exact re-runs after each kind of edit, cancellation, failures, partial runs
// and the files SaveImage writes.
#include "core/engine/io/safetensors.h"
#include "core/generation/png_image.h"
#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/graph/executor.h"
#include "core/graph/graph_run_service.h"
#include "core/graph/graph_sources.h"
#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/nodes/models_by_hash.h"
#include "tests/fixtures.h"
#include "tests/graph/graph_test_support.h"
#include "tests/image_difference.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace atelier;
using namespace graph_tests;

namespace {

// Cancels its run once the sampler reports `atStep`.
class CancelAt final : public graph::RunListener
{
public:
    CancelAt(std::atomic_bool &flag, int atStep)
        : m_flag(flag)
        , m_step(atStep)
    {}
    void nodeProgress(const QString &, int value, int, const std::function<engine::RgbImage()> &preview) override
    {
        if (preview)
            previewWidth = preview().width;
        if (value >= m_step)
            m_flag = true;
    }
    int previewWidth = 0;

private:
    std::atomic_bool &m_flag;
    int m_step;
};

class Counting final : public graph::RunListener
{
public:
    void nodeStarted(const QString &, const QString &) override { ++started; }
    void nodeCached(const graph::NodeRunReport &) override { ++started; }
    int started = 0;
};

// The mean difference of two images' channels over `area`, in levels.
double meanDifference(const QImage &a, const QImage &b, const QRect &area)
{
    double sum = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x) {
            const QColor p = a.pixelColor(x, y), q = b.pixelColor(x, y);
            sum += std::abs(p.red() - q.red()) + std::abs(p.green() - q.green()) + std::abs(p.blue() - q.blue());
        }
    return sum / (3.0 * area.width() * area.height());
}

// A float32 tensor's values from a safetensors file, empty when it is absent or of another type.
std::vector<float> floatsOf(const engine::SafetensorsFile &file, const std::string &name)
{
    const engine::TensorEntry *entry = file.find(name);
    if (!entry || entry->dtype != engine::DType::F32)
        return {};
    std::vector<float> values(std::size_t(entry->elementCount()));
    std::memcpy(values.data(), file.data(*entry), values.size() * sizeof(float));
    return values;
}

} // namespace

class TestGraphRun : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<graph_tests::TinyRoot> m_tiny;
    std::shared_ptr<graph::NodeRegistry> m_registry;
    nodes::NodeEnvironment m_environment;

    QString outputs() const { return m_tiny->outputs(); }
    QStringList outputFiles() const { return m_tiny->outputFiles(); }

private slots:
    void init()
    {
        m_tiny = std::make_unique<graph_tests::TinyRoot>();
        m_registry = m_tiny->registry;
        m_environment = m_tiny->environment;
    }
    void cleanup()
    {
        m_registry.reset();
        m_tiny.reset();
    }

    void fixtureSamples_data()
    {
        QTest::addColumn<QJsonObject>("fixture");
        QTest::addColumn<bool>("sdxlEncoder");
        QFile index(fixture(QStringLiteral("index.json")));
        QVERIFY(index.open(QIODevice::ReadOnly));
        for (const QJsonValue &entry : QJsonDocument::fromJson(index.readAll()).object().value("cases").toArray()) {
            const QJsonObject fixture = entry.toObject();
            if (fixture.value("kind").toString() != QStringLiteral("sample"))
                continue;
            QTest::newRow(qPrintable(fixture.value("id").toString())) << fixture << false;
            // SDXL again with CLIPTextEncodeSDXL, the same prompt for both encoders and the image's own size.
            if (fixture.value("family").toString() == QStringLiteral("sdxl"))
                QTest::newRow(qPrintable(fixture.value("id").toString() + QStringLiteral(" [CLIPTextEncodeSDXL]")))
                    << fixture << true;
        }
    }
    // Each sample case of the fixtures, as an API graph, makes the fixture's image within one level.
    void fixtureSamples()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, sdxlEncoder);
        const QString model = fixture.value("model").toString();
        QJsonObject prompt = txt2img(checkpointOf(model), fixture.value("prompt").toString(),
                                     fixture.value("seed").toInteger(), fixture.value("steps").toInt(),
                                     fixture.value("cfg").toDouble(), fixture.value("sampler").toString(),
                                     fixture.value("scheduler").toString(), fixture.value("width").toInt(),
                                     fixture.value("height").toInt(), fixture.value("negative").toString());
        prompt = withInput(prompt, QStringLiteral("3"), QStringLiteral("denoise"), fixture.value("denoise").toDouble());
        if (sdxlEncoder)
            for (const auto &[node, text] : {std::pair{"6", fixture.value("prompt").toString()},
                                             std::pair{"7", fixture.value("negative").toString()}}) {
                const int width = fixture.value("width").toInt(), height = fixture.value("height").toInt();
                prompt.insert(node, QJsonObject{{"class_type", "CLIPTextEncodeSDXL"},
                                                {"inputs", QJsonObject{{"clip", QJsonArray{"4", 1}},
                                                                       {"width", width},
                                                                       {"height", height},
                                                                       {"crop_w", 0},
                                                                       {"crop_h", 0},
                                                                       {"target_width", width},
                                                                       {"target_height", height},
                                                                       {"text_g", text},
                                                                       {"text_l", text}}}});
            }
        if (fixture.value("img2img").toBool()) {
            // The init image as the PNG it was made from (8 bits a channel), loaded and encoded by the graph.
            const engine::SafetensorsFile reference(::fixture(fixture.value("file").toString()).toStdString());
            const engine::TensorEntry *init = reference.find("init_image");
            QVERIFY(init && init->dtype == engine::DType::F32 && init->shape.size() == 4);
            const int height = int(init->shape[2]), width = int(init->shape[3]);
            const std::vector<float> values = floatsOf(reference, "init_image");
            engine::RgbImage image{width, height, std::vector<std::uint8_t>(std::size_t(width * height * 3))};
            for (int c = 0; c < 3; ++c)
                for (int i = 0; i < width * height; ++i)
                    image.pixels[std::size_t(i * 3 + c)] = std::uint8_t(std::lround(
                        std::clamp((values[std::size_t(c * width * height + i)] + 1.0) * 127.5, 0.0, 255.0)));
            QVERIFY(generation::writePngFile(QDir(m_environment.inputDir).filePath("init.png"), image, {}));
            prompt.insert("10",
                          QJsonObject{{"class_type", "LoadImage"}, {"inputs", QJsonObject{{"image", "init.png"}}}});
            prompt.insert("11", QJsonObject{{"class_type", "VAEEncode"},
                                            {"inputs", QJsonObject{{"pixels", QJsonArray{"10", 0}},
                                                                   {"vae", QJsonArray{"4", 2}}}}});
            prompt = withInput(prompt, QStringLiteral("3"), QStringLiteral("latent_image"), QJsonArray{"11", 0});
            prompt.remove(QStringLiteral("5"));
        }
        prompt.insert("20", QJsonObject{{"class_type", "SaveLatent"},
                                        {"inputs", QJsonObject{{"samples", QJsonArray{"3", 0}},
                                                               {"filename_prefix", "latents/case"}}}});
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(graphOf(prompt));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message + QJsonDocument(outcome.validation.toJson()).toJson()));
        QCOMPARE(outcome.files.size(), 2);
        // The same graph as an editor workflow is the same run: every node's signature matches, so all of it
        // comes from the cache.
        const QByteArray workflow = graph::editorWorkflowFromGraph(graphOf(prompt), *m_registry);
        const Result<graph::Graph> fromWorkflow = graph::graphFromEditorWorkflow(workflow, *m_registry);
        QVERIFY2(fromWorkflow, qPrintable(fromWorkflow.error()));
        const graph::RunOutcome again = executor.run(fromWorkflow.value());
        QVERIFY(again.ok());
        QCOMPARE(ranIn(again).executed, QStringList());
        QCOMPARE(ranIn(again).cached.size(), outcome.nodes.size());
        // The sampler's latent, saved as ComfyUI's .latent file (unscaled), against the fixture's (scaled by the
        // model's factor: SD's 0.18215, SDXL's 0.13025), within the case's tolerance relative to the largest value.
        const double scale = fixture.value("family").toString() == QStringLiteral("sdxl") ? 0.13025 : 0.18215;
        const auto file = std::find_if(outcome.files.begin(), outcome.files.end(), [](const graph::OutputFile &made) {
            return made.filename.endsWith(QStringLiteral(".latent"));
        });
        QVERIFY(file != outcome.files.end());
        QCOMPARE(file->subfolder, QStringLiteral("latents"));
        const engine::SafetensorsFile saved(file->path.toStdString());
        const engine::SafetensorsFile reference(::fixture(fixture.value("file").toString()).toStdString());
        const std::vector<float> sampled = floatsOf(saved, "latent_tensor"), wanted = floatsOf(reference, "latent");
        QCOMPARE(sampled.size(), wanted.size());
        QVERIFY(saved.find("latent_format_version_0"));
        double largest = 0, difference = 0;
        for (std::size_t i = 0; i < sampled.size(); ++i) {
            largest = std::max(largest, std::abs(double(wanted[i])));
            difference = std::max(difference, std::abs(sampled[i] * scale - double(wanted[i])));
        }
        // img2img cases start from a float init image, which the graph can only load as an 8-bit PNG: half a level
        // of rounding in every pixel moves the latent by about 0.1 % more than the case allows.
        const double tolerance =
            fixture.value("img2img").toBool()
                ? 0.005
                : fixture.value("tolerance").toObject().value("latent_max_abs_relative").toDouble();
        QVERIFY2(difference <= tolerance * largest,
                 qPrintable(QStringLiteral("latent differs by %1 of its largest value").arg(difference / largest)));

        const auto png = std::find_if(outcome.files.begin(), outcome.files.end(), [](const graph::OutputFile &made) {
            return made.filename.endsWith(QStringLiteral(".png"));
        });
        QVERIFY(png != outcome.files.end());
        const QImage made(png->path), expected(::fixture(fixture.value("png").toString()));
        QVERIFY(!expected.isNull());
        QVERIFY2(largestDifference(made, expected) <= 1,
                 qPrintable(QStringLiteral("differs by %1 levels").arg(largestDifference(made, expected))));
    }

    // Run, change one thing, run again: exactly what depends on the change runs, whatever the ids.
    void cacheRerunsOnlyWhatChanged()
    {
        const QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 3);
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome first = executor.run(graphOf(prompt));
        QVERIFY2(first.ok(), qPrintable(first.message));
        QCOMPARE(ranIn(first).executed, (QStringList{"3", "4", "5", "6", "7", "8", "9"}));
        QCOMPARE(reasonOf(first, "4"), QStringLiteral("new node"));

        const graph::RunOutcome seed = executor.run(graphOf(withInput(prompt, "3", "seed", 2)));
        QVERIFY(seed.ok());
        QCOMPARE(ranIn(seed).executed, (QStringList{"3", "8", "9"}));
        QCOMPARE(ranIn(seed).cached, (QStringList{"4", "5", "6", "7"})); // the checkpoint is not read again
        QCOMPARE(reasonOf(seed, "3"), QStringLiteral("seed changed (1 -> 2)"));
        QVERIFY(reasonOf(seed, "8").contains(QStringLiteral("upstream node 3 (KSampler) ran again")));

        const graph::RunOutcome text =
            executor.run(graphOf(withInput(withInput(prompt, "3", "seed", 2), "6", "text", "a dog")));
        QCOMPARE(ranIn(text).executed, (QStringList{"3", "6", "8", "9"}));

        const graph::RunOutcome size =
            executor.run(graphOf(withInput(withInput(prompt, "3", "seed", 2), "5", "width", 96)));
        QCOMPARE(ranIn(size).executed, (QStringList{"3", "5", "8", "9"}));

        // The same graph renumbered: everything is served from the cache.
        QByteArray renumbered = QJsonDocument(withInput(prompt, "3", "seed", 2)).toJson(QJsonDocument::Compact);
        for (const char *id : {"3", "4", "5", "6", "7", "8", "9"})
            renumbered.replace(QByteArray("\"") + id + "\"", QByteArray("\"1") + id + "\"");
        const graph::RunOutcome moved = executor.run(graph::readApiPrompt(renumbered).value());
        QVERIFY(moved.ok());
        QCOMPARE(ranIn(moved).executed, QStringList());
        QCOMPARE(ranIn(moved).cached.size(), 7);

        executor.clearCache();
        QCOMPARE(executor.cachedEntries(), 0);
        const graph::RunOutcome cleared = executor.run(graphOf(withInput(prompt, "3", "seed", 2)));
        QCOMPARE(ranIn(cleared).executed.size(), 7);
        QCOMPARE(reasonOf(cleared, "4"), QStringLiteral("not in the cache (evicted or cleared)"));
    }

    // Another precision chosen in the settings between two runs loads the checkpoint again, in that precision.
    void aNewComputeChoiceLoadsTheModelAgain()
    {
        const QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 3);
        graph::GraphExecutor executor(m_registry);
        QVERIFY(executor.run(graphOf(prompt)).ok());
        m_environment.compute->set(QStringLiteral("cpu"), QStringLiteral("bf16")); // a copy: the registry's too
        const graph::RunOutcome again = executor.run(graphOf(prompt));
        QVERIFY2(again.ok(), qPrintable(again.message));
        QVERIFY2(ranIn(again).executed.contains(QStringLiteral("4")), qPrintable(ranIn(again).executed.join(' ')));
        m_environment.compute->set(QStringLiteral("cpu"), QStringLiteral("fp32"));
    }

    // A size the model cannot make is said in words, at the sampler, and nothing is written.
    void aSizeTheModelCannotMakeIsExplained()
    {
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(
            graphOf(withInput(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2), "5", "width", 72)));
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Failed));
        QCOMPARE(outcome.failedNode, QStringLiteral("3"));
        QVERIFY2(outcome.message.contains(QStringLiteral("multiples of")), qPrintable(outcome.message));
        QVERIFY(outputFiles().isEmpty());
    }

    void cacheIsBounded()
    {
        graph::GraphExecutor executor(m_registry);
        executor.setCacheLimits({4, 1ll << 40});
        QVERIFY(executor.run(graphOf(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2))).ok());
        QVERIFY(executor.cachedEntries() <= 4);
    }

    void aChangedInputImageRunsAgain()
    {
        engine::RgbImage image{64, 64, std::vector<std::uint8_t>(64 * 64 * 3, 100)};
        const QString path = QDir(m_environment.inputDir).filePath("in.png");
        QVERIFY(generation::writePngFile(path, image, {}));
        QJsonObject prompt{
            {"1", QJsonObject{{"class_type", "LoadImage"}, {"inputs", QJsonObject{{"image", "in.png"}}}}},
            {"2", QJsonObject{{"class_type", "ImageInvert"}, {"inputs", QJsonObject{{"image", QJsonArray{"1", 0}}}}}},
            {"3", QJsonObject{{"class_type", "SaveImage"},
                              {"inputs", QJsonObject{{"images", QJsonArray{"2", 0}}, {"filename_prefix", "inv"}}}}}};
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome first = executor.run(graphOf(prompt));
        QVERIFY2(first.ok(), qPrintable(first.message));
        QCOMPARE(QImage(first.files.front().path).pixelColor(3, 3), QColor(155, 155, 155));
        QCOMPARE(ranIn(executor.run(graphOf(prompt))).executed, QStringList());
        std::fill(image.pixels.begin(), image.pixels.end(), 10);
        QVERIFY(generation::writePngFile(path, image, {}));
        const graph::RunOutcome changed = executor.run(graphOf(prompt));
        QCOMPARE(ranIn(changed).executed, (QStringList{"1", "2", "3"}));
        QCOMPARE(reasonOf(changed, "1"), QStringLiteral("its source changed on disk"));
        QCOMPARE(QImage(changed.files.front().path).pixelColor(3, 3), QColor(245, 245, 245));
    }

    void cancellingStopsBetweenStepsAndWritesNothing()
    {
        graph::GraphExecutor executor(m_registry);
        std::atomic_bool cancel{false};
        CancelAt listener(cancel, 2);
        graph::RunOptions options;
        options.cancel = &cancel;
        const graph::RunOutcome outcome =
            executor.run(graphOf(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 8)), options, &listener);
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Interrupted));
        QCOMPARE(outcome.failedNode, QStringLiteral("3"));
        QCOMPARE(listener.previewWidth, 8); // 1/8 of the image
        QVERIFY(outputFiles().isEmpty());
        // The executor goes on: the loader and prompts are cached, the rest runs.
        cancel = false;
        const graph::RunOutcome again =
            executor.run(graphOf(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 8)), options);
        QVERIFY(again.ok());
        QCOMPARE(ranIn(again).executed, (QStringList{"3", "8", "9"}));
    }

    void aFailingNodeIsNamedAndTheExecutorGoesOn()
    {
        QFile broken(QDir(m_environment.inputDir).filePath("broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("\x89PNG\r\n\x1a\nnot really");
        broken.close();
        const QJsonObject prompt{
            {"1", QJsonObject{{"class_type", "LoadImage"}, {"inputs", QJsonObject{{"image", "broken.png"}}}}},
            {"2", QJsonObject{{"class_type", "SaveImage"},
                              {"inputs", QJsonObject{{"images", QJsonArray{"1", 0}}, {"filename_prefix", "x"}}}}}};
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome failed = executor.run(graphOf(prompt));
        QCOMPARE(int(failed.status), int(graph::RunOutcome::Status::Failed));
        QCOMPARE(failed.failedNode, QStringLiteral("1"));
        QVERIFY2(failed.message.contains(QStringLiteral("broken.png")), qPrintable(failed.message));
        QVERIFY(executor.run(graphOf(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2))).ok());
    }

    void anInvalidGraphNeverStarts()
    {
        QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2);
        prompt = withInput(prompt, "3", "model", QJsonArray{"4", 1}); // CLIP into MODEL
        Counting listener;
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(graphOf(prompt), {}, &listener);
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Invalid));
        QCOMPARE(listener.started, 0);
        const graph::NodeErrors *errors = outcome.validation.errorsOf(QStringLiteral("3"));
        QVERIFY(errors);
        QCOMPARE(errors->errors.front().type, QStringLiteral("return_type_mismatch"));
        QCOMPARE(errors->errors.front().details,
                 QStringLiteral("model, received_type(CLIP) mismatch input_type(MODEL)"));
        QCOMPARE(errors->dependentOutputs, QStringList{"9"});
    }

    void aValidBranchRunsBesideAnInvalidOne()
    {
        QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2);
        prompt.insert(
            "20", QJsonObject{{"class_type", "VAEDecode"}, {"inputs", QJsonObject{{"samples", QJsonArray{"3", 0}}}}});
        prompt.insert("21",
                      QJsonObject{{"class_type", "SaveImage"},
                                  {"inputs", QJsonObject{{"images", QJsonArray{"20", 0}}, {"filename_prefix", "b"}}}});
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(graphOf(prompt));
        QVERIFY(outcome.ok());
        QCOMPARE(outcome.validation.validOutputs, QStringList{"9"});
        QCOMPARE(outcome.validation.errorsOf("20")->errors.front().type, QStringLiteral("required_input_missing"));
        QCOMPARE(outcome.files.size(), 1);
    }

    void aPartialRunStopsAtItsTarget()
    {
        graph::GraphExecutor executor(m_registry);
        graph::RunOptions options;
        options.targets = {QStringLiteral("6")};
        const graph::RunOutcome outcome =
            executor.run(graphOf(txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2)), options);
        QVERIFY(outcome.ok());
        QCOMPARE(ranIn(outcome).executed, (QStringList{"4", "6"}));
        QVERIFY(outputFiles().isEmpty());
    }

    // ComfyUI's names (prefix_00001_.png, counting on from the highest there) and its chunks, read back as the
    // same graph.
    void savedImagesAreNamedAndCarryTheGraph()
    {
        const QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2);
        graph::GraphExecutor executor(m_registry);
        graph::RunOptions options;
        options.editorWorkflow = R"({"last_node_id":9,"nodes":[]})";
        QVERIFY(executor.run(graphOf(prompt), options).ok());
        QVERIFY(executor.run(graphOf(withInput(prompt, "3", "seed", 5)), options).ok());
        QVERIFY(
            executor
                .run(graphOf(withInput(withInput(prompt, "3", "seed", 6), "9", "filename_prefix", "sub/deep")), options)
                .ok());
        QCOMPARE(outputFiles(), (QStringList{"test_00001_.png", "test_00002_.png"}));
        QVERIFY(QFile::exists(QDir(outputs()).filePath("sub/deep_00001_.png")));
        const Result<metadata::PngText> text = metadata::readPngTextFile(QDir(outputs()).filePath("test_00002_.png"));
        QVERIFY(text);
        QString promptChunk, workflowChunk;
        for (const metadata::TextChunk &chunk : text->chunks) {
            if (chunk.keyword == QStringLiteral("prompt"))
                promptChunk = chunk.text;
            if (chunk.keyword == QStringLiteral("workflow"))
                workflowChunk = chunk.text;
        }
        QCOMPARE(workflowChunk, QString::fromUtf8(options.editorWorkflow));
        // Atelier's recipe from the graph (the model by name, never by path) and A1111's parameters beside it.
        const Result<metadata::GenerationInfo> recipe =
            metadata::readGenerationInfo(QDir(outputs()).filePath("test_00002_.png"));
        QVERIFY(recipe);
        QCOMPARE(recipe->tool, QStringLiteral("Atelier"));
        QCOMPARE(recipe->seed.value_or(0), quint64(5));
        QCOMPARE(recipe->model->name, QStringLiteral("tiny-sd1.safetensors"));
        QStringList keywords;
        for (const metadata::TextChunk &chunk : text->chunks)
            keywords.append(chunk.keyword);
        QCOMPARE(keywords, (QStringList{"prompt", "workflow", "atelier_metadata", "atelier_workflow", "parameters"}));
        const graph::Graph readBack = graph::readApiPrompt(promptChunk.toUtf8()).value();
        QCOMPARE(readBack.node("3")->input("seed")->value->toInteger().value_or(-1), qint64(5));
        QCOMPARE(readBack.nodes.size(), 7);

        const graph::RunOutcome escaping =
            executor.run(graphOf(withInput(withInput(prompt, "3", "seed", 7), "9", "filename_prefix", "../escape")));
        QCOMPARE(int(escaping.status), int(graph::RunOutcome::Status::Failed));
        QVERIFY(escaping.message.contains(QStringLiteral("outside the output folder")));
    }

    // The service's queue: runs one after another on its thread with one cache, every event as a signal, queued
    // runs cancelled before they start or moved up the queue.
    void theRunServiceQueuesRunsAndKeepsItsCache()
    {
        graph::GraphRunService service(m_registry);
        QSignalSpy started(&service, &graph::GraphRunService::started);
        QSignalSpy finished(&service, &graph::GraphRunService::finished);
        QSignalSpy cached(&service, &graph::GraphRunService::nodeCached);
        QSignalSpy previews(&service, &graph::GraphRunService::previewReady);
        QSignalSpy executed(&service, &graph::GraphRunService::nodeExecuted);
        const QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 3);
        const quint64 first = service.submit({graphOf(prompt), {}, true, {}});
        const quint64 second = service.submit({graphOf(withInput(prompt, "3", "seed", 2)), {}, false, {}});
        const quint64 dropped = service.submit({graphOf(withInput(prompt, "3", "seed", 3)), {}, false, {}});
        const quint64 hurried = service.submit({graphOf(withInput(prompt, "3", "seed", 4)), {}, false, {}});
        service.cancel(dropped);
        QVERIFY(service.moveUp(hurried));
        const QList<quint64> waiting = service.waiting();
        QVERIFY(waiting.indexOf(hurried) >= 0 && waiting.indexOf(hurried) < waiting.indexOf(second));
        QVERIFY(!service.moveUp(dropped));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, 120000);
        QCOMPARE(service.pending(), 0);
        QList<quint64> startOrder;
        for (const QList<QVariant> &signal : started)
            startOrder.append(signal.at(0).toULongLong());
        QCOMPARE(startOrder, (QList<quint64>{first, hurried, second}));
        QMap<quint64, graph::RunOutcome> outcomes;
        for (const QList<QVariant> &signal : finished)
            outcomes.insert(signal.at(0).toULongLong(), signal.at(1).value<graph::RunOutcome>());
        QVERIFY(outcomes.value(first).ok());
        QVERIFY(outcomes.value(second).ok());
        QVERIFY(outcomes.value(hurried).ok());
        QCOMPARE(int(outcomes.value(dropped).status), int(graph::RunOutcome::Status::Interrupted));
        QCOMPARE(cached.size(), 8);   // the later runs: loader, prompts and latent each
        QCOMPARE(previews.size(), 2); // steps 1 and 2 of 3 of the first run
        QCOMPARE(outputFiles().size(), 3);
        QList<graph::OutputFile> files;
        for (const QList<QVariant> &signal : executed)
            files += signal.at(2).value<QList<graph::OutputFile>>();
        QCOMPARE(files.size(), 3);
    }

    void loraAndConditioningNodesRun()
    {
        // A plain run first, in an executor that keeps the loaded model (shared with every later loader of the file).
        graph::GraphExecutor keeper(m_registry);
        const graph::RunOutcome before = keeper.run(
            graphOf(withInput(txt2img(checkpointOf("tiny-sd1"), "a cat", 1, 2), "9", "filename_prefix", "before")));
        QVERIFY(before.ok());
        QJsonObject prompt = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2);
        const QString lora = QDir(fixture("models/tiny-sd1/lora"))
                                 .entryInfoList({"*.safetensors"}, QDir::Files)
                                 .value(0)
                                 .absoluteFilePath();
        QVERIFY(!lora.isEmpty());
        prompt.insert("10", QJsonObject{{"class_type", "LoraLoader"},
                                        {"inputs", QJsonObject{{"model", QJsonArray{"4", 0}},
                                                               {"clip", QJsonArray{"4", 1}},
                                                               {"lora_name", lora},
                                                               {"strength_model", 0.8},
                                                               {"strength_clip", 1.0}}}});
        prompt.insert("11", QJsonObject{{"class_type", "ConditioningCombine"},
                                        {"inputs", QJsonObject{{"conditioning_1", QJsonArray{"6", 0}},
                                                               {"conditioning_2", QJsonArray{"12", 0}}}}});
        prompt.insert("12", QJsonObject{{"class_type", "CLIPTextEncode"},
                                        {"inputs", QJsonObject{{"text", "a dog"}, {"clip", QJsonArray{"13", 0}}}}});
        prompt.insert("13",
                      QJsonObject{{"class_type", "CLIPSetLastLayer"},
                                  {"inputs", QJsonObject{{"clip", QJsonArray{"10", 1}}, {"stop_at_clip_layer", -2}}}});
        prompt = withInput(prompt, "3", "model", QJsonArray{"10", 0});
        prompt = withInput(prompt, "3", "positive", QJsonArray{"11", 0});
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome outcome = executor.run(graphOf(prompt));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message + QJsonDocument(outcome.validation.toJson()).toJson()));
        // The plain graph afterwards, on the same shared model, is the image it was before the LoRA was applied.
        const graph::RunOutcome after = executor.run(
            graphOf(withInput(txt2img(checkpointOf("tiny-sd1"), "a cat", 1, 2), "9", "filename_prefix", "after")));
        QVERIFY(after.ok());
        QCOMPARE(ranIn(after).executed, (QStringList{"3", "8", "9"})); // the prompts are cached from the LoRA run
        QCOMPARE(largestDifference(QImage(before.files.front().path), QImage(after.files.front().path)), 0);
        QVERIFY(largestDifference(QImage(before.files.front().path), QImage(outcome.files.front().path)) > 0);
    }
    // A prompt set to the left half of the image changes the left half: ComfyUI's ConditioningSetArea, combined
    // with the prompt for the whole image. Set to the whole image, it is the plain prompt.
    void areaConditioningWeighsItsRegion()
    {
        const QJsonObject plain =
            txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 5, 3, 7.0, "euler", "normal", 128, 128);
        const auto withArea = [&](int width, const char *prefix) {
            QJsonObject prompt = plain;
            prompt.insert("12",
                          QJsonObject{{"class_type", "CLIPTextEncode"},
                                      {"inputs", QJsonObject{{"text", "a red dog"}, {"clip", QJsonArray{"4", 1}}}}});
            prompt.insert("13", QJsonObject{{"class_type", "ConditioningSetArea"},
                                            {"inputs", QJsonObject{{"conditioning", QJsonArray{"12", 0}},
                                                                   {"width", width},
                                                                   {"height", 128},
                                                                   {"x", 0},
                                                                   {"y", 0},
                                                                   {"strength", 1.0}}}});
            prompt.insert("11", QJsonObject{{"class_type", "ConditioningCombine"},
                                            {"inputs", QJsonObject{{"conditioning_1", QJsonArray{"6", 0}},
                                                                   {"conditioning_2", QJsonArray{"13", 0}}}}});
            return withInput(withInput(prompt, "3", "positive", QJsonArray{"11", 0}), "9", "filename_prefix", prefix);
        };
        graph::GraphExecutor executor(m_registry);
        const graph::RunOutcome alone = executor.run(graphOf(plain));
        const graph::RunOutcome left = executor.run(graphOf(withArea(64, "left")));
        QVERIFY2(left.ok(), qPrintable(left.message + QJsonDocument(left.validation.toJson()).toJson()));
        const QImage before(alone.files.front().path), after(left.files.front().path);
        const double leftChange = meanDifference(before, after, QRect(0, 0, 48, 128));
        const double rightChange = meanDifference(before, after, QRect(80, 0, 48, 128));
        QVERIFY2(leftChange > 2 * rightChange,
                 qPrintable(QStringLiteral("left %1, right %2").arg(leftChange).arg(rightChange)));

        // Two prompts over the whole image, each at strength 1: their average, as ConditioningCombine gives.
        QJsonObject combined = withArea(128, "whole");
        combined.insert("11", QJsonObject{{"class_type", "ConditioningCombine"},
                                          {"inputs", QJsonObject{{"conditioning_1", QJsonArray{"6", 0}},
                                                                 {"conditioning_2", QJsonArray{"12", 0}}}}});
        const graph::RunOutcome whole = executor.run(graphOf(withArea(128, "whole-area")));
        const graph::RunOutcome average = executor.run(graphOf(combined));
        QVERIFY(whole.ok() && average.ok());
        QVERIFY(largestDifference(QImage(whole.files.front().path), QImage(average.files.front().path)) <= 1);
    }
};

QTEST_GUILESS_MAIN(TestGraphRun)
#include "test_graph_run.moc"
