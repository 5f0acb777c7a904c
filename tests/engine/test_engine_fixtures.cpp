// Every case of the shared fixture index, in both layouts of each model, against the reference outputs computed
// by independent implementations (diffusers, transformers, k-diffusion), within the tolerances the index states.
#include "tests/engine/fixture_cases.h"

#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/text/clip_tokenizer.h"
#include "core/engine/text/embeddings.h"
#include "core/engine/text/prompt_weights.h"

#include <QImage>
#include <QSet>
#include <QTest>

using namespace atelier;
using namespace atelier::test;

namespace {

// Families the engine generates with so far. A case of one of these must pass.
const QSet<QString> kSupportedFamilies{QStringLiteral("sd1"), QStringLiteral("sd2"), QStringLiteral("sdxl")};
// Families checked by a program of their own (test_amused_fixtures), or whose issues are still open. Any other
// family fails.
const QSet<QString> kExpectedUnsupportedFamilies{QStringLiteral("amused")};
// Every case kind this program checks. A kind missing here fails, so that no new case is passed over silently.
const QSet<QString> kCheckedKinds{QStringLiteral("tokenizer"),    QStringLiteral("text_encoder"),
                                  QStringLiteral("conditioning"), QStringLiteral("unet"),
                                  QStringLiteral("vae"),          QStringLiteral("sample"),
                                  QStringLiteral("sample_lora"),  QStringLiteral("sample_diffusers"),
                                  QStringLiteral("lora"),         QStringLiteral("embedding")};

// One row per supported case and layout.
void addModelRows(const QString &kind)
{
    QTest::addColumn<QJsonObject>("fixture");
    QTest::addColumn<bool>("diffusers");
    int rows = 0;
    for (const QJsonValue &value : casesOfKind(kind)) {
        const QJsonObject fixture = value.toObject();
        const QString family = fixture.value(QStringLiteral("family")).toString();
        if (!kSupportedFamilies.contains(family)) {
            qInfo("not yet supported, not run: %s (family %s)", qPrintable(fixture.value(QStringLiteral("id")).toString()),
                  qPrintable(family));
            continue;
        }
        for (bool diffusers : {false, true}) {
            const QString id = fixture.value(QStringLiteral("id")).toString() +
                               (diffusers ? QStringLiteral(" [diffusers]") : QStringLiteral(" [single file]"));
            QTest::newRow(qPrintable(id)) << fixture << diffusers;
            ++rows;
        }
    }
    if (rows == 0)
        QTest::newRow("index has no case of this kind") << QJsonObject() << false;
}

engine::SamplingParams sampleParams(const QJsonObject &fixture)
{
    engine::SamplingParams params;
    params.prompt = fixture.value(QStringLiteral("prompt")).toString().toStdString();
    params.negative = fixture.value(QStringLiteral("negative")).toString().toStdString();
    params.seed = std::uint64_t(fixture.value(QStringLiteral("seed")).toInteger());
    params.steps = fixture.value(QStringLiteral("steps")).toInt();
    params.cfg = fixture.value(QStringLiteral("cfg")).toDouble();
    params.sampler = fixture.value(QStringLiteral("sampler")).toString().toStdString();
    params.scheduler = fixture.value(QStringLiteral("scheduler")).toString().toStdString();
    params.width = fixture.value(QStringLiteral("width")).toInt();
    params.height = fixture.value(QStringLiteral("height")).toInt();
    params.denoise = fixture.value(QStringLiteral("denoise")).toDouble(1.0);
    return params;
}

// The largest difference, in 8-bit levels, between an image in [0, 1] and the case's reference PNG.
int pngLevelsApart(const QJsonObject &fixture, const torch::Tensor &image)
{
    const QImage png(fixturePath(fixture.value(QStringLiteral("png")).toString()));
    if (png.isNull() || png.width() != image.size(3) || png.height() != image.size(2))
        return 256;
    const QImage rgb = png.convertToFormat(QImage::Format_RGB888);
    int worst = 0;
    const torch::Tensor ours = (image[0] * 255.0).round().clamp(0, 255).to(torch::kInt32).contiguous();
    const auto levels = ours.accessor<int, 3>();
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x)
            for (int c = 0; c < 3; ++c)
                worst = std::max(worst, std::abs(levels[c][y][x] - int(uchar(rgb.constScanLine(y)[x * 3 + c]))));
    return worst;
}

