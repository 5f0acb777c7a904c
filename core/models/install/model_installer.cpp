#include "core/models/install/model_installer.h"
#include "core/json/bounded_json.h"

#include "core/downloads/download_queue.h"
#include "core/downloads/file_name.h"
#include "core/logging/log.h"
#include "core/models/hashing/model_hasher.h"
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

namespace atelier::models {

QString toString(InstallStatus status)
{
    switch (status) {
    case InstallStatus::Waiting: return QStringLiteral("waiting");
    case InstallStatus::Downloading: return QStringLiteral("downloading");
    case InstallStatus::Running: return QStringLiteral("running");
    case InstallStatus::Completed: return QStringLiteral("completed");
    case InstallStatus::Error: return QStringLiteral("error");
    case InstallStatus::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("error");
}

namespace {

const QString kTemporaryFolder = QStringLiteral(".tmp");
const QString kCoversFolder = QStringLiteral(".covers");

template <typename T>
Result<T> failed(const QString &message, const QString &type)
{
    return Result<T>::failure(message, type);
}

// rename(2) that never replaces what is already there (renameat2 with RENAME_NOREPLACE, where the file system
// has it; a checked rename otherwise).
bool renameNoReplace(const QString &from, const QString &to)
{
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, source.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS)
        return false;
    return !QFileInfo::exists(to) && std::rename(source.constData(), target.constData()) == 0;
}

bool removePath(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir() && !info.isSymLink())
        return QDir(path).removeRecursively();
    return !info.exists() && !info.isSymLink() ? true : QFile::remove(path);
}

// Copies a file or folder, checking the cancel flag between chunks. Error types "Io", "Cancelled", "DiskFull".
Status copyTree(const QString &from, const QString &to, const CancelFlag *cancel)
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
        return Status::failure(QStringLiteral("cannot read %1: %2").arg(from, source.errorString()), QStringLiteral("Io"));
    if (!target.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()), QStringLiteral("Io"));
    QByteArray buffer(8 << 20, Qt::Uninitialized);
    while (true) {
        if (cancel && cancel->load())
            return Status::failure(QStringLiteral("cancelled while copying %1").arg(from), QStringLiteral("Cancelled"));
        const qint64 read = source.read(buffer.data(), buffer.size());
        if (read < 0)
            return Status::failure(QStringLiteral("cannot read %1: %2").arg(from, source.errorString()), QStringLiteral("Io"));
        if (read == 0)
            break;
        if (target.write(buffer.constData(), read) != read)
            return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()),
                                   target.error() == QFileDevice::ResourceError ? QStringLiteral("DiskFull") : QStringLiteral("Io"));
    }
    if (!target.flush())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(to, target.errorString()), QStringLiteral("Io"));
    return Status();
}

qint64 sizeOnDisk(const QString &path)
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

bool isInside(const QString &path, const QString &folder)
{
    const QString canonicalFolder = QFileInfo(folder).canonicalFilePath();
    const QString canonicalPath = QFileInfo(path).canonicalFilePath();
    return !canonicalFolder.isEmpty() && !canonicalPath.isEmpty() && canonicalPath.startsWith(canonicalFolder + QLatin1Char('/'));
}

bool isModelFolder(const QDir &folder)
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
QStringList findModels(const QString &root)
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

} // namespace

// The installer's thread: runs posted steps one at a time, in order. Not a Qt event loop: the steps that talk to a
// hub run their own, so nothing else can slip in between.
class InstallWorker : public QThread
{
public:
    void post(std::function<void()> step)
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_steps.push_back(std::move(step));
        }
        m_wake.notify_one();
    }

    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        wait();
    }

protected:
    void run() override
    {
        while (true) {
            std::function<void()> step;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_steps.empty(); });
                if (m_stopping)
                    return;
                step = std::move(m_steps.front());
                m_steps.pop_front();
            }
            step();
        }
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_steps;
    bool m_stopping = false;
};

struct ModelInstaller::JobState
{
    ModelSource source;
    Request request;
    std::optional<RemoteModel> remote;
    QString temporaryFolder;
    QString modelPath;           // the downloaded file or folder
    QString coverPath;           // the downloaded preview image, when there is one
    QList<int> downloadIds;
    QList<bool> partEnded;
    int coverPart = -1;          // a cover that fails to download does not fail the install
    QString firstErrorType;
    QString firstError;
    bool partCancelled = false;
    bool finishing = false;
    CancelFlag cancel{false};
};

