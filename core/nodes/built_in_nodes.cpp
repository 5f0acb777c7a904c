#include "core/nodes/built_in_nodes.h"

#include "core/models/model_config.h"
#include "core/models/record_store.h"
#include "core/nodes/node_kit.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace atelier::nodes {

namespace kit {

// The editor's own nodes: they shape the canvas and are resolved away before a graph runs (a Reroute is a wire, a
// PrimitiveNode's value moves into the inputs it feeds, notes are text).
void addEditorNodes(graph::NodeRegistry &registry)
{
    const auto editorOnly = [](const QString &type, QList<graph::InputSpec> inputs, QList<graph::OutputSpec> outputs) {
        graph::NodeDefinition definition;
        definition.type = type;
        definition.category = QStringLiteral("utils");
        definition.inputs = std::move(inputs);
        definition.outputs = std::move(outputs);
        definition.editorOnly = true;
        definition.unsupported =
            QStringLiteral("%1 is an editor node; it is resolved when the workflow is turned into a graph to run").arg(type);
        return std::make_shared<FunctionNode>(definition, [type](const graph::NodeInputs &, graph::NodeRunContext &) -> graph::NodeOutputs {
            throw std::invalid_argument((type + QStringLiteral(" does not run")).toStdString());
        });
    };
    registry.add(editorOnly(QStringLiteral("Reroute"), {link(QStringLiteral("input"), QStringLiteral("*"), true)},
                            {output(QStringLiteral("*"))}));
    registry.add(editorOnly(QStringLiteral("PrimitiveNode"), {}, {output(QStringLiteral("*"), QStringLiteral("connect to widget input"))}));
    registry.add(editorOnly(QStringLiteral("Note"), {text(QStringLiteral("text"), {}, true)}, {}));
    registry.add(editorOnly(QStringLiteral("MarkdownNote"), {text(QStringLiteral("text"), {}, true)}, {}));
}

} // namespace kit

namespace {

// The names behind a library-backed combo: the file names of the library's models of a type, or the images in the
// input folder.
QList<graph::ComboOption> listOptions(const NodeEnvironment &environment, const QString &from)
{
    QList<graph::ComboOption> options;
    if (from == QStringLiteral("input images")) {
        QStringList names;
        QDirIterator files(environment.inputDir, {QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext())
            names.append(QDir(environment.inputDir).relativeFilePath(files.next()));
        names.sort();
        for (const QString &name : std::as_const(names))
            options.append({name, {}, {}, QDir(environment.inputDir).filePath(name)});
        return options;
    }
    std::optional<models::ModelType> type;
    if (from == QStringLiteral("checkpoints"))
        type = models::ModelType::Main;
    else if (from == QStringLiteral("vae"))
        type = models::ModelType::Vae;
    else if (from == QStringLiteral("loras"))
        type = models::ModelType::Lora;
    models::RecordStore *store = environment.library.store;
    if (!type || !store || (!store->isOpen() && !store->open()))
        return options;
    // The file name is what loaders take (and what workflows from ComfyUI hold); the base groups them.
    QSet<QString> seen;
    if (const auto records = store->searchByName(QString(), std::nullopt, *type))
        for (const models::ModelConfig &record : records.value()) {
            const QString file = QFileInfo(record.path).fileName();
            if (seen.contains(file))
                continue;
            seen.insert(file);
            options.append({file, models::toString(record.base), record.name, record.path});
        }
    std::sort(options.begin(), options.end(), [](const graph::ComboOption &a, const graph::ComboOption &b) {
        return a.value.compare(b.value, Qt::CaseInsensitive) < 0;
    });
    return options;
}

} // namespace

std::shared_ptr<graph::NodeRegistry> builtInNodes(const NodeEnvironment &environment)
{
    auto registry = std::make_shared<graph::NodeRegistry>();
    kit::addModelNodes(*registry, environment);
    kit::addSamplingNodes(*registry);
    kit::addImageNodes(*registry, environment);
    kit::addAmusedNodes(*registry, environment);
    kit::addEditorNodes(*registry);
    registry->setOptionLister([environment](const QString &from) { return listOptions(environment, from); });
    return registry;
}

} // namespace atelier::nodes
