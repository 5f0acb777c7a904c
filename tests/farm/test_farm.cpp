// The render farm as users run it: a real redis-server on a loopback port, `atelier worker` processes with their own
// libraries, `atelier farm` submitting and following. Workers are killed, stopped and starved of Redis on purpose.
#include "tests/app/cli_runner.h"
#include "tests/farm/farm_processes.h"
#include "tests/farm/redis_process.h"
#include "tests/fixtures.h"
#include "tests/graph/graph_test_support.h"
#include "tests/image_difference.h"

#include "core/farm/farm_client.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace atelier;

namespace {

QJsonObject farmStatus(const QString &root, const QString &url)
{
    const CliRun run = runAtelier({QStringLiteral("--root"), root, QStringLiteral("farm"), QStringLiteral("status"),
                                   QStringLiteral("--json"), QStringLiteral("--redis"), url});
    return QJsonDocument::fromJson(run.out).object();
}

} // namespace

class TestFarm : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<RedisProcess> m_redis;
    QString m_submitter, m_first, m_second; // roots: the submitting machine's and two workers'
    QString m_graph, m_slowGraph;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QStringList submit(const QString &graph, const QStringList &extra) const
    {
        return QStringList{
                   QStringLiteral("--root"),  m_submitter,   QStringLiteral("farm"), QStringLiteral("submit"), graph,
                   QStringLiteral("--redis"), m_redis->url()}
               << extra;
    }
    std::unique_ptr<WorkerProcess> worker(const QString &root, const QString &name) const
    {
        return std::make_unique<WorkerProcess>(root, m_redis->url(), name);
    }
    static QStringList images(const QString &folder)
    {
        return QDir(folder).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    }

