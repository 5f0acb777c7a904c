#include "core/hashing/model_hasher.h"

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

namespace atelier::hashing {

std::optional<FileIdentity> identifyFile(const QString &path)
{
    struct stat info
    {
    };
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (::stat(QFile::encodeName(absolute).constData(), &info) != 0 || !S_ISREG(info.st_mode))
        return std::nullopt;
    return FileIdentity{absolute, qint64(info.st_size),
                        qint64(info.st_mtim.tv_sec) * 1000000000LL + info.st_mtim.tv_nsec, quint64(info.st_ino)};
}

ModelHasher::ModelHasher(FileHashCache *cache, QThreadPool *pool)
    : m_cache(cache)
    , m_pool(pool ? pool : QThreadPool::globalInstance())
{}

Result<QString> ModelHasher::fileSha256(const FileIdentity &file, const Options &options,
                                        const std::function<void(qint64)> &onBytes, bool &fromCache) const
{
    fromCache = false;
    if (m_cache && m_cache->hashCacheReady()) {
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
    if (sha256 && m_cache && m_cache->hashCacheReady())
        m_cache->rememberFileHash(file, sha256.value()); // a cache that cannot be written only costs time later
    return sha256;
}

namespace {

// A model's files, sorted by their path relative to its root (so that a folder's hash does not depend on listing
// order), with those paths.
struct ModelFiles
{
    QList<FileIdentity> files;
    QStringList relativePaths;
};

Result<ModelFiles> modelFiles(const QFileInfo &info, const QString &root, const QStringList &skipped)
{
    ModelFiles listed;
    if (!info.isDir()) {
        const auto identity = identifyFile(root);
        if (!identity)
            return Result<ModelFiles>::failure(QStringLiteral("%1: not a regular file").arg(info.filePath()),
                                               QStringLiteral("Io"));
        listed.files << *identity;
        listed.relativePaths << info.fileName();
        return listed;
    }
    QStringList found;
    QDirIterator it(root, QDir::Files | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString relative = QDir(root).relativeFilePath(file);
        // Hidden files (.DS_Store, .gitattributes, download markers) are not part of a model.
        if (relative.startsWith(QLatin1Char('.')) || relative.contains(QStringLiteral("/.")) ||
            skipped.contains(QFileInfo(file).absoluteFilePath()))
            continue;
        found << relative;
    }
    std::sort(found.begin(), found.end(), [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
    for (const QString &relative : std::as_const(found)) {
        if (const auto identity = identifyFile(QDir(root).filePath(relative))) {
            listed.files << *identity;
            listed.relativePaths << relative;
        }
    }
    if (listed.files.isEmpty())
        return Result<ModelFiles>::failure(QStringLiteral("%1: the folder holds no files").arg(info.filePath()),
                                           QStringLiteral("NoWeights"));
    return listed;
}

// A folder's hash: SHA-256 over its files' relative paths, each with its own hash, in order.
QString folderHash(const QStringList &relativePaths, const QStringList &hashes, int hexCharacters)
{
    QCryptographicHash folder(QCryptographicHash::Sha256);
    for (int i = 0; i < hashes.size(); ++i) {
        folder.addData(relativePaths[i].toUtf8());
        folder.addData(QByteArrayView("\0", 1));
        folder.addData(hashes[i].toLatin1());
        folder.addData(QByteArrayView("\n", 1));
    }
    return QString::fromLatin1(folder.result().toHex()).left(hexCharacters);
}

} // namespace

Result<PathHashes> ModelHasher::hash(const QString &path, const Options &options) const
{
    const QFileInfo info(path);
    if (!info.exists())
        return Result<PathHashes>::failure(QStringLiteral("%1: no such file or folder").arg(path),
                                           QStringLiteral("NotFound"));

    PathHashes result;
    result.path = QDir::cleanPath(info.absoluteFilePath());
    result.folder = info.isDir();

    // The cache's own database is never read here: opening it outside SQLite would drop this process's locks on it
    // (see RecordStore::open), and a live database is no part of a model anyway.
    QStringList skipped;
    if (m_cache && !m_cache->hashCacheFile().isEmpty()) {
        const QString database = QFileInfo(m_cache->hashCacheFile()).absoluteFilePath();
        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
            skipped << database + QLatin1String(suffix);
    }
    const Result<ModelFiles> listed = modelFiles(info, result.path, skipped);
    if (!listed)
        return Result<PathHashes>::failure(listed);
    const QList<FileIdentity> &files = listed->files;
    const QStringList &relativePaths = listed->relativePaths;
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
        return result.folder ? folderHash(relativePaths, hashes, hexCharacters) : hashes.first();
    };
    result.fast = combine(fastHashes, 32);
    if (options.fastOnly) {
        // The full hash too, when the cache remembers every file's: it costs nothing.
        QStringList remembered;
        for (const FileIdentity &file : std::as_const(files)) {
            const auto cachedHash = m_cache && m_cache->hashCacheReady() ? m_cache->cachedFileHash(file)
                                                                         : Result<std::optional<QString>>(std::nullopt);
            if (!cachedHash || !cachedHash.value())
                return result;
            remembered << *cachedHash.value();
        }
        result.sha256 = combine(remembered, 64);
        result.cachedFiles = result.fileCount;
        return result;
    }

    std::atomic<qint64> done{0};
    std::atomic<int> cached{0};
    const qint64 total = result.size;
    QList<Result<QString>> hashes;
    const std::function<Result<QString>(const FileIdentity &)> hashOne = [&](const FileIdentity &file) {
        bool fromCache = false;
        Result<QString> sha256 = fileSha256(
            file, options,
            [&](qint64 bytes) {
                const qint64 now = done.fetch_add(bytes) + bytes;
                if (options.progress)
                    options.progress(now, total);
            },
            fromCache);
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

} // namespace atelier::hashing
