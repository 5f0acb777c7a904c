// The library's queries for browsing (planned SQL with full-text search, pages of records and of summaries) and its
// small side tables (the file-hash cache, the job journal, tag counts).
#include "core/models/record_store.h"
#include "core/models/record_store_sql_p.h"

namespace atelier::models {

using namespace store_sql;

QueryPlan planQuery(const ModelQuery &query, QueryColumns columns)
{
    QueryPlan plan;
    QStringList conditions;
    if (query.base) {
        conditions << QStringLiteral("m.base = ?");
        plan.bindings << toString(*query.base);
    }
    if (query.type) {
        conditions << QStringLiteral("m.type = ?");
        plan.bindings << toString(*query.type);
    }
    if (query.format) {
        conditions << QStringLiteral("m.format = ?");
        plan.bindings << toString(*query.format);
    }
    for (const QString &tag : query.tags) {
        conditions << QStringLiteral("EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.tag = ?)");
        plan.bindings << tag.simplified();
    }
    const QString fts = ftsQuery(query.text);
    if (!fts.isEmpty()) {
        conditions << QStringLiteral("m.id IN (SELECT rowid FROM models_fts WHERE models_fts MATCH ?)");
        plan.bindings << fts;
    }
    if (!query.namePrefix.isEmpty()) {
        // A range on the folded name uses its index, unlike LIKE; the upper bound is the prefix's successor.
        const QString folded = foldedForMatching(query.namePrefix);
        conditions << QStringLiteral("m.sort_name >= ? AND m.sort_name < ?");
        plan.bindings << folded << folded + QChar(0xffff);
    }
    const QString where = conditions.isEmpty() ? QString() : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    const QString direction = query.descending ? QStringLiteral(" DESC") : QString();
    QString order;
    switch (query.sort) {
    case ModelQuery::Sort::Name:
        order = QStringLiteral("m.sort_name%1, m.id").arg(direction);
        break;
    case ModelQuery::Sort::AddedAt:
        order = QStringLiteral("m.added_at%1, m.id").arg(direction);
        break;
    case ModelQuery::Sort::Size:
        order = QStringLiteral("m.file_size%1, m.sort_name").arg(direction);
        break;
    case ModelQuery::Sort::Type:
        order = QStringLiteral("m.type%1, m.sort_name").arg(direction);
        break;
    }
    const QString selected = columns == QueryColumns::FullRecord
        ? QStringLiteral("m.config")
        : QStringLiteral("m.key, m.name, m.type, m.format, m.base, m.path, m.hash, m.file_size, m.added_at,"
                         " (SELECT group_concat(t.tag, char(31)) FROM model_tags t WHERE t.model_id = m.id),"
                         " json_extract(m.config, '$.cover_image'),"
                         " coalesce(json_extract(m.config, '$.description'), ''),"
                         " json_extract(m.config, '$.trigger_words'),"
                         " coalesce(json_extract(m.config, '$.missing'), 0)");
    plan.sql = QStringLiteral("SELECT %1 FROM models m%2 ORDER BY %3").arg(selected, where, order);
    if (query.limit > 0)
        plan.sql += QStringLiteral(" LIMIT %1 OFFSET %2").arg(query.limit).arg(std::max(0, query.offset));
    plan.countSql = QStringLiteral("SELECT count(*) FROM models m%1").arg(where);
    return plan;
}

Result<int> RecordStore::runPlan(const QueryPlan &plan, const std::function<Status(const QSqlQuery &)> &readRow) const
{
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Result<int>::failure(db);

    QSqlQuery count(db.value());
    count.prepare(plan.countSql);
    for (const QVariant &value : plan.bindings)
        count.addBindValue(value);
    if (!count.exec() || !count.next())
        return Result<int>::failure(queryFailure(count, QStringLiteral("count the models")));
    const int total = count.value(0).toInt();
    count.finish();

    QSqlQuery rows(db.value());
    rows.setForwardOnly(true);
    rows.prepare(plan.sql);
    for (const QVariant &value : plan.bindings)
        rows.addBindValue(value);
    if (!rows.exec())
        return Result<int>::failure(queryFailure(rows, QStringLiteral("search the models")));
    while (rows.next()) {
        if (Status read = readRow(rows); !read)
            return Result<int>::failure(read);
    }
    return total;
}

Result<ModelPage> RecordStore::query(const ModelQuery &request) const
{
    ModelPage page;
    const Result<int> total = runPlan(planQuery(request), [&](const QSqlQuery &row) -> Status {
        Result<ModelConfig> config = readRecord(row.value(0).toByteArray(), m_path);
        if (!config)
            return Status::failure(config);
        page.models << std::move(config).value();
        return {};
    });
    if (!total)
        return Result<ModelPage>::failure(total);
    page.total = total.value();
    return page;
}

QString foldedForMatching(const QString &text)
{
    const QString decomposed = text.normalized(QString::NormalizationForm_KD);
    QString folded;
    folded.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        if (c.category() != QChar::Mark_NonSpacing)
            folded += c;
    }
    return folded.toCaseFolded().simplified();
}

ModelSummary summaryOf(const ModelConfig &config)
{
    ModelSummary summary;
    summary.key = config.key;
    summary.name = config.name;
    summary.type = config.type;
    summary.format = config.format;
    summary.base = config.base;
    summary.path = config.path;
    summary.hash = config.hash;
    summary.fileSize = config.fileSize;
    summary.addedAt = config.addedAt;
    summary.tags = config.tags;
    summary.coverImage = config.coverImage;
    summary.description = config.description;
    summary.triggerWords = config.triggerWords;
    summary.missing = config.missing;
    return summary;
}

