#include "core/models/install/remote_metadata.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>
#include <QUrlQuery>

namespace atelier::models {

namespace {

// Civitai states sizes in KB as a double; one outside what a file can be (negative, not finite, past 2^53 bytes)
// is not a size at all (converting it to an integer would be undefined behaviour).
qint64 byteCountOfKilobytes(const QJsonValue &kilobytes)
{
    const double bytes = kilobytes.toDouble() * 1024.0;
    return bytes >= 0.0 && bytes < 9007199254740992.0 ? qint64(bytes) : 0;
}

constexpr qint64 kMaxAnswerBytes = 32 << 20;

Result<QJsonObject> parseObject(const QByteArray &json, const QString &what)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Result<QJsonObject>::failure(
            QStringLiteral("%1 did not answer with a JSON object (%2)").arg(what, error.errorString()), QStringLiteral("FormatError"));
    return document.object();
}

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray()) {
        if (item.isString() && !item.toString().trimmed().isEmpty())
            list << item.toString().trimmed();
    }
    return list;
}

// Civitai descriptions are HTML: keep the text and its paragraphs.
QString plainText(QString html)
{
    html.replace(QRegularExpression(QStringLiteral("<\\s*(br|/p|/div|/li|/h[1-6])\\s*/?>"), QRegularExpression::CaseInsensitiveOption),
                 QStringLiteral("\n"));
    html.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
    static const QList<QPair<QString, QString>> entities{{QStringLiteral("&lt;"), QStringLiteral("<")},
                                                         {QStringLiteral("&gt;"), QStringLiteral(">")},
                                                         {QStringLiteral("&quot;"), QStringLiteral("\"")},
                                                         {QStringLiteral("&#39;"), QStringLiteral("'")},
                                                         {QStringLiteral("&nbsp;"), QStringLiteral(" ")},
                                                         {QStringLiteral("&amp;"), QStringLiteral("&")}};
    for (const auto &[entity, text] : entities)
        html.replace(entity, text);
    html.replace(QRegularExpression(QStringLiteral("\\n{3,}")), QStringLiteral("\n\n"));
    return html.trimmed();
}

// "unet/diffusion_pytorch_model.fp16.safetensors" -> stem "unet/diffusion_pytorch_model", variant "fp16".
struct WeightsName
{
    QString stem;
    QString variant;
    QString extension;
};

WeightsName splitWeightsName(const QString &path)
{
    const int slash = int(path.lastIndexOf(QLatin1Char('/')));
    const QString folder = path.left(slash + 1);
    const QStringList parts = path.mid(slash + 1).split(QLatin1Char('.'));
    WeightsName name;
    name.extension = parts.size() > 1 ? parts.last().toLower() : QString();
    if (parts.size() >= 3) {
        name.variant = parts[parts.size() - 2];
        name.stem = folder + parts.mid(0, parts.size() - 2).join(QLatin1Char('.'));
    } else {
        name.stem = folder + parts.first();
    }
    return name;
}

bool isConfigFile(const QString &path)
{
    static const QStringList suffixes{QStringLiteral("json"), QStringLiteral("txt"), QStringLiteral("model"), QStringLiteral("yaml")};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

// Picks, for each weights stem, the file of the wanted variant, else the default one; safetensors first.
QStringList chooseWeights(const QStringList &weights, RepoVariant variant)
{
    const QString wanted = variant == RepoVariant::Fp32 ? QString() : toString(variant);
    QMap<QString, QStringList> byStem;
    for (const QString &path : weights)
        byStem[splitWeightsName(path).stem] << path;
    QStringList chosen;
    for (auto it = byStem.cbegin(); it != byStem.cend(); ++it) {
        QString best;
        int bestScore = -1;
        for (const QString &path : it.value()) {
            const WeightsName name = splitWeightsName(path);
            int score = -1;
            if (!wanted.isEmpty() && name.variant == wanted)
                score = 4;
            else if (name.variant.isEmpty())
                score = 2;
            if (score < 0)
                continue;  // another variant (or "non_ema"): never downloaded by accident
            score += name.extension == QLatin1String("safetensors") ? 1 : 0;
            if (score > bestScore) {
                bestScore = score;
                best = path;
            }
        }
        if (!best.isEmpty())
            chosen << best;
    }
    return chosen;
}

// Whether `path` holds weights of the format the variant asks for: ONNX, Flax and OpenVINO have files of their own;
// the default, fp16 and fp32 variants share safetensors and .bin (chooseWeights then picks among them).
bool isWeightsOfVariantFamily(const QString &path, RepoVariant variant)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    switch (variant) {
    case RepoVariant::Onnx: return suffix == QLatin1String("onnx") || path.endsWith(QLatin1String(".onnx_data"));
    case RepoVariant::Flax: return suffix == QLatin1String("msgpack");
    case RepoVariant::OpenVino: return QFileInfo(path).fileName().startsWith(QLatin1String("openvino_"));
    default: return suffix == QLatin1String("safetensors") || suffix == QLatin1String("bin");
    }
}

} // namespace

