#include "core/engine/pipeline/model_components.h"

#include "core/engine/error.h"
#include "core/engine/io/key_maps.h"
#include "core/engine/pipeline/diffusers_folder.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace atelier::engine {

namespace fs = std::filesystem;

namespace {

// ---- What a file that is not an SD checkpoint is ------------------------------------------------------------

[[noreturn]] void explainNotACheckpoint(const StateDict &all)
{
    const std::string &source = all.source;
    if ((all.contains("encoder.conv_in.weight") && all.contains("decoder.conv_in.weight")) ||
        all.contains("first_stage_model.encoder.conv_in.weight"))
        throw UnsupportedModelError(source + ": a VAE, not a main model; choose a checkpoint as the model (a VAE "
                                             "can be set as the model's VAE override)");
    for (const auto &[name, tensor] : all.tensors) {
        if (name.rfind("lora_", 0) == 0 || name.find(".lora_") != std::string::npos ||
            name.find(".lora.") != std::string::npos)
            throw UnsupportedModelError(source + ": a LoRA, not a main model; LoRAs are applied on top of a "
                                                 "checkpoint");
        if (name.rfind("string_to_param", 0) == 0 || name == "emb_params")
            throw UnsupportedModelError(source + ": a textual-inversion embedding, not a main model");
    }
    if (all.hasPrefix("down_blocks.") || all.hasPrefix("conv_in."))
        throw UnsupportedModelError(source + ": a diffusers UNet on its own; open the whole diffusers folder instead");
    throw UnsupportedModelError(source + ": no UNet weights (\"model.diffusion_model.*\") found; this is not an "
                                         "SD 1.x, 2.x or SDXL checkpoint");
}

TensorShapes shapesOf(const StateDict &weights)
{
    TensorShapes shapes;
    for (const auto &[name, tensor] : weights.tensors)
        shapes.add(name, tensor.sizes().vec());
    return shapes; // a std::map is sorted by name already
}

// ---- Configs ---------------------------------------------------------------------------------------------------

// Heads cannot be read from weights: SD 1.x uses 8 heads, SD 2.x 64 channels per head. Configs override this.
void applyFamilyRules(ModelArchitecture &arch)
{
    if (arch.family == ModelFamily::SdxlRefiner) {
        // OpenCLIP-G alone, at the penultimate layer without the final norm, padded with 0.
        arch.defaultLayerFromEnd = 2;
        arch.textFinalNorm = false;
        arch.padToken = 0;
        arch.unet.headChannels = 64;
        arch.unet.numHeads = -1;
        arch.vae.scaleFactor = 0.13025;
    } else if (arch.family == ModelFamily::Sdxl) {
        // Both encoders at the penultimate layer, no final norm; 64 channels per head; SGM's latent scale.
        arch.defaultLayerFromEnd = 2;
        arch.textFinalNorm = false;
        arch.padToken = ClipTokenizer::kEndToken;
        arch.padToken2 = 0;
        arch.unet.headChannels = 64;
        arch.unet.numHeads = -1;
        arch.vae.scaleFactor = 0.13025;
    } else if (arch.family == ModelFamily::Sd2) {
        arch.defaultLayerFromEnd = 2;
        arch.padToken = 0;
        arch.unet.headChannels = 64;
        arch.unet.numHeads = -1;
    } else {
        arch.unet.numHeads = 8;
        arch.unet.headChannels = -1;
    }
}

void applyLdmYaml(const LdmConfig &config, ModelArchitecture &arch)
{
    if (config.prediction)
        arch.prediction = *config.prediction;
    arch.linearStart = config.linearStart.value_or(arch.linearStart);
    arch.linearEnd = config.linearEnd.value_or(arch.linearEnd);
    arch.vae.scaleFactor = config.scaleFactor.value_or(arch.vae.scaleFactor);
    if (config.unetHeads) {
        arch.unet.numHeads = *config.unetHeads;
        arch.unet.headChannels = -1;
    }
    if (config.unetHeadChannels) {
        arch.unet.headChannels = *config.unetHeadChannels;
        arch.unet.numHeads = -1;
    }
    arch.text.heads = config.textHeads.value_or(arch.text.heads);
    arch.text.quickGelu = config.textQuickGelu.value_or(arch.text.quickGelu);
    if (arch.text2 && config.text2Heads)
        arch.text2->heads = *config.text2Heads;
    if (config.textPenultimateLayer)
        arch.defaultLayerFromEnd = 2;
}

// Diffusers' configs, each section as in the folder's unet/, vae/, text_encoder/ and scheduler/ config.json.
void applyDiffusersConfigs(const nlohmann::json &unet, const nlohmann::json &vae, const nlohmann::json &text,
                           const nlohmann::json &scheduler, ModelArchitecture &arch)
{
    // diffusers' "attention_head_dim" is, for these models, the number of heads (a naming slip kept for
    // compatibility); a list gives one count per level.
    nlohmann::json heads = unet.is_object() ? unet.value("num_attention_heads", nlohmann::json()) : nlohmann::json();
    if (heads.is_null() && unet.is_object())
        heads = unet.value("attention_head_dim", nlohmann::json());
    if (heads.is_number_integer()) {
        arch.unet.numHeads = heads.get<std::int64_t>();
        arch.unet.headChannels = -1;
    } else if (heads.is_array() && !heads.empty() && heads[0].is_number_integer() && heads[0].get<int>() > 0) {
        arch.unet.headChannels = arch.unet.modelChannels * arch.unet.channelMult[0] / heads[0].get<std::int64_t>();
        arch.unet.numHeads = -1;
    }
    readConfigValue(vae, "scaling_factor", arch.vae.scaleFactor);
    if (text.is_object()) {
        readConfigValue(text, "num_attention_heads", arch.text.heads);
        std::string act;
        readConfigValue(text, "hidden_act", act);
        if (!act.empty())
            arch.text.quickGelu = act == "quick_gelu";
    }
    readConfigValue(scheduler, "beta_start", arch.linearStart);
    readConfigValue(scheduler, "beta_end", arch.linearEnd);
}

// ---- The two layouts -------------------------------------------------------------------------------------------

void readDiffusersFolder(const fs::path &path, CheckpointParts &parts)
{
    if (!fs::exists(path / "model_index.json") && !fs::exists(path / "unet"))
        throw UnsupportedModelError(path.string() + ": a folder without model_index.json or unet/; not a diffusers "
                                                    "model");
    const nlohmann::json modelIndex = readJsonIfThere(path / "model_index.json");
    if (diffusersFamily(modelIndex, {}, {}, {}).family == ModelFamily::Amused)
        throw UnsupportedModelError(path.string() + ": an aMUSEd (MUSE family) model, not Stable Diffusion; it "
                                                    "generates with the aMUSEd loader and sampler");
    // The SDXL refiner has only the second encoder (text_encoder_2, tokenizer_2).
    const bool onlySecondEncoder = !fs::exists(path / "text_encoder") && fs::exists(path / "text_encoder_2");
    const nlohmann::json textConfig =
        readJson(path / (onlySecondEncoder ? "text_encoder_2" : "text_encoder") / "config.json");
    const nlohmann::json unetConfig = readJson(path / "unet" / "config.json");
    const nlohmann::json scheduler = readJsonIfThere(path / "scheduler" / "scheduler_config.json");
    parts.findings = diffusersFamily(modelIndex, unetConfig, textConfig, scheduler);
    parts.unet = unetFromDiffusers(loadWeights(diffusersWeights(path / "unet").string()));
    parts.vae = vaeFromDiffusers(loadWeights(diffusersWeights(path / "vae").string()));
    // The refiner's one encoder is OpenCLIP-G, which diffusers keeps as text_encoder_2.
    const bool refiner = parts.findings.family == ModelFamily::SdxlRefiner || onlySecondEncoder;
    const fs::path textFolder = path / (onlySecondEncoder ? "text_encoder_2" : "text_encoder");
    parts.text = loadWeights(transformersWeights(textFolder).string());
    ModelArchitecture &arch = parts.architecture;
    const bool openClip = parts.findings.textEncoder == TextEncoderLayout::OpenClip || refiner;
    nlohmann::json text2Config;
    if (parts.findings.family == ModelFamily::Sdxl) {
        text2Config = readJson(path / "text_encoder_2" / "config.json");
        parts.text2 = loadWeights(transformersWeights(path / "text_encoder_2").string());
        arch.text2 = ClipTextConfig::fromWeights(parts.text2, true);
        parts.text2Prefix = "text_encoder_2/";
    }
    arch.unet = UNetConfig::fromWeights(parts.unet);
    arch.vae = VaeConfig::fromWeights(parts.vae);
    arch.text = ClipTextConfig::fromWeights(parts.text, openClip);
    // A shrunk model whose configs say nothing of its family is an SD 1.x one by its tokenizer and padding.
    arch.family = parts.findings.family.value_or(ModelFamily::Sd1);
    arch.prediction = parts.findings.prediction.value_or(Prediction::Epsilon);
    arch.zeroTerminalSnr = parts.findings.zeroTerminalSnr;
    applyFamilyRules(arch);
    applyDiffusersConfigs(unetConfig, readJson(path / "vae" / "config.json"), textConfig, scheduler, arch);
    if (arch.text2 && text2Config.is_object()) {
        readConfigValue(text2Config, "num_attention_heads", arch.text2->heads);
        std::string act;
        readConfigValue(text2Config, "hidden_act", act);
        if (!act.empty())
            arch.text2->quickGelu = act == "quick_gelu";
    }
    // SD 2.x releases in this layout drop the text encoder's last layer, which SD 2.x never reads.
    if (arch.family == ModelFamily::Sd2)
        parts.droppedTextLayers = 1;
    if (const fs::path tokenizer = path / (onlySecondEncoder ? "tokenizer_2" : "tokenizer");
        fs::exists(tokenizer / "vocab.json")) {
        parts.tokenizer = ClipTokenizer::fromFolder(tokenizer.string());
        const nlohmann::json tokenizerConfig = readJsonIfThere(tokenizer / "tokenizer_config.json");
        if (tokenizerConfig.is_object() && tokenizerConfig.contains("pad_token") &&
            tokenizerConfig["pad_token"].is_string()) {
            if (const auto pad = parts.tokenizer->idOf(tokenizerConfig["pad_token"].get<std::string>()))
                arch.padToken = *pad;
        }
    }
    parts.unetPrefix = "unet/";
    parts.vaePrefix = "vae/";
    parts.textPrefix = refiner ? "text_encoder_2/" : "text_encoder/";
}

// transformers' CLIPTextModel names under `prefix`, with or without their "text_model." level (older saves leave
// it out).
StateDict clipUnder(const StateDict &all, const std::string &prefix)
{
    if (all.hasPrefix(prefix + "text_model."))
        return all.under(prefix);
    StateDict text;
    for (auto &[name, tensor] : all.under(prefix).tensors)
        text.tensors.emplace("text_model." + name, tensor);
    text.source = all.source;
    return text;
}

void readTextEncoder(const StateDict &all, CheckpointParts &parts)
{
    switch (parts.findings.textEncoder) {
    case TextEncoderLayout::SdxlRefinerG:
        parts.textPrefix = "conditioner.embedders.0.model.";
        parts.text = clipFromOpenClip(all.under(parts.textPrefix));
        return;
    case TextEncoderLayout::SdxlPair:
        parts.textPrefix = "conditioner.embedders.0.transformer.";
        parts.text = clipUnder(all, parts.textPrefix);
        parts.text2Prefix = "conditioner.embedders.1.model.";
        parts.text2 = clipFromOpenClip(all.under(parts.text2Prefix));
        return;
    case TextEncoderLayout::OpenClip:
        parts.textPrefix = "cond_stage_model.model.";
        parts.text = clipFromOpenClip(all.under(parts.textPrefix));
        return;
    case TextEncoderLayout::ClipL:
        parts.textPrefix = "cond_stage_model.transformer.";
        parts.text = clipUnder(all, parts.textPrefix);
        return;
    default:
        throw UnsupportedModelError(all.source + ": the checkpoint has no text encoder (\"cond_stage_model.*\")");
    }
}

void readSingleFile(const LoadOptions &options, CheckpointParts &parts)
{
    StateDict all = loadWeights(options.path);
    if (all.hasPrefix("state_dict."))
        all = all.under("state_dict.");
    if (!all.hasPrefix("model.diffusion_model."))
        explainNotACheckpoint(all);
    parts.findings = checkpointFamily(shapesOf(all));
    const std::string yaml = options.configPath.empty() ? ldmConfigBeside(options.path) : options.configPath;
    std::optional<LdmConfig> config;
    if (!yaml.empty()) {
        config = readLdmConfig(yaml);
        applyLdmConfig(*config, parts.findings);
    }
    parts.unetPrefix = "model.diffusion_model.";
    parts.unet = all.under(parts.unetPrefix);
    parts.vaePrefix = "first_stage_model.";
    parts.vae = all.under(parts.vaePrefix);
    if (parts.vae.tensors.empty())
        throw UnsupportedModelError(all.source + ": the checkpoint has no VAE (\"first_stage_model.*\")");
    readTextEncoder(all, parts);

    ModelArchitecture &arch = parts.architecture;
    arch.unet = UNetConfig::fromWeights(parts.unet);
    arch.vae = VaeConfig::fromWeights(parts.vae);
    arch.text =
        ClipTextConfig::fromWeights(parts.text, parts.findings.textEncoder == TextEncoderLayout::OpenClip ||
                                                    parts.findings.textEncoder == TextEncoderLayout::SdxlRefinerG);
    if (!parts.text2.tensors.empty())
        arch.text2 = ClipTextConfig::fromWeights(parts.text2, true);
    arch.family = parts.findings.family.value_or(ModelFamily::Sd1);
    arch.prediction = parts.findings.prediction.value_or(Prediction::Epsilon);
    arch.zeroTerminalSnr = parts.findings.zeroTerminalSnr;
    applyFamilyRules(arch);
    if (config)
        applyLdmYaml(*config, arch);
}

// Configs are files users edit: a zero or negative head count must be an error, not a division by zero.
void checkHeads(const CheckpointParts &parts)
{
    const ModelArchitecture &arch = parts.architecture;
    if (arch.text.heads <= 0 || arch.unet.numHeads == 0 || arch.unet.headChannels == 0 ||
        (arch.unet.numHeads < 0 && arch.unet.headChannels < 0))
        throw UnsupportedModelError(parts.unet.source + ": the config gives no valid number of attention heads");
    for (const ClipTextConfig *text : {&arch.text, arch.text2 ? &*arch.text2 : nullptr})
        if (text && (text->heads <= 0 || text->width % text->heads != 0))
            throw UnsupportedModelError(parts.unet.source + ": the text encoder's width " +
                                        std::to_string(text->width) + " does not split into " +
                                        std::to_string(text->heads) + " heads");
}

} // namespace

