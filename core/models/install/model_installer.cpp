#include "core/models/install/model_installer.h"
#include "core/json/bounded_json.h"
#include "core/models/install/model_installer_p.h"

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

using namespace installer_files;

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

ModelInstaller::ModelInstaller(RecordStore &store, downloads::DownloadQueue &queue, Options options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_queue(queue)
    , m_options(std::move(options))
    , m_jobs([this](const InstallJob &job) { emit jobChanged(job); })
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
    m_jobs.add(job);
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
    m_jobs.add(job, [&](int id) {
        QMutexLocker lock(&m_mutex);
        m_states.insert(id, state);
    });
    m_worker->post([this, id = job.id] { resolve(id); });
    return job;
}

void ModelInstaller::update(int id, const std::function<void(InstallJob &)> &change)
{
    bool ended = false;
    m_jobs.change(id, [&](InstallJob &job) {
        change(job);
        ended = job.inTerminalState();
        if (ended)
            job.paused = false;
    });
    if (ended) {
        QMutexLocker lock(&m_mutex);
        m_states.remove(id);
    }
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
    }
    job = m_jobs.find(id).value_or(InstallJob());
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

// ---- remote sources --------------------------------------------------------------------------------------------

namespace {

QUrl apiAddress(const QUrl &endpoint, const QString &path)
{
    QUrl url = endpoint;
    url.setPath(url.path().remove(QRegularExpression(QStringLiteral("/+$"))) + path);
    return url;
}

} // namespace

Result<RemoteModel> ModelInstaller::readHuggingFaceListing(const ModelSource &source, const HubToken &token) const
{
    QUrl api = apiAddress(m_options.huggingFaceEndpoint, QStringLiteral("/api/models/") + source.repoId);
    api.setQuery(QStringLiteral("blobs=true"));
    const Result<QByteArray> answer = fetchJson(api, token(api), false);
    if (!answer)
        return failed<RemoteModel>(
            QStringLiteral("cannot read %1 from Hugging Face: %2").arg(source.repoId, answer.error()),
            answer.errorType());
    return readHuggingFaceModel(answer.value(), source, source.variant.value_or(m_options.defaultVariant),
                                m_options.huggingFaceEndpoint);
}

Result<RemoteModel> ModelInstaller::describeRemote(const ModelSource &source) const
{
    const HubToken token = [this, &source](const QUrl &url) { return tokenFor(source.accessToken, url); };
    switch (source.kind) {
    case ModelSource::Kind::HuggingFace:
        return readHuggingFaceListing(source, token);
    case ModelSource::Kind::Civitai:
        return readCivitaiListing(source, token);
    default:
        return failed<RemoteModel>(QStringLiteral("%1 is not a Hugging Face or Civitai model").arg(source.toString()),
                                   QStringLiteral("InvalidSource"));
    }
}

Result<RemoteModel> ModelInstaller::readCivitaiListing(const ModelSource &source, const HubToken &token) const
{
    qint64 modelId = source.civitaiModelId;
    qint64 versionId = source.civitaiVersionId;
    if (!source.civitaiFileHash.isEmpty()) {
        // Civitai answers a file's hash with the version that file belongs to.
        const QUrl byHash = apiAddress(m_options.civitaiEndpoint,
                                       QStringLiteral("/api/v1/model-versions/by-hash/") + source.civitaiFileHash);
        const Result<QByteArray> version = fetchJson(byHash, token(byHash), false);
        if (!version)
            return failed<RemoteModel>(
                version.error().endsWith(QLatin1String(" answered 404"))
                    ? QStringLiteral("Civitai has no model file with the hash %1").arg(source.civitaiFileHash)
                    : QStringLiteral("cannot look up the hash %1 on Civitai: %2")
                          .arg(source.civitaiFileHash, version.error()),
                version.errorType());
        const QJsonObject found = QJsonDocument::fromJson(version.value()).object();
        versionId = found.value(QStringLiteral("id")).toInteger();
        modelId = found.value(QStringLiteral("modelId")).toInteger();
        if (versionId == 0 || modelId == 0)
            return failed<RemoteModel>(
                QStringLiteral("Civitai did not say which model the hash %1 belongs to").arg(source.civitaiFileHash),
                QStringLiteral("FormatError"));
    }
    if (modelId == 0) {
        const QUrl versionUrl = apiAddress(m_options.civitaiEndpoint,
                                           QStringLiteral("/api/v1/model-versions/%1").arg(source.civitaiVersionId));
        const Result<QByteArray> version = fetchJson(versionUrl, token(versionUrl), false);
        if (!version)
            return failed<RemoteModel>(QStringLiteral("cannot read Civitai model version %1: %2")
                                           .arg(source.civitaiVersionId)
                                           .arg(version.error()),
                                       version.errorType());
        modelId = QJsonDocument::fromJson(version.value()).object().value(QStringLiteral("modelId")).toInteger();
        if (modelId == 0)
            return failed<RemoteModel>(
                QStringLiteral("Civitai did not say which model version %1 belongs to").arg(source.civitaiVersionId),
                QStringLiteral("FormatError"));
    }
    const QUrl modelUrl = apiAddress(m_options.civitaiEndpoint, QStringLiteral("/api/v1/models/%1").arg(modelId));
    const Result<QByteArray> answer = fetchJson(modelUrl, token(modelUrl), false);
    if (!answer)
        return failed<RemoteModel>(QStringLiteral("cannot read Civitai model %1: %2").arg(modelId).arg(answer.error()),
                                   answer.errorType());
    return readCivitaiModel(answer.value(), versionId);
}

