#pragma once

// The models a generation request names, found in the library: main models, LoRAs and embeddings by what users
// type (see models::lookUpModel), with the paths, config files and prediction types their records hold.
#include "core/engine/pipeline/generate.h"
#include "core/generation/generation_request.h"
#include "core/models/taxonomy.h"
#include "core/result.h"

#include <vector>

namespace atelier::models {
class RecordStore;
}

namespace atelier::generation {

struct ModelLibrary
{
    models::RecordStore *store = nullptr; // open, or its open() error is every lookup's; null: no library
    QString modelsDir;                    // where the records' relative paths start
};

// `given` is a file or folder that exists, or a library main model; a record's path, config and prediction type
// fill what the request leaves empty. `base` is the record's base, or Unknown for a file.
Status resolveMainModel(const ModelLibrary &library, const QString &given, engine::GenerationRequest &request,
                        models::BaseModel &base, QString *vaeOverride = nullptr);

// The refiner `given` names (a file or folder, or a library main model) into request.refinerPath. A library model
// whose base reads another latent space than `modelBase` (an SD 1.x model for an SDXL base) is refused here, before
// anything loads.
Status resolveRefiner(const ModelLibrary &library, const QString &given, models::BaseModel modelBase,
                      engine::GenerationRequest &request);

// The VAE to decode with instead of the model's own: `given` (a file or folder, or a library VAE), else the
// override the main model's record names (a library VAE or a path in the models folder). `modelBase` must match a
// library VAE's base when both are known. Leaves request.vaePath empty when neither names one.
Status resolveVae(const ModelLibrary &library, const QString &given, engine::GenerationRequest &request,
                  models::BaseModel modelBase);

// A LoRA file, or a library LoRA whose base must be the model's when both are known.
Result<engine::LoRAApplication> resolveLora(const ModelLibrary &library, const LoraChoice &choice,
                                            models::BaseModel modelBase);

// The library's embeddings, under their file names (as prompts name them) and their record names.
Result<std::vector<engine::NamedEmbedding>> libraryEmbeddings(const ModelLibrary &library);

} // namespace atelier::generation
