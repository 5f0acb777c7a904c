#pragma once

// Writes a safetensors file whose header lists `tensors` ([name, dtype, shape], the manifests' form) contiguously in
// the given order, with the data region left as a hole: the real size and header of a model, no disk used.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>

inline bool writeSparseSafetensorsFile(const QString &path, const nlohmann::json &tensors,
                                       const nlohmann::json &metadata = nlohmann::json::object())
{
    static const std::map<std::string, int> itemSize{{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                     {"I32", 4}, {"I16", 2}, {"I8", 1}, {"U8", 1}, {"BOOL", 1}};
    nlohmann::json header = nlohmann::json::object();
    if (metadata.is_object() && !metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const nlohmann::json &tensor : tensors) {
        std::uint64_t bytes = std::uint64_t(itemSize.at(tensor[1].get<std::string>()));
        for (const nlohmann::json &size : tensor[2])
            bytes *= size.get<std::uint64_t>();
        header[tensor[0].get<std::string>()] = {{"dtype", tensor[1]}, {"shape", tensor[2]}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    const std::string text = header.dump();
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    char prefix[8];
    for (int i = 0; i < 8; ++i)
        prefix[i] = char((quint64(text.size()) >> (8 * i)) & 0xff);
    return file.write(prefix, 8) == 8 && file.write(text.data(), qint64(text.size())) == qint64(text.size())
        && file.resize(qint64(8 + text.size() + offset));
}

// A kohya SD1 LoRA of three sparse tensors; `tag` in its metadata gives each file its own hash.
inline bool writeSparseSd1Lora(const QString &path, const QString &tag)
{
    const nlohmann::json tensors = nlohmann::json::parse(R"([
        ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight", "F16", [4, 768]],
        ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight", "F16", [320, 4]],
        ["lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", "F16", [4, 768]]])");
    return writeSparseSafetensorsFile(path, tensors, {{"tag", tag.toStdString()}});
}
