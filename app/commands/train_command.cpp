#include "app/command.h"
#include "app/library_services.h"

#include "core/generation/cache_budgets.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"
#include "core/training/training_run.h"

#include <QDir>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace atelier::app {

namespace {

std::atomic<bool> g_stopRequested{false};

void onInterrupt(int)
{
    g_stopRequested = true;
}

QString clockText(double seconds)
{
    const long long total = (long long)(seconds + 0.5);
    return QStringLiteral("%1:%2:%3")
        .arg(total / 3600)
        .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(total % 60, 2, 10, QLatin1Char('0'));
}

// The command's options, declared once for the parser and read back by name.
struct TrainOptions
{
    QCommandLineOption data{QStringLiteral("data"), QStringLiteral("Folder of PNG images and their captions."),
                            QStringLiteral("DIR")};
    QCommandLineOption model{QStringLiteral("model"),
                             QStringLiteral("The aMUSEd model to start from (library key, "
                                            "name, or folder)."),
                             QStringLiteral("KEY")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("The result's name in the library."),
                           QStringLiteral("NAME")};
    QCommandLineOption steps{QStringLiteral("steps"), QStringLiteral("Optimizer steps (default 1000)."),
                             QStringLiteral("N"), QStringLiteral("1000")};
    QCommandLineOption loraRank{QStringLiteral("lora-rank"),
                                QStringLiteral("Train a LoRA of this rank on to_q/to_k/to_v instead of the whole "
                                               "transformer."),
                                QStringLiteral("R"), QStringLiteral("0")};
    QCommandLineOption loraAlpha{QStringLiteral("lora-alpha"),
                                 QStringLiteral("The LoRA's alpha (default twice the "
                                                "rank)."),
                                 QStringLiteral("A"), QStringLiteral("0")};
    QCommandLineOption lr{QStringLiteral("lr"), QStringLiteral("Learning rate (default 3e-4)."), QStringLiteral("F"),
                          QStringLiteral("3e-4")};
    QCommandLineOption batch{QStringLiteral("batch"), QStringLiteral("Images per batch (default 1)."),
                             QStringLiteral("N"), QStringLiteral("1")};
    QCommandLineOption accumulate{QStringLiteral("accumulate"),
                                  QStringLiteral("Batches whose gradients add up to one step (default 1)."),
                                  QStringLiteral("N"), QStringLiteral("1")};
    QCommandLineOption warmup{QStringLiteral("warmup"),
                              QStringLiteral("Steps over which the learning rate rises "
                                             "(default 0)."),
                              QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption weightDecay{QStringLiteral("weight-decay"),
                                   QStringLiteral("AdamW's weight decay (default "
                                                  "0.01)."),
                                   QStringLiteral("F"), QStringLiteral("0.01")};
    QCommandLineOption maxGradNorm{QStringLiteral("max-grad-norm"),
                                   QStringLiteral("Clip the gradients' norm to this (default: no clipping)."),
                                   QStringLiteral("F"), QStringLiteral("0")};
    QCommandLineOption ema{QStringLiteral("ema"), QStringLiteral("Keep an average of the weights and save it "
                                                                 "(whole-transformer training).")};
    QCommandLineOption resolution{QStringLiteral("resolution"),
                                  QStringLiteral("Image side to train at (default: the model's)."), QStringLiteral("N"),
                                  QStringLiteral("0")};
    QCommandLineOption seed{QStringLiteral("seed"), QStringLiteral("Seed of the data order, crops and masks."),
                            QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption checkpointEvery{QStringLiteral("checkpoint-every"),
                                       QStringLiteral("Steps between checkpoints (default 100)."), QStringLiteral("N"),
                                       QStringLiteral("100")};
    QCommandLineOption validationPrompt{QStringLiteral("validation-prompt"),
                                        QStringLiteral("A prompt to make a validation image of (repeatable)."),
                                        QStringLiteral("TEXT")};
    QCommandLineOption validateEvery{QStringLiteral("validate-every"),
                                     QStringLiteral("Steps between validation images (default: at the end)."),
                                     QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption device{QStringLiteral("device"), QStringLiteral("cpu, cuda or cuda:N (default cpu)."),
                              QStringLiteral("DEVICE"), QStringLiteral("cpu")};
    QCommandLineOption precision{QStringLiteral("precision"),
                                 QStringLiteral("fp32, bf16 (mixed, CPU or CUDA) or fp16 (mixed, CUDA; the loss "
                                                "scaled). Default fp32."),
                                 QStringLiteral("P"), QStringLiteral("fp32")};
    QCommandLineOption resume{QStringLiteral("resume"),
                              QStringLiteral("Continue the run named by --out from its latest checkpoint.")};

    QList<QCommandLineOption> all() const
    {
        return {data,   model,      out,        steps,           loraRank,         loraAlpha,
                lr,     batch,      accumulate, warmup,          weightDecay,      maxGradNorm,
                ema,    resolution, seed,       checkpointEvery, validationPrompt, validateEvery,
                device, precision,  resume};
    }
};

// The numbers of the options, each checked; fills `job` or says which one is wrong.
QString readJob(const QCommandLineParser &parser, const TrainOptions &o, training::TrainingJob &job)
{
    for (const QCommandLineOption *required : {&o.data, &o.model, &o.out})
        if (!parser.isSet(*required))
            return QStringLiteral("--%1 is required").arg(required->names().first());
    job.dataFolder = parser.value(o.data);
    job.model = parser.value(o.model);
    job.outputName = parser.value(o.out);
    job.resume = parser.isSet(o.resume);
    engine::AmusedTrainingRequest &s = job.settings;
    const auto integer = [&](const QCommandLineOption &option, int minimum, int &target) {
        bool ok = false;
        target = parser.value(option).toInt(&ok);
        return ok && target >= minimum;
    };
    const auto real = [&](const QCommandLineOption &option, double &target) {
        bool ok = false;
        target = parser.value(option).toDouble(&ok);
        return ok && target >= 0;
    };
    int seed = 0;
    const struct
    {
        const QCommandLineOption &option;
        bool ok;
    } checks[] = {{o.steps, integer(o.steps, 1, s.steps)},
                  {o.loraRank, integer(o.loraRank, 0, s.loraRank)},
                  {o.batch, integer(o.batch, 1, s.batch)},
                  {o.accumulate, integer(o.accumulate, 1, s.accumulate)},
                  {o.warmup, integer(o.warmup, 0, s.warmupSteps)},
                  {o.resolution, integer(o.resolution, 0, job.resolution)},
                  {o.seed, integer(o.seed, 0, seed)},
                  {o.checkpointEvery, integer(o.checkpointEvery, 0, s.checkpointEvery)},
                  {o.validateEvery, integer(o.validateEvery, 0, s.validationEvery)},
                  {o.loraAlpha, real(o.loraAlpha, s.loraAlpha)},
                  {o.lr, real(o.lr, s.learningRate) && s.learningRate > 0},
                  {o.weightDecay, real(o.weightDecay, s.weightDecay)},
                  {o.maxGradNorm, real(o.maxGradNorm, s.maxGradNorm)}};
    for (const auto &check : checks)
        if (!check.ok)
            return QStringLiteral("--%1 %2 is not a valid value")
                .arg(check.option.names().first(), parser.value(check.option));
    s.seed = std::uint64_t(seed);
    s.validationSeed = std::uint64_t(seed);
    s.averageWeights = parser.isSet(o.ema);
    if (s.averageWeights && s.loraRank > 0)
        return QStringLiteral("--ema averages the whole transformer's weights; a LoRA trains without it");
    for (const QString &prompt : parser.values(o.validationPrompt))
        s.validationPrompts.push_back(prompt.toStdString());
    s.device = parser.value(o.device).toStdString();
    s.precision = parser.value(o.precision).toStdString();
    if (s.precision != "fp32" && s.precision != "bf16" && s.precision != "fp16")
        return QStringLiteral("--precision %1 is not fp32, bf16 or fp16").arg(parser.value(o.precision));
    return {};
}

} // namespace

// `atelier train amused --data DIR --model KEY --out NAME [...]`: fine-tunes an aMUSEd model (or trains a LoRA for
// it) on a folder of captioned images, and adds the result to the library. Ctrl+C stops after the current step with
// a checkpoint that --resume continues from.
int runTrainCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const TrainOptions options;
    parser.addOptions(options.all());
    parser.addPositionalArgument(QStringLiteral("FAMILY"), QStringLiteral("The model family to train: amused."));
    if (const int done = parseCommandArguments(
            parser, context,
            QStringLiteral("Fine-tune an aMUSEd model, or train a LoRA for it, on your own captioned images.\n"
                           "Captions: captions.json, captions.csv, metadata.jsonl, or a .txt beside each image."));
        done >= 0)
        return done;
    if (parser.positionalArguments() != QStringList{QStringLiteral("amused")}) {
        context.err << "atelier train: the family to train must be given, and only \"amused\" trains for now\n";
        return kExitUsage;
    }
    training::TrainingJob job;
    if (const QString wrong = readJob(parser, options, job); !wrong.isEmpty()) {
        context.err << "atelier train: " << wrong << "\n";
        return kExitUsage;
    }
    auto services = LibraryServices::open(context.root, context.settings, false);
    if (!services) {
        context.err << "atelier train: " << services.error() << "\n";
        return kExitFailure;
    }
    generation::applyCacheBudgets(context.settings.current());
    const generation::ModelLibrary library{&services.value()->store(), context.settings.modelsDir()};

    const bool terminal = ::isatty(STDERR_FILENO);
    g_stopRequested = false;
    const auto previous = std::signal(SIGINT, onInterrupt);
    const auto outcome = training::runTraining(
        job, library, services.value()->installer(), QDir(context.root.path()).filePath(QStringLiteral("training")),
        [&](const engine::TrainingProgress &progress) {
            using Event = engine::TrainingProgress::Event;
            if (progress.event == Event::Encoding)
                std::fprintf(stderr, "encoding the training set ...\n");
            else if (progress.event == Event::Step)
                std::fprintf(stderr, "%sstep %d/%d  loss %.4f  %.2f steps/s  %s left%s", terminal ? "\r\033[K" : "",
                             progress.step, progress.steps, progress.loss,
                             progress.secondsPerStep > 0 ? 1.0 / progress.secondsPerStep : 0.0,
                             qPrintable(clockText(progress.secondsLeft)), terminal ? "" : "\n");
            else if (progress.event == Event::Checkpoint && !terminal)
                std::fprintf(stderr, "checkpoint %s\n", progress.checkpointPath.c_str());
            std::fflush(stderr);
            return !g_stopRequested.load();
        });
    std::signal(SIGINT, previous);
    if (terminal)
        std::fprintf(stderr, "\n");
    if (!outcome) {
        context.err << "atelier train: " << outcome.error() << "\n";
        return outcome.errorType() == QLatin1String("InvalidRequest") ? kExitUsage : kExitFailure;
    }
    for (const training::SkippedImage &skipped : outcome->skipped)
        context.err << "skipped " << skipped.file << ": " << skipped.reason << "\n";
    context.out << outcome->images << " images (captions from " << outcome->captionSource << "), "
                << outcome->skipped.size() << " skipped\n";
    if (!outcome->finished) {
        context.out << "stopped at step " << outcome->stepsDone << "; --resume continues from there\n";
        return kExitFailure;
    }
    context.out << "trained " << job.outputName << " (" << outcome->modelKey << "): " << outcome->outputPath << "\n"
                << "loss log: " << outcome->runFolder << "/loss.csv\n";
    return kExitOk;
}

} // namespace atelier::app
