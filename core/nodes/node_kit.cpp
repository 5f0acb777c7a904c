#include "core/nodes/node_kit.h"

#include "core/engine/client/engine_client.h"

#include <QHash>

namespace atelier::nodes::kit {

using graph::GraphValue;
using graph::InputSpec;

InputSpec link(const QString &name, const QString &type, bool optional)
{
    InputSpec spec;
    spec.name = name;
    spec.type = type;
    spec.optional = optional;
    return spec;
}

InputSpec integer(const QString &name, qint64 defaultValue, double minimum, double maximum, double step)
{
    InputSpec spec = link(name, graph::kInt);
    spec.defaultValue = GraphValue::integer(defaultValue);
    spec.minimum = minimum;
    spec.maximum = maximum;
    spec.step = step;
    return spec;
}

InputSpec real(const QString &name, double defaultValue, double minimum, double maximum, double step)
{
    InputSpec spec = link(name, graph::kFloat);
    spec.defaultValue = GraphValue::real(defaultValue);
    spec.minimum = minimum;
    spec.maximum = maximum;
    spec.step = step;
    return spec;
}

InputSpec text(const QString &name, const QString &defaultValue, bool multiline)
{
    InputSpec spec = link(name, graph::kString);
    spec.defaultValue = GraphValue::text(defaultValue);
    spec.multiline = multiline;
    return spec;
}

InputSpec combo(const QString &name, const QStringList &options)
{
    InputSpec spec = link(name, graph::kCombo);
    spec.options = options;
    if (!options.isEmpty())
        spec.defaultValue = GraphValue::text(options.front());
    return spec;
}

InputSpec libraryCombo(const QString &name, const QString &optionsFrom)
{
    InputSpec spec = link(name, graph::kCombo);
    spec.optionsFrom = optionsFrom;
    return spec;
}

InputSpec seed(const QString &name)
{
    InputSpec spec = integer(name, 0, 0, 18446744073709551615.0);
    spec.controlAfterGenerate = true;
    return spec;
}

graph::OutputSpec output(const QString &type, const QString &name)
{
    return {type, name.isEmpty() ? type : name, false};
}

namespace {

// The built-in nodes' input names (ComfyUI's), for their labels (graph::inputLabel); test_german_interface
// checks that none is missing.
[[maybe_unused]] const char *const kInputNames[] = {
    QT_TRANSLATE_NOOP("NodeInput", "add_noise"),
    QT_TRANSLATE_NOOP("NodeInput", "aesthetic_score"),
    QT_TRANSLATE_NOOP("NodeInput", "amount"),
    QT_TRANSLATE_NOOP("NodeInput", "ascore"),
    QT_TRANSLATE_NOOP("NodeInput", "batch_index"),
    QT_TRANSLATE_NOOP("NodeInput", "batch_size"),
    QT_TRANSLATE_NOOP("NodeInput", "cfg"),
    QT_TRANSLATE_NOOP("NodeInput", "channel"),
    QT_TRANSLATE_NOOP("NodeInput", "ckpt_name"),
    QT_TRANSLATE_NOOP("NodeInput", "clip"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_1"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_2"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_from"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_to"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_to_strength"),
    QT_TRANSLATE_NOOP("NodeInput", "config_name"),
    QT_TRANSLATE_NOOP("NodeInput", "control_after_generate"),
    QT_TRANSLATE_NOOP("NodeInput", "crop"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_h"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_left"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_top"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_w"),
    QT_TRANSLATE_NOOP("NodeInput", "denoise"),
    QT_TRANSLATE_NOOP("NodeInput", "end_at_step"),
    QT_TRANSLATE_NOOP("NodeInput", "filename_prefix"),
    QT_TRANSLATE_NOOP("NodeInput", "grow_mask_by"),
    QT_TRANSLATE_NOOP("NodeInput", "height"),
    QT_TRANSLATE_NOOP("NodeInput", "image"),
    QT_TRANSLATE_NOOP("NodeInput", "image1"),
    QT_TRANSLATE_NOOP("NodeInput", "image2"),
    QT_TRANSLATE_NOOP("NodeInput", "images"),
    QT_TRANSLATE_NOOP("NodeInput", "input"),
    QT_TRANSLATE_NOOP("NodeInput", "latent_image"),
    QT_TRANSLATE_NOOP("NodeInput", "length"),
    QT_TRANSLATE_NOOP("NodeInput", "lora_name"),
    QT_TRANSLATE_NOOP("NodeInput", "mask"),
    QT_TRANSLATE_NOOP("NodeInput", "model"),
    QT_TRANSLATE_NOOP("NodeInput", "negative"),
    QT_TRANSLATE_NOOP("NodeInput", "noise_seed"),
    QT_TRANSLATE_NOOP("NodeInput", "overlap"),
    QT_TRANSLATE_NOOP("NodeInput", "pixels"),
    QT_TRANSLATE_NOOP("NodeInput", "positive"),
    QT_TRANSLATE_NOOP("NodeInput", "return_with_leftover_noise"),
    QT_TRANSLATE_NOOP("NodeInput", "sampler_name"),
    QT_TRANSLATE_NOOP("NodeInput", "samples"),
    QT_TRANSLATE_NOOP("NodeInput", "scale_by"),
    QT_TRANSLATE_NOOP("NodeInput", "scheduler"),
    QT_TRANSLATE_NOOP("NodeInput", "seed"),
    QT_TRANSLATE_NOOP("NodeInput", "start_at_step"),
    QT_TRANSLATE_NOOP("NodeInput", "steps"),
    QT_TRANSLATE_NOOP("NodeInput", "stop_at_clip_layer"),
    QT_TRANSLATE_NOOP("NodeInput", "strength"),
    QT_TRANSLATE_NOOP("NodeInput", "strength_clip"),
    QT_TRANSLATE_NOOP("NodeInput", "strength_model"),
    QT_TRANSLATE_NOOP("NodeInput", "target_height"),
    QT_TRANSLATE_NOOP("NodeInput", "target_width"),
    QT_TRANSLATE_NOOP("NodeInput", "temperature_end"),
    QT_TRANSLATE_NOOP("NodeInput", "temperature_start"),
    QT_TRANSLATE_NOOP("NodeInput", "temporal_overlap"),
    QT_TRANSLATE_NOOP("NodeInput", "temporal_size"),
    QT_TRANSLATE_NOOP("NodeInput", "text"),
    QT_TRANSLATE_NOOP("NodeInput", "text_g"),
    QT_TRANSLATE_NOOP("NodeInput", "text_l"),
    QT_TRANSLATE_NOOP("NodeInput", "tile_size"),
    QT_TRANSLATE_NOOP("NodeInput", "tokens"),
    QT_TRANSLATE_NOOP("NodeInput", "upscale_method"),
    QT_TRANSLATE_NOOP("NodeInput", "vae"),
    QT_TRANSLATE_NOOP("NodeInput", "vae_name"),
    QT_TRANSLATE_NOOP("NodeInput", "vqgan"),
    QT_TRANSLATE_NOOP("NodeInput", "width"),
    QT_TRANSLATE_NOOP("NodeInput", "x"),
    QT_TRANSLATE_NOOP("NodeInput", "y"),
};

} // namespace

QString comfyDisplayName(const QString &type)
{
    // Types whose definitions name themselves (the loaders, CLIP Text Encode, Load Image) are not repeated here.
    static const char *const kNames[][2] = {
        {"KSampler", QT_TRANSLATE_NOOP("NodeDefinition", "KSampler")},
        {"KSamplerAdvanced", QT_TRANSLATE_NOOP("NodeDefinition", "KSampler (Advanced)")},
        {"ConditioningCombine", QT_TRANSLATE_NOOP("NodeDefinition", "Conditioning (Combine)")},
        {"ConditioningAverage", QT_TRANSLATE_NOOP("NodeDefinition", "Conditioning (Average)")},
        {"ConditioningConcat", QT_TRANSLATE_NOOP("NodeDefinition", "Conditioning (Concat)")},
        {"ConditioningSetArea", QT_TRANSLATE_NOOP("NodeDefinition", "Conditioning (Set Area)")},
        {"EmptyLatentImage", QT_TRANSLATE_NOOP("NodeDefinition", "Empty Latent Image")},
        {"VAEDecode", QT_TRANSLATE_NOOP("NodeDefinition", "VAE Decode")},
        {"VAEEncode", QT_TRANSLATE_NOOP("NodeDefinition", "VAE Encode")},
        {"VAEDecodeTiled", QT_TRANSLATE_NOOP("NodeDefinition", "VAE Decode (Tiled)")},
        {"VAEEncodeTiled", QT_TRANSLATE_NOOP("NodeDefinition", "VAE Encode (Tiled)")},
        {"VAEEncodeForInpaint", QT_TRANSLATE_NOOP("NodeDefinition", "VAE Encode (for Inpainting)")},
        {"SetLatentNoiseMask", QT_TRANSLATE_NOOP("NodeDefinition", "Set Latent Noise Mask")},
        {"LatentUpscale", QT_TRANSLATE_NOOP("NodeDefinition", "Upscale Latent")},
        {"LatentUpscaleBy", QT_TRANSLATE_NOOP("NodeDefinition", "Upscale Latent By")},
        {"LatentFromBatch", QT_TRANSLATE_NOOP("NodeDefinition", "Latent From Batch")},
        {"RepeatLatentBatch", QT_TRANSLATE_NOOP("NodeDefinition", "Repeat Latent Batch")},
        {"ImageScale", QT_TRANSLATE_NOOP("NodeDefinition", "Upscale Image")},
        {"ImageScaleBy", QT_TRANSLATE_NOOP("NodeDefinition", "Upscale Image By")},
        {"ImageInvert", QT_TRANSLATE_NOOP("NodeDefinition", "Invert Image")},
        {"ImageBatch", QT_TRANSLATE_NOOP("NodeDefinition", "Batch Images")},
        {"LoadImageMask", QT_TRANSLATE_NOOP("NodeDefinition", "Load Image (as Mask)")},
        {"PrimitiveNode", QT_TRANSLATE_NOOP("NodeDefinition", "Primitive")},
        {"MarkdownNote", QT_TRANSLATE_NOOP("NodeDefinition", "Markdown Note")},
        {"Note", QT_TRANSLATE_NOOP("NodeDefinition", "Note")},
        {"Reroute", QT_TRANSLATE_NOOP("NodeDefinition", "Reroute")},
    };
    static const QHash<QString, QString> names = [] {
        QHash<QString, QString> made;
        for (const auto &[comfyType, name] : kNames)
            made.insert(QString::fromLatin1(comfyType), QString::fromLatin1(name));
        return made;
    }();
    return names.value(type, type);
}

graph::NodeOutputs FunctionNode::run(const graph::NodeInputs &inputs, graph::NodeRunContext &context) const
{
    return m_run(inputs, context);
}

engine::OpArgument argument(const graph::NodeInputs &inputs, const QString &name)
{
    const auto found = inputs.find(name);
    if (found == inputs.end())
        return std::monostate();
    if (found->engine)
        return found->engine;
    if (!found->literal)
        return std::monostate();
    const GraphValue &value = *found->literal;
    if (value.isBoolean())
        return *value.toBoolean();
    if (value.isText())
        return value.toText()->toStdString();
    if (value.isInteger()) {
        if (const auto small = value.toInteger())
            return *small;
        if (const auto big = value.toUnsigned())
            return *big;
    }
    if (const auto number = value.toReal())
        return *number;
    return std::monostate();
}

QString textOf(const graph::NodeInputs &inputs, const QString &name)
{
    const auto found = inputs.find(name);
    if (found == inputs.end() || !found->literal)
        return {};
    return found->literal->toText().value_or(QString());
}

engine::OpResult runOp(const engine::OpCall &call, graph::NodeRunContext &context)
{
    return engine::client::runOp(call, [&context](const engine::GenerationProgress &progress) {
        return context.progress(progress.step, progress.steps, progress.preview);
    });
}

graph::NodeOutputs outputsOf(const engine::OpResult &result)
{
    graph::NodeOutputs outputs;
    for (const engine::EngineValuePtr &value : result.values)
        outputs.values.append(value);
    for (const std::string &warning : result.warnings)
        outputs.warnings.append(QString::fromStdString(warning));
    // Loaders say where each part of a model came from (facts "loaded.0", "loaded.1" ...).
    for (const auto &[fact, value] : result.facts)
        if (fact.rfind("loaded.", 0) == 0)
            outputs.notes.append(QStringLiteral("loaded ") + QString::fromStdString(value));
    return outputs;
}

std::shared_ptr<graph::NodeType> opNode(graph::NodeDefinition definition, std::string op,
                                        QList<QPair<QString, std::string>> arguments,
                                        std::map<std::string, engine::OpArgument> extra, CompleteCall complete)
{
    return std::make_shared<FunctionNode>(
        std::move(definition),
        [op = std::move(op), arguments = std::move(arguments), extra = std::move(extra),
         complete = std::move(complete)](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            engine::OpCall call;
            call.op = op;
            call.arguments = extra;
            for (const auto &[input, name] : arguments)
                call.arguments[name] = argument(inputs, input);
            if (complete)
                complete(inputs, call);
            return outputsOf(runOp(call, context));
        });
}

} // namespace atelier::nodes::kit
