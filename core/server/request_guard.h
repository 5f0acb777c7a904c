#pragma once

// The TCP side of `atelier serve`, in front of Qt's HTTP server: it reads each request's head before the server
// does and answers at once, closing the connection, when the head is too long (431), a body is longer than the
// limit (413) or sent without a length (411), the token the server requires is missing or wrong (401), or the
// request is malformed in ways the guard and the server could read differently (bare LF line ends, two lengths,
// pipelining: 400); heads still incomplete after a timeout close their connection. CORS
// preflight requests are answered here too (204) when CORS is on. Connections past the limit are closed unread.
// WebSocket upgrades pass through, checked like any request. Lives on the server's thread.
#include <QElapsedTimer>
#include <QHash>
#include <QTcpServer>
#include <QTimer>

class QTcpSocket;

namespace atelier::server {

struct GuardLimits
{
    qint64 maxBodyBytes = 100ll * 1024 * 1024;
    int maxHeadBytes = 64 * 1024;
    int maxConnections = 512;
    int headTimeoutMs = 30000; // a request head still incomplete after this closes its connection
    QByteArray token;      // required in "Authorization: Bearer …" or "?token=…" when not empty
    QByteArray corsOrigin; // CORS answers with this origin; empty: no CORS
};

class RequestGuard : public QTcpServer
{
    Q_OBJECT
public:
    explicit RequestGuard(GuardLimits limits, QObject *parent = nullptr);

    int openConnections() const { return m_open; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Connection
    {
        QByteArray head;          // the current request's head, until its blank line
        QElapsedTimer headSince;
        qint64 bodyLeft = 0;      // bytes of the current body still to come
        bool passThrough = false; // upgraded to a WebSocket
        bool refused = false;
    };
    void inspect(QTcpSocket *socket);
    // The answer to a complete request head, or an empty one when the request may go on to the HTTP server.
    QByteArray verdict(const QByteArray &head, Connection &connection) const;
    void refuse(QTcpSocket *socket, Connection &connection, const QByteArray &answer);

    GuardLimits m_limits;
    QHash<QTcpSocket *, Connection> m_connections;
    QTimer m_sweep;
    int m_open = 0;
};

} // namespace atelier::server
