// The installer's upkeep of the library: registering and installing local paths, removing models (with their
// files, set aside first so that a failure or a kill loses nothing), scanning folders, the start-up sync with its
// missing marks, and the capped download cache.
#include "core/models/install/interrupted_operations.h"
#include "core/models/install/model_installer.h"
#include "core/models/install/model_installer_p.h"

namespace atelier::models {

using namespace installer_files;

// ---- library upkeep ------------------------------------------------------------------------------------------

Result<ModelConfig> ModelInstaller::registerPath(const QString &path, const Request &request,
                                                 const hashing::CancelFlag *cancel)
{
    Request inPlace = request;
    inPlace.inplace = true;
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!QFileInfo::exists(absolute))
        return failed<ModelConfig>(QStringLiteral("%1 does not exist").arg(path), QStringLiteral("NotFound"));
    return installModel(absolute, inPlace, nullptr, nullptr, false, cancel, {});
}

Result<int> ModelInstaller::completeQuickHashes(const hashing::CancelFlag *cancel,
                                                const std::function<void(int, int, const QString &)> &progress)
{
    const auto all = m_store.allModels();
    if (!all)
        return Result<int>::failure(all);
    QList<ModelConfig> pending;
    for (const ModelConfig &model : all.value())
        if (model.hash.startsWith(QLatin1String("fast:")) && !model.missing && QFileInfo::exists(model.path))
            pending << model;
    int completed = 0;
    for (int i = 0; i < pending.size(); ++i) {
        if (progress)
            progress(i, int(pending.size()), pending[i].path);
        hashing::ModelHasher::Options options;
        options.cancel = cancel;
        const Result<hashing::PathHashes> hashes = hashing::ModelHasher(&m_store).hash(pending[i].path, options);
        if (!hashes && hashes.errorType() == QLatin1String("Cancelled"))
            return Result<int>::failure(hashes);
        if (!hashes) {
            qCWarning(lcModels).noquote() << "cannot hash" << pending[i].path << ":" << hashes.error();
            continue;
        }
        // The size too: the file may have changed since it was registered.
        const Result<ModelConfig> updated =
            m_store.updateModel(pending[i].key, {{"hash", (QStringLiteral("sha256:") + hashes->sha256).toStdString()},
                                                 {"file_size", hashes->size}});
        if (!updated) { // removed meanwhile, say: the others still get theirs
            qCWarning(lcModels).noquote() << "cannot record the hash of" << pending[i].path << ":" << updated.error();
            continue;
        }
        ++completed;
    }
    if (progress)
        progress(int(pending.size()), int(pending.size()), QString());
    return completed;
}

QStringList ModelInstaller::modelsUnder(const QString &folder)
{
    return findModels(folder);
}

qint64 ModelInstaller::bytesOnDisk(const QString &path)
{
    return sizeOnDisk(path);
}

Result<ModelConfig> ModelInstaller::installPath(const QString &path, const Request &request)
{
    Request copy = request;
    copy.inplace = false;
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!QFileInfo::exists(absolute))
        return failed<ModelConfig>(QStringLiteral("%1 does not exist").arg(path), QStringLiteral("NotFound"));
    return installModel(absolute, copy, nullptr, nullptr, false, nullptr, {});
}

Status ModelInstaller::unregister(const QString &key)
{
    return m_store.deleteModel(key);
}

bool ModelInstaller::isInsideModelsFolder(const QString &path) const
{
    return isInside(path, m_options.modelsDir);
}

Status ModelInstaller::deleteModel(const QString &key)
{
    const Result<ModelConfig> model = m_store.getModel(key);
    if (!model)
        return Status::failure(model);
    if (QFileInfo::exists(model.value().path) && !isInside(model.value().path, m_options.modelsDir))
        return Status::failure(
            QStringLiteral("%1 is outside the models folder (%2), so its files are not deleted; nothing was changed. "
                           "Remove only the record, or delete the files unconditionally.")
                .arg(model.value().path, m_options.modelsDir),
            QStringLiteral("OutsideModelsFolder"));
    return unconditionallyDelete(key);
}

