#include "core/models/install/model_source.h"

#include "core/hashing/content_hash.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrlQuery>

namespace atelier::models {

namespace {

const QString kInvalid = QStringLiteral("InvalidSource");

bool isHubHost(const QUrl &url, const QString &hubHost)
{
    const QString host = url.host().toLower();
    const QUrl configured = QUrl::fromUserInput(hubHost);
    const QString wanted = (configured.host().isEmpty() ? hubHost : configured.host()).toLower();
    if (host != wanted && !host.endsWith(QLatin1Char('.') + wanted))
        return false;
    // A configured endpoint with a port (a local mirror) must match it too.
    return configured.port() < 0 || configured.port() == url.port();
}

// civitai.com/models/58390[/slug][?modelVersionId=63006], /api/download/models/63006, /api/v1/models/58390,
// /api/v1/model-versions/63006, /api/v1/model-versions/by-hash/{hash} (SHA-256, or Civitai's AutoV1, AutoV2, AutoV3
// and CRC32 forms: 64, 8, 10, 12 or 8 hex digits).
std::optional<ModelSource> civitaiSource(const QUrl &url)
{
    static const QRegularExpression byHash(QStringLiteral(
        "^/api/v1/model-versions/by-hash/([0-9A-Fa-f]{8}|[0-9A-Fa-f]{10}|[0-9A-Fa-f]{12}|[0-9A-Fa-f]{64})/?$"));
    static const QRegularExpression model(QStringLiteral("^/(?:api/v1/)?models/(\\d+)(?:/[^/]*)?/?$"));
    static const QRegularExpression version(QStringLiteral("^/api/(?:download/models|v1/model-versions)/(\\d+)/?$"));
    ModelSource source;
    source.kind = ModelSource::Kind::Civitai;
    source.url = url;
    if (const auto match = model.match(url.path()); match.hasMatch()) {
        source.civitaiModelId = match.captured(1).toLongLong();
        source.civitaiVersionId = QUrlQuery(url).queryItemValue(QStringLiteral("modelVersionId")).toLongLong();
        return source;
    }
    if (const auto match = version.match(url.path()); match.hasMatch()) {
        source.civitaiVersionId = match.captured(1).toLongLong();
        return source;
    }
    if (const auto match = byHash.match(url.path()); match.hasMatch()) {
        source.civitaiFileHash = match.captured(1).toUpper();
        return source;
    }
    return std::nullopt;
}

// huggingface.co/owner/name, …/owner/name/tree/main/vae, …/owner/name/resolve/main/path/file.safetensors,
// …/owner/name/blob/main/path/file.safetensors.
std::optional<ModelSource> huggingFaceSource(const QUrl &url)
{
    static const QRegularExpression page(
        QStringLiteral("^/([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(?:/(?:resolve|blob|tree)/[^/]+(?:/(.+?))?)?/?$"));
    const auto match = page.match(url.path());
    if (!match.hasMatch() || match.captured(1).startsWith(QLatin1String("api/")) || match.captured(2).contains(QLatin1String("..")))
        return std::nullopt;
    ModelSource source;
    source.kind = ModelSource::Kind::HuggingFace;
    source.repoId = match.captured(1);
    source.subfolder = match.captured(2);
    return source;
}

} // namespace

bool isCivitaiFileHash(const QString &hash)
{
    static const QRegularExpression forms(
        QStringLiteral("^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{10}|[0-9A-Fa-f]{12}|[0-9A-Fa-f]{64})$"));
    return forms.match(hashing::bareHash(hash)).hasMatch();
}

QString civitaiByHashSource(const QString &hash, const QUrl &endpoint)
{
    const QString bare = hashing::bareHash(hash);
    QUrl url = endpoint;
    url.setPath(url.path().remove(QRegularExpression(QStringLiteral("/+$"))) +
                QStringLiteral("/api/v1/model-versions/by-hash/") + bare.toUpper());
    return url.toString();
}

bool hasWeightsExtension(const QString &fileName)
{
    static const QStringList extensions{QStringLiteral("safetensors"), QStringLiteral("ckpt"), QStringLiteral("pt"),
                                        QStringLiteral("pth"), QStringLiteral("bin"), QStringLiteral("sft"),
                                        QStringLiteral("gguf"), QStringLiteral("onnx")};
    return extensions.contains(QFileInfo(fileName).suffix().toLower());
}

bool ModelSource::namesSingleFile() const
{
    return kind == Kind::HuggingFace && hasWeightsExtension(subfolder);
}

SourceType ModelSource::sourceType() const
{
    switch (kind) {
    case Kind::Local: return SourceType::Path;
    case Kind::HuggingFace: return SourceType::HfRepoId;
    case Kind::Url:
    case Kind::Civitai: return SourceType::Url;
    }
    return SourceType::Path;
}

QString ModelSource::toString() const
{
    switch (kind) {
    case Kind::Local: return path;
    case Kind::Url:
    case Kind::Civitai: return url.toString(QUrl::RemoveUserInfo);
    case Kind::HuggingFace: {
        QString text = repoId;
        if (variant || !subfolder.isEmpty())
            text += QLatin1Char(':') + (variant ? atelier::models::toString(*variant) : QString());
        if (!subfolder.isEmpty())
            text += QLatin1Char(':') + subfolder;
        return text;
    }
    }
    return {};
}

Result<ModelSource> parseModelSource(const QString &text, const QString &civitaiHost, const QString &huggingFaceHost)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return Result<ModelSource>::failure(QStringLiteral("no source given: expected a path, a URL or a Hugging Face repo id"), kInvalid);

