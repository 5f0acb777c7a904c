#include "core/gallery/image_index.h"

#include "core/logging/log.h"
#include "core/metadata/png_text.h"
#include "core/storage/sqlite_file_p.h"
#include "core/storage/sqlite_statements_p.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <tuple>

namespace atelier::gallery {

namespace {

const QString kIndex = QStringLiteral("The image index");

const QList<storage::SqliteMigration> &migrations()
{
    static const QList<storage::SqliteMigration> all = {
        {1,
         "create the image records",
         {QStringLiteral("CREATE TABLE images ("
                         " id INTEGER PRIMARY KEY,"
                         " path TEXT NOT NULL UNIQUE, folder TEXT NOT NULL,"
                         " file_size INTEGER NOT NULL, modified_ms INTEGER NOT NULL,"
                         " width INTEGER NOT NULL, height INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                         " tool TEXT NOT NULL, tool_version TEXT NOT NULL DEFAULT '',"
                         " prompt TEXT, negative_prompt TEXT,"
                         " seed TEXT," // unsigned 64-bit: SQLite's integers are signed
                         " steps INTEGER, sampler TEXT, scheduler TEXT, cfg REAL, denoise REAL,"
                         " recipe_width INTEGER, recipe_height INTEGER,"
                         " model TEXT, model_hash TEXT, vae TEXT,"
                         " loras TEXT NOT NULL DEFAULT '[]', embeddings TEXT NOT NULL DEFAULT '[]',"
                         " has_graph INTEGER NOT NULL DEFAULT 0,"
                         " starred INTEGER NOT NULL DEFAULT 0,"
                         " rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),"
                         " warnings TEXT NOT NULL DEFAULT '[]',"
                         " indexed_at TEXT NOT NULL)"),
          QStringLiteral("CREATE INDEX images_by_time ON images (modified_ms)"),
          QStringLiteral("CREATE INDEX images_by_folder ON images (folder)"),
          QStringLiteral("CREATE TABLE image_folders (path TEXT PRIMARY KEY) WITHOUT ROWID"),
          QStringLiteral("CREATE VIRTUAL TABLE images_fts USING fts5(prompt, negative_prompt, model, loras,"
                         " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")}},
    };
    return all;
}

// The size IHDR states (bytes 16 to 24 of a PNG).
std::pair<int, int> pngSize(const QByteArray &png)
{
    if (png.size() < 24 || png.mid(12, 4) != "IHDR")
        return {0, 0};
    const auto word = [&](int at) {
        return int((quint32(quint8(png[at])) << 24) | (quint32(quint8(png[at + 1])) << 16) |
                   (quint32(quint8(png[at + 2])) << 8) | quint32(quint8(png[at + 3])));
    };
    // PNG allows up to 2^31 - 1; anything past that is damage, not a size.
    const int width = word(16), height = word(20);
    return {std::max(width, 0), std::max(height, 0)};
}

QString lorasJson(const QList<metadata::LoraUse> &loras)
{
    QJsonArray list;
    for (const metadata::LoraUse &lora : loras) {
        QJsonObject entry{{QStringLiteral("name"), lora.name}, {QStringLiteral("hash"), lora.hash}};
        if (lora.weight)
            entry.insert(QStringLiteral("weight"), *lora.weight);
        list.append(entry);
    }
    return QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact));
}

QVariant optional(const std::optional<QString> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::QString));
}
template <typename T> QVariant optional(const std::optional<T> &value)
{
    return value ? QVariant::fromValue(*value) : QVariant();
}

