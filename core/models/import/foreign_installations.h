#pragma once

// Other tools' model libraries on this machine: ComfyUI (with the folders its extra_model_paths.yaml adds),
// A1111 and its forks (Forge, reForge, SD.Next), InvokeAI roots and Stability Matrix's shared Models folder. Found
// by their layouts, read and never written.
#include "core/models/taxonomy.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace atelier::models {

enum class ForeignTool { ComfyUi, Automatic1111, InvokeAi, StabilityMatrix };

// "ComfyUI", "A1111/Forge", "InvokeAI", "Stability Matrix".
QString foreignToolName(ForeignTool tool);

// One folder a tool keeps models in.
struct ForeignModelFolder
{
    QString path;                          // absolute, clean; it exists
    QString role;                          // the tool's name for it: "checkpoints", "Lora", "embeddings" ...
    std::optional<ModelType> expectedType; // what the tool keeps there; none for a folder of every kind
};

struct ForeignInstallation
{
    ForeignTool tool = ForeignTool::ComfyUi;
    QString root;                      // absolute, clean
    QList<ForeignModelFolder> folders; // each once, in the tool's order
    QString invokeDatabase;            // InvokeAI: its databases/invokeai.db, when present
    QString invokeModelsDir;           // InvokeAI: the folder its records' relative paths start from
    QString invokeRoot;                // InvokeAI: the root (cover images are relative to it)
    QStringList problems;              // what could not be read of the tool's own configuration
};

// The installations at `path`: a tool's root (or its models folder), and for ComfyUI the other roots its
// extra_model_paths.yaml names. Empty when `path` holds no known layout.
QList<ForeignInstallation> findInstallations(const QString &path);

// Where the tools are usually installed, under a home folder (the first-start assistant looks there).
QStringList usualInstallationPaths(const QString &home);

} // namespace atelier::models
