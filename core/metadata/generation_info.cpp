#include "core/metadata/generation_info.h"

#include "core/models/hashing/content_hash.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace atelier::metadata {

namespace {

// ---- A1111 -----------------------------------------------------------------------------------------------------

// "Key: value" pairs, values optionally in double quotes (with \" escapes) so that they may hold commas.
QList<QPair<QString, QString>> settingPairs(const QString &line)
{
    static const QRegularExpression pair(QStringLiteral(R"re(\s*(\w[\w \-/]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$))re"));
    QList<QPair<QString, QString>> pairs;
    auto it = pair.globalMatch(line);
    while (it.hasNext()) {
        const auto match = it.next();
        QString value = match.captured(2).trimmed();
        if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
            value = value.mid(1, value.size() - 2).replace(QStringLiteral("\\\""), QStringLiteral("\""));
        pairs.append({match.captured(1).trimmed(), value});
    }
    return pairs;
}

// "name: hash, name2: hash2" as in `Lora hashes` and `TI hashes`.
QList<QPair<QString, QString>> namedHashes(const QString &value)
{
    QList<QPair<QString, QString>> out;
    for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int colon = part.lastIndexOf(QLatin1Char(':'));
        if (colon > 0)
            out.append({part.left(colon).trimmed(), part.mid(colon + 1).trimmed()});
    }
    return out;
}

std::optional<double> number(const QString &text)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

// ---- ComfyUI ---------------------------------------------------------------------------------------------------

class ComfyGraph
{
public:
    explicit ComfyGraph(const QJsonObject &nodes) : m_nodes(nodes) {}

    QJsonObject node(const QString &id) const { return m_nodes.value(id).toObject(); }
    QString type(const QString &id) const { return node(id).value(QStringLiteral("class_type")).toString(); }
    QJsonObject inputs(const QString &id) const { return node(id).value(QStringLiteral("inputs")).toObject(); }

    // The node an input links to, or empty when the input is a value.
    QString linked(const QString &id, const QString &input) const
    {
        const QJsonValue value = inputs(id).value(input);
        if (!value.isArray() || value.toArray().size() != 2)
            return {};
        const QJsonValue source = value.toArray().at(0);
        return source.isString() ? source.toString() : QString::number(source.toInteger());
    }

    // A widget value, following a link to a primitive node when the input is linked.
    QJsonValue value(const QString &id, const QString &input) const
    {
        const QJsonValue direct = inputs(id).value(input);
        if (!direct.isArray())
            return direct;
        const QString source = linked(id, input);
        const QJsonObject sourceInputs = inputs(source);
        for (const QString &key : {QStringLiteral("value"), QStringLiteral("text"), QStringLiteral("string"),
                                   QStringLiteral("seed"), QStringLiteral("noise_seed"), input})
            if (sourceInputs.contains(key) && !sourceInputs.value(key).isArray())
                return sourceInputs.value(key);
        return {};
    }

    // The prompt text behind a conditioning input: through ControlNet, combine and area nodes to the text encoders.
    QStringList texts(const QString &id, QSet<QString> &seen) const
    {
        if (id.isEmpty() || seen.contains(id))
            return {};
        seen.insert(id);
        const QString kind = type(id);
        if (kind.startsWith(QLatin1String("CLIPTextEncode"))) {
            for (const QString &key : {QStringLiteral("text"), QStringLiteral("text_g"), QStringLiteral("text_l")}) {
                const QJsonValue text = value(id, key);
                if (text.isString())
                    return {text.toString()};
            }
            return {};
        }
        QStringList found;
        for (const QString &input : inputs(id).keys())
            if (input.contains(QLatin1String("conditioning")) || input == QLatin1String("positive"))
                found += texts(linked(id, input), seen);
        return found;
    }

    QStringList samplers() const
    {
        QStringList ids;
        for (const QString &id : m_nodes.keys())
            if (isSampler(type(id)))
                ids << id;
        std::sort(ids.begin(), ids.end(), [](const QString &a, const QString &b) {
            return a.toLongLong() != b.toLongLong() ? a.toLongLong() < b.toLongLong() : a < b;
        });
        return ids;
    }

