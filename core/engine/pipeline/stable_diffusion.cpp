#include "core/engine/pipeline/stable_diffusion.h"

#include "core/engine/error.h"
#include "core/engine/io/key_maps.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/text/prompt_weights.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

namespace atelier::engine {

namespace fs = std::filesystem;

namespace {

std::string fileName(const std::string &path)
{
    return fs::path(path).filename().string();
}

std::string shapeText(const at::IntArrayRef &shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// The indices N that occur as "<prefix>N." in the names.
std::set<int> indicesUnder(const StateDict &weights, const std::string &prefix)
{
    std::set<int> found;
    for (auto it = weights.tensors.lower_bound(prefix);
         it != weights.tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        const std::string rest = it->first.substr(prefix.size());
        const std::size_t dot = rest.find('.');
        if (dot != std::string::npos && dot > 0 && rest.find_first_not_of("0123456789") == dot)
            found.insert(std::stoi(rest.substr(0, dot)));
    }
    return found;
}

// ---- What a file that is not an SD checkpoint is ------------------------------------------------------------

[[noreturn]] void explainNotACheckpoint(const StateDict &all)
{
    const std::string &source = all.source;
    if (all.hasPrefix("conditioner.embedders.") || all.hasPrefix("model.diffusion_model.label_emb."))
        throw UnsupportedModelError(source + ": an SDXL checkpoint; this version of Atelier generates with SD 1.x "
                                             "and SD 2.x models only");
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
                                         "SD 1.x or 2.x checkpoint");
}

// ---- Architecture from the weights ---------------------------------------------------------------------------

// One dimension of a weight the architecture is read from. Each such weight belongs to a layer of known rank (a
// convolution's has 4 dimensions, a linear layer's or an embedding's 2); a file whose tensor has another rank is
// refused with the tensor named, where libtorch alone would say "Dimension out of range" about nothing in particular.
std::int64_t sizeOf(const std::string &source, const std::string &key, const torch::Tensor &weight, std::int64_t rank,
                    std::int64_t dimension)
{
    if (weight.dim() != rank)
        throw UnsupportedModelError(source + ": \"" + key + "\" has shape " + shapeText(weight.sizes()) + "; as the " +
                                    (rank == 4 ? "convolution" : "linear or embedding") + " weight it should be, it " +
                                    "needs " + std::to_string(rank) + " dimensions");
    return weight.size(dimension);
}

std::int64_t sizeOf(const StateDict &weights, const std::string &key, std::int64_t rank, std::int64_t dimension)
{
    return sizeOf(weights.source, key, weights.at(key), rank, dimension);
}

constexpr std::int64_t kConvolution = 4, kLinear = 2;

UNetConfig unetFromWeights(const StateDict &unet)
{
    UNetConfig config;
    config.modelChannels = sizeOf(unet, "input_blocks.0.0.weight", kConvolution, 0);
    config.inChannels = sizeOf(unet, "input_blocks.0.0.weight", kConvolution, 1);
    if (config.modelChannels <= 0 || config.inChannels <= 0)
        throw UnsupportedModelError(unet.source + ": \"input_blocks.0.0.weight\" has shape " +
                                    shapeText(unet.at("input_blocks.0.0.weight").sizes()) + ", which has no channels");
    config.outChannels = sizeOf(unet, "out.2.weight", kConvolution, 0);
    config.channelMult.clear();
    config.attentionAtLevel.clear();
    std::int64_t resInLevel = 0, firstLevelRes = -1;
    bool levelHasAttention = false;
    std::int64_t levelChannels = 0;
    const auto closeLevel = [&]() {
        config.channelMult.push_back(levelChannels / config.modelChannels);
        config.attentionAtLevel.push_back(levelHasAttention);
        if (firstLevelRes < 0)
            firstLevelRes = resInLevel;
        resInLevel = 0;
        levelHasAttention = false;
    };
    const std::set<int> blocks = indicesUnder(unet, "input_blocks.");
    for (int index : blocks) {
        if (index == 0)
            continue;
        const std::string prefix = "input_blocks." + std::to_string(index) + ".";
        if (unet.contains(prefix + "0.op.weight")) {
            closeLevel();
            continue;
        }
        if (const torch::Tensor *conv = unet.find(prefix + "0.in_layers.2.weight")) {
            ++resInLevel;
            levelChannels = sizeOf(unet.source, prefix + "0.in_layers.2.weight", *conv, kConvolution, 0);
        }
        if (const torch::Tensor *projIn = unet.find(prefix + "1.proj_in.weight")) {
            levelHasAttention = true;
            config.linearProjection = projIn->dim() == 2;
            config.transformerDepth = std::int64_t(indicesUnder(unet, prefix + "1.transformer_blocks.").size());
        }
    }
    if (resInLevel > 0)
        closeLevel();
    if (config.channelMult.empty() || firstLevelRes <= 0)
        throw UnsupportedModelError(unet.source + ": the UNet's input blocks do not form levels of res blocks");
    config.resBlocksPerLevel = firstLevelRes;
    if (const torch::Tensor *toK = unet.find("middle_block.1.transformer_blocks.0.attn2.to_k.weight"))
        config.contextDim =
            sizeOf(unet.source, "middle_block.1.transformer_blocks.0.attn2.to_k.weight", *toK, kLinear, 1);
    else
        throw UnsupportedModelError(unet.source + ": the UNet has no cross-attention in its middle block "
                                                  "(\"middle_block.1.transformer_blocks.0.attn2.to_k.weight\")");
    return config;
}

VaeConfig vaeFromWeights(const StateDict &vae)
{
    VaeConfig config;
    config.baseChannels = sizeOf(vae, "encoder.conv_in.weight", kConvolution, 0);
    config.imageChannels = sizeOf(vae, "encoder.conv_in.weight", kConvolution, 1);
    if (config.baseChannels <= 0 || config.imageChannels <= 0)
        throw UnsupportedModelError(vae.source + ": \"encoder.conv_in.weight\" has no channels");
    config.channelMult.clear();
    for (int level : indicesUnder(vae, "encoder.down.")) {
        const std::int64_t channels =
            sizeOf(vae, "encoder.down." + std::to_string(level) + ".block.0.conv1.weight", kConvolution, 0);
        config.channelMult.push_back(channels / config.baseChannels);
    }
    if (config.channelMult.empty())
        throw UnsupportedModelError(vae.source + ": the VAE encoder has no levels (\"encoder.down.*\")");
    config.resBlocksPerLevel = std::int64_t(indicesUnder(vae, "encoder.down.0.block.").size());
    config.latentChannels = sizeOf(vae, "decoder.conv_in.weight", kConvolution, 1);
    config.embedChannels = sizeOf(vae, "quant_conv.weight", kConvolution, 0) / 2;
    return config;
}

ClipTextConfig textFromWeights(const StateDict &text, bool openClip)
{
    ClipTextConfig config;
    config.vocabSize = sizeOf(text, "text_model.embeddings.token_embedding.weight", kLinear, 0);
    config.width = sizeOf(text, "text_model.embeddings.token_embedding.weight", kLinear, 1);
    config.positions = sizeOf(text, "text_model.embeddings.position_embedding.weight", kLinear, 0);
    config.layers = std::int64_t(indicesUnder(text, "text_model.encoder.layers.").size());
    config.intermediate = sizeOf(text, "text_model.encoder.layers.0.mlp.fc1.weight", kLinear, 0);
    config.heads = std::max<std::int64_t>(1, config.width / 64);  // CLIP-L and OpenCLIP-H: 64 channels per head
    config.quickGelu = !openClip;
    if (const torch::Tensor *projection = text.find("text_projection.weight"))
        config.projection = sizeOf(text.source, "text_projection.weight", *projection, kLinear, 0);
    return config;
}

// ---- Configs ---------------------------------------------------------------------------------------------------

void applyLdmYaml(const std::string &path, ModelArchitecture &arch)
{
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::Exception &error) {
        throw FormatError(fileName(path) + ": not a readable YAML config (" + error.what() + ")");
    }
    const YAML::Node params = root["model"]["params"];
    if (!params)
        throw FormatError(fileName(path) + ": no model.params section; not an LDM config");
    try {
        if (params["parameterization"])
            arch.prediction = params["parameterization"].as<std::string>() == "v" ? Prediction::V : Prediction::Epsilon;
        if (params["linear_start"])
            arch.linearStart = params["linear_start"].as<double>();
        if (params["linear_end"])
            arch.linearEnd = params["linear_end"].as<double>();
        if (params["scale_factor"])
            arch.vae.scaleFactor = params["scale_factor"].as<double>();
        if (const YAML::Node unet = params["unet_config"]["params"]) {
            if (unet["num_heads"] && unet["num_heads"].as<int>() > 0) {
                arch.unet.numHeads = unet["num_heads"].as<int>();
                arch.unet.headChannels = -1;
            }
            if (unet["num_head_channels"] && unet["num_head_channels"].as<int>() > 0) {
                arch.unet.headChannels = unet["num_head_channels"].as<int>();
                arch.unet.numHeads = -1;
            }
        }
        if (const YAML::Node text = params["cond_stage_config"]["params"]) {
            if (text["heads"])
                arch.text.heads = text["heads"].as<int>();
            if (text["hidden_act"])
                arch.text.quickGelu = text["hidden_act"].as<std::string>() == "quick_gelu";
            if (text["layer"] && text["layer"].as<std::string>() == "penultimate")
                arch.defaultLayerFromEnd = 2;
        }
    } catch (const YAML::Exception &error) {
        throw FormatError(fileName(path) + ": a value has the wrong type (" + error.what() + ")");
    }
}

nlohmann::json readJson(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw FormatError(path.string() + ": cannot be read");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &error) {
        throw FormatError(path.string() + ": not valid JSON (" + error.what() + ")");
    }
}

