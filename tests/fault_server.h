#pragma once

// A small HTTP/1.1 server for download tests, on a loopback address and its own thread, that can misbehave on
// purpose: fail the first requests, drop the connection mid-body, stall, lie about Content-Length, redirect,
// ignore or honour Range, require a token. It records every request it gets.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <memory>

struct FaultRoute
{
    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;  // extra response headers
    bool supportsRange = true;
    QByteArray etag = "\"v1\"";
    int failFirst = 0;            // the first N requests answer failStatus
    int failStatus = 500;
    QByteArray retryAfter;        // sent with failStatus when set
    qint64 dropAfter = -1;        // close the connection after this many body bytes…
    int dropTimes = 1;            // …on this many requests
    qint64 stallAfter = -1;       // send this many body bytes, then nothing (connection stays open)
    qint64 declaredLength = -1;   // a Content-Length that differs from the body
    QByteArray redirectTo;        // answer 302 with this Location
    QByteArray requiredToken;     // answer 401 unless "Authorization: Bearer <token>"
    QByteArray requiredQueryToken;  // answer 401 unless the query has "token=<token>" (Civitai's convention)
    int chunkDelayMs = 0;         // send the body in 64 KiB chunks this far apart
    bool partialUnasked = false;  // answer a request without Range with 206 and the first half of the body
};

struct RecordedRequest
{
    QByteArray path;               // without the query
    QByteArray query;
    QMap<QByteArray, QByteArray> headers;  // lower-case names
};

class FaultServer : public QObject
{
    Q_OBJECT
public:
    explicit FaultServer(const QHostAddress &address = QHostAddress(QStringLiteral("127.0.0.1")))
    {
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
        QTcpServer *server = nullptr;
        QMetaObject::invokeMethod(
            &m_anchor,
            [&] {
                server = new QTcpServer();
                server->listen(address, 0);
                QObject::connect(server, &QTcpServer::newConnection, server, [this, server] {
                    while (QTcpSocket *socket = server->nextPendingConnection())
                        serve(socket);
                });
            },
            Qt::BlockingQueuedConnection);
        m_server = server;
        m_port = server->serverPort();
        m_host = address.toString();
    }

