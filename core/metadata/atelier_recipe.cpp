// What Atelier writes into its images (atelier_metadata, atelier_workflow, A1111 parameters), and reading it back.
#include "core/metadata/generation_info.h"

#include "core/hashing/content_hash.h"
#include "core/metadata/json_fields.h"

#include <QHash>

#include <algorithm>
#include <cmath>

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

// ComfyUI's sampler and scheduler for the names other tools write: A1111's ("DPM++ 2M Karras", "Euler a"; the
// schedule in the name or apart), InvokeAI's ("dpmpp_2m_k", "euler_a", "unipc"), or ComfyUI's own. A name it does not
// know stays as written, for validation to report.
std::pair<QString, QString> comfySampler(const QString &sampler, const QString &scheduler)
{
    static const QHash<QString, QString> invokeAi{{QStringLiteral("euler_a"), QStringLiteral("euler_ancestral")},
                                                  {QStringLiteral("unipc"), QStringLiteral("uni_pc")},
                                                  {QStringLiteral("kdpm_2"), QStringLiteral("dpm_2")},
                                                  {QStringLiteral("kdpm_2_a"), QStringLiteral("dpm_2_ancestral")},
                                                  {QStringLiteral("dpmpp_2s"), QStringLiteral("dpmpp_2s_ancestral")}};
    QString name = sampler.trimmed(), schedule = scheduler.trimmed().toLower();
    for (const auto &[suffix, named] : {std::pair{QStringLiteral(" Karras"), QStringLiteral("karras")},
                                        std::pair{QStringLiteral(" Exponential"), QStringLiteral("exponential")}})
        if (name.endsWith(suffix, Qt::CaseInsensitive)) {
            name.chop(suffix.size());
            schedule = named;
        }
    if (name.endsWith(QStringLiteral("_k"))) { // InvokeAI's Karras variants
        name.chop(2);
        schedule = QStringLiteral("karras");
    }
    static const QStringList comfy{"euler",
                                   "euler_ancestral",
                                   "heun",
                                   "dpm_2",
                                   "dpm_2_ancestral",
                                   "lms",
                                   "dpmpp_2s_ancestral",
                                   "dpmpp_2m",
                                   "dpmpp_2m_sde",
                                   "ddim",
                                   "uni_pc",
                                   "lcm"};
    QString comfyName = invokeAi.value(name, name);
    if (!comfy.contains(comfyName))
        for (const QString &candidate : comfy)
            if (a1111Sampler(candidate).compare(name, Qt::CaseInsensitive) == 0)
                comfyName = candidate;
    static const QHash<QString, QString> schedules{{QStringLiteral("automatic"), QStringLiteral("normal")},
                                                   {QStringLiteral("sgm uniform"), QStringLiteral("sgm_uniform")},
                                                   {QStringLiteral("ddim"), QStringLiteral("ddim_uniform")}};
    schedule = schedules.value(schedule, schedule);
    return {comfyName, schedule.isEmpty() ? QStringLiteral("normal") : schedule};
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

// A strength as A1111 and ComfyUI write it: "0.8", "1".
QString strength(double value)
{
    return QString::number(value, 'g', 6);
}

// A1111's prompt tag for a LoRA: <lora:name:w>, or <lora:name:unet=w:te=c> when the two strengths differ.
QString loraTag(const LoraUse &lora)
{
    const double model = lora.weight.value_or(1.0);
    if (!lora.clipWeight || *lora.clipWeight == model)
        return QStringLiteral("<lora:%1:%2>").arg(lora.name, strength(model));
    return QStringLiteral("<lora:%1:unet=%2:te=%3>").arg(lora.name, strength(model), strength(*lora.clipWeight));
}

// "name: autov2, name2: autov2", A1111's `Lora hashes` and `TI hashes`.
QString namedShortHashes(const QList<QPair<QString, QString>> &named)
{
    QStringList parts;
    for (const auto &[name, hash] : named)
        if (!hash.isEmpty())
            parts << name + QStringLiteral(": ") + hashing::autoV2(hash);
    return parts.join(QStringLiteral(", "));
}

// Written with the keys in a fixed, readable order (nlohmann's ordered_json); read back with any order.
using WrittenJson = nlohmann::ordered_json;
using json_fields::Json;

std::string utf8(const QString &text)
{
    return text.toStdString();
}

// Compact JSON text; a string that is not valid UTF-8 cannot come from a QString, but is replaced rather than thrown.
QString compactText(const WrittenJson &json)
{
    return QString::fromStdString(json.dump(-1, ' ', false, WrittenJson::error_handler_t::replace));
}

WrittenJson hashedName(const QString &name, const QString &sha256)
{
    WrittenJson object{{"name", utf8(name)}};
    if (!sha256.isEmpty()) {
        object["sha256"] = utf8(sha256);
        object["autov2"] = utf8(hashing::autoV2(sha256));
    }
    return object;
}

template <typename T> void putIfStated(WrittenJson &object, const char *key, const std::optional<T> &value)
{
    if (value)
        object[key] = *value;
}

void putIfStated(WrittenJson &object, const char *key, const std::optional<QString> &value)
{
    if (value)
        object[key] = utf8(*value);
}

// A base→refiner run as ComfyUI graphs it: the base's KSamplerAdvanced stops at the switch step with its leftover
// noise, the refiner's (node 6, which the decoder reads) goes on from there on prompts its own CLIP encodes, and
// the refiner's VAE decodes unless another VAE was chosen.
template <typename Add>
void refinerNodes(const GenerationInfo &recipe, const Add &add, const WrittenJson &model, const WrittenJson &latent,
                  WrittenJson &vae, const QString &sampler, const QString &scheduler)
{
    const auto link = [](const std::string &node, int output) { return WrittenJson::array({node, output}); };
    const int steps = recipe.steps.value_or(20);
    // The share of the steps the base runs, as the engine rounds it: at least one step each.
    const int switchStep =
        std::clamp(int(std::lround(steps * recipe.refinerSwitch.value_or(0.8))), 1, std::max(1, steps - 1));
    // KSamplerAdvanced has no denoise: img2img's shortened schedule is the last `steps` of a longer one, as
    // KSampler makes it.
    const double denoise = recipe.denoise.value_or(1.0);
    const int scheduleSteps = denoise > 0.0 && denoise < 1.0 ? int(steps / denoise) : steps;
    const int firstStep = scheduleSteps - steps;
    add("20", "CheckpointLoaderSimple", {{"ckpt_name", utf8(recipe.refiner->name)}});
    add("21", "CLIPTextEncode", {{"text", utf8(recipe.prompt.value_or(QString()))}, {"clip", link("20", 1)}});
    add("22", "CLIPTextEncode", {{"text", utf8(recipe.negativePrompt.value_or(QString()))}, {"clip", link("20", 1)}});
    const auto pass = [&](const std::string &id, const WrittenJson &passModel, const std::string &positive,
                          const std::string &negative, const WrittenJson &from, bool first) {
        add(id, "KSamplerAdvanced",
            {{"add_noise", first ? "enable" : "disable"},
             {"noise_seed", recipe.seed.value_or(0)},
             {"steps", scheduleSteps},
             {"cfg", recipe.cfg.value_or(7.0)},
             {"sampler_name", utf8(sampler)},
             {"scheduler", utf8(scheduler)},
             {"start_at_step", first ? firstStep : firstStep + switchStep},
             {"end_at_step", first ? firstStep + switchStep : 10000},
             {"return_with_leftover_noise", first ? "enable" : "disable"},
             {"model", passModel},
             {"positive", link(positive, 0)},
             {"negative", link(negative, 0)},
             {"latent_image", from}});
    };
    pass("23", model, "2", "3", latent, true);
    pass("6", link("20", 0), "21", "22", link("23", 0), false);
    if (!recipe.vae)
        vae = link("20", 2);
}

} // namespace

