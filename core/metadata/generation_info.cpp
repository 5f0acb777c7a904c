#include "core/metadata/generation_info.h"

#include "core/metadata/json_fields.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

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

std::optional<double> decimal(const QString &text)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

// ---- ComfyUI ---------------------------------------------------------------------------------------------------

using namespace json_fields;

// ComfyUI's API graph: node id -> {"class_type", "inputs"}, an input either a value or a link [node id, output].
class ComfyGraph
{
public:
    explicit ComfyGraph(const Json &nodes)
        : m_nodes(nodes)
    {}

    const Json &node(const std::string &id) const { return member(m_nodes, id); }
    QString type(const std::string &id) const { return text(member(node(id), "class_type")).value_or(QString()); }
    const Json &inputs(const std::string &id) const { return member(node(id), "inputs"); }

    // The node an input links to, or empty when the input is a value.
    std::string linked(const std::string &id, const std::string &input) const
    {
        const Json &value = member(inputs(id), input);
        if (!value.is_array() || value.size() != 2)
            return {};
        const Json &source = value[0];
        if (source.is_string())
            return source.get<std::string>();
        return source.is_number_integer() ? std::to_string(source.get<std::int64_t>()) : std::string();
    }
    // Which output of that node the input takes (0 when it is not a link).
    int linkedSlot(const std::string &id, const std::string &input) const
    {
        const Json &value = member(inputs(id), input);
        return value.is_array() && value.size() == 2 ? integer(value[1]).value_or(0) : 0;
    }

    // A widget value, following a link to a primitive node when the input is linked.
    const Json &value(const std::string &id, const std::string &input) const
    {
        static const Json absent;
        const Json &direct = member(inputs(id), input);
        if (!direct.is_array())
            return direct;
        const Json &sourceInputs = inputs(linked(id, input));
        for (const std::string &key : {std::string("value"), std::string("text"), std::string("string"),
                                       std::string("seed"), std::string("noise_seed"), input}) {
            const Json &candidate = member(sourceInputs, key);
            if (!candidate.is_null() && !candidate.is_array())
                return candidate;
        }
        return absent;
    }

    // The prompt text behind a conditioning input (output `slot` of node `id`): through ControlNet, combine and
    // area nodes to the text encoders. A node with a positive and a negative input and two conditioning outputs
    // (ControlNet apply, InstructPix2Pix, inpaint-model conditioning) passes its negative through its second.
    QStringList texts(const std::string &id, int slot, QSet<QString> &seen) const
    {
        const QString visit = QStringLiteral("%1:%2").arg(QString::fromStdString(id)).arg(slot);
        if (id.empty() || seen.contains(visit))
            return {};
        seen.insert(visit);
        if (type(id).startsWith(QLatin1String("CLIPTextEncode")) || type(id) == QLatin1String("AmusedTextEncode")) {
            for (const char *key : {"text", "text_g", "text_l", "t5xxl", "clip_l", "prompt"})
                if (const auto prompt = text(value(id, key)))
                    return {*prompt};
            return {};
        }
        const Json &in = inputs(id);
        if (in.contains("positive") && in.contains("negative")) {
            const std::string side = slot == 1 ? "negative" : "positive";
            return texts(linked(id, side), linkedSlot(id, side), seen);
        }
        QStringList found;
        if (in.is_object())
            for (auto input = in.begin(); input != in.end(); ++input)
                if (input.key().find("conditioning") != std::string::npos || input.key() == "positive")
                    found += texts(linked(id, input.key()), linkedSlot(id, input.key()), seen);
        return found;
    }
    QStringList textsOf(const std::string &id, const std::string &input) const
    {
        QSet<QString> seen;
        return texts(linked(id, input), linkedSlot(id, input), seen);
    }

    std::vector<std::string> samplers() const
    {
        std::vector<std::string> ids;
        if (m_nodes.is_object())
            for (auto node = m_nodes.begin(); node != m_nodes.end(); ++node)
                if (isSampler(type(node.key())))
                    ids.push_back(node.key());
        const auto numeric = [](const std::string &id) { return QByteArray::fromStdString(id).toLongLong(); };
        std::sort(ids.begin(), ids.end(), [&numeric](const std::string &a, const std::string &b) {
            return numeric(a) != numeric(b) ? numeric(a) < numeric(b) : a < b;
        });
        return ids;
    }

