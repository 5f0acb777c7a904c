// InvokeAI's recipes: invokeai_metadata (3.x to 5.x), legacy sd-metadata (2.x) and Dream command lines (1.x).
#include "core/metadata/generation_info.h"

#include "core/metadata/json_fields.h"

namespace atelier::metadata {

namespace {

using namespace json_fields;

// InvokeAI model identifiers: {"name", "hash"} (4.x+) or {"model_name"} (3.x).
std::optional<ModelReference> invokeModel(const Json &value)
{
    const QString name =
        (value.contains("name") ? text(member(value, "name")) : text(member(value, "model_name"))).value_or(QString());
    if (name.isEmpty())
        return std::nullopt;
    return ModelReference{name, text(member(value, "hash")).value_or(QString())};
}

} // namespace

GenerationInfo parseInvokeAiMetadata(const QString &metadataJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("InvokeAI");
    const Json object = objectOf(metadataJson, QStringLiteral("the \"invokeai_metadata\" chunk"), info.warnings);
    if (object.empty())
        return info;
    info.toolVersion = text(member(object, "app_version")).value_or(QString());
    info.prompt = text(member(object, "positive_prompt"));
    info.negativePrompt = text(member(object, "negative_prompt"));
    info.seed = seed(member(object, "seed"), info.warnings);
    info.steps = integer(member(object, "steps"));
    info.scheduler =
        text(member(object, "scheduler")); // InvokeAI names the sampler and schedule together ("dpmpp_2m_k")
    info.cfg = number(member(object, "cfg_scale"));
    info.width = integer(member(object, "width"));
    info.height = integer(member(object, "height"));
    info.denoise = number(member(object, "strength"));
    if (const auto clipSkip = integer(member(object, "clip_skip")); clipSkip && *clipSkip > 0)
        info.clipSkip = clipSkip;
    info.model = invokeModel(member(object, "model"));
    info.vae = invokeModel(member(object, "vae"));
    for (const Json &lora : elements(member(object, "loras"))) {
        const auto model = invokeModel(lora.contains("model") ? member(lora, "model") : member(lora, "lora"));
        if (model)
            info.loras << LoraUse{model->name, number(member(lora, "weight")), model->hash, std::nullopt};
    }
    info.samplingPasses = 1;
    return info;
}

GenerationInfo parseInvokeAiLegacy(const QString &sdMetadataJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("InvokeAI");
    const Json object = objectOf(sdMetadataJson, QStringLiteral("the \"sd-metadata\" chunk"), info.warnings);
    if (object.empty())
        return info;
    info.toolVersion = text(member(object, "app_version")).value_or(QString());
    // 2.x names the weights file in model_weights; some records name only the model's id, in model_id.
    QString modelName = text(member(object, "model_weights")).value_or(QString());
    if (modelName.isEmpty())
        modelName = text(member(object, "model_id")).value_or(QString());
    if (!modelName.isEmpty())
        info.model = ModelReference{modelName, text(member(object, "model_hash")).value_or(QString())};
    const Json &image = member(object, "image");
    const Json &prompt = member(image, "prompt");
    if (prompt.is_string()) {
        info.prompt = text(prompt);
    } else if (prompt.is_array()) {
        QStringList parts;
        for (const Json &weighted : prompt) {
            const double weight = number(member(weighted, "weight")).value_or(1.0);
            const QString part = text(member(weighted, "prompt")).value_or(QString());
            parts << (weight == 1.0 ? part : QStringLiteral("%1:%2").arg(part).arg(weight));
        }
        info.prompt = parts.join(QLatin1Char(' '));
    }
    info.seed = seed(member(image, "seed"), info.warnings);
    info.steps = integer(member(image, "steps"));
    info.sampler = text(member(image, "sampler"));
    info.cfg = number(member(image, "cfg_scale"));
    info.width = integer(member(image, "width"));
    info.height = integer(member(image, "height"));
    info.denoise = number(member(image, "strength"));
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
            info.seed = parseSeed(value);
            ok = info.seed.has_value();
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
