// libFuzzer target for the file names a download takes from the server: Content-Disposition headers and URLs.
// Whatever they propose, the name created is a plain base name inside the download folder.
#include "tests/fuzz/fuzz_support.h"

#include "core/downloads/file_name.h"

#include <QUrl>

using namespace atelier;

namespace {

void requireSafe(const QString &name)
{
    fuzz::require(!name.isEmpty());
    fuzz::require(!name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\')));
    fuzz::require(!name.startsWith(QLatin1Char('.')));
    fuzz::require(!name.endsWith(QLatin1Char('.')) && !name.endsWith(QLatin1Char(' ')));
    fuzz::require(name.toUtf8().size() <= downloads::kMaxFileNameBytes);
    for (const QChar c : name)
        fuzz::require(c.unicode() >= 0x20 && c.unicode() != 0x7f);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = fuzz::bytesOf(data, size);
    const QString fromHeader = downloads::fileNameFromContentDisposition(bytes);
    requireSafe(downloads::safeFileName(fromHeader));
    const QString fromUrl = downloads::fileNameFromUrl(QUrl(QString::fromUtf8(bytes)));
    requireSafe(downloads::safeFileName(fromUrl));
    requireSafe(downloads::safeFileName(QString::fromUtf8(bytes), QStringLiteral("fallback.bin")));
    return 0;
}