ModelInstaller::ModelInstaller(RecordStore &store, downloads::DownloadQueue &queue, Options options, QObject *parent)
    : QObject(parent), m_store(store), m_queue(queue), m_options(std::move(options))
{
    qRegisterMetaType<InstallJob>();
    m_lifeline = std::make_shared<Lifeline>();
    m_lifeline->installer = this;
    m_worker = new InstallWorker;
    m_worker->setObjectName(QStringLiteral("installer"));
    m_worker->start();

    // Temporary folders of installs and deletes that died with their process (never those of a process still
    // running), settled against the records: what a half install placed goes, what a half delete set aside returns.
    const QDir temporary(QDir(m_options.modelsDir).filePath(kTemporaryFolder));
    const auto known = [](const Result<ModelConfig> &found) -> std::optional<bool> {
        if (found)
            return true;
        return found.errorType() == QLatin1String("UnknownModel") ? std::optional<bool>(false) : std::nullopt;
    };
    const LibraryView library{m_options.modelsDir, [this, known](const QString &key) { return known(m_store.getModel(key)); },
                              [this, known](const QString &path) { return known(m_store.searchByPath(path)); }};
    for (const QString &name : temporary.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const qint64 pid = name.section(QLatin1Char('-'), 1, 1).toLongLong();
        if (pid > 0 && pid != QCoreApplication::applicationPid() && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            settleInterruptedOperation(temporary.filePath(name), library);
    }
}

ModelInstaller::~ModelInstaller()
{
    {
        QMutexLocker lock(&m_lifeline->mutex);  // waits for a handler that is reporting right now
        m_lifeline->installer = nullptr;
    }
    QList<std::shared_ptr<JobState>> states;
    {
        QMutexLocker lock(&m_mutex);
        states = m_states.values();
    }
    for (const auto &state : states) {
        state->cancel = true;
        for (int download : std::as_const(state->downloadIds))
            m_queue.cancelJob(download);
    }
    m_worker->stop();
    delete m_worker;
    for (const auto &state : states) {
        if (!state->temporaryFolder.isEmpty())
            QDir(state->temporaryFolder).removeRecursively();
    }
}

// ---- jobs ----------------------------------------------------------------------------------------------------

InstallJob ModelInstaller::heuristicImport(const QString &source, const Request &request)
{
    const Result<ModelSource> parsed = parseModelSource(source, m_options.civitaiEndpoint.toString(), m_options.huggingFaceEndpoint.toString());
    if (parsed)
        return importModel(parsed.value(), request);
    InstallJob job;
    job.source = source.trimmed();
    job.configIn = request.config;
    job.status = InstallStatus::Error;
    job.errorType = parsed.errorType();
    job.error = parsed.error();
    {
        QMutexLocker lock(&m_mutex);
        job.id = m_nextId++;
        m_jobs.insert(job.id, job);
    }
    m_changed.wakeAll();
    emit jobChanged(job);
    return job;
}

InstallJob ModelInstaller::importModel(const ModelSource &source, const Request &request)
{
    auto state = std::make_shared<JobState>();
    state->source = source;
    state->request = request;
    if (state->request.accessToken.isEmpty())
        state->request.accessToken = source.accessToken;
    InstallJob job;
    job.source = source.toString();
    job.sourceKind = source.kind;
    job.configIn = request.config;
    job.inplace = request.inplace && source.kind == ModelSource::Kind::Local;
    job.allowDuplicate = request.allowDuplicate;
    job.localPath = source.kind == ModelSource::Kind::Local ? source.path : QString();
    {
        QMutexLocker lock(&m_mutex);
        job.id = m_nextId++;
        m_jobs.insert(job.id, job);
        m_states.insert(job.id, state);
    }
    emit jobChanged(job);
    m_worker->post([this, id = job.id] { resolve(id); });
    return job;
}

void ModelInstaller::update(int id, const std::function<void(InstallJob &)> &change)
{
    InstallJob snapshot;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_jobs.find(id);
        if (it == m_jobs.end())
            return;
        change(*it);
        if (it->inTerminalState()) {
            it->paused = false;
            m_states.remove(id);
        }
        snapshot = *it;
    }
    // Listeners first, so that whoever waits on the job sees what they did with the event.
    emit jobChanged(snapshot);
    m_changed.wakeAll();
}

void ModelInstaller::fail(int id, const QString &type, const QString &message)
{
    if (type == QLatin1String("Cancelled")) {
        qCInfo(lcModels).noquote() << "install" << id << "cancelled";
    } else {
        qCWarning(lcModels).noquote() << "install" << id << "failed:" << message;
    }
    update(id, [&](InstallJob &job) {
        job.status = type == QLatin1String("Cancelled") ? InstallStatus::Cancelled : InstallStatus::Error;
        job.errorType = type == QLatin1String("Cancelled") ? QString() : type;
        job.error = type == QLatin1String("Cancelled") ? QString() : message;
    });
}

QString ModelInstaller::tokenFor(const QString &given, const QUrl &url) const
{
    if (!given.isEmpty())
        return given;
    return m_options.accessTokenFor ? m_options.accessTokenFor(url) : QString();
}

