// The one path every install ends on, whatever its source: a copy staged beside the library (or a download moved
// in), the intent written, the move into place under a free name, the YAML and cover beside it, then the record.
#include "core/downloads/file_name.h"
#include "core/models/install/interrupted_operations.h"
#include "core/models/install/model_installer.h"
#include "core/models/install/model_installer_p.h"
#include "core/models/record_store.h"

namespace atelier::models {

using namespace installer_files;

// ---- the common install path ---------------------------------------------------------------------------------

namespace {

// The record a probed model gets: the probe's findings, the remote metadata, then the caller's overrides.
Result<ModelConfig> describeModel(const ProbeResult &probe, const QString &path, const QByteArray &overridesJson,
                                  const RemoteModel *remote, const ModelSource *source)
{
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
    if (overridesJson.isEmpty())
        return config;
    const Result<nlohmann::ordered_json> parsed = parseBoundedOrderedJson(overridesJson);
    const nlohmann::ordered_json overrides = parsed ? parsed.value() : nlohmann::ordered_json();
    if (!overrides.is_object())
        return failed<ModelConfig>(QStringLiteral("the configuration overrides are not a JSON object"),
                                   QStringLiteral("InvalidModelConfig"));
    for (const char *fixed : {"key", "path", "hash", "added_at"}) {
        if (overrides.contains(fixed))
            return failed<ModelConfig>(QStringLiteral("'%1' cannot be set when installing").arg(QLatin1String(fixed)),
                                       QStringLiteral("InvalidModelConfig"));
    }
    return applyChanges(config, overrides);
}

} // namespace

Status ModelInstaller::InstallStage::operator()(Stage next) const
{
    if (beforeStage) {
        if (Status allowed = beforeStage(next); !allowed)
            return allowed;
    }
    if (cancel && cancel->load())
        return Status::failure(QStringLiteral("cancelled"), QStringLiteral("Cancelled"));
    return Status();
}

Result<ModelConfig> ModelInstaller::installModel(const QString &path, const Request &request, const RemoteModel *remote,
                                                 const ModelSource *source, bool moveInsteadOfCopy,
                                                 const hashing::CancelFlag *cancel,
                                                 const std::function<Status(Stage)> &beforeStage)
{
    using Installed = Result<ModelConfig>;
    const InstallStage stage{beforeStage, cancel};
    if (Status allowed = stage(Stage::Probe); !allowed)
        return Installed::failure(allowed);
    const Result<ProbeResult> probed = probeModel(path);
    if (!probed)
        return Installed::failure(probed);
    if (!probed->identified())
        return failed<ModelConfig>(QStringLiteral("%1 is not a model Atelier recognises: %2")
                                       .arg(path, probed->evidence.join(QStringLiteral("; "))),
                                   QStringLiteral("UnknownModel"));
    // The caller's values beat the probe's.
    Result<ModelConfig> described = describeModel(probed.value(), path, request.config, remote, source);
    if (!described)
        return described;
    ModelConfig config = described.value();

    if (Status allowed = stage(Stage::Hash); !allowed)
        return Installed::failure(allowed);
    if (Status hashed = hashAsNew(config, path, request, cancel); !hashed)
        return Installed::failure(hashed);
    if (request.inplace && !moveInsteadOfCopy) {
        if (m_store.searchByPath(path))
            return failed<ModelConfig>(QStringLiteral("%1 is already registered").arg(path),
                                       QStringLiteral("DuplicateModel"));
        if (Status allowed = stage(Stage::Register); !allowed)
            return Installed::failure(allowed);
        return m_store.addModel(config);
    }
    if (Status allowed = stage(Stage::Copy); !allowed)
        return Installed::failure(allowed);
    return placeInLibrary(config, path, remote, moveInsteadOfCopy, stage);
}

Status ModelInstaller::hashAsNew(ModelConfig &config, const QString &path, const Request &request,
                                 const hashing::CancelFlag *cancel)
{
    hashing::ModelHasher::Options hashOptions;
    hashOptions.cancel = cancel;
    hashOptions.fastOnly = request.quickHash && request.inplace;
    const Result<hashing::PathHashes> hashes = hashing::ModelHasher(&m_store).hash(path, hashOptions);
    if (!hashes)
        return Status::failure(hashes);
    // A quick hash is the fast identity, unless the library remembers the file's full hash already.
    config.hash =
        hashes->sha256.isEmpty() ? QStringLiteral("fast:") + hashes->fast : QStringLiteral("sha256:") + hashes->sha256;
    config.fileSize = hashes.value().size;
    if (request.allowDuplicate)
        return {};
    const auto same = m_store.searchByHash(config.hash);
    if (!same || same.value().isEmpty())
        return {};
    const ModelConfig &existing = same.value().first();
    return Status::failure(QStringLiteral("%1 is already in the library as \"%2\" (key %3, %4)")
                               .arg(QFileInfo(path).fileName(), existing.name, existing.key, existing.path),
                           QStringLiteral("DuplicateModel"));
}

Result<QString> ModelInstaller::stageCopy(const QString &path, const QString &wantedName,
                                          const hashing::CancelFlag *cancel)
{
    // Copies land in a temporary folder beside the library first, so that a half copy is never a model.
    const QString copyFolder = newTemporaryFolder(QStringLiteral("copy"));
    if (copyFolder.isEmpty())
        return failed<QString>(QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir),
                               QStringLiteral("Io"));
    const QString staged = QDir(copyFolder).filePath(wantedName);
    const qint64 needed = sizeOnDisk(path);
    const QStorageInfo volume(copyFolder);
    if (volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < needed) {
        QDir(copyFolder).removeRecursively();
        return failed<QString>(QStringLiteral("copying %1 needs %2 bytes and only %3 are free in %4")
                                   .arg(path)
                                   .arg(needed)
                                   .arg(volume.bytesAvailable())
                                   .arg(m_options.modelsDir),
                               QStringLiteral("DiskFull"));
    }
    if (Status copied = copyTree(path, staged, cancel); !copied) {
        QDir(copyFolder).removeRecursively();
        return Result<QString>::failure(copied);
    }
    return staged;
}

