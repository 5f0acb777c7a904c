#include "core/models/model_lookup.h"

#include "core/hashing/content_hash.h"

#include "core/models/record_store.h"

#include <QFileInfo>

#include <algorithm>
#include <vector>

namespace atelier::models {

namespace {

const QString kUnknown = QStringLiteral("UnknownModel");
const QString kAmbiguous = QStringLiteral("AmbiguousModel");

bool sameText(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

bool namedBy(const ModelConfig &model, const QString &typed)
{
    return sameText(model.name, typed);
}

bool fileNamedBy(const ModelConfig &model, const QString &typed)
{
    const QFileInfo file(model.path);
    return sameText(file.fileName(), typed) || sameText(file.completeBaseName(), typed);
}

// Levenshtein distance, case-folded, stopping early once past `limit`.
int distance(const QString &a, const QString &b, int limit)
{
    const QString x = a.toCaseFolded(), y = b.toCaseFolded();
    if (std::abs(int(x.size()) - int(y.size())) > limit)
        return limit + 1;
    std::vector<int> previous(std::size_t(y.size()) + 1), current(previous.size());
    for (std::size_t j = 0; j < previous.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= x.size(); ++i) {
        current[0] = int(i);
        int best = current[0];
        for (qsizetype j = 1; j <= y.size(); ++j) {
            const int substitution = previous[std::size_t(j - 1)] + (x[i - 1] == y[j - 1] ? 0 : 1);
            current[std::size_t(j)] =
                std::min({previous[std::size_t(j)] + 1, current[std::size_t(j - 1)] + 1, substitution});
            best = std::min(best, current[std::size_t(j)]);
        }
        if (best > limit)
            return limit + 1;
        std::swap(previous, current);
    }
    return previous.back();
}

QString described(const ModelConfig &model)
{
    return QStringLiteral("\"%1\" (%2 %3, key %4)")
        .arg(model.name, toString(model.base), toString(model.type), model.key);
}

// Among `found`, those of `type` when there are any.
QList<ModelConfig> preferType(const QList<ModelConfig> &found, std::optional<ModelType> type)
{
    if (!type)
        return found;
    QList<ModelConfig> ofType;
    std::copy_if(found.cbegin(), found.cend(), std::back_inserter(ofType),
                 [&](const ModelConfig &model) { return model.type == *type; });
    return ofType.isEmpty() ? found : ofType;
}

Result<ModelConfig> ambiguous(const QString &typed, const QList<ModelConfig> &candidates, const QString &how)
{
    QStringList names;
    for (const ModelConfig &model : candidates)
        names << described(model);
    return Result<ModelConfig>::failure(
        QStringLiteral("%1 %2 several models: %3; give a key (or a unique start of one)")
            .arg(typed, how, names.join(QStringLiteral(", "))),
        kAmbiguous);
}

} // namespace

Result<ModelConfig> lookUpModel(const RecordStore &store, const QString &typed, std::optional<ModelType> type)
{
    if (typed.trimmed().isEmpty())
        return Result<ModelConfig>::failure(QStringLiteral("no model named"), kUnknown);
    if (store.exists(typed))
        return store.getModel(typed);
    if (typed.size() >= 4) {
        const Result<QStringList> keys = store.keysWithPrefix(typed.toLower());
        if (!keys)
            return Result<ModelConfig>::failure(keys);
        if (keys->size() == 1)
            return store.getModel(keys->first());
        if (keys->size() > 1)
            return Result<ModelConfig>::failure(QStringLiteral("%1 is the start of several keys (%2); give more of it")
                                                    .arg(typed, keys->join(QStringLiteral(", "))),
                                                kAmbiguous);
    }
    const Result<QList<ModelConfig>> all = store.allModels();
    if (!all)
        return Result<ModelConfig>::failure(all);
    for (const auto &rule : {std::pair{&namedBy, QStringLiteral("names")},
                             std::pair{&fileNamedBy, QStringLiteral("is the file name of")}}) {
        const auto matches = rule.first;
        const QString &how = rule.second;
        QList<ModelConfig> found;
        std::copy_if(all->cbegin(), all->cend(), std::back_inserter(found),
                     [&](const ModelConfig &model) { return matches(model, typed); });
        found = preferType(found, type);
        if (found.size() == 1)
            return found.first();
        if (found.size() > 1)
            return ambiguous(typed, found, how);
    }
    // Nothing: the names closest to what was typed (containing it, or a few edits away).
    const int limit = std::max(2, int(typed.size()) / 4);
    std::vector<std::pair<int, ModelConfig>> close;
    for (const ModelConfig &model : all.value()) {
        if (type && model.type != *type)
            continue;
        const int edits = model.name.contains(typed, Qt::CaseInsensitive) ? 0 : distance(model.name, typed, limit);
        if (edits <= limit)
            close.emplace_back(edits, model);
    }
    std::stable_sort(close.begin(), close.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList suggestions;
    for (std::size_t i = 0; i < close.size() && i < 5; ++i)
        suggestions << described(close[i].second);
    return Result<ModelConfig>::failure(
        suggestions.isEmpty() ? QStringLiteral("no model with key, name or file name %1").arg(typed)
                              : QStringLiteral("no model with key, name or file name %1; did you mean %2?")
                                    .arg(typed, suggestions.join(QStringLiteral(" or "))),
        kUnknown);
}

std::optional<ModelConfig> modelWithHash(const QList<ModelConfig> &records, const QString &hash)
{
    const QString wanted = hashing::bareHash(hash);
    if (wanted.size() != 64 && wanted.size() != 10)
        return std::nullopt;
    for (const ModelConfig &record : records)
        if (const QString sha = hashing::bareHash(record.hash); sha.size() == 64 && sha.startsWith(wanted))
            return record;
    return std::nullopt;
}

} // namespace atelier::models
