#pragma once

// The file operations model_installer.cpp and model_library_upkeep.cpp share: moving without replacing, copying
// with cancellation, removing, sizes, and finding models in a folder. Private to the installer (`_p.h`).
#include "core/json/bounded_json.h"
#include "core/models/install/model_installer.h"

#include "core/downloads/download_queue.h"
#include "core/downloads/file_name.h"
#include "core/hashing/model_hasher.h"
#include "core/logging/log.h"
#include "core/models/install/interrupted_operations.h"
#include "core/models/probe/model_probe.h"
#include "core/models/record_store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QStorageInfo>
#include <QThread>
#include <QUrlQuery>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace atelier::models::installer_files {

inline const QString kTemporaryFolder = QStringLiteral(".tmp");
inline const QString kCoversFolder = QStringLiteral(".covers");

template <typename T> Result<T> failed(const QString &message, const QString &type)
{
    return Result<T>::failure(message, type);
}

// rename(2) that never replaces what is already there (renameat2 with RENAME_NOREPLACE, where the file system
// has it; a checked rename otherwise).
inline bool renameNoReplace(const QString &from, const QString &to)
{
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, source.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS)
        return false;
    return !QFileInfo::exists(to) && std::rename(source.constData(), target.constData()) == 0;
}

inline bool removePath(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir() && !info.isSymLink())
        return QDir(path).removeRecursively();
    return !info.exists() && !info.isSymLink() ? true : QFile::remove(path);
}

// Copies a file or folder, checking the cancel flag between chunks. Error types "Io", "Cancelled", "DiskFull".
inline Status copyTree(const QString &from, const QString &to, const hashing::CancelFlag *cancel)
{
    const QFileInfo info(from);
    if (info.isDir()) {
        if (!QDir().mkpath(to))
            return Status::failure(QStringLiteral("cannot create %1").arg(to), QStringLiteral("Io"));
        const QDir folder(from);
        for (const QFileInfo &entry : folder.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)) {
            if (Status copied = copyTree(entry.filePath(), QDir(to).filePath(entry.fileName()), cancel); !copied)
                return copied;
        }
        return Status();
    }
    QFile source(from);
    QFile target(to);
    if (!source.open(QIODevice::ReadOnly))
        return Status::failure(QStringLiteral("cannot read %1: %2").arg(from, source.errorString()),
                               QStringLiteral("Io"));
    if (!target.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()),
                               QStringLiteral("Io"));
    QByteArray buffer(8 << 20, Qt::Uninitialized);
    while (true) {
        if (cancel && cancel->load())
            return Status::failure(QStringLiteral("cancelled while copying %1").arg(from), QStringLiteral("Cancelled"));
        const qint64 read = source.read(buffer.data(), buffer.size());
        if (read < 0)
            return Status::failure(QStringLiteral("cannot read %1: %2").arg(from, source.errorString()),
                                   QStringLiteral("Io"));
        if (read == 0)
            break;
        if (target.write(buffer.constData(), read) != read)
            return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()),
                                   target.error() == QFileDevice::ResourceError ? QStringLiteral("DiskFull")
                                                                                : QStringLiteral("Io"));
    }
    if (!target.flush())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()),
                               QStringLiteral("Io"));
    return Status();
}

inline qint64 sizeOnDisk(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isDir())
        return info.size();
    qint64 total = 0;
    QDirIterator files(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        files.next();
        total += files.fileInfo().size();
    }
    return total;
}

inline bool isInside(const QString &path, const QString &folder)
{
    const QString canonicalFolder = QFileInfo(folder).canonicalFilePath();
    const QString canonicalPath = QFileInfo(path).canonicalFilePath();
    return !canonicalFolder.isEmpty() && !canonicalPath.isEmpty() &&
           canonicalPath.startsWith(canonicalFolder + QLatin1Char('/'));
}

inline bool isModelFolder(const QDir &folder)
{
    if (folder.exists(QStringLiteral("model_index.json")))
        return true;
    if (!folder.exists(QStringLiteral("config.json")))
        return false;
    for (const QString &name : folder.entryList(QDir::Files))
        if (hasWeightsExtension(name))
            return true;
    return false;
}

// The models under `root`: weights files, diffusers folders and component folders, never descending into a model
// folder, and skipping hidden folders (the installer's temporary and cover folders among them).
inline QStringList findModels(const QString &root)
{
    QStringList found;
    const QDir folder(root);
    if (isModelFolder(folder))
        return {QDir::cleanPath(folder.absolutePath())};
    for (const QFileInfo &entry : folder.entryInfoList(QDir::Dirs | QDir::Files | QDir::NoDotAndDotDot, QDir::Name)) {
        if (entry.fileName().startsWith(QLatin1Char('.')))
            continue;
        if (entry.isDir() && !entry.isSymLink())
            found << findModels(entry.filePath());
        else if (entry.isFile() && hasWeightsExtension(entry.fileName()))
            found << QDir::cleanPath(entry.absoluteFilePath());
    }
    return found;
}

} // namespace atelier::models::installer_files

namespace atelier::models {

// What the installer keeps of a job beside its public InstallJob: the source, the downloads, the cancel flag.
struct ModelInstaller::JobState
{
    ModelSource source;
    Request request;
    std::optional<RemoteModel> remote;
    QString temporaryFolder;
    QString modelPath; // the downloaded file or folder
    QString coverPath; // the downloaded preview image, when there is one
    QList<int> downloadIds;
    QList<bool> partEnded;
    int coverPart = -1; // a cover that fails to download does not fail the install
    QString firstErrorType;
    QString firstError;
    bool partCancelled = false;
    bool finishing = false;
    hashing::CancelFlag cancel{false};
};

struct ModelInstaller::PlannedPart
{
    downloads::DownloadJob download;
    InstallPart part;
};

} // namespace atelier::models
