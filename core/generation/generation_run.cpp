#include "core/generation/generation_run.h"

#include "core/engine/client/engine_client.h"
#include "core/generation/png_image.h"
#include "core/hashing/model_hasher.h"
#include "core/metadata/generation_info.h"
#include "core/models/record_store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <stdexcept>

namespace atelier::generation {

namespace {

Result<GenerationOutcome> failure(const QString &message, const char *type = kRunFailed)
{
    return Result<GenerationOutcome>::failure(message, QString::fromLatin1(type));
}

// A new file in the outputs folder: outputs/2026-12-05/153012-42.png, then -42-1.png ... when taken. A name is
// free only when every image of the batch would be, so that a batch never replaces another run's images
// (153012-42-2.png is the second image of 153012-42.png, and also what a third run would be called).
Result<QString> freshOutputPath(const QString &outputsDir, std::uint64_t seed, int batch)
{
    const QDateTime now = QDateTime::currentDateTime();
    const QString folder = QDir(outputsDir).filePath(now.toString(QStringLiteral("yyyy-MM-dd")));
    if (!QDir().mkpath(folder))
        return Result<QString>::failure(QStringLiteral("%1: the outputs folder cannot be created").arg(folder));
    const QString stem = QStringLiteral("%1-%2").arg(now.toString(QStringLiteral("HHmmss"))).arg(seed);
    const auto taken = [batch](const QString &candidate) {
        for (int i = 0; i < std::max(1, batch); ++i)
            if (QFileInfo::exists(batchImagePath(candidate, i)))
                return true;
        return false;
    };
    QString path = QDir(folder).filePath(stem + QStringLiteral(".png"));
    for (int n = 1; taken(path); ++n)
        path = QDir(folder).filePath(QStringLiteral("%1-%2.png").arg(stem).arg(n));
    return path;
}

Result<QString> outputPathOf(const GenerationRequest &request, const QString &outputsDir)
{
    if (request.outputPath.isEmpty())
        return freshOutputPath(outputsDir, request.seed, request.batch);
    if (!request.outputPath.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        return Result<QString>::failure(QStringLiteral("%1: the output must be a .png file").arg(request.outputPath),
                                        QString::fromLatin1(kInvalidRequest));
    // Checked before minutes of work, not after.
    if (!QFileInfo(request.outputPath).absoluteDir().exists())
        return Result<QString>::failure(
            QStringLiteral("%1: cannot be written (the folder does not exist)").arg(request.outputPath));
    return request.outputPath;
}

QString fileSha256(const QString &path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

// The model's SHA-256, from the library's hash cache when the file is unchanged since it was last hashed.
QString modelSha256(const ModelLibrary &library, const std::string &path)
{
    models::RecordStore *cache = library.store && library.store->isOpen() ? library.store : nullptr;
    const Result<hashing::PathHashes> hashes = hashing::ModelHasher(cache).hash(QString::fromStdString(path));
    return hashes ? hashes->sha256 : QString();
}

QString baseNameOf(const std::string &path)
{
    return QFileInfo(QString::fromStdString(path)).completeBaseName();
}

// The engine's request: the library's paths for what the user named, the init image's pixels.
Result<engine::GenerationRequest> engineRequest(const GenerationRequest &request, const RunPlace &place,
                                                QStringList &warnings)
{
    using Made = Result<engine::GenerationRequest>;
    engine::GenerationRequest made;
    static_cast<engine::SamplingSettings &>(made) = request;
    made.configPath = request.configPath.toStdString();
    made.prediction = request.prediction.toStdString();
    made.device = request.device.toStdString();
    made.precision = request.precision.toStdString();
    made.saveLatentPath = request.saveLatentPath.toStdString();
    made.maskedTokens = request.maskedTokens;
    if (!request.initImagePath.isEmpty() || !request.initPixels.pixels.empty()) {
        const Result<engine::RgbImage> init =
            request.initPixels.pixels.empty() ? readPngFile(request.initImagePath) : request.initPixels;
        if (!init)
            return Made::failure(init.error(), QString::fromLatin1(kRunFailed));
        if (init->width % 8 || init->height % 8)
            return Made::failure(QStringLiteral("%1: %2×%3; the init image's sides must be multiples of 8")
                                     .arg(request.initImagePath)
                                     .arg(init->width)
                                     .arg(init->height),
                                 QString::fromLatin1(kRunFailed));
        made.initImage = init.value();
    }
    models::BaseModel base = models::BaseModel::Unknown;
    QString recordVae;
    if (const Status found = resolveMainModel(place.library, request.model, made, base, &recordVae); !found)
        return Made::failure(found.error(), QString::fromLatin1(kRunFailed));
    const QString vae = request.vae.isEmpty() ? recordVae : request.vae;
    if (const Status found = resolveVae(place.library, vae, made, base); !found)
        return Made::failure(request.vae.isEmpty() ? QStringLiteral("the model's VAE override: %1").arg(found.error())
                                                   : found.error(),
                             QString::fromLatin1(kRunFailed));
    if (!request.refiner.isEmpty()) {
        if (const Status found = resolveRefiner(place.library, request.refiner, base, made); !found)
            return Made::failure(found.error(), QString::fromLatin1(kRunFailed));
        made.refinerSwitch = request.refinerSwitch;
    }
    for (const LoraChoice &choice : request.loras) {
        const Result<engine::LoRAApplication> lora = resolveLora(place.library, choice, base);
        if (!lora)
            return Made::failure(lora.error(), QString::fromLatin1(kRunFailed));
        made.loras.push_back(lora.value());
    }
    for (const QString &folder : request.embeddingFolders) {
        if (!QFileInfo(folder).isDir())
            return Made::failure(QStringLiteral("%1: no such folder of embeddings").arg(folder),
                                 QString::fromLatin1(kRunFailed));
        made.embeddingFolders.push_back(folder.toStdString());
    }
    // Without the library the run still goes on; prompts then find only the folders' embeddings.
    const Result<std::vector<engine::NamedEmbedding>> fromLibrary = libraryEmbeddings(place.library);
    if (fromLibrary)
        made.embeddings = fromLibrary.value();
    else
        warnings << QStringLiteral("the library's embeddings cannot be read (%1); only the embedding folders are "
                                   "searched")
                        .arg(fromLibrary.error());
    return made;
}

// The engine's run, its exceptions turned into the failure types.
Result<engine::GenerationResult> runEngine(const engine::GenerationRequest &request, const StepCallback &onStep)
{
    using Ran = Result<engine::GenerationResult>;
    try {
        return engine::client::generate(request, onStep);
    } catch (const engine::CancelledError &error) {
        return Ran::failure(QString::fromStdString(error.what()), QString::fromLatin1(kCancelled));
    } catch (const engine::Error &error) {
        return Ran::failure(QString::fromStdString(error.what()), QString::fromLatin1(kRunFailed));
    } catch (const std::invalid_argument &error) {
        return Ran::failure(QString::fromStdString(error.what()), QString::fromLatin1(kInvalidRequest));
    } catch (const std::exception &error) {
        return Ran::failure(QStringLiteral("generation failed: %1").arg(QString::fromStdString(error.what())),
                            QString::fromLatin1(kRunFailed));
    }
}

QStringList loraWarnings(const std::vector<engine::LoRAReport> &reports)
{
    constexpr std::size_t kListed = 10;
    QStringList warnings;
    for (const engine::LoRAReport &report : reports) {
        if (report.keysNotLoaded.empty())
            continue;
        QStringList keys;
        for (std::size_t i = 0; i < report.keysNotLoaded.size() && i < kListed; ++i)
            keys << QString::fromStdString(report.keysNotLoaded[i]);
        const std::size_t more = report.keysNotLoaded.size() - std::size_t(keys.size());
        warnings << QStringLiteral("%1: %2 of its keys were not loaded: %3%4")
                        .arg(QFileInfo(QString::fromStdString(report.path)).fileName())
                        .arg(report.keysNotLoaded.size())
                        .arg(keys.join(QStringLiteral(", ")),
                             more > 0 ? QStringLiteral(" and %1 more").arg(more) : QString());
    }
    return warnings;
}

// What the images carry: the settings, and the models by name and SHA-256, never by path.
metadata::GenerationInfo recipeOf(const GenerationRequest &asked, const engine::GenerationRequest &used,
                                  const engine::GenerationResult &result, const ModelLibrary &library)
{
    metadata::GenerationInfo recipe;
    recipe.tool = QStringLiteral("Atelier");
    recipe.toolVersion = QStringLiteral(ATELIER_VERSION);
    recipe.prompt = QString::fromStdString(used.prompt);
    recipe.negativePrompt = QString::fromStdString(used.negative);
    // The settings as the run used them: the model family's defaults where the request left them unset.
    recipe.seed = result.used.seed;
    recipe.steps = result.used.steps;
    recipe.sampler = QString::fromStdString(result.used.sampler);
    recipe.scheduler = QString::fromStdString(result.used.scheduler);
    recipe.cfg = result.used.cfg;
    recipe.denoise = result.used.denoise;
    if (used.clipSkip > 0)
        recipe.clipSkip = used.clipSkip;
    if (result.family == "amused")
        recipe.maskedTokens = metadata::MaskedTokenRecipe{
            used.maskedTokens.temperatureStart, used.maskedTokens.temperatureEnd, used.maskedTokens.aestheticScore,
            used.maskedTokens.cropTop, used.maskedTokens.cropLeft};
    recipe.model = metadata::ModelReference{baseNameOf(used.modelPath), modelSha256(library, used.modelPath)};
    if (!used.refinerPath.empty()) {
        recipe.refiner = metadata::ModelReference{baseNameOf(used.refinerPath), modelSha256(library, used.refinerPath)};
        recipe.refinerSwitch = used.refinerSwitch;
    }
    if (!used.vaePath.empty())
        recipe.vae = metadata::ModelReference{baseNameOf(used.vaePath), modelSha256(library, used.vaePath)};
    if (!asked.initImagePath.isEmpty())
        recipe.initImageSha256 = fileSha256(asked.initImagePath);
    for (const engine::LoRAApplication &applied : used.loras)
        recipe.loras << metadata::LoraUse{baseNameOf(applied.path), applied.strengthModel,
                                          modelSha256(library, applied.path), applied.strengthClip};
    for (const engine::NamedEmbedding &embedding : result.embeddingsUsed)
        recipe.embeddings << metadata::ModelReference{QString::fromStdString(embedding.name),
                                                      modelSha256(library, embedding.path)};
    return recipe;
}

} // namespace

QString batchImagePath(const QString &path, int index)
{
    if (index == 0)
        return path;
    const QFileInfo info(path);
    return info.dir().filePath(
        QStringLiteral("%1-%2.%3").arg(info.completeBaseName()).arg(index + 1).arg(info.suffix()));
}

Result<GenerationOutcome> runGeneration(const GenerationRequest &request, const RunPlace &place,
                                        const StepCallback &onStep)
{
    const Result<QString> outputPath = outputPathOf(request, place.outputsDir);
    if (!outputPath)
        return Result<GenerationOutcome>::failure(outputPath);
    GenerationOutcome outcome;
    const Result<engine::GenerationRequest> used = engineRequest(request, place, outcome.warnings);
    if (!used)
        return Result<GenerationOutcome>::failure(used);
    const Result<engine::GenerationResult> result = runEngine(used.value(), onStep);
    if (!result)
        return Result<GenerationOutcome>::failure(result);
    outcome.warnings << loraWarnings(result->loras);
    for (const std::string &warning : result->warnings)
        outcome.warnings << QString::fromStdString(warning);
    outcome.family = QString::fromStdString(result->family);
    outcome.refinerFamily = QString::fromStdString(result->refinerFamily);
    outcome.prediction = QString::fromStdString(result->prediction);
    for (const std::string &line : result->loadReport)
        outcome.loadReport << QString::fromStdString(line);
    outcome.loadSeconds = result->loadSeconds;
    outcome.sampleSeconds = result->sampleSeconds;

    metadata::GenerationInfo recipe;
    if (request.writeRecipe)
        recipe = recipeOf(request, used.value(), result.value(), place.library);
    for (std::size_t i = 0; i < result->images.size(); ++i) {
        const QString path = batchImagePath(outputPath.value(), int(i));
        recipe.width = result->images[i].width;
        recipe.height = result->images[i].height;
        recipe.batchIndex = int(i);
        const QList<metadata::TextChunk> chunks =
            request.writeRecipe ? metadata::recipeChunks(recipe) : QList<metadata::TextChunk>();
        if (const Status written = writePngFile(path, result->images[i], chunks); !written)
            return failure(written.error());
        outcome.imagePaths << path;
    }
    return outcome;
}

} // namespace atelier::generation
