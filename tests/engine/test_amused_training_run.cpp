// A whole aMUSEd training run on the fixture training set: the loss falls, a run stopped at a random step and
// resumed from its checkpoint ends with the very weights of an uninterrupted one (full and LoRA), the encoded set is
// kept and reused, validation images come, and bad training sets and settings are refused by name.
#include "tests/engine/fixture_cases.h"

#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/generate.h"
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/amused_training.h"
#include "core/engine/training/masked_objective.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace atelier;
using namespace atelier::test;

namespace {

QJsonObject trainingCase()
{
    const QJsonArray cases = casesOfKind(QStringLiteral("amused_train_step"));
    return cases.isEmpty() ? QJsonObject() : cases.at(0).toObject();
}

std::vector<engine::TrainingExample> fixtureExamples(const QJsonObject &fixture)
{
    std::vector<engine::TrainingExample> examples;
    const QJsonArray images = fixture.value(QStringLiteral("images")).toArray();
    for (int i = 0; i < images.size(); ++i) {
        const QImage image = QImage(fixturePath(images.at(i).toString())).convertToFormat(QImage::Format_RGB888);
        engine::TrainingExample example;
        example.name = QFileInfo(images.at(i).toString()).fileName().toStdString();
        example.image.width = image.width();
        example.image.height = image.height();
        for (int y = 0; y < image.height(); ++y)
            example.image.pixels.insert(example.image.pixels.end(), image.constScanLine(y),
                                        image.constScanLine(y) + image.width() * 3);
        example.caption = fixture.value(QStringLiteral("captions")).toArray().at(i).toString().toStdString();
        example.originalWidth = image.width();
        example.originalHeight = image.height();
        examples.push_back(std::move(example));
    }
    return examples;
}

engine::AmusedTrainingRequest requestIn(const QString &folder, const QJsonObject &fixture, int loraRank)
{
    engine::AmusedTrainingRequest request;
    request.modelPath = amusedFolder(fixture.value(QStringLiteral("model")).toString()).toStdString();
    request.examples = fixtureExamples(fixture);
    request.runFolder = (folder + QStringLiteral("/run")).toStdString();
    request.outputPath =
        (folder + (loraRank ? QStringLiteral("/out.safetensors") : QStringLiteral("/out"))).toStdString();
    request.steps = 12;
    request.batch = 3; // does not divide the 4 images: epochs end on a shorter batch
    request.accumulate = 2;
    request.learningRate = 2e-3;
    request.warmupSteps = 3;
    request.maxGradNorm = 4.0;
    request.averageWeights = loraRank == 0;
    request.loraRank = loraRank;
    request.seed = 77;
    request.checkpointEvery = 4;
    return request;
}

std::map<std::string, torch::Tensor> resultWeights(const engine::AmusedTrainingRequest &request)
{
    const std::string file =
        request.loraRank ? request.outputPath : request.outputPath + "/transformer/diffusion_pytorch_model.safetensors";
    std::map<std::string, torch::Tensor> weights;
    for (const auto &[name, value] : engine::loadWeights(file).tensors)
        weights[name] = value.clone();
    return weights;
}

// A generation request on `model` that leaves steps, guidance, sampler and size to the family's defaults, as
// validation runs.
engine::GenerationRequest familyDefaults(const std::string &model, const std::string &prompt)
{
    engine::GenerationRequest generation;
    generation.modelPath = model;
    generation.steps = 0;
    generation.cfg = std::nan("");
    generation.sampler = generation.scheduler = "";
    generation.width = generation.height = 0;
    generation.prompt = prompt;
    return generation;
}

template <typename Call> QString failureOf(Call &&call)
{
    try {
        call();
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

} // namespace

class TestAmusedTrainingRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        torch::set_num_threads(1);
        if (trainingCase().isEmpty())
            QSKIP("the fixture index has no aMUSEd training case");
    }

