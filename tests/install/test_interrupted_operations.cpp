// An install or a delete killed half way (kill -9 between its steps) leaves its temporary folder with the intent
// it wrote; the next installer to start settles it against the records. Each case builds the exact state such a
// process leaves, with the PID of a process that has really exited, and starts a real installer over a real
// library.
#include "core/downloads/download_queue.h"
#include "core/models/install/interrupted_operations.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/core/model_samples.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;
using namespace atelier::models;

class TestInterruptedOperations : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordStore> m_store;
    qint64 m_deadPid = 0;

    QString models() const { return m_dir->filePath(QStringLiteral("models")); }

    // A temporary folder as a process that has exited left it: models/.tmp/<purpose>-<pid>-<random>.
    QString leftBehind(const QString &purpose, qint64 pid = 0) const
    {
        const QString folder =
            QDir(models()).filePath(QStringLiteral(".tmp/%1-%2-0badcafe").arg(purpose).arg(pid ? pid : m_deadPid));
        QDir().mkpath(folder);
        return folder;
    }

    static void writeFile(const QString &path, const QByteArray &bytes)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }

    ModelConfig addRecord(const QString &name)
    {
        ModelConfig config = testing::sampleModel(name);
        config.path = QDir(models()).filePath(config.path);
        writeFile(config.path, name.toUtf8());
        const Result<ModelConfig> added = m_store->addModel(config);
        if (!added)
            qFatal("%s", qPrintable(added.error()));
        return added.value();
    }

    void startInstaller()
    {
        downloads::DownloadQueue queue;
        ModelInstaller::Options options;
        options.modelsDir = models();
        options.cacheDir = m_dir->filePath(QStringLiteral("cache"));
        ModelInstaller installer(*m_store, queue, options);
    }

private slots:
    void initTestCase()
    {
        // A PID taken while its process ran, then waited for: no process has it now.
        QProcess exited;
        exited.start(QStringLiteral("sleep"), {QStringLiteral("0.1")});
        QVERIFY(exited.waitForStarted());
        m_deadPid = exited.processId();
        QVERIFY(exited.waitForFinished());
        QVERIFY(m_deadPid > 0);
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QDir().mkpath(models());
        m_store = std::make_unique<RecordStore>(m_dir->filePath(QStringLiteral("atelier.db")));
        QVERIFY(m_store->open());
    }

    void aDeleteKilledBeforeItsRecordWentPutsTheFilesBack()
    {
        const ModelConfig model = addRecord(QStringLiteral("kept"));
        const QString folder = leftBehind(QStringLiteral("delete"));
        QVERIFY(
            writeIntent(folder, {OperationIntent::Kind::Delete, model.key, {}, {{model.path, QStringLiteral("0")}}}));
        QVERIFY(QFile::rename(model.path, QDir(folder).filePath(QStringLiteral("0"))));
        startInstaller();
        QVERIFY2(QFile::exists(model.path), "the weights of a model still in the library are back");
        QCOMPARE(QFile(model.path).size(), qint64(4));
        QVERIFY(!QDir(folder).exists());
    }

    void aDeleteKilledAfterItsRecordWentFinishes()
    {
        const ModelConfig model = addRecord(QStringLiteral("gone"));
        const QString folder = leftBehind(QStringLiteral("delete"));
        QVERIFY(
            writeIntent(folder, {OperationIntent::Kind::Delete, model.key, {}, {{model.path, QStringLiteral("0")}}}));
        QVERIFY(QFile::rename(model.path, QDir(folder).filePath(QStringLiteral("0"))));
        QVERIFY(m_store->deleteModel(model.key));
        startInstaller();
        QVERIFY(!QFile::exists(model.path));
        QVERIFY(!QDir(folder).exists());
    }

    void anInstallKilledBeforeItsRecordLeavesNoOrphan()
    {
        const QString placed = QDir(models()).filePath(QStringLiteral("sd-1/lora/half.safetensors"));
        const QString yaml = QDir(models()).filePath(QStringLiteral("sd-1/lora/half.yaml"));
        writeFile(placed, "weights");
        writeFile(yaml, "config");
        const QString folder = leftBehind(QStringLiteral("copy"));
        QVERIFY(writeIntent(folder, {OperationIntent::Kind::Install, QStringLiteral("f00dfeed"), {placed, yaml}, {}}));
        startInstaller();
        QVERIFY(!QFile::exists(placed));
        QVERIFY(!QFile::exists(yaml));
        QVERIFY(!QDir(folder).exists());
        QCOMPARE(m_store->allModels().value().size(), 0);
    }

    void anIntentNeverRemovesAnythingOutsideTheModelsFolder()
    {
        const QString elsewhere = m_dir->filePath(QStringLiteral("precious.txt"));
        writeFile(elsewhere, "the user's own file");
        const QString folder = leftBehind(QStringLiteral("install"));
        QVERIFY(writeIntent(folder, {OperationIntent::Kind::Install, QStringLiteral("f00dfeed"),
                                     {elsewhere, QDir(models()).filePath(QStringLiteral("../precious.txt"))}, {}}));
        startInstaller();
        QVERIFY(QFile::exists(elsewhere));
        QVERIFY(!QDir(folder).exists());
    }

    void anInstallWhoseNameWasTakenLeavesTheOtherModelAlone()
    {
        // Killed after announcing a name that another model's file holds (the move into it failed).
        const ModelConfig other = addRecord(QStringLiteral("other"));
        const QString folder = leftBehind(QStringLiteral("install"));
        QVERIFY(writeIntent(folder, {OperationIntent::Kind::Install, QStringLiteral("f00dfeed"), {other.path}, {}}));
        startInstaller();
        QVERIFY(QFile::exists(other.path));
        QVERIFY(!QDir(folder).exists());
    }

    void aFinishedInstallKeepsItsFiles()
    {
        const ModelConfig model = addRecord(QStringLiteral("done"));
        const QString folder = leftBehind(QStringLiteral("copy"));
        QVERIFY(writeIntent(folder, {OperationIntent::Kind::Install, model.key, {model.path}, {}}));
        startInstaller();
        QVERIFY(QFile::exists(model.path));
        QVERIFY(!QDir(folder).exists());
    }

    void foldersOfLiveProcessesAndWithoutIntentsAreHandledAsBefore()
    {
        const QString live = leftBehind(QStringLiteral("copy"), QCoreApplication::applicationPid());
        writeFile(QDir(live).filePath(QStringLiteral("copying.safetensors")), "half a copy");
        const QString old = leftBehind(QStringLiteral("copy"));
        writeFile(QDir(old).filePath(QStringLiteral("copying.safetensors")), "half a copy");
        startInstaller();
        QVERIFY2(QDir(live).exists(), "a running process's folder is its own");
        QVERIFY(!QDir(old).exists());
        QDir(live).removeRecursively();
    }

    void damagedIntentsAreNotTrusted()
    {
        const ModelConfig model = addRecord(QStringLiteral("safe"));
        const QString folder = leftBehind(QStringLiteral("delete"));
        writeFile(QDir(folder).filePath(QStringLiteral("intent.json")), "{\"operation\": \"install\", \"placed\": [");
        QVERIFY(!readIntent(folder));
        startInstaller();
        QVERIFY(QFile::exists(model.path));
        QVERIFY(!QDir(folder).exists());
    }
};

QTEST_GUILESS_MAIN(TestInterruptedOperations)
#include "test_interrupted_operations.moc"
