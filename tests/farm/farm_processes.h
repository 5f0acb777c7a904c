#pragma once

// The farm's processes as the tests start them: `atelier worker` and `atelier farm submit` in the background, with
// their output collected.
#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

#include "tests/app/cli_runner.h"
#include "tests/fixtures.h"

// Why the farm's tests cannot run on this machine, or nothing.
inline QString farmTestsCannotRun()
{
    if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty())
        return QStringLiteral("redis-server is not installed (packaging/debian-packages.txt lists it)");
    if (!QFile::exists(QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"))))
        return QStringLiteral("the fixtures' tiny-sd1 is missing");
    return {};
}

// `atelier install FILE --name NAME` into the library under `root`, as a user would set up a farm machine.
inline CliRun installModel(const QString &root, const QString &file, const QString &name)
{
    return runAtelier(
        {QStringLiteral("--root"), root, QStringLiteral("install"), file, QStringLiteral("--name"), name});
}

// Ends a process the test left running: at once, or with SIGTERM first when it should leave cleanly.
inline void endProcess(QProcess &process, bool gently = false)
{
    if (process.state() == QProcess::NotRunning)
        return;
    if (gently) {
        process.terminate();
        if (process.waitForFinished(10000))
            return;
    }
    process.kill();
    process.waitForFinished(5000);
}

// One `atelier worker` process.
class WorkerProcess
{
public:
    WorkerProcess(const QString &root, const QString &url, const QString &name, const QStringList &extra = {})
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral(ATELIER_EXECUTABLE),
                        QStringList{QStringLiteral("--root"), root, QStringLiteral("worker"), QStringLiteral("--redis"),
                                    url, QStringLiteral("--name"), name}
                            << extra);
        m_process.waitForStarted(5000);
    }
    ~WorkerProcess() { endProcess(m_process); }
    QByteArray log()
    {
        // QProcess reads its pipe only inside a wait or an event loop.
        while (m_process.state() == QProcess::Running && m_process.waitForReadyRead(20))
            m_log += m_process.readAll();
        m_log += m_process.readAll();
        return m_log;
    }
    // Waits until the log holds `text`.
    bool waitFor(const QByteArray &text, int timeoutMs = 60000)
    {
        QElapsedTimer timer;
        timer.start();
        while (!log().contains(text)) {
            if (timer.elapsed() > timeoutMs || m_process.state() == QProcess::NotRunning)
                return log().contains(text);
            m_process.waitForReadyRead(100);
        }
        return true;
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_log;
};

// `atelier farm submit` running in the background while the test does things to the farm.
class SubmitProcess
{
public:
    explicit SubmitProcess(const QStringList &arguments)
    {
        m_process.start(QStringLiteral(ATELIER_EXECUTABLE), arguments);
        m_process.waitForStarted(5000);
    }
    ~SubmitProcess() { endProcess(m_process); }
    // Its exit code, or -1 when it did not end in time.
    int finish(int timeoutMs = 120000)
    {
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        m_out = m_process.readAllStandardOutput();
        m_err = m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    const QByteArray &out() const { return m_out; }
    const QByteArray &err() const { return m_err; }

private:
    QProcess m_process;
    QByteArray m_out, m_err;
};
