#include "core/nodes/models_by_hash.h"

#include "core/hashing/content_hash.h"

#include "core/models/model_config.h"
#include "core/models/model_lookup.h"
#include "core/models/record_store.h"

#include <QFileInfo>

namespace atelier::nodes {

namespace {

const QStringList kModelInputs{QStringLiteral("ckpt_name"), QStringLiteral("vae_name"), QStringLiteral("lora_name")};

// The hash `hashByName` gives for `name`, by the name as written or its file name.
QString hashFor(const QMap<QString, QString> &hashByName, const QString &name)
{
    if (hashByName.contains(name))
        return hashing::bareHash(hashByName.value(name));
    const QString fileName = QFileInfo(QString(name).replace(QLatin1Char('\\'), QLatin1Char('/'))).fileName();
    for (auto it = hashByName.cbegin(); it != hashByName.cend(); ++it)
        if (QFileInfo(QString(it.key()).replace(QLatin1Char('\\'), QLatin1Char('/'))).fileName() == fileName)
            return hashing::bareHash(it.value());
    return {};
}

} // namespace

QList<ModelReference> referencedModels(const graph::Graph &graph, const NodeEnvironment &environment)
{
    QList<ModelReference> references;
    models::RecordStore *store = environment.library.store;
    const bool library = store && (store->isOpen() || store->open());
    for (const graph::GraphNode &node : graph.nodes)
        for (const graph::NodeInput &input : node.inputs) {
            if (!kModelInputs.contains(input.name) || !input.value || !input.value->isText())
                continue;
            ModelReference reference{node.id, input.name, *input.value->toText(), {}, {}};
            if (library)
                if (const Result<models::ModelConfig> record = models::lookUpModel(*store, reference.name)) {
                    // Only a full SHA-256 finds a file elsewhere; a fast identity hash (32 digits) does not.
                    if (const QString bare = hashing::bareHash(record->hash); bare.size() == 64)
                        reference.sha256 = bare;
                    reference.source = record->source;
                }
            references.append(reference);
        }
    return references;
}

QStringList resolveModelsByHash(graph::Graph &graph, const QMap<QString, QString> &hashByName,
                                const graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    QStringList replaced;
    models::RecordStore *store = environment.library.store;
    if (hashByName.isEmpty() || !store || (!store->isOpen() && !store->open()))
        return replaced;
    std::optional<QList<models::ModelConfig>> records; // read once, when first needed
    for (graph::GraphNode &node : graph.nodes) {
        const graph::NodeType *type = registry.find(node.type);
        if (!type)
            continue;
        for (graph::NodeInput &input : node.inputs) {
            if (!kModelInputs.contains(input.name) || !input.value || !input.value->isText())
                continue;
            const QString name = *input.value->toText();
            if (!type->checkValue(input.name, *input.value))
                continue; // found by name
            const QString hash = hashFor(hashByName, name);
            if (hash.size() != 64 && hash.size() != 10)
                continue;
            if (!records) {
                const auto all = store->allModels();
                records = all ? all.value() : QList<models::ModelConfig>();
            }
            if (const std::optional<models::ModelConfig> record = models::modelWithHash(*records, hash)) {
                input.value = graph::GraphValue::text(record->key);
                replaced.append(QStringLiteral("node %1 %2: %3 is not in the library by name; its hash found %4 (%5)")
                                    .arg(node.id, input.name, name, record->name, record->key));
            }
        }
    }
    return replaced;
}

} // namespace atelier::nodes
