#include "app/command.h"
#include "app/terminal_progress.h"

#include "core/engine/sampling/sampler_names.h"
#include "core/generation/cache_budgets.h"
#include "core/generation/generation_service.h"
#include "core/metadata/generation_info.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QTimer>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstring>

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

// --lora KEY_OR_PATH[:STRENGTH[:CLIP_STRENGTH]]: the trailing parts that are numbers are the strengths (model, then
// text encoder; one number sets both), so paths with colons still work.
Result<generation::LoraChoice> parseLoraArgument(const QString &argument)
{
    QStringList parts = argument.split(QLatin1Char(':'));
    QList<double> strengths;
    while (parts.size() > 1 && strengths.size() < 2) {
        bool number = false;
        const double value = parts.last().toDouble(&number);
        if (!number)
            break;
        if (!std::isfinite(value) || std::abs(value) > 100)
            return Result<generation::LoraChoice>::failure(
                QStringLiteral("--lora %1: a strength must be between -100 and 100").arg(argument));
        strengths.prepend(value);
        parts.removeLast();
    }
    generation::LoraChoice lora;
    lora.model = parts.join(QLatin1Char(':'));
    if (lora.model.isEmpty())
        return Result<generation::LoraChoice>::failure(
            QStringLiteral("--lora %1: no file or key before the strengths").arg(argument));
    lora.strengthModel = strengths.value(0, 1.0);
    lora.strengthClip = strengths.value(1, lora.strengthModel);
    return lora;
}

bool isPngFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8);
}

// The generation service decodes PNG itself; other formats (JPEG, WebP ...) are decoded here, where QImage is.
QString decodeOtherInitImage(const QString &path, engine::RgbImage &rgb)
{
    QImage image(path);
    if (image.isNull())
        return QStringLiteral("%1: not a readable image").arg(path);
    image = image.convertToFormat(QImage::Format_RGB888);
    rgb.width = image.width();
    rgb.height = image.height();
    rgb.pixels.resize(std::size_t(rgb.width) * std::size_t(rgb.height) * 3);
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(rgb.pixels.data() + std::size_t(y) * std::size_t(rgb.width) * 3, image.constScanLine(y),
                    std::size_t(rgb.width) * 3);
    return {};
}

// Runs the request on the generation service, drawing its progress on stderr, until it finishes; Ctrl+C cancels.
int runOnService(CommandContext &context, generation::GenerationRequest request)
{
    generation::applyCacheBudgets(context.settings.current());
    models::RecordStore store(context.root.databasePath());
    (void)store.open(); // a library that cannot be opened fails the lookups that need it, with its reason
    generation::GenerationService service(
        generation::RunPlace{{&store, context.settings.modelsDir()}, context.root.outputsDir()});
    QEventLoop loop;
    QElapsedTimer clock;
    int exitCode = kExitOk;
    QObject::connect(&service, &generation::GenerationService::started, [&clock] { clock.start(); });
    QObject::connect(&service, &generation::GenerationService::progressed, [&](quint64, int step, int steps) {
        const double seconds = double(clock.elapsed()) / 1000.0;
        context.err << "\r[" << progressBarText(steps > 0 ? double(step) / steps : 1.0) << "] " << step << "/" << steps
                    << "  " << QString::number(seconds, 'f', 1) << " s";
        if (step == steps)
            context.err << "\n";
        context.err.flush();
    });
    QObject::connect(&service, &generation::GenerationService::finished,
                     [&](quint64, const generation::GenerationOutcome &outcome) {
                         for (const QString &warning : outcome.warnings)
                             context.err << "atelier generate: " << warning << "\n";
                         for (const QString &path : outcome.imagePaths)
                             context.out << path << "\n";
                         for (const QString &line : outcome.loadReport)
                             context.err << "loaded " << line << "\n";
                         // aMUSEd models predict tokens: no prediction type to name.
                         const QString kind = outcome.prediction.isEmpty()
                                                  ? outcome.family
                                                  : outcome.family + QLatin1Char(' ') + outcome.prediction;
                         context.err << QStringLiteral("%1 model%2 loaded in %3 s; sampled and decoded in %4 s\n")
                                            .arg(kind,
                                                 outcome.refinerFamily.isEmpty()
                                                     ? QString()
                                                     : QStringLiteral(" and %1 refiner").arg(outcome.refinerFamily))
                                            .arg(outcome.loadSeconds, 0, 'f', 2)
                                            .arg(outcome.sampleSeconds, 0, 'f', 2);
                         loop.quit();
                     });
    QObject::connect(&service, &generation::GenerationService::failed,
                     [&](quint64, const generation::GenerationFailure &failure) {
                         if (failure.type == QLatin1String(generation::kInvalidRequest))
                             exitCode = usage(context, failure.message);
                         else if (failure.type == QLatin1String(generation::kCancelled)) {
                             context.err << "\natelier generate: " << failure.message << "\n";
                             exitCode = kExitFailure;
                         } else
                             exitCode = fail(context, failure.message);
                         loop.quit();
                     });
    // The signal handler only raises a flag; the loop looks at it.
    g_interrupted = false;
    const auto previous = std::signal(SIGINT, onInterrupt);
    const quint64 run = service.submit(std::move(request));
    QTimer interruptions;
    QObject::connect(&interruptions, &QTimer::timeout, [&] {
        if (g_interrupted.exchange(false))
            service.cancel(run);
    });
    interruptions.start(100);
    loop.exec();
    std::signal(SIGINT, previous);
    return exitCode;
}

