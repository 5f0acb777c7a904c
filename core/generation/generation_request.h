#pragma once

// What a front end asks the generation service for, and what it gets back: Qt and plain types only.
#include "core/engine/pipeline/generate.h"
#include "core/engine/pipeline/sampling_settings.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace atelier::generation {

// A LoRA as the user named it: a file, or a library LoRA by key, unique key start, name or file name.
struct LoraChoice
{
    QString model;
    double strengthModel = 1.0; // the UNet's
    double strengthClip = 1.0;  // the text encoder's
};

struct GenerationRequest : engine::SamplingSettings
{
    // A checkpoint or diffusers folder, or a library main model by key, unique key start, name or file name; a
    // library model brings its config file and prediction type.
    QString model;
    QString configPath;    // LDM YAML; empty: the library record's, or none
    // A VAE used instead of the model's own: a file or folder, or a library VAE as the model is named. Empty: the
    // library record's VAE override, or the model's own VAE.
    QString vae;
    QString prediction;    // "", "epsilon" or "v": overrides the files and the record
    QString initImagePath; // img2img from this PNG, whose size then decides the output's
    // The init image's pixels where the front end decoded another format itself; initImagePath then only names
    // the file, whose hash the recipe records.
    engine::RgbImage initPixels;
    QList<LoraChoice> loras; // applied in order, each on the one before
    // Folders of textual-inversion files, named by file name in prompts; the library's embeddings are always
    // searched too.
    QStringList embeddingFolders;
    // A model that takes over for the last steps and decodes: SDXL's refiner, or another model of the same latent
    // space, named as `model` is. It runs after `refinerSwitch` of the steps, in (0, 1).
    QString refiner;
    double refinerSwitch = 0.8;
    QString device = QStringLiteral("cpu");     // "cpu", "cuda", "cuda:N"
    QString precision = QStringLiteral("fp32"); // fp32, fp16, bf16
    // FILE.png (a batch adds FILE-2.png, FILE-3.png ...), replaced when it exists. Empty: a new file in the
    // outputs folder, named by date, time and seed.
    QString outputPath;
    QString saveLatentPath;  // optional .safetensors of the final latent
    bool writeRecipe = true; // the recipe's text chunks in every image
    bool previews = false;   // a small preview of the latent after every step (1/8 of the image's size)
    engine::MaskedTokenSettings maskedTokens; // aMUSEd models only
};

struct GenerationOutcome
{
    QStringList imagePaths;
    // What the user should know although the run succeeded: LoRA keys that matched nothing, words that named no
    // embedding, a library that could not be read.
    QStringList warnings;
    QString family;        // "sd-1", "sd-2", "sdxl"
    QString refinerFamily; // when a refiner ran: "sdxl-refiner", "sdxl" ...
    QString prediction; // "epsilon", "v"
    QStringList loadReport; // where each submodel came from: "unet: from RAM (1.60 GiB, 0.00 s)"
    double loadSeconds = 0;
    double sampleSeconds = 0;
};

// Why a run ended without images. Error types (Result::errorType and GenerationFailure::type):
constexpr const char *kInvalidRequest = "InvalidRequest"; // a parameter or a prompt cannot be run as given
constexpr const char *kCancelled = "Cancelled";
constexpr const char *kRunFailed = "RunFailed"; // the model, a LoRA, the device or the output failed

struct GenerationFailure
{
    QString type;
    QString message;
};

} // namespace atelier::generation

Q_DECLARE_METATYPE(atelier::engine::RgbImage)
Q_DECLARE_METATYPE(atelier::generation::GenerationOutcome)
Q_DECLARE_METATYPE(atelier::generation::GenerationFailure)
