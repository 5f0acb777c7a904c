#include "core/models/install/hub_access.h"

#include "core/settings/settings.h"

#include <QDir>
#include <QFile>

namespace atelier::models {

namespace {

bool sameOrSubdomain(const QUrl &url, const QUrl &endpoint)
{
    const QString host = url.host().toLower();
    const QString wanted = endpoint.host().toLower();
    if (wanted.isEmpty() || (host != wanted && !host.endsWith(QLatin1Char('.') + wanted)))
        return false;
    return endpoint.port() < 0 || endpoint.port() == url.port();
}

QString huggingFaceCliToken()
{
    QString path = qEnvironmentVariable("HF_TOKEN_PATH");
    if (path.isEmpty()) {
        const QString home = qEnvironmentVariable("HF_HOME", QDir::home().filePath(QStringLiteral(".cache/huggingface")));
        path = QDir(home).filePath(QStringLiteral("token"));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.read(4096)).trimmed();
}

} // namespace

HubAccess HubAccess::fromSettings(const settings::Settings &settings)
{
    HubAccess access;
    const QString huggingFace = !settings.huggingFaceEndpoint.isEmpty() ? settings.huggingFaceEndpoint
                                                                        : qEnvironmentVariable("HF_ENDPOINT", QStringLiteral("https://huggingface.co"));
    access.huggingFaceEndpoint = QUrl(huggingFace);
    access.civitaiEndpoint = QUrl(settings.civitaiEndpoint.isEmpty() ? QStringLiteral("https://civitai.com") : settings.civitaiEndpoint);
    access.huggingFaceToken = settings.huggingFaceToken;
    if (access.huggingFaceToken.isEmpty())
        access.huggingFaceToken = qEnvironmentVariable("HF_TOKEN").trimmed();
    if (access.huggingFaceToken.isEmpty())
        access.huggingFaceToken = huggingFaceCliToken();
    access.civitaiToken = settings.civitaiToken;
    return access;
}

bool HubAccess::isHuggingFace(const QUrl &url) const
{
    return sameOrSubdomain(url, huggingFaceEndpoint) || url.host().compare(QLatin1String("hf.co"), Qt::CaseInsensitive) == 0;
}

bool HubAccess::isCivitai(const QUrl &url) const
{
    return sameOrSubdomain(url, civitaiEndpoint);
}

QString HubAccess::tokenFor(const QUrl &url) const
{
    if (isHuggingFace(url))
        return huggingFaceToken;
    if (isCivitai(url))
        return civitaiToken;
    return {};
}

} // namespace atelier::models
