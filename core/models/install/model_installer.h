#pragma once

#include "core/hashing/content_hash.h"
#include "core/jobs/job_table.h"
#include "core/models/install/install_job.h"
#include "core/models/install/model_source.h"
#include "core/models/install/remote_metadata.h"
#include "core/result.h"

#include <QMap>
#include <QMutex>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace atelier::downloads {
class DownloadQueue;
struct DownloadJob;
}

namespace atelier::models {

class RecordStore;
class InstallWorker;

// How one install should go.
struct InstallRequest
{
    QByteArray config;       // overrides of probed values, a JSON object ({"name": …, "base": …})
    QString accessToken;
    bool inplace = false;    // local sources: register where they are instead of copying into the library
    bool allowDuplicate = false;  // install even when a model with the same hash is in the library
    // Registering in place: the fast identity hash now (a "fast:…" hash, unless the full one is remembered), the
    // full SHA-256 later (ModelInstaller::completeQuickHashes), so that a large library is usable at once.
    bool quickHash = false;
};

// InvokeAI's ModelInstallService on the record store, the probe and the download queue. Remote files download in
// parallel through the queue, into a temporary folder inside the models folder (so that moving them into place is
// a rename on one file system). Everything else (resolving hub metadata, probing, hashing, copying, registering)
// runs serially on the installer's own thread. An install is atomic: the files are renamed into place and then
// the record written; a failure or cancellation at any step leaves neither files nor record behind.
//
// Error types of failed jobs and calls: "InvalidSource", "NotFound", "AmbiguousSource", "DuplicateModel",
// "UnknownModel" (the probe could not identify it), "InvalidModelConfig", "HttpError", "NetworkError", "Timeout",
// "Mismatch", "Io", "DiskFull", "Database", "Cancelled", "OutsideModelsFolder".
class ModelInstaller : public QObject
{
    Q_OBJECT
public:
    enum class Stage { Resolve, Download, Probe, Hash, Copy, Register };

    struct Options
    {
        QString modelsDir;   // installs land in <modelsDir>/<base>/<type>/<name>
        QString cacheDir;    // download_and_cache keeps files here…
        qint64 cacheCapBytes = qint64(20) << 30;  // …up to this size, least recently used evicted first
        QUrl huggingFaceEndpoint{QStringLiteral("https://huggingface.co")};
        QUrl civitaiEndpoint{QStringLiteral("https://civitai.com")};
        RepoVariant defaultVariant = RepoVariant::Fp16;  // for repo ids that name none
        // The token for a hub address, when the request brings none (settings, HF_TOKEN, the huggingface-cli file).
        std::function<QString(const QUrl &url)> accessTokenFor;
        // Called before each stage of a job; a failure fails the job there. For diagnostics and tests.
        std::function<Status(const InstallJob &job, Stage stage)> beforeStage;
    };

    using Request = InstallRequest;

    ModelInstaller(RecordStore &store, downloads::DownloadQueue &queue, Options options, QObject *parent = nullptr);
    ~ModelInstaller() override;

    const Options &options() const { return m_options; }
    RecordStore &recordStore() const { return m_store; }

    // Recognises the kind of source (path, URL, Civitai page, Hugging Face repo id) and starts its install. A string
    // that is none of them gives a job already in error, saying why.
    InstallJob heuristicImport(const QString &source, const Request &request = {});
    InstallJob importModel(const ModelSource &source, const Request &request = {});

    // What a hub says of a Hugging Face or Civitai source (a Civitai by-hash address among them): its name, base and
    // files with their hashes, without installing anything. Blocks: never on the GUI thread. "InvalidSource" for
    // other kinds of source.
    Result<RemoteModel> describeRemote(const ModelSource &source) const;

    // Block until every job (or this one) has ended, or the timeout (ms; -1 waits for ever) passed: nullopt then.
    // Never call on the GUI thread.
    std::optional<QList<InstallJob>> waitForInstalls(int timeoutMs = -1) const;
    std::optional<InstallJob> waitForJob(int id, int timeoutMs = -1) const;
    QList<InstallJob> listJobs() const;
    QList<InstallJob> jobsBySource(const QString &source) const;
    std::optional<InstallJob> jobById(int id) const;
    bool cancelJob(int id);
    // Pause and resume the downloads of a job that is downloading; false when it is not (or unknown).
    bool pauseJob(int id);
    bool resumeJob(int id);
    // Starts a job that ended in error or was cancelled again, from the same source with the same request (the
    // token comes from the provider again), in place of the old one: the old job is removed and the new one
    // returned. nullopt for unknown jobs and jobs that have not ended or completed.
    std::optional<InstallJob> retryJob(int id);
    // Forgets a job that has ended; false for unknown jobs and jobs still under way.
    bool removeJob(int id);
    // Forgets every job that has ended.
    void pruneJobs();

    // Library upkeep. These run on the calling thread (never the GUI thread: they probe and hash).
    Result<ModelConfig> registerPath(const QString &path, const Request &request = {},
                                     const hashing::CancelFlag *cancel = nullptr);
    Result<ModelConfig> installPath(const QString &path, const Request &request = {});
    Status unregister(const QString &key);
    // Whether deleteModel may delete this path: inside the models folder once symbolic links are resolved.
    bool isInsideModelsFolder(const QString &path) const;
    // Removes the record, and the files when they are inside the models folder (refused otherwise).
    Status deleteModel(const QString &key);
    Status unconditionallyDelete(const QString &key);

