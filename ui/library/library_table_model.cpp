#include "ui/library/library_table_model.h"

#include "core/models/taxonomy.h"
#include "ui/common/thumbnail_cache.h"

#include <QColor>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QMimeData>
#include <QPixmap>
#include <QSet>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

namespace atelier::ui {

QStringList searchWords(const QString &text)
{
    QStringList words;
    QString word;
    const QString folded = models::foldedForMatching(text);
    for (int i = 0; i <= folded.size(); ++i) {
        if (i < folded.size() && folded[i].isLetterOrNumber()) {
            word.append(folded[i]);
        } else if (!word.isEmpty()) {
            words << QLatin1Char(' ') + word;
            word.clear();
        }
    }
    return words;
}

LibraryEntry makeLibraryEntry(models::ModelSummary summary)
{
    LibraryEntry entry;
    entry.sortName = models::foldedForMatching(summary.name);
    for (const QString &tag : std::as_const(summary.tags))
        entry.foldedTags << models::foldedForMatching(tag);
    entry.tagText = entry.foldedTags.join(QLatin1Char(' '));
    entry.searchText = searchWords(summary.name + QLatin1Char(' ') + summary.description + QLatin1Char(' ')
                                   + summary.tags.join(QLatin1Char(' ')) + QLatin1Char(' ')
                                   + summary.triggerWords.join(QLatin1Char(' ')))
                           .join(QString());
    entry.summary = std::move(summary);
    return entry;
}

LibraryTableModel::LibraryTableModel(models::RecordStore &store, QString modelsDir, ThumbnailCache *covers,
                                     QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_modelsDir(std::move(modelsDir))
    , m_covers(covers)
{
    // The store emits from whichever thread wrote; these connections queue to the GUI thread.
    connect(&m_store, &models::RecordStore::modelAdded, this, [this](const models::ModelConfig &config) {
        apply({Change::Upsert, config, config.key});
    });
    connect(&m_store, &models::RecordStore::modelUpdated, this, [this](const models::ModelConfig &config) {
        apply({Change::Upsert, config, config.key});
    });
    connect(&m_store, &models::RecordStore::modelRemoved, this, [this](const QString &key) {
        apply({Change::Remove, {}, key});
    });
    connect(&m_load, &QFutureWatcher<Loaded>::finished, this, &LibraryTableModel::applyLoad);
    if (m_covers)
        connect(m_covers, &ThumbnailCache::thumbnailReady, this, &LibraryTableModel::coverReady);
}

LibraryTableModel::~LibraryTableModel()
{
    m_load.waitForFinished();
}

void LibraryTableModel::reload()
{
    if (m_loading)
        return;
    m_loading = true;
    m_changesDuringLoad.clear();
    models::RecordStore *store = &m_store;
    m_load.setFuture(QtConcurrent::run([store] {
        Loaded result;
        models::ModelQuery everything;
        everything.limit = 0;
        const Result<models::SummaryPage> page = store->browse(everything);
        if (!page) {
            result.error = page.error();
            return result;
        }
        result.entries.reserve(page->models.size());
        for (const models::ModelSummary &summary : page->models)
            result.entries.push_back(makeLibraryEntry(summary));
        return result;
    }));
}

void LibraryTableModel::waitForLoad()
{
    if (!m_loading)
        return;
    m_load.waitForFinished();
    applyLoad();
}

void LibraryTableModel::applyLoad()
{
    if (!m_loading)
        return;  // waitForLoad applied it already
    m_loading = false;
    Loaded result = m_load.result();
    if (!result.error.isEmpty()) {
        m_changesDuringLoad.clear();
        emit loadFailed(result.error);
        return;
    }
    beginResetModel();
    m_entries = std::move(result.entries);
    m_rowOfKey.clear();
    m_hashCount.clear();
    m_rowOfKey.reserve(m_entries.size());
    for (int row = 0; row < m_entries.size(); ++row) {
        m_rowOfKey.insert(m_entries[row].summary.key, row);
        if (!m_entries[row].summary.hash.isEmpty())
            ++m_hashCount[m_entries[row].summary.hash];
    }
    endResetModel();
    // The load read the database at some moment; what changed since is applied on top, in order.
    const QList<Change> changes = std::exchange(m_changesDuringLoad, {});
    for (const Change &change : changes)
        apply(change);
    emit loaded();
}

void LibraryTableModel::apply(const Change &change)
{
    if (m_loading) {
        m_changesDuringLoad << change;
        return;
    }
    if (change.kind == Change::Upsert)
        upsert(change.config);
    else
        remove(change.key);
}

void LibraryTableModel::upsert(const models::ModelConfig &config)
{
    LibraryEntry entry = makeLibraryEntry(models::summaryOf(config));
    const int row = rowOfKey(config.key);
    if (row < 0) {
        const int at = int(m_entries.size());
        beginInsertRows(QModelIndex(), at, at);
        m_entries.push_back(std::move(entry));
        m_rowOfKey.insert(config.key, at);
        endInsertRows();
        countHash(config.hash, +1);
        return;
    }
    const QString oldHash = m_entries[row].summary.hash;
    m_entries[row] = std::move(entry);
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (oldHash != config.hash) {
        countHash(oldHash, -1);
        countHash(config.hash, +1);
    }
}

void LibraryTableModel::remove(const QString &key)
{
    const int row = rowOfKey(key);
    if (row < 0)
        return;
    const QString hash = m_entries[row].summary.hash;
    beginRemoveRows(QModelIndex(), row, row);
    m_entries.remove(row);
    m_rowOfKey.remove(key);
    for (int later = row; later < m_entries.size(); ++later)
        m_rowOfKey[m_entries[later].summary.key] = later;
    endRemoveRows();
    countHash(hash, -1);
}

void LibraryTableModel::countHash(const QString &hash, int delta)
{
    if (hash.isEmpty())
        return;
    const int before = m_hashCount.value(hash);
    const int after = before + delta;
    if (after <= 0)
        m_hashCount.remove(hash);
    else
        m_hashCount.insert(hash, after);
    // Rows with this hash gain or lose their duplicate mark.
    if (before > 1 || after > 1)
        hashCountChanged(hash);
}

void LibraryTableModel::hashCountChanged(const QString &hash)
{
    for (int row = 0; row < m_entries.size(); ++row)
        if (m_entries[row].summary.hash == hash)
            emit dataChanged(index(row, NameColumn), index(row, NameColumn), {DuplicateRole, Qt::DecorationRole, Qt::ToolTipRole});
}

QStringList LibraryTableModel::keysWithHash(const QString &hash) const
{
    QStringList keys;
    if (hash.isEmpty())
        return keys;
    for (const LibraryEntry &entry : m_entries)
        if (entry.summary.hash == hash)
            keys << entry.summary.key;
    return keys;
}

int LibraryTableModel::duplicatesOf(int row) const
{
    const QString &hash = m_entries.at(row).summary.hash;
    return hash.isEmpty() ? 0 : std::max(0, m_hashCount.value(hash) - 1);
}

void LibraryTableModel::coverReady(const QString &path)
{
    for (int row = 0; row < m_entries.size(); ++row)
        if (absolutePath(m_entries[row].summary.coverImage) == path)
            emit dataChanged(index(row, NameColumn), index(row, NameColumn), {CoverRole});
}

int LibraryTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LibraryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags LibraryTableModel::flags(const QModelIndex &index) const
{
    const Qt::ItemFlags base = QAbstractTableModel::flags(index);
    return index.isValid() ? base | Qt::ItemIsDragEnabled : base;
}

QStringList LibraryTableModel::mimeTypes() const
{
    return {QString::fromLatin1(kModelMime), QStringLiteral("text/uri-list")};
}

QMimeData *LibraryTableModel::mimeData(const QModelIndexList &indexes) const
{
    QSet<int> rows;
    QByteArray lines;
    QList<QUrl> urls;
    for (const QModelIndex &index : indexes) {
        if (!index.isValid() || index.row() >= m_entries.size() || rows.contains(index.row()))
            continue;
        rows.insert(index.row());
        const models::ModelSummary &model = m_entries[index.row()].summary;
        const QString path = absolutePath(model.path);
        lines += QStringLiteral("%1\t%2\t%3\n")
                     .arg(models::toString(model.type), QFileInfo(path).fileName(), models::toString(model.base))
                     .toUtf8();
        urls.append(QUrl::fromLocalFile(path));
    }
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(kModelMime), lines);
    data->setUrls(urls);
    return data;
}

QVariant LibraryTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const LibraryEntry &entry = m_entries[index.row()];
    const models::ModelSummary &model = entry.summary;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return model.name;
        case TypeColumn: return models::toString(model.type);
        case BaseColumn: return models::toString(model.base);
        case FormatColumn: return models::toString(model.format);
        case SizeColumn: return QLocale().formattedDataSize(model.fileSize, 1);
        case AddedColumn: return QLocale().toString(model.addedAt.toLocalTime(), QLocale::ShortFormat);
        case TagsColumn: return model.tags.join(QStringLiteral(", "));
        }
        return {};
    case Qt::ToolTipRole: {
        if (index.column() != NameColumn)
            return {};
        QStringList lines{model.name};
        if (model.missing)
            lines << tr("Its files are missing: %1").arg(absolutePath(model.path));
        if (const int others = duplicatesOf(index.row()); others > 0)
            lines << tr("Duplicate: %n other model(s) in the library have the same file", nullptr, others);
        return lines.join(QLatin1Char('\n'));
    }
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (model.missing)
            return QColor(Qt::gray);
        return {};
    case KeyRole:
        return model.key;
    case MissingRole:
        return model.missing;
    case DuplicateRole:
        return duplicatesOf(index.row());
    case PathRole:
        return absolutePath(model.path);
    case CoverRole:
        if (!m_covers || model.coverImage.isEmpty())
            return QPixmap();
        return m_covers->thumbnail(absolutePath(model.coverImage));
    case SortRole:
        switch (index.column()) {
        case NameColumn: return entry.sortName;
        case TypeColumn: return models::toString(model.type) + QLatin1Char('\x1f') + entry.sortName;
        case BaseColumn: return models::toString(model.base) + QLatin1Char('\x1f') + entry.sortName;
        case FormatColumn: return models::toString(model.format) + QLatin1Char('\x1f') + entry.sortName;
        case SizeColumn: return model.fileSize;
        case AddedColumn: return model.addedAt;
        case TagsColumn: return entry.tagText;
        }
        return {};
    }
    return {};
}

QVariant LibraryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case TypeColumn: return tr("Type");
    case BaseColumn: return tr("Base");
    case FormatColumn: return tr("Format");
    case SizeColumn: return tr("Size");
    case AddedColumn: return tr("Added");
    case TagsColumn: return tr("Tags");
    }
    return {};
}

} // namespace atelier::ui