QString ModelInstaller::newTemporaryFolder(const QString &purpose) const
{
    const QString path = QDir(QDir(m_options.modelsDir).filePath(kTemporaryFolder))
                             .filePath(QStringLiteral("%1-%2-%3")
                                           .arg(purpose)
                                           .arg(QCoreApplication::applicationPid())
                                           .arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0')));
    return QDir().mkpath(path) ? path : QString();
}

std::shared_ptr<ModelInstaller::JobState> ModelInstaller::enterStage(int id, Stage stage, InstallJob &job)
{
    std::shared_ptr<JobState> state;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        job = m_jobs.value(id);
    }
    if (!state)
        return nullptr;
    if (m_options.beforeStage) {
        if (const Status allowed = m_options.beforeStage(job, stage); !allowed) {
            fail(id, allowed.errorType(), allowed.error());
            return nullptr;
        }
    }
    if (state->cancel) {
        fail(id, QStringLiteral("Cancelled"), QString());
        return nullptr;
    }
    return state;
}

void ModelInstaller::resolve(int id)
{
    InstallJob job;
    const std::shared_ptr<JobState> state = enterStage(id, Stage::Resolve, job);
    if (!state)
        return;
    const ModelSource &source = state->source;
    const auto hubToken = [&](const QUrl &url) { return tokenFor(state->request.accessToken, url); };

    switch (source.kind) {
    case ModelSource::Kind::Local:
        finishInstall(id);
        return;
    case ModelSource::Kind::Url: {
        RemoteModel remote;
        RemoteFile file;
        file.url = source.url;
        remote.files << file;
        remote.name = QFileInfo(source.url.path()).completeBaseName();
        state->remote = remote;
        break;
    }
    case ModelSource::Kind::HuggingFace: {
        QUrl api = m_options.huggingFaceEndpoint;
        api.setPath(api.path().remove(QRegularExpression(QStringLiteral("/+$"))) + QStringLiteral("/api/models/") + source.repoId);
        api.setQuery(QStringLiteral("blobs=true"));
        const Result<QByteArray> answer = fetchJson(api, hubToken(api), false);
        if (!answer) {
            fail(id, answer.errorType(), QStringLiteral("cannot read %1 from Hugging Face: %2").arg(source.repoId, answer.error()));
            return;
        }
        const auto remote = readHuggingFaceModel(answer.value(), source, source.variant.value_or(m_options.defaultVariant),
                                                 m_options.huggingFaceEndpoint);
        if (!remote) {
            fail(id, remote.errorType(), remote.error());
            return;
        }
        state->remote = remote.value();
        break;
    }
    case ModelSource::Kind::Civitai: {
        const auto apiAddress = [&](const QString &path) {
            QUrl url = m_options.civitaiEndpoint;
            url.setPath(url.path().remove(QRegularExpression(QStringLiteral("/+$"))) + path);
            return url;
        };
        qint64 modelId = source.civitaiModelId;
        if (modelId == 0) {
            const QUrl versionUrl = apiAddress(QStringLiteral("/api/v1/model-versions/%1").arg(source.civitaiVersionId));
            const Result<QByteArray> version = fetchJson(versionUrl, hubToken(versionUrl), false);
            if (!version) {
                fail(id, version.errorType(), QStringLiteral("cannot read Civitai model version %1: %2").arg(source.civitaiVersionId).arg(version.error()));
                return;
            }
            modelId = QJsonDocument::fromJson(version.value()).object().value(QStringLiteral("modelId")).toInteger();
            if (modelId == 0) {
                fail(id, QStringLiteral("FormatError"), QStringLiteral("Civitai did not say which model version %1 belongs to").arg(source.civitaiVersionId));
                return;
            }
        }
        const QUrl modelUrl = apiAddress(QStringLiteral("/api/v1/models/%1").arg(modelId));
        const Result<QByteArray> answer = fetchJson(modelUrl, hubToken(modelUrl), false);
        if (!answer) {
            fail(id, answer.errorType(), QStringLiteral("cannot read Civitai model %1: %2").arg(modelId).arg(answer.error()));
            return;
        }
        const auto remote = readCivitaiModel(answer.value(), source.civitaiVersionId);
        if (!remote) {
            fail(id, remote.errorType(), remote.error());
            return;
        }
        state->remote = remote.value();
        break;
    }
    }

    // A file whose hash the hub publishes and the library already holds is not downloaded again.
    const RemoteModel &remote = *state->remote;
    if (remote.singleFile && !remote.files.first().sha256.isEmpty() && !state->request.allowDuplicate) {
        const auto same = m_store.searchByHash(QStringLiteral("sha256:") + remote.files.first().sha256.toLower());
        if (same && !same.value().isEmpty()) {
            const ModelConfig &existing = same.value().first();
            fail(id, QStringLiteral("DuplicateModel"),
                 QStringLiteral("%1 is already in the library as \"%2\" (key %3); nothing was downloaded")
                     .arg(job.source, existing.name, existing.key));
            return;
        }
    }
    startDownloads(id);
}

