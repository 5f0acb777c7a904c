// aMUSEd in graphs: its nodes make the fixture's image, with a preview per step and a recipe naming the family's
// settings; the workflow an aMUSEd image carries runs again to the same image; and its types never link to Stable
// Diffusion's nodes.
#include "graph_test_support.h"

#include "core/engine/client/engine_client.h"
#include "core/metadata/generation_info.h"
#include "tests/image_difference.h"

#include <QFileInfo>
#include <QImage>
#include <QTest>

using namespace graph_tests;

namespace {

QString amusedFolder()
{
    return fixture(QStringLiteral("models/tiny-amused"));
}

// The fixture case tiny-amused.txt2img.s8.cfg10.s42 as aMUSEd's nodes.
QJsonObject amusedTxt2img()
{
    const auto link = [](const char *node, int output) { return QJsonArray{QString::fromLatin1(node), output}; };
    return QJsonObject{
        {"1",
         QJsonObject{{"class_type", "AmusedCheckpointLoader"}, {"inputs", QJsonObject{{"ckpt_name", amusedFolder()}}}}},
        {"2", QJsonObject{{"class_type", "AmusedTextEncode"},
                          {"inputs", QJsonObject{{"text", "a photo of a cat"}, {"clip", link("1", 1)}}}}},
        {"3", QJsonObject{{"class_type", "AmusedTextEncode"},
                          {"inputs", QJsonObject{{"text", ""}, {"clip", link("1", 1)}}}}},
        {"4", QJsonObject{{"class_type", "AmusedEmptyTokens"},
                          {"inputs", QJsonObject{{"width", 16}, {"height", 16}, {"batch_size", 1}}}}},
        {"5", QJsonObject{{"class_type", "AmusedSampler"},
                          {"inputs", QJsonObject{{"seed", 42},
                                                 {"steps", 8},
                                                 {"cfg", 10.0},
                                                 {"temperature_start", 2.0},
                                                 {"temperature_end", 0.0},
                                                 {"aesthetic_score", 6.0},
                                                 {"crop_top", 0},
                                                 {"crop_left", 0},
                                                 {"denoise", 1.0},
                                                 {"model", link("1", 0)},
                                                 {"positive", link("2", 0)},
                                                 {"negative", link("3", 0)},
                                                 {"tokens", link("4", 0)}}}}},
        {"6", QJsonObject{{"class_type", "VQDecode"},
                          {"inputs", QJsonObject{{"tokens", link("5", 0)}, {"vqgan", link("1", 2)}}}}},
        {"7", QJsonObject{{"class_type", "SaveImage"},
                          {"inputs", QJsonObject{{"filename_prefix", "amused"}, {"images", link("6", 0)}}}}},
    };
}

class Previews final : public graph::RunListener
{
public:
    void nodeProgress(const QString &, int, int maximum, const std::function<engine::RgbImage()> &preview) override
    {
        steps = maximum;
        if (preview)
            sizes.append(QSize(preview().width, preview().height));
    }
    int steps = 0;
    QList<QSize> sizes;
};

} // namespace

class TestAmusedGraph : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TinyRoot> m_tiny;