Result<RemoteModel> readHuggingFaceModel(const QByteArray &apiResponse, const ModelSource &source, RepoVariant variant,
                                         const QUrl &endpoint)
{
    using Model = Result<RemoteModel>;
    const auto parsed = parseObject(apiResponse, QStringLiteral("Hugging Face"));
    if (!parsed)
        return Model::failure(parsed);
    const QJsonObject info = parsed.value();
    RemoteModel model;
    model.apiResponse = apiResponse;
    const QString repoId = info.value(QStringLiteral("id")).toString(source.repoId);
    model.name = repoId.section(QLatin1Char('/'), -1);
    model.author = info.value(QStringLiteral("author")).toString(repoId.section(QLatin1Char('/'), 0, 0));
    model.tags = strings(info.value(QStringLiteral("tags")));
    model.lastModified = QDateTime::fromString(info.value(QStringLiteral("lastModified")).toString(), Qt::ISODateWithMs);
    const QJsonObject card = info.value(QStringLiteral("cardData")).toObject();
    model.description = card.value(QStringLiteral("description")).toString(QStringLiteral("%1 from Hugging Face").arg(repoId));
    for (const QString &tag : strings(card.value(QStringLiteral("tags")))) {
        if (!model.tags.contains(tag, Qt::CaseInsensitive))
            model.tags << tag;
    }
    if (!source.subfolder.isEmpty())
        model.name = QFileInfo(source.subfolder).completeBaseName().isEmpty() ? model.name
                                                                              : QStringLiteral("%1 %2").arg(model.name, QFileInfo(source.subfolder).completeBaseName());

    QMap<QString, QJsonObject> siblings;
    for (const QJsonValue &value : info.value(QStringLiteral("siblings")).toArray()) {
        const QJsonObject sibling = value.toObject();
        const QString path = sibling.value(QStringLiteral("rfilename")).toString();
        // A hostile listing must not name files outside the model's folder: relative, clean paths only.
        if (!path.isEmpty() && !path.startsWith(QLatin1Char('/')) && !path.contains(QLatin1Char('\\'))
            && QDir::cleanPath(path) == path && !path.startsWith(QLatin1String("../")) && path != QLatin1String(".."))
            siblings.insert(path, sibling);
    }
    const auto fileOf = [&](const QString &repoPath, const QString &relative) {
        const QJsonObject sibling = siblings.value(repoPath);
        const QJsonObject lfs = sibling.value(QStringLiteral("lfs")).toObject();
        RemoteFile file;
        file.path = relative;
        QUrl url = endpoint;
        url.setPath(endpoint.path().remove(QRegularExpression(QStringLiteral("/+$"))) + QStringLiteral("/%1/resolve/main/%2").arg(repoId, repoPath));
        file.url = url;
        file.size = lfs.value(QStringLiteral("size")).toInteger(sibling.value(QStringLiteral("size")).toInteger());
        file.sha256 = lfs.value(QStringLiteral("sha256")).toString();
        return file;
    };

    if (source.namesSingleFile()) {
        if (!siblings.contains(source.subfolder))
            return Model::failure(QStringLiteral("%1 has no file %2").arg(repoId, source.subfolder), QStringLiteral("NotFound"));
        model.files << fileOf(source.subfolder, QFileInfo(source.subfolder).fileName());
        return model;
    }

    const QString root = source.subfolder.isEmpty() ? QString() : source.subfolder + QLatin1Char('/');
    QStringList inRoot;
    for (const QString &path : siblings.keys()) {
        if (path.startsWith(root))
            inRoot << path.mid(root.size());
    }
    if (inRoot.isEmpty())
        return Model::failure(QStringLiteral("%1 has no folder %2").arg(repoId, source.subfolder), QStringLiteral("NotFound"));

    const bool pipeline = inRoot.contains(QStringLiteral("model_index.json"));
    const bool component = inRoot.contains(QStringLiteral("config.json"));
    QStringList configs;
    QStringList weights;
    for (const QString &path : std::as_const(inRoot)) {
        const int depth = int(path.count(QLatin1Char('/')));
        const QString folder = path.section(QLatin1Char('/'), 0, 0);
        if (pipeline) {
            // The components one level down; root-level checkpoints and the safety checker are not part of it.
            if (depth == 0 && path != QLatin1String("model_index.json"))
                continue;
            if (depth > 1 || folder == QLatin1String("safety_checker") || folder == QLatin1String("feature_extractor"))
                continue;
        } else if (depth > 0) {
            continue;
        }
        if (isWeightsOfVariantFamily(path, variant))
            weights << path;
        else if (isConfigFile(path) && !path.endsWith(QLatin1String(".md")) && QFileInfo(path).fileName() != QLatin1String(".gitattributes"))
            configs << path;
    }
    const QStringList chosen = (variant == RepoVariant::Onnx || variant == RepoVariant::Flax || variant == RepoVariant::OpenVino)
        ? weights
        : chooseWeights(weights, variant);

    if (!pipeline && !component) {
        // A repo of loose checkpoints: exactly one must be meant.
        QStringList checkpoints;
        for (const QString &path : siblings.keys()) {
            if (path.startsWith(root) && hasWeightsExtension(path) && !path.mid(root.size()).contains(QLatin1Char('/')))
                checkpoints << path;
        }
        if (checkpoints.size() != 1)
            return Model::failure(
                checkpoints.isEmpty()
                    ? QStringLiteral("%1 holds no model files%2").arg(repoId, root.isEmpty() ? QString() : QStringLiteral(" in ") + source.subfolder)
                    : QStringLiteral("%1 holds several model files (%2): name one, as in %1::%3")
                          .arg(repoId, checkpoints.join(QStringLiteral(", ")), checkpoints.first()),
                checkpoints.isEmpty() ? QStringLiteral("NotFound") : QStringLiteral("AmbiguousSource"));
        model.files << fileOf(checkpoints.first(), QFileInfo(checkpoints.first()).fileName());
        return model;
    }
    if (chosen.isEmpty())
        return Model::failure(QStringLiteral("%1 has no weights in the %2 variant or the default one")
                                  .arg(repoId, toString(variant).isEmpty() ? QStringLiteral("default") : toString(variant)),
                              QStringLiteral("NotFound"));
    model.singleFile = false;
    for (const QString &path : configs + chosen)
        model.files << fileOf(root + path, path);
    return model;
}