Result<SummaryPage> RecordStore::browse(const ModelQuery &request) const
{
    SummaryPage page;
    const Result<int> total = runPlan(planQuery(request, QueryColumns::Summary), [&](const QSqlQuery &row) -> Status {
        ModelSummary summary;
        summary.key = row.value(0).toString();
        summary.name = row.value(1).toString();
        const Result<ModelType> type = parseTaxonomy<ModelType>(row.value(2).toString());
        const Result<ModelFormat> format = parseTaxonomy<ModelFormat>(row.value(3).toString());
        const Result<BaseModel> base = parseTaxonomy<BaseModel>(row.value(4).toString());
        if (!type || !format || !base)
            return Status::failure(QStringLiteral("A record in %1 cannot be read: %2")
                                       .arg(m_path, !type ? type.error() : !format ? format.error() : base.error()),
                                   QStringLiteral("CorruptDatabase"));
        summary.type = type.value();
        summary.format = format.value();
        summary.base = base.value();
        summary.path = row.value(5).toString();
        summary.hash = row.value(6).toString();
        summary.fileSize = row.value(7).toLongLong();
        summary.addedAt = QDateTime::fromString(row.value(8).toString(), Qt::ISODateWithMs);
        const QString tags = row.value(9).toString();
        if (!tags.isEmpty())
            summary.tags = tags.split(QChar(31));
        summary.coverImage = row.value(10).toString();
        summary.description = row.value(11).toString();
        const QByteArray triggerWords = row.value(12).toByteArray();
        if (!triggerWords.isEmpty()) {
            const json words = parseBoundedJsonOrDiscarded<json>(triggerWords);
            if (words.is_array())
                for (const json &word : words)
                    if (word.is_string())
                        summary.triggerWords << QString::fromStdString(word.get<std::string>());
        }
        summary.missing = row.value(13).toInt() != 0;
        page.models << std::move(summary);
        return {};
    });
    if (!total)
        return Result<SummaryPage>::failure(total);
    page.total = total.value();
    return page;
}

Result<std::optional<QString>> RecordStore::cachedFileHash(const hashing::FileIdentity &file) const
{
    using Cached = Result<std::optional<QString>>;
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Cached::failure(db);
    QSqlQuery query(db.value());
    query.prepare(QStringLiteral("SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND modified_ns = ? AND inode = ?"));
    query.addBindValue(file.path);
    query.addBindValue(file.size);
    query.addBindValue(file.modifiedNs);
    query.addBindValue(qint64(file.inode));
    if (!query.exec())
        return Cached::failure(queryFailure(query, QStringLiteral("read the hash cache")));
    if (!query.next())
        return std::optional<QString>();
    return std::optional<QString>(query.value(0).toString());
}

Status RecordStore::writeOne(const QString &sql, const QString &what, const QVariantList &bindings)
{
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Status::failure(db);
    QSqlDatabase handle = db.value();
    return inTransaction(handle, [&] { return run(handle, sql, what, bindings); });
}

Status RecordStore::rememberFileHash(const hashing::FileIdentity &file, const QString &sha256)
{
    return writeOne(QStringLiteral("INSERT OR REPLACE INTO file_hashes (path, size, modified_ns, inode, sha256, hashed_at)"
                                   " VALUES (?, ?, ?, ?, ?, ?)"),
                    QStringLiteral("remember a file hash"),
                    {file.path, file.size, file.modifiedNs, qint64(file.inode), sha256,
                     QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
}

Status RecordStore::journalJob(const QString &kind, const QString &id, const QByteArray &body)
{
    return writeOne(QStringLiteral("INSERT OR REPLACE INTO job_journal (kind, id, body, updated_at) VALUES (?, ?, ?, ?)"),
                    QStringLiteral("keep a %1 job").arg(kind),
                    {kind, id, QString::fromUtf8(body), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
}

Status RecordStore::forgetJournaledJob(const QString &kind, const QString &id)
{
    return writeOne(QStringLiteral("DELETE FROM job_journal WHERE kind = ? AND id = ?"), QStringLiteral("forget a %1 job").arg(kind),
                    {kind, id});
}

Result<QList<QPair<QString, QByteArray>>> RecordStore::journaledJobs(const QString &kind) const
{
    using Jobs = Result<QList<QPair<QString, QByteArray>>>;
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Jobs::failure(db);
    QSqlQuery query(db.value());
    query.prepare(QStringLiteral("SELECT id, body FROM job_journal WHERE kind = ? ORDER BY updated_at, id"));
    query.addBindValue(kind);
    if (!query.exec())
        return Jobs::failure(queryFailure(query, QStringLiteral("read the %1 jobs").arg(kind)));
    QList<QPair<QString, QByteArray>> jobs;
    while (query.next())
        jobs << qMakePair(query.value(0).toString(), query.value(1).toString().toUtf8());
    return jobs;
}

Result<QList<QPair<QString, int>>> RecordStore::tagCounts() const
{
    using Counts = Result<QList<QPair<QString, int>>>;
    const Result<QSqlDatabase> db = usableConnection();
    if (!db)
        return Counts::failure(db);
    QSqlQuery query(db.value());
    if (!query.exec(QStringLiteral("SELECT tag, count(*) FROM model_tags GROUP BY tag ORDER BY count(*) DESC, tag")))
        return Counts::failure(queryFailure(query, QStringLiteral("count tags")));
    QList<QPair<QString, int>> counts;
    while (query.next())
        counts << qMakePair(query.value(0).toString(), query.value(1).toInt());
    return counts;
}

} // namespace atelier::models