template<typename T>
void readIf(const nlohmann::json &object, const char *key, T &target)
{
    if (object.is_object() && object.contains(key) && !object[key].is_null()) {
        try {
            target = object[key].get<T>();
        } catch (const nlohmann::json::exception &) {
            throw FormatError(std::string("config value \"") + key + "\" has the wrong type");
        }
    }
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
    readIf(vae, "scaling_factor", arch.vae.scaleFactor);
    if (text.is_object()) {
        readIf(text, "num_attention_heads", arch.text.heads);
        std::string act;
        readIf(text, "hidden_act", act);
        if (!act.empty())
            arch.text.quickGelu = act == "quick_gelu";
    }
    if (scheduler.is_object()) {
        std::string prediction;
        readIf(scheduler, "prediction_type", prediction);
        if (!prediction.empty())
            arch.prediction = prediction == "v_prediction" ? Prediction::V : Prediction::Epsilon;
        readIf(scheduler, "beta_start", arch.linearStart);
        readIf(scheduler, "beta_end", arch.linearEnd);
    }
}

fs::path firstExisting(const fs::path &folder, std::initializer_list<const char *> names)
{
    for (const char *name : names)
        if (fs::exists(folder / name))
            return folder / name;
    std::string list;
    for (const char *name : names)
        list += (list.empty() ? "" : ", ") + std::string(name);
    throw UnsupportedModelError(folder.string() + ": none of " + list + " is there");
}

