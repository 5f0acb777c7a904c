#include "core/models/import/sidecar_metadata.h"

#include "core/json/bounded_json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

namespace atelier::models {

namespace {

// Sidecars are small; anything larger is not one.
constexpr qint64 kMaxSidecarBytes = 8 << 20;

QString text(const nlohmann::json &object, const char *field)
{
    const auto found = object.find(field);
    return found != object.end() && found->is_string() ? QString::fromStdString(found->get<std::string>()).trimmed()
                                                       : QString();
}

QStringList strings(const nlohmann::json &object, const char *field)
{
    QStringList values;
    const auto found = object.find(field);
    if (found == object.end() || !found->is_array())
        return values;
    for (const nlohmann::json &item : *found)
        if (item.is_string())
            values << QString::fromStdString(item.get<std::string>()).trimmed();
    return values;
}

// Civitai writes descriptions as HTML; the library keeps text.
QString plainText(QString html)
{
    static const QRegularExpression breaks(QStringLiteral("<(br|/p|/li)\\s*/?>"),
                                           QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
    html.replace(breaks, QStringLiteral("\n"));
    html.remove(tags);
    html.replace(QStringLiteral("&amp;"), QStringLiteral("&"))
        .replace(QStringLiteral("&lt;"), QStringLiteral("<"))
        .replace(QStringLiteral("&gt;"), QStringLiteral(">"))
        .replace(QStringLiteral("&quot;"), QStringLiteral("\""))
        .replace(QStringLiteral("&#39;"), QStringLiteral("'"));
    return html.trimmed();
}

QString civitaiPage(qint64 modelId, qint64 versionId)
{
    if (modelId <= 0)
        return QString();
    QString page = QStringLiteral("https://civitai.com/models/%1").arg(modelId);
    if (versionId > 0)
        page += QStringLiteral("?modelVersionId=%1").arg(versionId);
    return page;
}

qint64 number(const nlohmann::json &object, const char *field)
{
    const auto found = object.find(field);
    return found != object.end() && found->is_number_integer() ? found->get<qint64>() : 0;
}

// A sidecar's JSON object, or a problem noted.
std::optional<nlohmann::json> readObject(const QString &path, SidecarMetadata &metadata, QByteArray *raw = nullptr)
{
    QFile file(path);
    if (file.size() > kMaxSidecarBytes) {
        metadata.problems << QStringLiteral("%1: larger than a sidecar can be").arg(path);
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        metadata.problems << QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray content = file.readAll();
    const Result<nlohmann::json> parsed = parseBoundedJson(content);
    if (!parsed || !parsed.value().is_object()) {
        metadata.problems << QStringLiteral("%1: %2").arg(path, parsed ? QStringLiteral("not a JSON object")
                                                                       : parsed.error());
        return std::nullopt;
    }
    metadata.files << path;
    if (raw)
        *raw = content;
    return parsed.value();
}

// Civitai Helper's copy of the API's model version: the version, with the model's name, type and tags inside.
void readCivitaiInfo(const QString &path, SidecarMetadata &metadata)
{
    const auto version = readObject(path, metadata, &metadata.apiResponse);
    if (!version)
        return;
    const auto model = version->find("model");
    if (model != version->end() && model->is_object()) {
        metadata.name = text(*model, "name");
        metadata.tags = strings(*model, "tags");
    }
    metadata.description = plainText(text(*version, "description"));
    metadata.triggerWords = strings(*version, "trainedWords");
    metadata.source = civitaiPage(number(*version, "modelId"), number(*version, "id"));
}

// A1111's extra-networks card: the user's description and activation text.
void readA1111Card(const QString &path, SidecarMetadata &metadata)
{
    const auto card = readObject(path, metadata);
    if (!card)
        return;
    if (const QString description = text(*card, "description"); !description.isEmpty())
        metadata.description = description;
    for (const QString &word : text(*card, "activation text").split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!word.trimmed().isEmpty() && !metadata.triggerWords.contains(word.trimmed()))
            metadata.triggerWords << word.trimmed();
}

// Stability Matrix's connected-model record.
void readStabilityMatrixInfo(const QString &path, SidecarMetadata &metadata)
{
    const auto info = readObject(path, metadata);
    if (!info)
        return;
    if (metadata.name.isEmpty())
        metadata.name = text(*info, "ModelName");
    if (metadata.description.isEmpty())
        metadata.description = plainText(text(*info, "ModelDescription"));
    if (metadata.triggerWords.isEmpty())
        metadata.triggerWords = strings(*info, "TrainedWords");
    if (metadata.source.isEmpty())
        metadata.source = civitaiPage(number(*info, "ModelId"), number(*info, "VersionId"));
}

// ComfyUI LoRA Manager's `<name>.metadata.json`: its name, description and tags, and Civitai's version inside.
void readLoraManagerMetadata(const QString &path, SidecarMetadata &metadata)
{
    const auto record = readObject(path, metadata);
    if (!record)
        return;
    if (metadata.name.isEmpty())
        metadata.name = text(*record, "model_name");
    if (metadata.description.isEmpty())
        metadata.description = plainText(text(*record, "modelDescription"));
    if (metadata.tags.isEmpty())
        metadata.tags = strings(*record, "tags");
    const auto civitai = record->find("civitai");
    if (civitai != record->end() && civitai->is_object()) {
        if (metadata.triggerWords.isEmpty())
            metadata.triggerWords = strings(*civitai, "trainedWords");
        if (metadata.source.isEmpty())
            metadata.source = civitaiPage(number(*civitai, "modelId"), number(*civitai, "id"));
    }
    // A relative preview is beside the model.
    const QString preview = text(*record, "preview_url");
    const QString previewPath = QDir(QFileInfo(path).absolutePath()).absoluteFilePath(preview);
    if (metadata.coverImage.isEmpty() && !preview.isEmpty() && QFileInfo(previewPath).isFile())
        metadata.coverImage = QDir::cleanPath(previewPath);
}

} // namespace

QByteArray SidecarMetadata::overridesJson() const
{
    nlohmann::ordered_json overrides = nlohmann::ordered_json::object();
    if (!name.isEmpty())
        overrides["name"] = name.toStdString();
    if (!description.isEmpty())
        overrides["description"] = description.toStdString();
    const auto list = [](const QStringList &values) {
        nlohmann::ordered_json array = nlohmann::ordered_json::array();
        for (const QString &value : values)
            if (!value.isEmpty())
                array.push_back(value.toStdString());
        return array;
    };
    if (!triggerWords.isEmpty())
        overrides["trigger_words"] = list(triggerWords);
    if (!tags.isEmpty())
        overrides["tags"] = list(tags);
    if (!source.isEmpty()) {
        overrides["source"] = source.toStdString();
        overrides["source_type"] = "url";
    }
    if (!apiResponse.isEmpty())
        overrides["source_api_response"] = apiResponse.toStdString();
    if (!coverImage.isEmpty())
        overrides["cover_image"] = coverImage.toStdString();
    return QByteArray::fromStdString(overrides.dump());
}

SidecarMetadata readSidecars(const QString &modelPath)
{
    SidecarMetadata metadata;
    const QFileInfo model(QDir::cleanPath(modelPath));
    // "name.safetensors" → "name"; a diffusers folder's sidecars take the folder's whole name.
    const QString stem = model.isDir() ? model.fileName() : model.completeBaseName();
    const QDir folder = model.absoluteDir();
    const auto beside = [&](const QString &suffix) { return folder.filePath(stem + suffix); };
    if (QFileInfo::exists(beside(QStringLiteral(".civitai.info"))))
        readCivitaiInfo(beside(QStringLiteral(".civitai.info")), metadata);
    if (QFileInfo::exists(beside(QStringLiteral(".cm-info.json"))))
        readStabilityMatrixInfo(beside(QStringLiteral(".cm-info.json")), metadata);
    if (QFileInfo::exists(beside(QStringLiteral(".metadata.json"))))
        readLoraManagerMetadata(beside(QStringLiteral(".metadata.json")), metadata);
    if (QFileInfo::exists(beside(QStringLiteral(".json"))))
        readA1111Card(beside(QStringLiteral(".json")), metadata);
    for (const char *suffix :
         {".preview.png", ".preview.jpg", ".preview.jpeg", ".preview.webp", ".png", ".jpg", ".jpeg", ".webp"}) {
        const QString image = beside(QString::fromLatin1(suffix));
        if (metadata.coverImage.isEmpty() && QFileInfo(image).isFile()) {
            metadata.coverImage = image;
            metadata.files << image;
            break;
        }
    }
    return metadata;
}

} // namespace atelier::models
