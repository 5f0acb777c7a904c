#include "app/command.h"
#include "app/library_services.h"

#include "core/engine/error.h"
#include "core/engine/pipeline/generate.h"
#include "core/metadata/generation_info.h"
#include "core/models/hashing/model_hasher.h"
#include "core/models/model_config.h"
#include "core/models/model_lookup.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QSaveFile>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace atelier::app {

namespace {

std::atomic<bool> g_interrupted{false};

void onInterrupt(int)
{
    g_interrupted = true;
}

int fail(CommandContext &context, const QString &message)
{
    context.err << "atelier generate: " << message << "\n";
    return kExitFailure;
}

int usage(CommandContext &context, const QString &message)
{
    context.err << "atelier generate: " << message << "\nTry 'atelier generate --help'.\n";
    return kExitUsage;
}

// The library record that `given` names (a key or a unique start of one, a name, a file name: see lookUpModel),
// which must be of `type`; the error says "GIVEN is WHAT in the library (why)" when there is none, and names the
// record's type when it differs.
Result<models::ModelConfig> libraryRecord(CommandContext &context, const QString &given, models::ModelType type,
                                          const QString &what)
{
    models::RecordStore store(context.root.databasePath());
    if (const Status opened = store.open(); !opened)
        return Result<models::ModelConfig>::failure(opened.error());
    const Result<models::ModelConfig> record = models::lookUpModel(store, given, type);
    if (!record)
        return Result<models::ModelConfig>::failure(
            QStringLiteral("%1 is %2 in the library (%3)").arg(given, what, record.error()));
    if (record->type != type)
        return Result<models::ModelConfig>::failure(
            QStringLiteral("%1 (%2) is a %3, not a %4")
                .arg(record->key, record->name, models::toString(record->type),
                     type == models::ModelType::Main ? QStringLiteral("main model") : models::toString(type)));
    return record;
}

// --model: an existing file or folder, or a main model of the library by key, name or file name,
// whose path, config and prediction type then come from its record.
Result<engine::GenerationRequest> resolveModel(CommandContext &context, const QString &given,
                                               engine::GenerationRequest request, models::BaseModel &base)
{
    base = models::BaseModel::Unknown;
    if (QFileInfo::exists(given)) {
        request.modelPath = given.toStdString();
        return request;
    }
    const Result<models::ModelConfig> record =
        libraryRecord(context, given, models::ModelType::Main, QStringLiteral("neither a file or folder nor a model"));
    if (!record)
        return Result<engine::GenerationRequest>::failure(record.error());
    base = record->base;
    request.modelPath = models::absoluteModelPath(record->path, context.settings.modelsDir()).toStdString();
    if (request.configPath.empty() && record->configPath && !record->configPath->isEmpty())
        request.configPath = models::absoluteModelPath(*record->configPath, context.settings.modelsDir()).toStdString();
    if (request.prediction.empty() && record->predictionType)
        request.prediction = *record->predictionType == models::PredictionType::VPrediction ? "v" : "epsilon";
    return request;
}

// --lora KEY_OR_PATH[:STRENGTH[:CLIP_STRENGTH]]: the trailing parts that are numbers are the strengths (model, then
// text encoder; one number sets both), so paths with colons still work.
Result<engine::LoRAApplication> parseLoraArgument(const QString &argument)
{
    QStringList parts = argument.split(QLatin1Char(':'));
    QList<double> strengths;
    while (parts.size() > 1 && strengths.size() < 2) {
        bool number = false;
        const double value = parts.last().toDouble(&number);
        if (!number)
            break;
        if (!std::isfinite(value) || std::abs(value) > 100)
            return Result<engine::LoRAApplication>::failure(
                QStringLiteral("--lora %1: a strength must be between -100 and 100").arg(argument));
        strengths.prepend(value);
        parts.removeLast();
    }
    engine::LoRAApplication lora;
    lora.path = parts.join(QLatin1Char(':')).toStdString();
    if (lora.path.empty())
        return Result<engine::LoRAApplication>::failure(
            QStringLiteral("--lora %1: no file or key before the strengths").arg(argument));
    lora.strengthModel = strengths.value(0, 1.0);
    lora.strengthClip = strengths.value(1, lora.strengthModel);
    return lora;
}

// A LoRA given as a file, or as a library key of a LoRA; a record's base must be the model's, when both are known.
Result<engine::LoRAApplication> resolveLora(CommandContext &context, engine::LoRAApplication lora,
                                            models::BaseModel modelBase)
{
    const QString given = QString::fromStdString(lora.path);
    if (QFileInfo(given).isFile())
        return lora;
    const Result<models::ModelConfig> record =
        libraryRecord(context, given, models::ModelType::Lora, QStringLiteral("neither a file nor a LoRA"));
    if (!record)
        return Result<engine::LoRAApplication>::failure(QStringLiteral("--lora ") + record.error());
    const bool known = [](models::BaseModel base) {
        return base != models::BaseModel::Unknown && base != models::BaseModel::Any;
    }(record->base);
    if (known && modelBase != models::BaseModel::Unknown && modelBase != models::BaseModel::Any &&
        record->base != modelBase)
        return Result<engine::LoRAApplication>::failure(
            QStringLiteral("the LoRA %1 is for %2 models; the model is %3")
                .arg(record->name, models::toString(record->base), models::toString(modelBase)));
    lora.path = models::absoluteModelPath(record->path, context.settings.modelsDir()).toStdString();
    return lora;
}

// The library's embeddings, under their file names (as prompts name them) and their record names.
Result<QList<engine::NamedEmbedding>> libraryEmbeddings(CommandContext &context)
{
    QList<engine::NamedEmbedding> embeddings;
    models::RecordStore store(context.root.databasePath());
    if (const Status opened = store.open(); !opened)
        return Result<QList<engine::NamedEmbedding>>::failure(opened.error());
    const Result<QList<models::ModelConfig>> records =
        store.searchByName(QString(), std::nullopt, models::ModelType::Embedding);
    if (!records)
        return Result<QList<engine::NamedEmbedding>>::failure(records.error());
    for (const models::ModelConfig &record : records.value()) {
        const QString path = models::absoluteModelPath(record.path, context.settings.modelsDir());
        embeddings.append({QFileInfo(path).completeBaseName().toStdString(), path.toStdString()});
        if (record.name != QFileInfo(path).completeBaseName())
            embeddings.append({record.name.toStdString(), path.toStdString()});
    }
    return embeddings;
}

engine::RgbImage readInitImage(const QString &path, QString &error)
{
    QImage image(path);
    if (image.isNull()) {
        error = QStringLiteral("%1: not a readable image").arg(path);
        return {};
    }
    if (image.width() % 8 || image.height() % 8) {
        error = QStringLiteral("%1: %2×%3; the init image's sides must be multiples of 8")
                    .arg(path)
                    .arg(image.width())
                    .arg(image.height());
        return {};
    }
    image = image.convertToFormat(QImage::Format_RGB888);
    engine::RgbImage rgb;
    rgb.width = image.width();
    rgb.height = image.height();
    rgb.pixels.resize(std::size_t(rgb.width) * std::size_t(rgb.height) * 3);
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(rgb.pixels.data() + std::size_t(y) * std::size_t(rgb.width) * 3, image.constScanLine(y),
                    std::size_t(rgb.width) * 3);
    return rgb;
}

// Encodes the PNG, adds the recipe's text chunks when there is one, and writes through a temporary file, so that
// a full disk leaves no half-written PNG behind.
QString writePng(const engine::RgbImage &rgb, const QString &path, const QList<metadata::TextChunk> &recipe)
{
    const QImage image(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888);
    QByteArray encoded;
    QBuffer buffer(&encoded);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        return QStringLiteral("%1: encoding the PNG failed (%2)").arg(path, writer.errorString());
    if (!recipe.isEmpty()) {
        const Result<QByteArray> tagged = metadata::withTextChunks(encoded, recipe);
        if (!tagged)
            return QStringLiteral("%1: %2").arg(path, tagged.error());
        encoded = tagged.value();
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("%1: cannot be written (%2)").arg(path, file.errorString());
    if (file.write(encoded) != encoded.size() || !file.commit())
        return QStringLiteral("%1: writing failed (%2)").arg(path, file.errorString());
    return {};
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
QString modelSha256(CommandContext &context, const QString &modelPath)
{
    models::RecordStore store(context.root.databasePath());
    const bool cached = static_cast<bool>(store.open());
    const models::ModelHasher hasher(cached ? &store : nullptr);
    const Result<models::PathHashes> hashes = hasher.hash(modelPath);
    return hashes ? hashes->sha256 : QString();
}

// image.png, image-2.png, image-3.png ... for a batch.
QString numbered(const QString &path, int index)
{
    if (index == 0)
        return path;
    const QFileInfo info(path);
    return info.dir().filePath(QStringLiteral("%1-%2.%3").arg(info.completeBaseName()).arg(index + 1).arg(info.suffix()));
}

} // namespace

// `atelier generate --model PATH|KEY --prompt TEXT --out FILE.png [...]`: txt2img or img2img on the engine.
int runGenerateCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const auto option = [&parser](const QString &name, const QString &description, const QString &value = QString(),
                                  const QString &fallback = QString()) {
        QCommandLineOption made(name, description, value, fallback);
        parser.addOption(made);
        return made;
    };
    const auto model =
        option(QStringLiteral("model"),
               QStringLiteral("Checkpoint, diffusers folder, or a library model's key, name or file name."),
               QStringLiteral("PATH"));
    const auto config = option(QStringLiteral("config"), QStringLiteral("LDM YAML config of the checkpoint."), QStringLiteral("YAML"));
    const auto prompt = option(QStringLiteral("prompt"), QStringLiteral("What to make; (word:1.3), (word), [word] weight words."), QStringLiteral("TEXT"));
    const auto negative = option(QStringLiteral("negative"), QStringLiteral("What to avoid."), QStringLiteral("TEXT"), QString());
    const auto seed = option(QStringLiteral("seed"), QStringLiteral("Noise seed (ComfyUI's noise for the same seed)."), QStringLiteral("N"), QStringLiteral("0"));
    const auto steps = option(QStringLiteral("steps"), QStringLiteral("Sampling steps."), QStringLiteral("N"), QStringLiteral("20"));
    const auto cfg = option(QStringLiteral("cfg"), QStringLiteral("Classifier-free guidance scale."), QStringLiteral("F"), QStringLiteral("7"));
    const auto sampler = option(
        QStringLiteral("sampler"),
        QStringLiteral(
            "euler, euler_ancestral, heun, dpm_2, dpm_2_ancestral, lms, dpmpp_2s_ancestral, dpmpp_2m, dpmpp_2m_sde, "
            "ddim, uni_pc, lcm; diffusers' DDIM and LCM as InvokeAI runs them: ddim_diffusers, lcm_diffusers."),
        QStringLiteral("NAME"), QStringLiteral("euler"));
    const auto scheduler = option(QStringLiteral("scheduler"),
                                  QStringLiteral("normal, karras, exponential, sgm_uniform, simple, ddim_uniform "
                                                 "(diffusers for the *_diffusers samplers, the default for them)."),
                                  QStringLiteral("NAME"), QStringLiteral("normal"));
    const auto width = option(QStringLiteral("width"), QStringLiteral("Image width, a multiple of 8."), QStringLiteral("W"), QStringLiteral("512"));
    const auto height = option(QStringLiteral("height"), QStringLiteral("Image height, a multiple of 8."), QStringLiteral("H"), QStringLiteral("512"));
    const auto batch = option(QStringLiteral("batch"), QStringLiteral("Images per run."), QStringLiteral("N"), QStringLiteral("1"));
    const auto init = option(QStringLiteral("init-image"), QStringLiteral("img2img: the image to start from."), QStringLiteral("PNG"));
    const auto denoise = option(QStringLiteral("denoise"), QStringLiteral("img2img: how much to change it, (0, 1]."), QStringLiteral("F"), QStringLiteral("1"));
    const auto clipSkip = option(QStringLiteral("clip-skip"), QStringLiteral("Text-encoder layer from the end (1 = last; 0 = the model's default)."), QStringLiteral("N"), QStringLiteral("0"));
    const auto device = option(QStringLiteral("device"), QStringLiteral("cpu, cuda or cuda:N."), QStringLiteral("DEVICE"), QStringLiteral("cpu"));
    const auto precision = option(QStringLiteral("precision"), QStringLiteral("fp32, fp16 or bf16."), QStringLiteral("P"), QStringLiteral("fp32"));
    const auto prediction = option(QStringLiteral("prediction"), QStringLiteral("epsilon or v, when the files do not say."), QStringLiteral("TYPE"));
    const auto out = option(QStringLiteral("out"), QStringLiteral("Where to write the PNG (more images: FILE-2.png ...)."), QStringLiteral("FILE.png"));
    const auto saveLatent = option(QStringLiteral("save-latent"), QStringLiteral("Also write the final latent."), QStringLiteral("FILE.safetensors"));
    const auto noMetadata = option(QStringLiteral("no-metadata"), QStringLiteral("Write the images without their recipe."));
    const auto lora = option(
        QStringLiteral("lora"),
        QStringLiteral(
            "A LoRA (file or library key) with optional strengths for the model and the text encoder; repeatable."),
        QStringLiteral("KEY_OR_PATH[:STRENGTH[:CLIP_STRENGTH]]"));
    const auto embeddingsDir = option(QStringLiteral("embeddings"),
                                      QStringLiteral("A folder of textual-inversion embeddings (named by file name in "
                                                     "prompts, as embedding:name or the bare name); repeatable."),
                                      QStringLiteral("DIR"));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Generate images with an SD 1.x or 2.x model.")); done >= 0)
        return done;
    for (const auto &required : {model, prompt, out})
        if (!parser.isSet(required))
            return usage(context, QStringLiteral("--%1 is required").arg(required.names().first()));

    engine::GenerationRequest request;
    bool ok = true;
    const auto integer = [&](const QCommandLineOption &o) {
        bool good = false;
        const long long value = parser.value(o).toLongLong(&good);
        ok = ok && good;
        return value;
    };
    const auto real = [&](const QCommandLineOption &o) {
        bool good = false;
        const double value = parser.value(o).toDouble(&good);
        ok = ok && good;
        return value;
    };
    request.configPath = parser.value(config).toStdString();
    request.prompt = parser.value(prompt).toStdString();
    request.negative = parser.value(negative).toStdString();
    const std::optional<quint64> seedValue = metadata::parseSeed(parser.value(seed));
    if (!seedValue)
        return usage(context, QStringLiteral("--seed %1 is not a whole number from 0 to 18446744073709551615")
                                  .arg(parser.value(seed).left(64)));
    request.seed = *seedValue;
    request.steps = int(integer(steps));
    request.cfg = real(cfg);
    request.sampler = parser.value(sampler).toStdString();
    request.scheduler = parser.value(scheduler).toStdString();
    // diffusers' schedulers bring their own timesteps.
    if (engine::isDiffusersSamplerName(request.sampler) && !parser.isSet(scheduler))
        request.scheduler = "diffusers";
    request.width = int(integer(width));
    request.height = int(integer(height));
    request.batch = int(integer(batch));
    request.denoise = real(denoise);
    request.clipSkip = int(integer(clipSkip));
    request.device = parser.value(device).toStdString();
    request.precision = parser.value(precision).toStdString();
    request.prediction = parser.value(prediction).toStdString();
    request.saveLatentPath = parser.value(saveLatent).toStdString();
    if (!ok)
        return usage(context, QStringLiteral("a numeric option has a value that is not a number"));
    const QString outPath = parser.value(out);
    if (!outPath.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        return usage(context, QStringLiteral("--out must name a .png file"));
    if (!QFileInfo(outPath).absoluteDir().exists())  // before minutes of work, not after
        return fail(context, QStringLiteral("%1: cannot be written (the folder does not exist)").arg(outPath));
    if (parser.isSet(init)) {
        QString error;
        request.initImage = readInitImage(parser.value(init), error);
        if (!error.isEmpty())
            return fail(context, error);
    }
    models::BaseModel modelBase = models::BaseModel::Unknown;
    Result<engine::GenerationRequest> resolved = resolveModel(context, parser.value(model), request, modelBase);
    if (!resolved)
        return fail(context, resolved.error());
    for (const QString &argument : parser.values(lora)) {
        const Result<engine::LoRAApplication> parsed = parseLoraArgument(argument);
        if (!parsed)
            return usage(context, parsed.error());
        const Result<engine::LoRAApplication> found = resolveLora(context, parsed.value(), modelBase);
        if (!found)
            return fail(context, found.error());
        resolved.value().loras.push_back(found.value());
    }
    for (const QString &folder : parser.values(embeddingsDir)) {
        if (!QFileInfo(folder).isDir())
            return fail(context, QStringLiteral("--embeddings %1: no such folder").arg(folder));
        resolved.value().embeddingFolders.push_back(folder.toStdString());
    }
    const Result<QList<engine::NamedEmbedding>> fromLibrary = libraryEmbeddings(context);
    // Without the library the run can still go on; prompts then find only the folders' embeddings.
    if (!fromLibrary)
        context.err << "atelier generate: the library's embeddings cannot be read (" << fromLibrary.error()
                    << "); only --embeddings folders are searched\n";
    else
        for (const engine::NamedEmbedding &embedding : fromLibrary.value())
            resolved.value().embeddings.push_back(embedding);

    g_interrupted = false;
    const auto previous = std::signal(SIGINT, onInterrupt);
    QElapsedTimer clock;
    clock.start();
    const auto progress = [&](const engine::GenerationProgress &step) {
        constexpr int kWidth = 30;
        const int filled = step.steps > 0 ? step.step * kWidth / step.steps : kWidth;
        const double seconds = double(clock.elapsed()) / 1000.0;
        context.err << "\r[" << QString(filled, QLatin1Char('#')) << QString(kWidth - filled, QLatin1Char('.')) << "] "
                    << step.step << "/" << step.steps << "  " << QString::number(seconds, 'f', 1) << " s";
        if (step.step == step.steps)
            context.err << "\n";
        context.err.flush();
        return !g_interrupted.load();
    };
    engine::GenerationResult result;
    try {
        result = engine::generate(resolved.value(), progress);
    } catch (const engine::CancelledError &error) {
        std::signal(SIGINT, previous);
        context.err << "\natelier generate: " << error.what() << "\n";
        return kExitFailure;
    } catch (const engine::Error &error) {
        std::signal(SIGINT, previous);
        return fail(context, QString::fromStdString(error.what()));
    } catch (const std::invalid_argument &error) {
        std::signal(SIGINT, previous);
        return usage(context, QString::fromStdString(error.what()));
    } catch (const std::exception &error) {
        std::signal(SIGINT, previous);
        return fail(context, QStringLiteral("generation failed: %1").arg(QString::fromStdString(error.what())));
    }
    std::signal(SIGINT, previous);
    for (const engine::LoRAReport &outcome : result.loras)
        if (!outcome.keysNotLoaded.empty()) {
            constexpr int kListed = 10;
            QStringList keys;
            for (std::size_t i = 0; i < outcome.keysNotLoaded.size() && i < kListed; ++i)
                keys << QString::fromStdString(outcome.keysNotLoaded[i]);
            const int more = int(outcome.keysNotLoaded.size()) - int(keys.size());
            context.err << QStringLiteral("atelier generate: %1: %2 of its keys were not loaded: %3%4\n")
                               .arg(QFileInfo(QString::fromStdString(outcome.path)).fileName())
                               .arg(outcome.keysNotLoaded.size())
                               .arg(keys.join(QStringLiteral(", ")),
                                    more > 0 ? QStringLiteral(" and %1 more").arg(more) : QString());
        }
    for (const std::string &warning : result.warnings)
        context.err << "atelier generate: " << QString::fromStdString(warning) << "\n";
    const bool withRecipe = !parser.isSet(noMetadata) && context.settings.current().writeMetadata;
    metadata::GenerationInfo recipe;
    if (withRecipe) {
        const engine::GenerationRequest &used = resolved.value();
        recipe.tool = QStringLiteral("Atelier");
        recipe.toolVersion = QStringLiteral(ATELIER_VERSION);
        recipe.prompt = QString::fromStdString(used.prompt);
        recipe.negativePrompt = QString::fromStdString(used.negative);
        recipe.seed = used.seed;
        recipe.steps = used.steps;
        recipe.sampler = QString::fromStdString(used.sampler);
        recipe.scheduler = QString::fromStdString(used.scheduler);
        recipe.cfg = used.cfg;
        recipe.denoise = used.denoise;
        if (used.clipSkip > 0)
            recipe.clipSkip = used.clipSkip;
        // The model's name, never its path.
        const QString modelPath = QString::fromStdString(used.modelPath);
        recipe.model = metadata::ModelReference{QFileInfo(modelPath).completeBaseName(), modelSha256(context, modelPath)};
        if (parser.isSet(init))
            recipe.initImageSha256 = fileSha256(parser.value(init));
        for (const engine::LoRAApplication &applied : used.loras) {
            const QString path = QString::fromStdString(applied.path);
            recipe.loras << metadata::LoraUse{QFileInfo(path).completeBaseName(), applied.strengthModel,
                                              modelSha256(context, path), applied.strengthClip};
        }
        for (const engine::NamedEmbedding &embedding : result.embeddingsUsed)
            recipe.embeddings << metadata::ModelReference{QString::fromStdString(embedding.name),
                                                          modelSha256(context, QString::fromStdString(embedding.path))};
    }
    for (std::size_t i = 0; i < result.images.size(); ++i) {
        const QString path = numbered(outPath, int(i));
        recipe.width = result.images[i].width;
        recipe.height = result.images[i].height;
        recipe.batchIndex = int(i);
        if (const QString error = writePng(result.images[i], path, withRecipe ? metadata::recipeChunks(recipe) : QList<metadata::TextChunk>());
            !error.isEmpty())
            return fail(context, error);
        context.out << path << "\n";
    }
    context.err << QStringLiteral("%1 %2 model loaded in %3 s; sampled and decoded in %4 s\n")
                       .arg(QString::fromStdString(result.family), QString::fromStdString(result.prediction))
                       .arg(result.loadSeconds, 0, 'f', 2)
                       .arg(result.sampleSeconds, 0, 'f', 2);
    return kExitOk;
}

} // namespace atelier::app
