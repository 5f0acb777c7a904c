#include "core/models/hashing/model_hasher.h"

#include "core/models/record_store.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>

namespace atelier::models {

std::optional<FileIdentity> identifyFile(const QString &path)
{
    struct stat info {};
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (::stat(QFile::encodeName(absolute).constData(), &info) != 0 || !S_ISREG(info.st_mode))
        return std::nullopt;
    return FileIdentity{absolute, qint64(info.st_size),
                        qint64(info.st_mtim.tv_sec) * 1000000000LL + info.st_mtim.tv_nsec, quint64(info.st_ino)};
}

ModelHasher::ModelHasher(RecordStore *cache, QThreadPool *pool)
    : m_cache(cache), m_pool(pool ? pool : QThreadPool::globalInstance())
{
}

Result<QString> ModelHasher::fileSha256(const FileIdentity &file, const Options &options,
                                        const std::function<void(qint64)> &onBytes, bool &fromCache) const
{
    fromCache = false;
    if (m_cache && m_cache->isOpen()) {
        if (const auto cached = m_cache->cachedFileHash(file); cached && cached->has_value()) {
            fromCache = true;
            onBytes(file.size);
            return cached->value();
        }
    }
    qint64 reported = 0;
    Result<QString> sha256 = sha256OfFile(file.path, options.cancel, [&](qint64 done) {
        onBytes(done - reported);
        reported = done;
    });
    if (sha256 && m_cache && m_cache->isOpen())
        m_cache->rememberFileHash(file, sha256.value());  // a cache that cannot be written only costs time later
    return sha256;
}

Result<PathHashes> ModelHasher::hash(const QString &path, const Options &options) const
{
    const QFileInfo info(path);
    if (!info.exists())
        return Result<PathHashes>::failure(QStringLiteral("%1: no such file or folder").arg(path), QStringLiteral("NotFound"));

    PathHashes result;
    result.path = QDir::cleanPath(info.absoluteFilePath());
    result.folder = info.isDir();

    // The files, sorted by their path relative to the root, so that the folder hash does not depend on listing order.
    QList<FileIdentity> files;
    QStringList relativePaths;
    if (!result.folder) {
        const auto identity = identifyFile(result.path);
        if (!identity)
            return Result<PathHashes>::failure(QStringLiteral("%1: not a regular file").arg(path), QStringLiteral("Io"));
        files << *identity;
        relativePaths << info.fileName();
    } else {
        // The cache's own database is never read here: opening it outside SQLite would drop this process's locks
        // on it (see RecordStore::open), and a live database is no part of a model anyway.
        QStringList skipped;
        if (m_cache) {
            const QString database = QFileInfo(m_cache->databasePath()).absoluteFilePath();
            for (const char *suffix : {"", "-wal", "-shm", "-journal"})
                skipped << database + QLatin1String(suffix);
        }
        QStringList found;
        QDirIterator it(result.path, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
        while (it.hasNext()) {
            const QString file = it.next();
            const QString relative = QDir(result.path).relativeFilePath(file);
            // Hidden files (.DS_Store, .gitattributes, download markers) are not part of a model.
            if (relative.startsWith(QLatin1Char('.')) || relative.contains(QStringLiteral("/."))
                || skipped.contains(QFileInfo(file).absoluteFilePath()))
                continue;
            found << relative;
        }
        std::sort(found.begin(), found.end(), [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        for (const QString &relative : std::as_const(found)) {
            const auto identity = identifyFile(QDir(result.path).filePath(relative));
            if (identity) {
                files << *identity;
                relativePaths << relative;
            }
        }
        if (files.isEmpty())
            return Result<PathHashes>::failure(QStringLiteral("%1: the folder holds no files").arg(path), QStringLiteral("NoWeights"));
    }
    for (const FileIdentity &file : std::as_const(files))
        result.size += file.size;
    result.fileCount = int(files.size());

    // Fast identity: per file, then combined the same way as the full hash.
    QStringList fastHashes;
    for (const FileIdentity &file : std::as_const(files)) {
        const Result<QString> fast = fastIdentityHash(file.path);
        if (!fast)
            return Result<PathHashes>::failure(fast);
        fastHashes << fast.value();
    }
    const auto combine = [&](const QStringList &hashes, int hexCharacters) {
        if (!result.folder)
            return hashes.first();
        QCryptographicHash folderHash(QCryptographicHash::Sha256);
        for (int i = 0; i < hashes.size(); ++i) {
            folderHash.addData(relativePaths[i].toUtf8());
            folderHash.addData(QByteArrayView("\0", 1));
            folderHash.addData(hashes[i].toLatin1());
            folderHash.addData(QByteArrayView("\n", 1));
        }
        return QString::fromLatin1(folderHash.result().toHex()).left(hexCharacters);
    };
    result.fast = combine(fastHashes, 32);
    if (options.fastOnly)
        return result;

    std::atomic<qint64> done{0};
    std::atomic<int> cached{0};
    const qint64 total = result.size;
    QList<Result<QString>> hashes;
    const std::function<Result<QString>(const FileIdentity &)> hashOne = [&](const FileIdentity &file) {
        bool fromCache = false;
        Result<QString> sha256 = fileSha256(file, options, [&](qint64 bytes) {
            const qint64 now = done.fetch_add(bytes) + bytes;
            if (options.progress)
                options.progress(now, total);
        }, fromCache);
        if (fromCache)
            cached.fetch_add(1);
        return sha256;
    };
    if (files.size() == 1)
        hashes << hashOne(files.first());
    else
        hashes = QtConcurrent::blockingMapped(m_pool, files, hashOne);

    QStringList sha256s;
    for (const Result<QString> &sha256 : std::as_const(hashes)) {
        if (!sha256)
            return Result<PathHashes>::failure(sha256);
        sha256s << sha256.value();
    }
    result.sha256 = combine(sha256s, 64);
    result.cachedFiles = cached.load();
    return result;
}

} // namespace atelier::models
