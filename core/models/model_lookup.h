#pragma once

#include "core/models/model_config.h"
#include "core/result.h"

#include <optional>

namespace atelier::models {

class RecordStore;

// The record a user means by what they typed (the command line's --model, `models show`, and next a graph's
// loader node or a recipe's model name), tried in this order:
// 1. an exact key, then a unique start of one (4 characters or more);
// 2. the model's name;
// 3. its file or folder name, with or without the extension.
// Names compare without regard to case. With `type`, records of that type win a name shared with another type; a
// name that only a record of another type has still finds it, so that the caller can say what it is instead.
// Fails with "UnknownModel", naming up to five close names, or "AmbiguousModel", listing the candidates with their
// keys (a key always tells them apart).
Result<ModelConfig> lookUpModel(const RecordStore &store, const QString &typed, std::optional<ModelType> type = {});

// The record among `records` whose content the hash names: a full SHA-256 (with or without "sha256:", any case) or
// A1111's 10-digit AutoV2 (a SHA-256's start). Nothing for any other length.
std::optional<ModelConfig> modelWithHash(const QList<ModelConfig> &records, const QString &hash);

} // namespace atelier::models