// A model of its own for the cases that patch weights, so that the shared one stays unpatched.
engine::StableDiffusion &patchableModel(const QString &model, bool diffusers)
{
    static std::map<QString, std::unique_ptr<engine::StableDiffusion>> cache;
    auto &slot = cache[model + (diffusers ? QStringLiteral("/diffusers") : QStringLiteral("/single"))];
    if (!slot) {
        engine::LoadOptions options;
        options.path = modelPath(model, diffusers).toStdString();
        slot = engine::StableDiffusion::load(options);
    }
    return *slot;
}

engine::LoRAApplication loraOf(const QJsonObject &fixture, const char *fileKey = "lora")
{
    engine::LoRAApplication lora;
    lora.path = fixturePath(fixture.value(QLatin1String(fileKey)).toString()).toStdString();
    lora.strengthModel = fixture.value(QStringLiteral("strength_model")).toDouble(1.0);
    lora.strengthClip = fixture.value(QStringLiteral("strength_clip")).toDouble(1.0);
    return lora;
}

} // namespace

class TestEngineFixtures : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(!fixtureIndex().isEmpty(), qPrintable("no fixture index in " + fixturesDir()));
        QCOMPARE(fixtureIndex().value(QStringLiteral("format")).toInt(), 1);
        torch::manual_seed(0);
    }

    void tokenizer()
    {
        for (const QJsonValue &value : casesOfKind(QStringLiteral("tokenizer"))) {
            QFile file(fixturePath(value.toObject().value(QStringLiteral("file")).toString()));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QJsonArray prompts = QJsonDocument::fromJson(file.readAll()).array();
            QVERIFY(!prompts.isEmpty());
            const auto bundled = engine::ClipTokenizer::bundled();
            const auto folder = engine::ClipTokenizer::fromFolder(fixturePath(QStringLiteral("clip_tokenizer")).toStdString());
            QCOMPARE(bundled->vocabularySize(), std::size_t(49408));
            for (const QJsonValue &entry : prompts) {
                const QJsonObject prompt = entry.toObject();
                const std::string text = prompt.value(QStringLiteral("text")).toString().toStdString();
                std::vector<std::int64_t> ids;
                for (const QJsonValue &id : prompt.value(QStringLiteral("ids")).toArray())
                    ids.push_back(id.toInteger());
                if (bundled->encode(text) != ids)
                    QFAIL(qPrintable("token ids differ for " + prompt.value(QStringLiteral("text")).toString()));
                QVERIFY(folder->encode(text) == ids);
                // Prompts without emphasis brackets and within one chunk give exactly SD 1.x's padded input.
                if (ids.size() <= 75 && text.find_first_of("()[]\\") == std::string::npos) {
                    std::vector<std::int64_t> padded;
                    for (const QJsonValue &id : prompt.value(QStringLiteral("padded_77_sd1")).toArray())
                        padded.push_back(id.toInteger());
                    const auto chunks = engine::tokenizePrompt(*bundled, text, engine::ClipTokenizer::kEndToken);
                    QCOMPARE(chunks.size(), std::size_t(1));
                    QVERIFY(chunks[0].ids == padded);
                }
            }
        }
    }

    void textEncoder_data() { addModelRows(QStringLiteral("text_encoder")); }
    void textEncoder()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        const double bound = tolerance(fixture, "max_abs");
        const QJsonArray prompts = fixture.value(QStringLiteral("prompts")).toArray();
        for (int i = 0; i < prompts.size(); ++i) {
            const std::string p = "p" + std::to_string(i) + ".";
            const torch::Tensor ids = reference.at(p + "input_ids");
            const auto chunks = engine::tokenizePrompt(*engine::ClipTokenizer::bundled(),
                                                       prompts[i].toString().toStdString(), model.architecture().padToken);
            QCOMPARE(chunks.size(), std::size_t(1));
            QVERIFY(torch::equal(torch::tensor(chunks[0].ids).view({1, 77}), ids));
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true).hidden, reference.at(p + "last_hidden_state"), bound,
                          QString::fromStdString(p + "last_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true).pooled, reference.at(p + "pooled"), bound,
                          QString::fromStdString(p + "pooled"));
            COMPARE_CLOSE(model.encodeTokens(ids, 2, false).hidden, reference.at(p + "penultimate_hidden_state"), bound,
                          QString::fromStdString(p + "penultimate_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 2, true).hidden, reference.at(p + "penultimate_final_layer_norm"),
                          bound, QString::fromStdString(p + "penultimate_final_layer_norm"));
            COMPARE_CLOSE(model.encodePrompt(prompts[i].toString().toStdString()), reference.at(p + "last_hidden_state"),
                          bound, QString::fromStdString(p + "prompt conditioning"));
        }
    }

    void conditioning_data() { addModelRows(QStringLiteral("conditioning")); }
    void conditioning()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        const QJsonArray prompts = fixture.value(QStringLiteral("prompts")).toArray();
        for (int i = 0; i < prompts.size(); ++i) {
            const std::string p = "p" + std::to_string(i) + ".";
            const auto chunks = engine::tokenizePrompt(*engine::ClipTokenizer::bundled(),
                                                       prompts[i].toString().toStdString(), model.architecture().padToken);
            QVERIFY(torch::equal(torch::tensor(chunks[0].ids).view({1, 77}), reference.at(p + "input_ids")));
            const auto encoded = model.encodeConditioning(prompts[i].toString().toStdString());
            COMPARE_CLOSE(encoded.context, reference.at(p + "context"), tolerance(fixture, "max_abs"),
                          QString::fromStdString(p + "context"));
            // SDXL: the pooled embedding, and the second tokenizer's ids (padded with 0).
            if (reference.contains(p + "pooled"))
                COMPARE_CLOSE(encoded.pooled, reference.at(p + "pooled"), tolerance(fixture, "max_abs"),
                              QString::fromStdString(p + "pooled"));
        }
    }

    void unet_data() { addModelRows(QStringLiteral("unet")); }
    void unet()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        // SDXL: the pooled text embedding and the size numbers make the extra conditioning.
        torch::Tensor y;
        if (reference.contains("text_embeds"))
            y = engine::sizeConditioningVector(reference.at("text_embeds"), reference.at("time_ids"),
                                               model.architecture().unet.admInChannels);
        const torch::Tensor out =
            model.unetForward(reference.at("x"), reference.at("timesteps"), reference.at("context"), y);
        COMPARE_CLOSE(out, reference.at("out"), tolerance(fixture, "max_abs"), QStringLiteral("out"));
    }

    void vae_data() { addModelRows(QStringLiteral("vae")); }
    void vae()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        const double bound = tolerance(fixture, "max_abs");
        COMPARE_CLOSE(model.decode(reference.at("latent")), reference.at("decoded"), bound, QStringLiteral("decoded"));
        const auto [mean, logvar] = model.encodeMoments(reference.at("image"));
        COMPARE_CLOSE(mean, reference.at("mean"), bound, QStringLiteral("mean"));
        COMPARE_CLOSE(logvar, reference.at("logvar"), bound, QStringLiteral("logvar"));
    }

    // No case may be passed over: every kind is checked here, and every family is supported or still has its
    // issue open.
    void everyCaseIsChecked()
    {
        const QJsonArray cases = fixtureIndex().value(QStringLiteral("cases")).toArray();
        QVERIFY(!cases.isEmpty());
        for (const QJsonValue &value : cases) {
            const QJsonObject fixture = value.toObject();
            const QString id = fixture.value(QStringLiteral("id")).toString();
            const QString kind = fixture.value(QStringLiteral("kind")).toString();
            const QString family = fixture.value(QStringLiteral("family")).toString();
            if (kExpectedUnsupportedFamilies.contains(family)) {
                qInfo("not checked here: %s (family %s)", qPrintable(id), qPrintable(family));
                continue;
            }
            QVERIFY2(
                kCheckedKinds.contains(kind),
                qPrintable(QStringLiteral("case %1 has kind \"%2\", which this test does not check").arg(id, kind)));
            QVERIFY2(
                family.isEmpty() || kSupportedFamilies.contains(family),
                qPrintable(QStringLiteral("case %1 has family \"%2\", which is neither supported nor expected to be "
                                          "unsupported")
                               .arg(id, family)));
        }
    }

    void sample_data() { addModelRows(QStringLiteral("sample")); }
    void sample()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        checkSample(fixture, loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers));
    }

    void sampleLora_data() { addModelRows(QStringLiteral("sample_lora")); }
    void sampleLora()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = patchableModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        model.applyLoras({loraOf(fixture)});
        checkSample(fixture, model);
        model.applyLoras({});
    }

    void sampleDiffusers_data() { addModelRows(QStringLiteral("sample_diffusers")); }
    void sampleDiffusers()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = loadedModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        engine::SamplingParams params = sampleParams(fixture);
        std::vector<torch::Tensor> stepLatents;
        params.onStep = [&](int, int, const torch::Tensor &x, const torch::Tensor &) {
            stepLatents.push_back(x.to(torch::kCPU));
            return true;
        };
        const engine::SamplingResult result = engine::generateImages(model, params);
        QVERIFY(torch::equal(result.timesteps, reference.at("timesteps").to(torch::kInt64)));
        COMPARE_CLOSE(result.noise, reference.at("noise"), 1e-6, QStringLiteral("initial noise"));
        const torch::Tensor &expectedSteps = reference.at("step_latents");
        QCOMPARE(std::int64_t(stepLatents.size()), expectedSteps.size(0));
        const double bound = tolerance(fixture, "latent_max_abs_relative");
        for (std::size_t i = 0; i < stepLatents.size(); ++i)
            COMPARE_CLOSE(stepLatents[i], expectedSteps[std::int64_t(i)],
                          bound * expectedSteps[std::int64_t(i)].abs().max().item<double>(),
                          QStringLiteral("latent after step %1").arg(i + 1));
        const torch::Tensor &latent = reference.at("latent");
        COMPARE_CLOSE(result.latent, latent, bound * latent.abs().max().item<double>(), QStringLiteral("final latent"));
        COMPARE_CLOSE(result.image, reference.at("image"), tolerance(fixture, "image_max_abs"),
                      QStringLiteral("image"));
        const int levels = pngLevelsApart(fixture, result.image);
        QVERIFY2(levels <= 1, qPrintable(QStringLiteral("8-bit image differs by %1 levels").arg(levels)));
    }

    // The UNet and text encoder with the LoRA, in both of its formats (kohya and PEFT), against ComfyUI's patching;
    // then the weights taken off again, exactly.
    void lora_data()
    {
        QTest::addColumn<QJsonObject>("fixture");
        QTest::addColumn<bool>("diffusers");
        QTest::addColumn<QString>("fileKey");
        for (const QJsonValue &value : casesOfKind(QStringLiteral("lora")))
            for (bool diffusers : {false, true})
                for (const QString &key : {QStringLiteral("lora"), QStringLiteral("lora_peft")}) {
                    const QJsonObject fixture = value.toObject();
                    const QString id =
                        QStringLiteral("%1 %2 [%3]")
                            .arg(fixture.value(QStringLiteral("id")).toString(), key,
                                 diffusers ? QStringLiteral("diffusers") : QStringLiteral("single file"));
                    QTest::newRow(qPrintable(id)) << fixture << diffusers << key;
                }
    }
    void lora()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        QFETCH(QString, fileKey);
        engine::StableDiffusion &model = patchableModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        const engine::StateDict reference = expected(fixture);
        const double bound = tolerance(fixture, "max_abs");
        const torch::Tensor &x = reference.at("x"), &t = reference.at("timesteps"), &context = reference.at("context");
        const torch::Tensor before = model.unetForward(x, t, context);
        COMPARE_CLOSE(before, reference.at("out_without_lora"), bound, QStringLiteral("out without the LoRA"));

        const auto reports = model.applyLoras({loraOf(fixture, qPrintable(fileKey))});
        QCOMPARE(reports.size(), std::size_t(1));
        if (!reports[0].keysNotLoaded.empty())
            QFAIL(
                qPrintable(QStringLiteral("not loaded: ") + QString::fromStdString(reports[0].keysNotLoaded.front())));
        QVERIFY(reports[0].unetWeights > 0 && reports[0].textWeights > 0);
        COMPARE_CLOSE(model.unetForward(x, t, context), reference.at("out"), bound, QStringLiteral("out"));
        const QJsonArray prompts = fixture.value(QStringLiteral("prompts")).toArray();
        for (int i = 0; i < prompts.size(); ++i) {
            const std::string p = "p" + std::to_string(i) + ".";
            const torch::Tensor &ids = reference.at(p + "input_ids");
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true).hidden, reference.at(p + "last_hidden_state"), bound,
                          QString::fromStdString(p + "last_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 2, false).hidden, reference.at(p + "penultimate_hidden_state"), bound,
                          QString::fromStdString(p + "penultimate_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true).pooled, reference.at(p + "pooled"), bound,
                          QString::fromStdString(p + "pooled"));
        }

        model.applyLoras({});
        QVERIFY2(torch::equal(model.unetForward(x, t, context), before), "the UNet is not exactly as loaded again");
        for (int i = 0; i < prompts.size(); ++i) {
            const std::string p = "p" + std::to_string(i) + ".";
            COMPARE_CLOSE(model.encodeTokens(reference.at(p + "input_ids"), 1, true).hidden,
                          reference.at(p + "last_hidden_state_without_lora"), bound,
                          QString::fromStdString(p + "last_hidden_state without the LoRA"));
        }
    }

    // A textual-inversion embedding named as A1111 names it (the bare trigger word), against diffusers.
    void embedding_data() { addModelRows(QStringLiteral("embedding")); }
    void embedding()
    {
        QFETCH(QJsonObject, fixture);
        QFETCH(bool, diffusers);
        SKIP_IF_EMPTY(fixture);
        engine::StableDiffusion &model = patchableModel(fixture.value(QStringLiteral("model")).toString(), diffusers);
        auto library = std::make_shared<engine::EmbeddingLibrary>();
        library->add(fixture.value(QStringLiteral("trigger")).toString().toStdString(),
                     fixturePath(fixture.value(QStringLiteral("embedding")).toString()).toStdString());
        model.setEmbeddings(library);
        const engine::StateDict reference = expected(fixture);
        const double bound = tolerance(fixture, "max_abs");
        const QJsonArray prompts = fixture.value(QStringLiteral("prompts")).toArray();
        for (int i = 0; i < prompts.size(); ++i) {
            const std::string p = "p" + std::to_string(i) + ".";
            const auto tokens = model.tokenize(prompts[i].toString().toStdString());
            QCOMPARE(tokens.chunks.size(), std::size_t(1));
            const torch::Tensor ids = torch::tensor(tokens.chunks[0].ids).view({1, 77});
            QVERIFY2(torch::equal(ids, reference.at(p + "input_ids")), "token ids with placeholders differ");
            QVERIFY(torch::equal(torch::nonzero(ids[0] >= 49408).flatten(), reference.at(p + "embedding_positions")));
            QCOMPARE(tokens.embeddings.size(), std::size_t(1));
            const torch::Tensor &rows = tokens.placeholderRows;
            COMPARE_CLOSE(model.embedTokens(ids, rows), reference.at(p + "inputs_embeds"), bound,
                          QString::fromStdString(p + "inputs_embeds"));
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true, rows).hidden, reference.at(p + "last_hidden_state"), bound,
                          QString::fromStdString(p + "last_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 2, false, rows).hidden, reference.at(p + "penultimate_hidden_state"),
                          bound, QString::fromStdString(p + "penultimate_hidden_state"));
            COMPARE_CLOSE(model.encodeTokens(ids, 1, true, rows).pooled, reference.at(p + "pooled"), bound,
                          QString::fromStdString(p + "pooled"));
            COMPARE_CLOSE(model.encodePrompt(prompts[i].toString().toStdString()),
                          reference.at(p + "last_hidden_state"), bound,
                          QString::fromStdString(p + "prompt conditioning"));
        }
        model.setEmbeddings(nullptr);
    }

