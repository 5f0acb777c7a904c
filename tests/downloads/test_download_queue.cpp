#include "core/downloads/download_queue.h"
#include "core/models/install/library_download_journal.h"
#include "core/models/record_store.h"
#include "tests/downloads/download_test_support.h"
#include "tests/fault_server.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QtTest>

using namespace atelier::downloads;
using atelier::models::LibraryDownloadJournal;
using namespace atelier::test;

namespace {

// The child process of survivesBeingKilledMidDownload: downloads one file through a journaled queue until killed.
int childDownloader()
{
    atelier::models::RecordStore store(qEnvironmentVariable("ATELIER_TEST_CHILD_DB"));
    if (!store.open())
        return 3;
    LibraryDownloadJournal journal(store);
    DownloadQueue queue(quick(), &journal);
    const int id = queue.submit(jobFor(QUrl(qEnvironmentVariable("ATELIER_TEST_CHILD_URL")), qEnvironmentVariable("ATELIER_TEST_CHILD_DEST")));
    queue.waitForJob(id);
    return 4;  // the parent kills this process long before the download ends
}

} // namespace

class TestDownloadQueue : public QObject
{
    Q_OBJECT
private slots:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void downloadsWholeFilesUnderTheServersName()
    {
        FaultServer server;
        const QByteArray body = payload(3 << 20, 1);
        FaultRoute route;
        route.body = body;
        route.headers = {{"Content-Disposition", "attachment; filename=\"dreamshaper_8.safetensors\""}};
        server.setRoute("/api/download/models/128713", route);
        // Declared before the queue, which may publish until it is destroyed.
        QList<DownloadJob> events;
        QMutex mutex;
        DownloadQueue queue(quick());
        connect(&queue, &DownloadQueue::jobChanged, this, [&](const DownloadJob &job) {
            QMutexLocker lock(&mutex);
            events << job;
        }, Qt::DirectConnection);
        const int id = queue.submit(jobFor(server.url("/api/download/models/128713"), m_dir->path()));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("completed"));
        QCOMPARE(job.downloadPath, m_dir->filePath(QStringLiteral("dreamshaper_8.safetensors")));
        QCOMPARE(job.bytes, qint64(body.size()));
        QCOMPARE(job.totalBytes, qint64(body.size()));
        QVERIFY(job.jobStarted.isValid() && job.jobEnded >= job.jobStarted);
        QCOMPARE(fileBytes(job.downloadPath), body);
        QVERIFY(partFiles(m_dir->path()).isEmpty());
        // enqueued, running (with progress), completed; progress never goes back.
        QMutexLocker lock(&mutex);
        QCOMPARE(toString(events.first().status), QStringLiteral("enqueued"));
        QCOMPARE(toString(events.last().status), QStringLiteral("completed"));
        qint64 previous = 0;
        int progress = 0;
        for (const DownloadJob &event : std::as_const(events)) {
            QVERIFY(event.bytes >= previous);
            previous = event.bytes;
            progress += event.status == DownloadStatus::Running && event.bytes > 0;
        }
        QVERIFY2(progress >= 5, qPrintable(QString::number(progress)));
    }

    void hostileServerNamesStayInTheFolder_data()
    {
        QTest::addColumn<QByteArray>("disposition");
        QTest::addColumn<QString>("expected");
        QTest::newRow("traversal") << QByteArray("attachment; filename=\"../../etc/passwd\"") << "passwd";
        QTest::newRow("absolute") << QByteArray("attachment; filename=\"/tmp/evil.sh\"") << "evil.sh";
        QTest::newRow("1000 characters") << QByteArray("attachment; filename=\"" + QByteArray(1000, 'x') + ".safetensors\"")
                                         << QString(188, QLatin1Char('x')) + QStringLiteral(".safetensors");
        QTest::newRow("newline") << QByteArray("attachment; filename=\"a\\nb.ckpt\"") << "anb.ckpt";
        QTest::newRow("unicode") << QByteArray("attachment; filename*=UTF-8''%E2%9C%A8%20model.safetensors") << QStringLiteral("✨ model.safetensors");
    }

    void hostileServerNamesStayInTheFolder()
    {
        QFETCH(QByteArray, disposition);
        QFETCH(QString, expected);
        FaultServer server;
        FaultRoute route;
        route.body = payload(1000, 2);
        route.headers = {{"Content-Disposition", disposition}};
        server.setRoute("/file", route);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/file"), m_dir->path()));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("completed"));
        QCOMPARE(QFileInfo(job.downloadPath).dir().absolutePath(), QDir(m_dir->path()).absolutePath());
        QCOMPARE(QFileInfo(job.downloadPath).fileName(), expected);
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 1);
    }

    void neverReplacesAFileTheServerNamedAlike()
    {
        FaultServer server;
        FaultRoute route;
        route.body = payload(3000, 20);
        route.headers = {{"Content-Disposition", "attachment; filename=\"model.safetensors\""}};
        server.setRoute("/model", route);
        const QString existing = m_dir->filePath(QStringLiteral("model.safetensors"));
        QFile mine(existing);
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("the user's own model");
        mine.close();
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/model"), m_dir->path()));
        QVERIFY(queue.waitForJob(id, 10000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("completed"));
        QCOMPARE(job.downloadPath, m_dir->filePath(QStringLiteral("model (2).safetensors")));
        QCOMPARE(fileBytes(job.downloadPath), route.body);
        QCOMPARE(fileBytes(existing), QByteArray("the user's own model"));
    }

    void retriesServerErrorsButNotClientErrors()
    {
        FaultServer server;
        FaultRoute flaky;
        flaky.body = payload(5000, 3);
        flaky.failFirst = 2;
        server.setRoute("/flaky.bin", flaky);
        FaultRoute missing;
        missing.status = 404;
        server.setRoute("/missing.bin", missing);
        DownloadQueue queue(quick());
        const int ok = queue.submit(jobFor(server.url("/flaky.bin"), m_dir->path()));
        const int gone = queue.submit(jobFor(server.url("/missing.bin"), m_dir->path()));
        QVERIFY(queue.join(20000));
        QCOMPARE(toString(queue.jobById(ok)->status), QStringLiteral("completed"));
        QVERIFY(server.requests("/flaky.bin").size() >= 3);  // two failures, then the success
        const DownloadJob failed = *queue.jobById(gone);
        QCOMPARE(toString(failed.status), QStringLiteral("error"));
        QCOMPARE(failed.errorType, QStringLiteral("HttpError"));
        QVERIFY2(failed.errorMessage.contains(QStringLiteral("404")), qPrintable(failed.errorMessage));
        // Not retried: the queue ends a 4xx at once (Qt itself may re-send a request, so requests are not counted).
        QVERIFY(!failed.errorMessage.contains(QStringLiteral("gave up")));
        QVERIFY(partFiles(m_dir->path()).isEmpty());
    }

    void honoursRetryAfter()
    {
        FaultServer server;
        FaultRoute busy;
        busy.body = payload(100, 4);
        busy.failFirst = 1;
        busy.failStatus = 503;
        busy.retryAfter = "1";
        server.setRoute("/busy", busy);
        DownloadQueue queue(quick());
        QElapsedTimer timer;
        timer.start();
        const int id = queue.submit(jobFor(server.url("/busy"), m_dir->filePath(QStringLiteral("busy.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QVERIFY2(timer.elapsed() >= 950, qPrintable(QString::number(timer.elapsed())));
    }

    void resumesADroppedConnectionWithRange()
    {
        FaultServer server;
        FaultRoute dropping;
        dropping.body = payload(2 << 20, 5);
        dropping.dropAfter = 700000;
        server.setRoute("/model.safetensors", dropping);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/model.safetensors"), m_dir->filePath(QStringLiteral("model.safetensors"))));
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("model.safetensors"))), dropping.body);
        // The try that completed the file resumed where it stood, under the ETag it was started with. (Qt's HTTP
        // layer may re-send a request on its own under load, so the number of requests is not asserted.)
        const QList<RecordedRequest> requests = server.requests("/model.safetensors");
        QVERIFY(requests.size() >= 2);
        QVERIFY(!requests.first().headers.contains("range"));
        const RecordedRequest &last = requests.last();
        QVERIFY2(last.headers.value("range").startsWith("bytes=") && last.headers.value("range") != "bytes=0-",
                 last.headers.value("range").constData());
        QCOMPARE(last.headers.value("if-range"), QByteArray("\"v1\""));
    }

    void startsOverWhenTheServerIgnoresRange()
    {
        FaultServer server;
        FaultRoute noRanges;
        noRanges.body = payload(1 << 20, 6);
        noRanges.dropAfter = 300000;
        noRanges.supportsRange = false;
        noRanges.headers = {{"Last-Modified", "Mon, 23 Nov 2026 04:00:00 GMT"}};
        server.setRoute("/plain.bin", noRanges);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/plain.bin"), m_dir->filePath(QStringLiteral("plain.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("plain.bin"))), noRanges.body);
    }

    void wrongContentLengthEndsInErrorWithoutAFile()
    {
        FaultServer server;
        FaultRoute liar;
        liar.body = payload(1000, 7);
        liar.declaredLength = 5000;
        liar.supportsRange = false;
        server.setRoute("/liar.bin", liar);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/liar.bin"), m_dir->filePath(QStringLiteral("liar.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QVERIFY2(job.errorMessage.contains(QStringLiteral("5000")), qPrintable(job.errorMessage));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("liar.bin"))));
        // What arrived stays as the partial file, for a later run to resume (see the give-up test).
        QCOMPARE(partFiles(m_dir->path()),
                 QStringList({QStringLiteral("liar.bin.part"), QStringLiteral("liar.bin.part.json")}));
    }

    void stalledTransfersTimeOut()
    {
        FaultServer server;
        FaultRoute stalling;
        stalling.body = payload(100000, 8);
        stalling.stallAfter = 1000;
        server.setRoute("/stall.bin", stalling);
        DownloadQueue::Options options = quick();
        options.maxAttempts = 2;
        options.stallTimeoutMs = 400;
        DownloadQueue queue(options);
        const int id = queue.submit(jobFor(server.url("/stall.bin"), m_dir->filePath(QStringLiteral("stall.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QCOMPARE(job.errorType, QStringLiteral("Timeout"));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("stall.bin"))));
        QVERIFY(partFiles(m_dir->path()).contains(QStringLiteral("stall.bin.part")));
    }

    void checksTheExpectedSha256()
    {
        FaultServer server;
        FaultRoute route;
        route.body = payload(4096, 9);
        server.setRoute("/weights.bin", route);
        DownloadQueue queue(quick());
        DownloadJob good = jobFor(server.url("/weights.bin"), m_dir->filePath(QStringLiteral("good.bin")));
        good.expectedSha256 = QString::fromLatin1(QCryptographicHash::hash(route.body, QCryptographicHash::Sha256).toHex());
        DownloadJob bad = jobFor(server.url("/weights.bin"), m_dir->filePath(QStringLiteral("bad.bin")));
        bad.expectedSha256 = QString(64, QLatin1Char('0'));
        const int goodId = queue.submit(good);
        const int badId = queue.submit(bad);
        QVERIFY(queue.join(20000));
        QCOMPARE(toString(queue.jobById(goodId)->status), QStringLiteral("completed"));
        const DownloadJob failed = *queue.jobById(badId);
        QCOMPARE(failed.errorType, QStringLiteral("Mismatch"));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("bad.bin"))));
        QVERIFY(partFiles(m_dir->path()).isEmpty());
    }

    void tokensGoToTheSourceHostOnly()
    {
        FaultServer origin;                                   // 127.0.0.1
        FaultServer cdn(QHostAddress(QStringLiteral("127.0.0.2")));  // another host
        FaultRoute file;
        file.body = payload(2000, 10);
        cdn.setRoute("/blob", file);
        FaultRoute gated;
        gated.requiredToken = "hf_secret";
        gated.redirectTo = cdn.url("/blob").toEncoded();
        origin.setRoute("/resolve/main/model.safetensors", gated);
        DownloadQueue queue(quick());

        const int anonymous = queue.submit(jobFor(origin.url("/resolve/main/model.safetensors"), m_dir->filePath(QStringLiteral("a.bin"))));
        QVERIFY(queue.waitForJob(anonymous, 20000));
        QVERIFY2(queue.jobById(anonymous)->errorMessage.contains(QStringLiteral("401")), qPrintable(queue.jobById(anonymous)->errorMessage));

        DownloadJob withToken = jobFor(origin.url("/resolve/main/model.safetensors"), m_dir->filePath(QStringLiteral("b.bin")));
        withToken.accessToken = QStringLiteral("hf_secret");
        const int id = queue.submit(withToken);
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("b.bin"))), file.body);
        QCOMPARE(origin.requests("/resolve/main/model.safetensors").last().headers.value("authorization"), QByteArray("Bearer hf_secret"));
        QVERIFY(!cdn.requests("/blob").last().headers.contains("authorization"));
    }

    void civitaiTakesTheTokenInTheQuery()
    {
        FaultServer civitai;                                     // stands for civitai.com
        FaultServer storage(QHostAddress(QStringLiteral("127.0.0.2")));  // the signed storage URL it redirects to
        FaultRoute file;
        file.body = payload(3000, 16);
        storage.setRoute("/signed/lora.safetensors", file);
        FaultRoute gated;
        gated.requiredQueryToken = "civitai_secret";
        gated.redirectTo = storage.url("/signed/lora.safetensors").toEncoded();
        civitai.setRoute("/api/download/models/63006", gated);
        DownloadQueue::Options options = quick();
        options.queryTokenHosts = {QStringLiteral("127.0.0.1")};
        DownloadQueue queue(options);

        DownloadJob job = jobFor(civitai.url("/api/download/models/63006"), m_dir->filePath(QStringLiteral("lora.safetensors")));
        job.accessToken = QStringLiteral("civitai_secret");
        const int id = queue.submit(job);
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("lora.safetensors"))), file.body);
        const RecordedRequest asked = civitai.requests("/api/download/models/63006").last();
        QCOMPARE(asked.query, QByteArray("token=civitai_secret"));
        QVERIFY(!asked.headers.contains("authorization"));
        const RecordedRequest fetched = storage.requests("/signed/lora.safetensors").last();
        QVERIFY(!fetched.query.contains("token") && !fetched.headers.contains("authorization"));
        // The job, as everyone sees it, never shows the token in its URL.
        QVERIFY(!queue.jobById(id)->source.toString().contains(QStringLiteral("civitai_secret")));
    }

    void jobAndQueueHandlersSeeEveryEvent()
    {
        FaultServer server;
        FaultRoute route;
        route.body = payload(1 << 20, 17);
        route.chunkDelayMs = 5;
        server.setRoute("/m.bin", route);
        QMutex mutex;
        QStringList jobEvents;
        QStringList queueEvents;
        bool handlersInOrder = true;
        DownloadQueue::Options options = quick();
        options.eventHandlers << [&](const DownloadJob &job) {
            QMutexLocker lock(&mutex);
            queueEvents << toString(job.status);
        };
        DownloadQueue queue(options);
        const int id = queue.createDownloadJob(server.url("/m.bin"), m_dir->path(), QStringLiteral("../escape/named.bin"), true, 10,
                                               QString(), {[&](const DownloadJob &job) {
                                                   QMutexLocker lock(&mutex);
                                                   // The job's own handlers run before the queue's.
                                                   handlersInOrder = handlersInOrder && jobEvents.size() == queueEvents.size();
                                                   jobEvents << toString(job.status);
                                               }});
        QVERIFY(queue.waitForJob(id, 20000));
        QMutexLocker lock(&mutex);
        QCOMPARE(jobEvents, queueEvents);
        QVERIFY(handlersInOrder);
        QCOMPARE(jobEvents.last(), QStringLiteral("completed"));
        QVERIFY2(jobEvents.count(QStringLiteral("running")) >= 2, qPrintable(jobEvents.join(QLatin1Char(' '))));
        // The caller's file name is reduced to a base name inside the folder.
        QCOMPARE(queue.jobById(id)->downloadPath, m_dir->filePath(QStringLiteral("named.bin")));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("named.bin"))), route.body);
    }

    void controlOfAnUnknownJobIsRefused()
    {
        DownloadQueue queue(quick());
        QVERIFY(!queue.startJob(42));
        QVERIFY(!queue.pauseJob(42));
        QVERIFY(!queue.cancelJob(42));
        QVERIFY(!queue.addEventHandler(42, [](const DownloadJob &) {}));
        QVERIFY(!queue.jobById(42));
    }

    void unfinishedJobsComeBackPausedAfterARestart()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(2 << 20, 18);
        server.setRoute("/big.bin", slow);
        FaultRoute small;
        small.body = payload(100, 19);
        server.setRoute("/small.bin", small);
        const QString library = m_dir->filePath(QStringLiteral("atelier.db"));
        const QString destination = m_dir->filePath(QStringLiteral("big.bin"));
        int bigId = -1;
        int idleId = -1;
        {
            atelier::models::RecordStore store(library);
            QVERIFY(store.open());
            LibraryDownloadJournal journal(store);
            DownloadQueue queue(quick(), &journal);
            DownloadJob big = jobFor(server.url("/big.bin"), destination);
            big.accessToken = QStringLiteral("not-written-to-the-library");
            bigId = queue.submit(big);
            idleId = queue.submit(jobFor(server.url("/small.bin"), m_dir->filePath(QStringLiteral("later.bin"))), false);
            const int doneId = queue.submit(jobFor(server.url("/small.bin"), m_dir->filePath(QStringLiteral("small.bin"))));
            QVERIFY(queue.waitForJob(doneId, 10000));
            QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(bigId)->bytes > 200000, 10000);
            // The application quits in the middle of the download.
        }
        QVERIFY(QFileInfo(destination + QStringLiteral(".part")).size() > 0);
        for (const QString &file : {library, library + QStringLiteral("-wal")}) {
            QFile raw(file);
            if (raw.open(QIODevice::ReadOnly))
                QVERIFY(!raw.readAll().contains("not-written-to-the-library"));
        }

        atelier::models::RecordStore store(library);
        QVERIFY(store.open());
        LibraryDownloadJournal journal(store);
        DownloadQueue::Options options = quick();
        options.accessTokenFor = [](const QUrl &) { return QStringLiteral("from-the-settings"); };
        DownloadQueue queue(options, &journal);
        QCOMPARE(queue.listJobs().size(), 2);  // the completed one is not kept
        const DownloadJob restored = *queue.jobById(bigId);
        QCOMPARE(toString(restored.status), QStringLiteral("paused"));
        QCOMPARE(restored.bytes, QFileInfo(destination + QStringLiteral(".part")).size());
        QCOMPARE(restored.accessToken, QStringLiteral("from-the-settings"));
        QCOMPARE(toString(queue.jobById(idleId)->status), QStringLiteral("idle"));
        // New jobs never reuse a restored id.
        const int fresh = queue.submit(jobFor(server.url("/small.bin"), m_dir->filePath(QStringLiteral("fresh.bin"))));
        QVERIFY(fresh > bigId && fresh > idleId);

        QVERIFY(queue.startJob(bigId));
        QVERIFY(queue.waitForJob(bigId, 60000));
        QCOMPARE(toString(queue.jobById(bigId)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(destination), slow.body);
        QVERIFY(server.requests("/big.bin").last().headers.value("range").startsWith("bytes="));
        QVERIFY(queue.cancelJob(idleId));
        QVERIFY(queue.waitForJob(idleId, 5000) && queue.waitForJob(fresh, 10000));
        // Everything ended, so nothing is left to restore.
        QTRY_VERIFY_WITH_TIMEOUT(journal.unfinished().isEmpty(), 5000);
    }

    void survivesBeingKilledMidDownload()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(3 << 20, 20);
        server.setRoute("/big.bin", slow);
        const QString library = m_dir->filePath(QStringLiteral("atelier.db"));
        const QString destination = m_dir->filePath(QStringLiteral("big.bin"));
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("ATELIER_TEST_CHILD_DB"), library);
        environment.insert(QStringLiteral("ATELIER_TEST_CHILD_URL"), server.url("/big.bin").toString());
        environment.insert(QStringLiteral("ATELIER_TEST_CHILD_DEST"), destination);
        child.setProcessEnvironment(environment);
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(destination + QStringLiteral(".part")).size() > 300000, 20000);
        child.kill();  // SIGKILL: no destructor, no clean-up
        QVERIFY(child.waitForFinished());

        atelier::models::RecordStore store(library);
        QVERIFY(store.open());
        LibraryDownloadJournal journal(store);
        DownloadQueue queue(quick(), &journal);
        QCOMPARE(queue.listJobs().size(), 1);
        const DownloadJob restored = queue.listJobs().first();
        QCOMPARE(toString(restored.status), QStringLiteral("paused"));
        QVERIFY(restored.bytes > 300000);
        QVERIFY(queue.startJob(restored.id));
        QVERIFY(queue.waitForJob(restored.id, 60000));
        QCOMPARE(toString(queue.jobById(restored.id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(destination), slow.body);
        QVERIFY(server.requests("/big.bin").last().headers.value("range").startsWith("bytes="));
    }

    void aDamagedJournalEntryIsDroppedNotFatal()
    {
        const QString library = m_dir->filePath(QStringLiteral("atelier.db"));
        atelier::models::RecordStore store(library);
        QVERIFY(store.open());
        QVERIFY(store.journalJob(QStringLiteral("download"), QStringLiteral("3"), "{not json"));
        QVERIFY(store.journalJob(QStringLiteral("download"), QStringLiteral("4"),
                                 R"({"id": 4, "status": "running", "source": "relative/path", "destination": "/tmp/x"})"));
        LibraryDownloadJournal journal(store);
        DownloadQueue queue(quick(), &journal);
        QVERIFY(queue.listJobs().isEmpty());
        QVERIFY(store.journaledJobs(QStringLiteral("download")).value().isEmpty());
    }

    void pausesKeepingThePartAndResumes()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(2 << 20, 11);
        server.setRoute("/slow.bin", slow);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/slow.bin"), m_dir->filePath(QStringLiteral("slow.bin"))));
        QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(id)->bytes > 200000, 10000);
        queue.pauseJob(id);
        QTRY_COMPARE_WITH_TIMEOUT(toString(queue.jobById(id)->status), QStringLiteral("paused"), 5000);
        QVERIFY(QFileInfo(m_dir->filePath(QStringLiteral("slow.bin.part"))).size() > 0);
        queue.startJob(id);
        QVERIFY(queue.waitForJob(id, 30000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("slow.bin"))), slow.body);
        QVERIFY(server.requests("/slow.bin").last().headers.value("range").startsWith("bytes="));
    }

    void cancelRemovesThePartUnlessAskedToKeepIt()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(2 << 20, 12);
        server.setRoute("/slow.bin", slow);
        DownloadQueue queue(quick());
        const int dropped = queue.submit(jobFor(server.url("/slow.bin"), m_dir->filePath(QStringLiteral("x.bin"))));
        DownloadJob keep = jobFor(server.url("/slow.bin"), m_dir->filePath(QStringLiteral("y.bin")));
        keep.preservePartialDownloads = true;
        const int kept = queue.submit(keep);
        QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(dropped)->bytes > 0 && queue.jobById(kept)->bytes > 0, 10000);
        queue.cancelJob(dropped);
        queue.cancelJob(kept);
        QVERIFY(queue.waitForJob(dropped, 5000) && queue.waitForJob(kept, 5000));
        QCOMPARE(toString(queue.jobById(dropped)->status), QStringLiteral("cancelled"));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("x.bin.part"))));
        QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("y.bin.part"))));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("x.bin"))));
    }

    void lowerPriorityNumbersRunFirst()
    {
        FaultServer server;
        FaultRoute slow;
        slow.body = payload(300000, 13);
        slow.chunkDelayMs = 20;
        server.setRoute("/first", slow);
        FaultRoute quickRoute;
        quickRoute.body = payload(100, 14);
        for (const char *path : {"/p5", "/p1", "/p3"})
            server.setRoute(path, quickRoute);
        DownloadQueue queue(quick(1));
        const int first = queue.submit(jobFor(server.url("/first"), m_dir->filePath(QStringLiteral("first"))));
        QTRY_COMPARE_WITH_TIMEOUT(toString(queue.jobById(first)->status), QStringLiteral("running"), 5000);
        QMap<int, int> idByPriority;
        for (const auto &[path, priority] : QList<QPair<QByteArray, int>>{{"/p5", 5}, {"/p1", 1}, {"/p3", 3}}) {
            DownloadJob job = jobFor(server.url(path), m_dir->filePath(QString::fromLatin1(path.mid(1))));
            job.priority = priority;
            idByPriority[priority] = queue.submit(job);
        }
        QVERIFY(queue.join(20000));
        const int s1 = queue.jobById(idByPriority[1])->jobSequence;
        const int s3 = queue.jobById(idByPriority[3])->jobSequence;
        const int s5 = queue.jobById(idByPriority[5])->jobSequence;
        QVERIFY2(s1 < s3 && s3 < s5, qPrintable(QStringLiteral("%1 %2 %3").arg(s1).arg(s3).arg(s5)));
    }

    void refusesTwoJobsWritingTheSameFile()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(1 << 20, 16);
        server.setRoute("/same.bin", slow);
        DownloadQueue queue(quick());
        const QString destination = m_dir->filePath(QStringLiteral("same.bin"));
        const int first = queue.submit(jobFor(server.url("/same.bin"), destination));
        QTRY_COMPARE_WITH_TIMEOUT(toString(queue.jobById(first)->status), QStringLiteral("running"), 5000);
        const int second = queue.submit(jobFor(server.url("/same.bin"), destination));
        QVERIFY(queue.waitForJob(second, 5000));
        QCOMPARE(queue.jobById(second)->errorType, QStringLiteral("Conflict"));
        QVERIFY(queue.waitForJob(first, 20000));
        QCOMPARE(toString(queue.jobById(first)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(destination), slow.body);
    }

    void refusesFilesLargerThanTheFreeSpace()
    {
        FaultServer server;
        FaultRoute huge;
        huge.body = payload(1000, 17);
        huge.declaredLength = 1LL << 55;  // 32 PiB: no disk has that much free
        huge.supportsRange = false;
        server.setRoute("/huge.bin", huge);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/huge.bin"), m_dir->filePath(QStringLiteral("huge.bin"))));
        QVERIFY(queue.waitForJob(id, 10000));
        QCOMPARE(queue.jobById(id)->errorType, QStringLiteral("DiskFull"));
        QVERIFY(partFiles(m_dir->path()).isEmpty());
    }

    void endsEveryFailureCleanlyAndKeepsWorking_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("401") << 401;
        QTest::newRow("403") << 403;
        QTest::newRow("416") << 416;
    }

    void endsEveryFailureCleanlyAndKeepsWorking()
    {
        QFETCH(int, status);
        FaultServer server;
        FaultRoute refused;
        refused.status = status;
        server.setRoute("/refused", refused);
        FaultRoute fine;
        fine.body = payload(3000, 18);
        server.setRoute("/fine", fine);
        DownloadQueue queue(quick());
        const int bad = queue.submit(jobFor(server.url("/refused"), m_dir->filePath(QStringLiteral("refused.bin"))));
        QVERIFY(queue.waitForJob(bad, 10000));
        QCOMPARE(queue.jobById(bad)->errorType, QStringLiteral("HttpError"));
        QVERIFY(queue.jobById(bad)->errorMessage.contains(QString::number(status)));
        QVERIFY(!queue.jobById(bad)->errorMessage.contains(QStringLiteral("gave up")));
        const int good = queue.submit(jobFor(server.url("/fine"), m_dir->filePath(QStringLiteral("fine.bin"))));
        QVERIFY(queue.waitForJob(good, 10000));
        QCOMPARE(toString(queue.jobById(good)->status), QStringLiteral("completed"));
        QVERIFY(partFiles(m_dir->path()).isEmpty());
    }

    void followsRedirectChains()
    {
        FaultServer server;
        FaultRoute target;
        target.body = payload(2048, 19);
        server.setRoute("/blob/abc", target);
        FaultRoute hop2;
        hop2.redirectTo = "/blob/abc";
        server.setRoute("/hop2", hop2);
        FaultRoute hop1;
        hop1.redirectTo = server.url("/hop2").toEncoded();
        server.setRoute("/models/x/resolve/main/x.safetensors", hop1);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/models/x/resolve/main/x.safetensors"), m_dir->path()));
        QVERIFY(queue.waitForJob(id, 10000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(job.downloadPath), target.body);
        // With no Content-Disposition, the name comes from the URL that served the file.
        QCOMPARE(QFileInfo(job.downloadPath).fileName(), QStringLiteral("abc"));
    }

    void pruneForgetsFinishedJobs()
    {
        FaultServer server;
        FaultRoute route;
        route.body = payload(10, 15);
        server.setRoute("/a", route);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/a"), m_dir->filePath(QStringLiteral("a"))));
        const int idle = queue.submit(jobFor(server.url("/a"), m_dir->filePath(QStringLiteral("b"))), false);
        QVERIFY(queue.waitForJob(id, 10000));
        QCOMPARE(queue.listJobs().size(), 2);
        queue.pruneJobs();
        QCOMPARE(queue.listJobs().size(), 1);
        QCOMPARE(toString(queue.listJobs().first().status), QStringLiteral("idle"));
        QVERIFY(!queue.jobById(id));
        QVERIFY(queue.jobById(idle));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (qEnvironmentVariableIsSet("ATELIER_TEST_CHILD_DB"))
        return childDownloader();
    TestDownloadQueue test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_download_queue.moc"
