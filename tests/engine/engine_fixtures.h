#pragma once

// libtorch before Qt: Qt's "slots" keyword macro would otherwise rewrite libtorch's headers.
#include "core/engine/io/state_dict.h"
#include "core/engine/pipeline/stable_diffusion.h"

#include "tests/fixtures.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <map>
#include <memory>

// Reading the shared fixture index and the models it names.
namespace atelier::test {

inline QJsonObject fixtureIndex()
{
    QFile file(fixturesDir() + QStringLiteral("/index.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

inline QString fixturePath(const QString &relative)
{
    return fixturesDir() + QLatin1Char('/') + relative;
}

// "tiny-sd1" in its two layouts: the single LDM-layout file and the diffusers folder.
inline QString modelPath(const QString &model, bool diffusers)
{
    return diffusers ? fixturePath(QStringLiteral("models/%1/diffusers").arg(model))
                     : fixturePath(QStringLiteral("models/%1/%1.safetensors").arg(model));
}

// Loaded models, shared by the test functions of one program.
inline engine::StableDiffusion &loadedModel(const QString &model, bool diffusers)
{
    static std::map<QString, std::unique_ptr<engine::StableDiffusion>> cache;
    const QString key = model + (diffusers ? QStringLiteral("/diffusers") : QStringLiteral("/single"));
    auto &slot = cache[key];
    if (!slot) {
        engine::LoadOptions options;
        options.path = modelPath(model, diffusers).toStdString();
        slot = engine::StableDiffusion::load(options);
    }
    return *slot;
}

inline double maxAbsDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

} // namespace atelier::test
