#pragma once

#include "core/result.h"
#include "core/settings/app_root.h"
#include "core/settings/settings.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

namespace atelier::settings {

// Reads and writes the settings of one root. Never loses what the user had: a file that is not valid JSON, or
// holds invalid values, is copied aside (settings.json.invalid-<time>) before defaults replace what was wrong,
// and keys this build does not know are kept and written back.
class SettingsStore : public QObject
{
    Q_OBJECT
public:
    explicit SettingsStore(AppRoot root, QObject *parent = nullptr);

    // Loads settings.json and secrets.json, writing defaults on first start. Problems become warnings (see
    // warnings()); loading itself always yields usable settings.
    void load();

    const Settings &current() const { return m_current; }
    const AppRoot &root() const { return m_root; }
    // What went wrong during the last load(), in words for users; empty when all was well.
    const QStringList &warnings() const { return m_warnings; }

    // The models folder the settings choose, absolute.
    QString modelsDir() const;

    // Validates and saves atomically; on success current() changes and changed() is emitted.
    Status save(const Settings &settings);
    // Adds folders to watchedModelFolders (each once) and saves; nothing is written when all are there.
    Status addWatchedModelFolders(const QStringList &folders);

signals:
    void changed(const atelier::settings::Settings &settings);

private:
    void loadSettingsFile();
    void loadSecretsFile();
    void keepAside(const QString &path, const QString &why);
    Status writeFiles(const Settings &settings) const;   // secrets.json (when needed), then settings.json
    Status writeSettingsFile(const Settings &settings) const;

    AppRoot m_root;
    Settings m_current;
    QStringList m_warnings;
    QByteArray m_unknownSettings;  // JSON object of keys this build does not know, written back on save
    QByteArray m_unknownSecrets;
    bool m_repairAfterLoad = false; // a file was kept aside while loading and is to be written anew
};

} // namespace atelier::settings
