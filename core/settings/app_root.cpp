#include "core/settings/app_root.h"

#include "core/logging/log.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace atelier::settings {

namespace {

QString absoluteClean(const QString &path)
{
    return QDir::cleanPath(QDir::current().absoluteFilePath(QDir::fromNativeSeparators(path)));
}

const char *const kLayout[] = {"models", "cache", "outputs", "workflows", "logs"};

} // namespace

RootChoice chooseRoot(const QString &commandLineValue, const QString &environmentValue)
{
    if (!commandLineValue.trimmed().isEmpty())
        return {absoluteClean(commandLineValue.trimmed()), RootOrigin::CommandLine};
    if (!environmentValue.trimmed().isEmpty())
        return {absoluteClean(environmentValue.trimmed()), RootOrigin::Environment};
    return {defaultRootPath(), RootOrigin::Default};
}

QString defaultRootPath()
{
    const QString location = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!location.isEmpty())
        return QDir::cleanPath(location);
    return QDir::cleanPath(QDir::homePath() + QStringLiteral("/.local/share/atelier"));
}

QString describe(RootOrigin origin)
{
    switch (origin) {
    case RootOrigin::CommandLine:
        return QStringLiteral("--root");
    case RootOrigin::Environment:
        return QString::fromLatin1(kRootEnvironmentVariable);
    case RootOrigin::Default:
        break;
    }
    return QStringLiteral("default");
}

Result<AppRoot> AppRoot::open(const QString &path)
{
    const QString root = absoluteClean(path);
    const QFileInfo info(root);
    if (info.exists() && !info.isDir())
        return Result<AppRoot>::failure(
            QStringLiteral("The Atelier root %1 exists but is not a folder; choose another with --root or %2.")
                .arg(root, QString::fromLatin1(kRootEnvironmentVariable)));
    if (!QDir().mkpath(root))
        return Result<AppRoot>::failure(
            QStringLiteral("Cannot create the Atelier root folder %1; check that its parent exists and is writable, "
                           "or choose another with --root or %2.")
                .arg(root, QString::fromLatin1(kRootEnvironmentVariable)));
    const QDir dir(root);
    for (const char *name : kLayout) {
        const QString sub = dir.filePath(QString::fromLatin1(name));
        if (!QDir().mkpath(sub))
            return Result<AppRoot>::failure(
                QStringLiteral("Cannot create %1 inside the Atelier root; check the folder's permissions.").arg(sub));
    }
    // A root we cannot write to would fail later in confusing places (database, downloads); say so now.
    QTemporaryFile probe(dir.filePath(QStringLiteral(".write-check-XXXXXX")));
    if (!probe.open())
        return Result<AppRoot>::failure(
            QStringLiteral("The Atelier root %1 is not writable (%2); fix its permissions or choose another with "
                           "--root or %3.")
                .arg(root, probe.errorString(), QString::fromLatin1(kRootEnvironmentVariable)));
    return AppRoot(root);
}

QString AppRoot::databasePath() const { return resolve(QStringLiteral("atelier.db")); }
QString AppRoot::imageIndexPath() const
{
    return resolve(QStringLiteral("images.db"));
}
QString AppRoot::settingsPath() const { return resolve(QStringLiteral("settings.json")); }
QString AppRoot::secretsPath() const { return resolve(QStringLiteral("secrets.json")); }
QString AppRoot::uiStatePath() const { return resolve(QStringLiteral("ui-state.ini")); }
QString AppRoot::defaultModelsDir() const { return resolve(QStringLiteral("models")); }
QString AppRoot::cacheDir() const { return resolve(QStringLiteral("cache")); }
QString AppRoot::outputsDir() const { return resolve(QStringLiteral("outputs")); }
QString AppRoot::workflowsDir() const { return resolve(QStringLiteral("workflows")); }
QString AppRoot::inputDir() const { return resolve(QStringLiteral("input")); }
QString AppRoot::tempDir() const { return resolve(QStringLiteral("temp")); }
QString AppRoot::logsDir() const { return resolve(QStringLiteral("logs")); }

QString AppRoot::resolve(const QString &path) const
{
    return QDir::cleanPath(QDir(m_path).absoluteFilePath(QDir::fromNativeSeparators(path)));
}

} // namespace atelier::settings
