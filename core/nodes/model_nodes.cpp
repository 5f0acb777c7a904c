// Loaders (checkpoints, VAEs, LoRAs) over the model library, and the prompt and conditioning nodes.
#include "core/models/model_config.h"
#include "core/models/record_store.h"
#include "core/nodes/node_kit.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <functional>

namespace atelier::nodes::kit {

namespace {

using graph::NodeDefinition;
using graph::NodeType;

const QString kCheckpoints = QStringLiteral("checkpoints");
const QString kVaes = QStringLiteral("vae");
const QString kLoras = QStringLiteral("loras");
const QString kConfigs = QStringLiteral("configs");

// The names a graph may use for a model: as given, then its file name alone (ComfyUI writes paths under its own
// model folders, "sd15/dreamshaper.safetensors", which another machine keeps elsewhere).
QStringList candidateNames(const QString &name)
{
    QStringList names{name};
    const QString fileName = QFileInfo(QString(name).replace(QLatin1Char('\\'), QLatin1Char('/'))).fileName();
    if (!fileName.isEmpty() && fileName != name)
        names.append(fileName);
    return names;
}

// The first of the names a graph may use for a model that `lookUp` finds; else the error of the name as given.
template <typename T> Result<T> firstFound(const QString &name, const std::function<Result<T>(const QString &)> &lookUp)
{
    QString firstError;
    for (const QString &candidate : candidateNames(name)) {
        Result<T> found = lookUp(candidate);
        if (found)
            return found;
        if (firstError.isEmpty())
            firstError = found.error();
    }
    return Result<T>::failure(firstError, QStringLiteral("UnknownModel"));
}

Result<QString> resolveVaeFile(const NodeEnvironment &environment, const QString &name)
{
    return firstFound<QString>(name, [&](const QString &candidate) {
        engine::GenerationRequest request;
        const Status found = generation::resolveVae(environment.library, candidate, request, models::BaseModel::Unknown);
        if (!found)
            return Result<QString>::failure(found);
        if (request.vaePath.empty())
            return Result<QString>::failure(QStringLiteral("no VAE named %1").arg(candidate));
        return Result<QString>(QString::fromStdString(request.vaePath));
    });
}

} // namespace

Result<QString> resolveLoraFile(const NodeEnvironment &environment, const QString &name)
{
    return firstFound<QString>(name, [&](const QString &candidate) {
        generation::LoraChoice choice;
        choice.model = candidate;
        const Result<engine::LoRAApplication> found =
            generation::resolveLora(environment.library, choice, models::BaseModel::Unknown);
        return found ? Result<QString>(QString::fromStdString(found->path)) : Result<QString>::failure(found);
    });
}

namespace {

Result<QString> resolveConfig(const NodeEnvironment &environment, const QString &name)
{
    for (const QString &candidate : {name, QDir(environment.library.modelsDir).filePath(QStringLiteral("configs/") + name)})
        if (QFileInfo(candidate).isAbsolute() && QFileInfo(candidate).isFile())
            return candidate;
    return Result<QString>::failure(QStringLiteral("%1 is no config file (looked in %2/configs)")
                                        .arg(name, environment.library.modelsDir));
}

engine::OpCall loadCall(const NodeEnvironment &environment, const engine::GenerationRequest &model)
{
    engine::OpCall call;
    call.op = "load_checkpoint";
    call.arguments["path"] = model.modelPath;
    call.arguments["config"] = model.configPath;
    call.arguments["prediction"] = model.prediction;
    const auto [device, precision] = environment.compute->resolve();
    call.arguments["device"] = device.toStdString();
    call.arguments["precision"] = precision.toStdString();
    return call;
}

NodeDefinition loaderDefinition(const QString &type, const QString &category)
{
    NodeDefinition definition;
    definition.type = type;
    definition.category = category;
    return definition;
}

void addCheckpointLoaders(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    const auto check = [environment](const QString &input, const graph::GraphValue &value)
        -> std::optional<NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input == QStringLiteral("ckpt_name"))
            if (const auto found = resolveCheckpoint(environment, name); !found)
                return notFound(input, name, found.error());
        if (input == QStringLiteral("config_name"))
            if (const auto found = resolveConfig(environment, name); !found)
                return notFound(input, name, found.error());
        return std::nullopt;
    };
    const auto load = [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
        const Result<engine::GenerationRequest> model =
            resolveCheckpoint(environment, textOf(inputs, QStringLiteral("ckpt_name")));
        if (!model)
            throw std::invalid_argument(model.error().toStdString());
        engine::OpCall call = loadCall(environment, model.value());
        if (inputs.contains(QStringLiteral("config_name"))) {
            const Result<QString> config = resolveConfig(environment, textOf(inputs, QStringLiteral("config_name")));
            if (!config)
                throw std::invalid_argument(config.error().toStdString());
            call.arguments["config"] = config->toStdString();
        }
        return outputsOf(runOp(call, context));
    };
    NodeDefinition simple = loaderDefinition(QStringLiteral("CheckpointLoaderSimple"), QStringLiteral("loaders"));
    simple.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load Checkpoint"));
    simple.description =
        QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Loads a diffusion model checkpoint from the library."));
    simple.inputs = {libraryCombo(QStringLiteral("ckpt_name"), kCheckpoints)};
    simple.outputs = {output(QStringLiteral("MODEL")), output(QStringLiteral("CLIP")), output(QStringLiteral("VAE"))};
    const auto onCompute = [compute = environment.compute](const graph::NodeInputs &) { return compute->token(); };
    auto simpleNode = std::make_shared<FunctionNode>(simple, load);
    simpleNode->check = check;
    simpleNode->changes = onCompute;
    registry.add(simpleNode);

