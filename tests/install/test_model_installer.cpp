#include "core/downloads/download_queue.h"
#include "core/models/install/hub_access.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/settings/settings.h"
#include "hub_server.h"
#include "tests/fixtures.h"
#include "tests/sparse_safetensors.h"

#include <QDirIterator>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier::models;
using atelier::Status;
using atelier::downloads::DownloadQueue;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A kohya SD1 LoRA (small tensors; `tag` in its metadata makes each one's hash its own).
QByteArray loraBytes(const QString &scratch, const QString &tag)
{
    const QString path = QDir(scratch).filePath(QStringLiteral("lora-%1.safetensors").arg(tag));
    writeSparseSd1Lora(path, tag);
    return readAll(path);
}

QMap<QString, QByteArray> folderFiles(const QString &folder, const QString &prefix = QString())
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(prefix + QDir(folder).relativeFilePath(path), readAll(path));
    }
    return files;
}

QStringList filesUnder(const QString &folder)
{
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(folder).relativeFilePath(it.next());
    files.sort();
    return files;
}

QString tinySd1() { return QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1")); }

} // namespace

class TestModelInstaller : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordStore> m_store;
    std::unique_ptr<DownloadQueue> m_queue;
    std::unique_ptr<ModelInstaller> m_installer;
    std::unique_ptr<HubServer> m_hub;
    ModelInstaller::Options m_options;

    QString models() const { return m_dir->filePath(QStringLiteral("models")); }
    QString scratch() const { return m_dir->filePath(QStringLiteral("scratch")); }

    void makeInstaller(const std::function<void(ModelInstaller::Options &)> &adjust = {})
    {
        m_installer.reset();
        m_options = ModelInstaller::Options{};
        m_options.modelsDir = models();
        m_options.cacheDir = m_dir->filePath(QStringLiteral("cache"));
        m_options.huggingFaceEndpoint = m_hub->endpoint();
        m_options.civitaiEndpoint = m_hub->civitaiEndpoint();
        if (adjust)
            adjust(m_options);
        m_installer = std::make_unique<ModelInstaller>(*m_store, *m_queue, m_options);
    }

    InstallJob install(const QString &source, const ModelInstaller::Request &request = {})
    {
        const InstallJob started = m_installer->heuristicImport(source, request);
        const auto ended = m_installer->waitForJob(started.id, 60000);
        return ended ? *ended : started;
    }

    // Nothing of a failed or cancelled install is left: no record, no file in the library but `expected`.
    void verifyNothingLeftBehind(const QStringList &expected = {})
    {
        QCOMPARE(m_store->allModels().value().size(), 0);
        QStringList files = filesUnder(models());
        QCOMPARE(files, expected);
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QDir().mkpath(models());
        QDir().mkpath(scratch());
        m_store = std::make_unique<RecordStore>(m_dir->filePath(QStringLiteral("atelier.db")));
        QVERIFY(m_store->open());
        DownloadQueue::Options queueOptions;
        queueOptions.retryBaseDelayMs = 20;
        queueOptions.maxAttempts = 2;
        queueOptions.stallTimeoutMs = 5000;
        queueOptions.queryTokenHosts = {QStringLiteral("127.0.0.3")};  // the local Civitai stands for civitai.com
        m_queue = std::make_unique<DownloadQueue>(queueOptions);
        m_hub = std::make_unique<HubServer>();
        makeInstaller();
    }

    void cleanup()
    {
        m_installer.reset();
        m_queue.reset();
        m_hub.reset();
        m_store.reset();
        m_dir.reset();
    }

    void refusesWhatIsNoSource_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("errorType");
        QTest::newRow("empty") << "" << "InvalidSource";
        QTest::newRow("words") << "my favourite model" << "InvalidSource";
        QTest::newRow("missing path") << "/no/such/model.safetensors" << "NotFound";
        QTest::newRow("bad variant") << "owner/name:fp99" << "InvalidSource";
        QTest::newRow("escaping subfolder") << "owner/name::../../etc" << "InvalidSource";
    }

    void refusesWhatIsNoSource()
    {
        QFETCH(QString, text);
        QFETCH(QString, errorType);
        const InstallJob job = m_installer->heuristicImport(text);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QCOMPARE(job.errorType, errorType);
        QVERIFY(!job.error.isEmpty());
    }

    void copiesALocalCheckpointIntoTheLibrary()
    {
        const QString source = QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors"));
        const QByteArray before = readAll(source);
        // Events come from the installer's thread and the queue's: the list is shared.
        QMutex mutex;
        QStringList events;
        connect(m_installer.get(), &ModelInstaller::jobChanged, this, [&](const InstallJob &job) {
            QMutexLocker lock(&mutex);
            events << toString(job.status);
        }, Qt::DirectConnection);
        const InstallJob job = install(source);
        QVERIFY2(job.complete(), qPrintable(job.error));
        const ModelConfig config = *job.configOut;
        QCOMPARE(config.path, QDir(models()).filePath(QStringLiteral("sd-1/main/tiny-sd1.safetensors")));
        QCOMPARE(toString(config.base), QStringLiteral("sd-1"));
        QCOMPARE(toString(config.type), QStringLiteral("main"));
        QVERIFY(config.hash.startsWith(QStringLiteral("sha256:")));
        QCOMPARE(config.source, source);
        QCOMPARE(readAll(config.path), before);
        QCOMPARE(readAll(source), before);  // the original is untouched
        // The LDM YAML that decided the architecture travels with the checkpoint.
        QVERIFY(config.configPath && QFileInfo(*config.configPath).dir() == QFileInfo(config.path).dir());
        QCOMPARE(m_store->getModel(job.key()).value(), config);
        {
            QMutexLocker lock(&mutex);
            QVERIFY(events.contains(QStringLiteral("running")) && events.last() == QStringLiteral("completed"));
            QVERIFY(!events.contains(QStringLiteral("downloading")));  // local models are not downloaded
        }
        m_installer->disconnect(this);
        QCOMPARE(filesUnder(QDir(models()).filePath(QStringLiteral(".tmp"))), QStringList());
    }

    void registersADiffusersFolderInPlace()
    {
        const QString folder = QDir(tinySd1()).filePath(QStringLiteral("diffusers"));
        ModelInstaller::Request request;
        request.inplace = true;
        const InstallJob job = install(folder, request);
        QVERIFY2(job.complete(), qPrintable(job.error));
        QCOMPARE(job.configOut->path, QDir::cleanPath(folder));
        QCOMPARE(toString(job.configOut->format), QStringLiteral("diffusers"));
        QCOMPARE(filesUnder(models()), QStringList());
        // Registering the same path again is refused.
        const InstallJob again = install(folder, request);
        QCOMPARE(again.errorType, QStringLiteral("DuplicateModel"));
    }

    void aModelAlreadyInTheLibraryIsNotCopiedAgain()
    {
        const QString source = QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors"));
        const InstallJob first = install(source);
        QVERIFY2(first.complete(), qPrintable(first.error));
        const InstallJob second = install(source);
        QCOMPARE(second.errorType, QStringLiteral("DuplicateModel"));
        QVERIFY2(second.error.contains(first.key()), qPrintable(second.error));
        QCOMPARE(m_store->allModels().value().size(), 1);
        QCOMPARE(QDir(QDir(models()).filePath(QStringLiteral("sd-1/main"))).entryList({QStringLiteral("*.safetensors")}).size(), 1);

        ModelInstaller::Request forced;
        forced.allowDuplicate = true;
        const InstallJob third = install(source, forced);
        QVERIFY2(third.complete(), qPrintable(third.error));
        // Names that collide get a suffix; nothing is overwritten.
        QCOMPARE(QFileInfo(third.configOut->path).fileName(), QStringLiteral("tiny-sd1 (2).safetensors"));
        QCOMPARE(readAll(first.configOut->path), readAll(source));
    }

    void overridesBeatProbedValues()
    {
        ModelInstaller::Request request;
        request.config = R"({"name": "My tiny model", "description": "for tests", "prediction_type": "v_prediction", "tags": ["tiny"]})";
        const InstallJob job = install(QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors")), request);
        QVERIFY2(job.complete(), qPrintable(job.error));
        QCOMPARE(job.configOut->name, QStringLiteral("My tiny model"));
        QCOMPARE(job.configOut->description, QStringLiteral("for tests"));
        QCOMPARE(toString(*job.configOut->predictionType), QStringLiteral("v_prediction"));
        QCOMPARE(job.configOut->tags, QStringList{QStringLiteral("tiny")});
        QCOMPARE(toString(job.configOut->base), QStringLiteral("sd-1"));  // not overridden: probed
    }

    void invalidOverridesLeaveNothing()
    {
        ModelInstaller::Request request;
        request.config = R"({"colour": "blue"})";
        const InstallJob job = install(QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors")), request);
        QCOMPARE(job.errorType, QStringLiteral("InvalidModelConfig"));
        QVERIFY2(job.error.contains(QStringLiteral("colour")), qPrintable(job.error));
        verifyNothingLeftBehind();
    }

    void anUnrecognisedFileIsRefused()
    {
        const QString junk = QDir(scratch()).filePath(QStringLiteral("junk.safetensors"));
        QFile file(junk);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        const InstallJob job = install(junk);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QVERIFY2(!job.error.isEmpty() && job.error.contains(QStringLiteral("junk.safetensors")), qPrintable(job.error));
        verifyNothingLeftBehind();
    }

    void everyStageCanBeCancelledOrFailWithoutLeftovers_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<bool>("cancel");
        const QList<QPair<const char *, ModelInstaller::Stage>> stages{
            {"resolve", ModelInstaller::Stage::Resolve}, {"download", ModelInstaller::Stage::Download},
            {"probe", ModelInstaller::Stage::Probe},     {"hash", ModelInstaller::Stage::Hash},
            {"copy", ModelInstaller::Stage::Copy},       {"register", ModelInstaller::Stage::Register}};
        for (const auto &[name, stage] : stages) {
            QTest::addRow("cancel at %s", name) << int(stage) << true;
            QTest::addRow("fail at %s", name) << int(stage) << false;
        }
    }

    void everyStageCanBeCancelledOrFailWithoutLeftovers()
    {
        QFETCH(int, stage);
        QFETCH(bool, cancel);
        FaultRoute file;
        file.body = loraBytes(scratch(), QStringLiteral("stages"));
        m_hub->storage.setRoute("/files/detail.safetensors", file);
        QList<int> seen;
        makeInstaller([&](ModelInstaller::Options &options) {
            options.beforeStage = [&, stage, cancel](const InstallJob &job, ModelInstaller::Stage at) -> Status {
                seen << int(at);
                if (int(at) != stage)
                    return Status();
                if (cancel) {
                    m_installer->cancelJob(job.id);
                    return Status();
                }
                return Status::failure(QStringLiteral("the disk went away"), QStringLiteral("Io"));
            };
        });
        const InstallJob job = install(m_hub->storage.url("/files/detail.safetensors").toString());
        QVERIFY(seen.contains(stage));
        if (cancel) {
            QCOMPARE(toString(job.status), QStringLiteral("cancelled"));
        } else {
            QCOMPARE(toString(job.status), QStringLiteral("error"));
            QCOMPARE(job.error, QStringLiteral("the disk went away"));
        }
        verifyNothingLeftBehind();
        QVERIFY(m_queue->join(10000));
    }

    void cancellingADownloadRemovesItsFiles()
    {
        FaultRoute slow;
        slow.body = loraBytes(scratch(), QStringLiteral("slow")) + QByteArray(3 << 20, '\0');
        slow.chunkDelayMs = 30;
        m_hub->storage.setRoute("/files/slow.safetensors", slow);
        const InstallJob job = m_installer->heuristicImport(m_hub->storage.url("/files/slow.safetensors").toString());
        QTRY_VERIFY_WITH_TIMEOUT(m_installer->jobById(job.id)->bytes > 100000, 20000);
        QCOMPARE(toString(m_installer->jobById(job.id)->status), QStringLiteral("downloading"));
        QVERIFY(m_installer->cancelJob(job.id));
        const auto ended = m_installer->waitForJob(job.id, 20000);
        QVERIFY(ended);
        QCOMPARE(toString(ended->status), QStringLiteral("cancelled"));
        verifyNothingLeftBehind();
    }

    void quittingDuringADownloadIsSafeAndLeavesNothing()
    {
        FaultRoute slow;
        slow.body = loraBytes(scratch(), QStringLiteral("quit")) + QByteArray(3 << 20, '\0');
        slow.chunkDelayMs = 30;
        m_hub->storage.setRoute("/files/quit.safetensors", slow);
        const InstallJob job = m_installer->heuristicImport(m_hub->storage.url("/files/quit.safetensors").toString());
        QTRY_VERIFY_WITH_TIMEOUT(m_installer->jobById(job.id)->bytes > 100000, 20000);
        // The installer goes first (as when the application quits); the queue still reports on the download it
        // cancelled, and nobody must be listening any more.
        m_installer.reset();
        QVERIFY(m_queue->join(20000));
        for (const auto &download : m_queue->listJobs())
            QCOMPARE(atelier::downloads::toString(download.status), QStringLiteral("cancelled"));
        QCOMPARE(filesUnder(models()), QStringList());
        QCOMPARE(m_store->allModels().value().size(), 0);
    }

    void aFailedDownloadLeavesNothing()
    {
        const InstallJob job = install(m_hub->storage.url("/files/absent.safetensors").toString());
        QCOMPARE(job.errorType, QStringLiteral("HttpError"));
        QVERIFY2(job.error.contains(QStringLiteral("404")), qPrintable(job.error));
        verifyNothingLeftBehind();
    }

    void installsAHuggingFaceDiffusersRepoInTheAskedVariant()
    {
        QMap<QString, QByteArray> files = folderFiles(QDir(tinySd1()).filePath(QStringLiteral("diffusers")));
        // The fp16 files a real repo carries beside the default ones (here the same bytes), except for the text
        // encoder, whose default file must then be taken.
        for (const QString &path : files.keys()) {
            if (path.endsWith(QLatin1String(".safetensors")) && !path.startsWith(QLatin1String("text_encoder/")))
                files.insert(QString(path).replace(QStringLiteral(".safetensors"), QStringLiteral(".fp16.safetensors")), files.value(path));
        }
        files.insert(QStringLiteral("v1-5-pruned.ckpt"), QByteArray(1000, 'c'));                 // not part of the pipeline
        files.insert(QStringLiteral("safety_checker/config.json"), QByteArray("{}"));
        files.insert(QStringLiteral("safety_checker/model.safetensors"), QByteArray(1000, 's'));
        files.insert(QStringLiteral("unet/diffusion_pytorch_model.non_ema.bin"), QByteArray(1000, 'n'));
        files.insert(QStringLiteral("README.md"), QByteArray("# tiny"));
        m_hub->addRepo(QStringLiteral("atelier-test/tiny-sd1"), files, QByteArray(), {QStringLiteral("diffusers"), QStringLiteral("text-to-image")});

        QMutex mutex;
        QList<int> partCounts;
        connect(m_installer.get(), &ModelInstaller::jobChanged, this, [&](const InstallJob &job) {
            QMutexLocker lock(&mutex);
            if (job.downloading())
                partCounts << int(job.parts.size());
        }, Qt::DirectConnection);
        const InstallJob job = install(QStringLiteral("atelier-test/tiny-sd1:fp16"));
        QVERIFY2(job.complete(), qPrintable(job.error));
        const ModelConfig config = *job.configOut;
        QCOMPARE(toString(config.format), QStringLiteral("diffusers"));
        QCOMPARE(toString(config.base), QStringLiteral("sd-1"));
        QCOMPARE(config.source, QStringLiteral("atelier-test/tiny-sd1:fp16"));
        QCOMPARE(toString(config.sourceType), QStringLiteral("hf_repo_id"));
        QCOMPARE(config.name, QStringLiteral("tiny-sd1"));
        QVERIFY(config.tags.contains(QStringLiteral("text-to-image")));
        QVERIFY(config.sourceApiResponse.contains("siblings"));
        QCOMPARE(config.path, QDir(models()).filePath(QStringLiteral("sd-1/main/tiny-sd1")));
        const QStringList installed = filesUnder(config.path);
        QVERIFY2(installed.contains(QStringLiteral("unet/diffusion_pytorch_model.fp16.safetensors")), qPrintable(installed.join(' ')));
        QVERIFY(!installed.contains(QStringLiteral("unet/diffusion_pytorch_model.safetensors")));
        QVERIFY(installed.contains(QStringLiteral("text_encoder/model.safetensors")));  // no fp16 there: the default
        QVERIFY(installed.contains(QStringLiteral("model_index.json")));
        for (const QString &unwanted : {QStringLiteral("v1-5-pruned.ckpt"), QStringLiteral("safety_checker/model.safetensors"),
                                        QStringLiteral("unet/diffusion_pytorch_model.non_ema.bin"), QStringLiteral("README.md")})
            QVERIFY2(!installed.contains(unwanted), qPrintable(unwanted));
        QVERIFY(m_hub->hub.requests("/atelier-test/tiny-sd1/resolve/main/v1-5-pruned.ckpt").isEmpty());
        m_installer->disconnect(this);
        QMutexLocker lock(&mutex);
        QVERIFY(!partCounts.isEmpty() && partCounts.last() == installed.size());
        QCOMPARE(filesUnder(QDir(models()).filePath(QStringLiteral(".tmp"))), QStringList());
    }

    // An aMUSEd repo (as amused/amused-256 is laid out: transformer/, vqvae/ and fp16 variants) installs like any
    // diffusers repo, filed under its own base.
    void installsAnAmusedRepo()
    {
        QMap<QString, QByteArray> files =
            folderFiles(QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-amused")));
        for (const QString &path : files.keys())
            if (path.endsWith(QLatin1String(".safetensors")))
                files.insert(QString(path).replace(QStringLiteral(".safetensors"), QStringLiteral(".fp16.safetensors")),
                             files.value(path));
        m_hub->addRepo(QStringLiteral("atelier-test/tiny-amused"), files, QByteArray(),
                       {QStringLiteral("text-to-image")});
        const InstallJob job = install(QStringLiteral("atelier-test/tiny-amused"));
        QVERIFY2(job.complete(), qPrintable(job.error));
        const ModelConfig config = *job.configOut;
        QCOMPARE(toString(config.type), QStringLiteral("main"));
        QCOMPARE(toString(config.format), QStringLiteral("diffusers"));
        QCOMPARE(toString(config.base), QStringLiteral("amused"));
        QCOMPARE(config.path, QDir(models()).filePath(QStringLiteral("amused/main/tiny-amused")));
        // One weight file per component (the installer's default variant takes the fp16 files where a repo has
        // them, as it does for SD repos), and every config.
        const QStringList installed = filesUnder(config.path);
        for (const char *part : {"transformer/diffusion_pytorch_model.fp16.safetensors", "transformer/config.json",
                                 "vqvae/diffusion_pytorch_model.fp16.safetensors", "vqvae/config.json",
                                 "text_encoder/model.fp16.safetensors", "tokenizer/vocab.json",
                                 "scheduler/scheduler_config.json", "model_index.json"})
            QVERIFY2(installed.contains(QLatin1String(part)), qPrintable(installed.join(' ')));
        QVERIFY(!installed.contains(QStringLiteral("transformer/diffusion_pytorch_model.safetensors")));
    }

    void installsASubfolderOrOneFileOfARepo()
    {
        QMap<QString, QByteArray> files = folderFiles(QDir(tinySd1()).filePath(QStringLiteral("diffusers")));
        files.insert(QStringLiteral("loras/detail.safetensors"), loraBytes(scratch(), QStringLiteral("a")));
        files.insert(QStringLiteral("other.safetensors"), loraBytes(scratch(), QStringLiteral("b")));
        files.insert(QStringLiteral("another.safetensors"), loraBytes(scratch(), QStringLiteral("c")));
        m_hub->addRepo(QStringLiteral("atelier-test/mixed"), files);

        const InstallJob vae = install(QStringLiteral("atelier-test/mixed::vae"));
        QVERIFY2(vae.complete(), qPrintable(vae.error));
        QCOMPARE(toString(vae.configOut->type), QStringLiteral("vae"));
        QVERIFY(filesUnder(vae.configOut->path).contains(QStringLiteral("config.json")));

        const InstallJob lora = install(QStringLiteral("atelier-test/mixed::loras/detail.safetensors"));
        QVERIFY2(lora.complete(), qPrintable(lora.error));
        QCOMPARE(toString(lora.configOut->type), QStringLiteral("lora"));
        QCOMPARE(QFileInfo(lora.configOut->path).fileName(), QStringLiteral("detail.safetensors"));
        QCOMPARE(readAll(lora.configOut->path), files.value(QStringLiteral("loras/detail.safetensors")));

        // A "resolve" link into the repo is the same as naming the file, metadata and all.
        QVERIFY(m_installer->deleteModel(lora.key()));
        const InstallJob byLink = install(m_hub->hub.url("/atelier-test/mixed/resolve/main/loras/detail.safetensors").toString());
        QVERIFY2(byLink.complete(), qPrintable(byLink.error));
        QCOMPARE(toString(byLink.configOut->sourceType), QStringLiteral("hf_repo_id"));
        QVERIFY(byLink.configOut->sourceApiResponse.contains("siblings"));

        const InstallJob missing = install(QStringLiteral("atelier-test/mixed::nothing/here.safetensors"));
        QCOMPARE(missing.errorType, QStringLiteral("NotFound"));
    }

    void aHostileRepoListingCannotLeaveTheModelFolder()
    {
        const QByteArray listing = R"({"id": "evil/repo", "siblings": [
            {"rfilename": "model_index.json"}, {"rfilename": "unet/config.json"},
            {"rfilename": "unet/diffusion_pytorch_model.safetensors", "size": 10},
            {"rfilename": "../../outside.json"}, {"rfilename": "/etc/cron.d/x.json"},
            {"rfilename": "unet/../../../escape.safetensors"}, {"rfilename": "unet\\..\\..\\win.json"}]})";
        ModelSource source;
        source.kind = ModelSource::Kind::HuggingFace;
        source.repoId = QStringLiteral("evil/repo");
        const auto model = readHuggingFaceModel(listing, source, RepoVariant::Default, QUrl(QStringLiteral("https://hub.example")));
        QVERIFY2(model, qPrintable(model.error()));
        QStringList paths;
        for (const RemoteFile &file : model.value().files)
            paths << file.path;
        paths.sort();
        QCOMPARE(paths, (QStringList{QStringLiteral("model_index.json"), QStringLiteral("unet/config.json"),
                                     QStringLiteral("unet/diffusion_pytorch_model.safetensors")}));
    }

    void aRepoOfLooseCheckpointsNeedsOneNamed()
    {
        QMap<QString, QByteArray> files;
        files.insert(QStringLiteral("one.safetensors"), loraBytes(scratch(), QStringLiteral("one")));
        files.insert(QStringLiteral("two.safetensors"), loraBytes(scratch(), QStringLiteral("two")));
        m_hub->addRepo(QStringLiteral("atelier-test/loras"), files);
        const InstallJob job = install(QStringLiteral("atelier-test/loras"));
        QCOMPARE(job.errorType, QStringLiteral("AmbiguousSource"));
        QVERIFY2(job.error.contains(QStringLiteral("atelier-test/loras::")), qPrintable(job.error));
        verifyNothingLeftBehind();
    }

    void gatedFilesNeedAToken()
    {
        QMap<QString, QByteArray> files;
        files.insert(QStringLiteral("gated.safetensors"), loraBytes(scratch(), QStringLiteral("gated")));
        m_hub->addRepo(QStringLiteral("atelier-test/gated"), files, "hf_letmein");

        const InstallJob refused = install(QStringLiteral("atelier-test/gated"));
        QCOMPARE(refused.errorType, QStringLiteral("HttpError"));
        QVERIFY2(refused.error.contains(QStringLiteral("401")), qPrintable(refused.error));
        verifyNothingLeftBehind();

        ModelInstaller::Request request;
        request.accessToken = QStringLiteral("hf_letmein");
        const InstallJob allowed = install(QStringLiteral("atelier-test/gated"), request);
        QVERIFY2(allowed.complete(), qPrintable(allowed.error));

        // The token from the settings (the provider) serves as well.
        QVERIFY(m_installer->deleteModel(allowed.key()));
        makeInstaller([](ModelInstaller::Options &options) { options.accessTokenFor = [](const QUrl &) { return QStringLiteral("hf_letmein"); }; });
        const InstallJob fromSettings = install(QStringLiteral("atelier-test/gated"));
        QVERIFY2(fromSettings.complete(), qPrintable(fromSettings.error));
    }

    void installsFromACivitaiPage()
    {
        const QByteArray lora = loraBytes(scratch(), QStringLiteral("civitai"));
        const QByteArray cover = QByteArray::fromHex("89504e470d0a1a0a") + QByteArray(100, 'p');
        m_hub->addCivitaiModel(58390, 63006, QStringLiteral("add_detail.safetensors"), lora, cover);
        makeInstaller([](ModelInstaller::Options &options) { options.accessTokenFor = [](const QUrl &) { return QStringLiteral("civitai_key"); }; });

        const InstallJob job = install(m_hub->civitai.url("/models/58390/detail-tweaker-lora-lora").toString());
        QVERIFY2(job.complete(), qPrintable(job.error));
        const ModelConfig config = *job.configOut;
        QCOMPARE(config.name, QStringLiteral("Detail Tweaker LoRA"));
        QCOMPARE(toString(config.type), QStringLiteral("lora"));
        QCOMPARE(toString(config.base), QStringLiteral("sd-1"));
        QCOMPARE(config.triggerWords, (QStringList{QStringLiteral("add_detail"), QStringLiteral("detailed")}));
        QCOMPARE(config.tags, (QStringList{QStringLiteral("detail"), QStringLiteral("tool")}));
        QCOMPARE(config.description, QStringLiteral("Adds or removes detail & texture.\nWeight -1 to 1."));
        QVERIFY(config.sourceApiResponse.contains("modelVersions"));
        // The file is named by the storage's Content-Disposition.
        QCOMPARE(config.path, QDir(models()).filePath(QStringLiteral("sd-1/lora/add_detail.safetensors")));
        QCOMPARE(readAll(config.path), lora);
        QCOMPARE(readAll(config.coverImage), cover);
        QVERIFY(config.coverImage.startsWith(models()));
        // Civitai's token goes in the query to Civitai, and never to the storage it redirects to.
        QCOMPARE(m_hub->civitai.requests("/api/download/models/63006").last().query, QByteArray("token=civitai_key"));
        const RecordedRequest stored = m_hub->storage.requests("/civitai-files/63006").last();
        QVERIFY(!stored.query.contains("civitai_key") && !stored.headers.contains("authorization"));

        // The same model again, by its download link this time: Civitai publishes the hash, so nothing downloads.
        const InstallJob again = install(m_hub->civitai.url("/api/download/models/63006").toString());
        QCOMPARE(again.errorType, QStringLiteral("DuplicateModel"));
        QVERIFY2(again.error.contains(QStringLiteral("nothing was downloaded")), qPrintable(again.error));

        // By the hash an image's recipe gives (A1111's short AutoV2 here): the same version is found.
        const QString shortHash =
            QString::fromLatin1(QCryptographicHash::hash(lora, QCryptographicHash::Sha256).toHex().left(10));
        const QString byHash = civitaiByHashSource(shortHash, m_hub->civitaiEndpoint());
        QCOMPARE(parseModelSource(byHash, QStringLiteral("127.0.0.3")).value().civitaiFileHash, shortHash.toUpper());
        const InstallJob byItsHash = install(byHash);
        QCOMPARE(byItsHash.errorType, QStringLiteral("DuplicateModel"));
        QVERIFY(m_hub->civitai.requests("/api/v1/model-versions/by-hash/" + shortHash.toUpper().toUtf8()).size() == 1);
        // A hash Civitai does not know is said so.
        const InstallJob unknown = install(
            civitaiByHashSource(QStringLiteral("sha256:") + QString(64, QLatin1Char('a')), m_hub->civitaiEndpoint()));
        QVERIFY(!unknown.complete());
        QVERIFY2(unknown.error.contains(QStringLiteral("Civitai has no model file with the hash AAAA")),
                 qPrintable(unknown.error));
    }

    void scansAFolderAndSyncsTheLibrary()
    {
        const QString incoming = m_dir->filePath(QStringLiteral("incoming"));
        QDir().mkpath(incoming + QStringLiteral("/nested"));
        QFile::copy(QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors")), incoming + QStringLiteral("/nested/tiny.safetensors"));
        QFile lora(incoming + QStringLiteral("/detail.safetensors"));
        QVERIFY(lora.open(QIODevice::WriteOnly));
        lora.write(loraBytes(scratch(), QStringLiteral("scan")));
        lora.close();
        const auto scanned = m_installer->scanDirectory(incoming, false);
        QVERIFY2(scanned, qPrintable(scanned.error()));
        QCOMPARE(scanned.value().keys.size(), 2);
        QVERIFY2(scanned.value().failures.isEmpty(), qPrintable(scanned.value().failures.join('\n')));
        const auto rescanned = m_installer->scanDirectory(incoming, false);
        QCOMPARE(rescanned.value().keys.size(), 0);
        QCOMPARE(rescanned.value().known.size(), 2);

        // A file dropped into the models folder is registered; a vanished one is marked missing, not deleted.
        QDir().mkpath(models() + QStringLiteral("/sd-1/lora"));
        QFile dropped(models() + QStringLiteral("/sd-1/lora/dropped.safetensors"));
        QVERIFY(dropped.open(QIODevice::WriteOnly));
        dropped.write(loraBytes(scratch(), QStringLiteral("dropped")));
        dropped.close();
        QVERIFY(QFile::remove(incoming + QStringLiteral("/detail.safetensors")));
        const auto synced = m_installer->syncModelsFolder();
        QVERIFY2(synced, qPrintable(synced.error()));
        QCOMPARE(synced.value().registered.size(), 1);
        QCOMPARE(synced.value().missing.size(), 1);
        QCOMPARE(m_store->allModels().value().size(), 3);
        const ModelConfig vanished = m_store->getModel(synced.value().missing.first()).value();
        QVERIFY(vanished.missing);
        QCOMPARE(m_installer->syncModelsFolder().value().registered.size(), 0);  // nothing new the second time

        QFile back(incoming + QStringLiteral("/detail.safetensors"));
        QVERIFY(back.open(QIODevice::WriteOnly));
        back.write(loraBytes(scratch(), QStringLiteral("scan")));
        back.close();
        const auto resynced = m_installer->syncModelsFolder();
        QCOMPARE(resynced.value().found, QStringList{vanished.key});
        QVERIFY(!m_store->getModel(vanished.key).value().missing);
    }

    void deletesFilesOnlyInsideTheModelsFolder()
    {
        const InstallJob copied = install(QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors")));
        QVERIFY2(copied.complete(), qPrintable(copied.error));
        QVERIFY(m_installer->deleteModel(copied.key()));
        QVERIFY(!QFileInfo::exists(copied.configOut->path));
        QVERIFY(!m_store->exists(copied.key()));

        const QString outside = QDir(scratch()).filePath(QStringLiteral("mine.safetensors"));
        QFile file(outside);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(loraBytes(scratch(), QStringLiteral("outside")));
        file.close();
        const auto registered = m_installer->registerPath(outside);
        QVERIFY2(registered, qPrintable(registered.error()));
        const Status refused = m_installer->deleteModel(registered.value().key);
        QCOMPARE(refused.errorType(), QStringLiteral("OutsideModelsFolder"));
        QVERIFY(QFileInfo::exists(outside) && m_store->exists(registered.value().key));
        QVERIFY(m_installer->unregister(registered.value().key));
        QVERIFY(QFileInfo::exists(outside));
        const auto again = m_installer->registerPath(outside);
        QVERIFY(m_installer->unconditionallyDelete(again.value().key));
        QVERIFY(!QFileInfo::exists(outside) && !m_store->exists(again.value().key));
    }

    void theCacheKeepsToItsCap()
    {
        QList<QByteArray> bodies;
        for (int i = 0; i < 3; ++i) {
            FaultRoute route;
            route.body = QByteArray(40000, char('a' + i));
            bodies << route.body;
            m_hub->storage.setRoute("/cache/file" + QByteArray::number(i) + ".bin", route);
        }
        makeInstaller([](ModelInstaller::Options &options) { options.cacheCapBytes = 100000; });
        QStringList paths;
        for (int i = 0; i < 3; ++i) {
            const auto cached = m_installer->downloadAndCache(m_hub->storage.url("/cache/file" + QByteArray::number(i) + ".bin").toString(), {}, 20000);
            QVERIFY2(cached, qPrintable(cached.error()));
            QCOMPARE(readAll(cached.value()), bodies[i]);
            paths << cached.value();
            QTest::qWait(20);  // distinct last-used times
        }
        QVERIFY(!QFileInfo::exists(paths[0]));  // the least recently used went first
        QVERIFY(QFileInfo::exists(paths[1]) && QFileInfo::exists(paths[2]));
        // A cached file is found without the server.
        FaultRoute gone404;
        gone404.status = 404;
        m_hub->storage.setRoute("/cache/file2.bin", gone404);
        const auto again = m_installer->downloadAndCache(m_hub->storage.url("/cache/file2.bin").toString(), {}, 20000);
        QCOMPARE(again.value(), paths[2]);
        const auto gone = m_installer->downloadAndCache(m_hub->storage.url("/cache/absent.bin").toString(), {}, 20000);
        QCOMPARE(gone.errorType(), QStringLiteral("HttpError"));
    }

    void hubTokensComeFromSettingsThenEnvironmentThenTokenFile()
    {
        const QString tokenFile = QDir(scratch()).filePath(QStringLiteral("token"));
        QFile file(tokenFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hf_from_file\n");
        file.close();
        qputenv("HF_TOKEN_PATH", tokenFile.toLocal8Bit());
        qunsetenv("HF_TOKEN");
        qputenv("HF_ENDPOINT", "http://127.0.0.1:9");
        atelier::settings::Settings settings;
        settings.civitaiToken = QStringLiteral("civitai_from_settings");
        HubAccess access = HubAccess::fromSettings(settings);
        QCOMPARE(access.huggingFaceEndpoint, QUrl(QStringLiteral("http://127.0.0.1:9")));
        QCOMPARE(access.tokenFor(QUrl(QStringLiteral("http://127.0.0.1:9/api/models/a/b"))), QStringLiteral("hf_from_file"));
        QCOMPARE(access.tokenFor(QUrl(QStringLiteral("https://civitai.com/api/download/models/1"))), QStringLiteral("civitai_from_settings"));
        QCOMPARE(access.tokenFor(QUrl(QStringLiteral("https://cdn.example.com/blob"))), QString());
        qputenv("HF_TOKEN", "hf_from_environment");
        QCOMPARE(HubAccess::fromSettings(settings).huggingFaceToken, QStringLiteral("hf_from_environment"));
        settings.huggingFaceToken = QStringLiteral("hf_from_settings");
        settings.huggingFaceEndpoint = QStringLiteral("https://hf-mirror.example.org");
        access = HubAccess::fromSettings(settings);
        QCOMPARE(access.huggingFaceToken, QStringLiteral("hf_from_settings"));
        QCOMPARE(access.huggingFaceEndpoint.host(), QStringLiteral("hf-mirror.example.org"));
        qunsetenv("HF_TOKEN");
        qunsetenv("HF_TOKEN_PATH");
        qunsetenv("HF_ENDPOINT");
    }

    void jobsAreListedFoundAndPruned()
    {
        const QString source = QDir(tinySd1()).filePath(QStringLiteral("tiny-sd1.safetensors"));
        m_installer->heuristicImport(source);
        m_installer->heuristicImport(QStringLiteral("not a source at all"));
        const auto all = m_installer->waitForInstalls(60000);
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(m_installer->jobsBySource(source).size(), 1);
        QVERIFY(m_installer->jobsBySource(source).first().complete());
        m_installer->pruneJobs();
        QVERIFY(m_installer->listJobs().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestModelInstaller)
#include "test_model_installer.moc"