    static bool isSampler(const QString &kind)
    {
        return kind == QLatin1String("KSampler") || kind == QLatin1String("KSamplerAdvanced") ||
               kind == QLatin1String("SamplerCustom") || kind == QLatin1String("SamplerCustomAdvanced");
    }

    // True when the sampler's latent comes from another sampler (a second pass).
    bool startsFromSampler(const QString &id) const
    {
        QString at = linked(id, QStringLiteral("latent_image"));
        for (int depth = 0; !at.isEmpty() && depth < 32; ++depth) {
            if (isSampler(type(at)))
                return true;
            const QJsonObject in = inputs(at);
            QString next;
            for (const QString &key : {QStringLiteral("samples"), QStringLiteral("latent"), QStringLiteral("latent_image")})
                if (in.value(key).isArray())
                    next = linked(at, key);
            at = next;
        }
        return false;
    }

private:
    QJsonObject m_nodes;
};

void readModelChain(const ComfyGraph &graph, QString at, GenerationInfo &info)
{
    for (int depth = 0; !at.isEmpty() && depth < 64; ++depth) {
        const QString kind = graph.type(at);
        const QJsonObject in = graph.inputs(at);
        if (kind.startsWith(QLatin1String("CheckpointLoader")) || kind == QLatin1String("UNETLoader")) {
            const QJsonValue name = in.contains(QStringLiteral("ckpt_name")) ? in.value(QStringLiteral("ckpt_name"))
                                                                               : in.value(QStringLiteral("unet_name"));
            if (name.isString())
                info.model = ModelReference{name.toString(), QString()};
            return;
        }
        if (kind.startsWith(QLatin1String("LoraLoader"))) {
            LoraUse lora;
            lora.name = in.value(QStringLiteral("lora_name")).toString();
            if (in.value(QStringLiteral("strength_model")).isDouble())
                lora.weight = in.value(QStringLiteral("strength_model")).toDouble();
            info.loras.prepend(lora);  // walking from the sampler back to the checkpoint
        }
        at = graph.linked(at, QStringLiteral("model"));
    }
}

void readLatentSource(const ComfyGraph &graph, const QString &sampler, GenerationInfo &info)
{
    QString at = graph.linked(sampler, QStringLiteral("latent_image"));
    for (int depth = 0; !at.isEmpty() && depth < 32; ++depth) {
        const QJsonObject in = graph.inputs(at);
        if (in.value(QStringLiteral("width")).isDouble() && in.value(QStringLiteral("height")).isDouble()) {
            info.width = in.value(QStringLiteral("width")).toInt();
            info.height = in.value(QStringLiteral("height")).toInt();
            return;
        }
        QString next;
        for (const QString &key : {QStringLiteral("samples"), QStringLiteral("pixels"), QStringLiteral("image")})
            if (in.value(key).isArray())
                next = graph.linked(at, key);
        at = next;
    }
}

} // namespace