void ModelInstaller::startDownloads(int id)
{
    InstallJob job;
    const std::shared_ptr<JobState> state = enterStage(id, Stage::Download, job);
    if (!state)
        return;
    const RemoteModel &remote = *state->remote;
    state->temporaryFolder = newTemporaryFolder(QStringLiteral("install"));
    if (state->temporaryFolder.isEmpty()) {
        fail(id, QStringLiteral("Io"), QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir));
        return;
    }
    qint64 needed = 0;
    for (const RemoteFile &file : remote.files)
        needed += file.size;
    const QStorageInfo volume(state->temporaryFolder);
    if (needed > 0 && volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < needed) {
        QDir(state->temporaryFolder).removeRecursively();
        fail(id, QStringLiteral("DiskFull"),
             QStringLiteral("%1 needs %2 bytes and only %3 are free in %4").arg(job.source).arg(needed).arg(volume.bytesAvailable()).arg(m_options.modelsDir));
        return;
    }

    // A folder model downloads into <temporary>/<name>/<its files>; a single file into <temporary>/.
    const QString modelFolder = remote.singleFile
        ? state->temporaryFolder
        : QDir(state->temporaryFolder).filePath(downloads::safeFileName(remote.name, QStringLiteral("model")));
    if (!remote.singleFile)
        state->modelPath = modelFolder;
    struct Planned
    {
        downloads::DownloadJob download;
        InstallPart part;
    };
    QList<Planned> planned;
    for (const RemoteFile &file : remote.files) {
        Planned next;
        next.download.source = file.url;
        next.download.expectedSha256 = file.sha256;
        next.download.transient = true;
        next.download.priority = 10;
        if (file.path.isEmpty()) {
            next.download.destination = modelFolder;  // the server names it
        } else {
            next.download.destination = QDir::cleanPath(QDir(modelFolder).filePath(remote.singleFile ? downloads::safeFileName(file.path) : file.path));
            // The listing was checked already; this is the last line of defence for whatever lists files.
            if (!next.download.destination.startsWith(modelFolder + QLatin1Char('/'))) {
                QDir(state->temporaryFolder).removeRecursively();
                fail(id, QStringLiteral("FormatError"), QStringLiteral("the hub listed a file outside the model: %1").arg(file.path.left(200)));
                return;
            }
            QDir().mkpath(QFileInfo(next.download.destination).absolutePath());
        }
        next.download.accessToken = tokenFor(state->request.accessToken, file.url);
        next.part.source = file.url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
        next.part.localPath = next.download.destination;
        next.part.totalBytes = file.size;
        planned << next;
    }
    if (remote.coverImage.isValid() && !remote.coverImage.isRelative()) {
        Planned cover;
        const QString suffix = QFileInfo(remote.coverImage.path()).suffix().toLower();
        cover.download.source = remote.coverImage;
        cover.download.destination = QDir(state->temporaryFolder)
                                         .filePath(QStringLiteral("cover.%1").arg(QStringList{QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("webp")}.contains(suffix) ? suffix : QStringLiteral("jpg")));
        cover.download.transient = true;
        cover.download.priority = 20;
        cover.part.source = remote.coverImage.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
        cover.part.localPath = cover.download.destination;
        state->coverPart = int(planned.size());
        state->coverPath = cover.download.destination;
        planned << cover;
    }

    QList<InstallPart> parts;
    for (const Planned &next : planned)
        parts << next.part;
    {
        QMutexLocker lock(&m_mutex);
        state->partEnded = QList<bool>(planned.size(), false);
    }
    update(id, [&](InstallJob &changed) {
        changed.status = InstallStatus::Downloading;
        changed.parts = parts;
        changed.localPath = remote.singleFile ? QString() : modelFolder;
        changed.totalBytes = needed;
    });
    QList<int> ids;
    for (int index = 0; index < planned.size(); ++index) {
        ids << m_queue.submit(planned[index].download, true, {[lifeline = m_lifeline, id, index](const downloads::DownloadJob &download) {
                                  QMutexLocker lock(&lifeline->mutex);
                                  if (lifeline->installer)
                                      lifeline->installer->partChanged(id, index, download);
                              }});
    }
    {
        QMutexLocker lock(&m_mutex);
        state->downloadIds = ids;
    }
    if (state->cancel) {
        for (int download : ids)
            m_queue.cancelJob(download);
    }
}