    static bool isSampler(const QString &kind)
    {
        return kind == QLatin1String("KSampler") || kind == QLatin1String("KSamplerAdvanced") ||
               kind == QLatin1String("SamplerCustom") || kind == QLatin1String("SamplerCustomAdvanced") ||
               kind == QLatin1String("AmusedSampler");
    }

    // True when the sampler's latent comes from another sampler (a second pass).
    bool startsFromSampler(const std::string &id) const
    {
        std::string at = linked(id, "latent_image");
        for (int depth = 0; !at.empty() && depth < 32; ++depth) {
            if (isSampler(type(at)))
                return true;
            std::string next;
            for (const char *key : {"samples", "latent", "latent_image"})
                if (member(inputs(at), key).is_array())
                    next = linked(at, key);
            at = next;
        }
        return false;
    }

    const Json &nodes() const { return m_nodes; }

private:
    const Json &m_nodes;
};

void readModelChain(const ComfyGraph &graph, std::string at, GenerationInfo &info)
{
    for (int depth = 0; !at.empty() && depth < 64; ++depth) {
        const QString kind = graph.type(at);
        const Json &in = graph.inputs(at);
        // Any loader naming a file: checkpoints (plain, unCLIP, image-only), diffusion models, GGUF UNets.
        if (in.contains("ckpt_name") || in.contains("unet_name")) {
            const Json &name = in.contains("ckpt_name") ? member(in, "ckpt_name") : member(in, "unet_name");
            if (const auto checkpoint = text(graph.value(at, in.contains("ckpt_name") ? "ckpt_name" : "unet_name")))
                info.model = ModelReference{*checkpoint, QString()};
            else if (const auto direct = text(name))
                info.model = ModelReference{*direct, QString()};
            return;
        }
        if (kind.startsWith(QLatin1String("LoraLoader"))) {
            LoraUse lora;
            lora.name = text(member(in, "lora_name")).value_or(QString());
            lora.weight = number(member(in, "strength_model"));
            lora.clipWeight = number(member(in, "strength_clip"));
            info.loras.prepend(lora);  // walking from the sampler back to the checkpoint
        }
        std::string next = graph.linked(at, "model");
        if (next.empty() && in.is_object()) {
            // A switch or selector: the input its "select" names ("input2"), else the first one linked.
            if (const auto select = integer(graph.value(at, "select")))
                for (const char *prefix : {"input", "model", "model_"})
                    if (next.empty())
                        next = graph.linked(at, prefix + std::to_string(*select));
            for (auto input = in.begin(); next.empty() && input != in.end(); ++input)
                next = graph.linked(at, input.key());
        }
        at = next;
    }
}

void readLatentSource(const ComfyGraph &graph, const std::string &sampler, GenerationInfo &info)
{
    // aMUSEd's sampler starts from a token grid.
    std::string at = graph.linked(sampler, graph.inputs(sampler).contains("tokens") ? "tokens" : "latent_image");
    for (int depth = 0; !at.empty() && depth < 32; ++depth) {
        const Json &in = graph.inputs(at);
        const auto width = integer(member(in, "width")), height = integer(member(in, "height"));
        if (width && height) {
            info.width = width;
            info.height = height;
            return;
        }
        std::string next;
        for (const char *key : {"samples", "pixels", "image"})
            if (member(in, key).is_array())
                next = graph.linked(at, key);
        at = next;
    }
}

