#pragma once

// Internal to core (`_p.h`). Running SQL on a connection of an SqliteFile with failures that name the file ("The model
// library could not save model …: disk I/O error"), and transactions that take the write lock up front. Internal to
// core.
#include "core/result.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <functional>

namespace atelier::storage {

inline const QString kDatabaseError = QStringLiteral("Database");

inline QString describe(const QSqlError &error)
{
    QString text = error.databaseText();
    if (text.isEmpty())
        text = error.text();
    return text;
}

// `owner` starts the message ("The model library"), `what` completes "could not …".
inline Status queryFailure(const QSqlQuery &query, const QString &owner, const QString &what)
{
    return Status::failure(QStringLiteral("%1 could not %2: %3").arg(owner, what, describe(query.lastError())),
                           kDatabaseError);
}

inline Status run(QSqlDatabase &db, const QString &sql, const QString &owner, const QString &what,
                  const QVariantList &bindings = {})
{
    QSqlQuery query(db);
    if (!query.prepare(sql))
        return queryFailure(query, owner, what);
    for (const QVariant &value : bindings)
        query.addBindValue(value);
    if (!query.exec())
        return queryFailure(query, owner, what);
    return {};
}

// Runs `body` in an IMMEDIATE transaction (the write lock is taken up front, so two writers queue on the busy
// timeout instead of failing halfway); rolls back when it fails.
inline Status inTransaction(QSqlDatabase &db, const QString &owner, const std::function<Status()> &body)
{
    if (Status begun = run(db, QStringLiteral("BEGIN IMMEDIATE"), owner, QStringLiteral("start a transaction")); !begun)
        return begun;
    Status result = body();
    if (result) {
        result = run(db, QStringLiteral("COMMIT"), owner, QStringLiteral("commit"));
        if (result)
            return result;
    }
    run(db, QStringLiteral("ROLLBACK"), owner, QStringLiteral("roll back"));
    return result;
}

// Free text as an FTS5 query: every word must match as a prefix, in any indexed column. Each word is quoted, so
// that nothing typed is read as FTS5 syntax.
inline QString ftsQuery(const QString &text)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QStringList terms;
    for (QString word : text.split(spaces, Qt::SkipEmptyParts)) {
        word.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QStringLiteral("\"%1\"*").arg(word);
    }
    return terms.join(QLatin1Char(' '));
}

} // namespace atelier::storage
