#include "core/models/record_store.h"
#include "core/json/bounded_json.h"
#include "core/models/record_store_sql_p.h"
#include "core/storage/sqlite_file_p.h"

#include "core/logging/log.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <nlohmann/json.hpp>

#include <functional>

namespace atelier::models {

using namespace store_sql;

namespace {

// ---- Schema ------------------------------------------------------------------------------------------------

// Forward migrations; each runs in one transaction that also sets user_version. Never edit a released step:
// add a new one.
const QList<storage::SqliteMigration> &migrations()
{
    static const QList<storage::SqliteMigration> all = {
        {1,
         "create the model records",
         {QStringLiteral("CREATE TABLE models ("
                         " id INTEGER PRIMARY KEY,"
                         " key TEXT NOT NULL UNIQUE CHECK (length(key) = 32),"
                         " name TEXT NOT NULL,"
                         " sort_name TEXT NOT NULL,"
                         " type TEXT NOT NULL, format TEXT NOT NULL, base TEXT NOT NULL, variant TEXT,"
                         " path TEXT NOT NULL UNIQUE, hash TEXT, source TEXT,"
                         " file_size INTEGER NOT NULL DEFAULT 0,"
                         " added_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
                         " config TEXT NOT NULL CHECK (json_valid(config)))"),
          QStringLiteral("CREATE INDEX models_name ON models (name)"),
          QStringLiteral("CREATE INDEX models_sort_name ON models (sort_name)"),
          QStringLiteral("CREATE INDEX models_base_type_name ON models (base, type, sort_name)"),
          QStringLiteral("CREATE INDEX models_type_name ON models (type, sort_name)"),
          QStringLiteral("CREATE INDEX models_format ON models (format)"),
          QStringLiteral("CREATE INDEX models_hash ON models (hash)"),
          QStringLiteral("CREATE INDEX models_added_at ON models (added_at)"),
          QStringLiteral("CREATE INDEX models_file_size ON models (file_size)"),
          QStringLiteral("CREATE TABLE model_tags ("
                         " model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
                         " tag TEXT NOT NULL COLLATE NOCASE,"
                         " PRIMARY KEY (model_id, tag)) WITHOUT ROWID"),
          QStringLiteral("CREATE INDEX model_tags_tag ON model_tags (tag, model_id)")}},
        {2,
         "add full-text search over names, descriptions, tags and trigger words",
         {QStringLiteral("CREATE VIRTUAL TABLE models_fts USING fts5("
                         " name, description, tags, trigger_words,"
                         " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"),
          QStringLiteral(
              "INSERT INTO models_fts (rowid, name, description, tags, trigger_words)"
              " SELECT m.id, m.name, coalesce(json_extract(m.config, '$.description'), ''),"
              "  coalesce((SELECT group_concat(t.tag, ' ') FROM model_tags t WHERE t.model_id = m.id), ''),"
              "  coalesce((SELECT group_concat(w.value, ' ') FROM json_each(m.config, '$.trigger_words') w), '')"
              " FROM models m")}},
        {3,
         "remember file hashes, so that unchanged files are never hashed twice",
         {QStringLiteral("CREATE TABLE file_hashes ("
                         " path TEXT PRIMARY KEY, size INTEGER NOT NULL, modified_ns INTEGER NOT NULL,"
                         " inode INTEGER NOT NULL, sha256 TEXT NOT NULL, hashed_at TEXT NOT NULL) WITHOUT ROWID")}},
        {4,
         "keep unfinished download and install jobs, so that they come back after a restart",
         {QStringLiteral("CREATE TABLE job_journal ("
                         " kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL,"
                         " PRIMARY KEY (kind, id)) WITHOUT ROWID")}},
    };
    return all;
}

} // namespace

// ---- Opening --------------------------------------------------------------------------------------------------

RecordStore::RecordStore(QString databasePath, QObject *parent)
    : QObject(parent)
    , m_path(databasePath)
    , m_file(std::make_unique<storage::SqliteFile>(
          std::move(databasePath),
          storage::SqliteFileRole{QStringLiteral("model library"),
                                  QStringLiteral("Atelier then starts an empty library"),
                                  QStringLiteral("Restore a backup (atelier models import), or move the file away to "
                                                 "start an empty library.")},
          migrations(), lcModels()))
{
    qRegisterMetaType<ModelConfig>();
}

RecordStore::~RecordStore() = default;

bool RecordStore::isOpen() const
{
    return m_file->isOpen();
}

Result<QSqlDatabase> RecordStore::connection() const
{
    return m_file->connection();
}

Result<QSqlDatabase> RecordStore::usableConnection() const
{
    return m_file->usableConnection();
}

Status RecordStore::notOpen() const
{
    return m_file->notOpen();
}

Status RecordStore::open()
{
    return m_file->open();
}

// ---- Writing ----------------------------------------------------------------------------------------------

namespace {

// Every stored record has both times: added now unless stated, updated when added unless stated.
void stampTimes(ModelConfig &config)
{
    if (!config.addedAt.isValid())
        config.addedAt = QDateTime::currentDateTimeUtc();
    if (!config.updatedAt.isValid())
        config.updatedAt = config.addedAt;
}

} // namespace

Result<ModelConfig> RecordStore::addModel(ModelConfig config)
{
    if (!isOpen())
        return Result<ModelConfig>::failure(notOpen());
    if (config.key.isEmpty())
        config.key = ModelConfig::newKey();
    stampTimes(config);
    normalise(config);
    if (Status valid = validate(config); !valid)
        return Result<ModelConfig>::failure(valid);

    const Result<QSqlDatabase> db = connection();
    if (!db)
        return Result<ModelConfig>::failure(db);
    QSqlDatabase handle = db.value();
    const Status written = inTransaction(handle, [&]() -> Status {
        const qint64 existing = rowIdOf(handle, config.key);
        if (existing > 0)
            return Status::failure(QStringLiteral("A model with key %1 already exists").arg(config.key), kDuplicateModel);
        return writeRecord(handle, config, 0);
    });
    if (!written)
        return Result<ModelConfig>::failure(written);
    qCInfo(lcModels).noquote() << "added model" << config.key << config.name;
    emit modelAdded(config);
    return config;
}

Result<ModelConfig> RecordStore::updateModel(const QString &key, const json &changes)
{
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Result<ModelConfig>::failure(db);
    QSqlDatabase handle = db.value();
    ModelConfig updated;
    const Status written = inTransaction(handle, [&]() -> Status {
        // Read and write under one lock, so that two sparse changes to different fields both land.
        const Result<ModelConfig> current = getModel(key);
        if (!current)
            return Status::failure(current);
        Result<ModelConfig> changed = applyChanges(current.value(), changes);
        if (!changed)
            return Status::failure(changed);
        updated = changed.value();
        if (!changes.contains("updated_at"))
            updated.updatedAt = QDateTime::currentDateTimeUtc();
        return writeRecord(handle, updated, rowIdOf(handle, key));
    });
    if (!written)
        return Result<ModelConfig>::failure(written);
    emit modelUpdated(updated);
    return updated;
}

Status RecordStore::deleteModel(const QString &key)
{
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Status::failure(db);
    QSqlDatabase handle = db.value();
    const Status removed = inTransaction(handle, [&]() -> Status {
        const qint64 id = rowIdOf(handle, key);
        if (id < 0)
            return Status::failure(QStringLiteral("The model library could not look up %1").arg(key), kDatabaseError);
        if (id == 0)
            return Status::failure(QStringLiteral("No model with key %1").arg(key), kUnknownModel);
        if (Status s = run(handle, QStringLiteral("DELETE FROM models_fts WHERE rowid = ?"), QStringLiteral("remove the model"), {id}); !s)
            return s;
        return run(handle, QStringLiteral("DELETE FROM models WHERE id = ?"), QStringLiteral("remove the model"), {id});
    });
    if (!removed)
        return removed;
    qCInfo(lcModels).noquote() << "removed model" << key;
    emit modelRemoved(key);
    return {};
}

Result<RecordStore::ImportReport> RecordStore::importModels(QList<ModelConfig> configs, bool replaceExisting)
{
    if (!isOpen())
        return Result<ImportReport>::failure(notOpen());
    for (ModelConfig &config : configs) {
        stampTimes(config); // an export edited by hand may have lost them
        normalise(config);
        if (Status valid = validate(config); !valid)
            return Result<ImportReport>::failure(
                QStringLiteral("Nothing was imported: model %1 (%2): %3").arg(config.key, config.name, valid.error()),
                valid.errorType());
    }
    const Result<QSqlDatabase> db = connection();
    if (!db)
        return Result<ImportReport>::failure(db);
    QSqlDatabase handle = db.value();
    ImportReport report;
    QList<ModelConfig> added, replaced;
    const Status imported = inTransaction(handle, [&]() -> Status {
        for (const ModelConfig &config : configs) {
            const qint64 id = rowIdOf(handle, config.key);
            if (id < 0)
                return Status::failure(QStringLiteral("The model library could not look up %1").arg(config.key), kDatabaseError);
            if (id > 0 && !replaceExisting) {
                report.skippedKeys << config.key;
                continue;
            }
            if (Status s = writeRecord(handle, config, id); !s)
                return Status::failure(QStringLiteral("Nothing was imported: model %1 (%2): %3")
                                           .arg(config.key, config.name, s.error()),
                                       s.errorType());
            (id > 0 ? replaced : added) << config;
        }
        return {};
    });
    if (!imported)
        return Result<ImportReport>::failure(imported);
    report.added = int(added.size());
    report.replaced = int(replaced.size());
    for (const ModelConfig &config : std::as_const(added))
        emit modelAdded(config);
    for (const ModelConfig &config : std::as_const(replaced))
        emit modelUpdated(config);
    return report;
}

// ---- Reading ----------------------------------------------------------------------------------------------

Result<QList<ModelConfig>> RecordStore::select(const QString &where, const QVariantList &bindings,
                                               const QString &orderAndLimit) const
{
    using Records = Result<QList<ModelConfig>>;
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Records::failure(db);
    QSqlQuery query(db.value());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT m.config FROM models m %1 %2")
                      .arg(where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where,
                           orderAndLimit.isEmpty() ? QStringLiteral("ORDER BY m.sort_name, m.id") : orderAndLimit));
    for (const QVariant &value : bindings)
        query.addBindValue(value);
    if (!query.exec())
        return Records::failure(queryFailure(query, QStringLiteral("search the models")));
    QList<ModelConfig> records;
    while (query.next()) {
        Result<ModelConfig> config = readRecord(query.value(0).toByteArray(), m_path);
        if (!config)
            return Records::failure(config);
        records << std::move(config).value();
    }
    return records;
}