QString a1111Parameters(const GenerationInfo &recipe)
{
    QStringList lines;
    // A1111 applies LoRAs named by tags in the prompt, so the tags go there.
    QString prompt = recipe.prompt.value_or(QString());
    for (const LoraUse &lora : recipe.loras)
        prompt += (prompt.isEmpty() ? QString() : QStringLiteral(" ")) + loraTag(lora);
    lines << prompt;
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
        add(QStringLiteral("Model hash"), hashing::autoV2(recipe.model->hash));
        add(QStringLiteral("Model"), recipe.model->name);
    }
    if (recipe.vae) {
        add(QStringLiteral("VAE hash"), hashing::autoV2(recipe.vae->hash));
        add(QStringLiteral("VAE"), recipe.vae->name);
    }
    if (recipe.refiner) {
        const QString shortHash = hashing::autoV2(recipe.refiner->hash);
        add(QStringLiteral("Refiner"), shortHash.isEmpty()
                                           ? recipe.refiner->name
                                           : QStringLiteral("%1 [%2]").arg(recipe.refiner->name, shortHash));
        add(QStringLiteral("Refiner switch at"),
            recipe.refinerSwitch ? QString::number(*recipe.refinerSwitch) : QString());
    }
    add(QStringLiteral("Denoising strength"), recipe.denoise && *recipe.denoise < 1.0 ? QString::number(*recipe.denoise) : QString());
    add(QStringLiteral("Clip skip"), recipe.clipSkip && *recipe.clipSkip > 1 ? QString::number(*recipe.clipSkip) : QString());
    if (recipe.maskedTokens) {
        const MaskedTokenRecipe &masked = *recipe.maskedTokens;
        add(QStringLiteral("Temperature"),
            QStringLiteral("%1 to %2").arg(masked.temperatureStart).arg(masked.temperatureEnd));
        add(QStringLiteral("Aesthetic score"), QString::number(masked.aestheticScore));
        add(QStringLiteral("Crop"), QStringLiteral("%1,%2").arg(masked.cropTop).arg(masked.cropLeft));
    }
    QList<QPair<QString, QString>> loraHashes, embeddingHashes;
    for (const LoraUse &lora : recipe.loras)
        loraHashes.append({lora.name, lora.hash});
    for (const ModelReference &embedding : recipe.embeddings)
        embeddingHashes.append({embedding.name, embedding.hash});
    add(QStringLiteral("Lora hashes"), namedShortHashes(loraHashes));
    add(QStringLiteral("TI hashes"), namedShortHashes(embeddingHashes));
    add(QStringLiteral("Version"), QStringLiteral("Atelier ") + recipe.toolVersion);
    lines << settings.join(QStringLiteral(", "));
    return lines.join(QLatin1Char('\n'));
}

