#include "core/generation/library_models.h"

#include "core/models/model_config.h"
#include "core/models/model_lookup.h"
#include "core/models/record_store.h"

#include <QFileInfo>

namespace atelier::generation {

namespace {

bool knownBase(models::BaseModel base)
{
    return base != models::BaseModel::Unknown && base != models::BaseModel::Any;
}

// SD 1.x's VAEs serve SD 2.x as well (the probe labels them sd-1); SDXL's latent space is another.
bool vaeFitsBase(models::BaseModel vae, models::BaseModel model)
{
    const auto sd12 = [](models::BaseModel base) {
        return base == models::BaseModel::Sd1 || base == models::BaseModel::Sd2;
    };
    return vae == model || (sd12(vae) && sd12(model));
}

// The engine's name of a record's prediction type.
std::string predictionName(models::PredictionType type)
{
    switch (type) {
    case models::PredictionType::VPrediction:
        return "v";
    case models::PredictionType::Sample:
        return "sample";
    default:
        return "epsilon";
    }
}

// The record that `given` names, which must be of `type`; the error says "GIVEN is WHAT in the library (why)" when
// there is none, and names the record's type when it differs.
Result<models::ModelConfig> libraryRecord(const ModelLibrary &library, const QString &given, models::ModelType type,
                                          const QString &what)
{
    const auto missing = [&](const QString &why) {
        return Result<models::ModelConfig>::failure(
            QStringLiteral("%1 is %2 in the library (%3)").arg(given, what, why));
    };
    if (!library.store)
        return missing(QStringLiteral("no library is open"));
    if (!library.store->isOpen())
        if (const Status opened = library.store->open(); !opened)
            return missing(opened.error());
    const Result<models::ModelConfig> record = models::lookUpModel(*library.store, given, type);
    if (!record)
        return missing(record.error());
    if (record->type != type)
        return Result<models::ModelConfig>::failure(
            QStringLiteral("%1 (%2) is a %3, not a %4")
                .arg(record->key, record->name, models::toString(record->type),
                     type == models::ModelType::Main ? QStringLiteral("main model") : models::toString(type)));
    return record;
}

std::string libraryPath(const ModelLibrary &library, const QString &recordPath)
{
    return models::absoluteModelPath(recordPath, library.modelsDir).toStdString();
}

} // namespace

Status resolveMainModel(const ModelLibrary &library, const QString &given, engine::GenerationRequest &request,
                        models::BaseModel &base, QString *vaeOverride)
{
    base = models::BaseModel::Unknown;
    if (QFileInfo::exists(given)) {
        request.modelPath = given.toStdString();
        return {};
    }
    const Result<models::ModelConfig> record =
        libraryRecord(library, given, models::ModelType::Main, QStringLiteral("neither a file or folder nor a model"));
    if (!record)
        return Status::failure(record.error());
    base = record->base;
    request.modelPath = libraryPath(library, record->path);
    if (request.configPath.empty() && record->configPath && !record->configPath->isEmpty())
        request.configPath = libraryPath(library, *record->configPath);
    if (request.prediction.empty() && record->predictionType)
        request.prediction = predictionName(*record->predictionType);
    if (vaeOverride && record->vae) {
        // A record's relative path is in the models folder, never in whatever folder the process runs in.
        const QString inModels = models::absoluteModelPath(*record->vae, library.modelsDir);
        *vaeOverride = QFileInfo(*record->vae).isRelative() && QFileInfo::exists(inModels) ? inModels : *record->vae;
    }
    return {};
}

Status resolveRefiner(const ModelLibrary &library, const QString &given, models::BaseModel modelBase,
                      engine::GenerationRequest &request)
{
    engine::GenerationRequest found;
    models::BaseModel refinerBase = models::BaseModel::Unknown;
    if (const Status resolved = resolveMainModel(library, given, found, refinerBase); !resolved)
        return Status::failure(QStringLiteral("the refiner: %1").arg(resolved.error()));
    const auto sdxlLatents = [](models::BaseModel base) {
        return base == models::BaseModel::Sdxl || base == models::BaseModel::SdxlRefiner;
    };
    if (knownBase(modelBase) && knownBase(refinerBase) && sdxlLatents(modelBase) != sdxlLatents(refinerBase))
        return Status::failure(QStringLiteral("the refiner %1 is a %2 model and cannot refine a %3 model's latent "
                                              "(an SDXL base takes the SDXL refiner or another SDXL model)")
                                   .arg(given, models::toString(refinerBase), models::toString(modelBase)));
    request.refinerPath = found.modelPath;
    return {};
}

Status resolveVae(const ModelLibrary &library, const QString &given, engine::GenerationRequest &request,
                  models::BaseModel modelBase)
{
    if (given.isEmpty())
        return {};
    if (QFileInfo::exists(given)) {
        request.vaePath = given.toStdString();
        return {};
    }
    if (QFileInfo(given).isRelative() && !library.modelsDir.isEmpty() &&
        QFileInfo::exists(models::absoluteModelPath(given, library.modelsDir))) {
        request.vaePath = libraryPath(library, given);
        return {};
    }
    const Result<models::ModelConfig> record =
        libraryRecord(library, given, models::ModelType::Vae, QStringLiteral("neither a file or folder nor a VAE"));
    if (!record)
        return Status::failure(record.error());
    if (knownBase(record->base) && knownBase(modelBase) && !vaeFitsBase(record->base, modelBase))
        return Status::failure(QStringLiteral("the VAE %1 is for %2 models; the model is %3")
                                   .arg(record->name, models::toString(record->base), models::toString(modelBase)));
    request.vaePath = libraryPath(library, record->path);
    return {};
}

Result<engine::LoRAApplication> resolveLora(const ModelLibrary &library, const LoraChoice &choice,
                                            models::BaseModel modelBase)
{
    engine::LoRAApplication lora;
    lora.path = choice.model.toStdString();
    lora.strengthModel = choice.strengthModel;
    lora.strengthClip = choice.strengthClip;
    if (QFileInfo(choice.model).isFile())
        return lora;
    const Result<models::ModelConfig> record =
        libraryRecord(library, choice.model, models::ModelType::Lora, QStringLiteral("neither a file nor a LoRA"));
    if (!record)
        return Result<engine::LoRAApplication>::failure(record.error());
    if (knownBase(record->base) && knownBase(modelBase) && record->base != modelBase)
        return Result<engine::LoRAApplication>::failure(
            QStringLiteral("the LoRA %1 is for %2 models; the model is %3")
                .arg(record->name, models::toString(record->base), models::toString(modelBase)));
    lora.path = libraryPath(library, record->path);
    return lora;
}

Result<std::vector<engine::NamedEmbedding>> libraryEmbeddings(const ModelLibrary &library)
{
    using Embeddings = std::vector<engine::NamedEmbedding>;
    if (!library.store)
        return Embeddings{};
    if (!library.store->isOpen())
        if (const Status opened = library.store->open(); !opened)
            return Result<Embeddings>::failure(opened.error());
    const Result<QList<models::ModelConfig>> records =
        library.store->searchByName(QString(), std::nullopt, models::ModelType::Embedding);
    if (!records)
        return Result<Embeddings>::failure(records.error());
    Embeddings embeddings;
    for (const models::ModelConfig &record : records.value()) {
        const std::string path = libraryPath(library, record.path);
        const QString fileName = QFileInfo(QString::fromStdString(path)).completeBaseName();
        embeddings.push_back({fileName.toStdString(), path});
        if (record.name != fileName)
            embeddings.push_back({record.name.toStdString(), path});
    }
    return embeddings;
}

} // namespace atelier::generation
