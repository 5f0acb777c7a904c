#include "core/logging/log.h"

#include <QtTest>

using namespace atelier::logging;

class TestLogging : public QObject
{
    Q_OBJECT
private slots:
    void cleanup() { uninstallLogging(); }

    void writesInformationToTheLogFile()
    {
        QTemporaryDir dir;
        QVERIFY(installLogging(dir.path(), LogOptions{}));
        QCOMPARE(logFilePath(), dir.filePath(QStringLiteral("atelier.log")));
        qCInfo(lcSettings) << "hello from the settings";
        qCDebug(lcSettings) << "debug stays out unless verbose";
        uninstallLogging();
        QFile file(dir.filePath(QStringLiteral("atelier.log")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(text.contains("info atelier.settings: hello from the settings"), text.constData());
        QVERIFY(!text.contains("debug stays out"));
    }

    void rotatesBySizeKeepingTheNewestFiles()
    {
        QTemporaryDir dir;
        LogOptions options;
        options.maxFileBytes = 2000;
        options.keptFiles = 2;
        QVERIFY(installLogging(dir.path(), options));
        for (int i = 0; i < 200; ++i)
            qCInfo(lcApp) << "line" << i << QString(40, QLatin1Char('x'));
        uninstallLogging();
        const QDir folder(dir.path());
        QVERIFY(folder.exists(QStringLiteral("atelier.log")));
        QVERIFY(folder.exists(QStringLiteral("atelier.log.1")));
        QVERIFY(folder.exists(QStringLiteral("atelier.log.2")));
        QVERIFY(!folder.exists(QStringLiteral("atelier.log.3")));
        for (const QString &name : folder.entryList(QDir::Files))
            QVERIFY2(QFileInfo(folder.filePath(name)).size() <= options.maxFileBytes, qPrintable(name));
        QFile newest(folder.filePath(QStringLiteral("atelier.log")));
        QVERIFY(newest.open(QIODevice::ReadOnly));
        QVERIFY(newest.readAll().contains("line 199"));
    }

    void logsFromManyThreadsWithoutLosingLines()
    {
        QTemporaryDir dir;
        QVERIFY(installLogging(dir.path(), LogOptions{}));
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads << QThread::create([t] {
                for (int i = 0; i < 250; ++i)
                    qCInfo(lcDownloads) << "thread" << t << "message" << i;
            });
            threads.back()->start();
        }
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        uninstallLogging();
        QFile file(dir.filePath(QStringLiteral("atelier.log")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count("atelier.downloads: thread"), 1000);
    }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "test_logging.moc"
