#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <array>
#include <utility>

// The model taxonomy with the exact string values of TAXONOMY.md (InvokeAI's), so that records, probe results and
// `--json` output stay familiar. Unknown strings are rejected with a message that lists what is accepted.
namespace atelier::models {

enum class BaseModel {
    Any,
    Sd1,
    Sd2,
    Sd3,
    Sdxl,
    SdxlRefiner,
    Flux,
    Flux2,
    CogView4,
    ZImage,
    QwenImage,
    Amused,
    Unknown
};

enum class ModelType {
    Main, Vae, Lora, ControlLora, ControlNet, Embedding, IpAdapter, ClipVision, ClipEmbed, T2iAdapter, T5Encoder,
    Qwen3Encoder, SpandrelImageToImage, SigLip, FluxRedux, LlavaOnevision, Onnx, Unknown
};

enum class ModelFormat {
    Checkpoint, Diffusers, Lycoris, EmbeddingFile, EmbeddingFolder, Omi, Onnx, Olive, InvokeAi, T5Encoder,
    Qwen3Encoder, BnbQuantizedInt8b, BnbQuantizedNf4b, GgufQuantized, Unknown
};

enum class ModelVariant { Normal, Inpaint, Depth, Schnell, Dev, DevFill, Large, Gigantic };

enum class PredictionType { Epsilon, VPrediction, Sample };

enum class SubmodelType {
    Unet, Transformer, TextEncoder, TextEncoder2, TextEncoder3, Tokenizer, Tokenizer2, Tokenizer3, Vae, VaeDecoder,
    VaeEncoder, Scheduler, SafetyChecker
};

enum class RepoVariant { Default, Fp16, Fp32, Onnx, OpenVino, Flax };

enum class SourceType { Path, Url, HfRepoId };

// Each enum's string table and the name used in messages ("base", "type" ...).
template <typename E>
struct Taxonomy;

#define ATELIER_TAXONOMY(Enum, label, ...)                                                                             \
    template <>                                                                                                        \
    struct Taxonomy<Enum>                                                                                              \
    {                                                                                                                  \
        static constexpr const char *name = label;                                                                     \
        static constexpr std::pair<Enum, const char *> values[] = {__VA_ARGS__};                                       \
    };

ATELIER_TAXONOMY(BaseModel, "base", {BaseModel::Any, "any"}, {BaseModel::Sd1, "sd-1"}, {BaseModel::Sd2, "sd-2"},
                 {BaseModel::Sd3, "sd-3"}, {BaseModel::Sdxl, "sdxl"}, {BaseModel::SdxlRefiner, "sdxl-refiner"},
                 {BaseModel::Flux, "flux"}, {BaseModel::Flux2, "flux2"}, {BaseModel::CogView4, "cogview4"},
                 {BaseModel::ZImage, "z-image"}, {BaseModel::QwenImage, "qwen-image"}, {BaseModel::Amused, "amused"},
                 {BaseModel::Unknown, "unknown"})
ATELIER_TAXONOMY(ModelType, "type",
                 {ModelType::Main, "main"}, {ModelType::Vae, "vae"}, {ModelType::Lora, "lora"},
                 {ModelType::ControlLora, "control_lora"}, {ModelType::ControlNet, "controlnet"},
                 {ModelType::Embedding, "embedding"}, {ModelType::IpAdapter, "ip_adapter"},
                 {ModelType::ClipVision, "clip_vision"}, {ModelType::ClipEmbed, "clip_embed"},
                 {ModelType::T2iAdapter, "t2i_adapter"}, {ModelType::T5Encoder, "t5_encoder"},
                 {ModelType::Qwen3Encoder, "qwen3_encoder"},
                 {ModelType::SpandrelImageToImage, "spandrel_image_to_image"}, {ModelType::SigLip, "siglip"},
                 {ModelType::FluxRedux, "flux_redux"}, {ModelType::LlavaOnevision, "llava_onevision"},
                 {ModelType::Onnx, "onnx"}, {ModelType::Unknown, "unknown"})
ATELIER_TAXONOMY(ModelFormat, "format",
                 {ModelFormat::Checkpoint, "checkpoint"}, {ModelFormat::Diffusers, "diffusers"},
                 {ModelFormat::Lycoris, "lycoris"}, {ModelFormat::EmbeddingFile, "embedding_file"},
                 {ModelFormat::EmbeddingFolder, "embedding_folder"}, {ModelFormat::Omi, "omi"},
                 {ModelFormat::Onnx, "onnx"}, {ModelFormat::Olive, "olive"}, {ModelFormat::InvokeAi, "invokeai"},
                 {ModelFormat::T5Encoder, "t5_encoder"}, {ModelFormat::Qwen3Encoder, "qwen3_encoder"},
                 {ModelFormat::BnbQuantizedInt8b, "bnb_quantized_int8b"},
                 {ModelFormat::BnbQuantizedNf4b, "bnb_quantized_nf4b"},
                 {ModelFormat::GgufQuantized, "gguf_quantized"}, {ModelFormat::Unknown, "unknown"})
ATELIER_TAXONOMY(ModelVariant, "variant",
                 {ModelVariant::Normal, "normal"}, {ModelVariant::Inpaint, "inpaint"},
                 {ModelVariant::Depth, "depth"}, {ModelVariant::Schnell, "schnell"}, {ModelVariant::Dev, "dev"},
                 {ModelVariant::DevFill, "dev_fill"}, {ModelVariant::Large, "large"},
                 {ModelVariant::Gigantic, "gigantic"})
ATELIER_TAXONOMY(PredictionType, "prediction type",
                 {PredictionType::Epsilon, "epsilon"}, {PredictionType::VPrediction, "v_prediction"},
                 {PredictionType::Sample, "sample"})
ATELIER_TAXONOMY(SubmodelType, "submodel",
                 {SubmodelType::Unet, "unet"}, {SubmodelType::Transformer, "transformer"},
                 {SubmodelType::TextEncoder, "text_encoder"}, {SubmodelType::TextEncoder2, "text_encoder_2"},
                 {SubmodelType::TextEncoder3, "text_encoder_3"}, {SubmodelType::Tokenizer, "tokenizer"},
                 {SubmodelType::Tokenizer2, "tokenizer_2"}, {SubmodelType::Tokenizer3, "tokenizer_3"},
                 {SubmodelType::Vae, "vae"}, {SubmodelType::VaeDecoder, "vae_decoder"},
                 {SubmodelType::VaeEncoder, "vae_encoder"}, {SubmodelType::Scheduler, "scheduler"},
                 {SubmodelType::SafetyChecker, "safety_checker"})
ATELIER_TAXONOMY(RepoVariant, "repo variant",
                 {RepoVariant::Default, ""}, {RepoVariant::Fp16, "fp16"}, {RepoVariant::Fp32, "fp32"},
                 {RepoVariant::Onnx, "onnx"}, {RepoVariant::OpenVino, "openvino"}, {RepoVariant::Flax, "flax"})
ATELIER_TAXONOMY(SourceType, "source type",
                 {SourceType::Path, "path"}, {SourceType::Url, "url"}, {SourceType::HfRepoId, "hf_repo_id"})

#undef ATELIER_TAXONOMY

// Only for the taxonomy's enums (SFINAE on Taxonomy<E>), so that it never competes with other toString overloads
// found by argument-dependent lookup.
template <typename E, typename = decltype(Taxonomy<E>::values)>
QString toString(E value)
{
    for (const auto &[candidate, text] : Taxonomy<E>::values) {
        if (candidate == value)
            return QString::fromLatin1(text);
    }
    return QString();
}

// Every accepted string, in the table's order.
template <typename E, typename = decltype(Taxonomy<E>::values)>
QStringList allStrings()
{
    QStringList strings;
    for (const auto &entry : Taxonomy<E>::values)
        strings << QString::fromLatin1(entry.second);
    return strings;
}

// The enum value for `text` (exact, case-sensitive, as stored); an unknown string fails with a message that
// names it and lists the accepted values. Error type: "InvalidValue".
template <typename E>
Result<E> parseTaxonomy(const QString &text)
{
    for (const auto &[candidate, value] : Taxonomy<E>::values) {
        if (text == QLatin1String(value))
            return candidate;
    }
    QStringList accepted;
    for (const QString &value : allStrings<E>())
        accepted << (value.isEmpty() ? QStringLiteral("\"\" (the default)") : value);
    return Result<E>::failure(QStringLiteral("unknown %1 \"%2\"; expected one of: %3")
                                  .arg(QString::fromLatin1(Taxonomy<E>::name), text, accepted.join(QStringLiteral(", "))),
                              QStringLiteral("InvalidValue"));
}

} // namespace atelier::models
