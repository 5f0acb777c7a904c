// The farm's job format and Redis URLs: what a worker accepts from a stream, and what a message may show.
#include "core/farm/farm_client.h"
#include "core/farm/farm_job.h"
#include "core/farm/redis_connection.h"

#include <QTemporaryDir>
#include <QTest>

using namespace atelier::farm;

class TestFarmJob : public QObject
{
    Q_OBJECT

private slots:
    void urlsAreReadAndPasswordsNeverShown()
    {
        const auto address = parseRedisUrl(QStringLiteral("redis://render:s3cr%40t@farm.example:6380/2"));
        QVERIFY2(address, qPrintable(address.error()));
        QCOMPARE(address->host, QStringLiteral("farm.example"));
        QCOMPARE(address->port, 6380);
        QCOMPARE(address->user, QStringLiteral("render"));
        QCOMPARE(address->password, QStringLiteral("s3cr@t"));
        QCOMPARE(address->database, 2);
        QCOMPARE(address->shown(), QStringLiteral("redis://render:***@farm.example:6380/2"));

        const auto plain = parseRedisUrl(QStringLiteral("redis://127.0.0.1"));
        QVERIFY(plain);
        QCOMPARE(plain->port, 6379);
        QCOMPARE(plain->shown(), QStringLiteral("redis://127.0.0.1:6379"));
        const auto socket = parseRedisUrl(QStringLiteral("unix:///run/redis/redis.sock?db=3"));
        QVERIFY(socket);
        QCOMPARE(socket->socketPath, QStringLiteral("/run/redis/redis.sock"));
        QCOMPARE(socket->database, 3);
    }

    void badUrlsAreRefusedWithoutRepeatingThem()
    {
        for (const QString &url :
             {QStringLiteral("http://user:hunter2@host"), QStringLiteral("redis://:hunter2@/0"),
              QStringLiteral("redis://user:hunter2@host/99"), QStringLiteral("hunter2"), QStringLiteral("unix://")}) {
            const auto address = parseRedisUrl(url);
            QVERIFY2(!address, qPrintable(url));
            QVERIFY2(!address.error().contains(QStringLiteral("hunter2")), qPrintable(address.error()));
        }
        const auto tls = parseRedisUrl(QStringLiteral("rediss://user:hunter2@host:6380"));
        QVERIFY(!tls);
        QVERIFY2(tls.error().contains(QStringLiteral("TLS")) && !tls.error().contains(QStringLiteral("hunter2")),
                 qPrintable(tls.error()));
    }

    void aJobSurvivesTheStream()
    {
        FarmJob job;
        job.id = QStringLiteral("a1b2c3-0001");
        job.label = QStringLiteral("portrait.json (1 of 4)");
        job.graph = R"({"3":{"class_type":"KSampler","inputs":{"seed":5}}})";
        job.models = {{QStringLiteral("4"), QStringLiteral("ckpt_name"), QStringLiteral("tiny-sd1"),
                       QString(64, QLatin1Char('a')), QStringLiteral("https://example.com/tiny.safetensors")}};
        job.targets = {QStringLiteral("3")};
        job.workflow = R"({"last_node_id":9,"nodes":[]})";
        const auto read = FarmJob::fromJson(job.toJson());
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->id, job.id);
        QCOMPARE(read->label, job.label);
        QCOMPARE(read->graph, job.graph);
        QCOMPARE(read->models.size(), 1);
        QCOMPARE(read->models.first().sha256, job.models.first().sha256);
        QCOMPARE(read->models.first().source, job.models.first().source);
        QCOMPARE(read->targets, job.targets);
        QCOMPARE(read->workflow, job.workflow);
        job.workflow = "not a workflow"; // left out rather than sent broken
        QVERIFY(!FarmJob::fromJson(job.toJson())->workflow.size());
        QCOMPARE(farmImageName(job.id, 3), QStringLiteral("a1b2c3-0001_00003.png"));
    }

    void sourcesAreSharedWithoutSecrets()
    {
        QCOMPARE(shareableSource(QStringLiteral("https://user:pw@example.com/m.safetensors?token=abc&type=Model")),
                 QStringLiteral("https://example.com/m.safetensors?type=Model"));
        QCOMPARE(shareableSource(QStringLiteral("https://cdn.example/m.bin?X-Amz-Signature=1&X-Amz-Expires=2")),
                 QStringLiteral("https://cdn.example/m.bin"));
        QCOMPARE(shareableSource(QStringLiteral("/home/artist/models/m.safetensors")), QString());
        QCOMPARE(shareableSource(QStringLiteral("runwayml/stable-diffusion-v1-5")), QString());
    }

    // A result stream can only write its own job's images.
    void imagesAreWrittenUnderTheirJobsNamesOnly()
    {
        QTemporaryDir folder;
        QVERIFY(saveFarmImage(folder.path(), QStringLiteral("abc-1"), "abc-1_00001.png", "png"));
        QVERIFY(QFile::exists(folder.filePath(QStringLiteral("abc-1_00001.png"))));
        for (const QByteArray &name : {QByteArray("other_00001.png"), QByteArray("../abc-1_00001.png"),
                                       QByteArray("abc-1_00001.png/x"), QByteArray("abc-1_1.png")}) {
            const atelier::Status refused = saveFarmImage(folder.path(), QStringLiteral("abc-1"), name, "png");
            QVERIFY2(!refused && refused.error().contains(QStringLiteral("refused")), name.constData());
        }
    }

    void hostileJobsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("error");
        const QByteArray graph = R"("graph":{"1":{"class_type":"SaveImage","inputs":{}}})";
        QTest::newRow("not JSON") << QByteArray("{\"format\": ") << QStringLiteral("not an Atelier farm job");
        QTest::newRow("another format") << QByteArray(R"({"format":"comfy","version":1})")
                                        << QStringLiteral("not an Atelier farm job");
        QTest::newRow("a later version") << QByteArray(R"({"format":"atelier-farm-job","version":2,"id":"a",)" + graph +
                                                       "}")
                                         << QStringLiteral("version");
        QTest::newRow("an id that walks out")
            << QByteArray(R"({"format":"atelier-farm-job","version":1,"id":"../../x",)" + graph + "}")
            << QStringLiteral("id");
        QTest::newRow("no graph") << QByteArray(R"({"format":"atelier-farm-job","version":1,"id":"a"})")
                                  << QStringLiteral("no graph");
        QTest::newRow("models not a list")
            << QByteArray(R"({"format":"atelier-farm-job","version":1,"id":"a","models":{},)" + graph + "}")
            << QStringLiteral("models");
        QTest::newRow("a target the graph lacks")
            << QByteArray(R"({"format":"atelier-farm-job","version":1,"id":"a","targets":["7"],)" + graph + "}")
            << QStringLiteral("targets");
        QTest::newRow("a workflow that is not an object")
            << QByteArray(R"({"format":"atelier-farm-job","version":1,"id":"a","workflow":[1],)" + graph + "}")
            << QStringLiteral("workflow");
        QTest::newRow("too large") << QByteArray(FarmJob::kMaxBytes + 1, ' ')
                                   << QStringLiteral("more than a job may be");
    }
    void hostileJobsAreRefused()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, error);
        const auto read = FarmJob::fromJson(message);
        QVERIFY(!read);
        QVERIFY2(read.error().contains(error), qPrintable(read.error()));
        QCOMPARE(read.errorType(), QStringLiteral("MalformedJob"));
    }
};

QTEST_GUILESS_MAIN(TestFarmJob)
#include "test_farm_job.moc"
