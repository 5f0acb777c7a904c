#pragma once

// Edits of a library record as the browser makes them: typed and sparse, so that the UI never builds the JSON of
// RecordStore::updateModel (which the command line's `models edit` takes from users).
#include "core/models/model_config.h"
#include "core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace atelier::models {

class RecordStore;

// Fields left unset stay as they are. For variant, prediction type and VAE an empty text clears the field.
struct ModelEdit
{
    std::optional<QString> name;
    std::optional<QString> description;
    std::optional<QStringList> tags;
    std::optional<QString> variant;
    std::optional<QString> predictionType;
    std::optional<QString> vae;
    std::optional<QString> path; // a missing model found again elsewhere
    std::optional<bool> missing;
};

// The edit that puts back what `config` holds in the fields that `edit` changes: undo.
ModelEdit editRestoring(const ModelConfig &config, const ModelEdit &edit);

// Applies `edit` to the record `key` as one sparse update (RecordStore::updateModel, with its checks).
Result<ModelConfig> applyEdit(RecordStore &store, const QString &key, const ModelEdit &edit);

// For display: the whole record as indented JSON, and a remote API response indented (as stored when it is not
// JSON).
QString recordAsJsonText(const ModelConfig &config);
QString indentedJsonText(const QByteArray &json);

} // namespace atelier::models