    const QUrl url(trimmed, QUrl::StrictMode);
    if (url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))) {
        if (url.host().isEmpty())
            return Result<ModelSource>::failure(QStringLiteral("'%1' has no host").arg(trimmed.left(200)), kInvalid);
        if (isHubHost(url, civitaiHost)) {
            if (auto source = civitaiSource(url))
                return *source;
        }
        if (isHubHost(url, huggingFaceHost)) {
            if (auto source = huggingFaceSource(url))
                return *source;
        }
        ModelSource source;
        source.kind = ModelSource::Kind::Url;
        source.url = url;
        return source;
    }
    if (url.isValid() && url.scheme() == QLatin1String("file"))
        return parseModelSource(url.toLocalFile(), civitaiHost, huggingFaceHost);

    const QFileInfo local(trimmed.startsWith(QLatin1String("~/")) ? QDir::home().filePath(trimmed.mid(2)) : trimmed);
    if (local.exists()) {
        ModelSource source;
        source.path = QDir::cleanPath(local.absoluteFilePath());
        return source;
    }

    // owner/name[:variant[:subfolder]]; both parts of the id as Hugging Face allows them.
    static const QRegularExpression repo(QStringLiteral("^([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(?::([^:]*)(?::(.+))?)?$"));
    const auto match = repo.match(trimmed);
    if (!match.hasMatch()) {
        const bool looksLikePath = trimmed.startsWith(QLatin1Char('/')) || trimmed.startsWith(QLatin1Char('.')) || trimmed.startsWith(QLatin1Char('~'));
        return Result<ModelSource>::failure(
            looksLikePath ? QStringLiteral("%1 does not exist").arg(trimmed.left(500))
                          : QStringLiteral("'%1' is neither an existing path, an http(s) URL, nor a Hugging Face repo id "
                                           "(owner/name, owner/name:fp16, owner/name:fp16:vae, owner/name::path/to/file.safetensors)")
                                .arg(trimmed.left(200)),
            looksLikePath ? QStringLiteral("NotFound") : kInvalid);
    }
    ModelSource source;
    source.kind = ModelSource::Kind::HuggingFace;
    source.repoId = match.captured(1);
    if (!match.captured(2).isEmpty()) {
        const auto variant = parseTaxonomy<RepoVariant>(match.captured(2));
        if (!variant)
            return Result<ModelSource>::failure(variant.error(), kInvalid);
        source.variant = variant.value();
    }
    source.subfolder = QDir::cleanPath(match.captured(3)).remove(QRegularExpression(QStringLiteral("^/+")));
    if (source.subfolder == QLatin1String("."))
        source.subfolder.clear();
    if (source.subfolder.startsWith(QLatin1String("..")))
        return Result<ModelSource>::failure(QStringLiteral("'%1' leaves the repository").arg(match.captured(3)), kInvalid);
    return source;
}

} // namespace atelier::models