GenerationInfo parseA1111Parameters(const QString &parameters)
{
    GenerationInfo info;
    info.tool = QStringLiteral("A1111");
    QStringList lines = parameters.trimmed().split(QLatin1Char('\n'));
    QString settings;
    if (!lines.isEmpty() && lines.last().contains(QLatin1String("Steps: "))) {
        settings = lines.takeLast();
    }
    QStringList prompt, negative;
    bool inNegative = false;
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1String("Negative prompt:"))) {
            inNegative = true;
            negative << line.mid(16).trimmed();
        } else {
            (inNegative ? negative : prompt) << line;
        }
    }
    info.prompt = prompt.join(QLatin1Char('\n')).trimmed();
    if (inNegative)
        info.negativePrompt = negative.join(QLatin1Char('\n')).trimmed();
    QMap<QString, QString> loraHashes;
    for (const auto &[key, value] : settingPairs(settings)) {
        if (key == QLatin1String("Steps"))
            info.steps = value.toInt();
        else if (key == QLatin1String("Sampler"))
            info.sampler = value;
        else if (key == QLatin1String("Schedule type"))
            info.scheduler = value;
        else if (key == QLatin1String("CFG scale"))
            info.cfg = number(value);
        else if (key == QLatin1String("Seed"))
            info.seed = value.toLongLong();
        else if (key == QLatin1String("Size")) {
            const QStringList size = value.split(QLatin1Char('x'));
            if (size.size() == 2) {
                info.width = size[0].toInt();
                info.height = size[1].toInt();
            }
        } else if (key == QLatin1String("Model hash")) {
            if (!info.model)
                info.model = ModelReference();
            info.model->hash = value;
        } else if (key == QLatin1String("Model")) {
            if (!info.model)
                info.model = ModelReference();
            info.model->name = value;
        } else if (key == QLatin1String("VAE")) {
            info.vae = value;
        } else if (key == QLatin1String("Denoising strength")) {
            info.denoise = number(value);
        } else if (key == QLatin1String("Lora hashes")) {
            for (const auto &[name, hash] : namedHashes(value))
                loraHashes.insert(name, hash);
        } else if (key == QLatin1String("TI hashes")) {
            for (const auto &[name, hash] : namedHashes(value))
                info.embeddings << name;
        } else if (key == QLatin1String("Version")) {
            info.toolVersion = value;
            if (value.startsWith(QLatin1String("f")))  // Forge writes versions like "f2.0.1v1.10.1-previous-..."
                info.tool = QStringLiteral("Forge");
        }
    }
    // LoRAs with their weights from the prompt's <lora:name:weight> tags; hashes from "Lora hashes".
    static const QRegularExpression loraTag(QStringLiteral(R"(<lora:([^:>]+)(?::([-+0-9.eE]+))?[^>]*>)"));
    auto it = loraTag.globalMatch(info.prompt.value_or(QString()));
    while (it.hasNext()) {
        const auto match = it.next();
        LoraUse lora;
        lora.name = match.captured(1);
        lora.weight = match.captured(2).isEmpty() ? std::optional<double>(1.0) : number(match.captured(2));
        lora.hash = loraHashes.take(lora.name);
        info.loras << lora;
    }
    for (auto hash = loraHashes.cbegin(); hash != loraHashes.cend(); ++hash)
        info.loras << LoraUse{hash.key(), std::nullopt, hash.value()};
    if (settings.isEmpty())
        info.warnings << QStringLiteral("the parameters have no settings line (\"Steps: ...\"); only the prompt is known");
    return info;
}

GenerationInfo parseComfyUiPrompt(const QString &promptJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("ComfyUI");
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(promptJson.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        info.warnings << QStringLiteral("the \"prompt\" chunk is not a JSON object (%1); its settings are unknown")
                             .arg(error.error != QJsonParseError::NoError ? error.errorString() : QStringLiteral("wrong shape"));
        return info;
    }
    const ComfyGraph graph(document.object());
    const QStringList samplers = graph.samplers();
    info.samplingPasses = int(samplers.size());
    if (samplers.isEmpty()) {
        info.warnings << QStringLiteral("the graph has no sampler node; its settings are unknown");
        return info;
    }
    QString first = samplers.first();
    for (const QString &id : samplers)
        if (!graph.startsFromSampler(id)) {
            first = id;
            break;
        }
    const QString kind = graph.type(first);
    const auto integer = [&](const QString &id, const QString &key) -> std::optional<qint64> {
        const QJsonValue value = graph.value(id, key);
        return value.isDouble() ? std::optional<qint64>(value.toInteger()) : std::nullopt;
    };
    const auto real = [&](const QString &id, const QString &key) -> std::optional<double> {
        const QJsonValue value = graph.value(id, key);
        return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
    };
    const auto text = [&](const QString &id, const QString &key) -> std::optional<QString> {
        const QJsonValue value = graph.value(id, key);
        return value.isString() ? std::optional<QString>(value.toString()) : std::nullopt;
    };
    info.seed = kind == QLatin1String("KSampler") ? integer(first, QStringLiteral("seed")) : integer(first, QStringLiteral("noise_seed"));
    info.cfg = real(first, QStringLiteral("cfg"));
    if (kind == QLatin1String("SamplerCustom")) {
        const QString sampler = graph.linked(first, QStringLiteral("sampler"));
        info.sampler = text(sampler, QStringLiteral("sampler_name"));
        const QString sigmas = graph.linked(first, QStringLiteral("sigmas"));
        const auto steps = integer(sigmas, QStringLiteral("steps"));
        if (steps)
            info.steps = int(*steps);
        info.scheduler = graph.type(sigmas);  // the sigmas node names the schedule (SDTurboScheduler ...)
        info.denoise = real(sigmas, QStringLiteral("denoise"));
    } else {
        const auto steps = integer(first, QStringLiteral("steps"));
        if (steps)
            info.steps = int(*steps);
        info.sampler = text(first, QStringLiteral("sampler_name"));
        info.scheduler = text(first, QStringLiteral("scheduler"));
        info.denoise = real(first, QStringLiteral("denoise"));
    }
    QSet<QString> seen;
    const QStringList positive = graph.texts(graph.linked(first, QStringLiteral("positive")), seen);
    if (!positive.isEmpty())
        info.prompt = positive.join(QLatin1Char('\n'));
    seen.clear();
    const QStringList negative = graph.texts(graph.linked(first, QStringLiteral("negative")), seen);
    if (!negative.isEmpty())
        info.negativePrompt = negative.join(QLatin1Char('\n'));
    readModelChain(graph, graph.linked(first, QStringLiteral("model")), info);
    readLatentSource(graph, first, info);
    static const QRegularExpression embedding(QStringLiteral(R"(embedding:([^\s,()\[\]]+))"));
    for (const QString &prompt : {info.prompt.value_or(QString()), info.negativePrompt.value_or(QString())}) {
        auto it = embedding.globalMatch(prompt);
        while (it.hasNext())
            info.embeddings << it.next().captured(1);
    }
    QSet<QString> unknown;
    for (const QString &id : document.object().keys()) {
        const QString type = graph.type(id);
        if (type.contains(QLatin1String("Hypernetwork")))
            unknown.insert(type);
    }
    for (const QString &type : unknown)
        info.warnings << QStringLiteral("the graph uses %1, which Atelier does not run").arg(type);
    return info;
}

