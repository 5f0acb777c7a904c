// InvokeAI's recipes: invokeai_metadata (3.x to 5.x), legacy sd-metadata (2.x) and Dream command lines (1.x).
#include "core/metadata/generation_info.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace atelier::metadata {

namespace {

std::optional<QString> jsonText(const QJsonObject &object, const char *key)
{
    const QJsonValue value = object.value(QLatin1String(key));
    return value.isString() ? std::optional<QString>(value.toString()) : std::nullopt;
}

std::optional<double> jsonNumber(const QJsonObject &object, const char *key)
{
    const QJsonValue value = object.value(QLatin1String(key));
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

std::optional<int> jsonInt(const QJsonObject &object, const char *key)
{
    const auto value = jsonNumber(object, key);
    return value ? std::optional<int>(int(*value)) : std::nullopt;
}

// InvokeAI model identifiers: {"name", "hash"} (4.x+) or {"model_name"} (3.x).
std::optional<ModelReference> invokeModel(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    const QString name = object.contains(QStringLiteral("name")) ? object.value(QStringLiteral("name")).toString()
                                                                 : object.value(QStringLiteral("model_name")).toString();
    if (name.isEmpty())
        return std::nullopt;
    return ModelReference{name, object.value(QStringLiteral("hash")).toString()};
}

QJsonObject parseObject(const QString &json, const QString &chunk, GenerationInfo &info)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        info.warnings << QStringLiteral("the \"%1\" chunk is not a JSON object; its settings are unknown").arg(chunk);
        return {};
    }
    return document.object();
}

} // namespace

GenerationInfo parseInvokeAiMetadata(const QString &metadataJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("InvokeAI");
    const QJsonObject object = parseObject(metadataJson, QStringLiteral("invokeai_metadata"), info);
    if (object.isEmpty())
        return info;
    info.toolVersion = jsonText(object, "app_version").value_or(QString());
    info.prompt = jsonText(object, "positive_prompt");
    info.negativePrompt = jsonText(object, "negative_prompt");
    if (const auto seed = jsonNumber(object, "seed"))
        info.seed = qint64(*seed);
    info.steps = jsonInt(object, "steps");
    info.scheduler = jsonText(object, "scheduler");  // InvokeAI names the sampler and schedule together ("dpmpp_2m_k")
    info.cfg = jsonNumber(object, "cfg_scale");
    info.width = jsonInt(object, "width");
    info.height = jsonInt(object, "height");
    info.denoise = jsonNumber(object, "strength");
    if (const auto clipSkip = jsonInt(object, "clip_skip"); clipSkip && *clipSkip > 0)
        info.clipSkip = clipSkip;
    info.model = invokeModel(object.value(QStringLiteral("model")));
    if (const auto vae = invokeModel(object.value(QStringLiteral("vae"))))
        info.vae = vae->name;
    for (const QJsonValue &entry : object.value(QStringLiteral("loras")).toArray()) {
        const QJsonObject lora = entry.toObject();
        const auto model = invokeModel(lora.contains(QStringLiteral("model")) ? lora.value(QStringLiteral("model"))
                                                                              : lora.value(QStringLiteral("lora")));
        if (model)
            info.loras << LoraUse{model->name, jsonNumber(lora, "weight"), model->hash, std::nullopt};
    }
    info.samplingPasses = 1;
    return info;
}

GenerationInfo parseInvokeAiLegacy(const QString &sdMetadataJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("InvokeAI");
    const QJsonObject object = parseObject(sdMetadataJson, QStringLiteral("sd-metadata"), info);
    if (object.isEmpty())
        return info;
    info.toolVersion = jsonText(object, "app_version").value_or(QString());
    const QString modelName = jsonText(object, "model_weights").value_or(QString());
    if (!modelName.isEmpty())
        info.model = ModelReference{modelName, jsonText(object, "model_hash").value_or(QString())};
    const QJsonObject image = object.value(QStringLiteral("image")).toObject();
    const QJsonValue prompt = image.value(QStringLiteral("prompt"));
    if (prompt.isString()) {
        info.prompt = prompt.toString();
    } else if (prompt.isArray()) {
        QStringList parts;
        for (const QJsonValue &part : prompt.toArray()) {
            const QJsonObject weighted = part.toObject();
            const double weight = weighted.value(QStringLiteral("weight")).toDouble(1.0);
            const QString text = weighted.value(QStringLiteral("prompt")).toString();
            parts << (weight == 1.0 ? text : QStringLiteral("%1:%2").arg(text).arg(weight));
        }
        info.prompt = parts.join(QLatin1Char(' '));
    }
    if (const auto seed = jsonNumber(image, "seed"))
        info.seed = qint64(*seed);
    info.steps = jsonInt(image, "steps");
    info.sampler = jsonText(image, "sampler");
    info.cfg = jsonNumber(image, "cfg_scale");
    info.width = jsonInt(image, "width");
    info.height = jsonInt(image, "height");
    info.denoise = jsonNumber(image, "strength");
    info.samplingPasses = 1;
    return info;
}

GenerationInfo parseDreamCommand(const QString &dream)
{
    GenerationInfo info;
    info.tool = QStringLiteral("InvokeAI");
    QString rest = dream.trimmed();
    if (rest.startsWith(QLatin1Char('"'))) {
        const int close = rest.indexOf(QLatin1Char('"'), 1);
        if (close < 0) {
            info.warnings << QStringLiteral("the \"Dream\" chunk's prompt is not closed; its settings are unknown");
            return info;
        }
        info.prompt = rest.mid(1, close - 1);
        rest = rest.mid(close + 1);
    }
    const QStringList words = rest.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (int i = 0; i + 1 < words.size(); ++i) {
        const QString flag = words[i], value = words[i + 1];
        bool ok = false;
        if (flag == QLatin1String("-s")) {
            info.steps = value.toInt(&ok);
        } else if (flag == QLatin1String("-S")) {
            info.seed = value.toLongLong(&ok);
        } else if (flag == QLatin1String("-W")) {
            info.width = value.toInt(&ok);
        } else if (flag == QLatin1String("-H")) {
            info.height = value.toInt(&ok);
        } else if (flag == QLatin1String("-C")) {
            info.cfg = value.toDouble(&ok);
        } else if (flag == QLatin1String("-A")) {
            info.sampler = value;
            ok = true;
        } else if (flag == QLatin1String("-f")) {
            info.denoise = value.toDouble(&ok);
        } else {
            continue;
        }
        if (ok)
            ++i;
    }
    info.samplingPasses = 1;
    return info;
}

} // namespace atelier::metadata