// Heads cannot be read from weights: SD 1.x uses 8 heads, SD 2.x 64 channels per head. Configs override this.
void applyFamilyRules(ModelArchitecture &arch)
{
    if (arch.family == ModelFamily::Sd2) {
        arch.defaultLayerFromEnd = 2;
        arch.padToken = 0;
        arch.unet.headChannels = 64;
        arch.unet.numHeads = -1;
    } else {
        arch.unet.numHeads = 8;
        arch.unet.headChannels = -1;
    }
}

} // namespace

const char *familyName(ModelFamily family)
{
    return family == ModelFamily::Sd2 ? "sd-2" : "sd-1";
}

void loadParameters(torch::nn::Module &module, const StateDict &weights, const std::string &what,
                    const std::string &prefix, torch::Device device, torch::ScalarType dtype)
{
    torch::NoGradGuard noGrad;
    for (auto &item : module.named_parameters()) {
        const torch::Tensor *source = weights.find(item.key());
        if (!source)
            throw UnsupportedModelError(weights.source + ": the " + what + " weight \"" + prefix + item.key() +
                                        "\" is missing; the file is incomplete or of another architecture");
        if (source->sizes() != item.value().sizes())
            throw UnsupportedModelError(weights.source + ": the " + what + " weight \"" + prefix + item.key() +
                                        "\" has shape " + shapeText(source->sizes()) + " where " +
                                        shapeText(item.value().sizes()) + " is expected");
        if (!source->is_floating_point())
            throw UnsupportedModelError(weights.source + ": the " + what + " weight \"" + prefix + item.key() +
                                        "\" is not a floating-point tensor");
        torch::Tensor value = source->to(device, dtype);
        if (value.dim() == 4 && device.is_cuda())
            value = value.contiguous(torch::MemoryFormat::ChannelsLast);
        item.value().set_data(value);
    }
    module.eval();
}

