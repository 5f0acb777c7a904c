#pragma once

// The library's files by size and fast identity: finds the same file under another path whatever kind of hash its
// record has (a fast identity, or the full SHA-256 that replaced it). A record's file is read (three samples) only
// when a file of its size is asked about, and once. For the library import and the folder watch.
#include "core/models/model_config.h"
#include "core/result.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace atelier::models {

class RecordStore;

class ContentIndex
{
public:
    // Records keep paths inside the models folder relative to it.
    ContentIndex(const RecordStore &store, const QString &modelsDir);

    // `identity`: the one sameFileAs gave for the record's file, when known.
    void add(ModelConfig model, const QString &identity = QString());
    // The record whose file has the same contents as `path` (a file), if any; `identity` gets the file's.
    std::optional<ModelConfig> sameFileAs(const QString &path, QString &identity);

private:
    QString m_modelsDir;
    QHash<qint64, QList<ModelConfig>> m_unread; // by size, not yet read
    QHash<QString, ModelConfig> m_byIdentity;   // "size:fast identity"
};

// Notes `copy` among the copies of the model `key` (once); false with the store's message when it cannot.
Status noteCopy(RecordStore &store, const QString &key, const QString &copy);

} // namespace atelier::models
