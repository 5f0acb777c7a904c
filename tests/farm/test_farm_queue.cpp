// A render farm as a run queue (core/farm/farm_run_queue): `atelier serve --farm` taking ComfyUI prompts over HTTP
// and handing them to a worker, and the queue the window uses, followed through its signals, against a real
// redis-server and real `atelier worker` processes.
#include "tests/app/cli_runner.h"
#include "tests/farm/farm_processes.h"
#include "tests/farm/redis_process.h"
#include "tests/fault_server.h"
#include "tests/graph/graph_test_support.h"
#include "tests/image_difference.h"

#include "core/farm/farm_run_queue.h"
#include "core/graph/api_prompt.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace atelier;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
};

Reply finish(QNetworkReply *reply)
{
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Reply result{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    reply->deleteLater();
    return result;
}

// `atelier serve` in the background: the port it listens on, read from its first line.
class ServeProcess
{
public:
    explicit ServeProcess(const QStringList &arguments)
    {
        m_process.start(QStringLiteral(ATELIER_EXECUTABLE), arguments);
        m_process.waitForStarted(5000);
        static const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000 && m_process.state() == QProcess::Running) {
            m_process.waitForReadyRead(100);
            m_out += m_process.readAllStandardOutput();
            if (const auto match = listening.match(QString::fromUtf8(m_out)); match.hasMatch()) {
                m_port = match.captured(1).toUShort();
                break;
            }
        }
    }
    ~ServeProcess() { endProcess(m_process, true); }
    quint16 port() const { return m_port; }
    QByteArray log()
    {
        m_err += m_process.readAllStandardError();
        return m_out + m_err;
    }

private:
    QProcess m_process;
    QByteArray m_out, m_err;
    quint16 m_port = 0;
};

} // namespace

class TestFarmQueue : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<RedisProcess> m_redis;
    QString m_submitter, m_workerRoot;
    QNetworkAccessManager m_network;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    std::unique_ptr<WorkerProcess> worker(const QString &name) const
    {
        return std::make_unique<WorkerProcess>(m_workerRoot, m_redis->url(), name);
    }
    static QJsonObject prompt(qint64 seed, int steps)
    {
        return graph_tests::txt2img(QStringLiteral("tiny-sd1"), QStringLiteral("a harbour at dusk"), seed, steps);
    }
    // The image `atelier run` makes of the same prompt on this machine.
    QImage reference(const QJsonObject &graph, const QString &name)
    {
        QFile file(path(name + QStringLiteral(".json")));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        file.close();
        const QString out = path(name);
        const CliRun ran = runAtelier({QStringLiteral("--root"), m_submitter, QStringLiteral("run"), file.fileName(),
                                       QStringLiteral("--out"), out});
        const QStringList made = QDir(out).entryList({QStringLiteral("*.png")}, QDir::Files);
        return ran.exitCode == 0 && made.size() == 1 ? QImage(QDir(out).filePath(made.first())) : QImage();
    }

    // The submitting machine's library and output folder, as the window's queue sees them.
    struct Submitter
    {
        std::unique_ptr<models::RecordStore> store;
        nodes::NodeEnvironment environment;
    };
    Submitter submitter(const QString &outputs) const
    {
        Submitter side;
        const Result<settings::AppRoot> root = settings::AppRoot::open(m_submitter);
        side.store = std::make_unique<models::RecordStore>(root->databasePath());
        (void)side.store->open();
        side.environment.library = {side.store.get(), QDir(m_submitter).filePath(QStringLiteral("models"))};
        side.environment.outputDir = outputs;
        return side;
    }