Result<ModelConfig> RecordStore::selectOne(const QString &where, const QVariant &binding, const QString &notFound) const
{
    const auto found = select(where, {binding});
    if (!found)
        return Result<ModelConfig>::failure(found);
    if (found->isEmpty())
        return Result<ModelConfig>::failure(notFound, kUnknownModel);
    return found->first();
}

Result<ModelConfig> RecordStore::getModel(const QString &key) const
{
    return selectOne(QStringLiteral("m.key = ?"), key, QStringLiteral("No model with key %1").arg(key));
}

bool RecordStore::exists(const QString &key) const
{
    const auto found = select(QStringLiteral("m.key = ?"), {key});
    return found && !found->isEmpty();
}

Result<ModelConfig> RecordStore::searchByPath(const QString &path) const
{
    return selectOne(QStringLiteral("m.path = ?"), path, QStringLiteral("No model is registered at %1").arg(path));
}

Result<QList<ModelConfig>> RecordStore::searchByHash(const QString &hash) const
{
    return select(QStringLiteral("m.hash = ?"), {hash});
}

Result<QList<ModelConfig>> RecordStore::searchByName(const QString &name, std::optional<BaseModel> base,
                                                     std::optional<ModelType> type) const
{
    QStringList conditions;
    QVariantList bindings;
    if (!name.isEmpty()) {
        conditions << QStringLiteral("m.name = ?");
        bindings << name;
    }
    if (base) {
        conditions << QStringLiteral("m.base = ?");
        bindings << toString(*base);
    }
    if (type) {
        conditions << QStringLiteral("m.type = ?");
        bindings << toString(*type);
    }
    return select(conditions.join(QStringLiteral(" AND ")), bindings);
}