// On the download queue's thread, for every event of every part.
void ModelInstaller::partChanged(int id, int index, const downloads::DownloadJob &download)
{
    std::shared_ptr<JobState> state;
    bool allEnded = false;
    QList<int> toCancel;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        if (!state || index >= state->partEnded.size())
            return;
        if (download.inTerminalState() && !state->partEnded[index]) {
            state->partEnded[index] = true;
            const bool optional = index == state->coverPart;
            if (download.status == downloads::DownloadStatus::Completed) {
                if (state->remote->singleFile && index == 0)
                    state->modelPath = download.downloadPath;
            } else if (optional) {
                state->coverPath.clear();  // a missing cover is no reason to fail an install
            } else if (download.status == downloads::DownloadStatus::Cancelled) {
                state->partCancelled = true;
            } else if (state->firstError.isEmpty()) {
                state->firstErrorType = download.errorType;
                state->firstError = download.errorMessage;
            }
            // One part failed: the others are of no use any more.
            if ((state->partCancelled || !state->firstError.isEmpty()) && !optional) {
                for (int other : std::as_const(state->downloadIds))
                    if (other != download.id)
                        toCancel << other;
            }
        }
        allEnded = !state->finishing && std::all_of(state->partEnded.cbegin(), state->partEnded.cend(), [](bool ended) { return ended; });
        if (allEnded)
            state->finishing = true;
    }
    for (int other : toCancel)
        m_queue.cancelJob(other);
    update(id, [&](InstallJob &job) {
        if (index >= job.parts.size())
            return;
        job.parts[index].bytes = download.bytes;
        if (download.totalBytes > 0)
            job.parts[index].totalBytes = download.totalBytes;
        if (!download.downloadPath.isEmpty())
            job.parts[index].localPath = download.downloadPath;
        job.bytes = 0;
        job.totalBytes = 0;
        for (const InstallPart &part : std::as_const(job.parts)) {
            job.bytes += part.bytes;
            job.totalBytes += part.totalBytes;
        }
    });
    if (allEnded)
        m_worker->post([this, id] { finishInstall(id); });
}

void ModelInstaller::finishInstall(int id)
{
    std::shared_ptr<JobState> state;
    InstallJob job;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        job = m_jobs.value(id);
    }
    if (!state)
        return;
    const auto cleanUp = [&] {
        if (!state->temporaryFolder.isEmpty())
            QDir(state->temporaryFolder).removeRecursively();
    };
    if (state->cancel || state->partCancelled) {
        cleanUp();
        fail(id, QStringLiteral("Cancelled"), QString());
        return;
    }
    if (!state->firstError.isEmpty()) {
        cleanUp();
        fail(id, state->firstErrorType.isEmpty() ? QStringLiteral("HttpError") : state->firstErrorType, state->firstError);
        return;
    }
    const bool remote = state->source.kind != ModelSource::Kind::Local;
    const QString path = remote ? state->modelPath : state->source.path;
    update(id, [&](InstallJob &changed) {
        changed.status = InstallStatus::Running;
        changed.localPath = path;
    });
    job.localPath = path;
    job.status = InstallStatus::Running;
    const auto hook = [this, &job](Stage stage) {
        return m_options.beforeStage ? m_options.beforeStage(job, stage) : Status();
    };
    Request request = state->request;
    request.inplace = job.inplace;
    RemoteModel metadata = remote ? *state->remote : RemoteModel();
    if (remote && !state->coverPath.isEmpty())
        metadata.coverImage = QUrl::fromLocalFile(state->coverPath);
    const Result<ModelConfig> installed = installModel(path, request, remote ? &metadata : nullptr, &state->source, remote, &state->cancel, hook);
    cleanUp();
    if (!installed) {
        fail(id, installed.errorType(), installed.error());
        return;
    }
    qCInfo(lcModels).noquote() << "installed" << installed.value().name << "as" << installed.value().key << "from" << job.source;
    update(id, [&](InstallJob &changed) {
        changed.status = InstallStatus::Completed;
        changed.configOut = installed.value();
        changed.localPath = installed.value().path;
    });
}

// ---- the common install path ---------------------------------------------------------------------------------

