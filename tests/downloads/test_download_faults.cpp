// The download queue against servers that misbehave in ways a hostile-input campaign found: two writers of one
// partial file, partial answers nobody asked for, rate limits, redirects out of http, and giving up halfway.
#include "core/downloads/download_queue.h"
#include "tests/downloads/download_test_support.h"
#include "tests/fault_server.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QtTest>

using namespace atelier::downloads;
using namespace atelier::test;

class TestDownloadFaults : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    // Two queues stand for two processes (the window and a command line): the lock on the partial file keeps the
    // second off it, where before both wrote one .part and the first reported a corrupt file as complete.
    void aPartialFileHasOneWriterAcrossQueues()
    {
        FaultServer server;
        const FaultRoute slow = slowRoute(1 << 20, 17);
        server.setRoute("/shared.bin", slow);
        DownloadQueue first(quick()), second(quick());
        const QString destination = m_dir->filePath(QStringLiteral("shared.bin"));
        const int a = first.submit(jobFor(server.url("/shared.bin"), destination));
        QTRY_COMPARE_WITH_TIMEOUT(toString(first.jobById(a)->status), QStringLiteral("running"), 5000);
        const int b = second.submit(jobFor(server.url("/shared.bin"), destination));
        QVERIFY(second.waitForJob(b, 5000));
        QCOMPARE(second.jobById(b)->errorType, QStringLiteral("Conflict"));
        QVERIFY2(second.jobById(b)->errorMessage.contains(QStringLiteral("another download")),
                 qPrintable(second.jobById(b)->errorMessage));
        QVERIFY(first.waitForJob(a, 20000));
        QCOMPARE(toString(first.jobById(a)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(destination), slow.body);
        QVERIFY(!QFile::exists(destination + QStringLiteral(".part.lock")));
    }

    // A 206 answer to a request for the whole file is half a file: it must never be saved as the file.
    void aPartialAnswerToAWholeRequestIsNotTheFile()
    {
        FaultServer server;
        FaultRoute half;
        half.body = payload(100000, 18);
        half.partialUnasked = true;
        server.setRoute("/half.bin", half);
        DownloadQueue queue(quick());
        const QString destination = m_dir->filePath(QStringLiteral("half.bin"));
        const int id = queue.submit(jobFor(server.url("/half.bin"), destination));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QVERIFY2(job.errorMessage.contains(QStringLiteral("206")), qPrintable(job.errorMessage));
        QVERIFY(!QFile::exists(destination));
    }

    // 429 is how hubs rate-limit: retried after Retry-After, as an HTTP date here.
    void retriesTooManyRequestsAfterTheServersDelay()
    {
        FaultServer server;
        FaultRoute limited;
        limited.body = payload(100, 19);
        limited.failFirst = 1;
        limited.failStatus = 429;
        limited.retryAfter = QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::RFC2822Date).toLatin1();
        server.setRoute("/limited", limited);
        DownloadQueue queue(quick());
        QElapsedTimer timer;
        timer.start();
        const int id = queue.submit(jobFor(server.url("/limited"), m_dir->filePath(QStringLiteral("limited.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
    }

    // Redirects lead to http and https only: file: and data: are refused by name.
    void redirectsToOtherSchemesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("location");
        QTest::newRow("file") << QByteArray("file:///etc/passwd");
        QTest::newRow("data") << QByteArray("data:text/plain,hello");
        QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/x");
    }
    void redirectsToOtherSchemesAreRefused()
    {
        QFETCH(QByteArray, location);
        FaultServer server;
        FaultRoute away;
        away.redirectTo = location;
        server.setRoute("/away", away);
        DownloadQueue queue(quick());
        const int id = queue.submit(jobFor(server.url("/away"), m_dir->filePath(QStringLiteral("away.bin"))));
        QVERIFY(queue.waitForJob(id, 20000));
        const DownloadJob job = *queue.jobById(id);
        QCOMPARE(toString(job.status), QStringLiteral("error"));
        QVERIFY2(job.errorMessage.contains(QStringLiteral("only http and https")), qPrintable(job.errorMessage));
        QVERIFY(partFiles(m_dir->path()).isEmpty());
    }

    // Giving up after the last try keeps what arrived: the same download run again resumes from it.
    void aDownloadThatGivesUpKeepsItsPartForTheNextRun()
    {
        FaultServer server;
        FaultRoute dropping;
        dropping.body = payload(1 << 20, 20);
        dropping.dropAfter = 100000; // four tries of 100 kB each leave the file unfinished
        dropping.dropTimes = 100;
        server.setRoute("/fragile.bin", dropping);
        const QString destination = m_dir->filePath(QStringLiteral("fragile.bin"));
        {
            DownloadQueue queue(quick());
            const int id = queue.submit(jobFor(server.url("/fragile.bin"), destination));
            QVERIFY(queue.waitForJob(id, 20000));
            QVERIFY2(queue.jobById(id)->errorMessage.contains(QStringLiteral("gave up")),
                     qPrintable(queue.jobById(id)->errorMessage));
        }
        QVERIFY(QFileInfo(destination + QStringLiteral(".part")).size() > 0);
        QVERIFY(QFile::exists(destination + QStringLiteral(".part.json")));
        FaultRoute healthy = dropping;
        healthy.dropAfter = -1;
        server.setRoute("/fragile.bin", healthy);
        DownloadQueue again(quick());
        const int id = again.submit(jobFor(server.url("/fragile.bin"), destination));
        QVERIFY(again.waitForJob(id, 20000));
        QCOMPARE(toString(again.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(destination), dropping.body);
        QVERIFY(server.requests("/fragile.bin").last().headers.value("range").startsWith("bytes="));
    }

    // Where a download's token may go. The served cases above run over http only; https cannot be served here
    // without a certificate the machine trusts, so the rule itself is checked for the https cases.
    void theTokenStaysOnTheSourcesOrigin()
    {
        const QUrl source(QStringLiteral("https://huggingface.co/owner/repo/resolve/main/model.safetensors"));
        QVERIFY(sameOrigin(QUrl(QStringLiteral("https://huggingface.co/other/path")), source));
        QVERIFY(sameOrigin(QUrl(QStringLiteral("HTTPS://HuggingFace.co:443/x")), source));
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("http://huggingface.co/x")), source));     // in the clear
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("http://huggingface.co:443/x")), source)); // same port, plain
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("https://huggingface.co:8443/x")), source));
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("https://cdn-lfs.huggingface.co/x")), source));
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("https://huggingface.co.evil.example/x")), source));
        QVERIFY(sameOrigin(QUrl(QStringLiteral("http://127.0.0.1:8080/a")),
                           QUrl(QStringLiteral("http://127.0.0.1:8080/b"))));
        QVERIFY(!sameOrigin(QUrl(QStringLiteral("http://127.0.0.1:8081/a")),
                            QUrl(QStringLiteral("http://127.0.0.1:8080/b"))));
    }
};

QTEST_GUILESS_MAIN(TestDownloadFaults)
#include "test_download_faults.moc"
