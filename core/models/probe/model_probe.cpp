#include "core/models/probe/model_probe.h"
#include "core/json/bounded_json.h"

#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/torch_checkpoint.h"

#include <QDir>
#include <QFile>
#include <QDirIterator>
#include <QFileInfo>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace atelier::models {

using json = nlohmann::json;

namespace {

// The names, shapes and metadata of a weights file: all the probe looks at. Entries are kept sorted by name, so
// prefix questions are a binary search.
struct WeightsView
{
    struct Entry
    {
        std::string name;
        std::vector<std::int64_t> shape;
    };
    std::vector<Entry> entries;
    std::map<std::string, std::string> metadata;

    void sort()
    {
        std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
    }
    std::vector<Entry>::const_iterator lowerBound(const std::string &name) const
    {
        return std::lower_bound(entries.begin(), entries.end(), name,
                                [](const Entry &entry, const std::string &n) { return entry.name < n; });
    }
    const Entry *find(const std::string &name) const
    {
        const auto it = lowerBound(name);
        return it != entries.end() && it->name == name ? &*it : nullptr;
    }
    bool has(const std::string &name) const { return find(name) != nullptr; }
    bool hasPrefix(const std::string &prefix) const
    {
        const auto it = lowerBound(prefix);
        return it != entries.end() && it->name.compare(0, prefix.size(), prefix) == 0;
    }
    bool anyContains(const std::string &part) const
    {
        return std::any_of(entries.begin(), entries.end(),
                           [&](const Entry &entry) { return entry.name.find(part) != std::string::npos; });
    }
    // Size `dimension` of tensor `name`, or -1.
    std::int64_t dim(const std::string &name, std::size_t dimension) const
    {
        const Entry *entry = find(name);
        return entry && entry->shape.size() > dimension ? entry->shape[dimension] : -1;
    }
    // Size `dimension` of the first tensor (by name) whose name contains all of `parts`, or -1.
    std::int64_t dimOfFirst(std::initializer_list<const char *> parts, std::size_t dimension, std::string *found = nullptr) const
    {
        for (const Entry &entry : entries) {
            bool matches = true;
            for (const char *part : parts)
                matches = matches && entry.name.find(part) != std::string::npos;
            if (matches && entry.shape.size() > dimension) {
                if (found)
                    *found = entry.name;
                return entry.shape[dimension];
            }
        }
        return -1;
    }
};

WeightsView readSafetensors(const QString &path)
{
    engine::SafetensorsFile::Header header = engine::SafetensorsFile::readHeader(QFile::encodeName(path).toStdString());
    WeightsView view;
    view.entries.reserve(header.tensors.size());
    for (std::uint32_t index : header.byName)
        view.entries.push_back({std::move(header.tensors[index].name), std::move(header.tensors[index].shape)});
    view.metadata = std::move(header.metadata);
    return view;
}

WeightsView readTorchCheckpoint(const QString &path)
{
    const engine::TorchCheckpoint checkpoint(QFile::encodeName(path).toStdString());
    WeightsView view;
    for (const engine::CheckpointTensor &tensor : checkpoint.tensors())
        view.entries.push_back({tensor.name, tensor.shape});
    view.sort();
    return view;
}

QString q(const std::string &text) { return QString::fromStdString(text); }

// Cross-attention width -> base, the rule every tool uses for SD-family UNets.
std::optional<BaseModel> baseFromContextWidth(std::int64_t width)
{
    switch (width) {
    case 768:
        return BaseModel::Sd1;
    case 1024:
        return BaseModel::Sd2;
    case 2048:
        return BaseModel::Sdxl;
    case 1280:
        return BaseModel::SdxlRefiner;
    default:
        return std::nullopt;
    }
}

std::optional<ModelVariant> variantFromInChannels(std::int64_t channels)
{
    switch (channels) {
    case 4:
        return ModelVariant::Normal;
    case 9:
        return ModelVariant::Inpaint;
    case 5:
        return ModelVariant::Depth;
    default:
        return std::nullopt;
    }
}

// Standalone VAEs and TAESDs of SD 1.x and SDXL have the same tensors; like InvokeAI, take the base from the name.
BaseModel baseFromVaeName(const QString &name, QStringList &evidence)
{
    const QString lower = name.toLower();
    if (lower.contains(QStringLiteral("xl"))) {
        evidence << QStringLiteral("SD 1.x and SDXL VAEs have the same tensors; the name \"%1\" says SDXL").arg(name);
        return BaseModel::Sdxl;
    }
    evidence << QStringLiteral("SD 1.x and SDXL VAEs have the same tensors; the name \"%1\" does not mention XL, so "
                               "SD 1.x (these VAEs also serve SD 2.x)")
                    .arg(name);
    return BaseModel::Sd1;
}

// ---- The original LDM / SGM YAML beside a checkpoint ----------------------------------------------------------

struct LdmConfig
{
    std::optional<BaseModel> base;
    std::optional<ModelVariant> variant;
    std::optional<PredictionType> predictionType;
};

QString yamlBeside(const QString &weightsPath)
{
    const QFileInfo info(weightsPath);
    for (const char *suffix : {".yaml", ".yml"}) {
        const QString candidate = info.dir().filePath(info.completeBaseName() + QLatin1String(suffix));
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return {};
}

// The node at `keys` below `node`, or an undefined node: yaml-cpp throws when indexing into a missing one.
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

Result<LdmConfig> readLdmConfig(const QString &path, QStringList &evidence)
{
    LdmConfig config;
    try {
        const YAML::Node root = YAML::LoadFile(QFile::encodeName(path).toStdString());
        const YAML::Node params = child(root, {"model", "params"});
        const std::string target = child(root, {"model", "target"}).as<std::string>("");
        const YAML::Node unet = child(params, {"unet_config", "params"}) ? child(params, {"unet_config", "params"})
                                                                         : child(params, {"network_config", "params"});
        if (child(params, {"parameterization"}).as<std::string>("") == "v")
            config.predictionType = PredictionType::VPrediction;
        else if (!target.empty())
            config.predictionType = PredictionType::Epsilon;
        if (const YAML::Node channels = child(unet, {"in_channels"}))
            config.variant = variantFromInChannels(channels.as<std::int64_t>(0));

        std::vector<std::string> encoders;
        if (const YAML::Node cond = child(params, {"cond_stage_config", "target"}))
            encoders.push_back(cond.as<std::string>(""));
        if (const YAML::Node models = child(params, {"conditioner_config", "params", "emb_models"}); models && models.IsSequence()) {
            for (const YAML::Node &model : models)
                encoders.push_back(child(model, {"target"}).as<std::string>(""));
        }
        const auto uses = [&](const std::string &suffix) {
            for (const std::string &encoder : encoders) {
                if (encoder.size() >= suffix.size() && encoder.compare(encoder.size() - suffix.size(), suffix.size(), suffix) == 0)
                    return true;
            }
            return false;
        };
        if (uses(".FrozenOpenCLIPEmbedder2"))
            config.base = uses(".FrozenCLIPEmbedder") ? BaseModel::Sdxl : BaseModel::SdxlRefiner;
        else if (uses(".FrozenOpenCLIPEmbedder"))
            config.base = BaseModel::Sd2;
        else if (uses(".FrozenCLIPEmbedder"))
            config.base = BaseModel::Sd1;
        else if (const YAML::Node width = child(unet, {"context_dim"}); target == "ldm.models.diffusion.ddpm.LatentDiffusion" && width)
            config.base = baseFromContextWidth(width.as<std::int64_t>(0));
    } catch (const YAML::Exception &e) {
        return Result<LdmConfig>::failure(QStringLiteral("%1: not a readable YAML config (%2)").arg(path, QString::fromUtf8(e.what())),
                                          QStringLiteral("FormatError"));
    }
    evidence << QStringLiteral("config %1 decides: base %2, variant %3, prediction type %4")
                    .arg(QFileInfo(path).fileName(), config.base ? toString(*config.base) : QStringLiteral("(not stated)"),
                         config.variant ? toString(*config.variant) : QStringLiteral("(not stated)"),
                         config.predictionType ? toString(*config.predictionType) : QStringLiteral("(not stated)"));
    return config;
}

// ---- Single files ---------------------------------------------------------------------------------------------

void probeMainCheckpoint(const WeightsView &w, ProbeResult &r)
{
    r.type = ModelType::Main;
    r.format = ModelFormat::Checkpoint;
    r.evidence << QStringLiteral("UNet weights under model.diffusion_model.: a complete single-file model");

    if (w.hasPrefix("conditioner.embedders.1.model.") && w.hasPrefix("conditioner.embedders.0.transformer.")) {
        r.base = BaseModel::Sdxl;
        r.evidence << QStringLiteral("two text encoders, CLIP-L and OpenCLIP-G (conditioner.embedders.0/1): SDXL");
    } else if (w.hasPrefix("conditioner.embedders.0.model.") && !w.hasPrefix("conditioner.embedders.1.")) {
        r.base = BaseModel::SdxlRefiner;
        r.evidence << QStringLiteral("one OpenCLIP-G text encoder under conditioner.embedders.0: the SDXL refiner");
    } else if (w.hasPrefix("cond_stage_model.model.")) {
        r.base = BaseModel::Sd2;
        r.evidence << QStringLiteral("an OpenCLIP text encoder under cond_stage_model.model.: SD 2.x");
    } else if (w.hasPrefix("cond_stage_model.transformer.")) {
        r.base = BaseModel::Sd1;
        r.evidence << QStringLiteral("a CLIP-L text encoder under cond_stage_model.transformer.: SD 1.x");
    } else {
        std::string key;
        const std::int64_t width = w.dimOfFirst({"model.diffusion_model.", "attn2.to_k.weight"}, 1, &key);
        if (const auto base = baseFromContextWidth(width)) {
            r.base = *base;
            r.evidence << QStringLiteral("no text encoder inside; cross-attention width %1 (%2): %3")
                              .arg(width).arg(q(key), toString(*base));
        } else {
            r.evidence << QStringLiteral("no known text encoder and cross-attention width %1: the base is unknown").arg(width);
        }
    }

    const std::int64_t inChannels = w.dim("model.diffusion_model.input_blocks.0.0.weight", 1);
    r.variant = variantFromInChannels(inChannels);
    if (r.variant)
        r.evidence << QStringLiteral("the UNet takes %1 input channels: variant %2").arg(inChannels).arg(toString(*r.variant));
    else
        r.evidence << QStringLiteral("the UNet takes %1 input channels, which no known variant has").arg(inChannels);

    if (r.base == BaseModel::Sd2) {
        r.predictionType = PredictionType::VPrediction;
        r.evidence << QStringLiteral("prediction type v_prediction is assumed: SD 2.x 768 models predict v, but the 512 "
                                     "\"base\" ones predict epsilon and the weights cannot tell; put the model's YAML "
                                     "config beside it, or set the prediction type, to be sure");
    } else if (r.base != BaseModel::Unknown) {
        r.predictionType = PredictionType::Epsilon;
    }
}

// The input width of the low-rank factor of a cross-attention key projection: the text conditioning's width.
// Kohya and LoCon call that factor lora_down, PEFT lora_A, LoHa hada_w1_b / hada_w2_b.
std::int64_t crossAttentionInputWidth(const WeightsView &w, std::string &key)
{
    for (const char *factor : {"lora_down", "lora.down", "lora_A", "hada_w1_b"}) {
        if (const std::int64_t width = w.dimOfFirst({"attn2", "to_k", factor}, 1, &key); width > 0)
            return width;
    }
    return -1;
}

std::int64_t textEncoderWidth(const WeightsView &w)
{
    for (const char *factor : {"lora_down", "hada_w1_b"}) {
        if (const std::int64_t width = w.dimOfFirst({"lora_te_text_model_encoder_layers_0_mlp_fc1", factor}, 1); width > 0)
            return width;
    }
    return -1;
}

void probeLora(const WeightsView &w, ProbeResult &r)
{
    r.type = ModelType::Lora;
    r.format = ModelFormat::Lycoris;
    const bool kohya = w.hasPrefix("lora_unet_") || w.hasPrefix("lora_te");
    if (w.anyContains(".hada_w1_a"))
        r.evidence << QStringLiteral("LoHa weights (hada_w1_a …): a LyCORIS LoHa");
    else if (w.anyContains(".lokr_w1"))
        r.evidence << QStringLiteral("LoKr weights (lokr_w1 …): a LyCORIS LoKr");
    else if (kohya)
        r.evidence << QStringLiteral("lora_down/lora_up pairs under lora_unet_ / lora_te: a kohya-style LoRA");
    else
        r.evidence << QStringLiteral("low-rank pairs (lora_A/lora_B or lora.down/lora.up) in the diffusers/PEFT layout");

    std::string key;
    if (w.hasPrefix("lora_te1_") || w.hasPrefix("lora_te2_") || w.hasPrefix("text_encoder_2.")) {
        r.base = BaseModel::Sdxl;
        r.evidence << QStringLiteral("weights for two text encoders (te1/te2): SDXL");
    } else if (const std::int64_t width = crossAttentionInputWidth(w, key); baseFromContextWidth(width)) {
        r.base = *baseFromContextWidth(width);
        r.evidence << QStringLiteral("cross-attention input width %1 (%2): %3").arg(width).arg(q(key), toString(r.base));
    } else if (const std::int64_t te = textEncoderWidth(w); te == 768 || te == 1024) {
        r.base = te == 768 ? BaseModel::Sd1 : BaseModel::Sd2;
        r.evidence << QStringLiteral("text-encoder width %1: %2").arg(te).arg(toString(r.base));
    } else if (const auto it = w.metadata.find("ss_base_model_version"); it != w.metadata.end()) {
        const std::string version = it->second;
        if (version.rfind("sdxl", 0) == 0)
            r.base = BaseModel::Sdxl;
        else if (version.rfind("sd_v2", 0) == 0)
            r.base = BaseModel::Sd2;
        else if (version.rfind("sd_v1", 0) == 0)
            r.base = BaseModel::Sd1;
        r.evidence << QStringLiteral("only the training metadata names the base (ss_base_model_version = %1)").arg(q(version));
    } else {
        r.evidence << QStringLiteral("no tensor shows which base the LoRA was trained for");
    }
}

void probeEmbedding(const WeightsView &w, ProbeResult &r)
{
    r.type = ModelType::Embedding;
    r.format = ModelFormat::EmbeddingFile;
    if (w.has("clip_l") && w.has("clip_g")) {
        r.base = BaseModel::Sdxl;
        r.evidence << QStringLiteral("vectors for both SDXL text encoders (clip_l, clip_g): an SDXL embedding");
        return;
    }
    const std::string key = w.has("emb_params") ? "emb_params" : w.has("string_to_param.*") ? "string_to_param.*" : w.entries.front().name;
    const std::int64_t width = w.dim(key, 1);
    r.evidence << QStringLiteral("a textual-inversion embedding (%1, %2 vectors of width %3)")
                      .arg(q(key)).arg(w.dim(key, 0)).arg(width);
    if (width == 768)
        r.base = BaseModel::Sd1;
    else if (width == 1024)
        r.base = BaseModel::Sd2;
    if (r.base != BaseModel::Unknown)
        r.evidence << QStringLiteral("width %1 is the %2 text encoder's").arg(width).arg(toString(r.base));
}

void probeControlNet(const WeightsView &w, ProbeResult &r, const char *prefix)
{
    r.type = ModelType::ControlNet;
    r.format = ModelFormat::Checkpoint;
    r.evidence << QStringLiteral("a hint encoder and a UNet encoder copy (%1…): a ControlNet").arg(QLatin1String(prefix));
    std::string key;
    const std::int64_t width = w.dimOfFirst({prefix, "attn2.to_k.weight"}, 1, &key);
    if (const auto base = baseFromContextWidth(width); base && *base != BaseModel::SdxlRefiner) {
        r.base = *base;
        r.evidence << QStringLiteral("cross-attention width %1 (%2): %3").arg(width).arg(q(key), toString(*base));
    } else if (w.hasPrefix(std::string(prefix) + "label_emb.") || w.hasPrefix("add_embedding.")) {
        r.base = BaseModel::Sdxl;
        r.evidence << QStringLiteral("added size/crop conditioning: SDXL");
    } else {
        r.evidence << QStringLiteral("cross-attention width %1 names no known base").arg(width);
    }
}

void probeSingleFile(const WeightsView &w, const QString &path, ProbeResult &r)
{
    const QString name = QFileInfo(path).completeBaseName();
    if (w.entries.empty()) {
        r.evidence << QStringLiteral("the file holds no tensors");
        return;
    }
    if (w.hasPrefix("model.diffusion_model.")) {
        probeMainCheckpoint(w, r);
    } else if (w.hasPrefix("control_model.")) {
        probeControlNet(w, r, "control_model.");
    } else if (w.hasPrefix("controlnet_cond_embedding.")) {
        probeControlNet(w, r, "down_blocks.");
    } else if (w.hasPrefix("lora_unet_") || w.hasPrefix("lora_te") || w.anyContains(".lora_A.weight")
               || w.anyContains(".lora.down.weight") || w.anyContains(".lora_down.weight") || w.anyContains(".hada_w1_a")
               || w.anyContains(".lokr_w1")) {
        probeLora(w, r);
    } else if (w.has("emb_params") || w.has("string_to_param.*") || (w.has("clip_l") && w.has("clip_g"))) {
        probeEmbedding(w, r);
    } else if (w.hasPrefix("image_proj.") && w.hasPrefix("ip_adapter.")) {
        r.type = ModelType::IpAdapter;
        r.format = ModelFormat::Checkpoint;
        r.evidence << QStringLiteral("image projection and ip_adapter attention weights: an IP adapter");
        const std::int64_t width = w.dimOfFirst({"ip_adapter.", "to_k_ip.weight"}, 1);
        if (const auto base = baseFromContextWidth(width); base && *base != BaseModel::SdxlRefiner) {
            r.base = *base;
            r.evidence << QStringLiteral("its keys are %1 wide: %2").arg(width).arg(toString(*base));
        }
    } else if (w.hasPrefix("adapter.body.") || w.hasPrefix("body.")) {
        r.type = ModelType::T2iAdapter;
        r.format = ModelFormat::Checkpoint;
        r.evidence << QStringLiteral("adapter body blocks: a T2I adapter; its weights do not say which base it is for");
    } else if (w.hasPrefix("vision_model.") && w.hasPrefix("visual_projection.")) {
        r.type = ModelType::ClipVision;
        r.format = ModelFormat::Checkpoint;
        r.base = BaseModel::Any;
        r.evidence << QStringLiteral("a CLIP vision tower with projection: an image encoder usable with any base");
    } else if (w.has("encoder.conv_in.weight") && w.has("decoder.conv_in.weight")) {
        r.type = ModelType::Vae;
        r.format = ModelFormat::Checkpoint;
        r.evidence << QStringLiteral("an encoder and decoder with %1 latent channels and no UNet: a VAE")
                          .arg(w.dim("decoder.conv_in.weight", 1));
        r.base = baseFromVaeName(name, r.evidence);
    } else if (w.hasPrefix("encoder.layers.") && w.hasPrefix("decoder.layers.")) {
        r.type = ModelType::Vae;
        r.format = ModelFormat::Checkpoint;
        r.evidence << QStringLiteral("a tiny autoencoder (encoder.layers/decoder.layers): TAESD");
        r.base = baseFromVaeName(name, r.evidence);
    } else {
        r.evidence << QStringLiteral("%1 tensors, none in a layout Atelier knows (first: %2)")
                          .arg(w.entries.size())
                          .arg(q(w.entries.front().name));
    }
}

// ---- Diffusers folders -------------------------------------------------------------------------------------

Result<json> readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<json>::failure(QStringLiteral("%1: cannot read (%2)").arg(path, file.errorString()), QStringLiteral("FormatError"));
    if (file.size() > 16 * 1024 * 1024)
        return Result<json>::failure(QStringLiteral("%1: a config of %2 bytes is not plausible").arg(path).arg(file.size()),
                                     QStringLiteral("FormatError"));
    const QByteArray bytes = file.readAll();
    json parsed = parseBoundedJsonOrDiscarded(bytes);
    if (parsed.is_discarded() || !parsed.is_object())
        return Result<json>::failure(QStringLiteral("%1: not a JSON object").arg(path), QStringLiteral("FormatError"));
    return parsed;
}

std::string stringField(const json &object, const char *field)
{
    const auto it = object.find(field);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t intField(const json &object, const char *field)
{
    const auto it = object.find(field);
    return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

// "fp16" when the folder's weights are the fp16 files of a Hugging Face repo (`*.fp16.safetensors`).
std::optional<RepoVariant> repoVariantOf(const QString &folder)
{
    QDir dir(folder);
    for (const QString &sub : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        for (const QString &file : QDir(dir.filePath(sub)).entryList(QDir::Files)) {
            for (const char *variant : {"fp16", "fp32", "flax", "onnx", "openvino"}) {
                if (file.contains(QStringLiteral(".%1.").arg(QLatin1String(variant))))
                    return parseTaxonomy<RepoVariant>(QLatin1String(variant)).value();
            }
        }
    }
    return std::nullopt;
}

Status probeDiffusersPipeline(const QString &folder, const json &index, ProbeResult &r)
{
    r.type = ModelType::Main;
    r.format = ModelFormat::Diffusers;
    const std::string pipeline = stringField(index, "_class_name");
    r.evidence << QStringLiteral("model_index.json names the pipeline %1").arg(q(pipeline));
    for (const auto &item : index.items()) {
        if (item.key().rfind('_', 0) != 0 && item.value().is_array() && !item.value().empty() && !item.value()[0].is_null())
            r.submodels << q(item.key());
    }
    json unetConfig = json::object();
    if (const Result<json> unet = readJson(QDir(folder).filePath(QStringLiteral("unet/config.json"))))
        unetConfig = unet.value();

    if (pipeline.find("StableDiffusionXL") != std::string::npos) {
        const bool refiner = !r.submodels.contains(QStringLiteral("text_encoder")) && r.submodels.contains(QStringLiteral("text_encoder_2"));
        r.base = refiner ? BaseModel::SdxlRefiner : BaseModel::Sdxl;
        r.evidence << (refiner ? QStringLiteral("only the second (OpenCLIP-G) text encoder: the SDXL refiner")
                               : QStringLiteral("an SDXL pipeline with both text encoders"));
    } else if (const auto base = baseFromContextWidth(intField(unetConfig, "cross_attention_dim"));
               base && (*base == BaseModel::Sd1 || *base == BaseModel::Sd2)) {
        r.base = *base;
        r.evidence << QStringLiteral("unet/config.json: cross_attention_dim %1: %2")
                          .arg(intField(unetConfig, "cross_attention_dim")).arg(toString(*base));
    } else if (const Result<json> encoder = readJson(QDir(folder).filePath(QStringLiteral("text_encoder/config.json")))) {
        // Shrunk or unusual widths: SD 1.x's CLIP-L uses quick_gelu, SD 2.x's OpenCLIP-H uses gelu.
        const std::string activation = stringField(encoder.value(), "hidden_act");
        if (activation == "quick_gelu")
            r.base = BaseModel::Sd1;
        else if (activation == "gelu")
            r.base = BaseModel::Sd2;
        if (r.base != BaseModel::Unknown)
            r.evidence << QStringLiteral("text encoder activation %1 (CLIP-L uses quick_gelu, OpenCLIP gelu): %2")
                              .arg(q(activation), toString(r.base));
    }
    if (r.base == BaseModel::Unknown)
        r.evidence << QStringLiteral("neither the pipeline nor its configs say which base this is");

    const std::int64_t inChannels = intField(unetConfig, "in_channels");
    r.variant = variantFromInChannels(inChannels);
    if (pipeline.find("Inpaint") != std::string::npos)
        r.variant = ModelVariant::Inpaint;
    else if (pipeline.find("Depth2Img") != std::string::npos)
        r.variant = ModelVariant::Depth;
    if (r.variant)
        r.evidence << QStringLiteral("unet in_channels %1: variant %2").arg(inChannels).arg(toString(*r.variant));

    r.predictionType = PredictionType::Epsilon;
    if (const Result<json> scheduler = readJson(QDir(folder).filePath(QStringLiteral("scheduler/scheduler_config.json")))) {
        if (const std::string prediction = stringField(scheduler.value(), "prediction_type"); !prediction.empty()) {
            if (const Result<PredictionType> parsed = parseTaxonomy<PredictionType>(q(prediction)))
                r.predictionType = parsed.value();
            r.evidence << QStringLiteral("scheduler_config.json: prediction_type %1").arg(q(prediction));
        }
    }
    r.repoVariant = repoVariantOf(folder);
    if (r.repoVariant)
        r.evidence << QStringLiteral("weights named *.%1.safetensors: repo variant %1").arg(toString(*r.repoVariant));
    return {};
}

void probeDiffusersComponent(const QString &folder, const json &config, ProbeResult &r)
{
    const std::string className = stringField(config, "_class_name");
    std::string architecture;
    if (const auto it = config.find("architectures"); it != config.end() && it->is_array() && !it->empty() && (*it)[0].is_string())
        architecture = (*it)[0].get<std::string>();
    r.format = ModelFormat::Diffusers;
    if (className == "AutoencoderKL" || className == "AutoencoderTiny") {
        r.type = ModelType::Vae;
        r.evidence << QStringLiteral("config.json: %1").arg(q(className));
        const auto scaling = config.find("scaling_factor");
        if (scaling != config.end() && scaling->is_number() && std::abs(scaling->get<double>() - 0.13025) < 1e-6) {
            r.base = BaseModel::Sdxl;
            r.evidence << QStringLiteral("scaling_factor 0.13025 is SDXL's latent scale");
        } else {
            r.base = baseFromVaeName(QFileInfo(folder).fileName(), r.evidence);
        }
    } else if (className == "ControlNetModel") {
        r.type = ModelType::ControlNet;
        r.evidence << QStringLiteral("config.json: ControlNetModel");
        if (stringField(config, "addition_embed_type") == "text_time") {
            r.base = BaseModel::Sdxl;
            r.evidence << QStringLiteral("text_time added conditioning: SDXL");
        } else if (const auto base = baseFromContextWidth(intField(config, "cross_attention_dim")); base && *base != BaseModel::SdxlRefiner) {
            r.base = *base;
            r.evidence << QStringLiteral("cross_attention_dim %1: %2").arg(intField(config, "cross_attention_dim")).arg(toString(*base));
        }
    } else if (className == "T2IAdapter") {
        r.type = ModelType::T2iAdapter;
        const std::string kind = stringField(config, "adapter_type");
        r.base = kind == "full_adapter_xl" ? BaseModel::Sdxl : BaseModel::Sd1;
        r.evidence << QStringLiteral("config.json: T2IAdapter of type %1: %2").arg(q(kind), toString(r.base));
    } else if (architecture == "CLIPVisionModelWithProjection" || architecture == "CLIPVisionModel") {
        r.type = ModelType::ClipVision;
        r.base = BaseModel::Any;
        r.evidence << QStringLiteral("config.json: %1, an image encoder usable with any base").arg(q(architecture));
    } else {
        r.format = ModelFormat::Unknown;
        r.evidence << QStringLiteral("config.json describes %1, which is not a model Atelier installs on its own")
                          .arg(q(className.empty() ? architecture : className));
    }
    for (const QString &file : QDir(folder).entryList(QDir::Files)) {
        if (file.contains(QStringLiteral(".fp16.")))
            r.repoVariant = RepoVariant::Fp16;
    }
}

bool hasWeights(const QString &folder)
{
    QDirIterator it(folder, {QStringLiteral("*.safetensors"), QStringLiteral("*.bin"), QStringLiteral("*.ckpt"),
                             QStringLiteral("*.pt"), QStringLiteral("*.pth"), QStringLiteral("*.onnx"), QStringLiteral("*.gguf")},
                    QDir::Files, QDirIterator::Subdirectories);
    return it.hasNext();
}

QString describe(const ProbeResult &r)
{
    if (!r.identified())
        return QStringLiteral("Unidentified model %1").arg(r.name);
    return QStringLiteral("%1 %2 model %3").arg(toString(r.base), toString(r.type), r.name);
}

} // namespace

Result<ProbeResult> probeModel(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Result<ProbeResult>::failure(QStringLiteral("%1: no such file or folder").arg(path), QStringLiteral("NotFound"));
    ProbeResult result;
    result.path = QDir::cleanPath(info.absoluteFilePath());
    result.name = info.isDir() ? info.fileName() : info.completeBaseName();

    if (info.isDir()) {
        const QDir dir(result.path);
        if (!hasWeights(result.path))
            return Result<ProbeResult>::failure(QStringLiteral("%1: the folder holds no model weights").arg(path),
                                                QStringLiteral("NoWeights"));
        if (dir.exists(QStringLiteral("model_index.json"))) {
            const Result<json> index = readJson(dir.filePath(QStringLiteral("model_index.json")));
            if (!index)
                return Result<ProbeResult>::failure(index);
            probeDiffusersPipeline(result.path, index.value(), result);
        } else if (dir.exists(QStringLiteral("config.json"))) {
            const Result<json> config = readJson(dir.filePath(QStringLiteral("config.json")));
            if (!config)
                return Result<ProbeResult>::failure(config);
            probeDiffusersComponent(result.path, config.value(), result);
        } else {
            result.evidence << QStringLiteral("a folder without model_index.json or config.json: not a diffusers model; "
                                              "install its weight files one by one");
        }
        result.description = describe(result);
        return result;
    }

    const QString suffix = info.suffix().toLower();
    const QStringList pickled{QStringLiteral("ckpt"), QStringLiteral("pt"), QStringLiteral("pth"), QStringLiteral("bin")};
    if (suffix != QLatin1String("safetensors") && !pickled.contains(suffix))
        return Result<ProbeResult>::failure(QStringLiteral("%1: .%2 is not a model file format Atelier reads").arg(path, suffix),
                                            QStringLiteral("UnsupportedFormat"));
    WeightsView weights;
    try {
        weights = pickled.contains(suffix) ? readTorchCheckpoint(result.path) : readSafetensors(result.path);
    } catch (const engine::Error &error) {
        return Result<ProbeResult>::failure(QString::fromUtf8(error.what()), QString::fromLatin1(error.type()));
    }
    // An original LDM config beside the checkpoint decides what the weights cannot.
    const QString yaml = yamlBeside(result.path);
    probeSingleFile(weights, result.path, result);
    if (!yaml.isEmpty() && result.type == ModelType::Main) {
        const Result<LdmConfig> config = readLdmConfig(yaml, result.evidence);
        if (!config)
            return Result<ProbeResult>::failure(config);
        result.configPath = yaml;
        if (config->predictionType) {
            result.evidence.erase(std::remove_if(result.evidence.begin(), result.evidence.end(),
                                                 [](const QString &line) { return line.contains(QStringLiteral(" is assumed")); }),
                                  result.evidence.end());
        }
        if (config->base)
            result.base = *config->base;
        if (config->variant)
            result.variant = config->variant;
        if (config->predictionType)
            result.predictionType = config->predictionType;
    }
    result.description = describe(result);
    return result;
}

} // namespace atelier::models