GenerationInfo describeText(const PngText &text)
{
    const auto find = [&](const QString &keyword) -> const TextChunk * {
        for (const TextChunk &chunk : text.chunks)
            if (chunk.keyword == keyword)
                return &chunk;
        return nullptr;
    };
    GenerationInfo info;
    if (const TextChunk *ours = find(QStringLiteral("atelier_metadata")))
        info = parseAtelierMetadata(ours->text);
    else if (const TextChunk *invoke = find(QStringLiteral("invokeai_metadata")))
        info = parseInvokeAiMetadata(invoke->text);
    else if (const TextChunk *legacy = find(QStringLiteral("sd-metadata")))
        info = parseInvokeAiLegacy(legacy->text);
    else if (const TextChunk *dream = find(QStringLiteral("Dream")))
        info = parseDreamCommand(dream->text);
    else if (const TextChunk *prompt = find(QStringLiteral("prompt")))
        info = parseComfyUiPrompt(prompt->text);
    else if (const TextChunk *workflow = find(QStringLiteral("workflow")))
        info = parseComfyUiWorkflow(workflow->text);
    else if (const TextChunk *parameters = find(QStringLiteral("parameters")))
        info = parseA1111Parameters(parameters->text);
    else
        info.tool = text.chunks.isEmpty() ? QStringLiteral("none") : QStringLiteral("unknown");
    info.chunks = text.chunks;
    info.warnings = text.warnings + info.warnings;
    return info;
}

Result<GenerationInfo> readGenerationInfo(const QString &path)
{
    const Result<PngText> text = readPngTextFile(path);
    if (!text)
        return Result<GenerationInfo>::failure(text);
    return describeText(text.value());
}

} // namespace atelier::metadata