void ModelInstaller::resolve(int id)
{
    InstallJob job;
    const std::shared_ptr<JobState> state = enterStage(id, Stage::Resolve, job);
    if (!state)
        return;
    const ModelSource &source = state->source;
    const HubToken hubToken = [&](const QUrl &url) { return tokenFor(state->request.accessToken, url); };

    Result<RemoteModel> listed = Result<RemoteModel>::failure(QString());
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
        listed = remote;
        break;
    }
    case ModelSource::Kind::HuggingFace:
        listed = readHuggingFaceListing(source, hubToken);
        break;
    case ModelSource::Kind::Civitai:
        listed = readCivitaiListing(source, hubToken);
        break;
    }
    if (!listed) {
        fail(id, listed.errorType(), listed.error());
        return;
    }
    state->remote = listed.value();

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

// ---- downloads ---------------------------------------------------------------------------------------------------

// A folder model downloads into <temporary>/<name>/<its files>; a single file into <temporary>/; a cover beside.
Result<QList<ModelInstaller::PlannedPart>> ModelInstaller::planDownloads(JobState &state,
                                                                         const QString &modelFolder) const
{
    const RemoteModel &remote = *state.remote;
    QList<PlannedPart> planned;
    for (const RemoteFile &file : remote.files) {
        PlannedPart next;
        next.download.source = file.url;
        next.download.expectedSha256 = file.sha256;
        next.download.transient = true;
        next.download.priority = 10;
        if (file.path.isEmpty()) {
            next.download.destination = modelFolder; // the server names it
        } else {
            next.download.destination = QDir::cleanPath(
                QDir(modelFolder).filePath(remote.singleFile ? downloads::safeFileName(file.path) : file.path));
            // The listing was checked already; this is the last line of defence for whatever lists files.
            if (!next.download.destination.startsWith(modelFolder + QLatin1Char('/')))
                return failed<QList<PlannedPart>>(
                    QStringLiteral("the hub listed a file outside the model: %1").arg(file.path.left(200)),
                    QStringLiteral("FormatError"));
            QDir().mkpath(QFileInfo(next.download.destination).absolutePath());
        }
        next.download.accessToken = tokenFor(state.request.accessToken, file.url);
        next.part.source = file.url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
        next.part.localPath = next.download.destination;
        next.part.totalBytes = file.size;
        planned << next;
    }
    if (remote.coverImage.isValid() && !remote.coverImage.isRelative()) {
        PlannedPart cover;
        const QString suffix = QFileInfo(remote.coverImage.path()).suffix().toLower();
        const bool known =
            QStringList{QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("webp")}
                .contains(suffix);
        cover.download.source = remote.coverImage;
        cover.download.destination =
            QDir(state.temporaryFolder)
                .filePath(QStringLiteral("cover.%1").arg(known ? suffix : QStringLiteral("jpg")));
        cover.download.transient = true;
        cover.download.priority = 20;
        cover.part.source = remote.coverImage.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
        cover.part.localPath = cover.download.destination;
        state.coverPart = int(planned.size());
        state.coverPath = cover.download.destination;
        planned << cover;
    }
    return planned;
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
    const QString modelFolder = remote.singleFile
        ? state->temporaryFolder
        : QDir(state->temporaryFolder).filePath(downloads::safeFileName(remote.name, QStringLiteral("model")));
    if (!remote.singleFile)
        state->modelPath = modelFolder;
    const Result<QList<PlannedPart>> planned = planDownloads(*state, modelFolder);
    if (!planned) {
        QDir(state->temporaryFolder).removeRecursively();
        fail(id, planned.errorType(), planned.error());
        return;
    }

    QList<InstallPart> parts;
    for (const PlannedPart &next : planned.value())
        parts << next.part;
    {
        QMutexLocker lock(&m_mutex);
        state->partEnded = QList<bool>(parts.size(), false);
    }
    update(id, [&](InstallJob &changed) {
        changed.status = InstallStatus::Downloading;
        changed.parts = parts;
        changed.localPath = remote.singleFile ? QString() : modelFolder;
        changed.totalBytes = needed;
    });
    QList<int> ids;
    for (int index = 0; index < planned->size(); ++index) {
        ids << m_queue.submit(planned.value()[index].download, true,
                              {[lifeline = m_lifeline, id, index](const downloads::DownloadJob &download) {
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
    }
    job = m_jobs.find(id).value_or(InstallJob());
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

} // namespace atelier::models
