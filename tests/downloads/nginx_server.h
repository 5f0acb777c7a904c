#pragma once

// Debian's nginx, started by a test on a free loopback port with its own configuration, serving a folder. /slow/
// serves the same folder at 4 MiB/s, for tests that pause or kill a download halfway. The access log records
// each request's status and Range header.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

class NginxServer
{
public:
    NginxServer()
    {
        QTcpServer probe;
        probe.listen(QHostAddress(QStringLiteral("127.0.0.1")), 0);
        m_port = probe.serverPort();
        probe.close();
        QDir(m_dir.path()).mkpath(QStringLiteral("www"));
        QDir(m_dir.path()).mkpath(QStringLiteral("temp"));
        const QString config = QStringLiteral(R"(
daemon off;
master_process off;
worker_processes 1;
pid %1/nginx.pid;
error_log %1/error.log warn;
events { worker_connections 128; }
http {
    log_format ranges '$request_uri $status "$http_range"';
    access_log %1/access.log ranges;
    client_body_temp_path %1/temp/body;
    proxy_temp_path %1/temp/proxy;
    fastcgi_temp_path %1/temp/fastcgi;
    uwsgi_temp_path %1/temp/uwsgi;
    scgi_temp_path %1/temp/scgi;
    sendfile on;
    server {
        listen 127.0.0.1:%2;
        root %1/www;
        location /slow/ { alias %1/www/; limit_rate 4m; }
    }
}
)").arg(m_dir.path()).arg(m_port);
        QFile file(m_dir.filePath(QStringLiteral("nginx.conf")));
        file.open(QIODevice::WriteOnly);
        file.write(config.toUtf8());
        file.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral("nginx"), {QStringLiteral("-p"), m_dir.path(), QStringLiteral("-c"),
                                                  m_dir.filePath(QStringLiteral("nginx.conf")), QStringLiteral("-e"),
                                                  m_dir.filePath(QStringLiteral("error.log"))});
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 10000) {
            QTcpSocket socket;
            socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
            if (socket.waitForConnected(200)) {
                m_ready = true;
                break;
            }
            QThread::msleep(50);
        }
    }

    ~NginxServer()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(3000);
    }

    bool ready() const { return m_ready; }
    QString errorLog() const
    {
        QFile file(m_dir.filePath(QStringLiteral("error.log")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }
    QString servedFile(const QString &name) const { return m_dir.filePath(QStringLiteral("www/") + name); }
    QUrl url(const QString &path) const { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)); }
    // "<uri> <status> \"<range>\"" per request.
    QStringList accessLog() const
    {
        QFile file(m_dir.filePath(QStringLiteral("access.log")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts) : QStringList();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    bool m_ready = false;
};
