// Four `atelier` processes install, rename and delete models in one library at once while this test kills one
// of them with SIGKILL every few hundred milliseconds, for ATELIER_STRESS_SECONDS (60 by default). Then the
// library is checked as a whole: every acknowledged edit is there (an interrupted one may or may not have
// happened, but never by half), every record's file exists with its size and hash, no file in the models
// folder belongs to no record, and SQLite finds the database intact.
#include "cli_runner.h"
#include "tests/sparse_safetensors.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <memory>

namespace {

constexpr int kWorkers = 4;

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
}

// One model a worker installed: the names it may have now (one once every change to it was acknowledged).
struct Tracked
{
    QString key;
    QString file;        // the source file, which identifies it by hash
    QSet<QString> names; // acceptable current names
    bool maybeDeleted = false;
};

struct Worker
{
    int index = 0;
    QStringList pool;                  // files not tried yet
    std::map<QString, Tracked> models; // key -> what it should be
    QStringList maybeInstalled;        // files whose install was killed: at most one whole record each
    QSet<QString> deleted;             // keys whose removal was acknowledged
    std::unique_ptr<QProcess> process;
    QString operation; // "install FILE", "rename KEY NAME", "delete KEY"
    int renames = 0;
};

} // namespace

class TestLibraryStress : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QRandomGenerator m_random{20261205};
    int m_acknowledged = 0, m_killed = 0, m_refused = 0;

    QString root() const { return m_dir.filePath(QStringLiteral("root")); }
    QString models() const { return QDir(root()).filePath(QStringLiteral("models")); }

    void start(Worker &worker, const QStringList &arguments, const QString &operation)
    {
        worker.process = std::make_unique<QProcess>();
        worker.operation = operation;
        worker.process->start(QStringLiteral(ATELIER_EXECUTABLE),
                              QStringList{QStringLiteral("--root"), root()} + arguments);
    }

    void nextOperation(Worker &worker)
    {
        QList<Tracked *> live;
        for (auto &[key, model] : worker.models)
            if (!model.maybeDeleted)
                live << &model;
        const int choice = int(m_random.bounded(10));
        if (!worker.pool.isEmpty() && (live.size() < 3 || choice < 3)) {
            const QString file = worker.pool.takeFirst();
            start(worker,
                  {QStringLiteral("install"), file, QStringLiteral("--name"), QFileInfo(file).completeBaseName()},
                  QStringLiteral("install ") + file);
        } else if (!live.isEmpty() && (choice < 8 || worker.pool.isEmpty())) {
            Tracked *model = live[int(m_random.bounded(qsizetype(live.size())))];
            const QString name = QStringLiteral("w%1-r%2").arg(worker.index).arg(++worker.renames);
            start(worker,
                  {QStringLiteral("models"), QStringLiteral("edit"), model->key, QStringLiteral("--name"), name},
                  QStringLiteral("rename %1 %2").arg(model->key, name));
        } else if (!live.isEmpty()) {
            Tracked *model = live[int(m_random.bounded(qsizetype(live.size())))];
            start(worker,
                  {QStringLiteral("models"), QStringLiteral("rm"), model->key, QStringLiteral("--delete-files")},
                  QStringLiteral("delete ") + model->key);
        }
    }

    void finished(Worker &worker, bool killed)
    {
        const QStringList words = worker.operation.split(QLatin1Char(' '));
        const QString out = QString::fromUtf8(worker.process->readAllStandardOutput());
        const bool acknowledged =
            !killed && worker.process->exitStatus() == QProcess::NormalExit && worker.process->exitCode() == 0;
        if (killed)
            ++m_killed;
        else if (acknowledged)
            ++m_acknowledged;
        else {
            ++m_refused; // a refusal promises that nothing changed
            qInfo("worker %d: %s refused: %s", worker.index, qPrintable(worker.operation),
                  worker.process->readAllStandardError().trimmed().constData());
        }
        if (words[0] == QLatin1String("install")) {
            if (acknowledged) {
                static const QRegularExpression keyLine(QStringLiteral("^([0-9a-f]{32})$"),
                                                        QRegularExpression::MultilineOption);
                const auto match = keyLine.match(out);
                QVERIFY2(match.hasMatch(), qPrintable(out));
                worker.models[match.captured(1)] = Tracked{match.captured(1), words[1], {}, false};
                worker.models[match.captured(1)].names.insert(QFileInfo(words[1]).completeBaseName());
            } else if (killed) {
                worker.maybeInstalled << words[1];
            }
        } else if (words[0] == QLatin1String("rename")) {
            Tracked &model = worker.models[words[1]];
            if (acknowledged)
                model.names = {words[2]};
            else if (killed)
                model.names.insert(words[2]);
        } else if (words[0] == QLatin1String("delete")) {
            if (acknowledged) {
                worker.deleted.insert(words[1]);
                worker.models.erase(words[1]);
            } else if (killed) {
                worker.models[words[1]].maybeDeleted = true;
            }
        }
        worker.process.reset();
    }

