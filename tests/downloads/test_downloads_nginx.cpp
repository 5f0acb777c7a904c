#include "core/downloads/download_queue.h"
#include "nginx_server.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QtTest>

#include <signal.h>

using namespace atelier::downloads;

namespace {

QByteArray writeServed(const QString &path, qint64 bytes, quint32 seed)
{
    QByteArray data(int(bytes), Qt::Uninitialized);
    QRandomGenerator(seed).fillRange(reinterpret_cast<quint32 *>(data.data()), data.size() / 4);
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    file.write(data);
    return data;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

DownloadJob jobFor(const QUrl &url, const QString &destination, int priority = 10)
{
    DownloadJob job;
    job.source = url;
    job.destination = destination;
    job.priority = priority;
    return job;
}

} // namespace

class TestDownloadsNginx : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_nginx = std::make_unique<NginxServer>();
        QVERIFY2(m_nginx->ready(), qPrintable(QStringLiteral("nginx did not start: ") + m_nginx->errorLog()));
    }
    void cleanup()
    {
        m_nginx.reset();
        m_dir.reset();
    }

    void downloadsALargeFileWhole()
    {
        const QByteArray data = writeServed(m_nginx->servedFile(QStringLiteral("big.safetensors")), 48 << 20, 1);
        DownloadQueue queue;
        DownloadJob job = jobFor(m_nginx->url(QStringLiteral("/big.safetensors")), m_dir->path());
        job.expectedSha256 = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        const int id = queue.submit(job);
        QVERIFY(queue.waitForJob(id, 60000));
        QCOMPARE(queue.jobById(id)->errorMessage, QString());
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("big.safetensors"))), data);
    }

    void resumesWithRangeAfterAPause()
    {
        const QByteArray data = writeServed(m_nginx->servedFile(QStringLiteral("model.ckpt")), 12 << 20, 2);
        DownloadQueue queue;
        const int id = queue.submit(jobFor(m_nginx->url(QStringLiteral("/slow/model.ckpt")), m_dir->path()));
        QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(id)->bytes > (2 << 20), 15000);
        queue.pauseJob(id);
        QTRY_COMPARE_WITH_TIMEOUT(toString(queue.jobById(id)->status), QStringLiteral("paused"), 5000);
        const qint64 kept = QFileInfo(m_dir->filePath(QStringLiteral("model.ckpt.part"))).size();
        QVERIFY(kept > 0);
        queue.startJob(id);
        QVERIFY(queue.waitForJob(id, 60000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("model.ckpt"))), data);
        QVERIFY2(!m_nginx->accessLog().filter(QStringLiteral(" 206 ")).isEmpty(), qPrintable(m_nginx->accessLog().join('\n')));
    }

    void startsOverWhenTheFileChangedMeanwhile()
    {
        writeServed(m_nginx->servedFile(QStringLiteral("v.bin")), 12 << 20, 3);
        DownloadQueue queue;
        const int id = queue.submit(jobFor(m_nginx->url(QStringLiteral("/slow/v.bin")), m_dir->path()));
        QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(id)->bytes > (1 << 20), 15000);
        queue.pauseJob(id);
        QTRY_COMPARE_WITH_TIMEOUT(toString(queue.jobById(id)->status), QStringLiteral("paused"), 5000);
        QThread::msleep(1100);  // a new modification time, so a new ETag
        const QByteArray changed = writeServed(m_nginx->servedFile(QStringLiteral("v.bin")), 6 << 20, 4);
        queue.startJob(id);
        QVERIFY(queue.waitForJob(id, 60000));
        QCOMPARE(toString(queue.jobById(id)->status), QStringLiteral("completed"));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("v.bin"))), changed);
        // The resume asked for a range and got the whole new file.
        const QStringList log = m_nginx->accessLog();
        QVERIFY2(log.last().contains(QStringLiteral(" 200 \"bytes=")), qPrintable(log.join('\n')));
    }

    void resumesAfterTheDownloaderIsKilled()
    {
        const QByteArray data = writeServed(m_nginx->servedFile(QStringLiteral("killed.safetensors")), 16 << 20, 5);
        QTemporaryDir root;
        const QStringList arguments{QStringLiteral("--root"), root.path(), QStringLiteral("download"),
                                    m_nginx->url(QStringLiteral("/slow/killed.safetensors")).toString(), QStringLiteral("--to"), m_dir->path()};
        QProcess first;
        first.start(QStringLiteral(ATELIER_EXECUTABLE), arguments);
        QVERIFY(first.waitForStarted());
        const QString part = m_dir->filePath(QStringLiteral("killed.safetensors.part"));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() > (2 << 20), 20000);
        ::kill(pid_t(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(5000));
        QVERIFY(QFileInfo(part).size() > 0);

        QProcess second;
        second.start(QStringLiteral(ATELIER_EXECUTABLE), arguments);
        QVERIFY(second.waitForFinished(60000));
        QCOMPARE(second.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(second.readAllStandardOutput()).trimmed(), m_dir->filePath(QStringLiteral("killed.safetensors")));
        QCOMPARE(fileBytes(m_dir->filePath(QStringLiteral("killed.safetensors"))), data);
        QVERIFY(!QFile::exists(part));
        QVERIFY2(!m_nginx->accessLog().filter(QStringLiteral(" 206 ")).isEmpty(), qPrintable(m_nginx->accessLog().join('\n')));
    }

    // "--to DIR/" names a folder, even one that does not exist yet: the file goes inside it under the server's name.
    void aTrailingSlashNamesAFolder()
    {
        const QByteArray data = writeServed(m_nginx->servedFile(QStringLiteral("slash.bin")), 4096, 6);
        QTemporaryDir root;
        const QString folder = m_dir->filePath(QStringLiteral("new-folder"));
        QProcess run;
        run.start(QStringLiteral(ATELIER_EXECUTABLE),
                  {QStringLiteral("--root"), root.path(), QStringLiteral("download"),
                   m_nginx->url(QStringLiteral("/slash.bin")).toString(), QStringLiteral("--to"),
                   folder + QLatin1Char('/')});
        QVERIFY(run.waitForFinished(30000));
        QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
        QCOMPARE(QString::fromUtf8(run.readAllStandardOutput()).trimmed(), folder + QStringLiteral("/slash.bin"));
        QCOMPARE(fileBytes(folder + QStringLiteral("/slash.bin")), data);
    }

    void runsParallelJobsByPriority()
    {
        // Two files big enough to hold both slots for a couple of seconds at /slow/'s rate, three small ones.
        for (int i = 0; i < 5; ++i)
            writeServed(m_nginx->servedFile(QStringLiteral("f%1.bin").arg(i)), i < 2 ? 10 << 20 : 1 << 20, quint32(10 + i));
        // Declared before the queue, which may publish until it is destroyed.
        QMutex mutex;
        QMap<int, DownloadStatus> statuses;
        int mostRunning = 0;
        DownloadQueue::Options options;
        options.maxParallel = 2;
        DownloadQueue queue(options);
        connect(&queue, &DownloadQueue::jobChanged, this, [&](const DownloadJob &job) {
            QMutexLocker lock(&mutex);
            statuses[job.id] = job.status;
            mostRunning = std::max<int>(mostRunning, int(std::count(statuses.cbegin(), statuses.cend(), DownloadStatus::Running)));
        }, Qt::DirectConnection);
        // Two slow jobs take both slots; three more wait and must start in priority order.
        const int a = queue.submit(jobFor(m_nginx->url(QStringLiteral("/slow/f0.bin")), m_dir->path()));
        const int b = queue.submit(jobFor(m_nginx->url(QStringLiteral("/slow/f1.bin")), m_dir->path()));
        QTRY_VERIFY_WITH_TIMEOUT(queue.jobById(a)->status == DownloadStatus::Running && queue.jobById(b)->status == DownloadStatus::Running, 5000);
        const int low = queue.submit(jobFor(m_nginx->url(QStringLiteral("/f2.bin")), m_dir->path(), 50));
        const int high = queue.submit(jobFor(m_nginx->url(QStringLiteral("/f3.bin")), m_dir->path(), 1));
        const int middle = queue.submit(jobFor(m_nginx->url(QStringLiteral("/f4.bin")), m_dir->path(), 20));
        QVERIFY(queue.join(60000));
        for (const DownloadJob &job : queue.listJobs())
            QCOMPARE(toString(job.status), QStringLiteral("completed"));
        QCOMPARE(mostRunning, 2);
        QVERIFY(queue.jobById(high)->jobSequence < queue.jobById(middle)->jobSequence);
        QVERIFY(queue.jobById(middle)->jobSequence < queue.jobById(low)->jobSequence);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<NginxServer> m_nginx;
};

QTEST_GUILESS_MAIN(TestDownloadsNginx)
#include "test_downloads_nginx.moc"
