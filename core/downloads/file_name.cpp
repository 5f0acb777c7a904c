#include "core/downloads/file_name.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

namespace atelier::downloads {

namespace {

// Splits a header value into its parameters ("name=value"), honouring quoted strings with backslash escapes.
QList<QPair<QString, QString>> parameters(const QByteArray &header)
{
    QList<QPair<QString, QString>> result;
    const QString text = QString::fromUtf8(header);
    int i = 0;
    const int n = int(text.size());
    while (i < n) {
        while (i < n && (text[i] == QLatin1Char(';') || text[i].isSpace()))
            ++i;
        const int nameStart = i;
        while (i < n && text[i] != QLatin1Char('=') && text[i] != QLatin1Char(';'))
            ++i;
        const QString name = text.mid(nameStart, i - nameStart).trimmed().toLower();
        if (i >= n || text[i] == QLatin1Char(';')) {
            continue;  // a bare token such as "attachment"
        }
        ++i;  // '='
        while (i < n && text[i].isSpace())
            ++i;
        QString value;
        if (i < n && text[i] == QLatin1Char('"')) {
            ++i;
            while (i < n && text[i] != QLatin1Char('"')) {
                if (text[i] == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                value += text[i++];
            }
            ++i;  // closing quote
        } else {
            const int valueStart = i;
            while (i < n && text[i] != QLatin1Char(';'))
                ++i;
            value = text.mid(valueStart, i - valueStart).trimmed();
        }
        result << qMakePair(name, value);
    }
    return result;
}

bool isReservedOnWindows(const QString &name)
{
    static const QRegularExpression reserved(QStringLiteral("^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?$"),
                                             QRegularExpression::CaseInsensitiveOption);
    return reserved.match(name).hasMatch();
}

// Cuts `name` to at most kMaxFileNameBytes of UTF-8, keeping a short extension, and never splitting a character.
QString bounded(const QString &name)
{
    if (name.toUtf8().size() <= kMaxFileNameBytes)
        return name;
    const int dot = int(name.lastIndexOf(QLatin1Char('.')));
    const QString extension = dot > 0 && name.size() - dot <= 16 ? name.mid(dot) : QString();
    QString stem = extension.isEmpty() ? name : name.left(dot);
    const int budget = kMaxFileNameBytes - int(extension.toUtf8().size());
    while (!stem.isEmpty() && stem.toUtf8().size() > budget) {
        stem.chop(1);
        if (!stem.isEmpty() && stem.back().isHighSurrogate())
            stem.chop(1);
    }
    return stem + extension;
}

} // namespace

QString fileNameFromContentDisposition(const QByteArray &header)
{
    QString plain;
    for (const auto &[name, value] : parameters(header)) {
        if (name == QLatin1String("filename*")) {
            // charset'language'percent-encoded
            const QStringList parts = value.split(QLatin1Char('\''));
            if (parts.size() == 3) {
                const QByteArray bytes = QByteArray::fromPercentEncoding(parts[2].toLatin1());
                const QString decoded = parts[0].compare(QLatin1String("utf-8"), Qt::CaseInsensitive) == 0
                    ? QString::fromUtf8(bytes)
                    : QString::fromLatin1(bytes);
                if (!decoded.isEmpty())
                    return decoded;
            }
        } else if (name == QLatin1String("filename") && plain.isEmpty()) {
            plain = value;
        }
    }
    return plain;
}

QString fileNameFromUrl(const QUrl &url)
{
    const QString path = url.path(QUrl::FullyDecoded);
    if (path.endsWith(QLatin1Char('/')))
        return {};
    return path.section(QLatin1Char('/'), -1);
}

QString safeFileName(const QString &proposed, const QString &fallback)
{
    QString name = proposed.normalized(QString::NormalizationForm_C);
    // Only the last component of any path, whichever separator it uses.
    const int slash = int(std::max(name.lastIndexOf(QLatin1Char('/')), name.lastIndexOf(QLatin1Char('\\'))));
    if (slash >= 0)
        name = name.mid(slash + 1);
    QString cleaned;
    for (const QChar c : std::as_const(name)) {
        const QChar::Category category = c.category();
        if (category == QChar::Other_Control || category == QChar::Other_Format || c == QChar(0xfffd))
            continue;
        // Characters Windows forbids, and ':' (alternate data streams), become '_'.
        cleaned += QStringLiteral("<>:\"|?*").contains(c) ? QLatin1Char('_') : c;
    }
    // Cutting a long name to length can leave a dot or a space at its end again, or a working file's suffix, so
    // the rules are applied until none changes the name (twice at most: a second cut finds nothing to cut).
    for (QString before; before != cleaned;) {
        before = cleaned;
        while (cleaned.startsWith(QLatin1Char('.')) || cleaned.startsWith(QLatin1Char(' ')))
            cleaned.remove(0, 1);
        while (cleaned.endsWith(QLatin1Char('.')) || cleaned.endsWith(QLatin1Char(' ')))
            cleaned.chop(1);
        if (isReservedOnWindows(cleaned))
            cleaned.prepend(QLatin1Char('_'));
        // Names of the downloader's own working files (partial data, its validator, its lock) are never given to a
        // download: a server naming its file "x.safetensors.part" would otherwise write over another job's data.
        for (const QString &working : {QStringLiteral(".part"), QStringLiteral(".part.json"), QStringLiteral(".part.lock")})
            if (cleaned.endsWith(working, Qt::CaseInsensitive))
                cleaned.replace(cleaned.size() - working.size(), 1, QLatin1Char('_'));
        cleaned = bounded(cleaned);
    }
    if (cleaned.isEmpty())
        return fallback == proposed ? QStringLiteral("download") : safeFileName(fallback);
    return cleaned;
}

QString unusedPath(const QString &path)
{
    if (!QFileInfo::exists(path))
        return path;
    const QFileInfo info(path);
    // Folders keep their whole name ("sd-v1.5 (2)"); files keep their extension ("lora v1.5 (2).safetensors").
    const QString stem = info.isDir() ? info.fileName() : info.completeBaseName();
    const QString suffix = info.isDir() || info.suffix().isEmpty() ? QString() : QLatin1Char('.') + info.suffix();
    for (int n = 2;; ++n) {
        const QString candidate = info.dir().filePath(QStringLiteral("%1 (%2)%3").arg(stem).arg(n).arg(suffix));
        if (!QFileInfo::exists(candidate))
            return candidate;
    }
}

} // namespace atelier::downloads
