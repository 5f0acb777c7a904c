#pragma once

#include "core/models/model_config.h"

#include <QByteArray>

#include <nlohmann/json.hpp>

// Realistic records for tests and benchmarks.
namespace atelier::testing {

inline models::ModelConfig sampleModel(const QString &name, models::ModelType type = models::ModelType::Main,
                                       models::ModelFormat format = models::ModelFormat::Checkpoint,
                                       models::BaseModel base = models::BaseModel::Sd1)
{
    models::ModelConfig config;
    config.name = name;
    config.type = type;
    config.format = format;
    config.base = base;
    config.path = QStringLiteral("%1/%2/%3.safetensors").arg(models::toString(base), models::toString(type), name);
    config.hash = QStringLiteral("sha256:%1").arg(qHash(name), 64, 16, QLatin1Char('0'));
    config.fileSize = 1000 + name.size();
    if (type == models::ModelType::Main) {
        config.variant = models::ModelVariant::Normal;
        config.predictionType = models::PredictionType::Epsilon;
    }
    return config;
}

} // namespace atelier::testing

namespace atelier::models {
// How QCOMPARE prints a record when two differ.
inline char *toString(const ModelConfig &config)
{
    return qstrdup(toJson(config).dump().c_str());
}
} // namespace atelier::models
