#pragma once

// What an install or a delete is about to do to the models folder, written into the operation's temporary folder
// (models/.tmp/<purpose>-<pid>-<random>/intent.json) before it does it. A process killed half way (kill -9, a
// power cut) leaves that folder behind; the next installer to start settles it against the library's records:
// - an install whose record was never added: the files it had placed in the library are removed (never a file a
//   record points to);
// - a delete whose record was never removed: the files it had set aside are put back where they were;
// - otherwise the operation had finished its part that matters, and the folder is only removed.
#include "core/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace atelier::models {

struct OperationIntent
{
    enum class Kind { Install, Delete };

    Kind kind = Kind::Install;
    QString key;                             // the record the operation adds or removes
    QStringList placed;                      // install: files put into the library for the record
    QList<QPair<QString, QString>> setAside; // delete: (original path, its name inside the temporary folder)
};

// Writes `intent` into `folder` atomically (a complete file or none).
Status writeIntent(const QString &folder, const OperationIntent &intent);
std::optional<OperationIntent> readIntent(const QString &folder);

// What the library knows, for settling: whether a record with the key exists, and whether any record points at a
// path. nullopt when the library cannot say now (locked, unreadable): the folder is then left for a later start.
struct LibraryView
{
    QString modelsDir;  // an install's placed files are only ever removed inside it, whatever the intent says
    std::function<std::optional<bool>(const QString &key)> hasRecord;
    std::function<std::optional<bool>(const QString &path)> isRecordPath;
};

// Settles the temporary folder of a process that died (see above). Returns false when it was left as it was.
bool settleInterruptedOperation(const QString &folder, const LibraryView &library);

} // namespace atelier::models
