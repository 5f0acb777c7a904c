#include "app/recipe_json.h"

namespace atelier::app {

namespace {

using json = nlohmann::ordered_json;

template <typename T> json orNull(const std::optional<T> &value)
{
    return value ? json(*value) : json();
}

json orNull(const std::optional<QString> &value)
{
    return value ? json(value->toStdString()) : json();
}

json reference(const std::optional<metadata::ModelReference> &model)
{
    if (!model)
        return json();
    return json{{"name", model->name.isEmpty() ? json() : json(model->name.toStdString())},
                {"hash", model->hash.isEmpty() ? json() : json(model->hash.toStdString())}};
}

} // namespace

nlohmann::ordered_json recipeJson(const metadata::GenerationInfo &info)
{
    json object;
    object["tool"] = info.tool.toStdString();
    object["tool_version"] = info.toolVersion.isEmpty() ? json() : json(info.toolVersion.toStdString());
    object["prompt"] = orNull(info.prompt);
    object["negative_prompt"] = orNull(info.negativePrompt);
    object["seed"] = orNull(info.seed);
    object["steps"] = orNull(info.steps);
    object["sampler"] = orNull(info.sampler);
    object["scheduler"] = orNull(info.scheduler);
    object["cfg"] = orNull(info.cfg);
    object["width"] = orNull(info.width);
    object["height"] = orNull(info.height);
    object["denoise"] = orNull(info.denoise);
    object["model"] = reference(info.model);
    object["vae"] = reference(info.vae);
    object["refiner"] = reference(info.refiner);
    object["refiner_switch"] = orNull(info.refinerSwitch);
    if (info.maskedTokens)
        object["masked_tokens"] = {{"temperature_start", info.maskedTokens->temperatureStart},
                                   {"temperature_end", info.maskedTokens->temperatureEnd},
                                   {"aesthetic_score", info.maskedTokens->aestheticScore},
                                   {"crop_top", info.maskedTokens->cropTop},
                                   {"crop_left", info.maskedTokens->cropLeft}};
    else
        object["masked_tokens"] = nullptr;
    object["loras"] = json::array();
    for (const metadata::LoraUse &lora : info.loras)
        object["loras"].push_back({{"name", lora.name.toStdString()},
                                   {"weight", orNull(lora.weight)},
                                   {"clip_weight", orNull(lora.clipWeight)},
                                   {"hash", lora.hash.isEmpty() ? json() : json(lora.hash.toStdString())}});
    object["embeddings"] = json::array();
    for (const metadata::ModelReference &embedding : info.embeddings)
        object["embeddings"].push_back(
            {{"name", embedding.name.toStdString()},
             {"hash", embedding.hash.isEmpty() ? json() : json(embedding.hash.toStdString())}});
    object["sampling_passes"] = info.samplingPasses;
    object["chunks"] = json::array();
    for (const metadata::TextChunk &chunk : info.chunks)
        object["chunks"].push_back({{"type", chunk.type.toStdString()},
                                    {"keyword", chunk.keyword.toStdString()},
                                    {"text", chunk.text.toStdString()}});
    object["warnings"] = json::array();
    for (const QString &warning : info.warnings)
        object["warnings"].push_back(warning.toStdString());
    return object;
}

} // namespace atelier::app
