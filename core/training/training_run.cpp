#include "core/training/training_run.h"

#include "core/engine/client/engine_client.h"
#include "core/generation/png_image.h"
#include "core/models/install/model_installer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <nlohmann/json.hpp>

namespace atelier::training {

namespace {

using Outcome = Result<TrainingOutcome>;

Outcome failed(const QString &message, const char *type)
{
    return Outcome::failure(message, QString::fromLatin1(type));
}

QJsonObject readJsonObject(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.read(1 << 20)).object() : QJsonObject();
}

// The image side the model was trained at: its token grid (transformer/config.json's sample_size) times the VQ-GAN's
// downscaling (a factor 2 for each of vqvae/config.json's blocks after the first). 0 when the configs do not say.
int modelImageSide(const QString &folder)
{
    const int grid = readJsonObject(folder + QStringLiteral("/transformer/config.json"))
                         .value(QStringLiteral("sample_size"))
                         .toInt();
    const int blocks = readJsonObject(folder + QStringLiteral("/vqvae/config.json"))
                           .value(QStringLiteral("block_out_channels"))
                           .toArray()
                           .size();
    return grid > 0 && blocks > 0 ? grid << (blocks - 1) : 0;
}

bool validName(const QString &name)
{
    return !name.trimmed().isEmpty() && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\')) &&
           name != QLatin1String(".") && name != QLatin1String("..");
}

// The loss log, one row per step; a resumed run first drops the rows past its checkpoint.
class LossLog
{
public:
    explicit LossLog(const QString &path)
        : m_path(path)
    {}

    Status append(const engine::TrainingProgress &progress)
    {
        if (!m_file.isOpen()) {
            if (const Status kept = keepRowsBefore(progress.step); !kept)
                return kept;
            m_file.setFileName(m_path);
            const bool fresh = !QFileInfo::exists(m_path);
            if (!m_file.open(QIODevice::Append | QIODevice::Text))
                return Status::failure(QStringLiteral("cannot write %1: %2").arg(m_path, m_file.errorString()));
            if (fresh)
                m_file.write("step,loss,grad_norm,learning_rate,seconds_per_step\n");
        }
        QTextStream(&m_file) << progress.step << ',' << QString::number(progress.loss, 'g', 8) << ','
                             << QString::number(progress.gradNorm, 'g', 8) << ','
                             << QString::number(progress.learningRate, 'g', 8) << ','
                             << QString::number(progress.secondsPerStep, 'g', 5) << '\n';
        m_file.flush();
        return {};
    }

private:
    Status keepRowsBefore(int step)
    {
        QFile old(m_path);
        if (!old.exists())
            return {};
        if (!old.open(QIODevice::ReadOnly | QIODevice::Text))
            return Status::failure(QStringLiteral("cannot read %1: %2").arg(m_path, old.errorString()));
        QByteArray kept;
        for (const QByteArray &line : old.readAll().split('\n')) {
            bool number = false;
            const int row = line.left(line.indexOf(',')).toInt(&number);
            if (!line.isEmpty() && (!number || row < step))
                kept += line + '\n';
        }
        old.close();
        if (!old.open(QIODevice::WriteOnly | QIODevice::Truncate) || old.write(kept) != kept.size())
            return Status::failure(QStringLiteral("cannot write %1: %2").arg(m_path, old.errorString()));
        return {};
    }

