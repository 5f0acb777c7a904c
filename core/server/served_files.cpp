#include "core/server/served_files.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace atelier::server {

namespace {

bool inside(const QString &path, const QString &folder)
{
    const QString root = QFileInfo(folder).canonicalFilePath();
    return !root.isEmpty() && (path == root || path.startsWith(root + QLatin1Char('/')));
}

// `subfolder` of `folder`, checked before and after links are followed.
Result<QString> subfolderOf(const QString &folder, const QString &subfolder)
{
    if (QDir::isAbsolutePath(subfolder) || subfolder.contains(QLatin1Char('\\')) || subfolder.contains(QChar(0)))
        return Result<QString>::failure(
            QStringLiteral("subfolder \"%1\" is not a folder inside the served folder").arg(subfolder));
    const QString joined = QDir::cleanPath(folder + QLatin1Char('/') + subfolder);
    const QString cleanFolder = QDir::cleanPath(folder);
    if (joined != cleanFolder && !joined.startsWith(cleanFolder + QLatin1Char('/')))
        return Result<QString>::failure(QStringLiteral("subfolder \"%1\" leaves the served folder").arg(subfolder));
    return joined;
}

} // namespace

QString ServedFolders::folderOf(const QString &type) const
{
    if (type.isEmpty() || type == QLatin1String("output"))
        return output;
    if (type == QLatin1String("input"))
        return input;
    if (type == QLatin1String("temp"))
        return temp;
    return {};
}

Result<QString> servedFile(const ServedFolders &folders, const QString &type, const QString &subfolder,
                           const QString &filename)
{
    const QString folder = folders.folderOf(type);
    if (folder.isEmpty())
        return Result<QString>::failure(QStringLiteral("type \"%1\" is not output, input or temp").arg(type));
    if (filename.isEmpty() || filename.contains(QLatin1Char('/')) || filename.contains(QLatin1Char('\\')) ||
        filename == QLatin1String("..") || filename == QLatin1String(".") || filename.contains(QChar(0)))
        return Result<QString>::failure(QStringLiteral("filename \"%1\" is not a file name").arg(filename));
    Result<QString> within = subfolderOf(folder, subfolder);
    if (!within)
        return within;
    const QFileInfo file(within.value() + QLatin1Char('/') + filename);
    if (!file.isFile())
        return Result<QString>::failure(QStringLiteral("no file \"%1\"").arg(filename));
    if (!inside(file.canonicalFilePath(), folder))
        return Result<QString>::failure(QStringLiteral("\"%1\" leaves the served folder").arg(filename));
    return file.canonicalFilePath();
}

Result<QString> uploadFolder(const ServedFolders &folders, const QString &type, const QString &subfolder)
{
    const QString folder = folders.folderOf(type);
    if (folder.isEmpty())
        return Result<QString>::failure(QStringLiteral("type \"%1\" is not output, input or temp").arg(type));
    Result<QString> within = subfolderOf(folder, subfolder);
    if (!within)
        return within;
    if (!QDir().mkpath(within.value()))
        return Result<QString>::failure(QStringLiteral("cannot make the folder \"%1\"").arg(subfolder));
    if (!inside(QFileInfo(within.value()).canonicalFilePath(), folder))
        return Result<QString>::failure(QStringLiteral("subfolder \"%1\" leaves the served folder").arg(subfolder));
    return QFileInfo(within.value()).canonicalFilePath();
}

QString safeFileName(const QString &given)
{
    QString name = given.section(QLatin1Char('/'), -1).section(QLatin1Char('\\'), -1);
    static const QRegularExpression refused(QStringLiteral("[\\x00-\\x1f\\x7f<>:\"|?*]"));
    name.replace(refused, QStringLiteral("_"));
    while (name.startsWith(QLatin1Char('.')))
        name.remove(0, 1);
    name = name.trimmed().left(200);
    return name;
}

Result<QList<FormPart>> parseMultipart(const QByteArray &contentType, const QByteArray &body)
{
    const int at = contentType.indexOf("boundary=");
    if (!contentType.startsWith("multipart/form-data") || at < 0)
        return Result<QList<FormPart>>::failure(QStringLiteral("the body is not multipart/form-data"));
    QByteArray boundary = contentType.mid(at + 9);
    if (const int end = boundary.indexOf(';'); end >= 0)
        boundary.truncate(end);
    if (boundary.startsWith('"') && boundary.endsWith('"') && boundary.size() >= 2)
        boundary = boundary.mid(1, boundary.size() - 2);
    if (boundary.isEmpty() || boundary.size() > 200)
        return Result<QList<FormPart>>::failure(QStringLiteral("the multipart boundary is missing or too long"));
    const QByteArray delimiter = "--" + boundary;
    QList<FormPart> parts;
    qsizetype position = body.indexOf(delimiter);
    if (position < 0)
        return Result<QList<FormPart>>::failure(QStringLiteral("the multipart body has no parts"));
    while (true) {
        position += delimiter.size();
        if (body.mid(position, 2) == "--")
            return parts; // the closing delimiter
        if (body.mid(position, 2) != "\r\n")
            return Result<QList<FormPart>>::failure(
                QStringLiteral("a multipart delimiter is not followed by a line break"));
        position += 2;
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", position);
        const qsizetype next = body.indexOf("\r\n" + delimiter, position);
        if (headersEnd < 0 || next < 0 || headersEnd > next)
            return Result<QList<FormPart>>::failure(QStringLiteral("a multipart part is cut off"));
        FormPart part;
        for (const QByteArray &line : body.mid(position, headersEnd - position).split('\n')) {
            const QByteArray header = line.trimmed();
            const QByteArray lower = header.toLower();
            if (lower.startsWith("content-disposition:")) {
                static const QRegularExpression field(QStringLiteral("\\b(name|filename)=\"([^\"]*)\""));
                auto matches = field.globalMatch(QString::fromUtf8(header));
                while (matches.hasNext()) {
                    const auto match = matches.next();
                    (match.captured(1) == QLatin1String("name") ? part.name : part.fileName) = match.captured(2);
                }
            } else if (lower.startsWith("content-type:")) {
                part.contentType = header.mid(13).trimmed();
            }
        }
        part.data = body.mid(headersEnd + 4, next - headersEnd - 4);
        parts.append(std::move(part));
        position = next + 2;
        if (parts.size() > 64)
            return Result<QList<FormPart>>::failure(QStringLiteral("the multipart body has too many parts"));
    }
}

} // namespace atelier::server