Result<QList<ModelConfig>> RecordStore::searchByTag(const QStringList &tags) const
{
    QStringList conditions;
    QVariantList bindings;
    for (const QString &tag : tags) {
        conditions << QStringLiteral("EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.tag = ?)");
        bindings << tag.simplified();
    }
    return select(conditions.join(QStringLiteral(" AND ")), bindings);
}

Result<ModelConfig> RecordStore::modelInfoByName(const QString &name, BaseModel base, ModelType type) const
{
    const auto found = searchByName(name, base, type);
    if (!found)
        return Result<ModelConfig>::failure(found);
    if (found->isEmpty())
        return Result<ModelConfig>::failure(
            QStringLiteral("No %1 %2 model named \"%3\"").arg(toString(base), toString(type), name), kUnknownModel);
    if (found->size() > 1) {
        QStringList keys;
        for (const ModelConfig &config : found.value())
            keys << config.key;
        return Result<ModelConfig>::failure(QStringLiteral("%1 %2 %3 models are named \"%4\" (keys %5); use a key")
                                                .arg(found->size())
                                                .arg(toString(base), toString(type), name, keys.join(QStringLiteral(", "))),
                                            QStringLiteral("AmbiguousModel"));
    }
    return found->first();
}

Result<QStringList> RecordStore::keysWithPrefix(const QString &prefix) const
{
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Result<QStringList>::failure(db);
    QSqlQuery query(db.value());
    query.prepare(QStringLiteral("SELECT key FROM models WHERE key >= ? AND key < ? ORDER BY key LIMIT 50"));
    query.addBindValue(prefix.toLower());
    query.addBindValue(prefix.toLower() + QChar(0x7f));
    if (!query.exec())
        return Result<QStringList>::failure(queryFailure(query, QStringLiteral("look up keys")));
    QStringList keys;
    while (query.next())
        keys << query.value(0).toString();
    return keys;
}

} // namespace atelier::models