// The command's options, declared once for the parser and read back by name.
struct GenerateOptions
{
    QCommandLineOption model{
        QStringLiteral("model"),
        QStringLiteral("Checkpoint, diffusers folder, or a library model's key, name or file name."),
        QStringLiteral("PATH")};
    QCommandLineOption config{QStringLiteral("config"), QStringLiteral("LDM YAML config of the checkpoint."),
                              QStringLiteral("YAML")};
    QCommandLineOption prompt{QStringLiteral("prompt"),
                              QStringLiteral("What to make; (word:1.3), (word), [word] weight words."),
                              QStringLiteral("TEXT")};
    QCommandLineOption negative{QStringLiteral("negative"), QStringLiteral("What to avoid."), QStringLiteral("TEXT"),
                                QString()};
    QCommandLineOption seed{QStringLiteral("seed"), QStringLiteral("Noise seed (ComfyUI's noise for the same seed)."),
                            QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption steps{QStringLiteral("steps"), QStringLiteral("Sampling steps (default: 20; aMUSEd models 12)."),
                             QStringLiteral("N")};
    QCommandLineOption cfg{QStringLiteral("cfg"),
                           QStringLiteral("Classifier-free guidance scale (default: 7; aMUSEd models 10)."),
                           QStringLiteral("F")};
    QCommandLineOption sampler{
        QStringLiteral("sampler"),
        QStringLiteral(
            "euler, euler_ancestral, heun, dpm_2, dpm_2_ancestral, lms, dpmpp_2s_ancestral, dpmpp_2m, dpmpp_2m_sde, "
            "ddim, uni_pc, lcm; diffusers' DDIM and LCM as InvokeAI runs them: ddim_diffusers, lcm_diffusers "
            "(default: euler; aMUSEd models: amused, their only one)."),
        QStringLiteral("NAME")};
    QCommandLineOption scheduler{QStringLiteral("scheduler"),
                                 QStringLiteral("normal, karras, exponential, sgm_uniform, simple, ddim_uniform "
                                                "(default: normal; diffusers for the *_diffusers samplers; aMUSEd "
                                                "models: cosine)."),
                                 QStringLiteral("NAME")};
    QCommandLineOption width{QStringLiteral("width"),
                             QStringLiteral("Image width, a multiple of 8 (default: 512; aMUSEd models their own)."),
                             QStringLiteral("W")};
    QCommandLineOption height{QStringLiteral("height"),
                              QStringLiteral("Image height, a multiple of 8 (default: 512; aMUSEd models their own)."),
                              QStringLiteral("H")};
    QCommandLineOption temperature{QStringLiteral("temperature"),
                                   QStringLiteral("aMUSEd: the sampler's temperature from the first step to the last "
                                                  "(default 2,0)."),
                                   QStringLiteral("START[,END]")};
    QCommandLineOption aestheticScore{QStringLiteral("aesthetic-score"),
                                      QStringLiteral("aMUSEd: the aesthetic score to condition on (default 6)."),
                                      QStringLiteral("F")};
    QCommandLineOption crop{QStringLiteral("crop"),
                            QStringLiteral("aMUSEd: the crop coordinates to condition on (default 0,0)."),
                            QStringLiteral("TOP,LEFT")};
    QCommandLineOption batch{QStringLiteral("batch"), QStringLiteral("Images per run."), QStringLiteral("N"),
                             QStringLiteral("1")};
    QCommandLineOption init{QStringLiteral("init-image"), QStringLiteral("img2img: the image to start from."),
                            QStringLiteral("PNG")};
    QCommandLineOption denoise{QStringLiteral("denoise"), QStringLiteral("img2img: how much to change it, (0, 1]."),
                               QStringLiteral("F"), QStringLiteral("1")};
    QCommandLineOption clipSkip{QStringLiteral("clip-skip"),
                                QStringLiteral("Text-encoder layer from the end (1 = last; 0 = the model's default)."),
                                QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption device{QStringLiteral("device"), QStringLiteral("cpu, cuda or cuda:N."),
                              QStringLiteral("DEVICE"), QStringLiteral("cpu")};
    QCommandLineOption precision{QStringLiteral("precision"), QStringLiteral("fp32, fp16 or bf16."),
                                 QStringLiteral("P"), QStringLiteral("fp32")};
    QCommandLineOption prediction{QStringLiteral("prediction"),
                                  QStringLiteral("epsilon, v or sample, when the files do not say."),
                                  QStringLiteral("TYPE")};
    QCommandLineOption vae{QStringLiteral("vae"),
                           QStringLiteral("A VAE (file, folder or library key) to use instead of the model's own; "
                                          "default: the library record's VAE override, if any."),
                           QStringLiteral("KEY_OR_PATH")};
    QCommandLineOption refiner{QStringLiteral("refiner"),
                               QStringLiteral("A model that runs the last steps and decodes: SDXL's refiner, or "
                                              "another model of the same family (file, folder or library key)."),
                               QStringLiteral("KEY_OR_PATH")};
    QCommandLineOption refinerSwitch{QStringLiteral("refiner-switch"),
                                     QStringLiteral("The share of the steps the model runs before the refiner takes "
                                                    "over, in (0, 1)."),
                                     QStringLiteral("F"), QStringLiteral("0.8")};
    QCommandLineOption out{QStringLiteral("out"),
                           QStringLiteral("Where to write the PNG (more images: FILE-2.png ...)."),
                           QStringLiteral("FILE.png")};
    QCommandLineOption saveLatent{QStringLiteral("save-latent"), QStringLiteral("Also write the final latent."),
                                  QStringLiteral("FILE.safetensors")};
    QCommandLineOption noMetadata{QStringLiteral("no-metadata"),
                                  QStringLiteral("Write the images without their recipe.")};
    QCommandLineOption lora{
        QStringLiteral("lora"),
        QStringLiteral(
            "A LoRA (file or library key) with optional strengths for the model and the text encoder; repeatable."),
        QStringLiteral("KEY_OR_PATH[:STRENGTH[:CLIP_STRENGTH]]")};
    QCommandLineOption embeddings{QStringLiteral("embeddings"),
                                  QStringLiteral("A folder of textual-inversion embeddings (named by file name in "
                                                 "prompts, as embedding:name or the bare name); repeatable."),
                                  QStringLiteral("DIR")};

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({model,   config,        prompt,      negative,       seed,      steps,
                           cfg,     sampler,       scheduler,   width,          height,    batch,
                           init,    denoise,       clipSkip,    device,         precision, prediction,
                           vae,     out,           saveLatent,  noMetadata,     lora,      embeddings,
                           refiner, refinerSwitch, temperature, aestheticScore, crop});
    }
};

// The sampling settings as typed; a usage error when a number is not one.
QString readSettings(const QCommandLineParser &parser, const GenerateOptions &options,
                     engine::SamplingSettings &settings)
{
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
        ok = ok && good && std::isfinite(value); // "nan" and "inf" read as numbers
        return value;
    };
    settings.prompt = parser.value(options.prompt).toStdString();
    settings.negative = parser.value(options.negative).toStdString();
    const std::optional<quint64> seedValue = metadata::parseSeed(parser.value(options.seed));
    if (!seedValue)
        return QStringLiteral("--seed %1 is not a whole number from 0 to 18446744073709551615")
            .arg(parser.value(options.seed).left(64));
    settings.seed = *seedValue;
    // What is not given is left to the model's family (0, NaN and "" say so).
    settings.steps = parser.isSet(options.steps) ? int(integer(options.steps)) : 0;
    settings.cfg = parser.isSet(options.cfg) ? real(options.cfg) : engine::kCfgFromFamily;
    settings.sampler = parser.value(options.sampler).toStdString();
    settings.scheduler = parser.value(options.scheduler).toStdString();
    // diffusers' schedulers bring their own timesteps.
    if (engine::isDiffusersSampler(settings.sampler) && !parser.isSet(options.scheduler))
        settings.scheduler = "diffusers";
    settings.width = parser.isSet(options.width) ? int(integer(options.width)) : 0;
    settings.height = parser.isSet(options.height) ? int(integer(options.height)) : 0;
    if (!ok)
        return QStringLiteral("a numeric option has a value that is not a number");
    for (const QCommandLineOption *given : {&options.steps, &options.width, &options.height})
        if (parser.isSet(*given) && parser.value(*given).toLongLong() < 1)
            return QStringLiteral("--%1 must be at least 1").arg(given->names().first());
    settings.batch = int(integer(options.batch));
    settings.denoise = real(options.denoise);
    settings.clipSkip = int(integer(options.clipSkip));
    return ok ? QString() : QStringLiteral("a numeric option has a value that is not a number");
}

