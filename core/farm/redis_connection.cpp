#include "core/farm/redis_connection.h"

#include <hiredis/hiredis.h>

#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <vector>

namespace atelier::farm {

QString RedisAddress::shown() const
{
    if (!socketPath.isEmpty())
        return QStringLiteral("unix://%1").arg(socketPath) +
               (database ? QStringLiteral("?db=%1").arg(database) : QString());
    QString credentials;
    if (!user.isEmpty() || !password.isEmpty())
        credentials = user + (password.isEmpty() ? QString() : QStringLiteral(":***")) + QLatin1Char('@');
    return QStringLiteral("redis://%1%2:%3").arg(credentials, host).arg(port) +
           (database ? QStringLiteral("/%1").arg(database) : QString());
}

Result<RedisAddress> parseRedisUrl(const QString &text)
{
    using Failure = Result<RedisAddress>;
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (scheme == QLatin1String("rediss"))
        return Failure::failure(QStringLiteral(
            "rediss:// (TLS) is not supported: this build's hiredis has no TLS; reach the server through a TLS tunnel "
            "(stunnel, ssh -L) and give its loopback port as redis://127.0.0.1:PORT"));
    if (!url.isValid() || (scheme != QLatin1String("redis") && scheme != QLatin1String("unix")))
        return Failure::failure(
            QStringLiteral("the Redis URL must read redis://[user:password@]host[:port][/db] or unix:///path"));
    RedisAddress address;
    address.user = url.userName(QUrl::FullyDecoded);
    address.password = url.password(QUrl::FullyDecoded);
    bool numeric = true;
    if (scheme == QLatin1String("unix")) {
        address.socketPath = url.path(QUrl::FullyDecoded);
        if (address.socketPath.isEmpty())
            return Failure::failure(QStringLiteral("the Redis URL unix:// names no socket"));
        const QString db = QUrlQuery(url).queryItemValue(QStringLiteral("db"));
        address.database = db.isEmpty() ? 0 : db.toInt(&numeric);
    } else {
        address.host = url.host();
        if (address.host.isEmpty())
            return Failure::failure(QStringLiteral("the Redis URL names no host"));
        address.port = url.port(6379);
        const QString path = url.path().mid(1);
        address.database = path.isEmpty() ? 0 : path.toInt(&numeric);
    }
    if (!numeric || address.database < 0 || address.database > 15)
        return Failure::failure(QStringLiteral("the Redis URL's database must be a number from 0 to 15"));
    return address;
}

QList<QByteArray> RedisReply::texts() const
{
    QList<QByteArray> values;
    for (const RedisReply &element : elements)
        values.append(element.text);
    return values;
}

namespace {

RedisReply converted(const redisReply *reply)
{
    RedisReply value;
    switch (reply->type) {
    case REDIS_REPLY_INTEGER:
        value.type = RedisReply::Type::Integer;
        value.integer = reply->integer;
        break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        value.type = reply->type == REDIS_REPLY_STRING   ? RedisReply::Type::String
                     : reply->type == REDIS_REPLY_STATUS ? RedisReply::Type::Status
                                                         : RedisReply::Type::Error;
        value.text = QByteArray(reply->str, int(reply->len));
        break;
    case REDIS_REPLY_ARRAY:
        value.type = RedisReply::Type::Array;
        for (size_t i = 0; i < reply->elements; ++i)
            value.elements.append(converted(reply->element[i]));
        break;
    default:
        value.type = RedisReply::Type::Nil;
    }
    return value;
}

timeval asTimeval(std::chrono::milliseconds duration)
{
    return timeval{time_t(duration.count() / 1000), suseconds_t((duration.count() % 1000) * 1000)};
}

} // namespace

RedisConnection::RedisConnection(RedisAddress address, std::chrono::milliseconds timeout)
    : m_address(std::move(address))
    , m_timeout(timeout)
{}

RedisConnection::~RedisConnection()
{
    disconnect();
}

void RedisConnection::disconnect()
{
    if (m_context)
        redisFree(m_context);
    m_context = nullptr;
}

Status RedisConnection::connect()
{
    disconnect();
    const timeval timeout = asTimeval(m_timeout);
    redisContext *context = m_address.socketPath.isEmpty()
                                ? redisConnectWithTimeout(m_address.host.toUtf8().constData(), m_address.port, timeout)
                                : redisConnectUnixWithTimeout(m_address.socketPath.toUtf8().constData(), timeout);
    if (!context || context->err) {
        const QString reason = context ? QString::fromUtf8(context->errstr) : QStringLiteral("out of memory");
        if (context)
            redisFree(context);
        m_connectionFailed = true;
        return Status::failure(QStringLiteral("cannot reach Redis at %1: %2").arg(m_address.shown(), reason));
    }
    redisSetTimeout(context, timeout);
    m_context = context;
    if (!m_address.password.isEmpty()) {
        QList<QByteArray> auth{"AUTH"};
        if (!m_address.user.isEmpty())
            auth.append(m_address.user.toUtf8());
        auth.append(m_address.password.toUtf8());
        const Result<RedisReply> answered = command(auth);
        if (!answered) {
            disconnect();
            m_connectionFailed = false; // wrong credentials: retrying does not help
            return Status::failure(
                QStringLiteral("Redis at %1 refused the credentials: %2").arg(m_address.shown(), answered.error()));
        }
    }
    if (m_address.database != 0) {
        const Result<RedisReply> selected = command({"SELECT", QByteArray::number(m_address.database)});
        if (!selected) {
            disconnect();
            return Status::failure(selected.error());
        }
    }
    m_connectionFailed = false;
    return {};
}

Result<RedisReply> RedisConnection::command(const QList<QByteArray> &arguments, std::chrono::milliseconds extraTimeout)
{
    m_connectionFailed = false;
    if (!m_context) {
        if (const Status connected = connect(); !connected)
            return Result<RedisReply>::failure(connected.error());
    }
    std::vector<const char *> pointers;
    std::vector<size_t> lengths;
    for (const QByteArray &argument : arguments) {
        pointers.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    if (extraTimeout.count() > 0)
        redisSetTimeout(m_context, asTimeval(m_timeout + extraTimeout));
    auto *reply =
        static_cast<redisReply *>(redisCommandArgv(m_context, int(arguments.size()), pointers.data(), lengths.data()));
    if (extraTimeout.count() > 0 && m_context && !m_context->err)
        redisSetTimeout(m_context, asTimeval(m_timeout));
    if (!reply) {
        const QString reason = QString::fromUtf8(m_context->errstr);
        disconnect();
        m_connectionFailed = true;
        return Result<RedisReply>::failure(
            QStringLiteral("lost the connection to Redis at %1: %2").arg(m_address.shown(), reason));
    }
    RedisReply value = converted(reply);
    freeReplyObject(reply);
    if (value.type == RedisReply::Type::Error)
        return Result<RedisReply>::failure(QString::fromUtf8(value.text));
    return value;
}

Result<RedisReply> RedisConnection::commandRetrying(const QList<QByteArray> &arguments, const std::atomic_bool *stop,
                                                    std::chrono::milliseconds patience,
                                                    std::chrono::milliseconds extraTimeout)
{
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::chrono::milliseconds backoff(100);
    for (;;) {
        Result<RedisReply> answered = command(arguments, extraTimeout);
        // A server still loading its append-only file answers LOADING: wait for it like for a restart.
        const bool loading = !answered && answered.error().startsWith(QLatin1String("LOADING"));
        if (answered || !(m_connectionFailed || loading))
            return answered;
        if ((stop && *stop) || std::chrono::steady_clock::now() + backoff > deadline)
            return answered;
        QThread::msleep(static_cast<unsigned long>(backoff.count()));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

} // namespace atelier::farm
