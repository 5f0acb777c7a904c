#include "core/generation/generation_service.h"
#include "core/metadata/generation_info.h"
#include "core/models/model_edit.h"
#include "core/models/record_store.h"
#include "tests/fixtures.h"
#include "tests/image_difference.h"

#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace atelier;
using generation::GenerationFailure;
using generation::GenerationOutcome;
using generation::GenerationService;

// The generation service on the fixture models: the same images as the reference implementations, signals in
// order on the service's thread, cancellation of queued and running work, and failures with their types.
class TestGenerationService : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;
    std::unique_ptr<models::RecordStore> m_store;

    static QString fixture(const QString &relative) { return QDir(fixturesDir()).filePath(relative); }

    generation::RunPlace place() const
    {
        return {{m_store.get(), m_root->filePath(QStringLiteral("models"))},
                m_root->filePath(QStringLiteral("outputs"))};
    }

    // tiny-sd1.txt2img.euler.normal.s42, as the fixtures' index describes it.
    generation::GenerationRequest referenceRequest() const
    {
        generation::GenerationRequest request;
        request.model = fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"));
        request.prompt = "a photo of a cat";
        request.seed = 42;
        request.steps = 8;
        request.cfg = 7;
        request.width = 64;
        request.height = 64;
        request.outputPath = m_root->filePath(QStringLiteral("cat.png"));
        return request;
    }

    static bool waitFor(QSignalSpy &spy, int count, int milliseconds = 120000)
    {
        QElapsedTimer clock;
        clock.start();
        while (spy.count() < count && clock.elapsed() < milliseconds)
            spy.wait(200);
        return spy.count() >= count;
    }

