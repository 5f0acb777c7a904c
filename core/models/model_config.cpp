#include "core/models/model_config.h"
#include "core/json/bounded_json.h"

#include <QDir>

#include <QRandomGenerator>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

namespace atelier::models {

using json = nlohmann::ordered_json;

namespace {

const QString kInvalid = QStringLiteral("InvalidModelConfig");

bool isMain(ModelType type, ModelFormat) { return type == ModelType::Main; }
bool hasVariant(ModelType type, ModelFormat) { return type == ModelType::Main || type == ModelType::ClipEmbed; }
bool isCheckpoint(ModelType, ModelFormat format) { return format == ModelFormat::Checkpoint; }
bool isDiffusers(ModelType, ModelFormat format) { return format == ModelFormat::Diffusers; }
bool isIpAdapter(ModelType type, ModelFormat) { return type == ModelType::IpAdapter; }

constexpr int kMaxTagLength = 64;
constexpr int kMaxTextLength = 64 * 1024;

QString qs(const std::string &text) { return QString::fromStdString(text); }
std::string ss(const QString &text) { return text.toStdString(); }

QString timestamp(const QDateTime &time) { return time.toUTC().toString(Qt::ISODateWithMs); }

// Reads one field of `object`, recording a message in `problems` on a wrong type.
class FieldReader
{
public:
    FieldReader(const json &object, QStringList &problems) : m_object(object), m_problems(problems) {}

    const json *find(const char *name) const
    {
        const auto it = m_object.find(name);
        return it == m_object.end() || it->is_null() ? nullptr : &*it;
    }

    bool string(const char *name, QString &target)
    {
        const json *value = find(name);
        if (!value)
            return false;
        if (!value->is_string()) {
            wrongType(name, "a string", *value);
            return false;
        }
        target = qs(value->get<std::string>());
        if (target.size() > kMaxTextLength)
            m_problems << QStringLiteral("'%1' is longer than %2 characters").arg(QLatin1String(name)).arg(kMaxTextLength);
        return true;
    }

    bool optionalString(const char *name, std::optional<QString> &target)
    {
        QString value;
        if (!string(name, value))
            return false;
        target = value;
        return true;
    }

    template <typename E>
    bool taxonomy(const char *name, E &target)
    {
        QString text;
        if (!string(name, text))
            return false;
        const Result<E> parsed = parseTaxonomy<E>(text);
        if (!parsed) {
            m_problems << QStringLiteral("'%1': %2").arg(QLatin1String(name), parsed.error());
            return false;
        }
        target = parsed.value();
        return true;
    }

    template <typename E>
    void optionalTaxonomy(const char *name, std::optional<E> &target)
    {
        E value{};
        if (taxonomy(name, value))
            target = value;
    }

    void stringList(const char *name, QStringList &target)
    {
        const json *value = find(name);
        if (!value)
            return;
        if (!value->is_array()) {
            wrongType(name, "an array of strings", *value);
            return;
        }
        for (const json &item : *value) {
            if (!item.is_string()) {
                wrongType(name, "an array of strings", *value);
                return;
            }
            target << qs(item.get<std::string>());
        }
    }

    void timestamp(const char *name, QDateTime &target)
    {
        QString text;
        if (!string(name, text))
            return;
        target = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!target.isValid())
            m_problems << QStringLiteral("'%1' must be an ISO 8601 date and time, not \"%2\"").arg(QLatin1String(name), text);
        target = target.toUTC();
    }