namespace atelier::metadata {

namespace {

QString a1111Sampler(const QString &sampler)
{
    static const QHash<QString, QString> names{
        {QStringLiteral("euler"), QStringLiteral("Euler")}, {QStringLiteral("euler_ancestral"), QStringLiteral("Euler a")},
        {QStringLiteral("heun"), QStringLiteral("Heun")}, {QStringLiteral("dpm_2"), QStringLiteral("DPM2")},
        {QStringLiteral("dpm_2_ancestral"), QStringLiteral("DPM2 a")}, {QStringLiteral("lms"), QStringLiteral("LMS")},
        {QStringLiteral("dpmpp_2s_ancestral"), QStringLiteral("DPM++ 2S a")}, {QStringLiteral("dpmpp_2m"), QStringLiteral("DPM++ 2M")},
        {QStringLiteral("dpmpp_2m_sde"), QStringLiteral("DPM++ 2M SDE")}, {QStringLiteral("ddim"), QStringLiteral("DDIM")},
        {QStringLiteral("uni_pc"), QStringLiteral("UniPC")}, {QStringLiteral("lcm"), QStringLiteral("LCM")}};
    return names.value(sampler, sampler);
}

QString a1111Schedule(const QString &scheduler)
{
    static const QHash<QString, QString> names{
        {QStringLiteral("normal"), QStringLiteral("Normal")}, {QStringLiteral("karras"), QStringLiteral("Karras")},
        {QStringLiteral("exponential"), QStringLiteral("Exponential")}, {QStringLiteral("sgm_uniform"), QStringLiteral("SGM Uniform")},
        {QStringLiteral("simple"), QStringLiteral("Simple")}, {QStringLiteral("ddim_uniform"), QStringLiteral("DDIM")}};
    return names.value(scheduler, scheduler);
}

// A value for A1111's settings line: quoted when it holds a comma, colon or quote.
QString settingValue(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char(':')) && !value.contains(QLatin1Char('"')))
        return value;
    QString escaped = value;
    escaped.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

constexpr int kFormatVersion = 1;

} // namespace

QString a1111Parameters(const GenerationInfo &recipe)
{
    QStringList lines;
    lines << recipe.prompt.value_or(QString());
    if (recipe.negativePrompt && !recipe.negativePrompt->isEmpty())
        lines << QStringLiteral("Negative prompt: ") + *recipe.negativePrompt;
    QStringList settings;
    const auto add = [&settings](const QString &key, const QString &value) {
        if (!value.isEmpty())
            settings << key + QStringLiteral(": ") + settingValue(value);
    };
    add(QStringLiteral("Steps"), recipe.steps ? QString::number(*recipe.steps) : QString());
    add(QStringLiteral("Sampler"), recipe.sampler ? a1111Sampler(*recipe.sampler) : QString());
    add(QStringLiteral("Schedule type"), recipe.scheduler ? a1111Schedule(*recipe.scheduler) : QString());
    add(QStringLiteral("CFG scale"), recipe.cfg ? QString::number(*recipe.cfg) : QString());
    add(QStringLiteral("Seed"), recipe.seed ? QString::number(*recipe.seed) : QString());
    add(QStringLiteral("Size"), recipe.width && recipe.height ? QStringLiteral("%1x%2").arg(*recipe.width).arg(*recipe.height) : QString());
    if (recipe.model) {
        add(QStringLiteral("Model hash"), models::autoV2(recipe.model->hash));
        add(QStringLiteral("Model"), recipe.model->name);
    }
    add(QStringLiteral("Denoising strength"), recipe.denoise && *recipe.denoise < 1.0 ? QString::number(*recipe.denoise) : QString());
    add(QStringLiteral("Clip skip"), recipe.clipSkip && *recipe.clipSkip > 1 ? QString::number(*recipe.clipSkip) : QString());
    add(QStringLiteral("Version"), QStringLiteral("Atelier ") + recipe.toolVersion);
    lines << settings.join(QStringLiteral(", "));
    return lines.join(QLatin1Char('\n'));
}