std::unique_ptr<StableDiffusion> StableDiffusion::load(const LoadOptions &options)
{
    std::unique_ptr<StableDiffusion> model(new StableDiffusion());
    ModelArchitecture &arch = model->m_architecture;
    StateDict unetWeights, vaeWeights, textWeights;
    std::string unetPrefix, vaePrefix, textPrefix;
    int droppedTextLayers = 0;
    const fs::path path(options.path);
    if (!fs::exists(path))
        throw UnsupportedModelError(options.path + ": no such file or folder");

    if (fs::is_directory(path)) {
        if (!fs::exists(path / "model_index.json") && !fs::exists(path / "unet"))
            throw UnsupportedModelError(options.path + ": a folder without model_index.json or unet/; not a "
                                                       "diffusers model");
        unetWeights = unetFromDiffusers(loadWeights(
            firstExisting(path / "unet", {"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors",
                                          "diffusion_pytorch_model.bin"})
                .string()));
        vaeWeights = vaeFromDiffusers(loadWeights(
            firstExisting(path / "vae", {"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors",
                                         "diffusion_pytorch_model.bin"})
                .string()));
        textWeights = loadWeights(
            firstExisting(path / "text_encoder", {"model.safetensors", "model.fp16.safetensors", "pytorch_model.bin"})
                .string());
        const nlohmann::json textConfig = readJson(path / "text_encoder" / "config.json");
        const bool openClip = textConfig.value("hidden_act", std::string("quick_gelu")) == "gelu";
        arch.unet = unetFromWeights(unetWeights);
        arch.vae = vaeFromWeights(vaeWeights);
        arch.text = textFromWeights(textWeights, openClip);
        arch.family = openClip || arch.unet.contextDim == 1024 ? ModelFamily::Sd2 : ModelFamily::Sd1;
        applyFamilyRules(arch);
        applyDiffusersConfigs(readJson(path / "unet" / "config.json"), readJson(path / "vae" / "config.json"),
                              textConfig,
                              fs::exists(path / "scheduler" / "scheduler_config.json")
                                  ? readJson(path / "scheduler" / "scheduler_config.json")
                                  : nlohmann::json(),
                              arch);
        // SD 2.x releases in this layout drop the text encoder's last layer, which SD 2.x never reads.
        if (arch.family == ModelFamily::Sd2)
            droppedTextLayers = 1;
        if (fs::exists(path / "tokenizer" / "vocab.json")) {
            model->m_tokenizer = ClipTokenizer::fromFolder((path / "tokenizer").string());
            const nlohmann::json tokenizerConfig = fs::exists(path / "tokenizer" / "tokenizer_config.json")
                                                       ? readJson(path / "tokenizer" / "tokenizer_config.json")
                                                       : nlohmann::json();
            if (tokenizerConfig.is_object() && tokenizerConfig.contains("pad_token") &&
                tokenizerConfig["pad_token"].is_string()) {
                if (const auto pad = model->m_tokenizer->idOf(tokenizerConfig["pad_token"].get<std::string>()))
                    arch.padToken = *pad;
            }
        }
        unetPrefix = "unet/";
        vaePrefix = "vae/";
        textPrefix = "text_encoder/";
    } else {
        StateDict all = loadWeights(options.path);
        if (all.hasPrefix("state_dict."))
            all = all.under("state_dict.");
        if (!all.hasPrefix("model.diffusion_model.") || all.hasPrefix("conditioner.embedders."))
            explainNotACheckpoint(all);
        unetPrefix = "model.diffusion_model.";
        unetWeights = all.under(unetPrefix);
        vaePrefix = "first_stage_model.";
        vaeWeights = all.under(vaePrefix);
        if (vaeWeights.tensors.empty())
            throw UnsupportedModelError(all.source + ": the checkpoint has no VAE (\"first_stage_model.*\")");
        bool openClip = false;
        if (all.hasPrefix("cond_stage_model.model.")) {
            openClip = true;
            textPrefix = "cond_stage_model.model.";
            textWeights = clipFromOpenClip(all.under(textPrefix));
        } else if (all.hasPrefix("cond_stage_model.transformer.text_model.")) {
            textPrefix = "cond_stage_model.transformer.";
            textWeights = all.under(textPrefix);
        } else if (all.hasPrefix("cond_stage_model.transformer.")) {
            textPrefix = "cond_stage_model.transformer.";
            for (auto &[name, tensor] : all.under(textPrefix).tensors)
                textWeights.tensors.emplace("text_model." + name, tensor);
            textWeights.source = all.source;
        } else {
            throw UnsupportedModelError(all.source + ": the checkpoint has no text encoder (\"cond_stage_model.*\")");
        }
        arch.unet = unetFromWeights(unetWeights);
        arch.vae = vaeFromWeights(vaeWeights);
        arch.text = textFromWeights(textWeights, openClip);
        arch.family = openClip || arch.unet.contextDim == 1024 ? ModelFamily::Sd2 : ModelFamily::Sd1;
        // SD 2.x's 768-pixel releases predict v; ComfyUI's convention marks them with a "v_pred" key.
        arch.prediction = arch.family == ModelFamily::Sd2 || all.contains("v_pred") ? Prediction::V : Prediction::Epsilon;
        std::string yaml = options.configPath;
        if (yaml.empty()) {
            fs::path beside = path;
            beside.replace_extension(".yaml");
            if (fs::exists(beside))
                yaml = beside.string();
        }
        applyFamilyRules(arch);
        if (!yaml.empty())
            applyLdmYaml(yaml, arch);
    }
    if (options.prediction)
        arch.prediction = *options.prediction;
    // Configs are files users edit: a zero or negative head count must be an error, not a division by zero.
    if (arch.text.heads <= 0 || arch.unet.numHeads == 0 || arch.unet.headChannels == 0 ||
        (arch.unet.numHeads < 0 && arch.unet.headChannels < 0))
        throw UnsupportedModelError(unetWeights.source + ": the config gives no valid number of attention heads");
    if (arch.text.width % arch.text.heads != 0)
        throw UnsupportedModelError(unetWeights.source + ": the text encoder's width " + std::to_string(arch.text.width) +
                                    " does not split into " + std::to_string(arch.text.heads) + " heads");
    if (arch.text.eosToken < 0)
        arch.text.eosToken = ClipTokenizer::kEndToken;
    arch.defaultLayerFromEnd = std::max(1, arch.defaultLayerFromEnd - droppedTextLayers);
    model->m_droppedTextLayers = droppedTextLayers;

    const bool reduced = options.dtype != torch::kFloat32;
    if (reduced && options.device.is_cpu() && options.dtype == torch::kFloat16)
        throw UnsupportedModelError("fp16 needs a CUDA device; use fp32 (or bf16) on the CPU");
    model->m_device = options.device;
    model->m_dtype = options.dtype;
    if (options.device.is_cuda()) {
        // Process-wide switches of libtorch. fp32 means fp32: cuDNN's TF32 convolutions would move results by
        // about 1e-3, outside the reference tolerances. Reduced precision does not use TF32 either way.
        at::globalContext().setAllowTF32CuDNN(options.dtype != torch::kFloat32);
        at::globalContext().setBenchmarkCuDNN(options.cudnnBenchmark);
    }
    // SD's VAE overflows in fp16; bf16 has float32's range.
    model->m_vaeDtype = reduced ? torch::kBFloat16 : torch::kFloat32;
    model->m_schedule = DiscreteSchedule(arch.linearStart, arch.linearEnd);
    if (!model->m_tokenizer)
        model->m_tokenizer = ClipTokenizer::bundled();

    model->m_text = ClipTextModel(arch.text);
    loadParameters(*model->m_text, textWeights, "text encoder", textPrefix, options.device, options.dtype);
    model->m_unet = UNetModel(arch.unet);
    loadParameters(*model->m_unet, unetWeights, "UNet", unetPrefix, options.device, options.dtype);
    if (options.cudaGraphs && UnetGraphs::supported(options.device))
        model->m_graphs = std::make_unique<UnetGraphs>();
    model->m_vae = AutoencoderKL(arch.vae);
    loadParameters(*model->m_vae, vaeWeights, "VAE", vaePrefix, options.device, model->m_vaeDtype);
    model->registerPatchableWeights(unetWeights, textWeights);
    return model;
}