// Text for a NOT NULL column: Qt binds a null QString as NULL.
QString stated(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

const QString kColumns = QStringLiteral(
    "path, folder, file_size, modified_ms, width, height, sha256, tool, tool_version, prompt, negative_prompt, seed,"
    " steps, sampler, scheduler, cfg, denoise, recipe_width, recipe_height, model, model_hash, vae, loras,"
    " embeddings, has_graph, starred, rating, warnings");

IndexedImage readRow(const QSqlQuery &row)
{
    IndexedImage image;
    int at = 0;
    const auto next = [&] { return row.value(at++); };
    const auto text = [&]() -> std::optional<QString> {
        const QVariant value = next();
        return value.isNull() ? std::nullopt : std::optional<QString>(value.toString());
    };
    const auto whole = [&]() -> std::optional<int> {
        const QVariant value = next();
        return value.isNull() ? std::nullopt : std::optional<int>(value.toInt());
    };
    const auto real = [&]() -> std::optional<double> {
        const QVariant value = next();
        return value.isNull() ? std::nullopt : std::optional<double>(value.toDouble());
    };
    image.path = next().toString();
    image.folder = next().toString();
    image.fileSize = next().toLongLong();
    image.modified = QDateTime::fromMSecsSinceEpoch(next().toLongLong(), Qt::UTC);
    image.width = next().toInt();
    image.height = next().toInt();
    image.sha256 = next().toString();
    metadata::GenerationInfo &recipe = image.recipe;
    recipe.tool = next().toString();
    recipe.toolVersion = next().toString();
    recipe.prompt = text();
    recipe.negativePrompt = text();
    if (const std::optional<QString> seed = text())
        recipe.seed = metadata::parseSeed(*seed);
    recipe.steps = whole();
    recipe.sampler = text();
    recipe.scheduler = text();
    recipe.cfg = real();
    recipe.denoise = real();
    recipe.width = whole();
    recipe.height = whole();
    const std::optional<QString> model = text(), modelHash = text(), vae = text();
    if (model)
        recipe.model = metadata::ModelReference{*model, modelHash.value_or(QString())};
    if (vae)
        recipe.vae = metadata::ModelReference{*vae, QString()};
    for (const QJsonValue entry : QJsonDocument::fromJson(next().toString().toUtf8()).array()) {
        const QJsonObject lora = entry.toObject();
        metadata::LoraUse use{lora.value(QStringLiteral("name")).toString(), std::nullopt,
                              lora.value(QStringLiteral("hash")).toString(), std::nullopt};
        if (lora.contains(QStringLiteral("weight")))
            use.weight = lora.value(QStringLiteral("weight")).toDouble();
        recipe.loras << use;
    }
    for (const QJsonValue entry : QJsonDocument::fromJson(next().toString().toUtf8()).array())
        recipe.embeddings << metadata::ModelReference{entry.toString(), QString()};
    image.hasGraph = next().toBool();
    image.starred = next().toBool();
    image.rating = next().toInt();
    for (const QJsonValue entry : QJsonDocument::fromJson(next().toString().toUtf8()).array())
        recipe.warnings << entry.toString();
    return image;
}

QString orderClause(ImageOrder order)
{
    // Missing values last; seeds are decimal text (unsigned 64-bit), ordered as numbers by length first.
    const QString newest = QStringLiteral("modified_ms DESC, path");
    switch (order) {
    case ImageOrder::Newest:
        return newest;
    case ImageOrder::Oldest:
        return QStringLiteral("modified_ms, path");
    case ImageOrder::Rating:
        return QStringLiteral("rating DESC, starred DESC, ") + newest;
    case ImageOrder::Model:
        return QStringLiteral("model IS NULL, model COLLATE NOCASE, ") + newest;
    case ImageOrder::Seed:
        return QStringLiteral("seed IS NULL, length(seed), seed, ") + newest;
    case ImageOrder::Steps:
        return QStringLiteral("steps IS NULL, steps, ") + newest;
    case ImageOrder::Cfg:
        return QStringLiteral("cfg IS NULL, cfg, ") + newest;
    case ImageOrder::Sampler:
        return QStringLiteral("sampler IS NULL, sampler COLLATE NOCASE, ") + newest;
    }
    return newest;
}

// The images whose `column` ("path" or "folder") is `value`, out of the records and the search; inside a transaction.
Status forgetImagesWhere(QSqlDatabase &db, const QString &column, const QString &value)
{
    const QString what = QStringLiteral("forget %1").arg(value);
    if (Status s = storage::run(
            db,
            QStringLiteral("DELETE FROM images_fts WHERE rowid IN (SELECT id FROM images WHERE %1 = ?)").arg(column),
            kIndex, what, {value});
        !s)
        return s;
    return storage::run(db, QStringLiteral("DELETE FROM images WHERE %1 = ?").arg(column), kIndex, what, {value});
}

} // namespace

