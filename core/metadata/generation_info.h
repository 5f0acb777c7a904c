#pragma once

#include "core/metadata/png_text.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace atelier::metadata {

struct ModelReference
{
    QString name;
    QString hash;  // as the tool wrote it (A1111: the 10-digit short hash)
};

struct LoraUse
{
    QString name;
    std::optional<double> weight;     // the model (UNet) strength
    QString hash;                     // as the tool wrote it; Atelier writes the full SHA-256
    std::optional<double> clipWeight; // the text-encoder strength, where the tool states it apart
};

// aMUSEd's own sampler settings, for its images.
struct MaskedTokenRecipe
{
    double temperatureStart = 2.0;
    double temperatureEnd = 0.0;
    double aestheticScore = 6.0;
    int cropTop = 0;
    int cropLeft = 0;
};

// The recipe of an image, normalised from whichever tool wrote it. A value the metadata does not state stays
// empty: nothing is guessed.
struct GenerationInfo
{
    QString tool;          // "ComfyUI", "A1111", "none" (no metadata), "unknown" (text chunks of no known tool)
    QString toolVersion;
    std::optional<QString> prompt;
    std::optional<QString> negativePrompt;
    std::optional<quint64> seed; // 0 to 2^64 - 1, as in ComfyUI (whose random seeds are past 2^63 half the time)
    std::optional<int> steps;
    std::optional<QString> sampler;
    std::optional<QString> scheduler;
    std::optional<double> cfg;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<double> denoise;
    std::optional<ModelReference> model;
    std::optional<ModelReference> vae; // a VAE used instead of the model's own
    std::optional<ModelReference> refiner; // a model that ran the last steps (A1111's "Refiner")
    std::optional<double> refinerSwitch;   // the share of the steps the first model ran, in (0, 1)
    QList<LoraUse> loras;
    QList<ModelReference> embeddings; // textual inversions named by the prompts, with hashes where stated
    std::optional<int> clipSkip;
    std::optional<MaskedTokenRecipe> maskedTokens; // an aMUSEd (MUSE family) image: its sampler's settings
    QString initImageSha256;  // img2img: the SHA-256 of the init image's file
    int batchIndex = 0;       // which image of a batch (all share the seed, as in ComfyUI)
    int samplingPasses = 0;   // samplers in a ComfyUI graph; the fields above describe the first pass
    QList<TextChunk> chunks;  // the raw text chunks
    QStringList warnings;     // what could not be read, and why
};

// A seed written as text: decimal digits for a number from 0 to 18446744073709551615, nothing else (no sign, no
// spaces, no fraction). Empty when the text is not one, so that the caller can say why.
std::optional<quint64> parseSeed(QStringView text);

// Reads an image's text chunks and recognises Atelier (`atelier_metadata`), InvokeAI, ComfyUI (`prompt` API graph,
// with `workflow` kept raw), SwarmUI, Fooocus, NovelAI and A1111/Forge and the tools writing its line
// (`parameters`); an image without a text recipe is searched for A1111's stealth metadata in its pixels. Fails
// only when the file cannot be read as a PNG at all.
Result<GenerationInfo> readGenerationInfo(const QString &path);
// The same for a PNG already in memory (the file read once by whoever needs its bytes too).
Result<GenerationInfo> readGenerationInfo(const QByteArray &png);
GenerationInfo describeText(const PngText &text);

// A1111's `parameters` text: prompt lines, "Negative prompt: ..." lines, then "Key: value, ..." with quoted values.
GenerationInfo parseA1111Parameters(const QString &parameters);
// ComfyUI's API graph: the first sampling pass's settings, prompts, checkpoint and LoRAs, found by following links.
GenerationInfo parseComfyUiPrompt(const QString &promptJson);
// InvokeAI: `invokeai_metadata` (3.x to 5.x), the legacy `sd-metadata` JSON (2.x) and the `Dream` command line
// (1.x: "prompt" -s steps -S seed -W width -H height -C cfg -A sampler -f strength).
GenerationInfo parseInvokeAiMetadata(const QString &metadataJson);
GenerationInfo parseInvokeAiLegacy(const QString &sdMetadataJson);
GenerationInfo parseDreamCommand(const QString &dream);
// ComfyUI's editor graph (`workflow`: nodes with positional widget values, links as [id, from, slot, to, slot,
// type]), read through the API shape for the node types whose widgets are known; used when `prompt` is absent.
GenerationInfo parseComfyUiWorkflow(const QString &workflowJson);
// A1111's stealth metadata (stealth_info.cpp): text hidden in the pixels' low bits, for images whose text chunks
// were stripped; empty when there is none. What makes it unreadable goes into `warnings`.
std::optional<QString> readStealthText(const QByteArray &png, QStringList &warnings);
// JSON recipes (json_tool_readers.cpp): Fooocus's and SwarmUI's `parameters` (JSON where A1111 writes text) and
// NovelAI's `Comment` (with the prompt in `Description` and the model in `Source`).
bool isFooocusParameters(const QString &parameters);
bool isSwarmUiParameters(const QString &parameters);
GenerationInfo parseFooocusParameters(const QString &parametersJson);
GenerationInfo parseSwarmUiParameters(const QString &parametersJson);
GenerationInfo parseNovelAiComment(const QString &commentJson, const QString &description, const QString &source);
// Atelier's own `atelier_metadata` JSON.
GenerationInfo parseAtelierMetadata(const QString &metadataJson);

// What Atelier writes into the images it saves: `atelier_metadata` (versioned JSON: the app, the recipe, model
// names with their full and short SHA-256, the init image's hash, and the pipeline as ordered steps),
// `atelier_workflow` (the graph that made the image) and `parameters` in A1111's format, so that other tools show
// the prompt and settings. No file paths.
QList<TextChunk> recipeChunks(const GenerationInfo &recipe);
// The graph of a txt2img/img2img run: {"format": "atelier-workflow", "version": 1, "nodes": {...}}, the nodes in
// ComfyUI's API shape (an id to {"class_type", "inputs"}, links as [node id, output index]) and node types, so
// that the graph opens in ComfyUI as well as in Atelier.
QString recipeWorkflow(const GenerationInfo &recipe);
// The recipe in A1111's `parameters` format (ComfyUI's sampler and scheduler names in A1111's spelling).
QString a1111Parameters(const GenerationInfo &recipe);

} // namespace atelier::metadata