QList<TextChunk> recipeChunks(const GenerationInfo &recipe)
{
    QJsonObject object;
    object.insert(QStringLiteral("format"), QStringLiteral("atelier-metadata"));
    object.insert(QStringLiteral("version"), kFormatVersion);
    object.insert(QStringLiteral("app"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Atelier")},
                                                      {QStringLiteral("version"), recipe.toolVersion}});
    const auto put = [&object](const char *key, const QJsonValue &value) {
        if (!value.isNull() && !value.isUndefined())
            object.insert(QLatin1String(key), value);
    };
    put("prompt", recipe.prompt ? QJsonValue(*recipe.prompt) : QJsonValue());
    put("negative_prompt", recipe.negativePrompt ? QJsonValue(*recipe.negativePrompt) : QJsonValue());
    put("seed", recipe.seed ? QJsonValue(qint64(*recipe.seed)) : QJsonValue());
    put("noise", QStringLiteral("cpu-normal"));  // one normal draw from a CPU generator seeded with the seed
    put("batch_index", recipe.batchIndex);
    put("steps", recipe.steps ? QJsonValue(*recipe.steps) : QJsonValue());
    put("sampler", recipe.sampler ? QJsonValue(*recipe.sampler) : QJsonValue());
    put("scheduler", recipe.scheduler ? QJsonValue(*recipe.scheduler) : QJsonValue());
    put("cfg", recipe.cfg ? QJsonValue(*recipe.cfg) : QJsonValue());
    put("width", recipe.width ? QJsonValue(*recipe.width) : QJsonValue());
    put("height", recipe.height ? QJsonValue(*recipe.height) : QJsonValue());
    put("denoise", recipe.denoise ? QJsonValue(*recipe.denoise) : QJsonValue());
    put("clip_skip", recipe.clipSkip ? QJsonValue(*recipe.clipSkip) : QJsonValue());
    if (recipe.model)
        put("model", QJsonObject{{QStringLiteral("name"), recipe.model->name},
                                 {QStringLiteral("sha256"), recipe.model->hash},
                                 {QStringLiteral("autov2"), models::autoV2(recipe.model->hash)}});
    if (!recipe.initImageSha256.isEmpty())
        put("init_image", QJsonObject{{QStringLiteral("sha256"), recipe.initImageSha256}});
    QJsonArray pipeline;
    if (!recipe.initImageSha256.isEmpty())
        pipeline.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("encode_image")}});
    pipeline.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("encode_prompts")}});
    pipeline.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("sample")},
                                {QStringLiteral("sampler"), recipe.sampler.value_or(QString())},
                                {QStringLiteral("scheduler"), recipe.scheduler.value_or(QString())}});
    pipeline.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("decode")}});
    pipeline.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("save_image")}});
    object.insert(QStringLiteral("pipeline"), pipeline);

    TextChunk metadata;
    metadata.type = "iTXt";
    metadata.keyword = QStringLiteral("atelier_metadata");
    metadata.text = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    metadata.compressed = metadata.text.size() > 1024;
    TextChunk workflow;
    workflow.type = "iTXt";
    workflow.keyword = QStringLiteral("atelier_workflow");
    workflow.text = recipeWorkflow(recipe);
    workflow.compressed = workflow.text.size() > 1024;
    TextChunk parameters;
    parameters.type = "tEXt";  // becomes iTXt when the text is not Latin-1
    parameters.keyword = QStringLiteral("parameters");
    parameters.text = a1111Parameters(recipe);
    return {metadata, workflow, parameters};
}