    QString m_path;
    QFile m_file;
};

std::string recipeJson(const TrainingJob &job, const QString &baseModel, const TrainingSet &set, int side)
{
    const engine::AmusedTrainingRequest &s = job.settings;
    nlohmann::ordered_json recipe{
        {"trainer", "atelier amused"},
        {"base_model", baseModel.toStdString()},
        {"data", job.dataFolder.toStdString()},
        {"images", set.examples.size()},
        {"captions", set.captionSource.toStdString()},
        {"resolution", side},
        {"steps", s.steps},
        {"batch", s.batch},
        {"accumulate", s.accumulate},
        {"learning_rate", s.learningRate},
        {"warmup_steps", s.warmupSteps},
        {"adam", {{"beta1", s.beta1}, {"beta2", s.beta2}, {"epsilon", s.epsilon}, {"weight_decay", s.weightDecay}}},
        {"max_grad_norm", s.maxGradNorm},
        {"ema", s.averageWeights ? nlohmann::json(s.averageDecay) : nlohmann::json()},
        {"seed", s.seed},
        {"precision", s.precision}};
    if (s.loraRank > 0)
        recipe["lora"] = {{"rank", s.loraRank},
                          {"alpha", s.loraAlpha > 0 ? s.loraAlpha : 2.0 * s.loraRank},
                          {"targets", s.loraTargets}};
    return recipe.dump();
}

QString describeRecipe(const TrainingJob &job, const QString &baseModel, const TrainingSet &set)
{
    const engine::AmusedTrainingRequest &s = job.settings;
    return QStringLiteral("Trained from %1 on %2 images: %3, %4 steps, batch %5×%6, learning rate %7, seed %8")
        .arg(baseModel)
        .arg(set.examples.size())
        .arg(s.loraRank > 0 ? QStringLiteral("LoRA rank %1").arg(s.loraRank) : QStringLiteral("whole transformer"))
        .arg(s.steps)
        .arg(s.batch)
        .arg(s.accumulate)
        .arg(s.learningRate)
        .arg(s.seed);
}

Result<engine::AmusedTrainingResult> runEngine(const engine::AmusedTrainingRequest &request,
                                               const engine::TrainingCallback &onProgress)
{
    using Ran = Result<engine::AmusedTrainingResult>;
    try {
        return engine::client::trainAmused(request, onProgress);
    } catch (const engine::OutOfMemoryError &error) {
        return Ran::failure(QString::fromStdString(error.what()), QStringLiteral("OutOfMemory"));
    } catch (const engine::UnsupportedModelError &error) {
        return Ran::failure(QString::fromStdString(error.what()), QStringLiteral("NotAmused"));
    } catch (const engine::Error &error) {
        return Ran::failure(QString::fromStdString(error.what()), QStringLiteral("RunFailed"));
    } catch (const std::invalid_argument &error) {
        return Ran::failure(QString::fromStdString(error.what()), QStringLiteral("InvalidRequest"));
    } catch (const std::exception &error) {
        return Ran::failure(QStringLiteral("training failed: %1").arg(QString::fromStdString(error.what())),
                            QStringLiteral("RunFailed"));
    }
}

} // namespace

QString runFolderFor(const QString &trainingRoot, const QString &outputName)
{
    return QDir(trainingRoot).filePath(outputName);
}