    struct ScanReport
    {
        QStringList keys;       // new records
        QStringList known;      // paths already in the library, or copies of models it has
        QStringList failures;   // "path: why"
    };
    // Finds models under `folder` (weights files, diffusers folders, component folders) and registers them in place
    // or installs copies.
    Result<ScanReport> scanDirectory(const QString &folder, bool install);
    // Replaces the "fast:…" hashes of records registered with Request::quickHash by their full SHA-256, one model
    // after another (`progress` before each: done, of how many, which); records whose files are missing are left.
    // Returns how many were completed; "Cancelled" when `cancel` stopped it (what is done stays done).
    Result<int> completeQuickHashes(const hashing::CancelFlag *cancel = nullptr,
                                    const std::function<void(int done, int total, const QString &path)> &progress = {});
    // The models under `folder` as scanDirectory finds them: weights files, diffusers and component folders.
    static QStringList modelsUnder(const QString &folder);
    // The bytes of a file, or of every file in a folder.
    static qint64 bytesOnDisk(const QString &path);

    struct SyncReport
    {
        QStringList registered;  // keys of models found in the models folder and added
        QStringList missing;     // keys of records whose files are gone (marked, never deleted)
        QStringList found;       // keys of records marked missing whose files are back
        QStringList failures;
    };
    // The start-up sync: new models in the models folder are registered; records whose files vanished are marked
    // missing, and unmarked when they come back.
    Result<SyncReport> syncModelsFolder();

    // Downloads a URL or a Hugging Face "owner/name::file" into the cache (or finds it there) and returns the
    // file's path, without registering anything. Blocks: never on the GUI thread.
    Result<QString> downloadAndCache(const QString &source, const QString &accessToken = QString(), int timeoutMs = -1);

signals:
    // Every status change, and download progress. Emitted from the installer's or the queue's thread.
    void jobChanged(const atelier::models::InstallJob &job);
    // A job that ended was forgotten (removeJob, retryJob, pruneJobs). Emitted from the calling thread.
    void jobRemoved(int id);

private:
    friend class InstallWorker;
    struct JobState;
    // What the download handlers hold instead of `this`: the queue may report on a part after the installer is
    // gone, and must then find nobody rather than a dangling pointer.
    struct Lifeline
    {
        QMutex mutex;
        ModelInstaller *installer = nullptr;
    };

    // The job's state and snapshot when it may go on to `stage` (the stage hook allows it and it was not
    // cancelled); otherwise the job has been ended and nullptr comes back.
    std::shared_ptr<JobState> enterStage(int id, Stage stage, InstallJob &job);
    // The steps of a job, on the worker thread.
    void resolve(int id);
    void startDownloads(int id);
    using HubToken = std::function<QString(const QUrl &)>;
    Result<RemoteModel> readHuggingFaceListing(const ModelSource &source, const HubToken &token) const;
    Result<RemoteModel> readCivitaiListing(const ModelSource &source, const HubToken &token) const;
    struct PlannedPart; // one download per file of the listing, and one for its cover
    Result<QList<PlannedPart>> planDownloads(JobState &state, const QString &modelFolder) const;
    void partChanged(int id, int part, const downloads::DownloadJob &download);  // on the queue's thread
    void finishInstall(int id);

    // Probe, override, hash, check duplicates, move or copy into place, register: the common path of every
    // install. `moveFrom` (a downloaded file or folder, already in the models folder) is renamed into place;
    // otherwise `path` is copied (or registered in place).
    Result<ModelConfig> installModel(const QString &path, const Request &request, const RemoteModel *remote,
                                     const ModelSource *source, bool moveInsteadOfCopy,
                                     const hashing::CancelFlag *cancel,
                                     const std::function<Status(Stage)> &beforeStage);
    // A stage the hook allows and no cancellation stops (Status), as installModel goes through them.
    struct InstallStage
    {
        const std::function<Status(Stage)> &beforeStage;
        const hashing::CancelFlag *cancel;
        Status operator()(Stage next) const;
    };
    // installModel's steps: the content hash and the duplicate check, the copy staged beside the library, the move
    // under a free name with the YAML and cover beside it, and the record.
    Status hashAsNew(ModelConfig &config, const QString &path, const Request &request,
                     const hashing::CancelFlag *cancel);
    Result<QString> stageCopy(const QString &path, const QString &wantedName, const hashing::CancelFlag *cancel);
    struct Placement;
    Status moveUnderFreeName(const QString &staged, const QString &folder, const QString &wantedName,
                             Placement &placement);
    void placeCompanions(ModelConfig &config, bool isFolder, const QString &folder, const RemoteModel *remote,
                         Placement &placement);
    Result<ModelConfig> placeInLibrary(ModelConfig config, const QString &path, const RemoteModel *remote,
                                       bool moveInsteadOfCopy, const InstallStage &stage);

    void update(int id, const std::function<void(InstallJob &)> &change);
    void fail(int id, const QString &type, const QString &message);
    // The caller's token, else the provider's for that address.
    QString tokenFor(const QString &given, const QUrl &url) const;
    QString newTemporaryFolder(const QString &purpose) const;
    void evictCache(const QString &keep) const;

    RecordStore &m_store;
    downloads::DownloadQueue &m_queue;
    Options m_options;
    InstallWorker *m_worker = nullptr;
    std::shared_ptr<Lifeline> m_lifeline;
    jobs::JobTable<InstallJob> m_jobs;
    mutable QMutex m_mutex;                        // guards m_states and what they hold
    QMap<int, std::shared_ptr<JobState>> m_states; // of jobs that have not ended
};

} // namespace atelier::models