CheckpointParts readCheckpoint(const LoadOptions &options)
{
    CheckpointParts parts;
    const fs::path path(options.path);
    if (!fs::exists(path))
        throw UnsupportedModelError(options.path + ": no such file or folder");
    if (fs::is_directory(path))
        readDiffusersFolder(path, parts);
    else
        readSingleFile(options, parts);
    ModelArchitecture &arch = parts.architecture;
    if (options.prediction)
        arch.prediction = *options.prediction;
    checkHeads(parts);
    // The UNet reads what the text encoders give, side by side: a file of mixed parts fails here, not mid-run.
    const std::int64_t given = arch.text.width + (arch.text2 ? arch.text2->width : 0);
    if (given != arch.unet.contextDim)
        throw UnsupportedModelError(parts.unet.source + ": its text encoder" + (arch.text2 ? "s give" : " gives") +
                                    " states " + std::to_string(given) + " wide, and its UNet reads states " +
                                    std::to_string(arch.unet.contextDim) +
                                    " wide; the file mixes parts of different models");
    if (arch.text.eosToken < 0)
        arch.text.eosToken = ClipTokenizer::kEndToken;
    arch.defaultLayerFromEnd = std::max(1, arch.defaultLayerFromEnd - parts.droppedTextLayers);
    return parts;
}