private slots:
    void initTestCase()
    {
        if (const QString cannot = farmTestsCannotRun(); !cannot.isEmpty())
            QSKIP(qPrintable(cannot));
        const QString model = graph_tests::fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"));
        m_submitter = path(QStringLiteral("submitter"));
        m_first = path(QStringLiteral("first"));
        m_second = path(QStringLiteral("second"));
        // The second worker's library knows the model under another name and file name: it finds it by the job's
        // hash.
        // (Its LDM config comes along, as it sits beside the model in the fixtures.)
        const QString renamed = path(QStringLiteral("renamed.safetensors"));
        QVERIFY(QFile::copy(model, renamed));
        QVERIFY(QFile::copy(graph_tests::fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.yaml")),
                            path(QStringLiteral("renamed.yaml"))));
        for (const auto &[root, file, name] : {std::tuple{m_submitter, model, QStringLiteral("tiny-sd1")},
                                               std::tuple{m_first, model, QStringLiteral("tiny-sd1")},
                                               std::tuple{m_second, renamed, QStringLiteral("my tiny model")}}) {
            const CliRun installed = installModel(root, file, name);
            QVERIFY2(installed.exitCode == 0, installed.err.constData());
            QFile settings(QDir(root).filePath(QStringLiteral("settings.json")));
            QVERIFY(settings.open(QIODevice::WriteOnly));
            settings.write(R"({"format": 1, "farm_reclaim_seconds": 5, "farm_max_attempts": 3})");
        }
        QFile graph(m_graph = path(QStringLiteral("txt2img.json")));
        QVERIFY(graph.open(QIODevice::WriteOnly));
        graph.write(
            QJsonDocument(graph_tests::txt2img(QStringLiteral("tiny-sd1"), QStringLiteral("a lighthouse"), 100, 4))
                .toJson());
        QFile slow(m_slowGraph = path(QStringLiteral("slow.json")));
        QVERIFY(slow.open(QIODevice::WriteOnly));
        slow.write(QJsonDocument(graph_tests::txt2img(QStringLiteral("tiny-sd1"), QStringLiteral("a storm"), 7, 150))
                       .toJson());
    }
    void init()
    {
        m_redis = std::make_unique<RedisProcess>();
        QVERIFY2(m_redis->start(), m_redis->log().constData());
    }
    void cleanup() { m_redis.reset(); }

    // Twelve jobs over two workers: each image once, each the image `atelier run` makes of the same graph and seed.
    void twoWorkersMakeWhatRunMakes()
    {
        const auto first = worker(m_first, QStringLiteral("first")),
                   second = worker(m_second, QStringLiteral("second"));
        const QString out = path(QStringLiteral("twelve"));
        const CliRun submitted =
            runAtelier(submit(m_graph, {QStringLiteral("--count"), QStringLiteral("12"), QStringLiteral("--out"), out}),
                       QProcessEnvironment::systemEnvironment(), 180000);
        QVERIFY2(submitted.exitCode == 0, submitted.err.constData());
        const QStringList made = images(out);
        QCOMPARE(made.size(), 12);
        QVERIFY2(first->log().contains("completed") && second->log().contains("completed"),
                 (first->log() + second->log()).constData());
        QVERIFY2(second->log().contains("its hash found my tiny model"), second->log().constData());

        for (int k = 0; k < 12; ++k) {
            const QString reference = path(QStringLiteral("reference-%1").arg(k));
            const CliRun ran = runAtelier({QStringLiteral("--root"), m_submitter, QStringLiteral("run"), m_graph,
                                           QStringLiteral("--set"), QStringLiteral("3.seed=%1").arg(100 + k),
                                           QStringLiteral("--out"), reference});
            QVERIFY2(ran.exitCode == 0, ran.err.constData());
            QCOMPARE(images(reference).size(), 1);
            const QImage expected(QDir(reference).filePath(images(reference).first()));
            const QImage farmed(QDir(out).filePath(made.at(k)));
            QVERIFY2(made.at(k).endsWith(QStringLiteral("-%1_00001.png").arg(k + 1, 4, 10, QLatin1Char('0'))),
                     qPrintable(made.at(k)));
            QVERIFY2(largestDifference(expected, farmed) == 0,
                     qPrintable(QStringLiteral("job %1: largest difference %2")
                                    .arg(k + 1)
                                    .arg(largestDifference(expected, farmed))));
        }
        const QJsonObject status = farmStatus(m_submitter, m_redis->url());
        QCOMPARE(status.value("completed").toInt(), 12);
        QCOMPARE(status.value("running").toInt(), 0);
        QCOMPARE(status.value("waiting").toInt(), 0);
        QCOMPARE(status.value("workers").toArray().size(), 2);
    }

    // kill -9 in the middle of a job: another worker takes it over once the heartbeat is older than the settings'
    // reclaim time (5 s here), and finishes it.
    void aKilledWorkersJobIsTakenOver()
    {
        auto first = worker(m_first, QStringLiteral("doomed"));
        const QString out = path(QStringLiteral("killed"));
        SubmitProcess submitted(submit(m_slowGraph, {QStringLiteral("--out"), out}));
        QVERIFY2(first->waitFor("started"), first->log().constData());
        first->process().kill();
        first->process().waitForFinished();
        const auto second = worker(m_second, QStringLiteral("rescuer"));
        QCOMPARE(submitted.finish(), 0);
        QCOMPARE(images(out).size(), 1);
        QVERIFY2(second->log().contains("taken over from a worker that stopped answering"), second->log().constData());
    }

    // SIGTERM: the worker stops at the next sampler step, hands its job back and leaves with status 0; the next
    // worker runs the job without it counting as a failed attempt.
    void sigtermHandsTheJobBack()
    {
        auto first = worker(m_first, QStringLiteral("leaving"));
        const QString out = path(QStringLiteral("terminated"));
        SubmitProcess submitted(submit(m_slowGraph, {QStringLiteral("--out"), out}));
        QVERIFY2(first->waitFor("started"), first->log().constData());
        first->process().terminate();
        QVERIFY(first->process().waitForFinished(10000));
        QCOMPARE(first->process().exitCode(), 0);
        QVERIFY2(first->log().contains("handed back: worker leaving was stopped"), first->log().constData());
        const auto second = worker(m_second, QStringLiteral("staying"));
        QCOMPARE(submitted.finish(), 0);
        QCOMPARE(images(out).size(), 1);
        QVERIFY2(second->log().contains("attempt 1"), second->log().constData());
    }

    // Redis stopped for 10 s in the middle of a batch and started again from its append-only file: every job ends.
    void redisGoingAwayLosesNothing()
    {
        const auto first = worker(m_first, QStringLiteral("first")),
                   second = worker(m_second, QStringLiteral("second"));
        const QString out = path(QStringLiteral("restart"));
        SubmitProcess submitted(
            submit(m_graph, {QStringLiteral("--count"), QStringLiteral("6"), QStringLiteral("--set"),
                             QStringLiteral("3.steps=40"), QStringLiteral("--out"), out}));
        QTRY_VERIFY_WITH_TIMEOUT(first->log().contains("completed") || second->log().contains("completed"), 60000);
        m_redis->stop();
        QTest::qWait(10000);
        QVERIFY2(m_redis->start(), m_redis->log().constData());
        QCOMPARE(submitted.finish(), 0);
        QCOMPARE(images(out).size(), 6);
        QCOMPARE(farmStatus(m_submitter, m_redis->url()).value("completed").toInt(), 6);
    }

    // A malformed job, one naming a model no worker has and one saving outside the output folder end in the
    // dead-letter stream with their errors (the first at once, the others after the settings' three attempts); the
    // worker goes on with the next job.
    void badJobsAreDeadLettered()
    {
        const auto first = worker(m_first, QStringLiteral("sturdy"));
        farm::FarmClient client(m_redis->address(), farm::FarmKeys());
        QVERIFY(client.connect());
        QVERIFY(client.redis().command({"XADD", client.keys().jobs(), "*", "job", "{\"format\": \"not a job\""}));
        QFile missing(path(QStringLiteral("missing.json")));
        QVERIFY(missing.open(QIODevice::WriteOnly));
        missing.write(
            QJsonDocument(graph_tests::txt2img(QStringLiteral("nobody-has-this"), QStringLiteral("x"), 1, 2)).toJson());
        missing.close();
        QVERIFY(runAtelier(submit(missing.fileName(), {QStringLiteral("--no-wait")})).exitCode == 0);
        QVERIFY(runAtelier(submit(m_graph, {QStringLiteral("--no-wait"), QStringLiteral("--set"),
                                            QStringLiteral("9.filename_prefix=../../../escaped")}))
                    .exitCode == 0);
        const QString out = path(QStringLiteral("after"));
        const CliRun good = runAtelier(submit(m_graph, {QStringLiteral("--out"), out}));
        QVERIFY2(good.exitCode == 0, good.err.constData());
        QCOMPARE(images(out).size(), 1);

        // The two that were tried go round the stream three times each, behind the good job.
        QTRY_COMPARE_WITH_TIMEOUT(farmStatus(m_submitter, m_redis->url()).value("dead_lettered").toInt(), 3, 60000);
        const auto dead = client.redis().command({"XRANGE", client.keys().dead(), "-", "+"});
        QVERIFY(dead);
        QCOMPARE(dead->elements.size(), 3);
        QByteArray errors;
        for (const farm::RedisReply &entry : dead->elements)
            errors += entry.elements.at(1).texts().join(' ') + '\n';
        QVERIFY2(errors.contains("not an Atelier farm job"), errors.constData());
        QVERIFY2(errors.contains("no model nobody-has-this"), errors.constData());
        QVERIFY2(errors.contains("Saving outside the output folder is not allowed"), errors.constData());
        QVERIFY(!QFile::exists(path(QStringLiteral("escaped_00001_.png"))));
        QVERIFY(first->process().state() == QProcess::Running);
    }

    // `farm cancel` stops a running job between sampler steps; its submitter ends with status 1, saying so.
    void cancellingStopsTheRunningJob()
    {
        const auto first = worker(m_first, QStringLiteral("busy"));
        SubmitProcess submitted(submit(m_slowGraph, {QStringLiteral("--out"), path(QStringLiteral("cancelled"))}));
        QVERIFY2(first->waitFor("started"), first->log().constData());
        const QByteArray jobId = first->log().split(' ').value(first->log().split(' ').indexOf("job") + 1);
        const CliRun cancelled =
            runAtelier({QStringLiteral("--root"), m_submitter, QStringLiteral("farm"), QStringLiteral("cancel"),
                        QString::fromUtf8(jobId), QStringLiteral("--redis"), m_redis->url()});
        QVERIFY2(cancelled.exitCode == 0, cancelled.err.constData());
        QCOMPARE(submitted.finish(30000), 1);
        QVERIFY2(submitted.err().contains("cancelled"), submitted.err().constData());
        QVERIFY2(first->waitFor("cancelled", 10000), first->log().constData());
    }
};

QTEST_GUILESS_MAIN(TestFarm)
#include "test_farm.moc"
