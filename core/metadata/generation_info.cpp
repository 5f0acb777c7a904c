#include "core/metadata/generation_info.h"

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
            if (in.value(QStringLiteral("strength_clip")).isDouble())
                lora.clipWeight = in.value(QStringLiteral("strength_clip")).toDouble();
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
                info.embeddings << ModelReference{name, hash};
        } else if (key == QLatin1String("Version")) {
            info.toolVersion = value;
            if (value.startsWith(QLatin1String("f")))  // Forge writes versions like "f2.0.1v1.10.1-previous-..."
                info.tool = QStringLiteral("Forge");
        }
    }
    // LoRAs with their weights from the prompt's <lora:name:weight> tags; hashes from "Lora hashes".
    // A1111's extra-network syntax: <lora:name>, <lora:name:te>, <lora:name:te:unet>, or named te=, unet=.
    static const QRegularExpression loraTag(QStringLiteral(R"(<lora:([^:>]+)((?::[^:>]*)*)>)"));
    auto it = loraTag.globalMatch(info.prompt.value_or(QString()));
    while (it.hasNext()) {
        const auto match = it.next();
        LoraUse lora;
        lora.name = match.captured(1);
        std::optional<double> textEncoder, unet;
        int positional = 0;
        for (const QString &part : match.captured(2).split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
            if (part.startsWith(QLatin1String("te=")))
                textEncoder = number(part.mid(3));
            else if (part.startsWith(QLatin1String("unet=")))
                unet = number(part.mid(5));
            else if (!part.contains(QLatin1Char('=')) && positional < 2) // a third is A1111's dyn dim
                (positional++ == 0 ? textEncoder : unet) = number(part);
        }
        // A1111's defaults: te 1 unless given; unet as te unless given.
        lora.weight = unet ? unet : textEncoder ? textEncoder : std::optional<double>(1.0);
        const double te = textEncoder.value_or(1.0);
        if (te != *lora.weight)
            lora.clipWeight = te;
        lora.hash = loraHashes.take(lora.name);
        info.loras << lora;
    }
    for (auto hash = loraHashes.cbegin(); hash != loraHashes.cend(); ++hash)
        info.loras << LoraUse{hash.key(), std::nullopt, hash.value(), std::nullopt};
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
            info.embeddings << ModelReference{it.next().captured(1), QString()};
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
    // The API graph is written as text, node after node: inserting into one QJsonObject costs a copy of what is
    // already there each time, which made a graph of a million nodes take 40 s.
    QByteArray api = "{";
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
        if (api.size() > 1)
            api += ',';
        api += '"' + QByteArray::number(node.value(QStringLiteral("id")).toInteger()) + "\":";
        api += QJsonDocument(QJsonObject{{QStringLiteral("class_type"), type}, {QStringLiteral("inputs"), inputs}})
                   .toJson(QJsonDocument::Compact);
    }
    api += '}';
    GenerationInfo info = parseComfyUiPrompt(QString::fromUtf8(api));
    info.warnings.prepend(QStringLiteral("read from the editor graph (\"workflow\"); the image has no \"prompt\" graph"));
    return info;
}

} // namespace atelier::metadata
