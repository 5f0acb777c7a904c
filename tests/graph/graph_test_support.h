#pragma once

// What the graph tests and benchmarks share: small API graphs on the tiny fixture model, edits to them, and a
// throwaway root with a model library and the built-in nodes.
#include "core/graph/api_prompt.h"
#include "core/graph/executor.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "tests/fixtures.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>

namespace graph_tests {

using namespace atelier;

inline QString fixture(const QString &relative)
{
    return QDir(fixturesDir()).filePath(relative);
}

inline QString checkpointOf(const QString &model)
{
    return fixture(QStringLiteral("models/%1/%1.safetensors").arg(model));
}

// The fixture txt2img graph as ComfyUI's default workflow has it (the ids of its API export).
inline QJsonObject txt2img(const QString &checkpoint, const QString &prompt, qint64 seed, int steps, double cfg = 7.0,
                           const QString &sampler = QStringLiteral("euler"),
                           const QString &scheduler = QStringLiteral("normal"), int width = 64, int height = 64,
                           const QString &negative = QString())
{
    const auto link = [](const char *node, int output) { return QJsonArray{QString::fromLatin1(node), output}; };
    return QJsonObject{
        {"4",
         QJsonObject{{"class_type", "CheckpointLoaderSimple"}, {"inputs", QJsonObject{{"ckpt_name", checkpoint}}}}},
        {"5", QJsonObject{{"class_type", "EmptyLatentImage"},
                          {"inputs", QJsonObject{{"width", width}, {"height", height}, {"batch_size", 1}}}}},
        {"6", QJsonObject{{"class_type", "CLIPTextEncode"},
                          {"inputs", QJsonObject{{"text", prompt}, {"clip", link("4", 1)}}}}},
        {"7", QJsonObject{{"class_type", "CLIPTextEncode"},
                          {"inputs", QJsonObject{{"text", negative}, {"clip", link("4", 1)}}}}},
        {"3", QJsonObject{{"class_type", "KSampler"},
                          {"inputs", QJsonObject{{"seed", seed},
                                                 {"steps", steps},
                                                 {"cfg", cfg},
                                                 {"sampler_name", sampler},
                                                 {"scheduler", scheduler},
                                                 {"denoise", 1.0},
                                                 {"model", link("4", 0)},
                                                 {"positive", link("6", 0)},
                                                 {"negative", link("7", 0)},
                                                 {"latent_image", link("5", 0)}}}}},
        {"8", QJsonObject{{"class_type", "VAEDecode"},
                          {"inputs", QJsonObject{{"samples", link("3", 0)}, {"vae", link("4", 2)}}}}},
        {"9", QJsonObject{{"class_type", "SaveImage"},
                          {"inputs", QJsonObject{{"filename_prefix", "test"}, {"images", link("8", 0)}}}}},
    };
}

inline graph::Graph graphOf(const QJsonObject &prompt)
{
    Result<graph::Graph> read = graph::readApiPrompt(QJsonDocument(prompt).toJson(QJsonDocument::Compact));
    if (!read)
        qFatal("%s", qPrintable(read.error()));
    return std::move(read).value();
}

inline QJsonObject withInput(QJsonObject prompt, const QString &node, const QString &input, const QJsonValue &value)
{
    QJsonObject entry = prompt.value(node).toObject();
    QJsonObject inputs = entry.value(QStringLiteral("inputs")).toObject();
    inputs.insert(input, value);
    entry.insert(QStringLiteral("inputs"), inputs);
    prompt.insert(node, entry);
    return prompt;
}

// Who ran and who was served from the cache, by node id.
struct Ran
{
    QStringList executed, cached;
};
inline Ran ranIn(const graph::RunOutcome &outcome)
{
    Ran ran;
    for (const graph::NodeRunReport &report : outcome.nodes)
        (report.cached ? ran.cached : ran.executed).append(report.nodeId);
    ran.executed.sort();
    ran.cached.sort();
    return ran;
}

inline QString reasonOf(const graph::RunOutcome &outcome, const QString &node)
{
    for (const graph::NodeRunReport &report : outcome.nodes)
        if (report.nodeId == node)
            return report.reason;
    return {};
}

// A root of its own: a model library, the input, output and temp folders, and the built-in nodes over them.
struct TinyRoot
{
    QTemporaryDir root;
    std::unique_ptr<models::RecordStore> store;
    nodes::NodeEnvironment environment;
    std::shared_ptr<graph::NodeRegistry> registry;

    TinyRoot()
        : store(std::make_unique<models::RecordStore>(root.filePath(QStringLiteral("atelier.db"))))
    {
        (void)store->open();
        environment.library = {store.get(), root.filePath(QStringLiteral("models"))};
        environment.inputDir = root.filePath(QStringLiteral("input"));
        environment.outputDir = outputs();
        environment.tempDir = root.filePath(QStringLiteral("temp"));
        environment.embeddingFolders = {fixture(QStringLiteral("models/tiny-sd1/embeddings"))};
        QDir().mkpath(environment.inputDir);
        registry = nodes::builtInNodes(environment);
    }

    QString outputs() const { return root.filePath(QStringLiteral("outputs")); }
    QStringList outputFiles() const
    {
        return QDir(outputs()).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    }
    // tiny-sd1 in the library as "Tiny", with `hash` when given.
    bool addTinyModel(const QString &hash)
    {
        models::ModelConfig config;
        config.name = QStringLiteral("Tiny");
        config.type = models::ModelType::Main;
        config.format = models::ModelFormat::Checkpoint;
        config.base = models::BaseModel::Sd1;
        config.path = checkpointOf("tiny-sd1");
        config.hash = hash;
        return bool(store->addModel(config));
    }
};

} // namespace graph_tests
