#include "core/graph/graph_sources.h"

#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/json/bounded_json.h"
#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"

#include <nlohmann/json.hpp>

namespace atelier::graph {

namespace {

// ComfyUI's workflows list the models their loaders need, on the workflow or on each node:
// "models": [{"name", "url", "hash", "hash_type", "directory"}].
QMap<QString, QString> workflowModelHashes(const QByteArray &json)
{
    QMap<QString, QString> hashes;
    const nlohmann::json document = parseBoundedJsonOrDiscarded(json);
    if (!document.is_object())
        return hashes;
    const auto collect = [&](const nlohmann::json &models) {
        if (!models.is_array())
            return;
        for (const nlohmann::json &model : models)
            if (model.is_object() && model.value("name", nlohmann::json()).is_string() &&
                model.value("hash", nlohmann::json()).is_string())
                hashes.insert(QString::fromStdString(model["name"].get<std::string>()),
                              QString::fromStdString(model["hash"].get<std::string>()));
    };
    collect(document.value("models", nlohmann::json()));
    const nlohmann::json nodes = document.value("nodes", nlohmann::json());
    if (nodes.is_array())
        for (const nlohmann::json &node : nodes)
            if (node.is_object() && node.value("properties", nlohmann::json()).is_object())
                collect(node["properties"].value("models", nlohmann::json()));
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
