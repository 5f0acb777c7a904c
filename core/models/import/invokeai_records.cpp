#include "core/models/import/invokeai_records.h"

#include "core/json/bounded_json.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

#include <nlohmann/json.hpp>

namespace atelier::models {

namespace {

QString text(const nlohmann::json &config, const char *field)
{
    const auto found = config.find(field);
    return found != config.end() && found->is_string() ? QString::fromStdString(found->get<std::string>()) : QString();
}

// InvokeAI keeps cover images in <root>/model_images, named in the record or after the key.
QString coverImageOf(const QString &named, const QString &key, const QString &invokeRoot)
{
    const QDir root(invokeRoot);
    QStringList candidates;
    if (!named.isEmpty())
        candidates << (QDir::isAbsolutePath(named) ? named : root.filePath(QStringLiteral("model_images/") + named))
                   << root.filePath(named);
    for (const char *extension : {".webp", ".png", ".jpg"})
        candidates << root.filePath(QStringLiteral("model_images/") + key + QLatin1String(extension));
    for (const QString &candidate : candidates)
        if (QFileInfo(candidate).isFile())
            return QDir::cleanPath(candidate);
    return QString();
}

InvokeAiRecord recordOf(const nlohmann::json &config, const QString &modelsDir, const QString &invokeRoot)
{
    InvokeAiRecord record;
    record.key = text(config, "key");
    const QString path = text(config, "path");
    record.path = path.isEmpty() ? QString()
                                 : QDir::cleanPath(QDir::isAbsolutePath(path) ? path : QDir(modelsDir).filePath(path));
    record.name = text(config, "name");
    record.description = text(config, "description");
    record.base = text(config, "base");
    record.type = text(config, "type");
    record.format = text(config, "format");
    record.variant = text(config, "variant");
    record.hash = text(config, "hash");
    record.source = text(config, "source");
    record.sourceType = text(config, "source_type");
    record.sourceApiResponse = text(config, "source_api_response").toUtf8();
    record.coverImage = coverImageOf(text(config, "cover_image"), record.key, invokeRoot);
    const auto triggers = config.find("trigger_phrases");
    if (triggers != config.end() && triggers->is_array())
        for (const nlohmann::json &phrase : *triggers)
            if (phrase.is_string())
                record.triggerWords << QString::fromStdString(phrase.get<std::string>());
    return record;
}

} // namespace

Result<QList<InvokeAiRecord>> readInvokeAiRecords(const QString &databasePath, const QString &modelsDir,
                                                  const QString &invokeRoot)
{
    using Records = Result<QList<InvokeAiRecord>>;
    if (!QFileInfo(databasePath).isFile())
        return Records::failure(QStringLiteral("%1 does not exist").arg(databasePath), QStringLiteral("NotFound"));
    const auto fail = [&](const QString &why) {
        return Records::failure(QStringLiteral("%1: %2").arg(databasePath, why), QStringLiteral("Database"));
    };
    const auto readAll = [&](QSqlDatabase &database) -> Records {
        if (!database.open())
            return fail(database.lastError().text());
        QSqlQuery tables(database);
        if (!tables.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
            return fail(QStringLiteral("not an SQLite database (%1)").arg(tables.lastError().text()));
        QStringList names;
        while (tables.next())
            names << tables.value(0).toString();
        if (!names.contains(QStringLiteral("models")))
            return fail(names.contains(QStringLiteral("model_config"))
                            ? QStringLiteral("an InvokeAI 3 database, whose records are not read (its models folder "
                                             "is registered by scanning)")
                            : QStringLiteral("not an InvokeAI database (no models table)"));
        QSqlQuery query(database);
        if (!query.exec(QStringLiteral("SELECT id, config FROM models ORDER BY id")))
            return fail(query.lastError().text());
        QList<InvokeAiRecord> records;
        while (query.next()) {
            const Result<nlohmann::json> config = parseBoundedJson(query.value(1).toByteArray());
            if (!config || !config.value().is_object())
                continue; // a damaged row; the others still count
            InvokeAiRecord record = recordOf(config.value(), modelsDir, invokeRoot);
            if (record.key.isEmpty())
                record.key = query.value(0).toString();
            records.push_back(record);
        }
        return records;
    };
    const QString connection = QStringLiteral("invokeai-import-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    Records result = Records::failure(QString(), QStringLiteral("Database"));
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        // immutable: SQLite neither locks nor writes anything (no journal, no -shm), even beside a running InvokeAI.
        database.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
        database.setDatabaseName(
            QUrl::fromLocalFile(QFileInfo(databasePath).absoluteFilePath()).toString(QUrl::FullyEncoded) +
            QStringLiteral("?immutable=1"));
        result = readAll(database);
        database.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return result;
}

} // namespace atelier::models