// The first sampling pass of an API graph: its settings, prompts, checkpoint, LoRAs and size.
void readComfyGraph(const Json &nodes, GenerationInfo &info)
{
    const ComfyGraph graph(nodes);
    const std::vector<std::string> samplers = graph.samplers();
    info.samplingPasses = int(samplers.size());
    if (samplers.empty()) {
        info.warnings << QStringLiteral("the graph has no sampler node; its settings are unknown");
        return;
    }
    std::string first = samplers.front();
    for (const std::string &id : samplers)
        if (!graph.startsFromSampler(id)) {
            first = id;
            break;
        }
    const QString kind = graph.type(first);
    // SamplerCustomAdvanced takes its parts from nodes of their own: noise (the seed), a guider (model, prompts,
    // CFG), a sampler and sigmas, as FLUX graphs use it.
    const bool advanced = kind == QLatin1String("SamplerCustomAdvanced");
    const std::string guider = advanced ? graph.linked(first, "guider") : first;
    info.seed = seed(advanced ? graph.value(graph.linked(first, "noise"), "noise_seed")
                              : graph.value(first, kind == QLatin1String("KSampler") ? "seed" : "noise_seed"),
                     info.warnings);
    info.cfg = number(graph.value(guider, "cfg"));
    if (kind == QLatin1String("SamplerCustom") || advanced) {
        info.sampler = text(graph.value(graph.linked(first, "sampler"), "sampler_name"));
        const std::string sigmas = graph.linked(first, "sigmas");
        info.steps = integer(graph.value(sigmas, "steps"));
        info.scheduler = graph.type(sigmas); // the sigmas node names the schedule (SDTurboScheduler ...)
        info.denoise = number(graph.value(sigmas, "denoise"));
    } else if (kind == QLatin1String("AmusedSampler")) {
        info.steps = integer(graph.value(first, "steps"));
        info.sampler = QStringLiteral("amused");
        info.scheduler = QStringLiteral("cosine");
        info.denoise = number(graph.value(first, "denoise"));
        MaskedTokenRecipe settings;
        settings.temperatureStart = number(graph.value(first, "temperature_start")).value_or(settings.temperatureStart);
        settings.temperatureEnd = number(graph.value(first, "temperature_end")).value_or(settings.temperatureEnd);
        settings.aestheticScore = number(graph.value(first, "aesthetic_score")).value_or(settings.aestheticScore);
        settings.cropTop = int(integer(graph.value(first, "crop_top")).value_or(settings.cropTop));
        settings.cropLeft = int(integer(graph.value(first, "crop_left")).value_or(settings.cropLeft));
        info.maskedTokens = settings;
    } else {
        info.steps = integer(graph.value(first, "steps"));
        info.sampler = text(graph.value(first, "sampler_name"));
        info.scheduler = text(graph.value(first, "scheduler"));
        info.denoise = number(graph.value(first, "denoise"));
    }
    // A BasicGuider has one conditioning and no negative.
    const QStringList positive =
        graph.textsOf(guider, graph.inputs(guider).contains("positive") ? "positive" : "conditioning");
    if (!positive.isEmpty())
        info.prompt = positive.join(QLatin1Char('\n'));
    const QStringList negative = graph.textsOf(guider, "negative");
    if (!negative.isEmpty())
        info.negativePrompt = negative.join(QLatin1Char('\n'));
    std::string model = graph.linked(guider, "model");
    if (model.empty() && advanced)
        model = graph.linked(graph.linked(first, "sigmas"), "model");
    readModelChain(graph, model, info);
    readLatentSource(graph, first, info);
    static const QRegularExpression embedding(QStringLiteral(R"(embedding:([^\s,()\[\]]+))"));
    for (const QString &prompt : {info.prompt.value_or(QString()), info.negativePrompt.value_or(QString())}) {
        auto it = embedding.globalMatch(prompt);
        while (it.hasNext())
            info.embeddings << ModelReference{it.next().captured(1), QString()};
    }
    QSet<QString> unknown;
    for (auto node = nodes.begin(); node != nodes.end(); ++node) {
        const QString type = graph.type(node.key());
        if (type.contains(QLatin1String("Hypernetwork")))
            unknown.insert(type);
    }
    for (const QString &type : unknown)
        info.warnings << QStringLiteral("the graph uses %1, which Atelier does not run").arg(type);
}

} // namespace

std::optional<quint64> parseSeed(QStringView text)
{
    if (text.isEmpty() || text.size() > 20 ||
        !std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; }))
        return std::nullopt;
    bool ok = false;
    const quint64 seed = text.toULongLong(&ok);
    return ok ? std::optional<quint64>(seed) : std::nullopt;
}

