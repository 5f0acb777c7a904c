#include "core/models/probe/model_probe.h"
#include "core/json/bounded_json.h"

#include "core/engine/error.h"
#include "core/engine/family/model_family.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/torch_checkpoint.h"

#include <QDir>
#include <QFile>
#include <QDirIterator>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace atelier::models {

using json = nlohmann::json;

namespace {

// The names, shapes and metadata of a weights file: all the probe looks at.
struct WeightsView : engine::TensorShapes
{
    std::map<std::string, std::string> metadata;
};

WeightsView readSafetensors(const QString &path)
{
    engine::SafetensorsFile::Header header = engine::SafetensorsFile::readHeader(QFile::encodeName(path).toStdString());
    WeightsView view;
    for (std::uint32_t index : header.byName)
        view.add(std::move(header.tensors[index].name), std::move(header.tensors[index].shape));
    view.metadata = std::move(header.metadata);
    return view;
}

WeightsView readTorchCheckpoint(const QString &path)
{
    const engine::TorchCheckpoint checkpoint(QFile::encodeName(path).toStdString());
    WeightsView view;
    for (const engine::CheckpointTensor &tensor : checkpoint.tensors())
        view.add(tensor.name, tensor.shape);
    view.sortByName();
    return view;
}

QString q(const std::string &text) { return QString::fromStdString(text); }

BaseModel baseOf(engine::ModelFamily family)
{
    return parseTaxonomy<BaseModel>(QLatin1String(engine::familyName(family))).value();
}

std::optional<BaseModel> baseFromContextWidth(std::int64_t width)
{
    const std::optional<engine::ModelFamily> family = engine::familyFromContextWidth(width);
    return family ? std::optional<BaseModel>(baseOf(*family)) : std::nullopt;
}

std::optional<PredictionType> predictionTypeOf(std::optional<engine::Prediction> prediction)
{
    if (!prediction)
        return std::nullopt;
    return parseTaxonomy<PredictionType>(QLatin1String(engine::predictionName(*prediction))).value();
}

void addEvidence(const std::vector<std::string> &lines, QStringList &evidence)
{
    for (const std::string &line : lines)
        evidence << QString::fromStdString(line);
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

void describeVariant(std::int64_t inChannels, ProbeResult &r)
{
    r.variant = variantFromInChannels(inChannels);
    if (r.variant)
        r.evidence
            << QStringLiteral("the UNet takes %1 input channels: variant %2").arg(inChannels).arg(toString(*r.variant));
    else
        r.evidence << QStringLiteral("the UNet takes %1 input channels, which no known variant has").arg(inChannels);
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

// ---- Single files ---------------------------------------------------------------------------------------------

void probeMainCheckpoint(const WeightsView &w, ProbeResult &r)
{
    r.type = ModelType::Main;
    r.format = ModelFormat::Checkpoint;
    r.evidence << QStringLiteral("UNet weights under model.diffusion_model.: a complete single-file model");
    const engine::FamilyFindings findings = engine::checkpointFamily(w);
    addEvidence(findings.evidence, r.evidence);
    if (findings.family)
        r.base = baseOf(*findings.family);
    r.predictionType = predictionTypeOf(findings.prediction);
    describeVariant(findings.unetInChannels, r);
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
    // aMUSEd's U-ViT names (diffusers' train_amused.py saves them under "transformer."): checked first, because its
    // cross-attention widths can equal an SD UNet's.
    if (w.hasPrefix("transformer.transformer_layers.") || w.hasPrefix("transformer.down_block.attention_blocks.")) {
        r.base = BaseModel::Amused;
        r.evidence << QStringLiteral("low-rank pairs on a U-ViT's layers (transformer.transformer_layers …): an "
                                     "aMUSEd LoRA");
    } else if (w.hasPrefix("lora_te1_") || w.hasPrefix("lora_te2_") || w.hasPrefix("text_encoder_2.")) {
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
    const std::string key = w.has("emb_params")          ? "emb_params"
                            : w.has("string_to_param.*") ? "string_to_param.*"
                                                         : w.entries().front().name;
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
    if (w.empty()) {
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
                          .arg(w.entries().size())
                          .arg(q(w.entries().front().name));
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

// A config of the folder as a JSON object, or null when it is missing or unreadable (the rules then say so).
json optionalJson(const QString &folder, const char *relativePath)
{
    const Result<json> config = readJson(QDir(folder).filePath(QLatin1String(relativePath)));
    return config ? config.value() : json();
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
    const engine::FamilyFindings findings = engine::diffusersFamily(
        index, optionalJson(folder, "unet/config.json"), optionalJson(folder, "text_encoder/config.json"),
        optionalJson(folder, "scheduler/scheduler_config.json"));
    addEvidence(findings.evidence, r.evidence);
    if (findings.family)
        r.base = baseOf(*findings.family);
    r.predictionType = predictionTypeOf(findings.prediction);

    r.variant = variantFromInChannels(findings.unetInChannels);
    if (pipeline.find("Inpaint") != std::string::npos)
        r.variant = ModelVariant::Inpaint;
    else if (pipeline.find("Depth2Img") != std::string::npos)
        r.variant = ModelVariant::Depth;
    if (r.variant)
        r.evidence
            << QStringLiteral("unet in_channels %1: variant %2").arg(findings.unetInChannels).arg(toString(*r.variant));
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

// An original LDM config beside a checkpoint decides what the weights cannot (the loader reads the same file).
Status applyConfigBeside(ProbeResult &r)
{
    const std::string yaml = engine::ldmConfigBeside(QFile::encodeName(r.path).toStdString());
    if (yaml.empty()) {
        if (r.base == BaseModel::Sd2 && r.predictionType == PredictionType::VPrediction)
            r.evidence << QLatin1String(engine::assumedPredictionNote());
        return {};
    }
    engine::LdmConfig config;
    try {
        config = engine::readLdmConfig(yaml);
    } catch (const engine::Error &error) {
        return Status::failure(QString::fromUtf8(error.what()), QString::fromLatin1(error.type()));
    }
    engine::FamilyFindings findings;
    engine::applyLdmConfig(config, findings);
    addEvidence(findings.evidence, r.evidence);
    r.configPath = QFile::decodeName(QByteArray::fromStdString(yaml));
    if (config.family)
        r.base = baseOf(*config.family);
    if (config.unetInChannels)
        r.variant = variantFromInChannels(*config.unetInChannels);
    if (config.prediction)
        r.predictionType = predictionTypeOf(config.prediction);
    else if (r.base == BaseModel::Sd2 && r.predictionType == PredictionType::VPrediction)
        r.evidence << QLatin1String(engine::assumedPredictionNote());
    return {};
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
    probeSingleFile(weights, result.path, result);
    if (result.type == ModelType::Main) {
        if (const Status decided = applyConfigBeside(result); !decided)
            return Result<ProbeResult>::failure(decided);
    }
    result.description = describe(result);
    return result;
}

} // namespace atelier::models
