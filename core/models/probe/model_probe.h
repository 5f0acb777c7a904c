#pragma once

#include "core/models/taxonomy.h"
#include "core/result.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace atelier::models {

// What a file or folder was identified as, and why. A field the probe could not establish is left unset (or
// `unknown`), and `evidence` says what was seen, so that a guess is never presented as a fact.
struct ProbeResult
{
    QString path;
    ModelType type = ModelType::Unknown;
    ModelFormat format = ModelFormat::Unknown;
    BaseModel base = BaseModel::Unknown;
    std::optional<ModelVariant> variant;
    std::optional<PredictionType> predictionType;
    std::optional<RepoVariant> repoVariant;
    QString configPath;     // the original LDM YAML beside a checkpoint, when one decided the architecture
    QString name;           // a default name: the file's or folder's base name
    QString description;
    QStringList submodels;  // for diffusers folders: unet, vae, text_encoder …
    QStringList evidence;   // one line per conclusion, in words

    bool identified() const { return type != ModelType::Unknown; }
};

// Identifies the model at `path` (a weights file or a model folder) from its contents, as InvokeAI's probe and
// ComfyUI's loader do: the names and shapes of its tensors, its configs, and the original YAML beside a
// checkpoint, which takes precedence. Files that cannot be read safely fail with a message naming the problem
// (error types "FormatError", "NotFound", "NoWeights", "UnsupportedFormat"); readable files that match no known
// layout come back with type `unknown` and the reason in `evidence`.
Result<ProbeResult> probeModel(const QString &path);

} // namespace atelier::models