namespace {

// A number the settings line states, or nothing with a warning: "Steps: twenty" is not 0 steps.
std::optional<int> statedWhole(const QString &key, const QString &value, QStringList &warnings)
{
    bool ok = false;
    const int number = value.trimmed().toInt(&ok);
    if (!ok)
        warnings << QStringLiteral("%1 \"%2\" is not a whole number; it is left out").arg(key, value.left(64));
    return ok ? std::optional<int>(number) : std::nullopt;
}

std::optional<double> statedDecimal(const QString &key, const QString &value, QStringList &warnings)
{
    const std::optional<double> number = decimal(value.trimmed());
    if (!number || !std::isfinite(*number)) {
        warnings << QStringLiteral("%1 \"%2\" is not a number; it is left out").arg(key, value.left(64));
        return std::nullopt;
    }
    return number;
}

// Values no generator uses: read, but flagged, since a damaged or edited file is the likelier story.
void flagOutOfRange(GenerationInfo &info)
{
    if (info.steps && (*info.steps < 1 || *info.steps > 10000))
        info.warnings << QStringLiteral("%1 steps is out of the usual range (1 to 10000)").arg(*info.steps);
    if (info.cfg && (*info.cfg < 0 || *info.cfg > 100))
        info.warnings << QStringLiteral("a CFG scale of %1 is out of the usual range (0 to 100)").arg(*info.cfg);
    for (const std::optional<int> *side : {&info.width, &info.height})
        if (*side && (**side < 1 || **side > 65536))
            info.warnings << QStringLiteral("a size of %1 pixels is out of the usual range (1 to 65536)").arg(**side);
    if (info.denoise && (*info.denoise < 0 || *info.denoise > 1))
        info.warnings << QStringLiteral("a denoising strength of %1 is out of range (0 to 1)").arg(*info.denoise);
}

// One "Key: value" of A1111's settings line; LoRA hashes are kept apart until the prompt's tags are read.
void readA1111Setting(const QString &key, const QString &value, GenerationInfo &info,
                      QMap<QString, QString> &loraHashes)
{
    if (value.trimmed().isEmpty()) // "Model: " (stable-diffusion.cpp) states nothing
        return;
    if (key == QLatin1String("Steps"))
        info.steps = statedWhole(key, value, info.warnings);
    else if (key == QLatin1String("Sampler"))
        info.sampler = value;
    else if (key == QLatin1String("Schedule type"))
        info.scheduler = value;
    else if (key == QLatin1String("CFG scale"))
        info.cfg = statedDecimal(key, value, info.warnings);
    else if (key == QLatin1String("Seed")) {
        info.seed = parseSeed(value);
        if (!info.seed)
            info.warnings << QStringLiteral(
                                 "the seed \"%1\" is not a whole number from 0 to 18446744073709551615; it is left out")
                                 .arg(value.left(64));
    } else if (key == QLatin1String("Size")) {
        const QStringList size = value.split(QLatin1Char('x'));
        bool wide = false, high = false;
        const int width = size.value(0).toInt(&wide), height = size.value(1).toInt(&high);
        if (size.size() == 2 && wide && high) {
            info.width = width;
            info.height = height;
        } else {
            info.warnings << QStringLiteral("the size \"%1\" is not WIDTHxHEIGHT; it is left out").arg(value.left(64));
        }
    } else if (key == QLatin1String("Model hash") || key == QLatin1String("Model") || key == QLatin1String("VAE") ||
               key == QLatin1String("VAE hash")) {
        // "Model"/"VAE" name a model, "... hash" its short hash; either may come first.
        std::optional<ModelReference> &reference = key.startsWith(QLatin1String("VAE")) ? info.vae : info.model;
        if (!reference)
            reference = ModelReference();
        (key.endsWith(QLatin1String(" hash")) ? reference->hash : reference->name) = value;
    } else if (key == QLatin1String("Refiner")) {
        // "sd_xl_refiner_1.0 [7440042bbd]": the name, then the short hash in brackets when A1111 knew it.
        static const QRegularExpression namedHash(QStringLiteral("^(.*?)\\s*\\[([0-9a-fA-F]+)\\]$"));
        const QRegularExpressionMatch match = namedHash.match(value.trimmed());
        info.refiner = match.hasMatch() ? ModelReference{match.captured(1), match.captured(2)}
                                        : ModelReference{value.trimmed(), QString()};
    } else if (key == QLatin1String("Refiner switch at")) {
        info.refinerSwitch = statedDecimal(key, value, info.warnings);
    } else if (key == QLatin1String("Denoising strength")) {
        info.denoise = statedDecimal(key, value, info.warnings);
    } else if (key == QLatin1String("Unet") && !info.model) { // stable-diffusion.cpp's diffusion model file
        info.model = ModelReference{value, QString()};
    } else if (key == QLatin1String("Lora hashes")) {
        for (const auto &[name, hash] : namedHashes(value))
            loraHashes.insert(name, hash);
    } else if (key == QLatin1String("TI hashes")) {
        for (const auto &[name, hash] : namedHashes(value))
            info.embeddings << ModelReference{name, hash};
    } else if (key == QLatin1String("Version")) {
        info.toolVersion = value;
        // Tools that write A1111's line name themselves in its Version.
        static const QList<std::pair<QString, QString>> writers{
            {QStringLiteral("stable-diffusion.cpp"), QStringLiteral("stable-diffusion.cpp")},
            {QStringLiteral("StabilityMatrix"), QStringLiteral("Stability Matrix")},
            {QStringLiteral("Stability Matrix"), QStringLiteral("Stability Matrix")},
            {QStringLiteral("Fooocus"), QStringLiteral("Fooocus")},
        };
        for (const auto &[mark, tool] : writers)
            if (value.contains(mark, Qt::CaseInsensitive)) {
                info.tool = tool;
                info.toolVersion = QString(value).remove(mark, Qt::CaseInsensitive).trimmed();
                return;
            }
        if (value.startsWith(QLatin1String("f"))) // Forge writes versions like "f2.0.1v1.10.1-previous-..."
            info.tool = QStringLiteral("Forge");
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
    for (const auto &[key, value] : settingPairs(settings))
        readA1111Setting(key, value, info, loraHashes);
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
                textEncoder = decimal(part.mid(3));
            else if (part.startsWith(QLatin1String("unet=")))
                unet = decimal(part.mid(5));
            else if (!part.contains(QLatin1Char('=')) && positional < 2) // a third is A1111's dyn dim
                (positional++ == 0 ? textEncoder : unet) = decimal(part);
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
    const Result<Json> graph = parseBoundedJson(promptJson.toUtf8());
    if (!graph || !graph.value().is_object()) {
        info.warnings << QStringLiteral("the \"prompt\" chunk is not a JSON object (%1); its settings are unknown")
                             .arg(graph ? QStringLiteral("wrong shape") : graph.error());
        return info;
    }
    readComfyGraph(graph.value(), info);
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
    else if (const TextChunk *swarm = find(QStringLiteral("parameters")); swarm && isSwarmUiParameters(swarm->text))
        info = parseSwarmUiParameters(swarm->text); // before its ComfyUI backend's `prompt`: what the artist set
    else if (const TextChunk *fooocus = find(QStringLiteral("parameters"));
             fooocus && (isFooocusParameters(fooocus->text) ||
                         (find(QStringLiteral("fooocus_scheme")) &&
                          find(QStringLiteral("fooocus_scheme"))->text.trimmed() == QLatin1String("fooocus"))))
        info = parseFooocusParameters(fooocus->text);
    else if (const TextChunk *prompt = find(QStringLiteral("prompt")))
        info = parseComfyUiPrompt(prompt->text);
    else if (const TextChunk *workflow = find(QStringLiteral("workflow")))
        info = parseComfyUiWorkflow(workflow->text);
    else if (const TextChunk *parameters = find(QStringLiteral("parameters")))
        info = parseA1111Parameters(parameters->text);
    else if (const TextChunk *software = find(QStringLiteral("Software"));
             software && software->text.trimmed() == QLatin1String("NovelAI")) {
        const TextChunk *comment = find(QStringLiteral("Comment"));
        const TextChunk *description = find(QStringLiteral("Description"));
        const TextChunk *source = find(QStringLiteral("Source"));
        info = parseNovelAiComment(comment ? comment->text : QString(), description ? description->text : QString(),
                                   source ? source->text : QString());
    } else
        info.tool = text.chunks.isEmpty() ? QStringLiteral("none") : QStringLiteral("unknown");
    flagOutOfRange(info);
    info.chunks = text.chunks;
    info.warnings = text.warnings + info.warnings;
    return info;
}

Result<GenerationInfo> readGenerationInfo(const QByteArray &png)
{
    const Result<PngText> chunks = readPngText(png);
    if (!chunks)
        return Result<GenerationInfo>::failure(chunks);
    GenerationInfo info = describeText(chunks.value());
    if (info.tool != QLatin1String("none") && info.tool != QLatin1String("unknown"))
        return info;
    // No recipe in the text: A1111's stealth metadata may hold one in the pixels (a site stripped the chunks).
    QStringList warnings;
    const std::optional<QString> hidden = readStealthText(png, warnings);
    info.warnings += warnings;
    if (!hidden)
        return info;
    GenerationInfo stealth;
    const Json object =
        hidden->trimmed().startsWith(QLatin1Char('{')) ? parseBoundedJsonOrDiscarded(hidden->toUtf8()) : Json();
    if (object.is_object()) // NovelAI hides its chunks as one JSON object
        stealth = parseNovelAiComment(text(member(object, "Comment")).value_or(QString()),
                                      text(member(object, "Description")).value_or(QString()),
                                      text(member(object, "Source")).value_or(QString()));
    else
        stealth = parseA1111Parameters(*hidden);
    stealth.chunks = info.chunks;
    stealth.warnings = info.warnings + stealth.warnings;
    stealth.warnings << QStringLiteral("the recipe was read from the pixels (stealth metadata), not from text chunks");
    return stealth;
}

Result<GenerationInfo> readGenerationInfo(const QString &path)
{
    const Result<QByteArray> bytes = readImageFile(path);
    if (!bytes)
        return Result<GenerationInfo>::failure(bytes);
    Result<GenerationInfo> info = readGenerationInfo(bytes.value());
    if (!info)
        return Result<GenerationInfo>::failure(QStringLiteral("%1: %2").arg(path, info.error()), info.errorType());
    return info;
}

} // namespace atelier::metadata

namespace atelier::metadata {

namespace {

// The widget names of the editor graph's `widgets_values`, in order, for the node types a recipe is read from.
const QHash<QString, QStringList> &widgetNames()
{
    static const QHash<QString, QStringList> names{
        {QStringLiteral("KSampler"),
         {"seed", "control_after_generate", "steps", "cfg", "sampler_name", "scheduler", "denoise"}},
        {QStringLiteral("KSamplerAdvanced"),
         {"add_noise", "noise_seed", "control_after_generate", "steps", "cfg", "sampler_name", "scheduler",
          "start_at_step", "end_at_step", "return_with_leftover_noise"}},
        {QStringLiteral("SamplerCustom"), {"add_noise", "noise_seed", "control_after_generate", "cfg"}},
        {QStringLiteral("KSamplerSelect"), {"sampler_name"}},
        {QStringLiteral("RandomNoise"), {"noise_seed", "control_after_generate"}},
        {QStringLiteral("CFGGuider"), {"cfg"}},
        {QStringLiteral("FluxGuidance"), {"guidance"}},
        {QStringLiteral("unCLIPCheckpointLoader"), {"ckpt_name"}},
        {QStringLiteral("ImageOnlyCheckpointLoader"), {"ckpt_name"}},
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
    const Json workflow = parseBoundedJsonOrDiscarded(workflowJson.toUtf8());
    if (!member(workflow, "nodes").is_array()) {
        GenerationInfo info;
        info.tool = QStringLiteral("ComfyUI");
        info.warnings << QStringLiteral("the \"workflow\" chunk is not a ComfyUI editor graph; its settings are unknown");
        return info;
    }
    // link id -> [source node id, source slot]
    std::unordered_map<std::int64_t, Json> links;
    for (const Json &link : elements(member(workflow, "links")))
        if (link.is_array() && link.size() >= 3 && link[0].is_number_integer() && link[1].is_number_integer())
            links[link[0].get<std::int64_t>()] = Json::array({std::to_string(link[1].get<std::int64_t>()), link[2]});
    // The API graph, node after node; widget values are copied as they are, so a seed past 2^63 stays exact.
    Json api = Json::object();
    for (const Json &node : elements(member(workflow, "nodes"))) {
        const QString type = text(member(node, "type")).value_or(QString());
        Json inputs = Json::object();
        const Json &widgets = elements(member(node, "widgets_values"));
        const QStringList names = widgetNames().value(type);
        for (std::size_t i = 0; i < std::size_t(names.size()) && i < widgets.size(); ++i)
            inputs[names[int(i)].toStdString()] = widgets[i];
        for (const Json &slot : elements(member(node, "inputs"))) {
            const Json &link = member(slot, "link");
            const auto name = text(member(slot, "name"));
            if (name && link.is_number_integer())
                if (const auto source = links.find(link.get<std::int64_t>()); source != links.end())
                    inputs[name->toStdString()] = source->second;
        }
        const Json &id = member(node, "id");
        const std::string key = id.is_number_integer() ? std::to_string(id.get<std::int64_t>())
                                : id.is_string()       ? id.get<std::string>()
                                                       : std::string();
        api[key] = Json{{"class_type", type.toStdString()}, {"inputs", std::move(inputs)}};
    }
    GenerationInfo info;
    info.tool = QStringLiteral("ComfyUI");
    readComfyGraph(api, info);
    info.warnings.prepend(QStringLiteral("read from the editor graph (\"workflow\"); the image has no \"prompt\" graph"));
    return info;
}

} // namespace atelier::metadata
