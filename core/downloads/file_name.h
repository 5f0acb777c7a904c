#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

// Where a download's file name comes from, and how any proposed name is made safe to create in a folder.
namespace atelier::downloads {

// The file name a Content-Disposition header proposes: `filename*` (RFC 5987/6266, percent-encoded UTF-8)
// before `filename` (quoted or plain). Empty when the header names none. Not yet safe: see safeFileName().
QString fileNameFromContentDisposition(const QByteArray &header);

// The last segment of the URL's path, percent-decoded; empty when the path ends in '/'. Not yet safe.
QString fileNameFromUrl(const QUrl &url);

// Reduces any proposed name to a base name that stays inside the folder it is created in: only the part after
// the last '/' or '\', no control characters (NUL, newlines …), no leading dots (so never "." or ".."), no
// trailing dots or spaces, no names Windows reserves (CON, NUL, COM1 …), at most kMaxFileNameBytes of UTF-8 with
// the extension kept, and Unicode preserved (NFC). `fallback` is used when nothing usable is left.
QString safeFileName(const QString &proposed, const QString &fallback = QStringLiteral("download"));

inline constexpr int kMaxFileNameBytes = 200;

// `path`, or "<stem> (N).<extension>" with the first N that names no existing file or folder: a new name never
// replaces an existing one.
QString unusedPath(const QString &path);

} // namespace atelier::downloads