Result<ModelConfig> ModelInstaller::installModel(const QString &path, const Request &request, const RemoteModel *remote,
                                                 const ModelSource *source, bool moveInsteadOfCopy, const CancelFlag *cancel,
                                                 const std::function<Status(Stage)> &beforeStage)
{
    using Installed = Result<ModelConfig>;
    const auto stage = [&](Stage next) -> Status {
        if (beforeStage) {
            if (Status allowed = beforeStage(next); !allowed)
                return allowed;
        }
        if (cancel && cancel->load())
            return Status::failure(QStringLiteral("cancelled"), QStringLiteral("Cancelled"));
        return Status();
    };
    if (Status allowed = stage(Stage::Probe); !allowed)
        return Installed::failure(allowed);
    const Result<ProbeResult> probed = probeModel(path);
    if (!probed)
        return Installed::failure(probed);
    const ProbeResult &probe = probed.value();
    if (!probe.identified())
        return failed<ModelConfig>(QStringLiteral("%1 is not a model Atelier recognises: %2").arg(path, probe.evidence.join(QStringLiteral("; "))),
                                   QStringLiteral("UnknownModel"));

    ModelConfig config;
    config.key = ModelConfig::newKey();
    config.name = probe.name;
    config.type = probe.type;
    config.format = probe.format;
    config.base = probe.base;
    config.description = probe.description;
    config.variant = probe.variant;
    config.predictionType = probe.predictionType;
    config.repoVariant = probe.repoVariant;
    if (!probe.configPath.isEmpty())
        config.configPath = probe.configPath;
    config.path = path;
    config.source = source ? source->toString() : path;
    config.sourceType = source ? source->sourceType() : SourceType::Path;
    if (remote) {
        if (!remote->name.isEmpty())
            config.name = remote->name;
        if (!remote->description.isEmpty())
            config.description = remote->description;
        config.tags = remote->tags;
        config.triggerWords = remote->triggerWords;
        config.sourceApiResponse = remote->apiResponse;
        if (config.base == BaseModel::Unknown && remote->base)
            config.base = *remote->base;
    }
    config.addedAt = config.updatedAt = QDateTime::currentDateTimeUtc();
    normalise(config);
    // The caller's values beat the probe's.
    if (!request.config.isEmpty()) {
        const Result<nlohmann::ordered_json> parsed = parseBoundedOrderedJson(request.config);
        const nlohmann::ordered_json overrides = parsed ? parsed.value() : nlohmann::ordered_json();
        if (!overrides.is_object())
            return failed<ModelConfig>(QStringLiteral("the configuration overrides are not a JSON object"), QStringLiteral("InvalidModelConfig"));
        for (const char *fixed : {"key", "path", "hash", "added_at"}) {
            if (overrides.contains(fixed))
                return failed<ModelConfig>(QStringLiteral("'%1' cannot be set when installing").arg(QLatin1String(fixed)),
                                           QStringLiteral("InvalidModelConfig"));
        }
        const Result<ModelConfig> changed = applyChanges(config, overrides);
        if (!changed)
            return Installed::failure(changed);
        config = changed.value();
    }

    if (Status allowed = stage(Stage::Hash); !allowed)
        return Installed::failure(allowed);
    ModelHasher::Options hashing;
    hashing.cancel = cancel;
    const Result<PathHashes> hashes = ModelHasher(&m_store).hash(path, hashing);
    if (!hashes)
        return Installed::failure(hashes);
    config.hash = QStringLiteral("sha256:") + hashes.value().sha256;
    config.fileSize = hashes.value().size;
    if (!request.allowDuplicate) {
        const auto same = m_store.searchByHash(config.hash);
        if (same && !same.value().isEmpty()) {
            const ModelConfig &existing = same.value().first();
            return failed<ModelConfig>(QStringLiteral("%1 is already in the library as \"%2\" (key %3, %4)").arg(QFileInfo(path).fileName(), existing.name, existing.key, existing.path),
                                       QStringLiteral("DuplicateModel"));
        }
    }
    if (request.inplace && !moveInsteadOfCopy) {
        if (m_store.searchByPath(path))
            return failed<ModelConfig>(QStringLiteral("%1 is already registered").arg(path), QStringLiteral("DuplicateModel"));
        if (Status allowed = stage(Stage::Register); !allowed)
            return Installed::failure(allowed);
        return m_store.addModel(config);
    }

    // Into models/<base>/<type>/, under the file's own name (a folder under the model's name), never replacing.
    if (Status allowed = stage(Stage::Copy); !allowed)
        return Installed::failure(allowed);
    const QFileInfo origin(path);
    const QString folder = QDir(m_options.modelsDir).filePath(toString(config.base) + QLatin1Char('/') + toString(config.type));
    if (!QDir().mkpath(folder))
        return failed<ModelConfig>(QStringLiteral("cannot create %1").arg(folder), QStringLiteral("Io"));
    const QString wantedName = origin.isDir() ? downloads::safeFileName(config.name, origin.fileName()) : downloads::safeFileName(origin.fileName());
    QString staged = path;
    QString copyFolder;
    if (!moveInsteadOfCopy) {
        // Copies land in a temporary folder beside the library first, so that a half copy is never a model.
        copyFolder = newTemporaryFolder(QStringLiteral("copy"));
        if (copyFolder.isEmpty())
            return failed<ModelConfig>(QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir), QStringLiteral("Io"));
        staged = QDir(copyFolder).filePath(wantedName);
        const qint64 needed = sizeOnDisk(path);
        const QStorageInfo volume(copyFolder);
        if (volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < needed) {
            QDir(copyFolder).removeRecursively();
            return failed<ModelConfig>(QStringLiteral("copying %1 needs %2 bytes and only %3 are free in %4").arg(path).arg(needed).arg(volume.bytesAvailable()).arg(m_options.modelsDir),
                                       QStringLiteral("DiskFull"));
        }
        if (Status copied = copyTree(path, staged, cancel); !copied) {
            QDir(copyFolder).removeRecursively();
            return Installed::failure(copied);
        }
    }
    // The intent goes before each step into the library, so that a process killed between the move and the
    // record leaves nothing behind (see interrupted_operations.h). Downloads, moved rather than copied, get a
    // folder for it alone.
    const QString intentFolder = copyFolder.isEmpty() ? newTemporaryFolder(QStringLiteral("install")) : copyFolder;
    if (intentFolder.isEmpty())
        return failed<ModelConfig>(QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir),
                                   QStringLiteral("Io"));
    OperationIntent intent{OperationIntent::Kind::Install, config.key, {}, {}};
    const auto discardCopy = [&] { QDir(intentFolder).removeRecursively(); };
    const auto announce = [&](const QString &path) {
        intent.placed << path;
        return writeIntent(intentFolder, intent);
    };
    // A checkpoint's original YAML travels with it.
    QString yamlDestination;
    QString destination;
    for (int attempt = 0; attempt < 100; ++attempt) {
        destination = downloads::unusedPath(QDir(folder).filePath(wantedName));
        if (Status announced = announce(destination); !announced) {
            discardCopy();
            return Installed::failure(announced);
        }
        if (renameNoReplace(staged, destination))
            break;
        intent.placed.removeLast();
        if (errno != EEXIST) {
            const QString why = QString::fromLocal8Bit(std::strerror(errno));
            discardCopy();
            return failed<ModelConfig>(QStringLiteral("cannot move %1 to %2: %3").arg(staged, destination, why), QStringLiteral("Io"));
        }
        destination.clear();
    }
    if (destination.isEmpty()) {
        discardCopy();
        return failed<ModelConfig>(QStringLiteral("no free name for %1 in %2").arg(wantedName, folder), QStringLiteral("Io"));
    }
    const auto undoMove = [&] {
        // Downloads are thrown away; a copy's original is untouched. Either way, nothing stays in the library.
        removePath(destination);
        if (!yamlDestination.isEmpty())
            QFile::remove(yamlDestination);
    };
    if (config.configPath && !origin.isDir() && QFileInfo::exists(*config.configPath)) {
        yamlDestination = downloads::unusedPath(QDir(folder).filePath(QFileInfo(destination).completeBaseName() + QStringLiteral(".yaml")));
        if (announce(yamlDestination) && QFile::copy(*config.configPath, yamlDestination))
            config.configPath = yamlDestination;
        else
            yamlDestination.clear();
    }
    config.path = destination;
    QString coverDestination;
    if (remote && remote->coverImage.isLocalFile() && QFileInfo::exists(remote->coverImage.toLocalFile())) {
        const QString covers = QDir(m_options.modelsDir).filePath(kCoversFolder);
        QDir().mkpath(covers);
        coverDestination = QDir(covers).filePath(config.key + QLatin1Char('.') + QFileInfo(remote->coverImage.toLocalFile()).suffix());
        if (announce(coverDestination) && std::rename(QFile::encodeName(remote->coverImage.toLocalFile()).constData(),
                                                      QFile::encodeName(coverDestination).constData()) == 0)
            config.coverImage = coverDestination;
        else
            coverDestination.clear();
    }

    if (Status allowed = stage(Stage::Register); !allowed) {
        undoMove();
        if (!coverDestination.isEmpty())
            QFile::remove(coverDestination);
        discardCopy();
        return Installed::failure(allowed);
    }
    const Result<ModelConfig> added = m_store.addModel(config);
    if (!added) {
        undoMove();
        if (!coverDestination.isEmpty())
            QFile::remove(coverDestination);
    }
    discardCopy();
    return added;
}