    NodeDefinition withConfig = simple;
    withConfig.type = QStringLiteral("CheckpointLoader");
    withConfig.displayName =
        QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load Checkpoint With Config (DEPRECATED)"));
    withConfig.category = QStringLiteral("advanced/loaders");
    withConfig.inputs = {libraryCombo(QStringLiteral("config_name"), kConfigs),
                         libraryCombo(QStringLiteral("ckpt_name"), kCheckpoints)};
    auto withConfigNode = std::make_shared<FunctionNode>(withConfig, load);
    withConfigNode->check = check;
    withConfigNode->changes = onCompute;
    registry.add(withConfigNode);
}

void addVaeAndLoraLoaders(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    NodeDefinition vae = loaderDefinition(QStringLiteral("VAELoader"), QStringLiteral("loaders"));
    vae.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load VAE"));
    vae.inputs = {libraryCombo(QStringLiteral("vae_name"), kVaes)};
    vae.outputs = {output(QStringLiteral("VAE"))};
    auto vaeNode = std::make_shared<FunctionNode>(vae, [environment](const graph::NodeInputs &inputs,
                                                                       graph::NodeRunContext &context) {
        const Result<QString> path = resolveVaeFile(environment, textOf(inputs, QStringLiteral("vae_name")));
        if (!path)
            throw std::invalid_argument(path.error().toStdString());
        engine::OpCall call;
        call.op = "load_vae";
        const auto [device, precision] = environment.compute->resolve();
        call.arguments = {
            {"path", path->toStdString()}, {"device", device.toStdString()}, {"precision", precision.toStdString()}};
        return outputsOf(runOp(call, context));
    });
    vaeNode->check = [environment](const QString &input, const graph::GraphValue &value)
        -> std::optional<NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input != QStringLiteral("vae_name"))
            return std::nullopt;
        if (const auto found = resolveVaeFile(environment, name); !found)
            return notFound(input, name, found.error());
        return std::nullopt;
    };
    vaeNode->changes = [compute = environment.compute](const graph::NodeInputs &) { return compute->token(); };
    registry.add(vaeNode);

    const auto loraCheck = [environment](const QString &input, const graph::GraphValue &value)
        -> std::optional<NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input != QStringLiteral("lora_name"))
            return std::nullopt;
        if (const auto found = resolveLoraFile(environment, name); !found)
            return notFound(input, name, found.error());
        return std::nullopt;
    };
    const auto applyLora = [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
        const Result<QString> path = resolveLoraFile(environment, textOf(inputs, QStringLiteral("lora_name")));
        if (!path)
            throw std::invalid_argument(path.error().toStdString());
        engine::OpCall call;
        call.op = "apply_lora";
        call.arguments = {{"path", path->toStdString()},
                          {"model", argument(inputs, QStringLiteral("model"))},
                          {"clip", argument(inputs, QStringLiteral("clip"))},
                          {"strength_model", argument(inputs, QStringLiteral("strength_model"))},
                          {"strength_clip", argument(inputs, QStringLiteral("strength_clip"))}};
        return outputsOf(runOp(call, context));
    };
    NodeDefinition lora = loaderDefinition(QStringLiteral("LoraLoader"), QStringLiteral("loaders"));
    lora.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load LoRA"));
    lora.inputs = {link(QStringLiteral("model"), QStringLiteral("MODEL")),
                   link(QStringLiteral("clip"), QStringLiteral("CLIP")),
                   libraryCombo(QStringLiteral("lora_name"), kLoras),
                   real(QStringLiteral("strength_model"), 1.0, -100.0, 100.0, 0.01),
                   real(QStringLiteral("strength_clip"), 1.0, -100.0, 100.0, 0.01)};
    lora.outputs = {output(QStringLiteral("MODEL")), output(QStringLiteral("CLIP"))};
    auto loraNode = std::make_shared<FunctionNode>(lora, applyLora);
    loraNode->check = loraCheck;
    registry.add(loraNode);

    NodeDefinition modelOnly = lora;
    modelOnly.type = QStringLiteral("LoraLoaderModelOnly");
    modelOnly.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "LoraLoaderModelOnly"));
    modelOnly.inputs = {lora.inputs.at(0), lora.inputs.at(2), lora.inputs.at(3)};
    modelOnly.outputs = {output(QStringLiteral("MODEL"))};
    auto modelOnlyNode = std::make_shared<FunctionNode>(modelOnly, applyLora);
    modelOnlyNode->check = loraCheck;
    registry.add(modelOnlyNode);
}

