#pragma once

// Which Stable Diffusion family a main model belongs to and what it predicts, decided once for the probe (which
// labels files in the library) and the loader (which builds the networks). The rules read tensor names and shapes,
// an original LDM/SGM YAML beside a checkpoint and a diffusers folder's configs; no tensor data, no libtorch, no Qt.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atelier::engine {

// The families, named as TAXONOMY.md names their bases. Amused is MUSE's masked-token family (a U-ViT predicting
// VQ-GAN tokens), which shares nothing but the text encoder with the Stable Diffusion families.
enum class ModelFamily { Sd1, Sd2, Sdxl, SdxlRefiner, Amused };
const char *familyName(ModelFamily family); // "sd-1", "sd-2", "sdxl", "sdxl-refiner", "amused"

// What the UNet's output is: the noise (epsilon), v (a mix of noise and image), or the clean sample itself.
enum class Prediction { Epsilon, V, Sample };
const char *predictionName(Prediction prediction); // TAXONOMY.md's "epsilon", "v_prediction", "sample"
// diffusers' prediction_type names (the taxonomy's), or nullopt for another.
std::optional<Prediction> predictionFromDiffusers(const std::string &name);

// Cross-attention width -> family: the rule every tool uses for SD-family UNets (768, 1024, 2048, 1280).
std::optional<ModelFamily> familyFromContextWidth(std::int64_t width);

// The names and shapes of the tensors in a weights file, sorted by name so that prefix questions are a binary
// search.
class TensorShapes
{
public:
    struct Entry
    {
        std::string name;
        std::vector<std::int64_t> shape;
    };

    void add(std::string name, std::vector<std::int64_t> shape); // call sortByName() after the last one
    void sortByName();

    const std::vector<Entry> &entries() const { return m_entries; }
    bool empty() const { return m_entries.empty(); }
    const Entry *find(const std::string &name) const;
    bool has(const std::string &name) const { return find(name) != nullptr; }
    bool hasPrefix(const std::string &prefix) const;
    bool anyContains(const std::string &part) const;
    // Size `dimension` of tensor `name`, or -1.
    std::int64_t dim(const std::string &name, std::size_t dimension) const;
    // Size `dimension` of the first tensor (by name) whose name contains all of `parts`, or -1; its name in `found`.
    std::int64_t dimOfFirst(std::initializer_list<const char *> parts, std::size_t dimension,
                            std::string *found = nullptr) const;

private:
    std::vector<Entry>::const_iterator lowerBound(const std::string &name) const;
    std::vector<Entry> m_entries;
};

// Where a single-file checkpoint keeps its text encoder(s).
enum class TextEncoderLayout {
    None,         // a UNet-and-VAE file (the text encoder ships apart)
    ClipL,        // cond_stage_model.transformer.: SD 1.x's CLIP ViT-L
    OpenClip,     // cond_stage_model.model.: SD 2.x's OpenCLIP ViT-H
    SdxlPair,     // conditioner.embedders.0 (CLIP-L) and .1 (OpenCLIP-G)
    SdxlRefinerG, // conditioner.embedders.0 alone (OpenCLIP-G)
};

// What the rules concluded about a main model, with one line of evidence per conclusion, in words.
struct FamilyFindings
{
    std::optional<ModelFamily> family;
    std::optional<Prediction> prediction;
    // The prediction is the family's usual one, which its weights cannot confirm: SD 2.x's 768-pixel releases
    // predict v, its 512-pixel "base" ones epsilon. A config (or the user) should say.
    bool predictionAssumed = false;
    std::int64_t unetInChannels = -1; // 4 for txt2img models, 9 for inpainting, 5 for depth; -1 unknown
    bool zeroTerminalSnr = false;     // a "ztsnr" marker key: trained on a schedule that ends in pure noise
    TextEncoderLayout textEncoder = TextEncoderLayout::None;
    std::vector<std::string> evidence;
};

// Why an assumed prediction may be wrong, for the evidence of a result that keeps it.
const char *assumedPredictionNote();

// A single-file checkpoint (its UNet under "model.diffusion_model."): the family from where its text encoders are,
// else from the UNet's cross-attention width; the prediction from the family and ComfyUI's "v_pred" marker key.
FamilyFindings checkpointFamily(const TensorShapes &weights);

// What an original LDM/SGM YAML config says; unset fields are not stated in it.
struct LdmConfig
{
    std::string fileName;
    std::optional<ModelFamily> family;
    std::optional<Prediction> prediction;
    std::optional<std::int64_t> unetInChannels;
    std::optional<double> linearStart, linearEnd, scaleFactor;
    std::optional<std::int64_t> unetHeads, unetHeadChannels; // one of them, as the YAML gives it
    std::optional<std::int64_t> textHeads;
    std::optional<bool> textQuickGelu;
    std::optional<std::int64_t> text2Heads; // SDXL's second encoder (OpenCLIP-G), as its embedder states it
    bool textPenultimateLayer = false;
};

// Reads an LDM/SGM YAML. Throws FormatError for a file that is not YAML or whose values have the wrong type.
LdmConfig readLdmConfig(const std::string &path);
// "<stem>.yaml" or "<stem>.yml" beside a checkpoint, when there is one; else empty.
std::string ldmConfigBeside(const std::string &checkpointPath);
// The config decides what it states (it takes precedence over what the weights suggest).
void applyLdmConfig(const LdmConfig &config, FamilyFindings &findings);

// A diffusers folder from its configs (model_index.json, unet/config.json, text_encoder/config.json,
// scheduler/scheduler_config.json; a null json for each one that is missing). An aMUSEd pipeline (its
// model_index.json lists a UVit2DModel transformer and a VQModel vqvae) is ModelFamily::Amused.
FamilyFindings diffusersFamily(const nlohmann::json &modelIndex, const nlohmann::json &unetConfig,
                               const nlohmann::json &textEncoderConfig, const nlohmann::json &schedulerConfig);

} // namespace atelier::engine