private slots:
    void init()
    {
        m_root = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<models::RecordStore>(m_root->filePath(QStringLiteral("atelier.db")));
        QVERIFY(m_store->open());
    }
    void cleanup() { m_store.reset(); }

    void makesTheReferenceImageWithItsRecipe()
    {
        const Result<GenerationOutcome> outcome = generation::runGeneration(referenceRequest(), place());
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QCOMPARE(outcome->imagePaths, QStringList{m_root->filePath(QStringLiteral("cat.png"))});
        QCOMPARE(outcome->family, QStringLiteral("sd-1"));
        const QImage reference(fixture(QStringLiteral("cases/tiny-sd1.txt2img.euler.normal.s42.png")));
        QVERIFY(!reference.isNull());
        QVERIFY(largestDifference(QImage(outcome->imagePaths.first()), reference) <= 1);
        const Result<metadata::GenerationInfo> recipe = metadata::readGenerationInfo(outcome->imagePaths.first());
        QVERIFY2(recipe, qPrintable(recipe.error()));
        QCOMPARE(recipe->tool, QStringLiteral("Atelier"));
        QCOMPARE(recipe->prompt.value_or(QString()), QStringLiteral("a photo of a cat"));
        QCOMPARE(recipe->seed.value_or(0), quint64(42));
        QCOMPARE(recipe->model->name, QStringLiteral("tiny-sd1"));
        QCOMPARE(recipe->model->hash.size(), 64);
    }

    void usesAndRecordsTheModelsVaeOverride()
    {
        const auto added = [&](const QString &name, models::ModelType type, models::BaseModel base,
                               const QString &fixturePath, const QString &vaeKey = QString()) {
            models::ModelConfig config;
            config.name = name;
            config.type = type;
            config.format = models::ModelFormat::Checkpoint;
            config.base = base;
            config.path = fixture(fixturePath);
            if (!vaeKey.isEmpty())
                config.vae = vaeKey;
            const Result<models::ModelConfig> record = m_store->addModel(config);
            if (!record)
                qFatal("%s", qPrintable(record.error()));
            return record.value();
        };
        const models::ModelConfig vae = added(QStringLiteral("Tiny VAE"), models::ModelType::Vae,
                                              models::BaseModel::Sd1, QStringLiteral("models/tiny-sd1/diffusers/vae"));
        const models::ModelConfig main =
            added(QStringLiteral("Tiny with its VAE apart"), models::ModelType::Main, models::BaseModel::Sd1,
                  QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"), vae.key);

        // The override holds the checkpoint's own VAE weights (as diffusers stores them): the same image, and the
        // recipe names the VAE with its hash.
        generation::GenerationRequest request = referenceRequest();
        request.model = main.name;
        const Result<GenerationOutcome> outcome = generation::runGeneration(request, place());
        QVERIFY2(outcome, qPrintable(outcome.error()));
        const QImage reference(fixture(QStringLiteral("cases/tiny-sd1.txt2img.euler.normal.s42.png")));
        QVERIFY(largestDifference(QImage(outcome->imagePaths.first()), reference) <= 1);
        const Result<metadata::GenerationInfo> recipe = metadata::readGenerationInfo(outcome->imagePaths.first());
        QVERIFY2(recipe && recipe->vae, "the recipe names the VAE");
        QCOMPARE(recipe->vae->name, QStringLiteral("vae"));
        QCOMPARE(recipe->vae->hash.size(), 64);

        // A VAE named in the request wins over the record's; unknown names and other bases are refused.
        request.vae = QStringLiteral("no-such-vae");
        Result<GenerationOutcome> refused = generation::runGeneration(request, place());
        QVERIFY2(refused.error().contains(QLatin1String("neither a file or folder nor a VAE")),
                 qPrintable(refused.error()));
        const models::ModelConfig xl = added(QStringLiteral("XL VAE"), models::ModelType::Vae, models::BaseModel::Sdxl,
                                             QStringLiteral("models/tiny-sdxl/diffusers/vae"));
        request.vae = xl.name;
        refused = generation::runGeneration(request, place());
        QVERIFY2(refused.error().contains(QLatin1String("is for sdxl models")), qPrintable(refused.error()));
        models::ModelEdit pointElsewhere;
        pointElsewhere.vae = QStringLiteral("gone/missing-vae.safetensors");
        QVERIFY(models::applyEdit(*m_store, main.key, pointElsewhere));
        request.vae.clear();
        refused = generation::runGeneration(request, place());
        QVERIFY2(refused.error().contains(QLatin1String("the model's VAE override")), qPrintable(refused.error()));
    }

    void runsQueuedRequestsInOrderWithProgressAndPreviews()
    {
        GenerationService service(place());
        QSignalSpy started(&service, &GenerationService::started);
        QSignalSpy progressed(&service, &GenerationService::progressed);
        QSignalSpy previews(&service, &GenerationService::previewReady);
        QSignalSpy finished(&service, &GenerationService::finished);
        QSignalSpy failed(&service, &GenerationService::failed);
        generation::GenerationRequest first = referenceRequest();
        first.steps = 3;
        first.previews = true;
        generation::GenerationRequest second = referenceRequest();
        second.steps = 2;
        second.outputPath.clear(); // into the outputs folder
        const quint64 a = service.submit(first), b = service.submit(second);
        QCOMPARE(service.pending(), 2);
        QVERIFY(waitFor(finished, 2));
        QCOMPARE(failed.count(), 0);
        QCOMPARE(started.at(0).at(0).toULongLong(), a);
        QCOMPARE(started.at(1).at(0).toULongLong(), b);
        QCOMPARE(progressed.count(), 5);
        QCOMPARE(progressed.at(2).at(1).toInt(), 3); // a's third step of three
        QCOMPARE(progressed.at(2).at(2).toInt(), 3);
        QCOMPARE(progressed.at(3).at(0).toULongLong(), b);
        QCOMPARE(previews.count(), 2); // a's steps before the last; b asked for none
        const auto preview = previews.at(0).at(2).value<engine::RgbImage>();
        QCOMPARE(preview.width, 8);
        QCOMPARE(preview.pixels.size(), std::size_t(8 * 8 * 3));
        const auto outcome = finished.at(1).at(1).value<GenerationOutcome>();
        QCOMPARE(outcome.imagePaths.size(), 1);
        const QString made = outcome.imagePaths.first();
        QVERIFY2(made.startsWith(m_root->filePath(QStringLiteral("outputs/")) +
                                 QDate::currentDate().toString(QStringLiteral("yyyy-MM-dd"))),
                 qPrintable(made));
        QVERIFY(made.endsWith(QLatin1String("-42.png")));
        QVERIFY(!QImage(made).isNull());
        QCOMPARE(service.pending(), 0);
    }

    void cancelsQueuedAndRunningWork()
    {
        GenerationService service(place());
        QSignalSpy progressed(&service, &GenerationService::progressed);
        QSignalSpy failed(&service, &GenerationService::failed);
        QSignalSpy finished(&service, &GenerationService::finished);
        generation::GenerationRequest slow = referenceRequest();
        slow.steps = 200;
        const quint64 running = service.submit(slow);
        const quint64 queued = service.submit(referenceRequest());
        service.cancel(queued);
        QCOMPARE(failed.count(), 1); // at once: it never started
        QCOMPARE(failed.at(0).at(0).toULongLong(), queued);
        QVERIFY(waitFor(progressed, 1));
        service.cancel(running);
        QVERIFY(waitFor(failed, 2));
        const auto why = failed.at(1).at(1).value<GenerationFailure>();
        QCOMPARE(failed.at(1).at(0).toULongLong(), running);
        QCOMPARE(why.type, QLatin1String(generation::kCancelled));
        QVERIFY(progressed.count() < 200);
        QCOMPARE(finished.count(), 0);
        QVERIFY(!QFile::exists(slow.outputPath));
    }

    // Runs without an output path never replace images already in the outputs folder: here the second images of
    // earlier batches whose first images the user deleted.
    void freshOutputsNeverReplaceEarlierImages()
    {
        const QDateTime now = QDateTime::currentDateTime();
        QDir folder(m_root->filePath(QStringLiteral("outputs/") + now.toString(QStringLiteral("yyyy-MM-dd"))));
        QVERIFY(folder.mkpath(QStringLiteral(".")));
        QStringList earlier;
        for (int second = 0; second < 4; ++second)
            earlier << folder.filePath(now.addSecs(second).toString(QStringLiteral("HHmmss")) +
                                       QStringLiteral("-42-2.png"));
        for (const QString &path : earlier) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("earlier image");
        }
        generation::GenerationRequest request = referenceRequest();
        request.outputPath.clear();
        request.steps = 1;
        request.batch = 2;
        const Result<GenerationOutcome> outcome = generation::runGeneration(request, place());
        QVERIFY2(outcome, qPrintable(outcome.error()));
        QCOMPARE(outcome->imagePaths.size(), 2);
        for (const QString &path : earlier) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(file.readAll() == "earlier image", qPrintable(path + QStringLiteral(" was replaced")));
        }
        for (const QString &made : outcome->imagePaths)
            QVERIFY2(!earlier.contains(made) && !QImage(made).isNull(), qPrintable(made));
    }

    void failuresSayWhyWithTheirType()
    {
        generation::GenerationRequest request = referenceRequest();
        request.width = 65;
        Result<GenerationOutcome> outcome = generation::runGeneration(request, place());
        QVERIFY(!outcome);
        QCOMPARE(outcome.errorType(), QLatin1String(generation::kInvalidRequest));
        QVERIFY2(outcome.error().contains(QLatin1String("multiples of 8")), qPrintable(outcome.error()));

        request = referenceRequest();
        request.model = QStringLiteral("no-such-model");
        outcome = generation::runGeneration(request, place());
        QCOMPARE(outcome.errorType(), QLatin1String(generation::kRunFailed));
        QVERIFY2(outcome.error().contains(QLatin1String("neither a file or folder nor a model in the library")),
                 qPrintable(outcome.error()));

        request = referenceRequest();
        request.loras << generation::LoraChoice{QStringLiteral("no-such-lora"), 1, 1};
        outcome = generation::runGeneration(request, place());
        QVERIFY2(outcome.error().contains(QLatin1String("neither a file nor a LoRA")), qPrintable(outcome.error()));

        request = referenceRequest();
        request.initImagePath = fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"));
        outcome = generation::runGeneration(request, place());
        QCOMPARE(outcome.errorType(), QLatin1String(generation::kRunFailed));
        QVERIFY2(outcome.error().contains(QLatin1String("not a readable PNG")), qPrintable(outcome.error()));

        request = referenceRequest();
        request.outputPath = m_root->filePath(QStringLiteral("missing/folder/x.png"));
        outcome = generation::runGeneration(request, place());
        QVERIFY2(outcome.error().contains(QLatin1String("cannot be written")), qPrintable(outcome.error()));
        QVERIFY(!QFile::exists(referenceRequest().outputPath));
    }

    void stopsPromptlyWhenDestroyedMidRun()
    {
        QElapsedTimer clock;
        {
            GenerationService service(place());
            QSignalSpy progressed(&service, &GenerationService::progressed);
            generation::GenerationRequest slow = referenceRequest();
            slow.steps = 500;
            service.submit(slow);
            service.submit(slow);
            QVERIFY(waitFor(progressed, 1));
            clock.start();
        }
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!QFile::exists(referenceRequest().outputPath));
    }
};

QTEST_GUILESS_MAIN(TestGenerationService)
#include "test_generation_service.moc"
