#pragma once

// One blocking connection to a Redis server over hiredis, for one thread at a time: the URL's address and
// credentials, commands as argument lists (binary safe), replies as plain values, and reconnecting with backoff when
// the server restarts or the network drops. Messages name the server without its password.
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <atomic>
#include <chrono>

struct redisContext;

namespace atelier::farm {

// Where the server is: redis://[user[:password]@]host[:port][/db], or unix:///path/to/socket[?db=N].
struct RedisAddress
{
    QString host;
    int port = 6379;
    QString socketPath; // unix:// URLs
    QString user;       // Redis ACL user; empty: the default user
    QString password;
    int database = 0;

    // The URL with the password replaced by "***", for every message and log line.
    QString shown() const;
};

// Fails naming what is wrong, never repeating the password. rediss:// (TLS) is refused: Debian 12's hiredis 0.14
// has no TLS; a tunnel (stunnel, ssh -L) to a loopback port serves instead.
Result<RedisAddress> parseRedisUrl(const QString &url);

struct RedisReply
{
    enum class Type { Nil, Integer, String, Status, Array, Error };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray text; // String, Status, Error
    QList<RedisReply> elements;

    bool isNil() const { return type == Type::Nil; }
    // An array's elements as flat field/value pairs' text (XRANGE entries, HGETALL).
    QList<QByteArray> texts() const;
};

class RedisConnection
{
public:
    explicit RedisConnection(RedisAddress address, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~RedisConnection();
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    const RedisAddress &address() const { return m_address; }
    // Connects (again), authenticates and selects the database.
    Status connect();
    bool isConnected() const { return m_context != nullptr; }
    void disconnect();

    // One command. A Redis error reply is a failure with Redis's message; so is a lost connection, after which the
    // connection is closed and the next command connects again. `extraTimeout` lengthens the wait for commands that
    // block on the server (XREADGROUP BLOCK).
    Result<RedisReply> command(const QList<QByteArray> &arguments,
                               std::chrono::milliseconds extraTimeout = std::chrono::milliseconds(0));
    // As command(), but a lost or refused connection is retried with backoff (0.1 s doubling to 2 s) until it
    // answers, `stop` is raised or `patience` has passed. Redis's own error replies are not retried.
    Result<RedisReply> commandRetrying(const QList<QByteArray> &arguments, const std::atomic_bool *stop = nullptr,
                                       std::chrono::milliseconds patience = std::chrono::minutes(10),
                                       std::chrono::milliseconds extraTimeout = std::chrono::milliseconds(0));
    // Whether the last failure came from the connection rather than from Redis.
    bool lastFailureWasConnection() const { return m_connectionFailed; }

private:
    RedisAddress m_address;
    std::chrono::milliseconds m_timeout;
    redisContext *m_context = nullptr;
    bool m_connectionFailed = false;
};

} // namespace atelier::farm