void prepareLoad(const LoadOptions &options)
{
    if (options.dtype == torch::kFloat16 && options.device.is_cpu())
        throw UnsupportedModelError("fp16 needs a CUDA device; use fp32 (or bf16) on the CPU");
    if (options.device.is_cuda()) {
        // Process-wide switches of libtorch. fp32 means fp32: cuDNN's TF32 convolutions would move results by
        // about 1e-3, outside the reference tolerances. Reduced precision does not use TF32 either way.
        at::globalContext().setAllowTF32CuDNN(options.dtype != torch::kFloat32);
        at::globalContext().setBenchmarkCuDNN(options.cudnnBenchmark);
    }
}

std::shared_ptr<TextEncoderComponent> loadTextEncoder(const CheckpointParts &parts, torch::Device device,
                                                      torch::ScalarType dtype)
{
    auto component = std::make_shared<TextEncoderComponent>();
    component->network = ClipTextModel(parts.architecture.text);
    loadParameters(*component->network, parts.text, "text encoder", parts.textPrefix, device, dtype);
    component->tokenizer = parts.tokenizer ? parts.tokenizer : ClipTokenizer::bundled();
    component->weights = parts.text;
    component->prefix = parts.textPrefix;
    if (parts.architecture.text2) {
        component->network2 = ClipTextModel(*parts.architecture.text2);
        loadParameters(*component->network2, parts.text2, "second text encoder", parts.text2Prefix, device, dtype);
        component->weights2 = parts.text2;
        component->prefix2 = parts.text2Prefix;
    }
    return component;
}

