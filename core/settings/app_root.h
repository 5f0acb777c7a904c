#pragma once

#include "core/result.h"

#include <QString>

namespace atelier::settings {

// Where the root folder was taken from; the command line beats the environment, which beats the default.
enum class RootOrigin { CommandLine, Environment, Default };

struct RootChoice
{
    QString path;
    RootOrigin origin = RootOrigin::Default;
};

// The environment variable that names the root when --root is not given.
inline constexpr const char *kRootEnvironmentVariable = "ATELIER_ROOT";

// Picks the root: `commandLineValue` if not empty, else `environmentValue` if not empty, else the default
// (QStandardPaths::AppDataLocation, ~/.local/share/atelier on Linux). Relative paths are made absolute
// against the current directory.
RootChoice chooseRoot(const QString &commandLineValue, const QString &environmentValue);

QString defaultRootPath();
QString describe(RootOrigin origin);

// The folder that holds everything Atelier owns: the database, settings, installed models, downloads cache,
// outputs, workflows and logs. Paths are fixed relative to it, except the models folder, which the settings
// may move elsewhere.
class AppRoot
{
public:
    // Opens the root, creating it and its layout on first start. Fails with a message naming the path when the
    // root is not a folder or cannot be created or written.
    static Result<AppRoot> open(const QString &path);

    QString path() const { return m_path; }
    QString databasePath() const;       // atelier.db
    QString imageIndexPath() const;     // images.db: the image index (core/gallery)
    QString settingsPath() const;       // settings.json: preferences, shareable
    QString secretsPath() const;        // secrets.json: access tokens, mode 0600
    QString uiStatePath() const;        // ui-state.ini: window geometry and dock layout
    QString defaultModelsDir() const;   // models/<base>/<type>/<name>
    QString cacheDir() const;           // cache/: downloads kept by download_and_cache, size-capped
    QString outputsDir() const;         // outputs/: generated images
    QString workflowsDir() const;       // workflows/: saved graphs
    QString inputDir() const;           // input/: images graphs load (LoadImage), as ComfyUI's input folder
    QString tempDir() const;            // temp/: preview images, emptied freely
    QString logsDir() const;            // logs/: atelier.log and its rotations

    // `path` made absolute against the root when it is relative.
    QString resolve(const QString &path) const;

private:
    explicit AppRoot(QString path) : m_path(std::move(path)) {}
    QString m_path;
};

} // namespace atelier::settings