    void wrongType(const char *name, const char *expected, const json &value)
    {
        m_problems << QStringLiteral("'%1' must be %2, not %3")
                          .arg(QLatin1String(name), QLatin1String(expected), qs(value.dump()).left(80));
    }

private:
    const json &m_object;
    QStringList &m_problems;
};

bool isSet(const ModelConfig &config, const QString &field)
{
    if (field == QLatin1String("config_path"))
        return config.configPath.has_value();
    if (field == QLatin1String("vae"))
        return config.vae.has_value();
    if (field == QLatin1String("variant"))
        return config.variant.has_value();
    if (field == QLatin1String("prediction_type"))
        return config.predictionType.has_value();
    if (field == QLatin1String("upcast_attention"))
        return config.upcastAttention.has_value();
    if (field == QLatin1String("repo_variant"))
        return config.repoVariant.has_value();
    if (field == QLatin1String("image_encoder"))
        return config.imageEncoder.has_value();
    return false;
}

// Trims tags and trigger words, drops empty ones and case-insensitive duplicates, keeping the first spelling.
QStringList normalisedWords(const QStringList &words)
{
    QStringList result;
    for (const QString &word : words) {
        const QString trimmed = word.simplified();
        if (trimmed.isEmpty())
            continue;
        if (!result.contains(trimmed, Qt::CaseInsensitive))
            result << trimmed;
    }
    return result;
}

QStringList problemsOf(const ModelConfig &config)
{
    QStringList problems;
    static const QRegularExpression keyPattern(QStringLiteral("^[0-9a-f]{32}$"));
    if (!keyPattern.match(config.key).hasMatch())
        problems << QStringLiteral("'key' must be 32 lowercase hexadecimal characters, not \"%1\"").arg(config.key.left(80));
    if (config.name.trimmed().isEmpty())
        problems << QStringLiteral("'name' may not be empty");
    for (const QChar c : config.name) {
        if (c.category() == QChar::Other_Control) {
            problems << QStringLiteral("'name' may not contain control characters");
            break;
        }
    }
    if (config.path.isEmpty())
        problems << QStringLiteral("'path' may not be empty");
    if (config.path.contains(QChar(0)))
        problems << QStringLiteral("'path' may not contain NUL characters");
    if (config.fileSize < 0)
        problems << QStringLiteral("'file_size' may not be negative");
    for (const QString &tag : config.tags) {
        if (tag.size() > kMaxTagLength)
            problems << QStringLiteral("tag \"%1…\" is longer than %2 characters").arg(tag.left(20)).arg(kMaxTagLength);
    }
    if (!config.sourceApiResponse.isEmpty() && parseBoundedJsonOrDiscarded(config.sourceApiResponse).is_discarded())
        problems << QStringLiteral("'source_api_response' is not valid JSON of at most %1 levels").arg(kMaxJsonDepth);
    for (const SpecialisedField &field : kSpecialisedFields) {
        if (isSet(config, QLatin1String(field.name)) && !field.appliesTo(config.type, config.format))
            problems << QStringLiteral("'%1' applies only to %2, and this is a %3 %4 model")
                            .arg(QLatin1String(field.name), QLatin1String(field.appliesToWhat),
                                 toString(config.format), toString(config.type));
    }
    return problems;
}

Status failure(const QStringList &problems)
{
    return Status::failure(QStringLiteral("invalid model config: %1").arg(problems.join(QStringLiteral("; "))), kInvalid);
}

} // namespace

const SpecialisedField kSpecialisedFields[7] = {
    {"config_path", "checkpoints", isCheckpoint},
    {"vae", "main models", isMain},
    {"variant", "main models and CLIP encoders", hasVariant},
    {"prediction_type", "main models", isMain},
    {"upcast_attention", "main models", isMain},
    {"repo_variant", "diffusers folders", isDiffusers},
    {"image_encoder", "IP adapters", isIpAdapter},
};

namespace {
const char *const kCommonFields[] = {"key",
                                     "name",
                                     "type",
                                     "format",
                                     "base",
                                     "path",
                                     "hash",
                                     "description",
                                     "source",
                                     "source_type",
                                     "source_api_response",
                                     "cover_image",
                                     "tags",
                                     "trigger_words",
                                     "added_at",
                                     "updated_at",
                                     "file_size",
                                     "missing",
                                     "copies"};
}

QStringList allFieldNames()
{
    QStringList names;
    for (const char *name : kCommonFields)
        names << QLatin1String(name);
    for (const SpecialisedField &field : kSpecialisedFields)
        names << QLatin1String(field.name);
    return names;
}

bool ModelConfig::operator==(const ModelConfig &other) const
{
    return toJson(*this) == toJson(other);
}

QString ModelConfig::newKey()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    QString key;
    for (quint32 word : words)
        key += QStringLiteral("%1").arg(word, 8, 16, QLatin1Char('0'));
    return key;
}

json toJson(const ModelConfig &config)
{
    json object;
    object["key"] = ss(config.key);
    object["name"] = ss(config.name);
    object["type"] = ss(toString(config.type));
    object["format"] = ss(toString(config.format));
    object["base"] = ss(toString(config.base));
    object["path"] = ss(config.path);
    object["hash"] = ss(config.hash);
    object["description"] = ss(config.description);
    object["source"] = ss(config.source);
    object["source_type"] = ss(toString(config.sourceType));
    // Checked when the record was made; a value that fails now (a damaged database) is written as null.
    const Result<json> apiResponse = parseBoundedOrderedJson(config.sourceApiResponse);
    object["source_api_response"] = config.sourceApiResponse.isEmpty() || !apiResponse ? json() : apiResponse.value();
    object["cover_image"] = ss(config.coverImage);
    object["tags"] = json::array();
    for (const QString &tag : config.tags)
        object["tags"].push_back(ss(tag));
    object["trigger_words"] = json::array();
    for (const QString &word : config.triggerWords)
        object["trigger_words"].push_back(ss(word));
    // A record not stored yet may have no times; null reads back as "not set", where "" would not read at all.
    object["added_at"] = config.addedAt.isValid() ? json(ss(timestamp(config.addedAt))) : json();
    object["updated_at"] = config.updatedAt.isValid() ? json(ss(timestamp(config.updatedAt))) : json();
    object["file_size"] = config.fileSize;
    if (config.missing)
        object["missing"] = true;
    if (!config.copies.isEmpty()) {
        object["copies"] = json::array();
        for (const QString &copy : config.copies)
            object["copies"].push_back(ss(copy));
    }
    if (config.configPath)
        object["config_path"] = ss(*config.configPath);
    if (config.vae)
        object["vae"] = ss(*config.vae);
    if (config.variant)
        object["variant"] = ss(toString(*config.variant));
    if (config.predictionType)
        object["prediction_type"] = ss(toString(*config.predictionType));
    if (config.upcastAttention)
        object["upcast_attention"] = *config.upcastAttention;
    if (config.repoVariant)
        object["repo_variant"] = ss(toString(*config.repoVariant));
    if (config.imageEncoder)
        object["image_encoder"] = ss(*config.imageEncoder);
    return object;
}

