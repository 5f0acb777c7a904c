#include "core/engine/family/model_family.h"

#include "core/engine/error.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

namespace atelier::engine {

namespace fs = std::filesystem;
using json = nlohmann::json;

const char *familyName(ModelFamily family)
{
    switch (family) {
    case ModelFamily::Sd1:
        return "sd-1";
    case ModelFamily::Sd2:
        return "sd-2";
    case ModelFamily::Sdxl:
        return "sdxl";
    case ModelFamily::SdxlRefiner:
        return "sdxl-refiner";
    case ModelFamily::Amused:
        return "amused";
    }
    return "sd-1";
}

std::optional<ModelFamily> familyFromContextWidth(std::int64_t width)
{
    switch (width) {
    case 768:
        return ModelFamily::Sd1;
    case 1024:
        return ModelFamily::Sd2;
    case 2048:
        return ModelFamily::Sdxl;
    case 1280:
        return ModelFamily::SdxlRefiner;
    default:
        return std::nullopt;
    }
}

// ---- Tensor shapes --------------------------------------------------------------------------------------------

void TensorShapes::add(std::string name, std::vector<std::int64_t> shape)
{
    m_entries.push_back({std::move(name), std::move(shape)});
}

void TensorShapes::sortByName()
{
    std::sort(m_entries.begin(), m_entries.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
}

std::vector<TensorShapes::Entry>::const_iterator TensorShapes::lowerBound(const std::string &name) const
{
    return std::lower_bound(m_entries.begin(), m_entries.end(), name,
                            [](const Entry &entry, const std::string &n) { return entry.name < n; });
}

const TensorShapes::Entry *TensorShapes::find(const std::string &name) const
{
    const auto it = lowerBound(name);
    return it != m_entries.end() && it->name == name ? &*it : nullptr;
}

bool TensorShapes::hasPrefix(const std::string &prefix) const
{
    const auto it = lowerBound(prefix);
    return it != m_entries.end() && it->name.compare(0, prefix.size(), prefix) == 0;
}

bool TensorShapes::anyContains(const std::string &part) const
{
    return std::any_of(m_entries.begin(), m_entries.end(),
                       [&](const Entry &entry) { return entry.name.find(part) != std::string::npos; });
}

std::int64_t TensorShapes::dim(const std::string &name, std::size_t dimension) const
{
    const Entry *entry = find(name);
    return entry && entry->shape.size() > dimension ? entry->shape[dimension] : -1;
}

std::int64_t TensorShapes::dimOfFirst(std::initializer_list<const char *> parts, std::size_t dimension,
                                      std::string *found) const
{
    for (const Entry &entry : m_entries) {
        const bool matches = std::all_of(parts.begin(), parts.end(),
                                         [&](const char *part) { return entry.name.find(part) != std::string::npos; });
        if (matches && entry.shape.size() > dimension) {
            if (found)
                *found = entry.name;
            return entry.shape[dimension];
        }
    }
    return -1;
}

// ---- Single-file checkpoints ----------------------------------------------------------------------------------

const char *assumedPredictionNote()
{
    return "prediction type v_prediction is assumed: SD 2.x 768 models predict v, but the 512 \"base\" ones predict "
           "epsilon and the weights cannot tell; put the model's YAML config beside it, or set the prediction type, "
           "to be sure";
}

namespace {

void findTextEncoders(const TensorShapes &w, FamilyFindings &f)
{
    if (w.hasPrefix("conditioner.embedders.1.model.") && w.hasPrefix("conditioner.embedders.0.transformer.")) {
        f.family = ModelFamily::Sdxl;
        f.textEncoder = TextEncoderLayout::SdxlPair;
        f.evidence.push_back("two text encoders, CLIP-L and OpenCLIP-G (conditioner.embedders.0/1): SDXL");
    } else if (w.hasPrefix("conditioner.embedders.0.model.") && !w.hasPrefix("conditioner.embedders.1.")) {
        f.family = ModelFamily::SdxlRefiner;
        f.textEncoder = TextEncoderLayout::SdxlRefinerG;
        f.evidence.push_back("one OpenCLIP-G text encoder under conditioner.embedders.0: the SDXL refiner");
    } else if (w.hasPrefix("cond_stage_model.model.")) {
        f.family = ModelFamily::Sd2;
        f.textEncoder = TextEncoderLayout::OpenClip;
        f.evidence.push_back("an OpenCLIP text encoder under cond_stage_model.model.: SD 2.x");
    } else if (w.hasPrefix("cond_stage_model.transformer.")) {
        f.family = ModelFamily::Sd1;
        f.textEncoder = TextEncoderLayout::ClipL;
        f.evidence.push_back("a CLIP-L text encoder under cond_stage_model.transformer.: SD 1.x");
    } else {
        std::string key;
        const std::int64_t width = w.dimOfFirst({"model.diffusion_model.", "attn2.to_k.weight"}, 1, &key);
        f.family = familyFromContextWidth(width);
        if (f.family)
            f.evidence.push_back("no text encoder inside; cross-attention width " + std::to_string(width) + " (" + key +
                                 "): " + familyName(*f.family));
        else
            f.evidence.push_back("no known text encoder and cross-attention width " + std::to_string(width) +
                                 ": the base is unknown");
    }
}

} // namespace

FamilyFindings checkpointFamily(const TensorShapes &weights)
{
    FamilyFindings findings;
    findTextEncoders(weights, findings);
    findings.unetInChannels = weights.dim("model.diffusion_model.input_blocks.0.0.weight", 1);
    if (weights.has("v_pred")) {
        findings.prediction = Prediction::V;
        findings.evidence.push_back("a \"v_pred\" marker key: the model predicts v");
    } else if (findings.family == ModelFamily::Sd2) {
        findings.prediction = Prediction::V;
        findings.predictionAssumed = true;
    } else if (findings.family) {
        findings.prediction = Prediction::Epsilon;
    }
    if (weights.has("ztsnr")) {
        findings.zeroTerminalSnr = true;
        findings.evidence.push_back("a \"ztsnr\" marker key: its noise schedule ends in pure noise");
    }
    return findings;
}

// ---- LDM / SGM YAML -------------------------------------------------------------------------------------------

namespace {

// The node at `keys` below `start`, or an undefined node: yaml-cpp throws when indexing into a missing one.
// (Node::operator= would overwrite the node it refers to; reset() rebinds.)
YAML::Node child(const YAML::Node &start, std::initializer_list<const char *> keys)
{
    YAML::Node node;
    node.reset(start);
    for (const char *key : keys) {
        if (!node || !node.IsMap() || !static_cast<const YAML::Node &>(node)[key])
            return YAML::Node(YAML::NodeType::Undefined);
        node.reset(static_cast<const YAML::Node &>(node)[key]);
    }
    return node;
}

template <typename T> void readIf(const YAML::Node &node, std::optional<T> &target)
{
    if (node)
        target = node.as<T>();
}

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// SD 1.x/2.x name one text encoder (cond_stage_config), SGM configs (SDXL) a list of embedders.
std::optional<ModelFamily> familyFromEncoders(const YAML::Node &params, const YAML::Node &unet,
                                              const std::string &target)
{
    std::vector<std::string> encoders;
    if (const YAML::Node cond = child(params, {"cond_stage_config", "target"}))
        encoders.push_back(cond.as<std::string>(""));
    if (const YAML::Node models = child(params, {"conditioner_config", "params", "emb_models"});
        models && models.IsSequence()) {
        for (const YAML::Node &model : models)
            encoders.push_back(child(model, {"target"}).as<std::string>(""));
    }
    const auto uses = [&](const std::string &suffix) {
        return std::any_of(encoders.begin(), encoders.end(), [&](const std::string &e) { return endsWith(e, suffix); });
    };
    if (uses(".FrozenOpenCLIPEmbedder2"))
        return uses(".FrozenCLIPEmbedder") ? ModelFamily::Sdxl : ModelFamily::SdxlRefiner;
    if (uses(".FrozenOpenCLIPEmbedder"))
        return ModelFamily::Sd2;
    if (uses(".FrozenCLIPEmbedder"))
        return ModelFamily::Sd1;
    if (const YAML::Node width = child(unet, {"context_dim"});
        width && target == "ldm.models.diffusion.ddpm.LatentDiffusion")
        return familyFromContextWidth(width.as<std::int64_t>(0));
    return std::nullopt;
}

void readLdmParams(const YAML::Node &root, LdmConfig &config)
{
    const YAML::Node params = child(root, {"model", "params"});
    const std::string target = child(root, {"model", "target"}).as<std::string>("");
    const YAML::Node unet = child(params, {"unet_config", "params"}) ? child(params, {"unet_config", "params"})
                                                                     : child(params, {"network_config", "params"});
    // LDM's parameterization defaults to "eps": a config that names a model class and no parameterization
    // states epsilon.
    if (const YAML::Node parameterization = child(params, {"parameterization"}))
        config.prediction = parameterization.as<std::string>() == "v"    ? Prediction::V
                            : parameterization.as<std::string>() == "x0" ? Prediction::Sample
                                                                         : Prediction::Epsilon;
    else if (const std::string scaling =
                 child(params, {"denoiser_config", "params", "scaling_config", "target"}).as<std::string>("");
             !scaling.empty())
        // SGM (SDXL) names the prediction by the denoiser's scaling: VScaling predicts v, EpsScaling the noise.
        config.prediction = scaling.find("VScaling") != std::string::npos ? Prediction::V : Prediction::Epsilon;
    else if (!target.empty() && target.rfind("sgm.", 0) != 0)
        // (An SGM config without a denoiser section says nothing; a "v_pred" key in the weights may.)
        config.prediction = Prediction::Epsilon;
    readIf(child(unet, {"in_channels"}), config.unetInChannels);
    readIf(child(params, {"linear_start"}), config.linearStart);
    readIf(child(params, {"linear_end"}), config.linearEnd);
    readIf(child(params, {"scale_factor"}), config.scaleFactor);
    if (const YAML::Node heads = child(unet, {"num_heads"}); heads && heads.as<std::int64_t>() > 0)
        config.unetHeads = heads.as<std::int64_t>();
    if (const YAML::Node channels = child(unet, {"num_head_channels"}); channels && channels.as<std::int64_t>() > 0)
        config.unetHeadChannels = channels.as<std::int64_t>();
    YAML::Node text = child(params, {"cond_stage_config", "params"});
    // SGM (SDXL): the first embedder is CLIP-L, the second OpenCLIP-G.
    if (const YAML::Node models = child(params, {"conditioner_config", "params", "emb_models"});
        !text && models && models.IsSequence() && models.size() >= 1) {
        text = child(models[0], {"params"});
        if (models.size() >= 2)
            readIf(child(models[1], {"params", "heads"}), config.text2Heads);
    }
    readIf(child(text, {"heads"}), config.textHeads);
    if (const YAML::Node act = child(text, {"hidden_act"}))
        config.textQuickGelu = act.as<std::string>() == "quick_gelu";
    config.textPenultimateLayer = child(text, {"layer"}).as<std::string>("") == "penultimate";
    config.family = familyFromEncoders(params, unet, target);
}

} // namespace

LdmConfig readLdmConfig(const std::string &path)
{
    LdmConfig config;
    config.fileName = fs::path(path).filename().string();
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::Exception &error) {
        throw FormatError(config.fileName + ": not a readable YAML config (" + error.what() + ")");
    }
    if (!child(root, {"model", "params"}))
        throw FormatError(config.fileName + ": no model.params section; not an LDM config");
    try {
        readLdmParams(root, config);
    } catch (const YAML::Exception &error) {
        throw FormatError(config.fileName + ": a value has the wrong type (" + error.what() + ")");
    }
    return config;
}

std::string ldmConfigBeside(const std::string &checkpointPath)
{
    for (const char *suffix : {".yaml", ".yml"}) {
        fs::path candidate(checkpointPath);
        candidate.replace_extension(suffix);
        std::error_code error;
        if (fs::is_regular_file(candidate, error))
            return candidate.string();
    }
    return {};
}

void applyLdmConfig(const LdmConfig &config, FamilyFindings &findings)
{
    if (config.family)
        findings.family = config.family;
    if (config.prediction) {
        findings.prediction = config.prediction;
        findings.predictionAssumed = false;
    }
    if (config.unetInChannels)
        findings.unetInChannels = *config.unetInChannels;
    const auto stated = [](bool known, const std::string &value) { return known ? value : "(not stated)"; };
    findings.evidence.push_back(
        "config " + config.fileName + " decides: base " +
        stated(bool(config.family), config.family ? familyName(*config.family) : "") + ", in_channels " +
        stated(bool(config.unetInChannels), config.unetInChannels ? std::to_string(*config.unetInChannels) : "") +
        ", prediction type " +
        stated(bool(config.prediction), config.prediction ? predictionName(*config.prediction) : ""));
}

// ---- Diffusers folders ----------------------------------------------------------------------------------------

namespace {

std::string stringField(const json &object, const char *field)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t intField(const json &object, const char *field)
{
    if (!object.is_object())
        return -1;
    const auto it = object.find(field);
    return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

// A component model_index.json lists with a class (["transformers", "CLIPTextModel"]), not [null, null].
bool lists(const json &index, const char *component)
{
    if (!index.is_object())
        return false;
    const auto it = index.find(component);
    return it != index.end() && it->is_array() && !it->empty() && !(*it)[0].is_null();
}

// model_index.json names `component` as ["library", "className"].
bool listsClass(const json &index, const char *component, const char *className)
{
    if (!lists(index, component))
        return false;
    const json &entry = index[component];
    return entry.size() >= 2 && entry[1].is_string() && entry[1].get<std::string>() == className;
}

} // namespace

std::optional<Prediction> predictionFromDiffusers(const std::string &name)
{
    if (name == "epsilon")
        return Prediction::Epsilon;
    if (name == "v_prediction")
        return Prediction::V;
    if (name == "sample")
        return Prediction::Sample;
    return std::nullopt;
}

const char *predictionName(Prediction prediction)
{
    switch (prediction) {
    case Prediction::V:
        return "v_prediction";
    case Prediction::Sample:
        return "sample";
    case Prediction::Epsilon:
        break;
    }
    return "epsilon";
}

FamilyFindings diffusersFamily(const json &index, const json &unet, const json &textEncoder, const json &scheduler)
{
    FamilyFindings f;
    const std::string pipeline = stringField(index, "_class_name");
    const std::int64_t width = intField(unet, "cross_attention_dim");
    const auto sd12 = familyFromContextWidth(width);
    const std::string activation = stringField(textEncoder, "hidden_act");
    if (listsClass(index, "transformer", "UVit2DModel") && listsClass(index, "vqvae", "VQModel")) {
        f.family = ModelFamily::Amused;
        f.evidence.push_back("model_index.json lists a UVit2DModel transformer and a VQModel vqvae: an aMUSEd "
                             "(MUSE family) model");
        return f;
    }
    if (pipeline.find("StableDiffusionXL") != std::string::npos) {
        const bool refiner = !lists(index, "text_encoder") && lists(index, "text_encoder_2");
        f.family = refiner ? ModelFamily::SdxlRefiner : ModelFamily::Sdxl;
        f.evidence.push_back(refiner ? "only the second (OpenCLIP-G) text encoder: the SDXL refiner"
                                     : "an SDXL pipeline with both text encoders");
    } else if (sd12 && (*sd12 == ModelFamily::Sd1 || *sd12 == ModelFamily::Sd2)) {
        f.family = sd12;
        f.evidence.push_back("unet/config.json: cross_attention_dim " + std::to_string(width) + ": " +
                             familyName(*sd12));
    } else if (activation == "quick_gelu" || activation == "gelu") {
        // Shrunk or unusual widths: SD 1.x's CLIP-L uses quick_gelu, SD 2.x's OpenCLIP-H uses gelu.
        f.family = activation == "gelu" ? ModelFamily::Sd2 : ModelFamily::Sd1;
        f.evidence.push_back("text encoder activation " + activation +
                             " (CLIP-L uses quick_gelu, OpenCLIP gelu): " + familyName(*f.family));
    } else {
        f.evidence.push_back("neither the pipeline nor its configs say which base this is");
    }
    f.unetInChannels = intField(unet, "in_channels");
    f.prediction = Prediction::Epsilon;
    if (const std::string prediction = stringField(scheduler, "prediction_type"); !prediction.empty()) {
        if (const std::optional<Prediction> named = predictionFromDiffusers(prediction))
            f.prediction = named;
        f.evidence.push_back(
            "scheduler_config.json: prediction_type " + prediction +
            (predictionFromDiffusers(prediction) ? "" : ", which no release uses; epsilon is assumed"));
    }
    if (scheduler.is_object())
        if (const auto rescaled = scheduler.find("rescale_betas_zero_snr");
            rescaled != scheduler.end() && rescaled->is_boolean() && rescaled->get<bool>()) {
            f.zeroTerminalSnr = true;
            f.evidence.push_back(
                "scheduler_config.json: rescale_betas_zero_snr: its noise schedule ends in pure noise");
        }
    if (f.family == ModelFamily::Sd1 || f.family == ModelFamily::Sd2)
        f.textEncoder = activation == "gelu" ? TextEncoderLayout::OpenClip : TextEncoderLayout::ClipL;
    return f;
}

} // namespace atelier::engine
