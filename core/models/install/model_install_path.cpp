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

Result<ModelConfig> ModelInstaller::installModel(const QString &path, const Request &request, const RemoteModel *remote,
                                                 const ModelSource *source, bool moveInsteadOfCopy,
                                                 const hashing::CancelFlag *cancel,
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
        return failed<ModelConfig>(QStringLiteral("%1 is not a model Atelier recognises: %2")
                                       .arg(path, probe.evidence.join(QStringLiteral("; "))),
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
            return failed<ModelConfig>(QStringLiteral("the configuration overrides are not a JSON object"),
                                       QStringLiteral("InvalidModelConfig"));
        for (const char *fixed : {"key", "path", "hash", "added_at"}) {
            if (overrides.contains(fixed))
                return failed<ModelConfig>(
                    QStringLiteral("'%1' cannot be set when installing").arg(QLatin1String(fixed)),
                    QStringLiteral("InvalidModelConfig"));
        }
        const Result<ModelConfig> changed = applyChanges(config, overrides);
        if (!changed)
            return Installed::failure(changed);
        config = changed.value();
    }

    if (Status allowed = stage(Stage::Hash); !allowed)
        return Installed::failure(allowed);
    hashing::ModelHasher::Options hashOptions;
    hashOptions.cancel = cancel;
    const Result<hashing::PathHashes> hashes = hashing::ModelHasher(&m_store).hash(path, hashOptions);
    if (!hashes)
        return Installed::failure(hashes);
    config.hash = QStringLiteral("sha256:") + hashes.value().sha256;
    config.fileSize = hashes.value().size;
    if (!request.allowDuplicate) {
        const auto same = m_store.searchByHash(config.hash);
        if (same && !same.value().isEmpty()) {
            const ModelConfig &existing = same.value().first();
            return failed<ModelConfig>(QStringLiteral("%1 is already in the library as \"%2\" (key %3, %4)")
                                           .arg(QFileInfo(path).fileName(), existing.name, existing.key, existing.path),
                                       QStringLiteral("DuplicateModel"));
        }
    }
    if (request.inplace && !moveInsteadOfCopy) {
        if (m_store.searchByPath(path))
            return failed<ModelConfig>(QStringLiteral("%1 is already registered").arg(path),
                                       QStringLiteral("DuplicateModel"));
        if (Status allowed = stage(Stage::Register); !allowed)
            return Installed::failure(allowed);
        return m_store.addModel(config);
    }

    // Into models/<base>/<type>/, under the file's own name (a folder under the model's name), never replacing.
    if (Status allowed = stage(Stage::Copy); !allowed)
        return Installed::failure(allowed);
    const QFileInfo origin(path);
    const QString folder =
        QDir(m_options.modelsDir).filePath(toString(config.base) + QLatin1Char('/') + toString(config.type));
    if (!QDir().mkpath(folder))
        return failed<ModelConfig>(QStringLiteral("cannot create %1").arg(folder), QStringLiteral("Io"));
    const QString wantedName = origin.isDir() ? downloads::safeFileName(config.name, origin.fileName())
                                              : downloads::safeFileName(origin.fileName());
    QString staged = path;
    QString copyFolder;
    if (!moveInsteadOfCopy) {
        // Copies land in a temporary folder beside the library first, so that a half copy is never a model.
        copyFolder = newTemporaryFolder(QStringLiteral("copy"));
        if (copyFolder.isEmpty())
            return failed<ModelConfig>(
                QStringLiteral("cannot create a temporary folder in %1").arg(m_options.modelsDir),
                QStringLiteral("Io"));
        staged = QDir(copyFolder).filePath(wantedName);
        const qint64 needed = sizeOnDisk(path);
        const QStorageInfo volume(copyFolder);
        if (volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < needed) {
            QDir(copyFolder).removeRecursively();
            return failed<ModelConfig>(QStringLiteral("copying %1 needs %2 bytes and only %3 are free in %4")
                                           .arg(path)
                                           .arg(needed)
                                           .arg(volume.bytesAvailable())
                                           .arg(m_options.modelsDir),
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
            return failed<ModelConfig>(QStringLiteral("cannot move %1 to %2: %3").arg(staged, destination, why),
                                       QStringLiteral("Io"));
        }
        destination.clear();
    }
    if (destination.isEmpty()) {
        discardCopy();
        return failed<ModelConfig>(QStringLiteral("no free name for %1 in %2").arg(wantedName, folder),
                                   QStringLiteral("Io"));
    }
    const auto undoMove = [&] {
        // Downloads are thrown away; a copy's original is untouched. Either way, nothing stays in the library.
        removePath(destination);
        if (!yamlDestination.isEmpty())
            QFile::remove(yamlDestination);
    };
    if (config.configPath && !origin.isDir() && QFileInfo::exists(*config.configPath)) {
        yamlDestination = downloads::unusedPath(
            QDir(folder).filePath(QFileInfo(destination).completeBaseName() + QStringLiteral(".yaml")));
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
        coverDestination =
            QDir(covers).filePath(config.key + QLatin1Char('.') + QFileInfo(remote->coverImage.toLocalFile()).suffix());
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

} // namespace atelier::models
