#include "app/instance_channel.h"
#include "cli_runner.h"

#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using atelier::app::InstanceChannel;

// One window per root: a second `atelier FILE` hands its file to the window listening for the root (here this test,
// in its place) and exits; with none listening it would open a window; a crashed window's socket is taken over, a
// live one never.
class TestInstanceChannel : public QObject
{
    Q_OBJECT

private slots:
    void aSecondLaunchHandsItsFileOver()
    {
        QTemporaryDir root;
        InstanceChannel channel;
        QVERIFY(channel.listen(InstanceChannel::nameFor(root.path())));
        QSignalSpy requested(&channel, &InstanceChannel::fileRequested);
        const QString file = root.filePath(QStringLiteral("graph.json"));
        QFile written(file);
        QVERIFY(written.open(QIODevice::WriteOnly));
        written.write("{}");
        written.close();

        QProcess launch;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        launch.setProcessEnvironment(environment);
        launch.start(QStringLiteral(ATELIER_EXECUTABLE), {QStringLiteral("--root"), root.path(), file});
        QVERIFY(requested.wait(30000));
        QCOMPARE(requested.first().first().toString(), QFileInfo(file).absoluteFilePath());
        QVERIFY(launch.waitForFinished(30000));
        QCOMPARE(launch.exitCode(), 0);
        QVERIFY(launch.readAllStandardError().contains("the running window took"));

        // Another root is another window's.
        QTemporaryDir other;
        QVERIFY(InstanceChannel::nameFor(other.path()) != InstanceChannel::nameFor(root.path()));
    }

    void nobodyListeningTakesNothing()
    {
        QTemporaryDir root;
        QVERIFY(!InstanceChannel::handOff(InstanceChannel::nameFor(root.path()), QStringLiteral("/x.png"), 500));
    }

    // A window that crashed left its socket file; nothing answers there, so the next window takes it over.
    void aCrashedWindowsSocketIsTakenOver()
    {
        QTemporaryDir root;
        const QString name = InstanceChannel::nameFor(root.path());
        QString path;
        {
            QLocalServer probe;
            QVERIFY(probe.listen(name));
            path = probe.fullServerName();
        }
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray bytes = QFile::encodeName(path);
        QVERIFY(std::size_t(bytes.size()) < sizeof(address.sun_path));
        std::memcpy(address.sun_path, bytes.constData(), std::size_t(bytes.size()));
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        ::close(fd); // bound, never listened, never unlinked: what a crash leaves
        QVERIFY(QFile::exists(path));
        QVERIFY(!InstanceChannel::handOff(name, QString(), 500));
        InstanceChannel channel;
        QVERIFY(channel.listen(name));
    }

    void aLiveWindowKeepsItsSocket()
    {
        QTemporaryDir root;
        const QString name = InstanceChannel::nameFor(root.path());
        // The hand-over blocks this thread, so the window's side lives in a thread of its own here.
        QThread thread;
        thread.start();
        auto *first = new InstanceChannel;
        first->moveToThread(&thread);
        connect(&thread, &QThread::finished, first, &QObject::deleteLater);
        bool listening = false;
        QMetaObject::invokeMethod(
            first, [&] { listening = first->listen(name); }, Qt::BlockingQueuedConnection);
        QVERIFY(listening);
        InstanceChannel second;
        QVERIFY(!second.listen(name));
        QSignalSpy requested(first, &InstanceChannel::fileRequested);
        QVERIFY(InstanceChannel::handOff(name, QStringLiteral("/pictures/cat.png"), 5000));
        QTRY_COMPARE(requested.size(), 1);
        QCOMPARE(requested.first().first().toString(), QStringLiteral("/pictures/cat.png"));
        thread.quit();
        thread.wait();
    }
};

QTEST_MAIN(TestInstanceChannel)
#include "test_instance_channel.moc"
