#pragma once

// Realistic model records for the benchmarks: names, descriptions, tags and trigger words drawn from the words
// artists use, spread over the types and bases a real library holds.

#include "core/models/model_config.h"
#include "core/models/taxonomy.h"

#include <QRandomGenerator>
#include <QStringList>

#include <iterator>

namespace atelier::bench {

using models::BaseModel;
using models::ModelConfig;
using models::ModelFormat;
using models::ModelType;
using models::ModelVariant;
using models::PredictionType;
using models::SourceType;

const QStringList kWords = {"dream", "shaper", "real", "vision", "juggernaut", "anime", "pastel", "ink", "sketch",
                            "photo", "cinematic", "detail", "tweaker", "epic", "fantasy", "noir", "portrait", "style",
                            "pixel", "art", "watercolour", "oil", "paint", "cyber", "punk", "retro", "film", "grain",
                            "lighting", "landscape", "castle", "forest", "neon", "glow", "soft", "sharp", "café",
                            "Élan", "mecha", "ghibli", "comic", "line", "flat", "color", "mix", "merge", "turbo"};
const QStringList kTags = {"sfw", "nsfw", "style", "character", "concept", "photo", "anime", "favourite", "clothing",
                           "background", "pose", "lighting", "tool", "test"};

inline QString pick(const QStringList &list, QRandomGenerator &random) { return list.at(int(random.bounded(list.size()))); }

inline ModelConfig realisticRecord(int index, QRandomGenerator &random)
{
    static const std::pair<ModelType, ModelFormat> kinds[] = {
        {ModelType::Main, ModelFormat::Checkpoint}, {ModelType::Main, ModelFormat::Diffusers},
        {ModelType::Lora, ModelFormat::Lycoris},    {ModelType::Lora, ModelFormat::Lycoris},
        {ModelType::Lora, ModelFormat::Lycoris},    {ModelType::Embedding, ModelFormat::EmbeddingFile},
        {ModelType::Vae, ModelFormat::Checkpoint},  {ModelType::ControlNet, ModelFormat::Checkpoint}};
    static const BaseModel bases[] = {BaseModel::Sd1, BaseModel::Sd1, BaseModel::Sdxl, BaseModel::Sdxl,
                                      BaseModel::Sd2, BaseModel::Flux};
    const auto [type, format] = kinds[random.bounded(int(std::size(kinds)))];
    ModelConfig config;
    config.type = type;
    config.format = format;
    config.base = bases[random.bounded(int(std::size(bases)))];
    config.name = QStringLiteral("%1 %2 v%3").arg(pick(kWords, random), pick(kWords, random)).arg(random.bounded(1, 12));
    config.name[0] = config.name[0].toUpper();
    config.path = QStringLiteral("%1/%2/%3-%4.safetensors").arg(toString(config.base), toString(type)).arg(config.name).arg(index);
    config.hash = QStringLiteral("sha256:%1%2").arg(random.generate64(), 16, 16, QLatin1Char('0')).arg(random.generate64(), 16, 16, QLatin1Char('0'));
    config.description = QStringLiteral("A %1 model for %2 %3 images, trained on %4 pictures.")
                             .arg(pick(kWords, random), pick(kWords, random), pick(kWords, random))
                             .arg(random.bounded(100, 100000));
    for (int t = 0, n = int(random.bounded(0, 4)); t < n; ++t)
        config.tags << pick(kTags, random);
    if (type == ModelType::Lora || type == ModelType::Embedding)
        config.triggerWords << pick(kWords, random) + QStringLiteral("_") + pick(kWords, random);
    if (type == ModelType::Main) {
        config.variant = ModelVariant::Normal;
        config.predictionType = PredictionType::Epsilon;
    }
    config.source = QStringLiteral("https://civitai.com/models/%1").arg(random.bounded(1000, 900000));
    config.sourceType = SourceType::Url;
    config.sourceApiResponse = QStringLiteral(R"({"id": %1, "creator": {"username": "artist%2"}, "stats": {"downloadCount": %3}})")
                                   .arg(index).arg(random.bounded(500)).arg(random.bounded(1000000)).toUtf8();
    config.fileSize = type == ModelType::Main ? 2000000000LL + random.bounded(5000000000LL) : random.bounded(300000000LL);
    config.addedAt = QDateTime(QDate(2023, 1, 1), QTime(0, 0), Qt::UTC).addSecs(random.bounded(3LL * 365 * 86400));
    config.updatedAt = config.addedAt;
    return config;
}

} // namespace atelier::bench
