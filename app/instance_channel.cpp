#include "app/instance_channel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>

namespace atelier::app {

namespace {

constexpr qint64 kMaxRequestBytes = 64 * 1024; // a path, well above PATH_MAX
const QByteArray kTaken = "taken\n";

} // namespace

QString InstanceChannel::nameFor(const QString &rootPath)
{
    const QByteArray root = QDir(rootPath).canonicalPath().toUtf8();
    return QStringLiteral("atelier-%1-%2")
        .arg(qEnvironmentVariable("USER", QStringLiteral("user")),
             QString::fromLatin1(QCryptographicHash::hash(root, QCryptographicHash::Sha256).toHex().left(16)));
}

bool InstanceChannel::handOff(const QString &name, const QString &file, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(file.toUtf8() + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    QByteArray answer;
    while (!answer.endsWith('\n') && socket.waitForReadyRead(timeoutMs))
        answer += socket.readAll();
    return answer == kTaken;
}

InstanceChannel::InstanceChannel(QObject *parent)
    : QObject(parent)
    , m_server(new QLocalServer(this))
{
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &InstanceChannel::readRequest);
}

InstanceChannel::~InstanceChannel() = default;

bool InstanceChannel::listen(const QString &name)
{
    // A window that answers keeps its socket (listening with access options would replace the file under it); a
    // crashed one's socket file accepts no connection and may go.
    QLocalSocket probe;
    probe.connectToServer(name);
    if (probe.waitForConnected(500))
        return false;
    if (m_server->listen(name))
        return true;
    QLocalServer::removeServer(name);
    return m_server->listen(name);
}

void InstanceChannel::readRequest()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > kMaxRequestBytes)
                    socket->abort();
                return;
            }
            const QString file = QString::fromUtf8(socket->readLine(kMaxRequestBytes)).chopped(1);
            socket->write(kTaken);
            socket->flush();
            socket->disconnectFromServer();
            emit fileRequested(file);
        });
    }
}

} // namespace atelier::app