// The intent goes before each step into the library, so that a process killed between the move and the record
// leaves nothing behind (see interrupted_operations.h).
struct ModelInstaller::Placement
{
    QString intentFolder; // the copy's temporary folder, or one of its own for a download
    OperationIntent intent;
    QString destination, yamlDestination, coverDestination;

    Status announce(const QString &path)
    {
        intent.placed << path;
        return writeIntent(intentFolder, intent);
    }
    // Downloads are thrown away; a copy's original is untouched. Either way, nothing stays in the library.
    void undo() const
    {
        for (const QString &placed : {destination, yamlDestination, coverDestination})
            if (!placed.isEmpty())
                removePath(placed);
    }
    void discardIntent() const { QDir(intentFolder).removeRecursively(); }
};

Status ModelInstaller::moveUnderFreeName(const QString &staged, const QString &folder, const QString &wantedName,
                                         Placement &placement)
{
    for (int attempt = 0; attempt < 100; ++attempt) {
        const QString destination = downloads::unusedPath(QDir(folder).filePath(wantedName));
        if (Status announced = placement.announce(destination); !announced)
            return announced;
        if (renameNoReplace(staged, destination)) {
            placement.destination = destination;
            return {};
        }
        placement.intent.placed.removeLast();
        if (errno != EEXIST)
            return Status::failure(QStringLiteral("cannot move %1 to %2: %3")
                                       .arg(staged, destination, QString::fromLocal8Bit(std::strerror(errno))),
                                   QStringLiteral("Io"));
    }
    return Status::failure(QStringLiteral("no free name for %1 in %2").arg(wantedName, folder), QStringLiteral("Io"));
}

// A checkpoint's original YAML travels with it; a downloaded cover goes to the covers folder.
void ModelInstaller::placeCompanions(ModelConfig &config, bool isFolder, const QString &folder,
                                     const RemoteModel *remote, Placement &placement)
{
    if (config.configPath && !isFolder && QFileInfo::exists(*config.configPath)) {
        const QString yaml = downloads::unusedPath(
            QDir(folder).filePath(QFileInfo(placement.destination).completeBaseName() + QStringLiteral(".yaml")));
        if (placement.announce(yaml) && QFile::copy(*config.configPath, yaml)) {
            placement.yamlDestination = yaml;
            config.configPath = yaml;
        }
    }
    if (remote && remote->coverImage.isLocalFile() && QFileInfo::exists(remote->coverImage.toLocalFile())) {
        const QString covers = QDir(m_options.modelsDir).filePath(kCoversFolder);
        QDir().mkpath(covers);
        const QString cover =
            QDir(covers).filePath(config.key + QLatin1Char('.') + QFileInfo(remote->coverImage.toLocalFile()).suffix());
        if (placement.announce(cover) && std::rename(QFile::encodeName(remote->coverImage.toLocalFile()).constData(),
                                                     QFile::encodeName(cover).constData()) == 0) {
            placement.coverDestination = cover;
            config.coverImage = cover;
        }
    }
}

// Into models/<base>/<type>/, under the file's own name (a folder under the model's name), never replacing; then
// the record.
Result<ModelConfig> ModelInstaller::placeInLibrary(ModelConfig config, const QString &path, const RemoteModel *remote,
                                                   bool moveInsteadOfCopy, const InstallStage &stage)
{
    const QFileInfo origin(path);
    const QString folder =
        QDir(m_options.modelsDir).filePath(toString(config.base) + QLatin1Char('/') + toString(config.type));
    if (!QDir().mkpath(folder))
        return failed<ModelConfig>(QStringLiteral("cannot create %1").arg(folder), QStringLiteral("Io"));
    const QString wantedName = origin.isDir() ? downloads::safeFileName(config.name, origin.fileName())
                                              : downloads::safeFileName(origin.fileName());
    QString staged = path;
    if (!moveInsteadOfCopy) {
        const Result<QString> copy = stageCopy(path, wantedName, stage.cancel);
        if (!copy)
            return Result<ModelConfig>::failure(copy);
        staged = copy.value();
    }
    Placement placement;
    // Downloads, moved rather than copied, get a folder for the intent alone.
    placement.intentFolder =
        moveInsteadOfCopy ? newTemporaryFolder(QStringLiteral("install")) : QFileInfo(staged).absolutePath();
    if (placement.intentFolder.isEmpty())
        return failed<ModelConfig>(QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir),
                                   QStringLiteral("Io"));
    placement.intent = OperationIntent{OperationIntent::Kind::Install, config.key, {}, {}};
    if (Status moved = moveUnderFreeName(staged, folder, wantedName, placement); !moved) {
        placement.discardIntent();
        return Result<ModelConfig>::failure(moved);
    }
    placeCompanions(config, origin.isDir(), folder, remote, placement);
    config.path = placement.destination;

    Result<ModelConfig> added = Result<ModelConfig>::failure(QString());
    if (Status allowed = stage(Stage::Register); !allowed)
        added = Result<ModelConfig>::failure(allowed);
    else
        added = m_store.addModel(config);
    if (!added)
        placement.undo();
    placement.discardIntent();
    return added;
}

} // namespace atelier::models