private slots:
    void concurrentWritersSurviveKill9()
    {
        const int seconds = qEnvironmentVariableIntValue("ATELIER_STRESS_SECONDS") > 0
                                ? qEnvironmentVariableIntValue("ATELIER_STRESS_SECONDS")
                                : 60;
        QVERIFY(runAtelier({QStringLiteral("--root"), root(), QStringLiteral("info")}).exitCode == 0);
        std::vector<Worker> workers(kWorkers);
        for (int w = 0; w < kWorkers; ++w) {
            workers[w].index = w;
            for (int n = 0; n < 40; ++n) {
                const QString path = m_dir.filePath(QStringLiteral("sources/w%1-m%2.safetensors").arg(w).arg(n));
                QDir().mkpath(QFileInfo(path).absolutePath());
                const nlohmann::json tensors = nlohmann::json::parse(R"([
                    ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight", "F16", [4, 768]],
                    ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight", "F16", [320, 4]]])");
                QVERIFY(writeSparseSafetensorsFile(path, tensors, {{"tag", path.toStdString()}}));
                workers[w].pool << path;
            }
        }

        QElapsedTimer clock;
        clock.start();
        qint64 nextKill = 300;
        while (clock.elapsed() < seconds * 1000LL) {
            for (Worker &worker : workers) {
                if (!worker.process)
                    nextOperation(worker);
                else if (worker.process->state() == QProcess::NotRunning)
                    finished(worker, false);
            }
            if (clock.elapsed() >= nextKill) {
                Worker &victim = workers[int(m_random.bounded(kWorkers))];
                if (victim.process && victim.process->state() == QProcess::Running) {
                    ::kill(pid_t(victim.process->processId()), SIGKILL);
                    victim.process->waitForFinished(10000);
                    finished(victim, true);
                }
                nextKill = clock.elapsed() + 300 + m_random.bounded(1200);
            }
            for (Worker &worker : workers)
                if (worker.process)
                    worker.process->waitForFinished(5);
        }
        for (Worker &worker : workers) {
            if (worker.process) {
                worker.process->waitForFinished(60000);
                finished(worker, false);
            }
        }
        qInfo("%d operations acknowledged, %d killed, %d refused", m_acknowledged, m_killed, m_refused);
        // Enough of both for the checks below to mean something, even on a loaded machine.
        QVERIFY(m_acknowledged >= 10 && m_killed >= 5);

        // The next command settles what the killed ones left (models/.tmp) and lists the library.
        const CliRun listed = runAtelier({QStringLiteral("--root"), root(), QStringLiteral("models"),
                                          QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(listed.exitCode == 0, listed.err.constData());
        const nlohmann::json records = nlohmann::json::parse(listed.out.toStdString());
        std::map<QString, nlohmann::json> byKey;
        QSet<QString> recordFiles;
        for (const nlohmann::json &record : records) {
            const QString key = QString::fromStdString(record["key"].get<std::string>());
            const QString path = QString::fromStdString(record["path"].get<std::string>());
            byKey[key] = record;
            // No half record: the file is there, whole.
            QVERIFY2(QFileInfo(path).isFile(), qPrintable(key + QStringLiteral(": no file at ") + path));
            QCOMPARE(QFileInfo(path).size(), qint64(record["file_size"].get<std::int64_t>()));
            QCOMPARE(sha256Of(path), QString::fromStdString(record["hash"].get<std::string>()));
            recordFiles.insert(QFileInfo(path).canonicalFilePath());
        }
        for (const Worker &worker : workers) {
            for (const auto &[key, model] : worker.models) {
                // No lost acknowledged edit.
                const auto found = byKey.find(key);
                if (found == byKey.end()) {
                    QVERIFY2(model.maybeDeleted, qPrintable(QStringLiteral("acknowledged model %1 is gone").arg(key)));
                    continue;
                }
                const QString name = QString::fromStdString(found->second["name"].get<std::string>());
                QVERIFY2(model.names.contains(name), qPrintable(QStringLiteral("%1 is named %2").arg(key, name)));
            }
            for (const QString &key : worker.deleted)
                QVERIFY2(byKey.find(key) == byKey.end(),
                         qPrintable(QStringLiteral("deleted model %1 is back").arg(key)));
            for (const QString &file : worker.maybeInstalled) {
                int copies = 0;
                for (const auto &[key, record] : byKey)
                    copies += QString::fromStdString(record["hash"].get<std::string>()) == sha256Of(file);
                QVERIFY2(copies <= 1, qPrintable(file));
            }
        }
        // No orphan file: everything in the models folder is a record's.
        QDirIterator files(models(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = QFileInfo(files.next()).canonicalFilePath();
            QVERIFY2(recordFiles.contains(path), qPrintable(QStringLiteral("orphan file ") + path));
        }
        QProcess sqlite;
        sqlite.start(QStringLiteral("sqlite3"),
                     {QDir(root()).filePath(QStringLiteral("atelier.db")), QStringLiteral("PRAGMA integrity_check;")});
        QVERIFY(sqlite.waitForFinished(60000));
        QCOMPARE(sqlite.readAllStandardOutput().trimmed(), QByteArray("ok"));
    }
};

QTEST_GUILESS_MAIN(TestLibraryStress)
#include "test_library_stress.moc"
