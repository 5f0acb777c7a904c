#include "core/models/install/interrupted_operations.h"

#include "core/json/bounded_json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

namespace atelier::models {

namespace {

const QString kIntentFile = QStringLiteral("intent.json");

std::string utf8(const QString &text)
{
    return text.toStdString();
}

QString text(const nlohmann::json &object, const char *key)
{
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? QString::fromStdString(found->get<std::string>()) : QString();
}

bool removeFileOrFolder(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir() && !info.isSymLink())
        return QDir(path).removeRecursively();
    return QFile::remove(path);
}

// Whether `path` lies inside `folder` (after resolving "..": an intent is a file on disk, and a damaged or
// hostile one must not make the settling remove something elsewhere).
bool isInside(const QString &path, const QString &folder)
{
    if (folder.isEmpty())
        return false;
    const QString root = QDir::cleanPath(QDir(folder).absolutePath()) + QLatin1Char('/');
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath()).startsWith(root);
}

} // namespace

Status writeIntent(const QString &folder, const OperationIntent &intent)
{
    nlohmann::json object{{"operation", intent.kind == OperationIntent::Kind::Install ? "install" : "delete"},
                          {"key", utf8(intent.key)}};
    object["placed"] = nlohmann::json::array();
    for (const QString &path : intent.placed)
        object["placed"].push_back(utf8(path));
    object["set_aside"] = nlohmann::json::array();
    for (const auto &[original, aside] : intent.setAside)
        object["set_aside"].push_back({{"original", utf8(original)}, {"aside", utf8(aside)}});
    const std::string bytes = object.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    QSaveFile file(QDir(folder).filePath(kIntentFile));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes.data(), qint64(bytes.size())) != qint64(bytes.size()) ||
        !file.commit())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()),
                               QStringLiteral("Io"));
    return {};
}

std::optional<OperationIntent> readIntent(const QString &folder)
{
    QFile file(QDir(folder).filePath(kIntentFile));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const nlohmann::json object = parseBoundedJsonOrDiscarded(file.read(1 << 20));
    if (!object.is_object())
        return std::nullopt;
    OperationIntent intent;
    const QString operation = text(object, "operation");
    if (operation != QLatin1String("install") && operation != QLatin1String("delete"))
        return std::nullopt;
    intent.kind =
        operation == QLatin1String("install") ? OperationIntent::Kind::Install : OperationIntent::Kind::Delete;
    intent.key = text(object, "key");
    if (intent.key.isEmpty())
        return std::nullopt;
    if (const auto placed = object.find("placed"); placed != object.end() && placed->is_array())
        for (const auto &path : *placed)
            if (path.is_string())
                intent.placed << QString::fromStdString(path.get<std::string>());
    if (const auto aside = object.find("set_aside"); aside != object.end() && aside->is_array())
        for (const auto &entry : *aside)
            if (entry.is_object() && !text(entry, "original").isEmpty() && !text(entry, "aside").isEmpty())
                intent.setAside.append({text(entry, "original"), text(entry, "aside")});
    return intent;
}

bool settleInterruptedOperation(const QString &folder, const LibraryView &library)
{
    const std::optional<OperationIntent> intent = readIntent(folder);
    if (intent) {
        const std::optional<bool> recorded = library.hasRecord(intent->key);
        if (!recorded)
            return false;
        if (intent->kind == OperationIntent::Kind::Install && !*recorded) {
            for (const QString &path : intent->placed) {
                // The intent names a path before the move into it is tried; a file that is there and belongs to a
                // record is someone else's (the move found the name taken).
                const std::optional<bool> taken = library.isRecordPath(path);
                if (!taken)
                    return false;
                if (!*taken && isInside(path, library.modelsDir) && (QFileInfo::exists(path) || QFileInfo(path).isSymLink()))
                    removeFileOrFolder(path);
            }
        } else if (intent->kind == OperationIntent::Kind::Delete && *recorded) {
            for (const auto &[original, aside] : intent->setAside) {
                const QString waiting = QDir(folder).filePath(aside);
                if (QFileInfo::exists(waiting) && !QFileInfo::exists(original))
                    std::rename(QFile::encodeName(waiting).constData(), QFile::encodeName(original).constData());
            }
        }
    }
    return QDir(folder).removeRecursively();
}

} // namespace atelier::models