    ~FaultServer() override
    {
        QMetaObject::invokeMethod(&m_anchor, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    void setRoute(const QByteArray &path, const FaultRoute &route)
    {
        QMutexLocker lock(&m_mutex);
        m_routes[path] = std::make_shared<RouteState>(RouteState{route, 0});
    }
    QUrl url(const QByteArray &path) const
    {
        return QUrl(QStringLiteral("http://%1:%2%3").arg(m_host).arg(m_port).arg(QString::fromLatin1(path)));
    }
    QList<RecordedRequest> requests(const QByteArray &path) const
    {
        QMutexLocker lock(&m_mutex);
        QList<RecordedRequest> matching;
        for (const RecordedRequest &request : m_requests) {
            if (request.path == path)
                matching << request;
        }
        return matching;
    }

private:
    struct RouteState
    {
        FaultRoute route;
        int served = 0;
    };

    void serve(QTcpSocket *socket)
    {
        auto *buffer = new QByteArray;
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [socket, buffer] {
            delete buffer;
            socket->deleteLater();
        });
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            const int end = int(buffer->indexOf("\r\n\r\n"));
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            buffer->remove(0, end + 4);
            RecordedRequest request;
            const QByteArray target = lines.value(0).split(' ').value(1);
            const int questionMark = int(target.indexOf('?'));
            request.path = questionMark < 0 ? target : target.left(questionMark);
            request.query = questionMark < 0 ? QByteArray() : target.mid(questionMark + 1);
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = int(lines[i].indexOf(':'));
                if (colon > 0)
                    request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            respond(socket, request);
        });
    }

    static QByteArray statusLine(int status)
    {
        static const QMap<int, QByteArray> reasons{{200, "OK"}, {206, "Partial Content"}, {302, "Found"}, {401, "Unauthorized"},
                                                   {403, "Forbidden"}, {404, "Not Found"}, {416, "Range Not Satisfiable"},
                                                   {500, "Internal Server Error"}, {503, "Service Unavailable"}};
        return "HTTP/1.1 " + QByteArray::number(status) + " " + reasons.value(status, "Status") + "\r\n";
    }

    void respond(QTcpSocket *socket, const RecordedRequest &request)
    {
        std::shared_ptr<RouteState> state;
        int served = 0;
        {
            QMutexLocker lock(&m_mutex);
            m_requests << request;
            state = m_routes.value(request.path);
            if (state)
                served = state->served++;
        }
        const auto simple = [socket](const QByteArray &head, const QByteArray &body) {
            socket->write(head + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        };
        if (!state) {
            simple(statusLine(404), "no such file");
            return;
        }
        const FaultRoute &route = state->route;
        if (!route.requiredToken.isEmpty() && request.headers.value("authorization") != "Bearer " + route.requiredToken) {
            simple(statusLine(401), "a token is needed");
            return;
        }
        if (!route.requiredQueryToken.isEmpty() && !request.query.split('&').contains("token=" + route.requiredQueryToken)) {
            simple(statusLine(401), "a token is needed");
            return;
        }
        if (!route.redirectTo.isEmpty()) {
            simple(statusLine(302) + "Location: " + route.redirectTo + "\r\n", QByteArray());
            return;
        }
        if (served < route.failFirst) {
            simple(statusLine(route.failStatus) + (route.retryAfter.isEmpty() ? QByteArray() : "Retry-After: " + route.retryAfter + "\r\n"),
                   "try again");
            return;
        }
        if (route.status != 200) {
            simple(statusLine(route.status), "refused");
            return;
        }

        if (route.partialUnasked && !request.headers.contains("range")) {
            const QByteArray half = route.body.left(route.body.size() / 2);
            simple(statusLine(206) + "Content-Range: bytes 0-" + QByteArray::number(half.size() - 1) + "/" +
                       QByteArray::number(route.body.size()) + "\r\n",
                   half);
            return;
        }
        qint64 from = 0;
        const QByteArray range = request.headers.value("range");
        const QByteArray ifRange = request.headers.value("if-range");
        if (route.supportsRange && range.startsWith("bytes=") && (ifRange.isEmpty() || ifRange == route.etag))
            from = range.mid(6, range.indexOf('-') - 6).toLongLong();
        if (from > route.body.size()) {
            simple(statusLine(416), QByteArray());
            return;
        }
        const QByteArray body = route.body.mid(int(from));
        QByteArray head = statusLine(from > 0 ? 206 : 200);
        for (const auto &[name, value] : route.headers)
            head += name + ": " + value + "\r\n";
        if (route.supportsRange)
            head += "Accept-Ranges: bytes\r\nETag: " + route.etag + "\r\n";
        if (from > 0)
            head += "Content-Range: bytes " + QByteArray::number(from) + "-" + QByteArray::number(route.body.size() - 1) + "/" +
                    QByteArray::number(route.body.size()) + "\r\n";
        head += "Content-Length: " + QByteArray::number(route.declaredLength >= 0 ? route.declaredLength : body.size()) + "\r\n";
        head += "Connection: close\r\n\r\n";
        socket->write(head);

        qint64 limit = body.size();
        bool close = true;
        if (route.dropAfter >= 0 && served - route.failFirst < route.dropTimes)
            limit = std::min<qint64>(limit, route.dropAfter);
        if (route.stallAfter >= 0) {
            limit = std::min<qint64>(limit, route.stallAfter);
            close = false;
        }
        if (route.chunkDelayMs > 0) {
            sendSlowly(socket, body.left(int(limit)), route.chunkDelayMs, close);
            return;
        }
        socket->write(body.left(int(limit)));
        if (close)
            socket->disconnectFromHost();
    }

    void sendSlowly(QTcpSocket *socket, QByteArray rest, int delayMs, bool close)
    {
        const QByteArray chunk = rest.left(64 * 1024);
        rest.remove(0, chunk.size());
        socket->write(chunk);
        if (rest.isEmpty()) {
            if (close)
                socket->disconnectFromHost();
            return;
        }
        QTimer::singleShot(delayMs, socket, [this, socket, rest, delayMs, close] { sendSlowly(socket, rest, delayMs, close); });
    }

    QThread m_thread;
    QObject m_anchor;  // lives on m_thread; runs the server's code there
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    QString m_host;
    mutable QMutex m_mutex;
    QMap<QByteArray, std::shared_ptr<RouteState>> m_routes;
    QList<RecordedRequest> m_requests;
};