// --temperature START[,END], --aesthetic-score, --crop TOP,LEFT: aMUSEd's own settings.
QString readMaskedTokenSettings(const QCommandLineParser &parser, const GenerateOptions &options,
                                engine::MaskedTokenSettings &settings)
{
    const auto numbers = [&](const QCommandLineOption &option, int most) {
        QList<double> values;
        for (const QString &part : parser.value(option).split(QLatin1Char(','))) {
            bool number = false;
            values << part.trimmed().toDouble(&number);
            if (!number || !std::isfinite(values.last()))
                return QList<double>();
        }
        return values.size() <= most ? values : QList<double>();
    };
    if (parser.isSet(options.temperature)) {
        const QList<double> values = numbers(options.temperature, 2);
        if (values.isEmpty())
            return QStringLiteral("--temperature %1: one or two numbers, START[,END]")
                .arg(parser.value(options.temperature).left(64));
        settings.temperatureStart = values[0];
        // One number is diffusers' (t, 0.01).
        settings.temperatureEnd = values.size() > 1 ? values[1] : 0.01;
    }
    if (parser.isSet(options.aestheticScore)) {
        const QList<double> values = numbers(options.aestheticScore, 1);
        if (values.isEmpty())
            return QStringLiteral("--aesthetic-score %1 is not a number")
                .arg(parser.value(options.aestheticScore).left(64));
        settings.aestheticScore = values[0];
    }
    if (parser.isSet(options.crop)) {
        const QList<double> values = numbers(options.crop, 2);
        if (values.size() != 2 || values[0] != std::floor(values[0]) || values[1] != std::floor(values[1]))
            return QStringLiteral("--crop %1: two whole numbers, TOP,LEFT").arg(parser.value(options.crop).left(64));
        settings.cropTop = int(values[0]);
        settings.cropLeft = int(values[1]);
    }
    return {};
}

} // namespace

