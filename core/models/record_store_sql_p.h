#pragma once

// What record_store.cpp and record_store_queries.cpp share: SQL error messages, statements in a transaction, the
// row document written and read. Private to those two files (`_p.h`), which is why it may name Qt Sql.
#include "core/json/bounded_json.h"
#include "core/models/record_store.h"
#include "core/storage/sqlite_statements_p.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <functional>

namespace atelier::models::store_sql {

using json = nlohmann::ordered_json;

using storage::describe;
using storage::kDatabaseError;
inline const QString kUnknownModel = QStringLiteral("UnknownModel");
inline const QString kDuplicateModel = QStringLiteral("DuplicateModel");
inline const QString kLibrary = QStringLiteral("The model library");

inline Status queryFailure(const QSqlQuery &query, const QString &what)
{
    return storage::queryFailure(query, kLibrary, what);
}

// Runs one statement; `what` completes "The model library could not …" on failure.
inline Status run(QSqlDatabase &db, const QString &sql, const QString &what, const QVariantList &bindings = {})
{
    return storage::run(db, sql, kLibrary, what, bindings);
}

inline Status inTransaction(QSqlDatabase &db, const std::function<Status()> &body)
{
    return storage::inTransaction(db, kLibrary, body);
}

using storage::ftsQuery;

// Writes the searchable columns, the tags and the full-text row of one record. `id` is the row to replace, or
// 0 for a new one.
inline Status writeRecord(QSqlDatabase &db, const ModelConfig &config, qint64 id)
{
    const QByteArray document = QByteArray::fromStdString(toJson(config).dump());
    const QVariantList values{config.key, config.name, foldedForMatching(config.name), toString(config.type), toString(config.format),
                              toString(config.base),
                              config.variant ? QVariant(toString(*config.variant)) : QVariant(),
                              config.path, config.hash, config.source, config.fileSize,
                              config.addedAt.toString(Qt::ISODateWithMs),
                              config.updatedAt.toString(Qt::ISODateWithMs), QString::fromUtf8(document)};
    QSqlQuery query(db);
    if (id == 0) {
        query.prepare(QStringLiteral(
            "INSERT INTO models (key, name, sort_name, type, format, base, variant, path, hash, source, file_size, "
            "added_at, updated_at, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    } else {
        query.prepare(QStringLiteral(
            "UPDATE models SET key = ?, name = ?, sort_name = ?, type = ?, format = ?, base = ?, variant = ?, path = ?, hash = ?, "
            "source = ?, file_size = ?, added_at = ?, updated_at = ?, config = ? WHERE id = ?"));
    }
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (id != 0)
        query.addBindValue(id);
    if (!query.exec()) {
        const QString text = describe(query.lastError());
        if (text.contains(QStringLiteral("models.path")))
            return Status::failure(QStringLiteral("Another model is already registered at %1").arg(config.path),
                                   kDuplicateModel);
        if (text.contains(QStringLiteral("models.key")))
            return Status::failure(QStringLiteral("A model with key %1 already exists").arg(config.key),
                                   kDuplicateModel);
        return queryFailure(query, QStringLiteral("save model %1").arg(config.key));
    }
    if (id == 0)
        id = query.lastInsertId().toLongLong();

    if (Status s = run(db, QStringLiteral("DELETE FROM model_tags WHERE model_id = ?"), QStringLiteral("save tags"), {id}); !s)
        return s;
    for (const QString &tag : config.tags) {
        if (Status s = run(db, QStringLiteral("INSERT INTO model_tags (model_id, tag) VALUES (?, ?)"),
                           QStringLiteral("save tags"), {id, tag});
            !s)
            return s;
    }
    if (Status s = run(db, QStringLiteral("DELETE FROM models_fts WHERE rowid = ?"), QStringLiteral("index the model"), {id}); !s)
        return s;
    return run(db,
               QStringLiteral("INSERT INTO models_fts (rowid, name, description, tags, trigger_words) VALUES (?, ?, ?, ?, ?)"),
               QStringLiteral("index the model"),
               {id, config.name, config.description, config.tags.join(QLatin1Char(' ')),
                config.triggerWords.join(QLatin1Char(' '))});
}

// The row id of `key`, 0 when absent, -1 on a database error.
inline qint64 rowIdOf(QSqlDatabase &db, const QString &key)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT id FROM models WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec())
        return -1;
    return query.next() ? query.value(0).toLongLong() : 0;
}

// Parses the JSON document of one row.
inline Result<ModelConfig> readRecord(const QByteArray &document, const QString &databasePath)
{
    Result<ModelConfig> config = fromTrustedJson(parseBoundedJsonOrDiscarded<json>(document));
    if (!config)
        return Result<ModelConfig>::failure(
            QStringLiteral("A record in %1 cannot be read: %2").arg(databasePath, config.error()),
            QStringLiteral("CorruptDatabase"));
    return config;
}

} // namespace atelier::models::store_sql