void StableDiffusion::registerPatchableWeights(const StateDict &unetWeights, const StateDict &textWeights)
{
    // kohya writes module paths with "_" for "."; diffusers and PEFT keep the dots under "unet." and
    // "text_encoder."; ComfyUI's own saves use the checkpoint's names. kohya's UNet names follow either layout.
    const auto underscored = [](std::string name) {
        std::replace(name.begin(), name.end(), '.', '_');
        return name;
    };
    const std::string suffix = ".weight";
    for (const auto &item : m_unet->named_parameters()) {
        const std::string &name = item.key();
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string module = name.substr(0, name.size() - suffix.size());
        std::vector<std::string> aliases{"lora_unet_" + underscored(module), "diffusion_model." + module,
                                         "model.diffusion_model." + module};
        const std::string diffusers =
            unetDiffusersName(module, m_architecture.unet.resBlocksPerLevel, m_architecture.unet.attentionAtLevel);
        if (!diffusers.empty()) {
            aliases.insert(aliases.end(), {"lora_unet_" + underscored(diffusers), "unet." + diffusers, diffusers});
            // diffusers' older attention processors: "attn1.processor.to_q", "attn1.processor.to_out".
            std::string processor = diffusers;
            for (const char *projection : {".to_q", ".to_k", ".to_v", ".to_out.0"}) {
                const std::size_t at = processor.rfind(projection);
                if (at != std::string::npos && at + std::strlen(projection) == processor.size()) {
                    processor = processor.substr(0, at) + ".processor" +
                                (std::string(projection) == ".to_out.0" ? ".to_out" : projection);
                    aliases.insert(aliases.end(), {"unet." + processor, processor});
                }
            }
        }
        m_loraPatcher.addWeight(PatchedNetwork::UNet, aliases, item.value(), unetWeights.at(name));
    }
    for (const auto &item : m_text->named_parameters()) {
        const std::string &name = item.key();
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
            !textWeights.contains(name))
            continue;
        const std::string module = name.substr(0, name.size() - suffix.size());
        m_loraPatcher.addWeight(PatchedNetwork::TextEncoder,
                                {"lora_te_" + underscored(module), "text_encoder." + module}, item.value(),
                                textWeights.at(name));
    }
}