private slots:
    void initTestCase()
    {
        if (const QString cannot = farmTestsCannotRun(); !cannot.isEmpty())
            QSKIP(qPrintable(cannot));
        const QString model = graph_tests::fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"));
        m_submitter = path(QStringLiteral("submitter"));
        m_workerRoot = path(QStringLiteral("worker"));
        for (const QString &root : {m_submitter, m_workerRoot}) {
            const CliRun installed = installModel(root, model, QStringLiteral("tiny-sd1"));
            QVERIFY2(installed.exitCode == 0, installed.err.constData());
        }
    }
    void init()
    {
        m_redis = std::make_unique<RedisProcess>();
        QVERIFY2(m_redis->start(), m_redis->log().constData());
    }
    void cleanup() { m_redis.reset(); }

    // A ComfyUI client posts a prompt to `atelier serve --farm`: a worker makes it, the image comes back into the
    // server's output folder under the job's name, /history and /view show it as ComfyUI's would, and it is the
    // image `atelier run` makes.
    void serveHandsPromptsToTheFarm()
    {
        const auto farmhand = worker(QStringLiteral("farmhand"));
        ServeProcess serve({QStringLiteral("--root"), m_submitter, QStringLiteral("serve"), QStringLiteral("--port"),
                            QStringLiteral("0"), QStringLiteral("--farm"), m_redis->url()});
        QVERIFY2(serve.port() != 0, serve.log().constData());
        QVERIFY2(serve.log().contains("queues prompts on the farm at " + m_redis->url().toUtf8()),
                 serve.log().constData());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(serve.port());
        const QJsonObject graph = prompt(31, 4);
        QNetworkRequest request(QUrl(base + QStringLiteral("/prompt")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        const Reply queued = finish(
            m_network.post(request, QJsonDocument(QJsonObject{{"prompt", graph}, {"client_id", "krita"}}).toJson()));
        QCOMPARE(queued.status, 200);
        const QString promptId = QJsonDocument::fromJson(queued.body).object().value("prompt_id").toString();
        QVERIFY(!promptId.isEmpty());

        QJsonObject history;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(history =
                  QJsonDocument::fromJson(
                      finish(m_network.get(QNetworkRequest(QUrl(base + QStringLiteral("/history/") + promptId)))).body)
                      .object()
                      .value(promptId)
                      .toObject())
                 .isEmpty(),
            120000);
        QCOMPARE(history.value("status").toObject().value("status_str").toString(), QStringLiteral("success"));
        const QJsonArray images = history.value("outputs").toObject().value("9").toObject().value("images").toArray();
        QCOMPARE(images.size(), 1);
        const QString filename = images.first().toObject().value("filename").toString();
        QVERIFY2(filename.endsWith(QStringLiteral("_00001.png")), qPrintable(filename));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("filename"), filename);
        query.addQueryItem(QStringLiteral("type"), QStringLiteral("output"));
        const Reply viewed =
            finish(m_network.get(QNetworkRequest(QUrl(base + QStringLiteral("/view?") + query.toString()))));
        QCOMPARE(viewed.status, 200);
        const QImage farmed = QImage::fromData(viewed.body, "PNG");
        const QImage expected = reference(graph, QStringLiteral("served-reference"));
        QVERIFY(!expected.isNull() && !farmed.isNull());
        QCOMPARE(largestDifference(expected, farmed), 0);
        QVERIFY2(serve.log().contains("runs on farmhand"), serve.log().constData());
        QVERIFY2(farmhand->log().contains("completed"), farmhand->log().constData());
    }

    // The window's queue: a run no worker has taken is cancelled at once and never runs; the next is taken by the
    // worker that starts later, which the queue names, and ends with the image its SaveImage node wrote.
    void theQueueFollowsItsJobs()
    {
        const QString outputs = path(QStringLiteral("queue-outputs"));
        const Submitter side = submitter(outputs);
        farm::FarmRunQueue queue(m_redis->address(), farm::FarmKeys(), side.environment);
        QVERIFY(queue.start());
        QSignalSpy placed(&queue, &graph::RunQueue::placed);
        QSignalSpy progress(&queue, &graph::RunQueue::nodeProgress);
        QSignalSpy executed(&queue, &graph::RunQueue::nodeExecuted);
        QSignalSpy finished(&queue, &graph::RunQueue::finished);

        graph::RunQueue::Submission dropped;
        dropped.graph = graph::readApiPrompt(QJsonDocument(prompt(1, 30)).toJson()).value();
        dropped.label = QStringLiteral("dropped");
        const quint64 droppedRun = queue.submit(dropped);
        QCOMPARE(queue.waiting(), QList<quint64>{droppedRun});
        queue.cancel(droppedRun);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).value<graph::RunOutcome>().status, graph::RunOutcome::Status::Interrupted);
        QCOMPARE(queue.pending(), 0);

        graph::RunQueue::Submission kept;
        const QJsonObject graph = prompt(77, 4);
        kept.graph = graph::readApiPrompt(QJsonDocument(graph).toJson()).value();
        kept.label = QStringLiteral("kept");
        const quint64 keptRun = queue.submit(kept);
        const QString jobId = queue.jobOf(keptRun);
        QVERIFY(!jobId.isEmpty());
        QVERIFY(keptRun > droppedRun);
        QCOMPARE(queue.waiting(), QList<quint64>{keptRun});
        const auto farmhand = worker(QStringLiteral("late-farmhand"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 120000);
        const graph::RunOutcome outcome = finished.last().at(1).value<graph::RunOutcome>();
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QCOMPARE(finished.last().at(0).toULongLong(), keptRun);
        QCOMPARE(placed.size(), 1);
        QCOMPARE(placed.first().at(1).toString(), QStringLiteral("late-farmhand"));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(executed.size(), 1);
        QCOMPARE(executed.first().at(1).value<graph::NodeRunReport>().nodeId, QStringLiteral("9"));
        const auto files = executed.first().at(2).value<QList<graph::OutputFile>>();
        QCOMPARE(files.size(), 1);
        QCOMPARE(files.first().filename, farm::farmImageName(jobId, 1));
        QCOMPARE(QDir(outputs).entryList({QStringLiteral("*.png")}, QDir::Files), QStringList{files.first().filename});
        QCOMPARE(largestDifference(reference(graph, QStringLiteral("queue-reference")), QImage(files.first().path)), 0);
        QVERIFY2(!farmhand->log().contains("dropped"), farmhand->log().constData());
    }

    // Redis away when the queue starts: a clear error, and the run queued meanwhile is sent and made once Redis
    // answers.
    void runsWaitForRedis()
    {
        m_redis->stop();
        const QString outputs = path(QStringLiteral("waited-outputs"));
        const Submitter side = submitter(outputs);
        farm::FarmRunQueue queue(m_redis->address(), farm::FarmKeys(), side.environment);
        const Status started = queue.start();
        QVERIFY(!started);
        QVERIFY2(started.error().contains(m_redis->url()), qPrintable(started.error()));
        QSignalSpy finished(&queue, &graph::RunQueue::finished);
        graph::RunQueue::Submission run;
        run.graph = graph::readApiPrompt(QJsonDocument(prompt(5, 3)).toJson()).value();
        queue.submit(run);
        QTest::qWait(1500);
        QCOMPARE(finished.size(), 0);
        QVERIFY(m_redis->start());
        const auto farmhand = worker(QStringLiteral("patient"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        QVERIFY(finished.first().at(1).value<graph::RunOutcome>().ok());
    }

    // `atelier worker --fetch-missing` on an empty library: a job's model comes from the source the job gives (a real
    // HTTP server here) and the job is made; a source serving another file than the job's SHA-256 is refused, the
    // file removed again, and that job ends in the dead-letter stream after its attempts, as does one giving a path
    // on the worker's disk as its source.
    void aWorkerFetchesWhatItLacks()
    {
        const auto bytesOf = [](const QString &model) {
            QFile file(graph_tests::checkpointOf(model));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        const QByteArray model = bytesOf(QStringLiteral("tiny-sd1"));
        const QByteArray impostor = bytesOf(QStringLiteral("tiny-sd2v"));
        QVERIFY(!model.isEmpty() && !impostor.isEmpty());
        const QString sha256 = QString::fromLatin1(QCryptographicHash::hash(model, QCryptographicHash::Sha256).toHex());
        FaultServer hub;
        FaultRoute file;
        file.body = model;
        hub.setRoute("/tiny-sd1.safetensors", file);
        file.body = impostor;
        hub.setRoute("/impostor.safetensors", file);

        farm::FarmClient client(m_redis->address(), farm::FarmKeys());
        QVERIFY(client.connect());
        // The bad jobs name a model nobody serves, so that the real one, once fetched, never satisfies them.
        const QString elsewhere =
            QString::fromLatin1(QCryptographicHash::hash("a model nobody serves", QCryptographicHash::Sha256).toHex());
        const auto job = [&](const QString &id, const QString &model, const QString &hash, const QString &source) {
            farm::FarmJob made;
            made.id = id;
            made.graph = QJsonDocument(graph_tests::txt2img(model, QStringLiteral("a harbour at dusk"), 9, 3))
                             .toJson(QJsonDocument::Compact);
            made.models = {{QStringLiteral("4"), QStringLiteral("ckpt_name"), model, hash, source}};
            return made;
        };
        QVERIFY(client.submit(job(QStringLiteral("impostor"), QStringLiteral("someone-elses"), elsewhere,
                                  hub.url("/impostor.safetensors").toString())));
        QVERIFY(client.submit(job(QStringLiteral("local-path"), QStringLiteral("someone-elses"), elsewhere,
                                  graph_tests::checkpointOf(QStringLiteral("tiny-sd1")))));
        const QString empty = path(QStringLiteral("empty-library"));
        WorkerProcess fetcher(empty, m_redis->url(), QStringLiteral("fetcher"), {QStringLiteral("--fetch-missing")});
        QVERIFY2(fetcher.waitFor("it was removed again"), fetcher.log().constData());
        QVERIFY(client.submit(job(QStringLiteral("fetched"), QStringLiteral("tiny-sd1"), sha256,
                                  hub.url("/tiny-sd1.safetensors").toString())));

        QMap<QString, QByteArray> cursors{
            {QStringLiteral("impostor"), "0"}, {QStringLiteral("fetched"), "0"}, {QStringLiteral("local-path"), "0"}};
        QMap<QString, farm::FarmEvent> ends;
        QElapsedTimer timer;
        timer.start();
        while (ends.size() < 3 && timer.elapsed() < 120000) {
            const auto events = client.read(cursors, std::chrono::milliseconds(500));
            QVERIFY(events);
            for (const farm::FarmEvent &event : events.value())
                if (event.type == "completed" || event.type == "error")
                    ends.insert(event.jobId, event);
        }
        QCOMPARE(ends.value(QStringLiteral("fetched")).type, QByteArray("completed"));
        QCOMPARE(ends.value(QStringLiteral("impostor")).type, QByteArray("error"));
        const QByteArray why = ends.value(QStringLiteral("impostor")).fields.value("message");
        QVERIFY2(why.contains("not the model the job names"), why.constData());
        const QByteArray refused = ends.value(QStringLiteral("local-path")).fields.value("message");
        QVERIFY2(refused.contains("http(s) addresses only"), refused.constData());
        QVERIFY2(fetcher.log().contains("fetching tiny-sd1 from " + hub.url("/tiny-sd1.safetensors").toEncoded()),
                 fetcher.log().constData());
        // The fetched model stays in the worker's library; the impostor left nothing behind.
        const CliRun listed = runAtelier({QStringLiteral("--root"), empty, QStringLiteral("models"),
                                          QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(listed.exitCode, 0);
        const QJsonArray models = QJsonDocument::fromJson(listed.out).array();
        QCOMPARE(models.size(), 1);
        QVERIFY2(listed.out.contains(sha256.toLatin1()), listed.out.constData());
    }

    // `atelier serve --farm` with a farm that does not answer ends at once, saying so without the password.
    void serveRefusesAnUnreachableFarm()
    {
        const CliRun served = runAtelier({QStringLiteral("--root"), m_submitter, QStringLiteral("serve"),
                                          QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--farm"),
                                          QStringLiteral("redis://artist:hunter2@127.0.0.1:1")});
        QCOMPARE(served.exitCode, 1);
        QVERIFY2(served.err.contains("redis://artist:***@127.0.0.1:1") && !served.err.contains("hunter2"),
                 served.err.constData());
        Submitter side = submitter(path(QStringLiteral("unused")));
        farm::FarmRunQueue queue(farm::parseRedisUrl(QStringLiteral("redis://artist:hunter2@127.0.0.1:1")).value(),
                                 farm::FarmKeys(), side.environment);
        QCOMPARE(queue.farmName(), QStringLiteral("redis://artist:***@127.0.0.1:1"));
        const Status started = queue.start();
        QVERIFY(!started);
        QVERIFY2(!started.error().contains(QLatin1String("hunter2")), qPrintable(started.error()));
    }
};

QTEST_GUILESS_MAIN(TestFarmQueue)
#include "test_farm_queue.moc"
