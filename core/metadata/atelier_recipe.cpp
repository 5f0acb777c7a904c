// What Atelier writes into its images (atelier_metadata, atelier_workflow, A1111 parameters), and reading it back.
#include "core/metadata/generation_info.h"

#include "core/models/hashing/content_hash.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
            parts << name + QStringLiteral(": ") + models::autoV2(hash);
    return parts.join(QStringLiteral(", "));
}

QJsonObject hashedName(const QString &name, const QString &sha256)
{
    QJsonObject object{{QStringLiteral("name"), name}};
    if (!sha256.isEmpty()) {
        object.insert(QStringLiteral("sha256"), sha256);
        object.insert(QStringLiteral("autov2"), models::autoV2(sha256));
    }
    return object;
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
        add(QStringLiteral("Model hash"), models::autoV2(recipe.model->hash));
        add(QStringLiteral("Model"), recipe.model->name);
    }
    add(QStringLiteral("Denoising strength"), recipe.denoise && *recipe.denoise < 1.0 ? QString::number(*recipe.denoise) : QString());
    add(QStringLiteral("Clip skip"), recipe.clipSkip && *recipe.clipSkip > 1 ? QString::number(*recipe.clipSkip) : QString());
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
    QJsonArray loras, embeddings;
    for (const LoraUse &lora : recipe.loras) {
        QJsonObject entry = hashedName(lora.name, lora.hash);
        entry.insert(QStringLiteral("strength_model"), lora.weight.value_or(1.0));
        entry.insert(QStringLiteral("strength_clip"), lora.clipWeight.value_or(lora.weight.value_or(1.0)));
        loras.append(entry);
    }
    for (const ModelReference &embedding : recipe.embeddings)
        embeddings.append(hashedName(embedding.name, embedding.hash));
    if (!loras.isEmpty())
        put("loras", loras);
    if (!embeddings.isEmpty())
        put("embeddings", embeddings);
    QJsonArray pipeline;
    for (const LoraUse &lora : recipe.loras)
        pipeline.append(
            QJsonObject{{QStringLiteral("type"), QStringLiteral("apply_lora")}, {QStringLiteral("name"), lora.name}});
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
    QJsonArray model = link("1", 0);
    QJsonArray clip = link("1", 1);
    // LoRAs chain from the checkpoint as ComfyUI's LoraLoader nodes do, each on the model and CLIP before it.
    int loraNode = 10;
    for (const LoraUse &lora : recipe.loras) {
        const QByteArray id = QByteArray::number(loraNode++);
        add(id.constData(), "LoraLoader",
            {{QStringLiteral("lora_name"), lora.name},
             {QStringLiteral("strength_model"), lora.weight.value_or(1.0)},
             {QStringLiteral("strength_clip"), lora.clipWeight.value_or(lora.weight.value_or(1.0))},
             {QStringLiteral("model"), model},
             {QStringLiteral("clip"), clip}});
        model = QJsonArray{QString::fromLatin1(id), 0};
        clip = QJsonArray{QString::fromLatin1(id), 1};
    }
    if (recipe.clipSkip && *recipe.clipSkip > 1) {
        add("9", "CLIPSetLastLayer",
            {{QStringLiteral("stop_at_clip_layer"), -*recipe.clipSkip}, {QStringLiteral("clip"), clip}});
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
    add("6", "KSampler",
        {{QStringLiteral("seed"), qint64(recipe.seed.value_or(0))},
         {QStringLiteral("steps"), recipe.steps.value_or(20)},
         {QStringLiteral("cfg"), recipe.cfg.value_or(7.0)},
         {QStringLiteral("sampler_name"), recipe.sampler.value_or(QStringLiteral("euler"))},
         {QStringLiteral("scheduler"), recipe.scheduler.value_or(QStringLiteral("normal"))},
         {QStringLiteral("denoise"), recipe.denoise.value_or(1.0)},
         {QStringLiteral("model"), model},
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
    for (const QJsonValue &entry : object.value(QStringLiteral("loras")).toArray()) {
        const QJsonObject lora = entry.toObject();
        LoraUse use{lora.value(QStringLiteral("name")).toString(), std::nullopt,
                    lora.value(QStringLiteral("sha256")).toString(), std::nullopt};
        if (lora.value(QStringLiteral("strength_model")).isDouble())
            use.weight = lora.value(QStringLiteral("strength_model")).toDouble();
        if (lora.value(QStringLiteral("strength_clip")).isDouble())
            use.clipWeight = lora.value(QStringLiteral("strength_clip")).toDouble();
        info.loras << use;
    }
    for (const QJsonValue &entry : object.value(QStringLiteral("embeddings")).toArray())
        info.embeddings << ModelReference{entry.toObject().value(QStringLiteral("name")).toString(),
                                          entry.toObject().value(QStringLiteral("sha256")).toString()};
    info.samplingPasses = 1;
    return info;
}

} // namespace atelier::metadata
