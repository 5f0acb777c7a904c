#include "core/models/import/foreign_installations.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cstring>
#include <vector>

namespace atelier::models {

namespace {

// A folder a tool keeps a kind of model in, relative to the tool's root.
struct KnownFolder
{
    const char *relativePath;
    const char *role;
    std::optional<ModelType> expectedType;
};

// ComfyUI's folder_paths names and where its portable layout keeps them.
const std::vector<KnownFolder> &comfyUiFolders()
{
    static const std::vector<KnownFolder> folders{
        {"models/checkpoints", "checkpoints", ModelType::Main},
        {"models/diffusion_models", "diffusion_models", ModelType::Main},
        {"models/unet", "unet", ModelType::Main},
        {"models/loras", "loras", ModelType::Lora},
        {"models/embeddings", "embeddings", ModelType::Embedding},
        {"models/vae", "vae", ModelType::Vae},
        {"models/controlnet", "controlnet", std::nullopt}, // ControlNets and T2I adapters alike
        {"models/clip_vision", "clip_vision", ModelType::ClipVision},
        {"models/ipadapter", "ipadapter", ModelType::IpAdapter},
        {"models/upscale_models", "upscale_models", ModelType::SpandrelImageToImage},
    };
    return folders;
}

// A1111 and its forks (Forge, reForge); SD.Next keeps embeddings and diffusers folders under models/.
const std::vector<KnownFolder> &automatic1111Folders()
{
    static const std::vector<KnownFolder> folders{
        {"models/Stable-diffusion", "Stable-diffusion", ModelType::Main},
        {"models/Diffusers", "Diffusers", ModelType::Main},
        {"models/Lora", "Lora", ModelType::Lora},
        {"models/LyCORIS", "LyCORIS", ModelType::Lora},
        {"embeddings", "embeddings", ModelType::Embedding},
        {"models/embeddings", "embeddings", ModelType::Embedding},
        {"models/VAE", "VAE", ModelType::Vae},
        {"models/ControlNet", "ControlNet", std::nullopt},
        {"models/ESRGAN", "ESRGAN", ModelType::SpandrelImageToImage},
    };
    return folders;
}

// Stability Matrix's shared folder, which every package it installs links to.
const std::vector<KnownFolder> &stabilityMatrixFolders()
{
    static const std::vector<KnownFolder> folders{
        {"StableDiffusion", "StableDiffusion", ModelType::Main},
        {"DiffusionModels", "DiffusionModels", ModelType::Main},
        {"Lora", "Lora", ModelType::Lora},
        {"LyCORIS", "LyCORIS", ModelType::Lora},
        {"TextualInversion", "TextualInversion", ModelType::Embedding},
        {"VAE", "VAE", ModelType::Vae},
        {"ControlNet", "ControlNet", std::nullopt},
        {"IpAdapter", "IpAdapter", ModelType::IpAdapter},
        {"ClipVision", "ClipVision", ModelType::ClipVision},
        {"ESRGAN", "ESRGAN", ModelType::SpandrelImageToImage},
    };
    return folders;
}

// ComfyUI expands "~" and environment variables in extra_model_paths.yaml.
QString expanded(QString path)
{
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        path.replace(0, 1, QDir::homePath());
    static const QRegularExpression variable(QStringLiteral("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?"));
    QRegularExpressionMatch match;
    for (qsizetype from = 0; (match = variable.match(path, from)).hasMatch();) {
        const QString value = qEnvironmentVariable(match.captured(1).toLocal8Bit().constData());
        path.replace(match.capturedStart(), match.capturedLength(), value);
        from = match.capturedStart() + value.size();
    }
    return path;
}

bool isDir(const QString &path)
{
    return QFileInfo(path).isDir();
}

QString clean(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

void addFolder(ForeignInstallation &installation, const QString &path, const QString &role,
               std::optional<ModelType> expectedType)
{
    const QString folder = clean(path);
    if (!isDir(folder))
        return;
    // A config naming the file system's root or the home folder (a typo, an empty base path) would have the whole
    // disk walked, registered and watched.
    if (QDir(folder).isRoot() || folder == clean(QDir::homePath())) {
        installation.problems << QStringLiteral("%1 (%2) is not a models folder: left out").arg(folder, role);
        return;
    }
    for (const ForeignModelFolder &known : installation.folders)
        if (known.path == folder)
            return;
    installation.folders.push_back({folder, role, expectedType});
}

ForeignInstallation installationOf(ForeignTool tool, const QString &root, const std::vector<KnownFolder> &layout)
{
    ForeignInstallation installation;
    installation.tool = tool;
    installation.root = clean(root);
    for (const KnownFolder &known : layout)
        addFolder(installation, QDir(root).filePath(QString::fromLatin1(known.relativePath)),
                  QString::fromLatin1(known.role), known.expectedType);
    return installation;
}

// The type a ComfyUI folder name stands for, where it stands for one.
std::optional<ModelType> comfyUiRoleType(const QString &role)
{
    for (const KnownFolder &known : comfyUiFolders())
        if (role == QLatin1String(known.role))
            return known.expectedType;
    return std::nullopt;
}

// extra_model_paths.yaml: sections of `base_path` and folder names, each one path or several on lines of their own,
// relative to the base path (itself relative to the file's folder). Config folders and custom-node keys hold no
// models Atelier reads.
void readExtraModelPaths(ForeignInstallation &installation, const QString &file)
{
    YAML::Node document;
    try {
        document = YAML::LoadFile(file.toStdString());
    } catch (const YAML::Exception &error) {
        installation.problems << QStringLiteral("%1: %2").arg(file, QString::fromStdString(error.what()));
        return;
    }
    if (!document.IsMap()) {
        if (!document.IsNull())
            installation.problems << QStringLiteral("%1: not a map of sections").arg(file);
        return;
    }
    const QDir fileFolder = QFileInfo(file).absoluteDir();
    for (const auto &section : document) {
        if (!section.second.IsMap())
            continue;
        const QString sectionName = QString::fromStdString(section.first.as<std::string>(""));
        QString base = fileFolder.path();
        if (const YAML::Node basePath = section.second["base_path"]; basePath && basePath.IsScalar()) {
            const QString given = expanded(QString::fromStdString(basePath.as<std::string>()).trimmed());
            base = QDir::isAbsolutePath(given) ? given : fileFolder.filePath(given);
        }
        for (const auto &item : section.second) {
            const QString role = QString::fromStdString(item.first.as<std::string>(""));
            if (role == QLatin1String("base_path") || role == QLatin1String("is_default") ||
                role == QLatin1String("configs") || role == QLatin1String("custom_nodes") || !item.second.IsScalar())
                continue;
            for (const QString &line :
                 QString::fromStdString(item.second.as<std::string>()).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
                const QString relative = expanded(line.trimmed());
                if (relative.isEmpty())
                    continue;
                const QString path = QDir::isAbsolutePath(relative) ? relative : QDir(base).filePath(relative);
                addFolder(installation, path, QStringLiteral("%1 (%2)").arg(role, sectionName), comfyUiRoleType(role));
            }
        }
    }
}

// invokeai.yaml's models_dir and db_dir (relative to the root), with InvokeAI's defaults.
ForeignInstallation invokeAiInstallation(const QString &root)
{
    ForeignInstallation installation;
    installation.tool = ForeignTool::InvokeAi;
    installation.root = installation.invokeRoot = clean(root);
    QString modelsDir = QStringLiteral("models"), databaseDir = QStringLiteral("databases");
    const QString config = QDir(root).filePath(QStringLiteral("invokeai.yaml"));
    if (QFileInfo::exists(config)) {
        try {
            const YAML::Node document = YAML::LoadFile(config.toStdString());
            // InvokeAI 4 writes the settings at the top level; 3.x kept them under InvokeAI: → Paths:.
            const YAML::Node paths =
                document["InvokeAI"] && document["InvokeAI"]["Paths"] ? document["InvokeAI"]["Paths"] : document;
            if (paths.IsMap() && paths["models_dir"] && paths["models_dir"].IsScalar())
                modelsDir = QString::fromStdString(paths["models_dir"].as<std::string>());
            if (paths.IsMap() && paths["db_dir"] && paths["db_dir"].IsScalar())
                databaseDir = QString::fromStdString(paths["db_dir"].as<std::string>());
        } catch (const YAML::Exception &error) {
            installation.problems << QStringLiteral("%1: %2").arg(config, QString::fromStdString(error.what()));
        }
    }
    const QDir rootDir(root);
    installation.invokeModelsDir = clean(rootDir.filePath(modelsDir));
    const QString database = clean(QDir(rootDir.filePath(databaseDir)).filePath(QStringLiteral("invokeai.db")));
    if (QFileInfo(database).isFile())
        installation.invokeDatabase = database;
    addFolder(installation, installation.invokeModelsDir, QStringLiteral("models"), std::nullopt);
    return installation;
}

} // namespace

QString foreignToolName(ForeignTool tool)
{
    switch (tool) {
    case ForeignTool::ComfyUi:
        return QStringLiteral("ComfyUI");
    case ForeignTool::Automatic1111:
        return QStringLiteral("A1111/Forge");
    case ForeignTool::InvokeAi:
        return QStringLiteral("InvokeAI");
    case ForeignTool::StabilityMatrix:
        return QStringLiteral("Stability Matrix");
    }
    return QString();
}

QList<ForeignInstallation> findInstallations(const QString &path)
{
    QList<ForeignInstallation> found;
    if (!isDir(path))
        return found;
    const QDir dir(path);
    const auto has = [&](const char *relative) { return isDir(dir.filePath(QString::fromLatin1(relative))); };
    // A tool's models folder given instead of its root (never above the file system's root).
    const QString parent = QFileInfo(clean(path)).absolutePath();
    const bool hasParent = parent != clean(path);
    if (has("checkpoints") && (has("loras") || has("vae") || has("embeddings"))) {
        if (hasParent)
            if (QList<ForeignInstallation> atRoot = findInstallations(parent); !atRoot.isEmpty())
                return atRoot;
        // A models folder in ComfyUI's layout that several tools share, with no tool's root around it.
        std::vector<KnownFolder> shared;
        for (const KnownFolder &known : comfyUiFolders())
            shared.push_back({known.relativePath + std::strlen("models/"), known.role, known.expectedType});
        return {installationOf(ForeignTool::ComfyUi, path, shared)};
    }
    if (hasParent && has("Stable-diffusion") && !has("models"))
        return findInstallations(parent);

    const QString extraPaths = dir.filePath(QStringLiteral("extra_model_paths.yaml"));
    if (has("models/checkpoints") || QFileInfo::exists(extraPaths) || (has("comfy") && has("models"))) {
        ForeignInstallation comfy = installationOf(ForeignTool::ComfyUi, path, comfyUiFolders());
        if (QFileInfo::exists(extraPaths))
            readExtraModelPaths(comfy, extraPaths);
        found.push_back(comfy);
    }
    // The portable build keeps ComfyUI one folder down.
    if (found.isEmpty() && has("ComfyUI/models"))
        return findInstallations(dir.filePath(QStringLiteral("ComfyUI")));
    if (has("models/Stable-diffusion"))
        found.push_back(installationOf(ForeignTool::Automatic1111, path, automatic1111Folders()));
    if (QFileInfo::exists(dir.filePath(QStringLiteral("invokeai.yaml"))) ||
        QFileInfo::exists(dir.filePath(QStringLiteral("databases/invokeai.db"))))
        found.push_back(invokeAiInstallation(path));
    for (const char *models : {"Models", "Data/Models", "."}) {
        const QString folder = dir.filePath(QString::fromLatin1(models));
        if (isDir(QDir(folder).filePath(QStringLiteral("StableDiffusion")))) {
            found.push_back(installationOf(ForeignTool::StabilityMatrix, folder, stabilityMatrixFolders()));
            break;
        }
    }
    return found;
}

QStringList usualInstallationPaths(const QString &home)
{
    QStringList paths;
    for (const char *relative :
         {"ComfyUI", "comfyui", "ComfyUI_windows_portable", "stable-diffusion-webui", "stable-diffusion-webui-forge",
          "sd-webui-forge", "stable-diffusion-webui-reForge", "automatic", "sdnext", "invokeai", "InvokeAI",
          "StabilityMatrix", ".local/share/StabilityMatrix", ".config/StabilityMatrix"}) {
        const QString path = QDir(home).filePath(QString::fromLatin1(relative));
        if (isDir(path))
            paths << clean(path);
    }
    return paths;
}

} // namespace atelier::models