std::vector<LoRAReport> StableDiffusion::applyLoras(const std::vector<LoRAApplication> &loras)
{
    // Recorded CUDA graphs hold the addresses of the weights they read, failed or not.
    struct GraphReset
    {
        StableDiffusion &model;
        ~GraphReset()
        {
            if (model.m_graphs && model.m_loraPatcher.replacedStorage())
                model.m_graphs = std::make_unique<UnetGraphs>();
        }
    } graphReset{*this};
    return m_loraPatcher.apply(loras, familyName(m_architecture.family));
}
ClipTextModelImpl::Output StableDiffusion::encodeTokens(const torch::Tensor &ids, int layerFromEnd, bool finalNorm,
                                                        const torch::Tensor &placeholderRows)
{
    torch::NoGradGuard noGrad;
    ClipTextModelImpl::Output output = m_text->forward(ids.to(m_device), layerFromEnd, finalNorm, placeholderRows);
    output.hidden = output.hidden.to(torch::kFloat32);
    output.pooled = output.pooled.to(torch::kFloat32);
    return output;
}

torch::Tensor StableDiffusion::embedTokens(const torch::Tensor &ids, const torch::Tensor &placeholderRows)
{
    torch::NoGradGuard noGrad;
    return m_text->embedTokens(ids.to(m_device), placeholderRows).to(torch::kFloat32);
}

