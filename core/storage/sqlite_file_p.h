#pragma once

// Internal to core (`_p.h`: it names Qt Sql). An SQLite file Atelier owns (the model library; the image index to come):
// one connection per thread, and an open that looks before it writes. A file that is not SQLite, is damaged, was
// written by a newer Atelier or belongs to another program is refused with a message saying what to do, and left
// exactly as it was; an older schema is backed up beside the file and migrated forward, each step in one transaction.
// Qt Sql stays inside core.
#include "core/result.h"

#include <QList>
#include <QLoggingCategory>
#include <QMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace atelier::storage {

// One forward step of a schema; never edit one that was released: add a new one.
struct SqliteMigration
{
    int toVersion;
    const char *what; // for the log: "create the model records"
    QStringList statements;
};

// How messages name the file and what they advise.
struct SqliteFileRole
{
    QString name;          // "model library"
    QString freshStart;    // what moving the file away gives: "Atelier then starts an empty library"
    QString damagedAdvice; // "Restore a backup (atelier models import), or move the file away ..."
};

class SqliteFile
{
public:
    SqliteFile(QString path, SqliteFileRole role, QList<SqliteMigration> migrations, const QLoggingCategory &log);
    ~SqliteFile();
    SqliteFile(const SqliteFile &) = delete;
    SqliteFile &operator=(const SqliteFile &) = delete;

    Status open();
    bool isOpen() const { return m_open; }
    const QString &path() const { return m_path; }
    // The calling thread's connection (made on first use, with a busy timeout so that writers queue).
    Result<QSqlDatabase> connection() const;
    // The same once the file is open; otherwise why it is not.
    Result<QSqlDatabase> usableConnection() const;
    Status notOpen() const;

private:
    Status migrate(QSqlDatabase &db, int fromVersion);
    Status refuse(const QString &message, const QString &type);

    QString m_path;
    SqliteFileRole m_role;
    QList<SqliteMigration> m_migrations;
    const QLoggingCategory &m_log;
    QString m_connectionPrefix;
    bool m_open = false;
    QString m_openError;
    QString m_openErrorType;
    mutable QMutex m_connectionsMutex;
    mutable QSet<QString> m_connections;
};

} // namespace atelier::storage