std::optional<BaseModel> baseFromCivitai(const QString &label)
{
    const QString text = label.trimmed().toLower();
    if (text.startsWith(QLatin1String("sd 1")))
        return BaseModel::Sd1;
    if (text.startsWith(QLatin1String("sd 2")))
        return BaseModel::Sd2;
    if (text.startsWith(QLatin1String("sd 3")))
        return BaseModel::Sd3;
    if (text.contains(QLatin1String("refiner")))
        return BaseModel::SdxlRefiner;
    if (text.startsWith(QLatin1String("sdxl")) || text == QLatin1String("pony") || text == QLatin1String("illustrious")
        || text == QLatin1String("noobai"))
        return BaseModel::Sdxl;
    if (text.startsWith(QLatin1String("flux.1")))
        return BaseModel::Flux;
    return std::nullopt;
}

Result<RemoteModel> readCivitaiModel(const QByteArray &modelResponse, qint64 versionId)
{
    using Model = Result<RemoteModel>;
    const auto parsed = parseObject(modelResponse, QStringLiteral("Civitai"));
    if (!parsed)
        return Model::failure(parsed);
    const QJsonObject info = parsed.value();
    const QJsonArray versions = info.value(QStringLiteral("modelVersions")).toArray();
    QJsonObject version;
    for (const QJsonValue &value : versions) {
        if (versionId == 0 || value.toObject().value(QStringLiteral("id")).toInteger() == versionId) {
            version = value.toObject();
            break;
        }
    }
    if (version.isEmpty())
        return Model::failure(versionId ? QStringLiteral("Civitai model %1 has no version %2")
                                              .arg(info.value(QStringLiteral("id")).toInteger())
                                              .arg(versionId)
                                        : QStringLiteral("Civitai model %1 has no versions").arg(info.value(QStringLiteral("id")).toInteger()),
                              QStringLiteral("NotFound"));
    RemoteModel model;
    model.apiResponse = modelResponse;
    model.name = info.value(QStringLiteral("name")).toString();
    const QString versionName = version.value(QStringLiteral("name")).toString();
    if (versions.size() > 1 && !versionName.isEmpty())
        model.name += QStringLiteral(" (%1)").arg(versionName);
    model.author = info.value(QStringLiteral("creator")).toObject().value(QStringLiteral("username")).toString();
    model.description = plainText(info.value(QStringLiteral("description")).toString());
    model.tags = strings(info.value(QStringLiteral("tags")));
    model.triggerWords = strings(version.value(QStringLiteral("trainedWords")));
    model.base = baseFromCivitai(version.value(QStringLiteral("baseModel")).toString());
    model.lastModified = QDateTime::fromString(version.value(QStringLiteral("updatedAt")).toString(), Qt::ISODateWithMs);
    for (const QJsonValue &image : version.value(QStringLiteral("images")).toArray()) {
        const QJsonObject object = image.toObject();
        if (object.value(QStringLiteral("type")).toString(QStringLiteral("image")) == QLatin1String("image")) {
            model.coverImage = QUrl(object.value(QStringLiteral("url")).toString());
            break;
        }
    }
    QJsonObject primary;
    for (const QJsonValue &value : version.value(QStringLiteral("files")).toArray()) {
        const QJsonObject file = value.toObject();
        if (file.value(QStringLiteral("primary")).toBool() || (primary.isEmpty() && file.value(QStringLiteral("type")).toString() == QLatin1String("Model")))
            primary = file;
    }
    if (primary.isEmpty())
        return Model::failure(QStringLiteral("Civitai lists no model file for %1").arg(model.name), QStringLiteral("NotFound"));
    RemoteFile file;
    file.path = primary.value(QStringLiteral("name")).toString();
    file.url = QUrl(primary.value(QStringLiteral("downloadUrl")).toString(version.value(QStringLiteral("downloadUrl")).toString()));
    file.size = byteCountOfKilobytes(primary.value(QStringLiteral("sizeKB")));
    file.sha256 = primary.value(QStringLiteral("hashes")).toObject().value(QStringLiteral("SHA256")).toString().toLower();
    if (!file.url.isValid() || file.url.isRelative())
        return Model::failure(QStringLiteral("Civitai gave no download address for %1").arg(model.name), QStringLiteral("FormatError"));
    model.files << file;
    return model;
}

