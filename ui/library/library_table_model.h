#pragma once

#include "core/models/record_store.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QHash>
#include <QVector>

namespace atelier::ui {

class ThumbnailCache;

// One row of the library: a record's summary and what the filter and the sort need, prepared once.
struct LibraryEntry
{
    models::ModelSummary summary;
    QString searchText;   // " word word …": folded name, description, tags and trigger words, for prefix matching
    QString sortName;     // folded name
    QStringList foldedTags;
    QString tagText;      // the folded tags joined, for sorting by tags
};

// Models dragged out of the library: a line per model, "type<TAB>file name<TAB>base" (the type and base as
// TAXONOMY spells them; the file name is what loader nodes take). The files travel as URLs beside it.
inline constexpr const char *kModelMime = "application/x-atelier-models";

// The words of `text`, folded (models::foldedForMatching), each with a leading space: what the search matches.
QStringList searchWords(const QString &text);

// The model library as a table: one row per record, read off the GUI thread with RecordStore::browse and kept
// live by the store's change signals (queued to the GUI thread). Changes that arrive while a load runs are applied
// to its result, so none is lost. The views sort and filter through LibraryFilterProxy.
class LibraryTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, BaseColumn, FormatColumn, SizeColumn, AddedColumn, TagsColumn, ColumnCount };
    enum Role {
        KeyRole = Qt::UserRole + 1,
        SortRole,        // what the column sorts by (folded name, bytes, date, type then name)
        MissingRole,     // bool: the files were not found at the last sync
        DuplicateRole,   // int: how many other records have the same hash
        CoverRole,       // QPixmap: the cover thumbnail, null until loaded or when there is none
        PathRole,        // the absolute path of the model's files
    };

    LibraryTableModel(models::RecordStore &store, QString modelsDir, ThumbnailCache *covers, QObject *parent = nullptr);
    ~LibraryTableModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

    // Reads every record again, off the GUI thread; loaded() or loadFailed() follow.
    void reload();
    bool isLoading() const { return m_loading; }
    // Blocks until a running load has been applied (for tests and benchmarks; never from a slot of the views).
    void waitForLoad();

    const LibraryEntry &entryAt(int row) const { return m_entries.at(row); }
    int rowOfKey(const QString &key) const { return m_rowOfKey.value(key, -1); }
    // Keys of the records with this hash (the model itself included).
    QStringList keysWithHash(const QString &hash) const;
    int duplicatesOf(int row) const;
    QString absolutePath(const QString &path) const { return models::absoluteModelPath(path, m_modelsDir); }
    QString modelsDir() const { return m_modelsDir; }

signals:
    void loaded();
    void loadFailed(const QString &message);

private:
    struct Loaded
    {
        QVector<LibraryEntry> entries;
        QString error;
    };
    struct Change
    {
        enum Kind { Upsert, Remove } kind;
        models::ModelConfig config;
        QString key;
    };
    void applyLoad();
    void apply(const Change &change);
    void upsert(const models::ModelConfig &config);
    void remove(const QString &key);
    void coverReady(const QString &path);
    void countHash(const QString &hash, int delta);
    void hashCountChanged(const QString &hash);

    models::RecordStore &m_store;
    QString m_modelsDir;
    ThumbnailCache *m_covers;
    QVector<LibraryEntry> m_entries;
    QHash<QString, int> m_rowOfKey;
    QHash<QString, int> m_hashCount;
    bool m_loading = false;
    QList<Change> m_changesDuringLoad;
    QFutureWatcher<Loaded> m_load;
};

LibraryEntry makeLibraryEntry(models::ModelSummary summary);

} // namespace atelier::ui
