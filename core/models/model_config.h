#pragma once

#include "core/models/taxonomy.h"
#include "core/result.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <nlohmann/json_fwd.hpp>

#include <optional>

namespace atelier::models {

// One model in the library: the equivalent of InvokeAI's config records. The common fields apply to every model;
// the specialised ones (optional) apply to some types or formats only, as kSpecialisedFields says. Serialised to
// JSON with the field names below, which are also the names of `--json` output and of sparse updates.
struct ModelConfig
{
    // Common fields.
    QString key;                 // "key": 32 random lowercase hex characters, made at install time
    QString name;                // "name": not unique
    ModelType type = ModelType::Unknown;        // "type"
    ModelFormat format = ModelFormat::Unknown;  // "format"
    BaseModel base = BaseModel::Unknown;        // "base"
    QString path;                // "path": absolute, or relative to the models folder
    QString hash;                // "hash": the content hash, e.g. "sha256:…"
    QString description;         // "description"
    QString source;              // "source": the path, URL or repo id it was installed from
    SourceType sourceType = SourceType::Path;   // "source_type"
    QByteArray sourceApiResponse;  // "source_api_response": the remote metadata as JSON text, or empty
    QString coverImage;          // "cover_image": path of a preview image
    QStringList tags;            // "tags": unique, case-insensitively
    QStringList triggerWords;    // "trigger_words": what to type in a prompt to invoke a LoRA or embedding
    QDateTime addedAt;           // "added_at", UTC
    QDateTime updatedAt;         // "updated_at", UTC
    qint64 fileSize = 0;         // "file_size": bytes on disk, all files of a folder together
    bool missing = false;        // "missing": its files were not found at the last sync (written only when true)
    QStringList copies;          // "copies": the same file under other paths (other tools' folders; written only
                                 // when there are some)

    // Specialised fields; which ones apply is in kSpecialisedFields.
    std::optional<QString> configPath;              // "config_path": checkpoints: the original LDM YAML
    std::optional<QString> vae;                     // "vae": main models: a VAE to use instead of the built-in one
    std::optional<ModelVariant> variant;            // "variant": main models and CLIP encoders
    std::optional<PredictionType> predictionType;   // "prediction_type": main models
    std::optional<bool> upcastAttention;            // "upcast_attention": main models
    std::optional<RepoVariant> repoVariant;         // "repo_variant": diffusers folders
    std::optional<QString> imageEncoder;            // "image_encoder": IP adapters: the CLIP vision model they need

    bool operator==(const ModelConfig &other) const;
    bool operator!=(const ModelConfig &other) const { return !(*this == other); }

    // A fresh random key.
    static QString newKey();
};

// The specialised fields and the models they apply to. A new field is one entry here plus its member above.
struct SpecialisedField
{
    const char *name;
    const char *appliesToWhat;  // for messages: "main models"
    bool (*appliesTo)(ModelType type, ModelFormat format);
};
extern const SpecialisedField kSpecialisedFields[7];

// The names of every field, common and specialised, as in JSON.
QStringList allFieldNames();

// Serialisation. fromJson is strict: unknown fields, wrong types, values outside the taxonomy and specialised
// fields on models they do not apply to all fail with a message naming the field (error type
// "InvalidModelConfig").
nlohmann::ordered_json toJson(const ModelConfig &config);
Result<ModelConfig> fromJson(const nlohmann::ordered_json &object);

// For documents this program validated before storing them (the record store's rows): reads the fields with the
// same type checks but skips the whole-record validation, which costs more than the parse on large pages.
Result<ModelConfig> fromTrustedJson(const nlohmann::ordered_json &object);

// Trims tags and trigger words and drops empty ones and case-insensitive duplicates (fromJson does the same).
void normalise(ModelConfig &config);

// Checks a config as fromJson would (used before every write).
Status validate(const ModelConfig &config);

// Applies a sparse change ({"name": "…", "tags": […]}) to `config`: the given fields replace theirs, null clears an
// optional field. The key and added_at cannot change. The result is validated as a whole.
Result<ModelConfig> applyChanges(const ModelConfig &config, const nlohmann::ordered_json &changes);

// A record's path (or cover, or config file) as an absolute path: relative ones are relative to the models folder.
QString absoluteModelPath(const QString &path, const QString &modelsDir);

} // namespace atelier::models

Q_DECLARE_METATYPE(atelier::models::ModelConfig)