Status ModelInstaller::unconditionallyDelete(const QString &key)
{
    const Result<ModelConfig> found = m_store.getModel(key);
    if (!found)
        return Status::failure(found);
    const ModelConfig &model = found.value();
    // The weights are the model's wherever they are; its YAML and cover only when the library holds them (a YAML
    // or picture elsewhere may be shared, or the user's own).
    QStringList files{model.path};
    for (const QString &companion : {model.configPath.value_or(QString()), model.coverImage}) {
        if (!companion.isEmpty() && isInside(companion, m_options.modelsDir))
            files << companion;
    }
    // The files step aside first (a rename), so that a failure to remove the record can put them back. Files that
    // cannot be renamed there (another file system) are deleted once the record is gone.
    // The intent, written before the first rename, lets the next start put the files back if this process dies
    // before the record is gone (see interrupted_operations.h).
    const QString trash = newTemporaryFolder(QStringLiteral("delete"));
    OperationIntent intent{OperationIntent::Kind::Delete, key, {}, {}};
    QList<QPair<QString, QString>> setAside; // (original, where it waits)
    QStringList deleteAfter;
    for (const QString &file : std::as_const(files)) {
        if (!QFileInfo::exists(file) && !QFileInfo(file).isSymLink())
            continue;
        const QString name = QString::number(intent.setAside.size());
        intent.setAside.append({file, name});
        const QString aside = QDir(trash).filePath(name);
        if (!trash.isEmpty() && writeIntent(trash, intent) &&
            std::rename(QFile::encodeName(file).constData(), QFile::encodeName(aside).constData()) == 0) {
            setAside.append({file, aside});
        } else {
            intent.setAside.removeLast();
            deleteAfter << file;
        }
    }
    if (Status removed = m_store.deleteModel(key); !removed) {
        for (const auto &[original, aside] : std::as_const(setAside))
            std::rename(QFile::encodeName(aside).constData(), QFile::encodeName(original).constData());
        if (!trash.isEmpty())
            QDir(trash).removeRecursively();
        return removed;
    }
    for (const QString &file : std::as_const(deleteAfter))
        removePath(file);
    if (!trash.isEmpty())
        QDir(trash).removeRecursively();
    return Status();
}

Result<ModelInstaller::ScanReport> ModelInstaller::scanDirectory(const QString &folder, bool install)
{
    if (!QFileInfo(folder).isDir())
        return Result<ScanReport>::failure(QStringLiteral("%1 is not a folder").arg(folder),
                                           QStringLiteral("NotFound"));
    ScanReport report;
    for (const QString &path : findModels(folder)) {
        if (m_store.searchByPath(path)) {
            report.known << path;
            continue;
        }
        const Result<ModelConfig> added = install ? installPath(path) : registerPath(path);
        if (added)
            report.keys << added.value().key;
        else if (added.errorType() == QLatin1String("DuplicateModel"))
            report.known << path; // a copy of a model the library has: already there, not a failure
        else
            report.failures << QStringLiteral("%1: %2").arg(path, added.error());
    }
    return report;
}

Result<ModelInstaller::SyncReport> ModelInstaller::syncModelsFolder()
{
    SyncReport report;
    const auto all = m_store.allModels();
    if (!all)
        return Result<SyncReport>::failure(all);
    QSet<QString> known;
    for (const ModelConfig &model : all.value()) {
        known.insert(QDir::cleanPath(model.path));
        const bool present = QFileInfo::exists(model.path);
        if (present == !model.missing)
            continue;
        const Result<ModelConfig> marked = m_store.updateModel(model.key, {{"missing", !present}});
        if (!marked)
            report.failures << QStringLiteral("%1: %2").arg(model.key, marked.error());
        else
            (present ? report.found : report.missing) << model.key;
        if (!present)
            qCWarning(lcModels).noquote() << "model" << model.name << "is missing: no file at" << model.path;
    }
    if (QFileInfo(m_options.modelsDir).isDir()) {
        for (const QString &path : findModels(m_options.modelsDir)) {
            if (known.contains(path))
                continue;
            Request request;
            request.allowDuplicate = true; // it is in the folder already: the library should show it
            const Result<ModelConfig> added = registerPath(path, request);
            if (added)
                report.registered << added.value().key;
            else
                report.failures << QStringLiteral("%1: %2").arg(path, added.error());
        }
    }
    return report;
}