// The statements that write one image's record and its search entry, prepared once per scan.
struct ImageIndex::RecordStatements
{
    explicit RecordStatements(const QSqlDatabase &db)
        : upsert(db)
        , id(db)
        , forgetSearch(db)
        , addSearch(db)
    {}

    Status prepare()
    {
        // Stars and ratings are the artist's: a rescan of a changed file keeps them.
        const QString upsertSql =
            QStringLiteral("INSERT INTO images (%1, indexed_at) VALUES (%2) ON CONFLICT (path) DO UPDATE SET "
                           "folder = excluded.folder, file_size = excluded.file_size, modified_ms = "
                           "excluded.modified_ms, width = excluded.width, height = excluded.height, sha256 = "
                           "excluded.sha256, tool = excluded.tool, tool_version = excluded.tool_version, "
                           "prompt = excluded.prompt, negative_prompt = excluded.negative_prompt, seed = "
                           "excluded.seed, steps = excluded.steps, sampler = excluded.sampler, scheduler = "
                           "excluded.scheduler, cfg = excluded.cfg, denoise = excluded.denoise, recipe_width "
                           "= excluded.recipe_width, recipe_height = excluded.recipe_height, model = "
                           "excluded.model, model_hash = excluded.model_hash, vae = excluded.vae, loras = "
                           "excluded.loras, embeddings = excluded.embeddings, has_graph = excluded.has_graph, "
                           "warnings = excluded.warnings, indexed_at = excluded.indexed_at")
                .arg(kColumns, QStringLiteral("?, ").repeated(28) + QStringLiteral("?"));
        const std::pair<QSqlQuery *, QString> all[] = {
            {&upsert, upsertSql},
            {&id, QStringLiteral("SELECT id, starred, rating FROM images WHERE path = ?")},
            {&forgetSearch, QStringLiteral("DELETE FROM images_fts WHERE rowid = ?")},
            {&addSearch, QStringLiteral("INSERT INTO images_fts (rowid, prompt, negative_prompt, model, loras) "
                                        "VALUES (?, ?, ?, ?, ?)")},
        };
        for (const auto &[query, sql] : all)
            if (!query->prepare(sql))
                return storage::queryFailure(*query, kIndex, QStringLiteral("prepare its statements"));
        return {};
    }

    QSqlQuery upsert, id, forgetSearch, addSearch;
};

ImageIndex::ImageIndex(QString databasePath)
    : m_file(std::make_unique<storage::SqliteFile>(
          std::move(databasePath),
          storage::SqliteFileRole{QStringLiteral("image index"),
                                  QStringLiteral("Atelier then indexes the image folders again"),
                                  QStringLiteral("Move the file away: Atelier indexes the image folders again (stars "
                                                 "and ratings are kept only in the index).")},
          migrations(), lcGallery()))
{}

ImageIndex::~ImageIndex() = default;

Status ImageIndex::open()
{
    return m_file->open();
}

bool ImageIndex::isOpen() const
{
    return m_file->isOpen();
}