// ---- waiting and control -------------------------------------------------------------------------------------

std::optional<QList<InstallJob>> ModelInstaller::waitForInstalls(int timeoutMs) const
{
    QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
    QMutexLocker lock(&m_mutex);
    while (true) {
        if (std::all_of(m_jobs.cbegin(), m_jobs.cend(), [](const InstallJob &job) { return job.inTerminalState(); }))
            return m_jobs.values();
        if (!m_changed.wait(&m_mutex, deadline))
            return std::nullopt;
    }
}

std::optional<InstallJob> ModelInstaller::waitForJob(int id, int timeoutMs) const
{
    QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
    QMutexLocker lock(&m_mutex);
    while (true) {
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd())
            return std::nullopt;
        if (it->inTerminalState())
            return *it;
        if (!m_changed.wait(&m_mutex, deadline))
            return std::nullopt;
    }
}

QList<InstallJob> ModelInstaller::listJobs() const
{
    QMutexLocker lock(&m_mutex);
    return m_jobs.values();
}

QList<InstallJob> ModelInstaller::jobsBySource(const QString &source) const
{
    QMutexLocker lock(&m_mutex);
    QList<InstallJob> matching;
    for (const InstallJob &job : m_jobs)
        if (job.source == source)
            matching << job;
    return matching;
}

std::optional<InstallJob> ModelInstaller::jobById(int id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_jobs.constFind(id);
    return it == m_jobs.constEnd() ? std::nullopt : std::optional<InstallJob>(*it);
}

bool ModelInstaller::cancelJob(int id)
{
    std::shared_ptr<JobState> state;
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        if (!state)
            return m_jobs.contains(id);  // already ended: nothing to do
        state->cancel = true;
        downloads = state->downloadIds;
    }
    for (int download : downloads)
        m_queue.cancelJob(download);
    return true;
}