// The folders embeddings are found in: the environment's and those of the library's embeddings.
QStringList embeddingFolders(const NodeEnvironment &environment)
{
    QStringList folders = environment.embeddingFolders;
    if (const auto library = generation::libraryEmbeddings(environment.library))
        for (const engine::NamedEmbedding &embedding : library.value()) {
            // A record whose file is gone (the library marks it missing) takes no folder with it: a prompt
            // never fails for an embedding it may not even use.
            const QFileInfo file(QString::fromStdString(embedding.path));
            if (file.exists() && !folders.contains(file.absolutePath()))
                folders.append(file.absolutePath());
        }
    return folders;
}

void addTextNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    NodeDefinition encode;
    encode.type = QStringLiteral("CLIPTextEncode");
    encode.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "CLIP Text Encode (Prompt)"));
    encode.category = QStringLiteral("conditioning");
    encode.inputs = {text(QStringLiteral("text"), {}, true), link(QStringLiteral("clip"), QStringLiteral("CLIP"))};
    encode.outputs = {output(QStringLiteral("CONDITIONING"))};
    // The library's embeddings are looked up at each encode: one installed since the last run is found.
    const auto withEmbeddingFolders = [environment](const graph::NodeInputs &, engine::OpCall &call) {
        std::vector<std::string> folders;
        for (const QString &folder : embeddingFolders(environment))
            folders.push_back(folder.toStdString());
        call.arguments["embedding_folders"] = folders;
    };
    registry.add(opNode(encode, "encode_text", {{QStringLiteral("clip"), "clip"}, {QStringLiteral("text"), "text"}}, {},
                        withEmbeddingFolders));

    NodeDefinition lastLayer;
    lastLayer.type = QStringLiteral("CLIPSetLastLayer");
    lastLayer.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "CLIP Set Last Layer"));
    lastLayer.category = QStringLiteral("conditioning");
    lastLayer.inputs = {link(QStringLiteral("clip"), QStringLiteral("CLIP")),
                        integer(QStringLiteral("stop_at_clip_layer"), -1, -24, -1)};
    lastLayer.outputs = {output(QStringLiteral("CLIP"))};
    registry.add(opNode(lastLayer, "clip_set_last_layer",
                        {{QStringLiteral("clip"), "clip"}, {QStringLiteral("stop_at_clip_layer"), "layer"}}));

    NodeDefinition sdxl;
    sdxl.type = QStringLiteral("CLIPTextEncodeSDXL");
    sdxl.category = QStringLiteral("advanced/conditioning");
    sdxl.inputs = {link(QStringLiteral("clip"), QStringLiteral("CLIP")),
                   integer(QStringLiteral("width"), 1024, 0, 16384),
                   integer(QStringLiteral("height"), 1024, 0, 16384),
                   integer(QStringLiteral("crop_w"), 0, 0, 16384),
                   integer(QStringLiteral("crop_h"), 0, 0, 16384),
                   integer(QStringLiteral("target_width"), 1024, 0, 16384),
                   integer(QStringLiteral("target_height"), 1024, 0, 16384),
                   text(QStringLiteral("text_g"), {}, true),
                   text(QStringLiteral("text_l"), {}, true)};
    sdxl.outputs = {output(QStringLiteral("CONDITIONING"))};
    sdxl.description = QStringLiteral(QT_TRANSLATE_NOOP(
        "NodeDefinition", "Encodes a prompt for each of SDXL's text encoders (text_l for CLIP-L, text_g "
                          "for OpenCLIP-G) with the size conditioning: the size the image is said to "
                          "come from, its crop, and the size it is made at."));
    registry.add(opNode(sdxl, "encode_text_sdxl",
                        {{QStringLiteral("clip"), "clip"},
                         {QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("crop_w"), "crop_w"},
                         {QStringLiteral("crop_h"), "crop_h"},
                         {QStringLiteral("target_width"), "target_width"},
                         {QStringLiteral("target_height"), "target_height"},
                         {QStringLiteral("text_g"), "text_g"},
                         {QStringLiteral("text_l"), "text_l"}},
                        {}, withEmbeddingFolders));
    NodeDefinition refiner = sdxl;
    refiner.type = QStringLiteral("CLIPTextEncodeSDXLRefiner");
    refiner.inputs = {real(QStringLiteral("ascore"), 6.0, 0.0, 1000.0, 0.01),
                      integer(QStringLiteral("width"), 1024, 0, 16384),
                      integer(QStringLiteral("height"), 1024, 0, 16384), text(QStringLiteral("text"), {}, true),
                      link(QStringLiteral("clip"), QStringLiteral("CLIP"))};
    refiner.description = QStringLiteral(
        QT_TRANSLATE_NOOP("NodeDefinition", "Encodes a prompt for the SDXL refiner with its aesthetic score (ascore: "
                                            "about 6 for a positive prompt, 2.5 for a negative one) and the size the "
                                            "image is said to come from."));
    registry.add(opNode(refiner, "encode_text_sdxl_refiner",
                        {{QStringLiteral("clip"), "clip"},
                         {QStringLiteral("ascore"), "ascore"},
                         {QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("text"), "text"}},
                        {}, withEmbeddingFolders));
}