QList<TextChunk> recipeChunks(const GenerationInfo &recipe)
{
    WrittenJson object{{"format", "atelier-metadata"},
                       {"version", kFormatVersion},
                       {"app", {{"name", "Atelier"}, {"version", utf8(recipe.toolVersion)}}}};
    putIfStated(object, "prompt", recipe.prompt);
    putIfStated(object, "negative_prompt", recipe.negativePrompt);
    putIfStated(object, "seed", recipe.seed); // a JSON integer up to 2^64 - 1, as ComfyUI writes seeds
    object["noise"] = "cpu-normal";           // one normal draw from a CPU generator seeded with the seed
    object["batch_index"] = recipe.batchIndex;
    putIfStated(object, "steps", recipe.steps);
    putIfStated(object, "sampler", recipe.sampler);
    putIfStated(object, "scheduler", recipe.scheduler);
    putIfStated(object, "cfg", recipe.cfg);
    putIfStated(object, "width", recipe.width);
    putIfStated(object, "height", recipe.height);
    putIfStated(object, "denoise", recipe.denoise);
    putIfStated(object, "clip_skip", recipe.clipSkip);
    if (recipe.maskedTokens)
        object["masked_tokens"] = {{"temperature_start", recipe.maskedTokens->temperatureStart},
                                   {"temperature_end", recipe.maskedTokens->temperatureEnd},
                                   {"aesthetic_score", recipe.maskedTokens->aestheticScore},
                                   {"crop_top", recipe.maskedTokens->cropTop},
                                   {"crop_left", recipe.maskedTokens->cropLeft}};
    if (recipe.model)
        object["model"] = {{"name", utf8(recipe.model->name)},
                           {"sha256", utf8(recipe.model->hash)},
                           {"autov2", utf8(hashing::autoV2(recipe.model->hash))}};
    if (recipe.vae)
        object["vae"] = hashedName(recipe.vae->name, recipe.vae->hash);
    if (recipe.refiner)
        object["refiner"] = hashedName(recipe.refiner->name, recipe.refiner->hash);
    putIfStated(object, "refiner_switch", recipe.refinerSwitch);
    if (!recipe.initImageSha256.isEmpty())
        object["init_image"] = {{"sha256", utf8(recipe.initImageSha256)}};
    WrittenJson loras = WrittenJson::array(), embeddings = WrittenJson::array();
    for (const LoraUse &lora : recipe.loras) {
        WrittenJson entry = hashedName(lora.name, lora.hash);
        entry["strength_model"] = lora.weight.value_or(1.0);
        entry["strength_clip"] = lora.clipWeight.value_or(lora.weight.value_or(1.0));
        loras.push_back(std::move(entry));
    }
    for (const ModelReference &embedding : recipe.embeddings)
        embeddings.push_back(hashedName(embedding.name, embedding.hash));
    if (!loras.empty())
        object["loras"] = std::move(loras);
    if (!embeddings.empty())
        object["embeddings"] = std::move(embeddings);
    WrittenJson pipeline = WrittenJson::array();
    for (const LoraUse &lora : recipe.loras)
        pipeline.push_back({{"type", "apply_lora"}, {"name", utf8(lora.name)}});
    if (!recipe.initImageSha256.isEmpty())
        pipeline.push_back({{"type", "encode_image"}});
    pipeline.push_back({{"type", "encode_prompts"}});
    pipeline.push_back({{"type", "sample"},
                        {"sampler", utf8(recipe.sampler.value_or(QString()))},
                        {"scheduler", utf8(recipe.scheduler.value_or(QString()))}});
    if (recipe.refiner)
        pipeline.push_back({{"type", "refine"},
                            {"model", utf8(recipe.refiner->name)},
                            {"switch", recipe.refinerSwitch.value_or(0.8)}});
    pipeline.push_back({{"type", "decode"}});
    pipeline.push_back({{"type", "save_image"}});
    object["pipeline"] = std::move(pipeline);

    TextChunk metadata;
    metadata.type = "iTXt";
    metadata.keyword = QStringLiteral("atelier_metadata");
    metadata.text = compactText(object);
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

namespace {

// An aMUSEd image's graph: its loader, text encoders, a token grid (or an image's tokens), its sampler, VQ Decode.
QString amusedWorkflow(const GenerationInfo &recipe)
{
    WrittenJson nodes = WrittenJson::object();
    const auto link = [](const std::string &node, int output) { return WrittenJson::array({node, output}); };
    const auto add = [&nodes](const std::string &id, const char *type, WrittenJson inputs) {
        nodes[id] = {{"class_type", type}, {"inputs", std::move(inputs)}};
    };
    const MaskedTokenRecipe masked = recipe.maskedTokens.value_or(MaskedTokenRecipe());
    add("1", "AmusedCheckpointLoader", {{"ckpt_name", utf8(recipe.model ? recipe.model->name : QString())}});
    add("2", "AmusedTextEncode", {{"text", utf8(recipe.prompt.value_or(QString()))}, {"clip", link("1", 1)}});
    add("3", "AmusedTextEncode", {{"text", utf8(recipe.negativePrompt.value_or(QString()))}, {"clip", link("1", 1)}});
    WrittenJson tokens = link("4", 0);
    if (!recipe.initImageSha256.isEmpty()) {
        add("4", "LoadImage", {{"image_sha256", utf8(recipe.initImageSha256)}});
        add("5", "VQEncode", {{"pixels", link("4", 0)}, {"vqgan", link("1", 2)}});
        tokens = link("5", 0);
    } else {
        add("4", "AmusedEmptyTokens",
            {{"width", recipe.width.value_or(256)}, {"height", recipe.height.value_or(256)}, {"batch_size", 1}});
    }
    add("6", "AmusedSampler",
        {{"seed", recipe.seed.value_or(0)},
         {"steps", recipe.steps.value_or(12)},
         {"cfg", recipe.cfg.value_or(10.0)},
         {"temperature_start", masked.temperatureStart},
         {"temperature_end", masked.temperatureEnd},
         {"aesthetic_score", masked.aestheticScore},
         {"crop_top", masked.cropTop},
         {"crop_left", masked.cropLeft},
         {"denoise", recipe.denoise.value_or(1.0)},
         {"model", link("1", 0)},
         {"positive", link("2", 0)},
         {"negative", link("3", 0)},
         {"tokens", tokens}});
    add("7", "VQDecode", {{"tokens", link("6", 0)}, {"vqgan", link("1", 2)}});
    add("8", "SaveImage", {{"images", link("7", 0)}, {"filename_prefix", "Atelier"}});
    return compactText({{"format", "atelier-workflow"}, {"version", kFormatVersion}, {"nodes", std::move(nodes)}});
}

} // namespace

QString recipeWorkflow(const GenerationInfo &recipe)
{
    if (recipe.maskedTokens)
        return amusedWorkflow(recipe);
    WrittenJson nodes = WrittenJson::object();
    const auto link = [](const std::string &node, int output) { return WrittenJson::array({node, output}); };
    const auto add = [&nodes](const std::string &id, const char *type, WrittenJson inputs) {
        nodes[id] = {{"class_type", type}, {"inputs", std::move(inputs)}};
    };
    add("1", "CheckpointLoaderSimple", {{"ckpt_name", utf8(recipe.model ? recipe.model->name : QString())}});
    WrittenJson model = link("1", 0);
    WrittenJson clip = link("1", 1);

    // LoRAs chain from the checkpoint as ComfyUI's LoraLoader nodes do, each on the model and CLIP before it.
    int nextNode = 10; // ids past the fixed nodes, in order: LoRAs, then the VAE
    for (const LoraUse &lora : recipe.loras) {
        const std::string id = std::to_string(nextNode++);
        add(id, "LoraLoader",
            {{"lora_name", utf8(lora.name)},
             {"strength_model", lora.weight.value_or(1.0)},
             {"strength_clip", lora.clipWeight.value_or(lora.weight.value_or(1.0))},
             {"model", model},
             {"clip", clip}});
        model = link(id, 0);
        clip = link(id, 1);
    }
    WrittenJson vae = link("1", 2);
    if (recipe.vae) {
        const std::string id = std::to_string(nextNode++);
        add(id, "VAELoader", {{"vae_name", utf8(recipe.vae->name)}});
        vae = link(id, 0);
    }
    if (recipe.clipSkip && *recipe.clipSkip > 1) {
        add("9", "CLIPSetLastLayer", {{"stop_at_clip_layer", -*recipe.clipSkip}, {"clip", clip}});
        clip = link("9", 0);
    }
    add("2", "CLIPTextEncode", {{"text", utf8(recipe.prompt.value_or(QString()))}, {"clip", clip}});
    add("3", "CLIPTextEncode", {{"text", utf8(recipe.negativePrompt.value_or(QString()))}, {"clip", clip}});
    WrittenJson latent = link("4", 0);
    if (!recipe.initImageSha256.isEmpty()) {
        add("4", "LoadImage", {{"image_sha256", utf8(recipe.initImageSha256)}});
        add("5", "VAEEncode", {{"pixels", link("4", 0)}, {"vae", vae}});
        latent = link("5", 0);
    } else {
        add("4", "EmptyLatentImage",
            {{"width", recipe.width.value_or(512)}, {"height", recipe.height.value_or(512)}, {"batch_size", 1}});
    }
    const auto [sampler, scheduler] =
        comfySampler(recipe.sampler.value_or(QStringLiteral("euler")), recipe.scheduler.value_or(QString()));
    if (recipe.refiner) {
        refinerNodes(recipe, add, model, latent, vae, sampler, scheduler);
    } else {
        add("6", "KSampler",
            {{"seed", recipe.seed.value_or(0)},
             {"steps", recipe.steps.value_or(20)},
             {"cfg", recipe.cfg.value_or(7.0)},
             {"sampler_name", utf8(sampler)},
             {"scheduler", utf8(scheduler)},
             {"denoise", recipe.denoise.value_or(1.0)},
             {"model", model},
             {"positive", link("2", 0)},
             {"negative", link("3", 0)},
             {"latent_image", latent}});
    }
    add("7", "VAEDecode", {{"samples", link("6", 0)}, {"vae", vae}});
    add("8", "SaveImage", {{"images", link("7", 0)}, {"filename_prefix", "Atelier"}});
    return compactText({{"format", "atelier-workflow"}, {"version", kFormatVersion}, {"nodes", std::move(nodes)}});
}

GenerationInfo parseAtelierMetadata(const QString &metadataJson)
{
    using namespace json_fields;
    GenerationInfo info;
    info.tool = QStringLiteral("Atelier");
    const Json object = parseBoundedJsonOrDiscarded(metadataJson.toUtf8());
    if (text(member(object, "format")) != QStringLiteral("atelier-metadata")) {
        info.warnings << QStringLiteral("the \"atelier_metadata\" chunk is not Atelier metadata JSON; its settings are unknown");
        return info;
    }
    if (const auto version = integer(member(object, "version")); version && *version > kFormatVersion)
        info.warnings << QStringLiteral(
                             "written by a newer Atelier (metadata version %1); fields it added are not shown")
                             .arg(*version);
    info.toolVersion = text(member(member(object, "app"), "version")).value_or(QString());
    info.prompt = text(member(object, "prompt"));
    info.negativePrompt = text(member(object, "negative_prompt"));
    info.seed = seed(member(object, "seed"), info.warnings);
    info.steps = integer(member(object, "steps"));
    info.sampler = text(member(object, "sampler"));
    info.scheduler = text(member(object, "scheduler"));
    info.cfg = number(member(object, "cfg"));
    info.width = integer(member(object, "width"));
    info.height = integer(member(object, "height"));
    info.denoise = number(member(object, "denoise"));
    info.clipSkip = integer(member(object, "clip_skip"));
    info.batchIndex = integer(member(object, "batch_index")).value_or(0);
    if (const Json &masked = member(object, "masked_tokens"); masked.is_object() && !masked.empty()) {
        MaskedTokenRecipe settings;
        settings.temperatureStart = number(member(masked, "temperature_start")).value_or(settings.temperatureStart);
        settings.temperatureEnd = number(member(masked, "temperature_end")).value_or(settings.temperatureEnd);
        settings.aestheticScore = number(member(masked, "aesthetic_score")).value_or(settings.aestheticScore);
        settings.cropTop = int(integer(member(masked, "crop_top")).value_or(settings.cropTop));
        settings.cropLeft = int(integer(member(masked, "crop_left")).value_or(settings.cropLeft));
        info.maskedTokens = settings;
    }
    const Json &model = member(object, "model");
    if (model.is_object() && !model.empty())
        info.model = ModelReference{text(member(model, "name")).value_or(QString()),
                                    text(member(model, "sha256")).value_or(QString())};
    if (const Json &vae = member(object, "vae"); vae.is_object() && !vae.empty())
        info.vae = ModelReference{text(member(vae, "name")).value_or(QString()),
                                  text(member(vae, "sha256")).value_or(QString())};
    if (const Json &refiner = member(object, "refiner"); refiner.is_object() && !refiner.empty()) {
        info.refiner = ModelReference{text(member(refiner, "name")).value_or(QString()),
                                      text(member(refiner, "sha256")).value_or(QString())};
        info.refinerSwitch = number(member(object, "refiner_switch"));
    }
    info.initImageSha256 = text(member(member(object, "init_image"), "sha256")).value_or(QString());
    for (const Json &lora : elements(member(object, "loras")))
        info.loras << LoraUse{text(member(lora, "name")).value_or(QString()), number(member(lora, "strength_model")),
                              text(member(lora, "sha256")).value_or(QString()), number(member(lora, "strength_clip"))};
    for (const Json &embedding : elements(member(object, "embeddings")))
        info.embeddings << ModelReference{text(member(embedding, "name")).value_or(QString()),
                                          text(member(embedding, "sha256")).value_or(QString())};
    info.samplingPasses = info.refiner ? 2 : 1;
    return info;
}

} // namespace atelier::metadata
