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
    // Heads sent a byte at a time (slowloris) do not hold a connection for ever.
    connect(&m_sweep, &QTimer::timeout, this, [this] {
        QList<QTcpSocket *> stalled;
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it)
            if (!it->head.isEmpty() && it->headSince.hasExpired(m_limits.headTimeoutMs))
                stalled.append(it.key());
        for (QTcpSocket *socket : std::as_const(stalled))
            socket->abort();
    });
    m_sweep.start(std::max(100, m_limits.headTimeoutMs / 4));
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
    bool requestEnded = false;
    while (position < chunk.size()) {
        if (connection.bodyLeft > 0) {
            const qint64 taken = std::min<qint64>(connection.bodyLeft, chunk.size() - position);
            connection.bodyLeft -= taken;
            position += taken;
            continue;
        }
        // Bytes past a whole request in one read are a pipelined request, which the HTTP server would hand back
        // for a second look at bytes already judged; refused instead (no common client pipelines).
        if (requestEnded) {
            refuse(socket, connection, answer(400, "Bad Request", "pipelined requests are not served"));
            return;
        }
        const qsizetype before = connection.head.size();
        if (before == 0)
            connection.headSince.start();
        connection.head.append(chunk.mid(position));
        const qsizetype end = connection.head.indexOf("\r\n\r\n");
        // Lines end in CR LF: a bare LF would end the head where the HTTP server sees it and this guard does not.
        const qsizetype headEnd = end < 0 ? connection.head.size() : end + 4;
        for (qsizetype i = before; i < headEnd; ++i)
            if (connection.head[i] == '\n' && (i == 0 || connection.head[i - 1] != '\r')) {
                refuse(socket, connection, answer(400, "Bad Request", "request lines must end in CR LF"));
                return;
            }
        if (headEnd > m_limits.maxHeadBytes) {
            refuse(socket, connection, answer(431, "Request Header Fields Too Large", "the request head is too long"));
            return;
        }
        if (end < 0)
            return;
        const QByteArray head = connection.head.left(end + 4);
        position += end + 4 - before;
        connection.head.clear();
        requestEnded = true;
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
    bool chunked = false, upgrade = false, connectionUpgrade = false;
    int lengths = 0, encodings = 0;
    QByteArray authorization;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower(), value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            ++lengths;
            bool number = false;
            length = value.toLongLong(&number);
            if (!number || length < 0)
                return answer(400, "Bad Request", "the Content-Length is not a length");
        } else if (name == "transfer-encoding") {
            ++encodings;
            chunked = chunked || value.toLower().contains("chunked");
        } else if (name == "upgrade") {
            upgrade = value.toLower() == "websocket";
        } else if (name == "connection") {
            connectionUpgrade = value.toLower().contains("upgrade");
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
    if (lengths > 1 || encodings > 1)
        return answer(400, "Bad Request", "more than one Content-Length or Transfer-Encoding", cors);
    if (chunked)
        return answer(411, "Length Required", "send the body with a Content-Length", cors);
    if (length > m_limits.maxBodyBytes)
        return answer(413, "Payload Too Large",
                      "the body is larger than this server takes (" +
                          QByteArray::number(m_limits.maxBodyBytes / (1024 * 1024)) + " MiB)",
                      cors);
    connection.bodyLeft = length;
    connection.passThrough = upgrade && connectionUpgrade;
    return {};
}

void RequestGuard::refuse(QTcpSocket *socket, Connection &connection, const QByteArray &refusal)
{
    connection.refused = true;
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->readAll();
    socket->write(refusal);
    // Closed a moment after the answer is out, what the client still sends being read and dropped meanwhile: a
    // socket closed with data unread resets the connection, and the client would lose the answer.
    QTimer::singleShot(kLingerMs, socket, [socket] { socket->abort(); });
}

} // namespace atelier::server