Result<IndexedImage> ImageIndex::indexFile(const QString &path, const QString &folder)
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<IndexedImage>::failure(db);
    const QFileInfo info(path);
    const QString absolute = info.absoluteFilePath();
    // Read once: the recipe (text, or the pixels' stealth metadata), the size and the hash all come from these bytes.
    const Result<QByteArray> read = metadata::readImageFile(absolute);
    if (!read)
        return Result<IndexedImage>::failure(read);
    const QByteArray &bytes = read.value();
    Result<metadata::GenerationInfo> recipe = metadata::readGenerationInfo(bytes);
    if (!recipe)
        return Result<IndexedImage>::failure(QStringLiteral("%1: %2").arg(absolute, recipe.error()));

    IndexedImage image;
    image.path = absolute;
    image.folder = folder.isEmpty() ? info.absolutePath() : QDir(folder).absolutePath();
    image.fileSize = bytes.size();
    image.modified = info.lastModified().toUTC();
    std::tie(image.width, image.height) = pngSize(bytes);
    image.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    image.recipe = std::move(recipe).value();
    for (const metadata::TextChunk &chunk : std::as_const(image.recipe.chunks))
        if (chunk.keyword == QLatin1String("prompt") || chunk.keyword == QLatin1String("workflow") ||
            chunk.keyword == QLatin1String("atelier_workflow") || chunk.keyword == QLatin1String("invokeai_graph"))
            image.hasGraph = true;
    image.recipe.chunks.clear(); // the index keeps the fields, not the raw text
    const metadata::GenerationInfo &r = image.recipe;
    QStringList embeddings;
    for (const metadata::ModelReference &embedding : r.embeddings)
        embeddings << embedding.name;
    QString loraNames;
    for (const metadata::LoraUse &lora : r.loras)
        loraNames += lora.name + QLatin1Char(' ');

    const auto write = [&]() -> Status {
        // A scan keeps its statements prepared from file to file: preparing them costs more than running them.
        std::unique_ptr<RecordStatements> own;
        RecordStatements *statements = m_statements.get();
        if (!statements) {
            own = std::make_unique<RecordStatements>(db.value());
            if (Status prepared = own->prepare(); !prepared)
                return prepared;
            statements = own.get();
        }
        QSqlQuery &upsert = statements->upsert;
        for (const QVariant &value :
             QVariantList{image.path,
                          image.folder,
                          image.fileSize,
                          image.modified.toMSecsSinceEpoch(),
                          image.width,
                          image.height,
                          image.sha256,
                          r.tool,
                          stated(r.toolVersion),
                          optional(r.prompt),
                          optional(r.negativePrompt),
                          r.seed ? QVariant(QString::number(*r.seed)) : QVariant(QMetaType(QMetaType::QString)),
                          optional(r.steps),
                          optional(r.sampler),
                          optional(r.scheduler),
                          optional(r.cfg),
                          optional(r.denoise),
                          optional(r.width),
                          optional(r.height),
                          r.model ? QVariant(r.model->name) : QVariant(QMetaType(QMetaType::QString)),
                          r.model ? QVariant(r.model->hash) : QVariant(QMetaType(QMetaType::QString)),
                          r.vae ? QVariant(r.vae->name) : QVariant(QMetaType(QMetaType::QString)),
                          lorasJson(r.loras),
                          QString::fromUtf8(
                              QJsonDocument(QJsonArray::fromStringList(embeddings)).toJson(QJsonDocument::Compact)),
                          image.hasGraph,
                          false,
                          0,
                          QString::fromUtf8(
                              QJsonDocument(QJsonArray::fromStringList(r.warnings)).toJson(QJsonDocument::Compact)),
                          QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)})
            upsert.addBindValue(value);
        if (!upsert.exec())
            return storage::queryFailure(upsert, kIndex, QStringLiteral("record %1").arg(image.path));
        QSqlQuery &id = statements->id;
        id.addBindValue(image.path);
        if (!id.exec() || !id.next())
            return storage::queryFailure(id, kIndex, QStringLiteral("find %1").arg(image.path));
        const qint64 row = id.value(0).toLongLong();
        image.starred = id.value(1).toBool();
        image.rating = id.value(2).toInt();
        id.finish();
        QSqlQuery &forget = statements->forgetSearch;
        forget.addBindValue(row);
        if (!forget.exec())
            return storage::queryFailure(forget, kIndex, QStringLiteral("update its search"));
        QSqlQuery &add = statements->addSearch;
        for (const QVariant &value :
             QVariantList{row, r.prompt.value_or(QString()), r.negativePrompt.value_or(QString()),
                          r.model ? r.model->name : QString(), loraNames})
            add.addBindValue(value);
        if (!add.exec())
            return storage::queryFailure(add, kIndex, QStringLiteral("update its search"));
        return {};
    };
    // Inside a scan's batch the scan's transaction holds the write; on its own, the record is one transaction.
    // A record half written (its search entry refused) is taken back alone, not with the batch around it.
    const auto writeInBatch = [&]() -> Status {
        if (Status saved =
                storage::run(db.value(), QStringLiteral("SAVEPOINT image"), kIndex, QStringLiteral("record"));
            !saved)
            return saved;
        const Status done = write();
        storage::run(db.value(), done ? QStringLiteral("RELEASE image") : QStringLiteral("ROLLBACK TO image"), kIndex,
                     QStringLiteral("record"));
        if (!done)
            storage::run(db.value(), QStringLiteral("RELEASE image"), kIndex, QStringLiteral("record"));
        return done;
    };
    const Status written = m_batching ? writeInBatch() : storage::inTransaction(db.value(), kIndex, write);
    if (!written)
        return Result<IndexedImage>::failure(written);
    return image;
}