    void stoppedAndResumedRunEqualsUninterrupted_data()
    {
        QTest::addColumn<int>("loraRank");
        QTest::newRow("whole transformer, with EMA") << 0;
        QTest::newRow("LoRA rank 4") << 4;
    }
    void stoppedAndResumedRunEqualsUninterrupted()
    {
        QFETCH(int, loraRank);
        QTemporaryDir whole, parts;
        const engine::AmusedTrainingRequest uninterrupted = requestIn(whole.path(), trainingCase(), loraRank);
        const engine::AmusedTrainingResult done = engine::trainAmused(uninterrupted);
        QVERIFY(done.finished);
        QCOMPARE(done.stepsDone, 12);

        engine::AmusedTrainingRequest stopped = requestIn(parts.path(), trainingCase(), loraRank);
        const int stopAt = QRandomGenerator::global()->bounded(1, 12);
        const engine::AmusedTrainingResult first =
            engine::trainAmused(stopped, [&](const engine::TrainingProgress &p) { return p.step < stopAt; });
        QVERIFY(!first.finished);
        QCOMPARE(first.stepsDone, stopAt);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(stopped.outputPath)));
        QVERIFY(QFileInfo::exists(QString::fromStdString(first.checkpointPath)));

        stopped.resume = true;
        const engine::AmusedTrainingResult second = engine::trainAmused(stopped);
        QVERIFY(second.finished);
        QCOMPARE(second.resumedFrom, stopAt);
        const auto expectedWeights = resultWeights(uninterrupted), resumedWeights = resultWeights(stopped);
        QCOMPARE(resumedWeights.size(), expectedWeights.size());
        for (const auto &[name, value] : expectedWeights)
            QVERIFY2(torch::equal(resumedWeights.at(name), value),
                     qPrintable(QStringLiteral("\"%1\" differs after stopping at step %2 and resuming")
                                    .arg(name.c_str())
                                    .arg(stopAt)));
        // Only the newest checkpoints are kept.
        QVERIFY(QDir(parts.path() + QStringLiteral("/run/checkpoints")).entryList(QDir::Files).size() <= 2);
    }

    void lossFallsOver200Steps()
    {
        QTemporaryDir folder;
        engine::AmusedTrainingRequest request = requestIn(folder.path(), trainingCase(), 0);
        request.steps = 200;
        request.batch = 4;
        request.accumulate = 1;
        request.averageWeights = false;
        request.checkpointEvery = 0;
        std::vector<double> losses;
        engine::trainAmused(request, [&](const engine::TrainingProgress &progress) {
            if (progress.event == engine::TrainingProgress::Event::Step)
                losses.push_back(progress.loss);
            return true;
        });
        QCOMPARE(losses.size(), std::size_t(200));
        const auto mean = [&](std::size_t from) {
            double sum = 0;
            for (std::size_t i = from; i < from + 20; ++i)
                sum += losses[i];
            return sum / 20;
        };
        const double early = mean(0), late = mean(180);
        qInfo("mean loss, steps 1-20: %.4f; steps 181-200: %.4f", early, late);
        QVERIFY2(
            late < 0.5 * early,
            qPrintable(QStringLiteral("mean loss of the first 20 steps %1, of the last 20 %2").arg(early).arg(late)));
    }

    void validationImagesAndEncodedSetAreKept()
    {
        QTemporaryDir folder;
        engine::AmusedTrainingRequest request = requestIn(folder.path(), trainingCase(), 4);
        request.steps = 4;
        request.validationEvery = 2;
        request.validationPrompts = {"a red circle", "green stripes"};
        int validations = 0, encodings = 0;
        const auto watch = [&](const engine::TrainingProgress &progress) {
            if (progress.event == engine::TrainingProgress::Event::Validation) {
                ++validations;
                if (progress.validationImages.size() != 2 || progress.validationImages[0].width != 16)
                    return false;
            }
            encodings += progress.event == engine::TrainingProgress::Event::Encoding;
            return true;
        };
        QVERIFY(engine::trainAmused(request, watch).finished);
        QCOMPARE(validations, 2);
        const QString cache = folder.path() + QStringLiteral("/run/training-set.safetensors");
        QVERIFY(QFileInfo::exists(cache));
        const QDateTime written = QFileInfo(cache).lastModified();
        // A second run from the same images reads the encoded set instead of encoding it again.
        request.outputPath += ".second";
        QTest::qWait(20);
        QVERIFY(engine::trainAmused(request).finished);
        QCOMPARE(QFileInfo(cache).lastModified(), written);
        // Its LoRA says what it is.
        const auto metadata = engine::SafetensorsFile::readHeader(request.outputPath).metadata;
        QCOMPARE(QString::fromStdString(metadata.at("lora_rank")), QStringLiteral("4"));
    }

    // What validation showed is what generate makes from the result: the LoRA file (with its alpha) patched into the
    // base model, and the fine-tuned folder.
    void resultsGenerateWhatValidationShowed_data() { stoppedAndResumedRunEqualsUninterrupted_data(); }
    void resultsGenerateWhatValidationShowed()
    {
        QFETCH(int, loraRank);
        QTemporaryDir folder;
        engine::AmusedTrainingRequest request = requestIn(folder.path(), trainingCase(), loraRank);
        request.steps = 6;
        request.validationPrompts = {"a white square in the dark"};
        request.validationSeed = 5;
        std::vector<engine::RgbImage> shown;
        QVERIFY(engine::trainAmused(request, [&](const engine::TrainingProgress &progress) {
                    if (progress.event == engine::TrainingProgress::Event::Validation)
                        shown = progress.validationImages;
                    return true;
                }).finished);
        QCOMPARE(shown.size(), std::size_t(1));

        engine::GenerationRequest generation =
            familyDefaults(loraRank ? request.modelPath : request.outputPath, request.validationPrompts[0]);
        if (loraRank)
            generation.loras.push_back({request.outputPath, 1.0, 1.0});
        generation.seed = 5;
        const engine::GenerationResult made = engine::generate(generation);
        QCOMPARE(made.images.size(), std::size_t(1));
        if (loraRank)
            QCOMPARE(made.loras.at(0).unetWeights, 36);
        QVERIFY(made.images[0].pixels == shown[0].pixels);
    }

    // A LoRA diffusers' train_amused.py saved (no alphas: it scales by 1) applies to every targeted layer; one made
    // for Stable Diffusion is refused before anything runs.
    void foreignLorasOnAmused()
    {
        const QJsonObject fixture = trainingCase();
        engine::GenerationRequest generation =
            familyDefaults(amusedFolder(fixture.value(QStringLiteral("model")).toString()).toStdString(), "stripes");
        generation.steps = 2;
        for (const QJsonValue &value : casesOfKind(QStringLiteral("amused_train_step")))
            if (value.toObject().contains(QStringLiteral("lora_step3"))) {
                generation.loras = {
                    {fixturePath(value.toObject().value(QStringLiteral("lora_step3")).toString()).toStdString(), 1.0,
                     1.0}};
                const engine::GenerationResult made = engine::generate(generation);
                QCOMPARE(made.loras.at(0).base, std::string("amused"));
                QVERIFY(made.loras.at(0).unetWeights > 0);
                QVERIFY(made.loras.at(0).keysNotLoaded.empty());
            }
        const QDir sdLoras(fixturePath(QStringLiteral("models/tiny-sd1/lora")));
        const QStringList files = sdLoras.entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            return;
        generation.loras = {{sdLoras.filePath(files.first()).toStdString(), 1.0, 1.0}};
        QVERIFY(!failureOf([&] { engine::generate(generation); }).isEmpty());
    }

    // bf16 autocast trains on the CPU: the first step's loss is float32's within bfloat16's precision and the loss
    // falls; fp16 needs CUDA and says so.
    void mixedPrecision()
    {
        QTemporaryDir wide, narrow;
        engine::AmusedTrainingRequest request = requestIn(wide.path(), trainingCase(), 0);
        request.steps = 40;
        request.batch = 4;
        request.accumulate = 1;
        request.averageWeights = false;
        request.checkpointEvery = 0;
        std::vector<double> fp32, bf16;
        const auto into = [](std::vector<double> &losses) {
            return [&losses](const engine::TrainingProgress &progress) {
                if (progress.event == engine::TrainingProgress::Event::Step)
                    losses.push_back(progress.loss);
                return true;
            };
        };
        engine::trainAmused(request, into(fp32));
        request.runFolder = (narrow.path() + QStringLiteral("/run")).toStdString();
        request.outputPath = (narrow.path() + QStringLiteral("/out")).toStdString();
        request.precision = "bf16";
        QVERIFY(engine::trainAmused(request, into(bf16)).finished);
        QCOMPARE(bf16.size(), fp32.size());
        qInfo("step 1 loss: fp32 %.5f, bf16 %.5f; step 40: fp32 %.4f, bf16 %.4f", fp32[0], bf16[0], fp32.back(),
              bf16.back());
        QVERIFY(std::abs(bf16[0] - fp32[0]) < 0.05 * fp32[0]);
        QVERIFY(bf16[0] != fp32[0]); // autocast did run in bfloat16
        QVERIFY(bf16.back() < 0.8 * bf16[0]);

        request.precision = "fp16";
        request.outputPath += "-fp16";
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("needs a CUDA device")));
        request.precision = "fp8";
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("not fp32, bf16 or fp16")));
    }

    // fp16's loss scaling, run in float32 where it can be checked exactly: a power-of-two scale changes no weight,
    // and a step whose gradients overflowed is skipped, the scale halves, and the next step goes on.
    void lossScalingSkipsOverflowsAndChangesNothingElse()
    {
        const QJsonObject fixture = trainingCase();
        const auto parts =
            engine::readAmusedFolder(amusedFolder(fixture.value(QStringLiteral("model")).toString()).toStdString());
        const auto trainerWith = [&](bool scaling, double scale) {
            engine::TrainerSettings settings;
            settings.optimizer.learningRate = 2e-3;
            settings.lossScaling = scaling;
            settings.initialLossScale = scale;
            return std::make_unique<engine::AmusedTrainer>(
                engine::loadAmusedTransformer(parts, torch::kCPU, torch::kFloat32)->network, settings,
                torch::make_generator<at::CPUGeneratorImpl>(0));
        };
        torch::manual_seed(3);
        const std::int64_t side = parts.architecture.sampleSize, maskId = parts.architecture.maskId;
        const torch::Tensor tokens =
            torch::randint(0, parts.architecture.transformer.codebookSize, {2, side, side}, torch::kInt64);
        const engine::MaskedTokens masked =
            engine::maskTokens(tokens, torch::rand({2}), torch::rand({2, side * side}), maskId);
        const engine::TrainingBatch batch{masked.inputIds, masked.labels,
                                          torch::randn({2, 77, parts.architecture.transformer.encoderWidth}),
                                          torch::randn({2, parts.architecture.transformer.pooledWidth}),
                                          torch::tensor({16.f, 16.f, 0.f, 0.f, 6.f}).unsqueeze(0).expand({2, 5})};
        auto plain = trainerWith(false, 1), scaled = trainerWith(true, 65536.0),
             overflowing = trainerWith(true, 1024.0);
        for (int step = 0; step < 2; ++step)
            for (auto *trainer : {plain.get(), scaled.get(), overflowing.get()}) {
                trainer->accumulate({batch});
                // What fp16 does to a gradient too large for it, on the first step.
                if (trainer == overflowing.get() && step == 0)
                    trainer->parameters().front().value.grad().view(-1)[0].fill_(
                        std::numeric_limits<float>::infinity());
                trainer->update(2e-3);
            }
        QCOMPARE(overflowing->skippedSteps(), 1);
        QCOMPARE(overflowing->lossScale().scale, 512.0);
        QCOMPARE(scaled->skippedSteps(), 0);
        const auto plainWeights = plain->transformerWeights(), scaledWeights = scaled->transformerWeights();
        for (const auto &[name, value] : plainWeights)
            QVERIFY2(torch::equal(scaledWeights.at(name), value), name.c_str());
        // One step taken of the two: its weights are not the plain run's after two.
        QVERIFY(!torch::equal(overflowing->transformerWeights().at("encoder_proj.weight"),
                              plainWeights.at("encoder_proj.weight")));
        QCOMPARE(overflowing->steps(), 2);
    }

    void badTrainingSetsAndSettingsAreRefusedByName()
    {
        QTemporaryDir folder;
        engine::AmusedTrainingRequest request = requestIn(folder.path(), trainingCase(), 0);
        request.examples[2].caption.clear();
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("image2.png has no caption")));

        request = requestIn(folder.path(), trainingCase(), 0);
        request.examples[1].image.width = 8;
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("image1.png is not 16×16")));

        // Images without pixels (a caller's bug) are refused, not encoded.
        request = requestIn(folder.path(), trainingCase(), 0);
        for (engine::TrainingExample &example : request.examples)
            example.image = {};
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("has no pixels")));

        request = requestIn(folder.path(), trainingCase(), 0);
        request.steps = 0;
        QVERIFY(!failureOf([&] { engine::trainAmused(request); }).isEmpty());

        // A result is never written over.
        request = requestIn(folder.path(), trainingCase(), 0);
        QDir().mkpath(QString::fromStdString(request.outputPath));
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("already exists")));

        // Resuming with other settings says so instead of mixing two runs.
        QTemporaryDir other;
        request = requestIn(other.path(), trainingCase(), 0);
        request.steps = 2;
        request.checkpointEvery = 1;
        QVERIFY(!engine::trainAmused(request, [](const engine::TrainingProgress &p) { return p.step < 1; }).finished);
        request.resume = true;
        request.batch = 2;
        QVERIFY(failureOf([&] { engine::trainAmused(request); }).contains(QStringLiteral("other settings")));

        // A model that is not aMUSEd.
        request = requestIn(other.path(), trainingCase(), 0);
        request.modelPath = modelPath(QStringLiteral("tiny-sd1"), true).toStdString();
        request.runFolder += "-sd";
        QVERIFY(!failureOf([&] { engine::trainAmused(request); }).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAmusedTrainingRun)
#include "test_amused_training_run.moc"
