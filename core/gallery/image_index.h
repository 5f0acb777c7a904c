#pragma once

// The image index: every image in the folders Atelier watches (its outputs, and others the artist adds), with the
// recipe core/metadata reads from it, searchable by words of the prompts, model and LoRA names, and filtered by
// model, LoRA, date, folder, star and rating. SQLite (`images.db` in the root, its own migrations, full-text
// search over the recipes); files that cannot be read are reported, never indexed half-way. Stars and ratings are
// the artist's, kept across rescans.
#include "core/metadata/generation_info.h"
#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace atelier::storage {
class SqliteFile;
}

namespace atelier::gallery {

struct IndexedImage
{
    QString path;   // absolute
    QString folder; // the indexed folder it was found in
    qint64 fileSize = 0;
    QDateTime modified;
    int width = 0, height = 0;
    QString sha256;
    metadata::GenerationInfo recipe; // what the index keeps of it: the fields, not the raw chunks
    bool hasGraph = false;           // a workflow or API graph it can open as
    bool starred = false;
    int rating = 0; // 0 (none) to 5
};

// How results are ordered; within equal keys, newest first.
enum class ImageOrder { Newest, Oldest, Rating, Model, Seed, Steps, Cfg, Sampler };

struct ImageQuery
{
    QString text;       // words, each matched as a prefix over prompts, model and LoRA names
    QStringList models; // any of these model names (or file names) the recipe states, case-insensitively
    QString lora;       // a LoRA the recipe uses
    QString folder;     // one indexed folder
    std::optional<QDateTime> since;
    std::optional<QDateTime> until; // before this time
    bool starredOnly = false;
    int minRating = 0;
    ImageOrder order = ImageOrder::Newest;
    int offset = 0;
    int limit = 200; // 0: all
};

// What the indexed recipes name, for filters to offer: each model with a hash its images state, and each LoRA.
struct ImageFacets
{
    struct Model
    {
        QString name;
        QString hash; // as the recipes wrote it (short or full), when any did
        int images = 0;
    };
    QList<Model> models; // by name
    QStringList loras;   // by name
};

struct ScanReport
{
    int indexed = 0;      // new or changed
    int unchanged = 0;    // same size and time as when indexed
    int removed = 0;      // gone from the folder, taken out of the index
    QStringList failures; // "path: why", for files that are not images Atelier can read
    QStringList indexedPaths, removedPaths;
    // Set by the gallery service for a change noticed while running whose records it sent (imagesIndexed,
    // imagesRemoved): views have them already and need not search again.
    bool sentAsRecords = false;
};

class ImageIndex
{
public:
    explicit ImageIndex(QString databasePath);
    ~ImageIndex();

    Status open();
    bool isOpen() const;

    // Reads one file and records it (again, if it changed); its record.
    Result<IndexedImage> indexFile(const QString &path, const QString &folder = {});
    // Every PNG under `folder` indexed, those gone removed; `progress` hears (done, total); `cancel` stops between
    // files. The folder is remembered for later scans.
    Result<ScanReport> scanFolder(const QString &folder, const std::function<void(int, int)> &progress = {},
                                  const std::atomic_bool *cancel = nullptr);
    Result<QStringList> folders() const;
    // A folder no longer indexed: its images leave the index (the files stay). The outputs folder can be forgotten
    // too; whoever owns the index adds it back.
    Status forgetFolder(const QString &folder);

    // Newest first.
    Result<QList<IndexedImage>> search(const ImageQuery &query) const;
    Result<std::optional<IndexedImage>> image(const QString &path) const;
    Result<int> count() const;
    Result<ImageFacets> facets() const;

    Status setStarred(const QString &path, bool starred);
    Status setRating(const QString &path, int rating);
    Status removeImage(const QString &path);

private:
    struct RecordStatements;
    std::unique_ptr<storage::SqliteFile> m_file;
    bool m_batching = false;                        // a scan's transaction is open: records are written in it
    std::unique_ptr<RecordStatements> m_statements; // prepared for the scan under way
};

} // namespace atelier::gallery