Result<ScanReport> ImageIndex::scanFolder(const QString &folder, const std::function<void(int, int)> &progress,
                                          const std::atomic_bool *cancel)
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<ScanReport>::failure(db);
    const QString root = QDir(folder).absolutePath();
    if (!QFileInfo(root).isDir())
        return Result<ScanReport>::failure(QStringLiteral("%1 is not a folder").arg(root));
    if (Status s = storage::run(db.value(), QStringLiteral("INSERT OR IGNORE INTO image_folders (path) VALUES (?)"),
                                kIndex, QStringLiteral("remember %1").arg(root), {root});
        !s)
        return Result<ScanReport>::failure(s);

    // What the index holds for this folder: path -> (size, time).
    QHash<QString, std::pair<qint64, qint64>> known;
    QSqlQuery held(db.value());
    held.prepare(QStringLiteral("SELECT path, file_size, modified_ms FROM images WHERE folder = ?"));
    held.addBindValue(root);
    if (!held.exec())
        return Result<ScanReport>::failure(storage::queryFailure(held, kIndex, QStringLiteral("list %1").arg(root)));
    while (held.next())
        known.insert(held.value(0).toString(), {held.value(1).toLongLong(), held.value(2).toLongLong()});
    held.finish();

    QStringList files;
    QDirIterator found(root, {QStringLiteral("*.png"), QStringLiteral("*.PNG")}, QDir::Files,
                       QDirIterator::Subdirectories);
    while (found.hasNext())
        files << QFileInfo(found.next()).absoluteFilePath();
    files.sort();

    ScanReport report;
    QSet<QString> present;
    // New and changed files are written in batches, one transaction each: a commit per file would cost more than
    // reading the file. A batch whose commit fails is written again file by file.
    constexpr int kBatch = 200;
    QStringList batch;
    // Whatever ends the scan (an exception included), no transaction or statement outlives it.
    struct BatchEnd
    {
        ImageIndex &index;
        QSqlDatabase &db;
        ~BatchEnd()
        {
            index.m_statements.reset();
            if (std::exchange(index.m_batching, false))
                storage::run(db, QStringLiteral("ROLLBACK"), kIndex, QStringLiteral("roll back"));
        }
    } batchEnd{*this, db.value()};
    const auto commitBatch = [&] {
        if (!m_batching)
            return;
        m_batching = false;
        if (storage::run(db.value(), QStringLiteral("COMMIT"), kIndex, QStringLiteral("commit"))) {
            report.indexed += int(batch.size());
            report.indexedPaths += batch;
        } else {
            storage::run(db.value(), QStringLiteral("ROLLBACK"), kIndex, QStringLiteral("roll back"));
            for (const QString &path : std::as_const(batch))
                if (const Result<IndexedImage> again = indexFile(path, root); again) {
                    ++report.indexed;
                    report.indexedPaths << path;
                } else {
                    report.failures << again.error();
                }
        }
        batch.clear();
    };
    for (int at = 0; at < files.size(); ++at) {
        if (cancel && cancel->load())
            break;
        const QString &path = files.at(at);
        present.insert(path);
        const QFileInfo info(path);
        const auto was = known.constFind(path);
        if (was != known.constEnd() && was->first == info.size() &&
            was->second == info.lastModified().toUTC().toMSecsSinceEpoch()) {
            ++report.unchanged;
        } else {
            if (!m_batching)
                m_batching = bool(storage::run(db.value(), QStringLiteral("BEGIN IMMEDIATE"), kIndex,
                                               QStringLiteral("start a transaction")));
            if (!m_statements) {
                auto statements = std::make_unique<RecordStatements>(db.value());
                if (statements->prepare())
                    m_statements = std::move(statements);
            }
            if (const Result<IndexedImage> indexed = indexFile(path, root); indexed) {
                if (m_batching)
                    batch << path;
                else {
                    ++report.indexed;
                    report.indexedPaths << path;
                }
            } else {
                report.failures << indexed.error();
            }
            if (batch.size() >= kBatch)
                commitBatch();
        }
        if (progress) {
            // What the progress callback may do (answer searches) sees the files written so far.
            if (at + 1 == files.size() || (at + 1) % kBatch == 0)
                commitBatch();
            progress(at + 1, int(files.size()));
        }
    }
    commitBatch();
    m_statements.reset();
    if (!(cancel && cancel->load()))
        for (auto it = known.constBegin(); it != known.constEnd(); ++it)
            if (!present.contains(it.key()) && removeImage(it.key())) {
                ++report.removed;
                report.removedPaths << it.key();
            }
    return report;
}