void addConditioningNodes(graph::NodeRegistry &registry)
{
    const QString conditioning = QStringLiteral("CONDITIONING");
    const auto definition = [&](const QString &type, const QString &category, QList<graph::InputSpec> inputs) {
        NodeDefinition made;
        made.type = type;
        made.category = category;
        made.inputs = std::move(inputs);
        made.outputs = {output(conditioning)};
        return made;
    };
    registry.add(opNode(definition(QStringLiteral("ConditioningCombine"), QStringLiteral("conditioning"),
                                   {link(QStringLiteral("conditioning_1"), conditioning),
                                    link(QStringLiteral("conditioning_2"), conditioning)}),
                        "conditioning_combine",
                        {{QStringLiteral("conditioning_1"), "a"}, {QStringLiteral("conditioning_2"), "b"}}));
    registry.add(opNode(definition(QStringLiteral("ConditioningConcat"), QStringLiteral("conditioning"),
                                   {link(QStringLiteral("conditioning_to"), conditioning),
                                    link(QStringLiteral("conditioning_from"), conditioning)}),
                        "conditioning_concat",
                        {{QStringLiteral("conditioning_to"), "to"}, {QStringLiteral("conditioning_from"), "from"}}));
    registry.add(opNode(definition(QStringLiteral("ConditioningAverage"), QStringLiteral("conditioning"),
                                   {link(QStringLiteral("conditioning_to"), conditioning),
                                    link(QStringLiteral("conditioning_from"), conditioning),
                                    real(QStringLiteral("conditioning_to_strength"), 1.0, 0.0, 1.0, 0.01)}),
                        "conditioning_average",
                        {{QStringLiteral("conditioning_to"), "to"},
                         {QStringLiteral("conditioning_from"), "from"},
                         {QStringLiteral("conditioning_to_strength"), "to_strength"}}));
    registry.add(opNode(definition(QStringLiteral("ConditioningZeroOut"), QStringLiteral("advanced/conditioning"),
                                   {link(QStringLiteral("conditioning"), conditioning)}),
                        "conditioning_zero_out", {{QStringLiteral("conditioning"), "conditioning"}}));
    registry.add(opNode(
        definition(
            QStringLiteral("ConditioningSetArea"), QStringLiteral("conditioning"),
            {link(QStringLiteral("conditioning"), conditioning), integer(QStringLiteral("width"), 64, 64, 16384, 8),
             integer(QStringLiteral("height"), 64, 64, 16384, 8), integer(QStringLiteral("x"), 0, 0, 16384, 8),
             integer(QStringLiteral("y"), 0, 0, 16384, 8), real(QStringLiteral("strength"), 1.0, 0.0, 10.0, 0.01)}),
        "conditioning_set_area",
        {{QStringLiteral("conditioning"), "conditioning"},
         {QStringLiteral("width"), "width"},
         {QStringLiteral("height"), "height"},
         {QStringLiteral("x"), "x"},
         {QStringLiteral("y"), "y"},
         {QStringLiteral("strength"), "strength"}}));
}

} // namespace

Result<engine::GenerationRequest> resolveCheckpoint(const NodeEnvironment &environment, const QString &name)
{
    return firstFound<engine::GenerationRequest>(name, [&](const QString &candidate) {
        engine::GenerationRequest request;
        models::BaseModel base = models::BaseModel::Unknown;
        const Status found = generation::resolveMainModel(environment.library, candidate, request, base);
        return found ? Result<engine::GenerationRequest>(request) : Result<engine::GenerationRequest>::failure(found);
    });
}

std::optional<graph::NodeType::Problem> notFound(const QString &input, const QString &name, const QString &why)
{
    return graph::NodeType::Problem{QStringLiteral("value_not_in_list"), QStringLiteral("Value not in list"),
                                    QStringLiteral("%1: '%2' not in the library (%3)").arg(input, name, why)};
}

void addModelNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    addCheckpointLoaders(registry, environment);
    addVaeAndLoraLoaders(registry, environment);
    addTextNodes(registry, environment);
    addConditioningNodes(registry);
}

} // namespace atelier::nodes::kit