std::shared_ptr<UNetComponent> loadUNet(const CheckpointParts &parts, torch::Device device, torch::ScalarType dtype)
{
    auto component = std::make_shared<UNetComponent>();
    component->network = UNetModel(parts.architecture.unet);
    loadParameters(*component->network, parts.unet, "UNet", parts.unetPrefix, device, dtype);
    component->weights = parts.unet;
    component->prefix = parts.unetPrefix;
    return component;
}

namespace {

std::shared_ptr<VaeComponent> loadVaeWeights(const StateDict &weights, VaeConfig config, const std::string &prefix,
                                             torch::Device device, torch::ScalarType dtype)
{
    auto component = std::make_shared<VaeComponent>();
    component->config = std::move(config);
    component->network = AutoencoderKL(component->config);
    loadParameters(*component->network, weights, "VAE", prefix, device, dtype);
    component->dtype = dtype;
    component->source = weights.source;
    return component;
}

} // namespace

std::shared_ptr<VaeComponent> loadVae(const CheckpointParts &parts, torch::Device device, torch::ScalarType dtype)
{
    return loadVaeWeights(parts.vae, parts.architecture.vae, parts.vaePrefix, device, dtype);
}

std::shared_ptr<VaeComponent> loadVaeFile(const std::string &path, torch::Device device, torch::ScalarType dtype)
{
    fs::path file(path);
    if (!fs::exists(file))
        throw UnsupportedModelError(path + ": no such file or folder");
    if (fs::is_directory(file)) // a diffusers VAE folder, or a whole pipeline's
        file = diffusersWeights(fs::exists(file / "vae") ? file / "vae" : file);
    StateDict weights = loadWeights(file.string());
    if (weights.hasPrefix("state_dict."))
        weights = weights.under("state_dict.");
    std::string prefix;
    if (weights.hasPrefix("first_stage_model.")) {
        prefix = "first_stage_model.";
        weights = weights.under(prefix);
    } else if (weights.hasPrefix("encoder.down_blocks.") || weights.hasPrefix("decoder.up_blocks.")) {
        weights = vaeFromDiffusers(weights);
    } else if (weights.hasPrefix("encoder.layers.") && weights.hasPrefix("decoder.layers.")) {
        throw UnsupportedModelError(weights.source + ": a tiny autoencoder (TAESD); only full VAEs can replace a "
                                                     "model's VAE");
    } else if (!weights.contains("encoder.conv_in.weight") || !weights.contains("decoder.conv_in.weight")) {
        if (weights.hasPrefix("model.diffusion_model.") || weights.hasPrefix("conditioner.embedders."))
            throw UnsupportedModelError(weights.source + ": a checkpoint without a VAE (\"first_stage_model.*\")");
        throw UnsupportedModelError(weights.source + ": no VAE weights (\"encoder.*\" and \"decoder.*\") in it");
    }
    return loadVaeWeights(weights, VaeConfig::fromWeights(weights), prefix, device, dtype);
}

} // namespace atelier::engine