Result<QStringList> ImageIndex::folders() const
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<QStringList>::failure(db);
    QSqlQuery query(db.value());
    if (!query.exec(QStringLiteral("SELECT path FROM image_folders ORDER BY path")))
        return Result<QStringList>::failure(storage::queryFailure(query, kIndex, QStringLiteral("list its folders")));
    QStringList paths;
    while (query.next())
        paths << query.value(0).toString();
    return paths;
}

Result<QList<IndexedImage>> ImageIndex::search(const ImageQuery &query) const
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<QList<IndexedImage>>::failure(db);
    QStringList where;
    QVariantList bindings;
    if (const QString match = storage::ftsQuery(query.text); !match.isEmpty()) {
        where << QStringLiteral("id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)");
        bindings << match;
    }
    if (!query.models.isEmpty()) {
        // The name as the recipe states it, or the file name it is the stem of ("dreamshaper_8" finds
        // "dreamshaper_8.safetensors").
        QStringList anyOf;
        for (const QString &model : query.models) {
            anyOf << QStringLiteral("model = ? COLLATE NOCASE OR lower(substr(model, 1, length(?))) = lower(?)");
            bindings << model << model + QLatin1Char('.') << model + QLatin1Char('.');
        }
        where << QLatin1Char('(') + anyOf.join(QStringLiteral(" OR ")) + QLatin1Char(')');
    }
    if (!query.lora.isEmpty()) {
        where << QStringLiteral("EXISTS (SELECT 1 FROM json_each(images.loras) l WHERE json_extract(l.value, '$.name') "
                                "= ? COLLATE NOCASE)");
        bindings << query.lora;
    }
    if (!query.folder.isEmpty()) {
        where << QStringLiteral("folder = ?");
        bindings << QDir(query.folder).absolutePath();
    }
    if (query.since) {
        where << QStringLiteral("modified_ms >= ?");
        bindings << query.since->toMSecsSinceEpoch();
    }
    if (query.until) {
        where << QStringLiteral("modified_ms < ?");
        bindings << query.until->toMSecsSinceEpoch();
    }
    if (query.starredOnly)
        where << QStringLiteral("starred = 1");
    if (query.minRating > 0) {
        where << QStringLiteral("rating >= ?");
        bindings << query.minRating;
    }
    QString sql = QStringLiteral("SELECT %1 FROM images").arg(kColumns);
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY ") + orderClause(query.order);
    // SQLite takes an offset only with a limit; -1 is none.
    if (query.limit > 0 || query.offset > 0)
        sql += QStringLiteral(" LIMIT %1 OFFSET %2")
                   .arg(query.limit > 0 ? query.limit : -1)
                   .arg(std::max(0, query.offset));
    QSqlQuery select(db.value());
    if (!select.prepare(sql))
        return Result<QList<IndexedImage>>::failure(storage::queryFailure(select, kIndex, QStringLiteral("search")));
    for (const QVariant &value : std::as_const(bindings))
        select.addBindValue(value);
    if (!select.exec())
        return Result<QList<IndexedImage>>::failure(storage::queryFailure(select, kIndex, QStringLiteral("search")));
    QList<IndexedImage> images;
    while (select.next())
        images << readRow(select);
    return images;
}

