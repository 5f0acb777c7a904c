#include "core/graph/graph_sources.h"

#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/json/bounded_json.h"
#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace atelier::graph {

namespace {

QMap<QString, QString> workflowModelHashes(const QByteArray &json)
{
    QMap<QString, QString> hashes;
    for (const ModelSource &model : workflowModelSources(json))
        if (!model.hash.isEmpty())
            hashes.insert(model.name, model.hash);
    return hashes;
}

// A recipe's graph, with the hashes it gives for its models.
Result<GraphSource> graphFromRecipe(const metadata::GenerationInfo &recipe)
{
    Result<Graph> graph = readApiPrompt(metadata::recipeWorkflow(recipe).toUtf8());
    if (!graph)
        return Result<GraphSource>::failure(graph);
    GraphSource source;
    source.graph = std::move(graph).value();
    source.from = QStringLiteral("%1 recipe").arg(recipe.tool.isEmpty() ? QStringLiteral("an image's") : recipe.tool);
    const auto remember = [&](const QString &name, const QString &hash) {
        if (!name.isEmpty() && !hash.isEmpty())
            source.modelHashes.insert(name, hash);
    };
    if (recipe.model)
        remember(recipe.model->name, recipe.model->hash);
    if (recipe.vae)
        remember(recipe.vae->name, recipe.vae->hash);
    for (const metadata::LoraUse &lora : recipe.loras)
        remember(lora.name, lora.hash);
    source.warnings = recipe.warnings;
    if (!recipe.initImageSha256.isEmpty())
        source.warnings.append(QStringLiteral("the recipe started from an image it does not carry; choose one for "
                                              "the LoadImage node"));
    return source;
}

} // namespace

QList<ModelSource> workflowModelSources(const QByteArray &editorWorkflow)
{
    QList<ModelSource> sources;
    const nlohmann::json document = parseBoundedJsonOrDiscarded(editorWorkflow);
    if (!document.is_object())
        return sources;
    const auto text = [](const nlohmann::json &model, const char *field) {
        const nlohmann::json value = model.value(field, nlohmann::json());
        return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
    };
    const auto collect = [&](const nlohmann::json &models) {
        if (!models.is_array())
            return;
        for (const nlohmann::json &model : models) {
            if (!model.is_object() || text(model, "name").isEmpty())
                continue;
            const ModelSource source{text(model, "name"), text(model, "url"), text(model, "hash"),
                                     text(model, "directory")};
            if (std::none_of(sources.begin(), sources.end(),
                             [&](const ModelSource &held) { return held.name == source.name; }))
                sources.append(source);
        }
    };
    collect(document.value("models", nlohmann::json()));
    const nlohmann::json nodes = document.value("nodes", nlohmann::json());
    if (nodes.is_array())
        for (const nlohmann::json &node : nodes)
            if (node.is_object() && node.value("properties", nlohmann::json()).is_object())
                collect(node["properties"].value("models", nlohmann::json()));
    return sources;
}

QList<MissingModel> missingModels(const Graph &graph, const NodeRegistry &registry, const Validation &validation,
                                  const QList<ModelSource> &sources)
{
    static const QStringList modelLists{QStringLiteral("checkpoints"), QStringLiteral("vae"), QStringLiteral("loras")};
    QList<MissingModel> missing;
    for (const NodeErrors &node : validation.nodeErrors) {
        const GraphNode *held = graph.node(node.nodeId);
        const NodeType *type = registry.find(node.classType);
        if (!held || !type)
            continue;
        for (const ValidationError &error : node.errors) {
            const QString input = error.extraInfo.value(QStringLiteral("input_name")).toString();
            const InputSpec *spec = type->definition().input(input);
            const NodeInput *value = held->input(input);
            if (error.type != QStringLiteral("value_not_in_list") || !spec || !modelLists.contains(spec->optionsFrom) ||
                !value || !value->value)
                continue;
            MissingModel model{node.nodeId, input, value->value->toText().value_or(QString()), {}};
            // The workflow's entry names the file as the loader does, or by its base name (ComfyUI's lists
            // give "model.safetensors" where the loader says "sdxl/model.safetensors").
            const QString file = model.name.section(QLatin1Char('/'), -1).section(QLatin1Char('\\'), -1);
            model.source.name = model.name;
            for (const ModelSource &source : sources)
                if (source.name == model.name || source.name == file) {
                    model.source = source;
                    break;
                }
            if (!model.name.isEmpty())
                missing.append(model);
        }
    }
    return missing;
}

Result<GraphSource> graphFromDocument(const QByteArray &json, const NodeRegistry &registry)
{
    GraphSource source;
    if (isEditorWorkflow(json)) {
        Result<Graph> graph = graphFromEditorWorkflow(json, registry);
        if (!graph)
            return Result<GraphSource>::failure(graph);
        source.graph = std::move(graph).value();
        source.editorWorkflow = json;
        source.from = QStringLiteral("editor workflow");
        source.modelHashes = workflowModelHashes(json);
        return source;
    }
    Result<Graph> graph = readApiPrompt(json);
    if (!graph)
        return Result<GraphSource>::failure(graph);
    source.graph = std::move(graph).value();
    source.from = QStringLiteral("API prompt");
    return source;
}

Result<GraphSource> graphFromImage(const QByteArray &png, const NodeRegistry &registry)
{
    const Result<metadata::PngText> text = metadata::readPngText(png);
    if (!text)
        return Result<GraphSource>::failure(text);
    QByteArray prompt, atelierWorkflow, workflow;
    for (const metadata::TextChunk &chunk : text->chunks) {
        if (chunk.keyword == QStringLiteral("prompt"))
            prompt = chunk.text.toUtf8();
        else if (chunk.keyword == QStringLiteral("atelier_workflow"))
            atelierWorkflow = chunk.text.toUtf8();
        else if (chunk.keyword == QStringLiteral("workflow"))
            workflow = chunk.text.toUtf8();
    }
    for (const QByteArray &document : {prompt, atelierWorkflow, workflow}) {
        if (document.isEmpty())
            continue;
        Result<GraphSource> source = graphFromDocument(document, registry);
        if (!source)
            continue; // a damaged chunk: the next one may still tell
        if (!workflow.isEmpty()) {
            source->editorWorkflow = workflow;
            source->modelHashes.insert(workflowModelHashes(workflow));
        }
        return source;
    }
    const metadata::GenerationInfo recipe = metadata::describeText(text.value());
    if (!recipe.prompt && !recipe.model && !recipe.seed)
        return Result<GraphSource>::failure(
            QStringLiteral("the image carries no graph and no recipe (no prompt, workflow, atelier_workflow or "
                           "generation parameters)"),
            QStringLiteral("FormatError"));
    return graphFromRecipe(recipe);
}

} // namespace atelier::graph
