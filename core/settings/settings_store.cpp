#include "core/settings/settings_store.h"

#include "core/json/bounded_json.h"

#include "core/logging/log.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <cmath>

namespace atelier::settings {

using nlohmann::json;

namespace {

constexpr int kSettingsFormat = 1;
constexpr QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions kWorldReadable = kOwnerOnly | QFile::ReadGroup | QFile::ReadOther;

const char *const kModelsDir = "models_dir";
const char *const kDevice = "device";
const char *const kPrecision = "precision";
const char *const kRamCache = "ram_cache_gb";
const char *const kVramCache = "vram_cache_gb";
const char *const kDownloadCache = "download_cache_gb";
const char *const kMaxDownloads = "max_parallel_downloads";
const char *const kOutputCacheEntries = "output_cache_entries";
const char *const kOutputCache = "output_cache_gb";
const char *const kHuggingFaceEndpoint = "huggingface_endpoint";
const char *const kCivitaiEndpoint = "civitai_endpoint";
const char *const kHuggingFaceToken = "huggingface_token";
const char *const kCivitaiToken = "civitai_token";
const char *const kInstallInPlace = "install_in_place";
const char *const kWatchedModelFolders = "watched_model_folders";
const char *const kWriteMetadata = "write_metadata";
const char *const kLanguage = "language";
const char *const kTheme = "theme";
const char *const kFarmRedisUrl = "farm_redis_url";
const char *const kFarmReclaimSeconds = "farm_reclaim_seconds";
const char *const kFarmMaxAttempts = "farm_max_attempts";

bool isDeviceChoice(const QString &value)
{
    static const QRegularExpression cudaOrdinal(QStringLiteral("^cuda:[0-9]{1,2}$"));
    return Settings::deviceChoices().contains(value) || cudaOrdinal.match(value).hasMatch();
}

QString toQString(const std::string &text) { return QString::fromStdString(text); }
std::string toStd(const QString &text) { return text.toStdString(); }

enum class ReadResult { Ok, Missing, Unreadable };

ReadResult readFile(const QString &path, QByteArray &bytes, QString &error)
{
    QFile file(path);
    if (!file.exists())
        return ReadResult::Missing;
    if (!file.open(QIODevice::ReadOnly)) {
        error = file.errorString();
        return ReadResult::Unreadable;
    }
    bytes = file.readAll();
    return ReadResult::Ok;
}

Status writeJsonAtomically(const QString &path, const json &object, QFile::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    // Permissions are set before any byte is written, so a token never sits in a world-readable file.
    file.setPermissions(permissions);
    const std::string text = object.dump(2) + "\n";
    if (file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit())
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

// Reads a JSON object from `bytes`; on failure `error` says where and why.
bool parseObject(const QByteArray &bytes, json &object, QString &error)
{
    Result<json> parsed = parseBoundedJson(bytes);
    if (!parsed) {
        error = QStringLiteral("it is %1").arg(parsed.error());
        return false;
    }
    object = std::move(parsed.value());
    if (!object.is_object()) {
        error = QStringLiteral("it holds JSON but not an object of settings");
        return false;
    }
    return true;
}

// Field readers: on a wrong type or value they append a warning and leave `target` at its default.
void readString(json &object, const char *key, QString &target, QStringList &problems)
{
    auto it = object.find(key);
    if (it == object.end())
        return;
    if (it->is_string())
        target = toQString(it->get<std::string>());
    else
        problems << QStringLiteral("'%1' must be a string, got %2; using the default")
                        .arg(QString::fromLatin1(key), toQString(it->dump()));
    object.erase(it);
}

void readStringList(json &object, const char *key, QStringList &target, QStringList &problems)
{
    auto it = object.find(key);
    if (it == object.end())
        return;
    const bool strings =
        it->is_array() && std::all_of(it->begin(), it->end(), [](const json &item) { return item.is_string(); });
    if (strings) {
        target.clear();
        for (const json &item : *it)
            target << toQString(item.get<std::string>());
    } else {
        problems << QStringLiteral("'%1' must be a list of strings, got %2; using the default")
                        .arg(QString::fromLatin1(key), toQString(it->dump()));
    }
    object.erase(it);
}

void readNumber(json &object, const char *key, double &target, QStringList &problems)
{
    auto it = object.find(key);
    if (it == object.end())
        return;
    if (it->is_number())
        target = it->get<double>();
    else
        problems << QStringLiteral("'%1' must be a number, got %2; using the default")
                        .arg(QString::fromLatin1(key), toQString(it->dump()));
    object.erase(it);
}

void readBoolean(json &object, const char *key, bool &target, QStringList &problems)
{
    auto it = object.find(key);
    if (it == object.end())
        return;
    if (it->is_boolean())
        target = it->get<bool>();
    else
        problems << QStringLiteral("'%1' must be true or false, got %2; using the default")
                        .arg(QString::fromLatin1(key), toQString(it->dump()));
    object.erase(it);
}

void readInteger(json &object, const char *key, int &target, QStringList &problems)
{
    auto it = object.find(key);
    if (it == object.end())
        return;
    if (it->is_number_integer() && it->get<long long>() >= INT32_MIN && it->get<long long>() <= INT32_MAX)
        target = int(it->get<long long>());
    else
        problems << QStringLiteral("'%1' must be a whole number, got %2; using the default")
                        .arg(QString::fromLatin1(key), toQString(it->dump()));
    object.erase(it);
}

} // namespace

bool Settings::operator==(const Settings &other) const
{
    return modelsDir == other.modelsDir && device == other.device && precision == other.precision &&
           ramCacheGb == other.ramCacheGb && vramCacheGb == other.vramCacheGb &&
           downloadCacheGb == other.downloadCacheGb && maxParallelDownloads == other.maxParallelDownloads &&
           outputCacheEntries == other.outputCacheEntries && outputCacheGb == other.outputCacheGb &&
           huggingFaceEndpoint == other.huggingFaceEndpoint && civitaiEndpoint == other.civitaiEndpoint &&
           huggingFaceToken == other.huggingFaceToken && civitaiToken == other.civitaiToken &&
           installInPlace == other.installInPlace && writeMetadata == other.writeMetadata &&
           language == other.language && theme == other.theme && watchedModelFolders == other.watchedModelFolders &&
           farmRedisUrl == other.farmRedisUrl && farmReclaimSeconds == other.farmReclaimSeconds &&
           farmMaxAttempts == other.farmMaxAttempts;
}

QStringList Settings::deviceChoices()
{
    return {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")};
}

QStringList Settings::precisionChoices()
{
    return {QStringLiteral("auto"), QStringLiteral("fp32"), QStringLiteral("fp16"), QStringLiteral("bf16")};
}

QStringList Settings::languageChoices()
{
    return {QStringLiteral("system"), QStringLiteral("en"), QStringLiteral("de")};
}

QStringList Settings::themeChoices()
{
    return {QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")};
}

namespace {

// One check per field, so that loading can fall back field by field and validate() can list them all.
QString deviceProblem(const QString &device)
{
    return isDeviceChoice(device) ? QString()
                                  : QStringLiteral("device must be one of auto, cpu, cuda or cuda:N, not \"%1\"").arg(device);
}

QString precisionProblem(const QString &precision)
{
    return Settings::precisionChoices().contains(precision)
        ? QString()
        : QStringLiteral("precision must be one of %1, not \"%2\"")
              .arg(Settings::precisionChoices().join(QStringLiteral(", ")), precision);
}

QString choiceProblem(const char *name, const QStringList &choices, const QString &value)
{
    return choices.contains(value) ? QString()
                                   : QStringLiteral("%1 must be one of %2, not \"%3\"")
                                         .arg(QLatin1String(name), choices.join(QStringLiteral(", ")), value);
}

QString languageProblem(const QString &language)
{
    return choiceProblem(kLanguage, Settings::languageChoices(), language);
}

QString themeProblem(const QString &theme)
{
    return choiceProblem(kTheme, Settings::themeChoices(), theme);
}

QString cacheSizeProblem(const char *name, double gigabytes)
{
    return std::isfinite(gigabytes) && gigabytes >= 0.0 && gigabytes <= 4096.0
        ? QString()
        : QStringLiteral("%1 must be between 0 and 4096 GB, not %2").arg(QString::fromLatin1(name)).arg(gigabytes);
}

QString parallelDownloadsProblem(int count)
{
    return count >= 1 && count <= 32
        ? QString()
        : QStringLiteral("%1 must be between 1 and 32, not %2").arg(QString::fromLatin1(kMaxDownloads)).arg(count);
}

QString outputEntriesProblem(int count)
{
    return count >= 1 && count <= 100000 ? QString()
                                         : QStringLiteral("%1 must be between 1 and 100000, not %2")
                                               .arg(QString::fromLatin1(kOutputCacheEntries))
                                               .arg(count);
}

QString rangeProblem(const char *key, int value, int lowest, int highest)
{
    return value >= lowest && value <= highest ? QString()
                                               : QStringLiteral("%1 must be between %2 and %3, not %4")
                                                     .arg(QString::fromLatin1(key))
                                                     .arg(lowest)
                                                     .arg(highest)
                                                     .arg(value);
}

QString farmUrlProblem(const QString &url)
{
    if (url.isEmpty())
        return {};
    // The URL itself is never repeated: it may carry a password.
    if (url.startsWith(QLatin1String("rediss://")))
        return QStringLiteral("%1: rediss:// (TLS) is not supported by this system's Redis client; reach a TLS server "
                              "through a tunnel (stunnel, ssh -L) on a loopback port and give redis:// for it")
            .arg(QString::fromLatin1(kFarmRedisUrl));
    static const QRegularExpression scheme(QStringLiteral("^(redis://[^/]|unix:///)"));
    return scheme.match(url).hasMatch() ? QString()
                                        : QStringLiteral("%1 must be redis://[user:password@]host[:port][/db] or "
                                                         "unix:///path/to/socket")
                                              .arg(QString::fromLatin1(kFarmRedisUrl));
}

QString endpointProblem(const char *key, const QString &endpoint)
{
    if (endpoint.isEmpty())
        return {};
    const QUrl url(endpoint, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) || url.host().isEmpty())
        return QStringLiteral("'%1' must be an http(s) address such as https://huggingface.co, not '%2'")
            .arg(QLatin1String(key), endpoint.left(200));
    return {};
}

QString tokenProblem(const QString &token)
{
    for (const QChar c : token) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return QStringLiteral("access tokens may not contain spaces or control characters");
    }
    return {};
}

} // namespace

QStringList validate(const Settings &settings)
{
    QStringList problems{deviceProblem(settings.device),
                         precisionProblem(settings.precision),
                         cacheSizeProblem(kRamCache, settings.ramCacheGb),
                         cacheSizeProblem(kVramCache, settings.vramCacheGb),
                         cacheSizeProblem(kDownloadCache, settings.downloadCacheGb),
                         parallelDownloadsProblem(settings.maxParallelDownloads),
                         outputEntriesProblem(settings.outputCacheEntries),
                         cacheSizeProblem(kOutputCache, settings.outputCacheGb),
                         endpointProblem(kHuggingFaceEndpoint, settings.huggingFaceEndpoint),
                         endpointProblem(kCivitaiEndpoint, settings.civitaiEndpoint),
                         tokenProblem(settings.huggingFaceToken),
                         tokenProblem(settings.civitaiToken),
                         languageProblem(settings.language),
                         themeProblem(settings.theme),
                         farmUrlProblem(settings.farmRedisUrl),
                         rangeProblem(kFarmReclaimSeconds, settings.farmReclaimSeconds, 5, 86400),
                         rangeProblem(kFarmMaxAttempts, settings.farmMaxAttempts, 1, 100)};
    problems.removeAll(QString());
    problems.removeDuplicates();
    return problems;
}

SettingsStore::SettingsStore(AppRoot root, QObject *parent) : QObject(parent), m_root(std::move(root)) {}

QString SettingsStore::modelsDir() const
{
    return m_current.modelsDir.isEmpty() ? m_root.defaultModelsDir() : m_root.resolve(m_current.modelsDir);
}

void SettingsStore::load()
{
    m_warnings.clear();
    m_current = Settings();
    m_unknownSettings.clear();
    m_unknownSecrets.clear();
    m_repairAfterLoad = false;
    loadSettingsFile();
    loadSecretsFile();
    // What was kept aside is rewritten as it was understood (defaults where it was wrong, unknown keys kept), so
    // that it is valid from now on and not copied aside again at every start.
    if (m_repairAfterLoad) {
        if (const Status written = writeFiles(m_current); !written)
            m_warnings << written.error();
    }
    for (const QString &warning : std::as_const(m_warnings))
        qCWarning(lcSettings).noquote() << warning;
}

void SettingsStore::keepAside(const QString &path, const QString &why)
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString aside = QStringLiteral("%1.invalid-%2").arg(path, stamp);
    for (int n = 2; QFileInfo::exists(aside); ++n)
        aside = QStringLiteral("%1.invalid-%2-%3").arg(path, stamp).arg(n);
    if (QFile::copy(path, aside)) {
        m_warnings << QStringLiteral("%1: %2. The file was kept as %3; defaults are used for what was wrong.")
                          .arg(path, why, aside);
        m_repairAfterLoad = true; // the original is safe in the copy: the next start must not copy it again
    } else
        m_warnings << QStringLiteral("%1: %2. It could not be copied aside, so it is left untouched and will not be "
                                     "overwritten until you save settings.")
                          .arg(path, why);
}

void SettingsStore::loadSettingsFile()
{
    const QString path = m_root.settingsPath();
    QByteArray bytes;
    QString error;
    switch (readFile(path, bytes, error)) {
    case ReadResult::Missing: {
        // First start: write every default, so that users see what can be set. Tokens are not touched.
        const Status written = writeSettingsFile(m_current);
        if (!written)
            m_warnings << written.error();
        return;
    }
    case ReadResult::Unreadable:
        m_warnings << QStringLiteral("Cannot read %1 (%2); defaults are used.").arg(path, error);
        return;
    case ReadResult::Ok:
        break;
    }

    json object;
    if (!parseObject(bytes, object, error)) {
        keepAside(path, error);
        return;
    }
    QStringList problems;
    object.erase("format");
    readString(object, kModelsDir, m_current.modelsDir, problems);
    readString(object, kDevice, m_current.device, problems);
    readString(object, kPrecision, m_current.precision, problems);
    readNumber(object, kRamCache, m_current.ramCacheGb, problems);
    readNumber(object, kVramCache, m_current.vramCacheGb, problems);
    readNumber(object, kDownloadCache, m_current.downloadCacheGb, problems);
    readInteger(object, kMaxDownloads, m_current.maxParallelDownloads, problems);
    readInteger(object, kOutputCacheEntries, m_current.outputCacheEntries, problems);
    readNumber(object, kOutputCache, m_current.outputCacheGb, problems);
    readString(object, kHuggingFaceEndpoint, m_current.huggingFaceEndpoint, problems);
    readString(object, kCivitaiEndpoint, m_current.civitaiEndpoint, problems);
    readBoolean(object, kInstallInPlace, m_current.installInPlace, problems);
    readBoolean(object, kWriteMetadata, m_current.writeMetadata, problems);
    readString(object, kLanguage, m_current.language, problems);
    readString(object, kTheme, m_current.theme, problems);
    readInteger(object, kFarmReclaimSeconds, m_current.farmReclaimSeconds, problems);
    readInteger(object, kFarmMaxAttempts, m_current.farmMaxAttempts, problems);
    readStringList(object, kWatchedModelFolders, m_current.watchedModelFolders, problems);

    // Values of the right type but outside what is accepted fall back one by one.
    const Settings defaults;
    const auto fallBack = [&](const QString &problem, auto &field, const auto &defaultValue) {
        if (problem.isEmpty())
            return;
        problems << problem + QStringLiteral("; using the default");
        field = defaultValue;
    };
    fallBack(deviceProblem(m_current.device), m_current.device, defaults.device);
    fallBack(precisionProblem(m_current.precision), m_current.precision, defaults.precision);
    fallBack(languageProblem(m_current.language), m_current.language, defaults.language);
    fallBack(themeProblem(m_current.theme), m_current.theme, defaults.theme);
    fallBack(rangeProblem(kFarmReclaimSeconds, m_current.farmReclaimSeconds, 5, 86400), m_current.farmReclaimSeconds,
             defaults.farmReclaimSeconds);
    fallBack(rangeProblem(kFarmMaxAttempts, m_current.farmMaxAttempts, 1, 100), m_current.farmMaxAttempts,
             defaults.farmMaxAttempts);
    fallBack(cacheSizeProblem(kRamCache, m_current.ramCacheGb), m_current.ramCacheGb, defaults.ramCacheGb);
    fallBack(cacheSizeProblem(kVramCache, m_current.vramCacheGb), m_current.vramCacheGb, defaults.vramCacheGb);
    fallBack(cacheSizeProblem(kDownloadCache, m_current.downloadCacheGb), m_current.downloadCacheGb,
             defaults.downloadCacheGb);
    fallBack(parallelDownloadsProblem(m_current.maxParallelDownloads), m_current.maxParallelDownloads,
             defaults.maxParallelDownloads);
    fallBack(outputEntriesProblem(m_current.outputCacheEntries), m_current.outputCacheEntries,
             defaults.outputCacheEntries);
    fallBack(cacheSizeProblem(kOutputCache, m_current.outputCacheGb), m_current.outputCacheGb, defaults.outputCacheGb);
    fallBack(endpointProblem(kHuggingFaceEndpoint, m_current.huggingFaceEndpoint), m_current.huggingFaceEndpoint,
             defaults.huggingFaceEndpoint);
    fallBack(endpointProblem(kCivitaiEndpoint, m_current.civitaiEndpoint), m_current.civitaiEndpoint, defaults.civitaiEndpoint);

    // Tokens belong in secrets.json; one found here is still honoured, and moved there on the next save. A token
    // that saving would refuse (spaces or control characters inside it) is not used, so that settings always save.
    readString(object, kHuggingFaceToken, m_current.huggingFaceToken, problems);
    readString(object, kCivitaiToken, m_current.civitaiToken, problems);
    for (QString *token : {&m_current.huggingFaceToken, &m_current.civitaiToken}) {
        *token = token->trimmed();
        fallBack(tokenProblem(*token), *token, QString());
    }

    if (!problems.isEmpty())
        keepAside(path, problems.join(QStringLiteral("; ")));
    m_unknownSettings = QByteArray::fromStdString(object.dump());
}

void SettingsStore::loadSecretsFile()
{
    const QString path = m_root.secretsPath();
    QByteArray bytes;
    QString error;
    switch (readFile(path, bytes, error)) {
    case ReadResult::Missing:
        return;
    case ReadResult::Unreadable:
        m_warnings << QStringLiteral("Cannot read %1 (%2); access tokens are not available.").arg(path, error);
        return;
    case ReadResult::Ok:
        break;
    }
    // Tokens readable by others are a leak waiting to happen: tighten them at once.
    if (QFile::permissions(path) & ~(kOwnerOnly | QFile::ReadUser | QFile::WriteUser)) {
        if (QFile::setPermissions(path, kOwnerOnly))
            m_warnings << QStringLiteral("%1 was readable by other users; its permissions were set to 0600.").arg(path);
        else
            m_warnings << QStringLiteral("%1 is readable by other users and its permissions could not be changed.")
                              .arg(path);
    }
    json object;
    if (!parseObject(bytes, object, error)) {
        keepAside(path, error);
        QFile::setPermissions(path, kOwnerOnly);
        return;
    }
    QStringList problems;
    QString huggingFace, civitai, farmUrl;
    readString(object, kHuggingFaceToken, huggingFace, problems);
    readString(object, kCivitaiToken, civitai, problems);
    readString(object, kFarmRedisUrl, farmUrl, problems);
    farmUrl = farmUrl.trimmed();
    if (const QString problem = farmUrlProblem(farmUrl); !problem.isEmpty())
        problems << problem + QStringLiteral("; no farm is used");
    else
        m_current.farmRedisUrl = farmUrl;
    for (auto [token, into] : {std::pair{huggingFace.trimmed(), &m_current.huggingFaceToken},
                               std::pair{civitai.trimmed(), &m_current.civitaiToken}}) {
        if (const QString problem = tokenProblem(token); !problem.isEmpty())
            problems << problem + QStringLiteral("; that token is not used");
        else if (!token.isEmpty())
            *into = token;
    }
    if (!problems.isEmpty())
        keepAside(path, problems.join(QStringLiteral("; ")));
    m_unknownSecrets = QByteArray::fromStdString(object.dump());
}

Status SettingsStore::addWatchedModelFolders(const QStringList &folders)
{
    Settings changed = m_current;
    for (const QString &folder : folders)
        if (!changed.watchedModelFolders.contains(folder))
            changed.watchedModelFolders << folder;
    return changed == m_current ? Status() : save(changed);
}

Status SettingsStore::writeSettingsFile(const Settings &settings) const
{
    json preferences = m_unknownSettings.isEmpty() ? json::object() : json::parse(m_unknownSettings.toStdString());
    preferences["format"] = kSettingsFormat;
    preferences[kModelsDir] = toStd(settings.modelsDir);
    preferences[kDevice] = toStd(settings.device);
    preferences[kPrecision] = toStd(settings.precision);
    preferences[kRamCache] = settings.ramCacheGb;
    preferences[kVramCache] = settings.vramCacheGb;
    preferences[kDownloadCache] = settings.downloadCacheGb;
    preferences[kMaxDownloads] = settings.maxParallelDownloads;
    preferences[kOutputCacheEntries] = settings.outputCacheEntries;
    preferences[kOutputCache] = settings.outputCacheGb;
    preferences[kHuggingFaceEndpoint] = toStd(settings.huggingFaceEndpoint);
    preferences[kCivitaiEndpoint] = toStd(settings.civitaiEndpoint);
    preferences[kInstallInPlace] = settings.installInPlace;
    preferences[kWriteMetadata] = settings.writeMetadata;
    preferences[kLanguage] = toStd(settings.language);
    preferences[kTheme] = toStd(settings.theme);
    preferences[kFarmReclaimSeconds] = settings.farmReclaimSeconds;
    preferences[kFarmMaxAttempts] = settings.farmMaxAttempts;
    preferences[kWatchedModelFolders] = json::array();
    for (const QString &folder : settings.watchedModelFolders)
        preferences[kWatchedModelFolders].push_back(toStd(folder));
    return writeJsonAtomically(m_root.settingsPath(), preferences, kWorldReadable);
}

Status SettingsStore::writeFiles(const Settings &settings) const
{
    json secrets = m_unknownSecrets.isEmpty() ? json::object() : json::parse(m_unknownSecrets.toStdString());
    secrets[kHuggingFaceToken] = toStd(settings.huggingFaceToken);
    secrets[kCivitaiToken] = toStd(settings.civitaiToken);
    secrets[kFarmRedisUrl] = toStd(settings.farmRedisUrl);

    // Secrets first: if that fails, settings.json is unchanged and still holds no token.
    const bool anyToken =
        !settings.huggingFaceToken.isEmpty() || !settings.civitaiToken.isEmpty() || !settings.farmRedisUrl.isEmpty();
    if (anyToken || QFileInfo::exists(m_root.secretsPath())) {
        const Status written = writeJsonAtomically(m_root.secretsPath(), secrets, kOwnerOnly);
        if (!written)
            return written;
    }
    return writeSettingsFile(settings);
}

Status SettingsStore::save(const Settings &settings)
{
    const QStringList problems = validate(settings);
    if (!problems.isEmpty())
        return Status::failure(QStringLiteral("The settings were not saved: %1.").arg(problems.join(QStringLiteral("; "))));

    const Status written = writeFiles(settings);
    if (!written)
        return written;

    m_current = settings;
    qCInfo(lcSettings) << "settings saved to" << m_root.settingsPath();
    emit changed(m_current);
    return {};
}

} // namespace atelier::settings
