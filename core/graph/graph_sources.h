#pragma once

// Every document a graph comes in, read the one way: ComfyUI's API prompt, Atelier's atelier_workflow, ComfyUI's
// editor workflow, and images carrying any of them or only a recipe (A1111's parameters, InvokeAI's metadata,
// Atelier's atelier_metadata), which becomes the equivalent txt2img/img2img graph: any image opens as a graph.
#include "core/graph/graph.h"
#include "core/graph/node_type.h"
#include "core/graph/validation.h"
#include "core/result.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace atelier::graph {

// Where a model a workflow needs can be had, as ComfyUI's workflows list them on the workflow or on each node:
// "models": [{"name", "url", "hash", "hash_type", "directory"}]. Any field but the name may be empty.
struct ModelSource
{
    QString name;
    QString url;
    QString hash;
    QString directory; // ComfyUI's models folder ("checkpoints", "loras", "vae")
};
QList<ModelSource> workflowModelSources(const QByteArray &editorWorkflow);

// A model a graph names that the library does not have: the loader and input asking for it, the name it asks
// for, and where to get it when the workflow says.
struct MissingModel
{
    QString nodeId;
    QString input;
    QString name;
    ModelSource source; // the workflow's entry of that name (url, hash), or just the name
};
// The missing models among `validation`'s errors: values not in the list of a library-backed model combo.
QList<MissingModel> missingModels(const Graph &graph, const NodeRegistry &registry, const Validation &validation,
                                  const QList<ModelSource> &sources);

struct GraphSource
{
    Graph graph;
    QByteArray editorWorkflow; // the canvas it came with, if any (written back into the images it makes)
    QString from;              // what it was read from: "API prompt", "editor workflow", "A1111 recipe" ...
    // Model names the document gives a hash for (a recipe's, a workflow's "models" list): name -> hash as written
    // (a full SHA-256, with or without "sha256:", or A1111's 10-digit short one).
    QMap<QString, QString> modelHashes;
    QStringList warnings;
};

// A JSON document: an API prompt (bare or as /prompt takes it), an atelier_workflow, or an editor workflow.
Result<GraphSource> graphFromDocument(const QByteArray &json, const NodeRegistry &registry);
// A PNG: its `prompt` chunk (what ran) first, then atelier_workflow, then the editor `workflow`, then its recipe.
Result<GraphSource> graphFromImage(const QByteArray &png, const NodeRegistry &registry);

} // namespace atelier::graph