QString recipeWorkflow(const GenerationInfo &recipe)
{
    QJsonObject nodes;
    const auto link = [](const char *node, int output) { return QJsonArray{QLatin1String(node), output}; };
    const auto add = [&nodes](const char *id, const char *type, const QJsonObject &inputs) {
        nodes.insert(QLatin1String(id), QJsonObject{{QStringLiteral("class_type"), QLatin1String(type)},
                                                    {QStringLiteral("inputs"), inputs}});
    };
    add("1", "CheckpointLoaderSimple", {{QStringLiteral("ckpt_name"), recipe.model ? recipe.model->name : QString()}});
    QJsonArray clip = link("1", 1);
    if (recipe.clipSkip && *recipe.clipSkip > 1) {
        add("9", "CLIPSetLastLayer", {{QStringLiteral("stop_at_clip_layer"), -*recipe.clipSkip}, {QStringLiteral("clip"), link("1", 1)}});
        clip = link("9", 0);
    }
    add("2", "CLIPTextEncode", {{QStringLiteral("text"), recipe.prompt.value_or(QString())}, {QStringLiteral("clip"), clip}});
    add("3", "CLIPTextEncode", {{QStringLiteral("text"), recipe.negativePrompt.value_or(QString())}, {QStringLiteral("clip"), clip}});
    QJsonArray latent = link("4", 0);
    if (!recipe.initImageSha256.isEmpty()) {
        add("4", "LoadImage", {{QStringLiteral("image_sha256"), recipe.initImageSha256}});
        add("5", "VAEEncode", {{QStringLiteral("pixels"), link("4", 0)}, {QStringLiteral("vae"), link("1", 2)}});
        latent = link("5", 0);
    } else {
        add("4", "EmptyLatentImage", {{QStringLiteral("width"), recipe.width.value_or(512)},
                                      {QStringLiteral("height"), recipe.height.value_or(512)},
                                      {QStringLiteral("batch_size"), 1}});
    }
    add("6", "KSampler", {{QStringLiteral("seed"), qint64(recipe.seed.value_or(0))},
                          {QStringLiteral("steps"), recipe.steps.value_or(20)},
                          {QStringLiteral("cfg"), recipe.cfg.value_or(7.0)},
                          {QStringLiteral("sampler_name"), recipe.sampler.value_or(QStringLiteral("euler"))},
                          {QStringLiteral("scheduler"), recipe.scheduler.value_or(QStringLiteral("normal"))},
                          {QStringLiteral("denoise"), recipe.denoise.value_or(1.0)},
                          {QStringLiteral("model"), link("1", 0)},
                          {QStringLiteral("positive"), link("2", 0)},
                          {QStringLiteral("negative"), link("3", 0)},
                          {QStringLiteral("latent_image"), latent}});
    add("7", "VAEDecode", {{QStringLiteral("samples"), link("6", 0)}, {QStringLiteral("vae"), link("1", 2)}});
    add("8", "SaveImage", {{QStringLiteral("images"), link("7", 0)}, {QStringLiteral("filename_prefix"), QStringLiteral("Atelier")}});
    const QJsonObject workflow{{QStringLiteral("format"), QStringLiteral("atelier-workflow")},
                               {QStringLiteral("version"), kFormatVersion},
                               {QStringLiteral("nodes"), nodes}};
    return QString::fromUtf8(QJsonDocument(workflow).toJson(QJsonDocument::Compact));
}

GenerationInfo parseAtelierMetadata(const QString &metadataJson)
{
    GenerationInfo info;
    info.tool = QStringLiteral("Atelier");
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(metadataJson.toUtf8(), &error).object();
    if (error.error != QJsonParseError::NoError || object.value(QStringLiteral("format")).toString() != QLatin1String("atelier-metadata")) {
        info.warnings << QStringLiteral("the \"atelier_metadata\" chunk is not Atelier metadata JSON; its settings are unknown");
        return info;
    }
    if (object.value(QStringLiteral("version")).toInt() > kFormatVersion)
        info.warnings << QStringLiteral("written by a newer Atelier (metadata version %1); fields it added are not shown")
                             .arg(object.value(QStringLiteral("version")).toInt());
    info.toolVersion = object.value(QStringLiteral("app")).toObject().value(QStringLiteral("version")).toString();
    const auto text = [&](const char *key) {
        const QJsonValue v = object.value(QLatin1String(key));
        return v.isString() ? std::optional<QString>(v.toString()) : std::nullopt;
    };
    const auto real = [&](const char *key) {
        const QJsonValue v = object.value(QLatin1String(key));
        return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
    };
    info.prompt = text("prompt");
    info.negativePrompt = text("negative_prompt");
    if (object.value(QStringLiteral("seed")).isDouble())
        info.seed = object.value(QStringLiteral("seed")).toInteger();
    if (const auto steps = real("steps"))
        info.steps = int(*steps);
    info.sampler = text("sampler");
    info.scheduler = text("scheduler");
    info.cfg = real("cfg");
    if (const auto width = real("width"))
        info.width = int(*width);
    if (const auto height = real("height"))
        info.height = int(*height);
    info.denoise = real("denoise");
    if (const auto clipSkip = real("clip_skip"))
        info.clipSkip = int(*clipSkip);
    info.batchIndex = object.value(QStringLiteral("batch_index")).toInt();
    const QJsonObject model = object.value(QStringLiteral("model")).toObject();
    if (!model.isEmpty())
        info.model = ModelReference{model.value(QStringLiteral("name")).toString(), model.value(QStringLiteral("sha256")).toString()};
    info.initImageSha256 = object.value(QStringLiteral("init_image")).toObject().value(QStringLiteral("sha256")).toString();
    info.samplingPasses = 1;
    return info;
}

} // namespace atelier::metadata

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
            info.loras << LoraUse{model->name, jsonNumber(lora, "weight"), model->hash};
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

