// Tools that write their recipe as JSON where others write text: Fooocus and SwarmUI (into `parameters`, the key
// A1111 uses for its text line) and NovelAI (into `Comment`, with the prompt in `Description`).
#include "core/metadata/generation_info.h"

#include "core/metadata/json_fields.h"

#include <QRegularExpression>

namespace atelier::metadata {

namespace {

using namespace json_fields;

// A seed written as a number or as decimal text (Fooocus writes it as text, past what JSON numbers keep).
std::optional<quint64> seedOf(const Json &value, QStringList &warnings)
{
    if (const std::optional<QString> written = text(value)) {
        const std::optional<quint64> parsed = parseSeed(*written);
        if (!parsed)
            warnings << QStringLiteral("the seed \"%1\" is not a whole number from 0 to 18446744073709551615; it is "
                                       "left out")
                            .arg(written->left(64));
        return parsed;
    }
    return seed(value, warnings);
}

// A number written as a number or as text ("7.5").
std::optional<double> numberOf(const Json &value)
{
    if (const std::optional<QString> written = text(value)) {
        bool ok = false;
        const double parsed = written->trimmed().toDouble(&ok);
        return ok ? std::optional<double>(parsed) : std::nullopt;
    }
    return number(value);
}

} // namespace

bool isFooocusParameters(const QString &parameters)
{
    if (!parameters.trimmed().startsWith(QLatin1Char('{')))
        return false;
    const Json object = parseBoundedJsonOrDiscarded(parameters.toUtf8());
    return member(object, "metadata_scheme") == Json("fooocus") ||
           text(member(object, "version")).value_or(QString()).startsWith(QLatin1String("Fooocus"));
}

bool isSwarmUiParameters(const QString &parameters)
{
    return parameters.trimmed().startsWith(QLatin1Char('{')) &&
           member(parseBoundedJsonOrDiscarded(parameters.toUtf8()), "sui_image_params").is_object();
}

GenerationInfo parseFooocusParameters(const QString &parametersJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("Fooocus");
    const Json object = objectOf(parametersJson, info.tool + QStringLiteral("'s recipe"), info.warnings);
    if (object.empty())
        return info;
    const QString version = text(member(object, "version")).value_or(QString());
    info.toolVersion = QString(version).remove(QStringLiteral("Fooocus")).trimmed();
    info.prompt = text(member(object, "prompt"));
    info.negativePrompt = text(member(object, "negative_prompt"));
    info.seed = seedOf(member(object, "seed"), info.warnings);
    info.steps = integer(member(object, "steps"));
    info.sampler = text(member(object, "sampler"));
    info.scheduler = text(member(object, "scheduler"));
    info.cfg = numberOf(member(object, "guidance_scale"));
    if (const auto clipSkip = integer(member(object, "clip_skip")); clipSkip && *clipSkip > 0)
        info.clipSkip = clipSkip;
    // "(768, 1280)": width, then height.
    static const QRegularExpression pair(QStringLiteral(R"(^\(\s*(\d+)\s*,\s*(\d+)\s*\)$)"));
    if (const auto match = pair.match(text(member(object, "resolution")).value_or(QString()).trimmed());
        match.hasMatch()) {
        info.width = match.captured(1).toInt();
        info.height = match.captured(2).toInt();
    }
    if (const auto model = text(member(object, "base_model")); model && !model->isEmpty())
        info.model = ModelReference{*model, text(member(object, "base_model_hash")).value_or(QString())};
    if (const auto vae = text(member(object, "vae"));
        vae && !vae->isEmpty() && !vae->startsWith(QLatin1String("Default")))
        info.vae = ModelReference{*vae, QString()};
    // [name, weight] or [name, weight, hash].
    for (const Json &lora : elements(member(object, "loras"))) {
        const auto name = text(lora.is_array() && !lora.empty() ? lora[0] : Json());
        if (!name || name->isEmpty() || *name == QLatin1String("None"))
            continue;
        info.loras << LoraUse{*name, lora.size() > 1 ? numberOf(lora[1]) : std::nullopt,
                              lora.size() > 2 ? text(lora[2]).value_or(QString()) : QString(), std::nullopt};
    }
    return info;
}

GenerationInfo parseSwarmUiParameters(const QString &parametersJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("SwarmUI");
    const Json params =
        member(objectOf(parametersJson, info.tool + QStringLiteral("'s recipe"), info.warnings), "sui_image_params");
    const Json models = member(parseBoundedJsonOrDiscarded(parametersJson.toUtf8()), "sui_models");
    info.toolVersion = text(member(params, "swarm_version")).value_or(QString());
    info.prompt = text(member(params, "prompt"));
    info.negativePrompt = text(member(params, "negativeprompt"));
    info.seed = seedOf(member(params, "seed"), info.warnings);
    info.steps = integer(member(params, "steps"));
    info.sampler = text(member(params, "sampler"));
    info.scheduler = text(member(params, "scheduler"));
    info.cfg = numberOf(member(params, "cfgscale"));
    info.width = integer(member(params, "width"));
    info.height = integer(member(params, "height"));
    info.denoise = numberOf(member(params, "initimagecreativity"));
    // The files it used, with "0x"-prefixed SHA-256s: "model", "loras", "vae".
    const auto fileOf = [&](const QString &param, const QString &name) -> std::optional<ModelReference> {
        for (const Json &model : elements(models)) {
            const QString file = text(member(model, "name")).value_or(QString());
            if (text(member(model, "param")).value_or(QString()) != param ||
                (!name.isEmpty() && !file.startsWith(name)))
                continue;
            QString hash = text(member(model, "hash")).value_or(QString());
            if (hash.startsWith(QLatin1String("0x")))
                hash = hash.mid(2);
            return ModelReference{file, hash};
        }
        return std::nullopt;
    };
    if (const auto model = text(member(params, "model")); model && !model->isEmpty())
        info.model = fileOf(QStringLiteral("model"), QString()).value_or(ModelReference{*model, QString()});
    const Json loras = member(params, "loras"), weights = member(params, "loraweights");
    for (std::size_t at = 0; at < elements(loras).size(); ++at) {
        const QString name = text(loras[at]).value_or(QString());
        if (name.isEmpty())
            continue;
        const std::optional<ModelReference> file = fileOf(QStringLiteral("loras"), name);
        info.loras << LoraUse{file ? file->name : name,
                              weights.is_array() && at < weights.size() ? numberOf(weights[at]) : std::nullopt,
                              file ? file->hash : QString(), std::nullopt};
    }
    if (const auto vae = text(member(params, "vae")); vae && !vae->isEmpty())
        info.vae = fileOf(QStringLiteral("vae"), QString()).value_or(ModelReference{*vae, QString()});
    return info;
}

GenerationInfo parseNovelAiComment(const QString &commentJson, const QString &description, const QString &source)
{
    GenerationInfo info;
    info.tool = QStringLiteral("NovelAI");
    const Json object = commentJson.isEmpty()
                            ? Json::object()
                            : objectOf(commentJson, info.tool + QStringLiteral("'s recipe"), info.warnings);
    // The prompt is in the Comment of newer images, in Description of all of them.
    info.prompt = text(member(object, "prompt"));
    if (!info.prompt && !description.isEmpty())
        info.prompt = description;
    info.negativePrompt = text(member(object, "uc"));
    info.seed = seedOf(member(object, "seed"), info.warnings);
    info.steps = integer(member(object, "steps"));
    info.sampler = text(member(object, "sampler"));
    info.cfg = numberOf(member(object, "scale"));
    info.width = integer(member(object, "width"));
    info.height = integer(member(object, "height"));
    // "Stable Diffusion 1D44365E": the model, named by NovelAI's short hash.
    static const QRegularExpression named(QStringLiteral(R"(^(.*?)\s+([0-9A-Fa-f]{8})$)"));
    if (const auto match = named.match(source.trimmed()); match.hasMatch())
        info.model = ModelReference{source.trimmed(), match.captured(2)};
    else if (!source.trimmed().isEmpty())
        info.model = ModelReference{source.trimmed(), QString()};
    return info;
}

} // namespace atelier::metadata
