#include "core/models/model_edit.h"

#include "core/json/bounded_json.h"
#include "core/models/record_store.h"

#include <nlohmann/json.hpp>

namespace atelier::models {

namespace {

using json = nlohmann::ordered_json;

json optionalText(const QString &text)
{
    return text.isEmpty() ? json(nullptr) : json(text.toStdString());
}

json changesOf(const ModelEdit &edit)
{
    json changes = json::object();
    if (edit.name)
        changes["name"] = edit.name->toStdString();
    if (edit.description)
        changes["description"] = edit.description->toStdString();
    if (edit.tags) {
        json tags = json::array();
        for (const QString &tag : *edit.tags)
            tags.push_back(tag.toStdString());
        changes["tags"] = tags;
    }
    if (edit.variant)
        changes["variant"] = optionalText(*edit.variant);
    if (edit.predictionType)
        changes["prediction_type"] = optionalText(*edit.predictionType);
    if (edit.vae)
        changes["vae"] = optionalText(*edit.vae);
    if (edit.path)
        changes["path"] = edit.path->toStdString();
    if (edit.missing)
        changes["missing"] = *edit.missing;
    return changes;
}

// A field of the record's JSON as text; empty when it is unset.
QString textField(const json &record, const char *field)
{
    const auto found = record.find(field);
    return found != record.end() && found->is_string() ? QString::fromStdString(found->get<std::string>()) : QString();
}

} // namespace

ModelEdit editRestoring(const ModelConfig &config, const ModelEdit &edit)
{
    const json record = toJson(config);
    ModelEdit restoring;
    if (edit.name)
        restoring.name = config.name;
    if (edit.description)
        restoring.description = config.description;
    if (edit.tags)
        restoring.tags = config.tags;
    if (edit.variant)
        restoring.variant = textField(record, "variant");
    if (edit.predictionType)
        restoring.predictionType = textField(record, "prediction_type");
    if (edit.vae)
        restoring.vae = textField(record, "vae");
    if (edit.path)
        restoring.path = config.path;
    if (edit.missing)
        restoring.missing = config.missing;
    return restoring;
}

Result<ModelConfig> applyEdit(RecordStore &store, const QString &key, const ModelEdit &edit)
{
    return store.updateModel(key, changesOf(edit));
}

QString recordAsJsonText(const ModelConfig &config)
{
    return QString::fromStdString(toJson(config).dump(2, ' ', false, json::error_handler_t::replace));
}

QString indentedJsonText(const QByteArray &text)
{
    // Remote responses are outside data: nesting is capped as everywhere else.
    const Result<json> parsed = parseBoundedOrderedJson(text);
    return !parsed ? QString::fromUtf8(text)
                   : QString::fromStdString(parsed->dump(2, ' ', false, json::error_handler_t::replace));
}

} // namespace atelier::models
