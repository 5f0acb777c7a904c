#include "core/graph/recipe_fill.h"

#include "core/graph/api_prompt.h"
#include "core/graph/graph_document.h"

#include <QSet>

namespace atelier::graph {

namespace {

// Nodes that pass conditioning on from an input of the same meaning (ControlNet, unCLIP, area and mask nodes):
// the prompt is further up.
const QStringList kConditioningPassInputs = {QStringLiteral("conditioning"), QStringLiteral("conditioning_to"),
                                             QStringLiteral("conditioning_1")};

// The node feeding `input` of `node`, past reroutes.
const GraphNode *feeding(const Graph &graph, const GraphNode &node, const QString &input)
{
    const NodeInput *in = node.input(input);
    const GraphNode *from = in && in->link ? graph.node(in->link->node) : nullptr;
    for (int hops = 0; from && from->type == QLatin1String("Reroute") && hops < 64; ++hops) {
        const NodeInput *through = from->inputs.isEmpty() ? nullptr : &from->inputs.first();
        from = through && through->link ? graph.node(through->link->node) : nullptr;
    }
    return from;
}

// Follows `first` from `node`, then any of `onward` from each node reached, until `accept` takes one.
template <typename Accept>
const GraphNode *upstream(const Graph &graph, const GraphNode &node, const QString &first, const QStringList &onward,
                          Accept accept)
{
    const GraphNode *at = feeding(graph, node, first);
    QSet<QString> seen;
    while (at && !seen.contains(at->id)) {
        if (accept(*at))
            return at;
        seen.insert(at->id);
        const GraphNode *next = nullptr;
        for (const QString &name : onward)
            if ((next = feeding(graph, *at, name)))
                break;
        at = next;
    }
    return nullptr;
}

} // namespace

QStringList fillFromRecipe(GraphDocument &document, const metadata::GenerationInfo &recipe)
{
    // The recipe as Atelier's own txt2img graph: its sampler carries ComfyUI's names for other tools' samplers.
    const Result<Graph> asGraph = readApiPrompt(metadata::recipeWorkflow(recipe).toUtf8());
    if (!asGraph)
        return {};
    const GraphNode *recipeSampler = asGraph->node(QStringLiteral("6"));
    const Graph graph = document.graph();
    const GraphNode *sampler = nullptr;
    for (const GraphNode &node : graph.nodes)
        if (node.mode == NodeMode::Active &&
            (node.type == QLatin1String("KSampler") || node.type == QLatin1String("KSamplerAdvanced"))) {
            sampler = &node;
            break;
        }
    if (!sampler || !recipeSampler)
        return {};

    QStringList changes;
    const auto set = [&](const GraphNode &node, const QString &input, const GraphValue &value) {
        const NodeInput *in = node.input(input);
        if (!in || in->link || (in->value && *in->value == value))
            return;
        if (document.setValue(node.id, input, value))
            changes << QStringLiteral("%1 %2: %3").arg(node.title.isEmpty() ? node.type : node.title, node.id, input);
    };
    const auto recipeValue = [&](const QString &input) {
        const NodeInput *in = recipeSampler->input(input);
        return in && in->value ? *in->value : GraphValue();
    };
    const bool advanced = sampler->type == QLatin1String("KSamplerAdvanced");
    if (recipe.seed)
        set(*sampler, advanced ? QStringLiteral("noise_seed") : QStringLiteral("seed"),
            GraphValue::unsignedInteger(*recipe.seed));
    if (recipe.steps)
        set(*sampler, QStringLiteral("steps"), GraphValue::integer(*recipe.steps));
    if (recipe.cfg)
        set(*sampler, QStringLiteral("cfg"), GraphValue::real(*recipe.cfg));
    if (recipe.sampler)
        set(*sampler, QStringLiteral("sampler_name"), recipeValue(QStringLiteral("sampler_name")));
    if (recipe.sampler || recipe.scheduler)
        set(*sampler, QStringLiteral("scheduler"), recipeValue(QStringLiteral("scheduler")));
    if (recipe.denoise && !advanced)
        set(*sampler, QStringLiteral("denoise"), GraphValue::real(*recipe.denoise));

    const auto isTextEncoder = [](const GraphNode &node) { return node.input(QStringLiteral("text")) != nullptr; };
    if (recipe.prompt)
        if (const GraphNode *encoder =
                upstream(graph, *sampler, QStringLiteral("positive"), kConditioningPassInputs, isTextEncoder))
            set(*encoder, QStringLiteral("text"), GraphValue::text(*recipe.prompt));
    if (recipe.negativePrompt)
        if (const GraphNode *encoder =
                upstream(graph, *sampler, QStringLiteral("negative"), kConditioningPassInputs, isTextEncoder))
            set(*encoder, QStringLiteral("text"), GraphValue::text(*recipe.negativePrompt));
    if (recipe.width && recipe.height)
        if (const GraphNode *latent = feeding(graph, *sampler, QStringLiteral("latent_image"));
            latent && latent->input(QStringLiteral("width")) && latent->input(QStringLiteral("height"))) {
            set(*latent, QStringLiteral("width"), GraphValue::integer(*recipe.width));
            set(*latent, QStringLiteral("height"), GraphValue::integer(*recipe.height));
        }
    if (recipe.model)
        if (const GraphNode *loader =
                upstream(graph, *sampler, QStringLiteral("model"), {QStringLiteral("model")},
                         [](const GraphNode &node) { return node.input(QStringLiteral("ckpt_name")) != nullptr; }))
            set(*loader, QStringLiteral("ckpt_name"), GraphValue::text(recipe.model->name));
    return changes;
}

} // namespace atelier::graph
