#pragma once

#include "core/result.h"

#include <QString>

#include <optional>

namespace atelier::hashing {

// What identifies a file's contents without reading them: if none of these changed, neither did its hash.
struct FileIdentity
{
    QString path; // absolute, clean
    qint64 size = 0;
    qint64 modifiedNs = 0;
    quint64 inode = 0;
};
std::optional<FileIdentity> identifyFile(const QString &path);

// Where full hashes are remembered between runs, by file identity (the model library's database keeps them). Must
// be thread-safe: folders are hashed on a thread pool.
class FileHashCache
{
public:
    virtual ~FileHashCache() = default;
    // False while the cache cannot be used (a database that did not open); the hasher then hashes everything.
    virtual bool hashCacheReady() const = 0;
    // Empty when nothing is remembered for exactly this identity.
    virtual Result<std::optional<QString>> cachedFileHash(const FileIdentity &file) const = 0;
    virtual Status rememberFileHash(const FileIdentity &file, const QString &sha256) = 0;
    // The file the cache lives in, which a folder's hash must never read (empty: none).
    virtual QString hashCacheFile() const = 0;
};

} // namespace atelier::hashing
