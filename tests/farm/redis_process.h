#pragma once

// A real redis-server for a test: on a free loopback port, its data in a folder of its own, appending every write to
// its append-only file (so that a restart loses nothing), stopped and started again at will.
#include "core/farm/redis_connection.h"

#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

class RedisProcess
{
public:
    RedisProcess()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
    }
    ~RedisProcess() { stop(); }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }
    atelier::farm::RedisAddress address() const { return atelier::farm::parseRedisUrl(url()).value(); }

    // Starts the server and waits until it answers PING.
    bool start()
    {
        m_process.setProgram(QStringLiteral("redis-server"));
        m_process.setArguments({QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                                QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), m_data.path(),
                                QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                                QStringLiteral("yes"), QStringLiteral("--appendfsync"), QStringLiteral("always")});
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        atelier::farm::RedisConnection redis(address());
        for (int waited = 0; waited < 10000; waited += 50) {
            const auto answered = redis.command({"PING"});
            if (answered && answered->text == "PONG")
                return true;
            QThread::msleep(50);
        }
        return false;
    }
    // SIGTERM: Redis flushes its append-only file and exits.
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    QByteArray log() { return m_process.readAll(); }

private:
    QTemporaryDir m_data;
    QProcess m_process;
    quint16 m_port = 0;
};