private:
    void checkSample(const QJsonObject &fixture, engine::StableDiffusion &model)
    {
        const engine::StateDict reference = expected(fixture);
        engine::SamplingParams params = sampleParams(fixture);
        if (fixture.value(QStringLiteral("img2img")).toBool())
            params.initImage = reference.at("init_image");
        int stepsSeen = 0;
        params.onStep = [&](int step, int steps, const torch::Tensor &, const torch::Tensor &) {
            stepsSeen = step + 1;
            return steps > 0;
        };
        const engine::SamplingResult result = engine::generateImages(model, params);
        QCOMPARE(stepsSeen, params.steps);

        COMPARE_CLOSE(result.sigmas, reference.at("sigmas"), 1e-4 * reference.at("sigmas").abs().max().item<double>(),
                      QStringLiteral("sigmas"));
        COMPARE_CLOSE(result.noise, reference.at("noise"), 1e-6, QStringLiteral("initial noise"));
        if (params.initImage.defined())
            COMPARE_CLOSE(result.initLatent, reference.at("init_latent"), 1e-4, QStringLiteral("init latent"));
        const torch::Tensor &latent = reference.at("latent");
        COMPARE_CLOSE(result.latent, latent,
                      tolerance(fixture, "latent_max_abs_relative") * latent.abs().max().item<double>(),
                      QStringLiteral("final latent"));
        COMPARE_CLOSE(result.image, reference.at("image"), tolerance(fixture, "image_max_abs"),
                      QStringLiteral("image"));
        // The reference PNG is the image rounded to 8 bits.
        const int levels = pngLevelsApart(fixture, result.image);
        QVERIFY2(levels <= 1, qPrintable(QStringLiteral("8-bit image differs by %1 levels").arg(levels)));
    }
};

QTEST_GUILESS_MAIN(TestEngineFixtures)
#include "test_engine_fixtures.moc"