private slots:
    void init() { m_tiny = std::make_unique<TinyRoot>(); }
    void cleanup() { m_tiny.reset(); }

    void nodesMakeTheReferenceImageWithPreviews()
    {
        graph::GraphExecutor executor(m_tiny->registry);
        Previews previews;
        const graph::RunOutcome outcome = executor.run(graphOf(amusedTxt2img()), {}, &previews);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QCOMPARE(previews.steps, 8);
        QCOMPARE(previews.sizes, QList<QSize>(8, QSize(16, 16)));
        QCOMPARE(m_tiny->outputFiles().size(), 1);
        const QString saved = QDir(m_tiny->outputs()).filePath(m_tiny->outputFiles().front());
        // This libtorch's seeded draws are the reference run's (test_amused_fixtures says so too).
        QCOMPARE(largestDifference(QImage(saved),
                                   QImage(fixture(QStringLiteral("cases/tiny-amused.txt2img.s8.cfg10.s42.png")))),
                 0);

        const Result<metadata::GenerationInfo> recipe = metadata::readGenerationInfo(saved);
        QVERIFY(recipe.ok());
        QCOMPARE(recipe->sampler.value_or(QString()), QStringLiteral("amused"));
        QCOMPARE(recipe->steps.value_or(0), 8);
        QCOMPARE(recipe->prompt.value_or(QString()), QStringLiteral("a photo of a cat"));
        QCOMPARE(recipe->model ? recipe->model->name : QString(), QStringLiteral("tiny-amused"));
        QVERIFY(recipe->maskedTokens);
        QCOMPARE(recipe->maskedTokens->aestheticScore, 6.0);
        QCOMPARE(recipe->width.value_or(0), 16);
    }

    // The graph an aMUSEd image's recipe writes (the command line's images carry it) runs to the same image.
    void aRecipeWorkflowRunsAgain()
    {
        metadata::GenerationInfo recipe;
        recipe.model = metadata::ModelReference{amusedFolder(), QString()};
        recipe.prompt = QStringLiteral("a photo of a cat");
        recipe.negativePrompt = QString();
        recipe.seed = 42;
        recipe.steps = 8;
        recipe.cfg = 10.0;
        recipe.width = 16;
        recipe.height = 16;
        recipe.maskedTokens = metadata::MaskedTokenRecipe();
        const QJsonObject workflow = QJsonDocument::fromJson(metadata::recipeWorkflow(recipe).toUtf8())
                                         .object()
                                         .value(QStringLiteral("nodes"))
                                         .toObject();
        graph::GraphExecutor executor(m_tiny->registry);
        const graph::RunOutcome outcome = executor.run(graphOf(workflow));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const QString saved = QDir(m_tiny->outputs()).filePath(m_tiny->outputFiles().front());
        QCOMPARE(largestDifference(QImage(saved),
                                   QImage(fixture(QStringLiteral("cases/tiny-amused.txt2img.s8.cfg10.s42.png")))),
                 0);
    }

    // A LoRA trained for aMUSEd (diffusers' train_amused.py saved the fixture's) between the loader and the sampler:
    // the graph makes what generate makes with it, at strength 0 the plain model's image, and an SD LoRA is refused
    // at its node.
    void aLoraLoaderBetweenLoaderAndSampler()
    {
        const QString lora = fixture(QStringLiteral("cases/tiny-amused.train.lora.step3.safetensors"));
        if (!QFileInfo::exists(lora))
            QSKIP("the fixtures have no aMUSEd LoRA");
        const auto link = [](const char *node, int output) { return QJsonArray{QString::fromLatin1(node), output}; };
        const auto withLora = [&](double strength, const QString &file) {
            QJsonObject prompt = amusedTxt2img();
            prompt.insert(QStringLiteral("8"), QJsonObject{{"class_type", "AmusedLoraLoader"},
                                                           {"inputs", QJsonObject{{"model", link("1", 0)},
                                                                                  {"lora_name", file},
                                                                                  {"strength_model", strength}}}});
            QJsonObject sampler = prompt.value(QStringLiteral("5")).toObject();
            QJsonObject inputs = sampler.value(QStringLiteral("inputs")).toObject();
            inputs.insert(QStringLiteral("model"), link("8", 0));
            sampler.insert(QStringLiteral("inputs"), inputs);
            prompt.insert(QStringLiteral("5"), sampler);
            return prompt;
        };
        graph::GraphExecutor executor(m_tiny->registry);
        graph::RunOutcome outcome = executor.run(graphOf(withLora(0.0, lora)));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const QString reference = fixture(QStringLiteral("cases/tiny-amused.txt2img.s8.cfg10.s42.png"));
        QCOMPARE(largestDifference(QImage(QDir(m_tiny->outputs()).filePath(m_tiny->outputFiles().back())),
                                   QImage(reference)),
                 0);
        outcome = executor.run(graphOf(withLora(1.0, lora)));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const QImage patched(QDir(m_tiny->outputs()).filePath(m_tiny->outputFiles().back()));
        QVERIFY(largestDifference(patched, QImage(reference)) > 0);

        engine::GenerationRequest request;
        request.modelPath = amusedFolder().toStdString();
        request.loras = {{lora.toStdString(), 1.0, 1.0}};
        request.prompt = "a photo of a cat";
        request.negative = "";
        request.seed = 42;
        request.steps = 8;
        request.cfg = 10.0;
        request.sampler = request.scheduler = "";
        request.width = request.height = 16;
        const engine::GenerationResult made = engine::client::generate(request);
        const engine::RgbImage &image = made.images.at(0);
        const QImage generated(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888);
        QCOMPARE(largestDifference(patched, generated), 0);

        outcome = executor.run(
            graphOf(withLora(1.0, fixture(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-peft.safetensors")))));
        QVERIFY(!outcome.ok());
        QVERIFY2(outcome.message.contains(QStringLiteral("made for")), qPrintable(outcome.message));
    }

    void itsTypesNeverLinkToStableDiffusionNodes()
    {
        QJsonObject prompt = amusedTxt2img();
        // KSampler fed aMUSEd's model and conditioning; aMUSEd's sampler fed SD's.
        QJsonObject mixed = txt2img(checkpointOf("tiny-sd1"), QStringLiteral("a cat"), 1, 2);
        for (auto it = prompt.begin(); it != prompt.end(); ++it)
            mixed.insert(QStringLiteral("a") + it.key(), it.value());
        mixed = withInput(mixed, "3", "model", QJsonArray{"a1", 0});
        mixed = withInput(mixed, "3", "positive", QJsonArray{"a2", 0});
        mixed = withInput(mixed, "a6", "vqgan", QJsonArray{"4", 2});
        // Inside the copy the links still name the original ids: point them at the copies.
        for (const char *node : {"a2", "a3"})
            mixed = withInput(mixed, node, "clip", QJsonArray{"a1", 1});
        mixed = withInput(mixed, "a5", "model", QJsonArray{"a1", 0});
        mixed = withInput(mixed, "a5", "positive", QJsonArray{"6", 0}); // SD conditioning into aMUSEd's sampler
        mixed = withInput(mixed, "a5", "negative", QJsonArray{"a3", 0});
        mixed = withInput(mixed, "a5", "tokens", QJsonArray{"a4", 0});
        mixed = withInput(mixed, "a6", "tokens", QJsonArray{"a5", 0});
        mixed = withInput(mixed, "a7", "images", QJsonArray{"a6", 0});
        graph::GraphExecutor executor(m_tiny->registry);
        const graph::RunOutcome outcome = executor.run(graphOf(mixed));
        QCOMPARE(int(outcome.status), int(graph::RunOutcome::Status::Invalid));
        const auto detailsOf = [&](const char *node) {
            QStringList details;
            if (const graph::NodeErrors *errors = outcome.validation.errorsOf(QLatin1String(node)))
                for (const auto &error : errors->errors)
                    details << error.type + QLatin1Char(' ') + error.details;
            return details.join(QLatin1Char('\n'));
        };
        QVERIFY2(
            detailsOf("3").contains(QStringLiteral("model, received_type(AMUSED_MODEL) mismatch input_type(MODEL)")),
            qPrintable(detailsOf("3")));
        QVERIFY2(detailsOf("3").contains(
                     QStringLiteral("received_type(AMUSED_CONDITIONING) mismatch input_type(CONDITIONING)")),
                 qPrintable(detailsOf("3")));
        QVERIFY2(detailsOf("a5").contains(
                     QStringLiteral("received_type(CONDITIONING) mismatch input_type(AMUSED_CONDITIONING)")),
                 qPrintable(detailsOf("a5")));
        QVERIFY2(detailsOf("a6").contains(QStringLiteral("received_type(VAE) mismatch input_type(VQGAN)")),
                 qPrintable(detailsOf("a6")));
    }

    // A Stable Diffusion loader given an aMUSEd folder, and aMUSEd's given an SD checkpoint, say what it is.
    void loadersRefuseTheOtherFamily()
    {
        graph::GraphExecutor executor(m_tiny->registry);
        graph::RunOutcome outcome = executor.run(graphOf(txt2img(amusedFolder(), QStringLiteral("a cat"), 1, 2)));
        QVERIFY(!outcome.ok());
        QVERIFY2(outcome.message.contains(QStringLiteral("aMUSEd")), qPrintable(outcome.message));
        outcome = executor.run(graphOf(
            withInput(amusedTxt2img(), "1", "ckpt_name", fixture(QStringLiteral("models/tiny-sd1/diffusers")))));
        QVERIFY(!outcome.ok());
        QVERIFY2(outcome.message.contains(QStringLiteral("not aMUSEd")), qPrintable(outcome.message));
    }
};

QTEST_GUILESS_MAIN(TestAmusedGraph)
#include "test_amused_graph.moc"