Result<QByteArray> fetchJson(const QUrl &url, const QString &accessToken, bool tokenInQuery, int timeoutMs)
{
    QNetworkAccessManager network;
    QUrl address = url;
    QNetworkRequest request;
    if (!accessToken.isEmpty() && tokenInQuery) {
        QUrlQuery query(address);
        query.addQueryItem(QStringLiteral("token"), accessToken);
        address.setQuery(query);
    } else if (!accessToken.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + accessToken.toUtf8());
    }
    request.setUrl(address);
    // With a token, redirects stay on the same origin: the token must not travel to another host.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, accessToken.isEmpty() ? QNetworkRequest::NoLessSafeRedirectPolicy
                                                                                         : QNetworkRequest::SameOriginRedirectPolicy);
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Atelier/" ATELIER_VERSION));
    QNetworkReply *reply = network.get(request);
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QByteArray body;
    bool tooLarge = false;
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
        body += reply->readAll();
        if (body.size() > kMaxAnswerBytes) {
            tooLarge = true;
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    body += reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString where = url.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
    const QString errorText = reply->errorString();
    reply->deleteLater();
    if (timedOut)
        return Result<QByteArray>::failure(QStringLiteral("%1 did not answer within %2 s").arg(where).arg(timeoutMs / 1000), QStringLiteral("Timeout"));
    if (tooLarge)
        return Result<QByteArray>::failure(QStringLiteral("%1 answered with more than 32 MiB of metadata").arg(where), QStringLiteral("FormatError"));
    if (status >= 400) {
        const QString hint = status == 401 || status == 403 ? QStringLiteral(" (an access token is needed, or this one is not allowed)") : QString();
        return Result<QByteArray>::failure(QStringLiteral("%1 answered %2%3").arg(where).arg(status).arg(hint), QStringLiteral("HttpError"));
    }
    if (status == 0 || reply->error() != QNetworkReply::NoError)
        return Result<QByteArray>::failure(QStringLiteral("cannot reach %1: %2").arg(where, errorText), QStringLiteral("NetworkError"));
    return body;
}

} // namespace atelier::models
