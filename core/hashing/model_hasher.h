#pragma once

#include "core/hashing/content_hash.h"
#include "core/hashing/file_hash_cache.h"
#include "core/result.h"

#include <QString>

#include <functional>
#include <optional>

class QThreadPool;

namespace atelier::hashing {

struct PathHashes
{
    QString path;
    bool folder = false;
    QString sha256;  // with fastOnly, empty unless the cache remembers every file's full hash
    QString fast;    // the fast identity hash
    qint64 size = 0; // bytes, all files together
    int fileCount = 0;
    int cachedFiles = 0; // files whose SHA-256 came from the cache

    QString autoV2() const { return hashing::autoV2(sha256); }
};

// Hashes a model file or a model folder (a diffusers folder, say). A folder's SHA-256 is the SHA-256 of its
// files' sorted relative paths with their own SHA-256s, so it changes when any file is renamed, added, removed or
// changed; its files are hashed in parallel on the thread pool. With a cache (the library's record store), full hashes
// are cached by (path, size, modification time, inode) in the library database, so nothing unchanged is hashed twice.
class ModelHasher
{
public:
    struct Options
    {
        bool fastOnly = false;
        const CancelFlag *cancel = nullptr;
        // Bytes hashed so far and in all; called from worker threads, so it must be thread-safe.
        std::function<void(qint64 done, qint64 total)> progress;
    };

    explicit ModelHasher(FileHashCache *cache = nullptr, QThreadPool *pool = nullptr);

    // Error types: "Io", "Cancelled", "NotFound", "NoWeights".
    Result<PathHashes> hash(const QString &path, const Options &options) const;
    Result<PathHashes> hash(const QString &path) const { return hash(path, Options{}); }

private:
    Result<QString> fileSha256(const FileIdentity &file, const Options &options,
                               const std::function<void(qint64)> &onBytes, bool &fromCache) const;

    FileHashCache *m_cache;
    QThreadPool *m_pool;
};

} // namespace atelier::hashing