Result<TrainingOutcome> runTraining(const TrainingJob &job, const generation::ModelLibrary &library,
                                    models::ModelInstaller &installer, const QString &trainingRoot,
                                    const std::function<bool(const engine::TrainingProgress &)> &onProgress)
{
    if (!validName(job.outputName))
        return failed(QStringLiteral("\"%1\" cannot name a model: give a name without slashes").arg(job.outputName),
                      "InvalidRequest");
    engine::GenerationRequest found;
    models::BaseModel base = models::BaseModel::Unknown;
    if (const Status resolved = generation::resolveMainModel(library, job.model, found, base); !resolved)
        return failed(resolved.error(), "InvalidRequest");
    if (base != models::BaseModel::Unknown && base != models::BaseModel::Amused)
        return failed(QStringLiteral("%1 is a %2 model; only aMUSEd models train here").arg(job.model, toString(base)),
                      "NotAmused");
    const QString modelPath = QString::fromStdString(found.modelPath);
    const int side = job.resolution > 0 ? job.resolution : modelImageSide(modelPath);
    if (side <= 0)
        return failed(QStringLiteral("%1 does not say its image size (transformer/config.json, vqvae/config.json): "
                                     "not an aMUSEd folder, or give the resolution")
                          .arg(modelPath),
                      "NotAmused");
    const auto set = readTrainingSet(job.dataFolder, side, job.settings.seed);
    if (!set)
        return Outcome::failure(set);

    TrainingOutcome outcome;
    outcome.runFolder = runFolderFor(trainingRoot, job.outputName);
    outcome.skipped = set->skipped;
    outcome.images = int(set->examples.size());
    outcome.captionSource = set->captionSource;
    if (!job.resume && QFileInfo::exists(outcome.runFolder + QStringLiteral("/checkpoints")))
        return failed(QStringLiteral("a training run named \"%1\" exists (%2): resume it, or choose another name")
                          .arg(job.outputName, outcome.runFolder),
                      "InvalidRequest");
    const bool lora = job.settings.loraRank > 0;
    const QString outputPath = QDir(library.modelsDir)
                                   .filePath(lora ? QStringLiteral("amused/lora/%1.safetensors").arg(job.outputName)
                                                  : QStringLiteral("amused/main/%1").arg(job.outputName));
    if (!QDir().mkpath(QFileInfo(outputPath).absolutePath()) || !QDir().mkpath(outcome.runFolder + "/validation"))
        return failed(QStringLiteral("cannot create the folders for %1").arg(outputPath), "InvalidRequest");

    const QString baseName = QFileInfo(modelPath).fileName();
    engine::AmusedTrainingRequest request = job.settings;
    request.modelPath = found.modelPath;
    request.examples = set->examples;
    request.runFolder = outcome.runFolder.toStdString();
    request.outputPath = outputPath.toStdString();
    request.resume = job.resume;
    request.recipeJson = recipeJson(job, baseName, set.value(), side);

    LossLog log(outcome.runFolder + QStringLiteral("/loss.csv"));
    QString logFailure;
    const auto watch = [&](const engine::TrainingProgress &progress) {
        if (progress.event == engine::TrainingProgress::Event::Step) {
            if (const Status logged = log.append(progress); !logged) {
                logFailure = logged.error();
                return false;
            }
        } else if (progress.event == engine::TrainingProgress::Event::Validation) {
            for (std::size_t i = 0; i < progress.validationImages.size(); ++i)
                generation::writePngFile(QStringLiteral("%1/validation/step-%2-%3.png")
                                             .arg(outcome.runFolder)
                                             .arg(progress.step, 6, 10, QLatin1Char('0'))
                                             .arg(i),
                                         progress.validationImages[i], {});
        }
        return !onProgress || onProgress(progress);
    };
    const auto ran = runEngine(request, watch);
    if (!ran)
        return Outcome::failure(ran);
    if (!logFailure.isEmpty())
        return failed(logFailure, "RunFailed");
    outcome.finished = ran->finished;
    outcome.stepsDone = ran->stepsDone;
    outcome.resumedFrom = ran->resumedFrom;
    outcome.lastLoss = ran->lastLoss;
    if (!outcome.finished)
        return outcome;

    outcome.outputPath = outputPath;
    models::InstallRequest install;
    install.config =
        QJsonDocument(QJsonObject{{QStringLiteral("name"), job.outputName},
                                  {QStringLiteral("description"), describeRecipe(job, baseName, set.value())}})
            .toJson(QJsonDocument::Compact);
    const auto registered = installer.registerPath(outputPath, install);
    if (!registered)
        return failed(QStringLiteral("the trained model is at %1 but could not be added to the library: %2")
                          .arg(outputPath, registered.error()),
                      "Register");
    outcome.modelKey = registered->key;
    return outcome;
}

QList<QPair<int, double>> readLossLog(const QString &runFolder)
{
    QList<QPair<int, double>> rows;
    QFile file(runFolder + QStringLiteral("/loss.csv"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return rows;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(',');
        bool stepOk = false, lossOk = false;
        const int step = fields.value(0).toInt(&stepOk);
        const double loss = fields.value(1).toDouble(&lossOk);
        if (stepOk && lossOk)
            rows.append({step, loss});
    }
    return rows;
}

} // namespace atelier::training
