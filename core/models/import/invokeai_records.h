#pragma once

// InvokeAI's own model records, read from its databases/invokeai.db (InvokeAI 4 and later: the `models` table,
// one JSON config per model). The file is opened read-only and immutable: nothing is ever written to it, not even
// a journal.
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace atelier::models {

struct InvokeAiRecord
{
    QString key;
    QString path; // absolute: InvokeAI's relative paths are resolved against its models folder
    QString name;
    QString description;
    QString base, type, format, variant; // InvokeAI's strings, which Atelier's taxonomy shares
    QString hash;                        // as InvokeAI wrote it ("blake3:…", "sha256:…")
    QString source;
    QString sourceType;
    QByteArray sourceApiResponse;
    QString coverImage; // absolute, when the image exists
    QStringList triggerWords;
};

// Error types: "NotFound", "Database" (not SQLite, damaged, or not InvokeAI's: the message says which).
Result<QList<InvokeAiRecord>> readInvokeAiRecords(const QString &databasePath, const QString &modelsDir,
                                                  const QString &invokeRoot);

} // namespace atelier::models