Result<std::optional<IndexedImage>> ImageIndex::image(const QString &path) const
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<std::optional<IndexedImage>>::failure(db);
    QSqlQuery select(db.value());
    select.prepare(QStringLiteral("SELECT %1 FROM images WHERE path = ?").arg(kColumns));
    select.addBindValue(QFileInfo(path).absoluteFilePath());
    if (!select.exec())
        return Result<std::optional<IndexedImage>>::failure(
            storage::queryFailure(select, kIndex, QStringLiteral("read %1").arg(path)));
    if (!select.next())
        return std::optional<IndexedImage>();
    return std::optional<IndexedImage>(readRow(select));
}

Result<int> ImageIndex::count() const
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<int>::failure(db);
    QSqlQuery query(db.value());
    if (!query.exec(QStringLiteral("SELECT count(*) FROM images")) || !query.next())
        return Result<int>::failure(storage::queryFailure(query, kIndex, QStringLiteral("count its images")));
    return query.value(0).toInt();
}

Result<ImageFacets> ImageIndex::facets() const
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Result<ImageFacets>::failure(db);
    ImageFacets facets;
    QSqlQuery models(db.value());
    if (!models.exec(QStringLiteral("SELECT model, max(model_hash), count(*) FROM images WHERE model IS NOT NULL "
                                    "GROUP BY model COLLATE NOCASE ORDER BY model COLLATE NOCASE")))
        return Result<ImageFacets>::failure(storage::queryFailure(models, kIndex, QStringLiteral("list its models")));
    while (models.next())
        facets.models.append({models.value(0).toString(), models.value(1).toString(), models.value(2).toInt()});
    QSqlQuery loras(db.value());
    if (!loras.exec(QStringLiteral("SELECT DISTINCT json_extract(l.value, '$.name') AS name FROM images, "
                                   "json_each(images.loras) l WHERE name IS NOT NULL ORDER BY name COLLATE NOCASE")))
        return Result<ImageFacets>::failure(storage::queryFailure(loras, kIndex, QStringLiteral("list its LoRAs")));
    while (loras.next())
        facets.loras << loras.value(0).toString();
    return facets;
}

Status ImageIndex::forgetFolder(const QString &folder)
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Status::failure(db);
    const QString root = QDir(folder).absolutePath();
    return storage::inTransaction(db.value(), kIndex, [&]() -> Status {
        if (Status s = forgetImagesWhere(db.value(), QStringLiteral("folder"), root); !s)
            return s;
        return storage::run(db.value(), QStringLiteral("DELETE FROM image_folders WHERE path = ?"), kIndex,
                            QStringLiteral("forget %1").arg(root), {root});
    });
}

Status ImageIndex::setStarred(const QString &path, bool starred)
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Status::failure(db);
    return storage::run(db.value(), QStringLiteral("UPDATE images SET starred = ? WHERE path = ?"), kIndex,
                        QStringLiteral("star %1").arg(path), {starred, QFileInfo(path).absoluteFilePath()});
}

Status ImageIndex::setRating(const QString &path, int rating)
{
    if (rating < 0 || rating > 5)
        return Status::failure(QStringLiteral("a rating is from 0 to 5, not %1").arg(rating));
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Status::failure(db);
    return storage::run(db.value(), QStringLiteral("UPDATE images SET rating = ? WHERE path = ?"), kIndex,
                        QStringLiteral("rate %1").arg(path), {rating, QFileInfo(path).absoluteFilePath()});
}

Status ImageIndex::removeImage(const QString &path)
{
    Result<QSqlDatabase> db = m_file->usableConnection();
    if (!db)
        return Status::failure(db);
    const QString absolute = QFileInfo(path).absoluteFilePath();
    return storage::inTransaction(db.value(), kIndex,
                                  [&] { return forgetImagesWhere(db.value(), QStringLiteral("path"), absolute); });
}

} // namespace atelier::gallery