bool ModelInstaller::pauseJob(int id)
{
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        const auto job = m_jobs.constFind(id);
        if (!state || job == m_jobs.constEnd() || !job->downloading() || job->paused)
            return false;
        downloads = state->downloadIds;
    }
    for (int download : downloads)
        m_queue.pauseJob(download);
    update(id, [](InstallJob &job) { job.paused = true; });
    return true;
}

bool ModelInstaller::resumeJob(int id)
{
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        const auto job = m_jobs.constFind(id);
        if (!state || job == m_jobs.constEnd() || !job->paused)
            return false;
        downloads = state->downloadIds;
    }
    update(id, [](InstallJob &job) { job.paused = false; });
    for (int download : downloads)
        m_queue.startJob(download);
    return true;
}

std::optional<InstallJob> ModelInstaller::retryJob(int id)
{
    InstallJob old;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd() || !(it->errored() || it->cancelled()))
            return std::nullopt;
        old = *it;
        m_jobs.remove(id);
    }
    emit jobRemoved(id);
    Request request;
    request.config = old.configIn;
    request.inplace = old.inplace;
    request.allowDuplicate = old.allowDuplicate;
    return heuristicImport(old.source, request);
}

bool ModelInstaller::removeJob(int id)
{
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd() || !it->inTerminalState())
            return false;
        m_jobs.remove(id);
    }
    emit jobRemoved(id);
    return true;
}

void ModelInstaller::pruneJobs()
{
    QList<int> removed;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_jobs.begin(); it != m_jobs.end();) {
            if (it->inTerminalState()) {
                removed << it.key();
                it = m_jobs.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (int id : removed)
        emit jobRemoved(id);
}

// ---- library upkeep ------------------------------------------------------------------------------------------

Result<ModelConfig> ModelInstaller::registerPath(const QString &path, const Request &request)
{
    Request inPlace = request;
    inPlace.inplace = true;
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!QFileInfo::exists(absolute))
        return failed<ModelConfig>(QStringLiteral("%1 does not exist").arg(path), QStringLiteral("NotFound"));
    return installModel(absolute, inPlace, nullptr, nullptr, false, nullptr, {});
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
        return Status::failure(QStringLiteral("%1 is outside the models folder (%2), so its files are not deleted; nothing was changed. "
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
    QList<QPair<QString, QString>> setAside;  // (original, where it waits)
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
        return Result<ScanReport>::failure(QStringLiteral("%1 is not a folder").arg(folder), QStringLiteral("NotFound"));
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
            request.allowDuplicate = true;  // it is in the folder already: the library should show it
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
        entries.append({entry.filePath(), marker.exists() ? marker.lastModified() : entry.lastModified(), sizeOnDisk(entry.filePath())});
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
    const Result<ModelSource> parsed = parseModelSource(sourceText, m_options.civitaiEndpoint.toString(), m_options.huggingFaceEndpoint.toString());
    if (!parsed)
        return Result<QString>::failure(parsed);
    const ModelSource &source = parsed.value();
    QUrl url;
    if (source.kind == ModelSource::Kind::Url) {
        url = source.url;
    } else if (source.kind == ModelSource::Kind::HuggingFace && source.namesSingleFile()) {
        url = m_options.huggingFaceEndpoint;
        url.setPath(url.path().remove(QRegularExpression(QStringLiteral("/+$"))) + QStringLiteral("/%1/resolve/main/%2").arg(source.repoId, source.subfolder));
    } else {
        return failed<QString>(QStringLiteral("%1: the cache takes a URL or one file of a Hugging Face repo (owner/name::file)").arg(sourceText),
                               QStringLiteral("InvalidSource"));
    }
    const QString entry = QDir(m_options.cacheDir)
                              .filePath(QString::fromLatin1(QCryptographicHash::hash(url.toEncoded(), QCryptographicHash::Sha256).toHex().left(24)));
    const auto touch = [&] {
        QFile marker(QDir(entry).filePath(QStringLiteral(".last-used")));
        if (marker.open(QIODevice::WriteOnly | QIODevice::Truncate))
            marker.write(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8());
    };
    for (const QFileInfo &cached : QDir(entry).entryInfoList(QDir::Files)) {
        if (!cached.fileName().startsWith(QLatin1Char('.')) && !cached.fileName().endsWith(QLatin1String(".part"))
            && !cached.fileName().endsWith(QLatin1String(".part.json"))) {
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
        return failed<QString>(QStringLiteral("%1 was not downloaded within %2 s").arg(url.toDisplayString(QUrl::RemoveQuery)).arg(timeoutMs / 1000.0),
                               QStringLiteral("Timeout"));
    }
    const downloads::DownloadJob done = *m_queue.jobById(id);
    if (done.status != downloads::DownloadStatus::Completed) {
        QDir(entry).removeRecursively();
        return failed<QString>(done.errorMessage.isEmpty() ? QStringLiteral("the download was cancelled") : done.errorMessage,
                               done.errorType.isEmpty() ? QStringLiteral("Cancelled") : done.errorType);
    }
    touch();
    evictCache(entry);
    return done.downloadPath;
}

} // namespace atelier::models