StableDiffusion::PromptTokens StableDiffusion::tokenize(const std::string &prompt) const
{
    PromptTokens tokens;
    if (!m_embeddings) {
        tokens.chunks = tokenizePrompt(*m_tokenizer, prompt, m_architecture.padToken);
        return tokens;
    }
    PromptEmbeddingTable table(*m_embeddings, m_architecture.text.vocabSize, m_architecture.text.width, "",
                               m_architecture.family == ModelFamily::Sd2 ? "SD 2.x" : "SD 1.x");
    tokens.chunks = tokenizePrompt(*m_tokenizer, prompt, m_architecture.padToken, 77, &table);
    tokens.placeholderRows = table.rows();
    tokens.embeddings = table.used();
    tokens.warnings = table.warnings();
    return tokens;
}

torch::Tensor StableDiffusion::encodePrompt(const std::string &prompt, int clipSkip)
{
    const int layerFromEnd =
        clipSkip > 0 ? std::max(1, clipSkip - m_droppedTextLayers) : m_architecture.defaultLayerFromEnd;
    const PromptTokens tokens = tokenize(prompt);
    for (const TextualInversion &embedding : tokens.embeddings) {
        const bool known = std::any_of(m_usedEmbeddings.begin(), m_usedEmbeddings.end(),
                                       [&](const TextualInversion &used) { return used.name == embedding.name; });
        if (!known)
            m_usedEmbeddings.push_back(embedding);
    }
    for (const std::string &warning : tokens.warnings)
        if (std::find(m_embeddingWarnings.begin(), m_embeddingWarnings.end(), warning) == m_embeddingWarnings.end())
            m_embeddingWarnings.push_back(warning);
    const std::vector<TokenChunk> &chunks = tokens.chunks;
    bool weighted = false;
    std::vector<std::int64_t> ids;
    std::vector<float> weights;
    for (const TokenChunk &chunk : chunks) {
        ids.insert(ids.end(), chunk.ids.begin(), chunk.ids.end());
        weights.insert(weights.end(), chunk.weights.begin(), chunk.weights.end());
        for (float weight : chunk.weights)
            weighted = weighted || weight != 1.0f;
    }
    const std::int64_t length = std::int64_t(chunks.front().ids.size());
    std::int64_t rows = std::int64_t(chunks.size());
    if (weighted) {
        ids.push_back(m_tokenizer->startToken());
        ids.push_back(m_tokenizer->endToken());
        ids.insert(ids.end(), std::size_t(length - 2), m_architecture.padToken);
        ++rows;
    }
    const torch::Tensor idTensor = torch::tensor(ids, torch::kInt64).view({rows, length});
    torch::Tensor hidden = encodeTokens(idTensor, layerFromEnd, true, tokens.placeholderRows).hidden;
    if (weighted) {
        const torch::Tensor empty = hidden[rows - 1];
        hidden = hidden.narrow(0, 0, rows - 1);
        const torch::Tensor w =
            torch::tensor(weights, torch::kFloat32).view({rows - 1, length, 1}).to(hidden.device());
        hidden = torch::where(w != 1.0f, (hidden - empty) * w + empty, hidden);
    }
    return hidden.reshape({1, -1, hidden.size(-1)});
}

torch::Tensor StableDiffusion::unetForward(const torch::Tensor &x, const torch::Tensor &timesteps,
                                           const torch::Tensor &context)
{
    torch::NoGradGuard noGrad;
    torch::Tensor input = x.to(m_device, m_dtype);
    if (m_device.is_cuda())
        input = input.contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor t = timesteps.to(m_device, torch::kFloat32);
    const torch::Tensor ctx = context.to(m_device, m_dtype);
    if (m_graphs)
        return m_graphs->run(m_unet, input, t, ctx).to(torch::kFloat32);
    return m_unet->forward(input, t, ctx).to(torch::kFloat32);
}

torch::Tensor StableDiffusion::denoise(const torch::Tensor &x, double sigma, const torch::Tensor &context)
{
    const double cIn = 1.0 / std::sqrt(sigma * sigma + 1.0);
    // Made on the device: a host tensor would be copied in, and the step loop must not wait for the host.
    const torch::Tensor timesteps = torch::full({x.size(0)}, float(m_schedule.timestep(sigma)),
                                                torch::TensorOptions().dtype(torch::kFloat32).device(m_device));
    const torch::Tensor out = unetForward(x * cIn, timesteps, context);
    if (m_architecture.prediction == Prediction::V)
        return x / (sigma * sigma + 1.0) - out * (sigma / std::sqrt(sigma * sigma + 1.0));
    return x - out * sigma;
}

} // namespace atelier::engine