namespace {

Result<ModelConfig> readConfig(const json &object, bool trusted)
{
    if (!object.is_object())
        return Result<ModelConfig>::failure(QStringLiteral("invalid model config: expected a JSON object"), kInvalid);
    QStringList problems;
    static const QStringList known = allFieldNames();
    for (const auto &item : object.items()) {
        if (!known.contains(qs(item.key())))
            problems << QStringLiteral("unknown field '%1'").arg(qs(item.key()).left(80));
    }

    ModelConfig config;
    FieldReader read(object, problems);
    read.string("key", config.key);
    read.string("name", config.name);
    if (!read.find("type") || !read.find("format") || !read.find("base"))
        problems << QStringLiteral("'type', 'format' and 'base' are required");
    read.taxonomy("type", config.type);
    read.taxonomy("format", config.format);
    read.taxonomy("base", config.base);
    read.string("path", config.path);
    read.string("hash", config.hash);
    read.string("description", config.description);
    read.string("source", config.source);
    read.taxonomy("source_type", config.sourceType);
    if (const json *response = read.find("source_api_response"))
        config.sourceApiResponse = QByteArray::fromStdString(response->dump());
    read.string("cover_image", config.coverImage);
    read.stringList("tags", config.tags);
    config.tags = normalisedWords(config.tags);
    read.stringList("trigger_words", config.triggerWords);
    config.triggerWords = normalisedWords(config.triggerWords);
    read.stringList("copies", config.copies);
    read.timestamp("added_at", config.addedAt);
    read.timestamp("updated_at", config.updatedAt);
    if (const json *size = read.find("file_size")) {
        if (size->is_number_integer())
            config.fileSize = size->get<qint64>();
        else
            read.wrongType("file_size", "a whole number", *size);
    }
    if (const json *missing = read.find("missing")) {
        if (missing->is_boolean())
            config.missing = missing->get<bool>();
        else
            read.wrongType("missing", "true or false", *missing);
    }
    read.optionalString("config_path", config.configPath);
    read.optionalString("vae", config.vae);
    read.optionalTaxonomy("variant", config.variant);
    read.optionalTaxonomy("prediction_type", config.predictionType);
    if (const json *upcast = read.find("upcast_attention")) {
        if (upcast->is_boolean())
            config.upcastAttention = upcast->get<bool>();
        else
            read.wrongType("upcast_attention", "true or false", *upcast);
    }
    read.optionalTaxonomy("repo_variant", config.repoVariant);
    read.optionalString("image_encoder", config.imageEncoder);

    if (problems.isEmpty() && !trusted)
        problems = problemsOf(config);
    if (!problems.isEmpty())
        return Result<ModelConfig>::failure(failure(problems));
    return config;
}

} // namespace

Result<ModelConfig> fromJson(const json &object)
{
    return readConfig(object, false);
}

Result<ModelConfig> fromTrustedJson(const json &object)
{
    return readConfig(object, true);
}

void normalise(ModelConfig &config)
{
    config.tags = normalisedWords(config.tags);
    config.triggerWords = normalisedWords(config.triggerWords);
}

Status validate(const ModelConfig &config)
{
    const QStringList problems = problemsOf(config);
    return problems.isEmpty() ? Status() : failure(problems);
}

Result<ModelConfig> applyChanges(const ModelConfig &config, const json &changes)
{
    if (!changes.is_object())
        return Result<ModelConfig>::failure(QStringLiteral("invalid change: expected a JSON object of fields"), kInvalid);
    json merged = toJson(config);
    for (const auto &item : changes.items()) {
        if (item.key() == "key" || item.key() == "added_at")
            return Result<ModelConfig>::failure(
                QStringLiteral("invalid change: '%1' cannot be changed").arg(qs(item.key())), kInvalid);
        if (item.value().is_null())
            merged.erase(item.key());
        else
            merged[item.key()] = item.value();
    }
    return fromJson(merged);
}

QString absoluteModelPath(const QString &path, const QString &modelsDir)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path))
        return path;
    return QDir(modelsDir).absoluteFilePath(path);
}

} // namespace atelier::models