namespace atelier::metadata {

namespace {

// The widget names of the editor graph's `widgets_values`, in order, for the node types a recipe is read from.
const QHash<QString, QStringList> &widgetNames()
{
    static const QHash<QString, QStringList> names{
        {QStringLiteral("KSampler"), {"seed", "control_after_generate", "steps", "cfg", "sampler_name", "scheduler", "denoise"}},
        {QStringLiteral("KSamplerAdvanced"), {"add_noise", "noise_seed", "control_after_generate", "steps", "cfg", "sampler_name",
                                              "scheduler", "start_at_step", "end_at_step", "return_with_leftover_noise"}},
        {QStringLiteral("SamplerCustom"), {"add_noise", "noise_seed", "control_after_generate", "cfg"}},
        {QStringLiteral("KSamplerSelect"), {"sampler_name"}},
        {QStringLiteral("SDTurboScheduler"), {"steps", "denoise"}},
        {QStringLiteral("BasicScheduler"), {"scheduler", "steps", "denoise"}},
        {QStringLiteral("CLIPTextEncode"), {"text"}},
        {QStringLiteral("CheckpointLoaderSimple"), {"ckpt_name"}},
        {QStringLiteral("UNETLoader"), {"unet_name", "weight_dtype"}},
        {QStringLiteral("EmptyLatentImage"), {"width", "height", "batch_size"}},
        {QStringLiteral("LoraLoader"), {"lora_name", "strength_model", "strength_clip"}},
        {QStringLiteral("LoraLoaderModelOnly"), {"lora_name", "strength_model"}},
        {QStringLiteral("PrimitiveNode"), {"value"}},
    };
    return names;
}

} // namespace

GenerationInfo parseComfyUiWorkflow(const QString &workflowJson)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(workflowJson.toUtf8(), &error);
    const QJsonObject workflow = document.object();
    if (error.error != QJsonParseError::NoError || !workflow.value(QStringLiteral("nodes")).isArray()) {
        GenerationInfo info;
        info.tool = QStringLiteral("ComfyUI");
        info.warnings << QStringLiteral("the \"workflow\" chunk is not a ComfyUI editor graph; its settings are unknown");
        return info;
    }
    // link id -> [source node id, source slot]
    QHash<qint64, QJsonArray> links;
    for (const QJsonValue &value : workflow.value(QStringLiteral("links")).toArray()) {
        const QJsonArray link = value.toArray();
        if (link.size() >= 3)
            links.insert(link[0].toInteger(), QJsonArray{QString::number(link[1].toInteger()), link[2].toInteger()});
    }
    QJsonObject api;
    for (const QJsonValue &value : workflow.value(QStringLiteral("nodes")).toArray()) {
        const QJsonObject node = value.toObject();
        const QString type = node.value(QStringLiteral("type")).toString();
        QJsonObject inputs;
        const QJsonArray widgets = node.value(QStringLiteral("widgets_values")).toArray();
        const QStringList names = widgetNames().value(type);
        for (int i = 0; i < names.size() && i < widgets.size(); ++i)
            inputs.insert(names[i], widgets[i]);
        for (const QJsonValue &input : node.value(QStringLiteral("inputs")).toArray()) {
            const QJsonObject slot = input.toObject();
            const QJsonValue link = slot.value(QStringLiteral("link"));
            if (link.isDouble() && links.contains(link.toInteger()))
                inputs.insert(slot.value(QStringLiteral("name")).toString(), links.value(link.toInteger()));
        }
        api.insert(QString::number(node.value(QStringLiteral("id")).toInteger()),
                   QJsonObject{{QStringLiteral("class_type"), type}, {QStringLiteral("inputs"), inputs}});
    }
    GenerationInfo info = parseComfyUiPrompt(QString::fromUtf8(QJsonDocument(api).toJson(QJsonDocument::Compact)));
    info.warnings.prepend(QStringLiteral("read from the editor graph (\"workflow\"); the image has no \"prompt\" graph"));
    return info;
}

} // namespace atelier::metadata
