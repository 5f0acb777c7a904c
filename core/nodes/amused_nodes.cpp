// aMUSEd (MUSE's masked-token family) in graphs: its loader, text encoder, token grid, sampler and VQ-GAN. Their
// types (AMUSED_MODEL, AMUSED_CLIP, VQGAN, AMUSED_CONDITIONING, TOKENS) are their own, so that no link can join them
// to Stable Diffusion's nodes; images (IMAGE) are shared, so aMUSEd's pictures save, preview and scale like any.
#include "core/nodes/node_kit.h"

namespace atelier::nodes::kit {

namespace {

using graph::NodeDefinition;

const QString kCategory = QStringLiteral("amused");
const QString kTokens = QStringLiteral("TOKENS");

NodeDefinition amusedNode(const QString &type, const QString &displayName, const QString &description,
                          QList<graph::InputSpec> inputs, QList<graph::OutputSpec> outputs)
{
    NodeDefinition definition;
    definition.type = type;
    definition.displayName = displayName;
    definition.description = description;
    definition.category = kCategory;
    definition.inputs = std::move(inputs);
    definition.outputs = std::move(outputs);
    return definition;
}

void addLoader(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    NodeDefinition loader =
        amusedNode(QStringLiteral("AmusedCheckpointLoader"),
                   QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load aMUSEd Model")),
                   QStringLiteral(QT_TRANSLATE_NOOP(
                       "NodeDefinition", "Loads an aMUSEd (MUSE family) diffusers folder from the library: its "
                                         "transformer, text encoder and VQ-GAN.")),
                   {libraryCombo(QStringLiteral("ckpt_name"), QStringLiteral("checkpoints"))},
                   {output(QStringLiteral("AMUSED_MODEL")), output(QStringLiteral("AMUSED_CLIP")),
                    output(QStringLiteral("VQGAN"))});
    loader.category = QStringLiteral("loaders");
    auto node = std::make_shared<FunctionNode>(
        loader, [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            const Result<engine::GenerationRequest> model =
                resolveCheckpoint(environment, textOf(inputs, QStringLiteral("ckpt_name")));
            if (!model)
                throw std::invalid_argument(model.error().toStdString());
            engine::OpCall call;
            call.op = "load_amused";
            const auto [device, precision] = environment.compute->resolve();
            call.arguments = {
                {"path", model->modelPath}, {"device", device.toStdString()}, {"precision", precision.toStdString()}};
            return outputsOf(runOp(call, context));
        });
    node->check = [environment](const QString &input,
                                const graph::GraphValue &value) -> std::optional<graph::NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input == QStringLiteral("ckpt_name"))
            if (const auto found = resolveCheckpoint(environment, name); !found)
                return notFound(input, name, found.error());
        return std::nullopt;
    };
    node->changes = [compute = environment.compute](const graph::NodeInputs &) { return compute->token(); };
    registry.add(node);
}

// A LoRA on the transformer (trained with `atelier train amused --lora-rank`, or diffusers' train_amused.py).
void addLoraLoader(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    NodeDefinition loader = amusedNode(
        QStringLiteral("AmusedLoraLoader"), QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load aMUSEd LoRA")),
        QStringLiteral(QT_TRANSLATE_NOOP(
            "NodeDefinition",
            "Applies a LoRA trained for aMUSEd to the transformer; the loaded model stays as it is.")),
        {link(QStringLiteral("model"), QStringLiteral("AMUSED_MODEL")),
         libraryCombo(QStringLiteral("lora_name"), QStringLiteral("loras")),
         real(QStringLiteral("strength_model"), 1.0, -100.0, 100.0, 0.01)},
        {output(QStringLiteral("AMUSED_MODEL"))});
    loader.category = QStringLiteral("loaders");
    auto node = std::make_shared<FunctionNode>(
        loader, [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            const Result<QString> path = resolveLoraFile(environment, textOf(inputs, QStringLiteral("lora_name")));
            if (!path)
                throw std::invalid_argument(path.error().toStdString());
            engine::OpCall call;
            call.op = "apply_amused_lora";
            call.arguments = {{"path", path->toStdString()},
                              {"model", argument(inputs, QStringLiteral("model"))},
                              {"strength_model", argument(inputs, QStringLiteral("strength_model"))}};
            return outputsOf(runOp(call, context));
        });
    node->check = [environment](const QString &input,
                                const graph::GraphValue &value) -> std::optional<graph::NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input == QStringLiteral("lora_name"))
            if (const auto found = resolveLoraFile(environment, name); !found)
                return notFound(input, name, found.error());
        return std::nullopt;
    };
    registry.add(node);
}

} // namespace

void addAmusedNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    addLoader(registry, environment);
    addLoraLoader(registry, environment);

    registry.add(opNode(
        amusedNode(
            QStringLiteral("AmusedTextEncode"),
            QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "aMUSEd Text Encode")),
            QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Encodes a prompt with aMUSEd's text encoder.")),
            {text(QStringLiteral("text"), {}, true), link(QStringLiteral("clip"), QStringLiteral("AMUSED_CLIP"))},
            {output(QStringLiteral("AMUSED_CONDITIONING"))}),
        "encode_amused_text", {{QStringLiteral("clip"), "clip"}, {QStringLiteral("text"), "text"}}));

    registry.add(opNode(amusedNode(QStringLiteral("AmusedEmptyTokens"),
                                   QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Empty aMUSEd Token Grid")),
                                   QStringLiteral(QT_TRANSLATE_NOOP(
                                       "NodeDefinition", "A fully masked grid of image tokens for txt2img, of the size "
                                                         "given in pixels.")),
                                   {integer(QStringLiteral("width"), 256, 16, 8192, 16),
                                    integer(QStringLiteral("height"), 256, 16, 8192, 16),
                                    integer(QStringLiteral("batch_size"), 1, 1, 64)},
                                   {output(kTokens)}),
                        "empty_tokens",
                        {{QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("batch_size"), "batch"}}));

    registry.add(opNode(
        amusedNode(
            QStringLiteral("AmusedSampler"), QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "aMUSEd Sampler")),
            QStringLiteral(QT_TRANSLATE_NOOP(
                "NodeDefinition", "Unmasks the token grid over the steps, the most confident tokens first (MUSE's "
                                  "sampler). Tokens from VQ Encode with denoise below 1 make img2img.")),
            {link(QStringLiteral("model"), QStringLiteral("AMUSED_MODEL")), seed(QStringLiteral("seed")),
             integer(QStringLiteral("steps"), 12, 1, 1000), real(QStringLiteral("cfg"), 10.0, 0.0, 100.0, 0.1),
             link(QStringLiteral("positive"), QStringLiteral("AMUSED_CONDITIONING")),
             link(QStringLiteral("negative"), QStringLiteral("AMUSED_CONDITIONING")),
             link(QStringLiteral("tokens"), kTokens), real(QStringLiteral("temperature_start"), 2.0, 0.0, 100.0, 0.1),
             real(QStringLiteral("temperature_end"), 0.0, 0.0, 100.0, 0.1),
             real(QStringLiteral("aesthetic_score"), 6.0, -100.0, 100.0, 0.1),
             integer(QStringLiteral("crop_top"), 0, 0, 8192), integer(QStringLiteral("crop_left"), 0, 0, 8192),
             real(QStringLiteral("denoise"), 1.0, 0.0, 1.0, 0.01)},
            {output(kTokens)}),
        "sample_amused",
        {{QStringLiteral("model"), "model"},
         {QStringLiteral("seed"), "seed"},
         {QStringLiteral("steps"), "steps"},
         {QStringLiteral("cfg"), "cfg"},
         {QStringLiteral("positive"), "positive"},
         {QStringLiteral("negative"), "negative"},
         {QStringLiteral("tokens"), "tokens"},
         {QStringLiteral("temperature_start"), "temperature_start"},
         {QStringLiteral("temperature_end"), "temperature_end"},
         {QStringLiteral("aesthetic_score"), "aesthetic_score"},
         {QStringLiteral("crop_top"), "crop_top"},
         {QStringLiteral("crop_left"), "crop_left"},
         {QStringLiteral("denoise"), "denoise"}}));

    registry.add(opNode(
        amusedNode(QStringLiteral("VQDecode"), QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "VQ Decode")),
                   QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition",
                                                    "Turns a sampled token grid into an image with the VQ-GAN.")),
                   {link(QStringLiteral("tokens"), kTokens), link(QStringLiteral("vqgan"), QStringLiteral("VQGAN"))},
                   {output(QStringLiteral("IMAGE"))}),
        "vq_decode", {{QStringLiteral("tokens"), "tokens"}, {QStringLiteral("vqgan"), "vqgan"}}));

    registry.add(
        opNode(amusedNode(QStringLiteral("VQEncode"), QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "VQ Encode")),
                          QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition",
                                                           "Turns an image into the VQ-GAN's tokens, for img2img.")),
                          {link(QStringLiteral("pixels"), QStringLiteral("IMAGE")),
                           link(QStringLiteral("vqgan"), QStringLiteral("VQGAN"))},
                          {output(kTokens)}),
               "vq_encode", {{QStringLiteral("pixels"), "image"}, {QStringLiteral("vqgan"), "vqgan"}}));
}

} // namespace atelier::nodes::kit
