#include "core/server/request_guard.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

namespace atelier::server {

namespace {

constexpr int kLingerMs = 1000;

QByteArray answer(int status, const QByteArray &reason, const QByteArray &message, const QByteArray &extraHeaders = {})
{
    const QByteArray body = message.isEmpty() ? QByteArray() : "{\"error\": \"" + message + "\"}";
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n" + extraHeaders +
           (body.isEmpty() ? QByteArray() : QByteArray("Content-Type: application/json\r\n")) +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Compares in time independent of where the two differ.
bool sameSecret(const QByteArray &given, const QByteArray &expected)
{
    if (given.size() != expected.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return difference == 0;
}

// Calls `ended` when the socket it is a child of is destroyed.
class ConnectionEnd : public QObject
{
public:
    ConnectionEnd(QObject *socket, std::function<void()> ended)
        : QObject(socket)
        , m_ended(std::move(ended))
    {}
    ~ConnectionEnd() override { m_ended(); }

private:
    std::function<void()> m_ended;
};

} // namespace

RequestGuard::RequestGuard(GuardLimits limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(std::move(limits))
{
    // Many clients connecting at once (a farm of scripts, a browser's parallel requests) wait in the kernel's
    // queue rather than being turned away.
    setListenBacklogSize(1024);
    setMaxPendingConnections(m_limits.maxConnections);
}

void RequestGuard::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_open >= m_limits.maxConnections) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    ++m_open;
    m_connections.insert(socket, Connection());
    // Connected before the HTTP server connects its own: the guard sees every chunk before the server reads it.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
    // The connection is forgotten when its socket goes, whoever deletes it: a child object rather than a signal,
    // because the HTTP server disconnects every signal of a socket it hands to a WebSocket.
    new ConnectionEnd(socket, [guard = QPointer<RequestGuard>(this), socket] {
        if (guard) {
            guard->m_connections.remove(socket);
            --guard->m_open;
        }
    });
    addPendingConnection(socket);
}

void RequestGuard::inspect(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    Connection &connection = found.value();
    if (connection.refused) {
        socket->readAll(); // nothing more reaches the HTTP server
        return;
    }
    if (connection.passThrough)
        return;
    const QByteArray chunk = socket->peek(socket->bytesAvailable());
    qsizetype position = 0;
    while (position < chunk.size()) {
        if (connection.bodyLeft > 0) {
            const qint64 taken = std::min<qint64>(connection.bodyLeft, chunk.size() - position);
            connection.bodyLeft -= taken;
            position += taken;
            continue;
        }
        const qsizetype before = connection.head.size();
        connection.head.append(chunk.mid(position));
        const qsizetype end = connection.head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (connection.head.size() > m_limits.maxHeadBytes)
                refuse(socket, connection,
                       answer(431, "Request Header Fields Too Large", "the request head is too long"));
            return;
        }
        const QByteArray head = connection.head.left(end + 4);
        position += end + 4 - before;
        connection.head.clear();
        const QByteArray refusal = verdict(head, connection);
        if (!refusal.isEmpty()) {
            refuse(socket, connection, refusal);
            return;
        }
        if (connection.passThrough)
            return;
    }
}

QByteArray RequestGuard::verdict(const QByteArray &head, Connection &connection) const
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QByteArray method = requestLine.value(0);
    const QUrl target(QString::fromUtf8(requestLine.value(1)));
    qint64 length = 0;
    bool chunked = false, upgrade = false;
    QByteArray authorization;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower(), value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool number = false;
            length = value.toLongLong(&number);
            if (!number || length < 0)
                return answer(400, "Bad Request", "the Content-Length is not a length");
        } else if (name == "transfer-encoding") {
            chunked = value.toLower().contains("chunked");
        } else if (name == "upgrade") {
            upgrade = value.toLower() == "websocket";
        } else if (name == "authorization") {
            authorization = value;
        }
    }
    const QByteArray cors = m_limits.corsOrigin.isEmpty()
                                ? QByteArray()
                                : "Access-Control-Allow-Origin: " + m_limits.corsOrigin +
                                      "\r\nAccess-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                                      "Access-Control-Allow-Headers: Content-Type, Authorization\r\n";
    if (method == "OPTIONS" && !cors.isEmpty())
        return answer(204, "No Content", {}, cors);
    if (!m_limits.token.isEmpty()) {
        const QByteArray given =
            authorization.startsWith("Bearer ")
                ? authorization.mid(7).trimmed()
                : QUrlQuery(target).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
        if (!sameSecret(given, m_limits.token))
            return answer(401, "Unauthorized", "this server needs its token (Authorization: Bearer, or ?token=)", cors);
    }
    if (chunked)
        return answer(411, "Length Required", "send the body with a Content-Length", cors);
    if (length > m_limits.maxBodyBytes)
        return answer(413, "Payload Too Large",
                      "the body is larger than this server takes (" +
                          QByteArray::number(m_limits.maxBodyBytes / (1024 * 1024)) + " MiB)",
                      cors);
    connection.bodyLeft = length;
    connection.passThrough = upgrade;
    return {};
}

void RequestGuard::refuse(QTcpSocket *socket, Connection &connection, const QByteArray &refusal)
{
    connection.refused = true;
    socket->readAll();
    socket->write(refusal);
    // Closed a moment after the answer is out, what the client still sends being read and dropped meanwhile: a
    // socket closed with data unread resets the connection, and the client would lose the answer.
    QTimer::singleShot(kLingerMs, socket, [socket] { socket->disconnectFromHost(); });
}

} // namespace atelier::server