// `atelier generate --model PATH|KEY --prompt TEXT --out FILE.png [...]`: txt2img or img2img on the generation
// service.
int runGenerateCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const GenerateOptions options;
    options.addTo(parser);
    if (const int done = parseCommandArguments(
            parser, context, QStringLiteral("Generate images with an SD 1.x, 2.x, SDXL or aMUSEd model."));
        done >= 0)
        return done;
    for (const auto &required : {options.model, options.prompt, options.out})
        if (!parser.isSet(required))
            return usage(context, QStringLiteral("--%1 is required").arg(required.names().first()));

    generation::GenerationRequest request;
    if (const QString error = readSettings(parser, options, request); !error.isEmpty())
        return usage(context, error);
    if (const QString error = readMaskedTokenSettings(parser, options, request.maskedTokens); !error.isEmpty())
        return usage(context, error);
    request.model = parser.value(options.model);
    request.configPath = parser.value(options.config);
    request.device = parser.value(options.device);
    request.precision = parser.value(options.precision);
    request.prediction = parser.value(options.prediction);
    request.vae = parser.value(options.vae);
    if (parser.isSet(options.refinerSwitch) && !parser.isSet(options.refiner))
        return usage(context, QStringLiteral("--refiner-switch needs --refiner"));
    if (parser.isSet(options.refiner)) {
        request.refiner = parser.value(options.refiner);
        bool number = false;
        request.refinerSwitch = parser.value(options.refinerSwitch).toDouble(&number);
        if (!number || !(request.refinerSwitch > 0.0 && request.refinerSwitch < 1.0))
            return usage(context, QStringLiteral("--refiner-switch %1: the share of the steps before the refiner "
                                                 "takes over must be between 0 and 1")
                                      .arg(parser.value(options.refinerSwitch).left(64)));
    }
    request.saveLatentPath = parser.value(options.saveLatent);
    request.outputPath = parser.value(options.out);
    request.writeRecipe = !parser.isSet(options.noMetadata) && context.settings.current().writeMetadata;
    if (!request.outputPath.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        return usage(context, QStringLiteral("--out must name a .png file"));
    if (parser.isSet(options.init)) {
        request.initImagePath = parser.value(options.init);
        if (!isPngFile(request.initImagePath))
            if (const QString error = decodeOtherInitImage(request.initImagePath, request.initPixels); !error.isEmpty())
                return fail(context, error);
    }
    for (const QString &argument : parser.values(options.lora)) {
        const Result<generation::LoraChoice> parsed = parseLoraArgument(argument);
        if (!parsed)
            return usage(context, parsed.error());
        request.loras << parsed.value();
    }
    for (const QString &folder : parser.values(options.embeddings)) {
        if (!QFileInfo(folder).isDir())
            return fail(context, QStringLiteral("--embeddings %1: no such folder").arg(folder));
        request.embeddingFolders << folder;
    }
    return runOnService(context, std::move(request));
}

} // namespace atelier::app