void ModelInstaller::evictCache(const QString &keep) const
{
    struct Entry
    {
        QString path;
        QDateTime used;
        qint64 size;
    };
    QList<Entry> entries;
    qint64 total = 0;
    for (const QFileInfo &entry : QDir(m_options.cacheDir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QFileInfo marker(QDir(entry.filePath()).filePath(QStringLiteral(".last-used")));
        entries.append({entry.filePath(), marker.exists() ? marker.lastModified() : entry.lastModified(),
                        sizeOnDisk(entry.filePath())});
        total += entries.last().size;
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.used < b.used; });
    for (const Entry &entry : std::as_const(entries)) {
        if (total <= m_options.cacheCapBytes)
            break;
        if (QDir::cleanPath(entry.path) == QDir::cleanPath(keep))
            continue;
        qCInfo(lcModels).noquote() << "cache: evicting" << entry.path << "(" << entry.size << "bytes)";
        if (QDir(entry.path).removeRecursively())
            total -= entry.size;
    }
}

Result<QString> ModelInstaller::downloadAndCache(const QString &sourceText, const QString &accessToken, int timeoutMs)
{
    const Result<ModelSource> parsed =
        parseModelSource(sourceText, m_options.civitaiEndpoint.toString(), m_options.huggingFaceEndpoint.toString());
    if (!parsed)
        return Result<QString>::failure(parsed);
    const ModelSource &source = parsed.value();
    QUrl url;
    if (source.kind == ModelSource::Kind::Url) {
        url = source.url;
    } else if (source.kind == ModelSource::Kind::HuggingFace && source.namesSingleFile()) {
        url = m_options.huggingFaceEndpoint;
        url.setPath(url.path().remove(QRegularExpression(QStringLiteral("/+$"))) +
                    QStringLiteral("/%1/resolve/main/%2").arg(source.repoId, source.subfolder));
    } else {
        return failed<QString>(
            QStringLiteral("%1: the cache takes a URL or one file of a Hugging Face repo (owner/name::file)")
                .arg(sourceText),
            QStringLiteral("InvalidSource"));
    }
    const QString entry =
        QDir(m_options.cacheDir)
            .filePath(QString::fromLatin1(
                QCryptographicHash::hash(url.toEncoded(), QCryptographicHash::Sha256).toHex().left(24)));
    const auto touch = [&] {
        QFile marker(QDir(entry).filePath(QStringLiteral(".last-used")));
        if (marker.open(QIODevice::WriteOnly | QIODevice::Truncate))
            marker.write(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8());
    };
    for (const QFileInfo &cached : QDir(entry).entryInfoList(QDir::Files)) {
        if (!cached.fileName().startsWith(QLatin1Char('.')) && !cached.fileName().endsWith(QLatin1String(".part")) &&
            !cached.fileName().endsWith(QLatin1String(".part.json"))) {
            touch();
            return cached.absoluteFilePath();
        }
    }
    if (!QDir().mkpath(entry))
        return failed<QString>(QStringLiteral("cannot create %1").arg(entry), QStringLiteral("Io"));
    downloads::DownloadJob job;
    job.source = url;
    job.destination = entry;
    job.transient = true;
    job.accessToken = tokenFor(accessToken, url);
    const int id = m_queue.submit(job);
    if (!m_queue.waitForJob(id, timeoutMs)) {
        m_queue.cancelJob(id);
        m_queue.waitForJob(id, 10000);
        QDir(entry).removeRecursively();
        return failed<QString>(QStringLiteral("%1 was not downloaded within %2 s")
                                   .arg(url.toDisplayString(QUrl::RemoveQuery))
                                   .arg(timeoutMs / 1000.0),
                               QStringLiteral("Timeout"));
    }
    const downloads::DownloadJob done = *m_queue.jobById(id);
    if (done.status != downloads::DownloadStatus::Completed) {
        QDir(entry).removeRecursively();
        return failed<QString>(done.errorMessage.isEmpty() ? QStringLiteral("the download was cancelled")
                                                           : done.errorMessage,
                               done.errorType.isEmpty() ? QStringLiteral("Cancelled") : done.errorType);
    }
    touch();
    evictCache(entry);
    return done.downloadPath;
}

} // namespace atelier::models
