#pragma once

#include "core/hashing/file_hash_cache.h"
#include "core/models/model_config.h"
#include "core/result.h"

#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QSet>

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <optional>

// Qt Sql stays inside core: the store's users see records, never connections or queries.
class QSqlDatabase;
class QSqlQuery;

namespace atelier::storage {
class SqliteFile;
}

namespace atelier::models {

// What the model browser asks for: filters, free text, sort and one page.
struct ModelQuery
{
    enum class Sort { Name, AddedAt, Size, Type };

    std::optional<BaseModel> base;
    std::optional<ModelType> type;
    std::optional<ModelFormat> format;
    QStringList tags;      // every one must be present (case-insensitive)
    QString text;          // words matched as prefixes over name, description, tags and trigger words
    QString namePrefix;    // search-as-you-type: names starting with this (case-insensitive)
    Sort sort = Sort::Name;
    bool descending = false;
    int offset = 0;
    int limit = 100;       // 0: no limit
};

struct ModelPage
{
    QList<ModelConfig> models;
    int total = 0;         // how many match, all pages together
};

// What a row of the model browser shows, read from the indexed columns without parsing the whole record.
struct ModelSummary
{
    QString key;
    QString name;
    ModelType type = ModelType::Unknown;
    ModelFormat format = ModelFormat::Unknown;
    BaseModel base = BaseModel::Unknown;
    QString path;
    QString hash;
    qint64 fileSize = 0;
    QDateTime addedAt;
    QStringList tags;
    QString coverImage;
    QString description;
    QStringList triggerWords;
    bool missing = false;   // its files were not found at the last sync
};

// How names sort and match: accents and case do not matter ("Détail" folds to "detail"), runs of spaces are one.
QString foldedForMatching(const QString &text);

// The summary of a whole record, as browse() would read it (for views that follow the change signals).
ModelSummary summaryOf(const ModelConfig &config);

struct SummaryPage
{
    QList<ModelSummary> models;
    int total = 0;
};

// SQL for a browser query, as the store runs it (used by the benchmark to time the bare query).
struct QueryPlan
{
    QString sql;
    QString countSql;
    QVariantList bindings;
};
enum class QueryColumns { FullRecord, Summary };
QueryPlan planQuery(const ModelQuery &query, QueryColumns columns = QueryColumns::FullRecord);

// The model library on SQLite: InvokeAI's ModelRecordService, natively. Thread-safe: each thread gets its own
// connection; every write is one IMMEDIATE transaction, so other threads and other processes on the same file
// see all of it or none of it. Changes are announced by signals, emitted after the commit from the writing
// thread (receivers in other threads get them queued).
//
// Failures come back as Result errors with these types: "DuplicateModel", "UnknownModel", "AmbiguousModel",
// "InvalidModelConfig", "Database", and, from open(), "ForeignDatabase", "CorruptDatabase", "NewerDatabase".
class RecordStore : public QObject, public hashing::FileHashCache
{
    Q_OBJECT
public:
    static constexpr int kSchemaVersion = 4;

    explicit RecordStore(QString databasePath, QObject *parent = nullptr);
    ~RecordStore() override;

    // Creates or opens the database and migrates it to kSchemaVersion (keeping a copy of the old file first).
    // A file that is not SQLite, is damaged, or was written by a newer version is left untouched, and every
    // later call fails with the same message.
    Status open();
    bool isOpen() const;
    QString databasePath() const { return m_path; }
    QString version() const { return QString::number(kSchemaVersion); }

    // Adds a record. An empty key gets a fresh one; unset timestamps become now. Fails on a duplicate key or path.
    Result<ModelConfig> addModel(ModelConfig config);
    // Applies a sparse change ({"name": …}); fails on an unknown key or an invalid result.
    Result<ModelConfig> updateModel(const QString &key, const nlohmann::ordered_json &changes);
    Status deleteModel(const QString &key);

    Result<ModelConfig> getModel(const QString &key) const;
    bool exists(const QString &key) const;
    // Exact string comparison, as the seed's search_by_path; fails with "UnknownModel" when none matches.
    Result<ModelConfig> searchByPath(const QString &path) const;
    Result<QList<ModelConfig>> searchByHash(const QString &hash) const;
    // Any combination; all empty returns every model.
    Result<QList<ModelConfig>> searchByName(const QString &name = QString(), std::optional<BaseModel> base = {},
                                            std::optional<ModelType> type = {}) const;
    Result<QList<ModelConfig>> allModels() const { return searchByName(); }
    Result<QList<ModelConfig>> searchByTag(const QStringList &tags) const;
    // The one model with this name, base and type; "AmbiguousModel" when several match.
    Result<ModelConfig> modelInfoByName(const QString &name, BaseModel base, ModelType type) const;
    // Keys starting with `prefix` (for the command line, which accepts unique key prefixes).
    Result<QStringList> keysWithPrefix(const QString &prefix) const;

    Result<ModelPage> query(const ModelQuery &query) const;
    // The same query, returning summaries: what list and grid views need for thousands of rows.
    Result<SummaryPage> browse(const ModelQuery &query) const;
    // Every tag in use and how many models carry it, most used first.
    Result<QList<QPair<QString, int>>> tagCounts() const;

    struct ImportReport
    {
        int added = 0;
        int replaced = 0;
        QStringList skippedKeys;  // already present and not replaced
    };
    // Adds many records in one transaction: all or nothing. Records whose key exists are skipped, or replaced
    // when `replaceExisting`.
    Result<ImportReport> importModels(QList<ModelConfig> configs, bool replaceExisting);

    // The hash cache: a file's SHA-256 remembered with what identifies its contents (path, size, modification
    // time, inode). A lookup whose identity differs in any part finds nothing.
    bool hashCacheReady() const override { return isOpen(); }
    Result<std::optional<QString>> cachedFileHash(const hashing::FileIdentity &file) const override;
    Status rememberFileHash(const hashing::FileIdentity &file, const QString &sha256) override;
    QString hashCacheFile() const override { return m_path; }

    // The job journal: unfinished jobs of the download queue and the installer, kept as opaque bodies under
    // (kind, id), so that they come back after a restart. Each service owns the format of its bodies.
    Status journalJob(const QString &kind, const QString &id, const QByteArray &body);
    Status forgetJournaledJob(const QString &kind, const QString &id);
    // (id, body) of every journaled job of that kind, oldest first.
    Result<QList<QPair<QString, QByteArray>>> journaledJobs(const QString &kind) const;

signals:
    void modelAdded(const atelier::models::ModelConfig &config);
    void modelUpdated(const atelier::models::ModelConfig &config);
    void modelRemoved(const QString &key);

private:
    Result<QSqlDatabase> connection() const;
    // The calling thread's connection once the library is open; otherwise why it is not.
    Result<QSqlDatabase> usableConnection() const;
    // One statement in its own transaction on the calling thread's connection.
    Status writeOne(const QString &sql, const QString &what, const QVariantList &bindings);
    Result<QList<ModelConfig>> select(const QString &where, const QVariantList &bindings,
                                      const QString &orderAndLimit = QString()) const;
    // The one record matching `where`; "UnknownModel" with `notFound` when none does.
    Result<ModelConfig> selectOne(const QString &where, const QVariant &binding, const QString &notFound) const;
    Status notOpen() const;
    // Runs the count and the page of `plan`, handing each row to `readRow`.
    Result<int> runPlan(const QueryPlan &plan, const std::function<Status(const QSqlQuery &)> &readRow) const;

    QString m_path;
    std::unique_ptr<storage::SqliteFile> m_file; // connections, the open-time checks and the migrations
};

} // namespace atelier::models
