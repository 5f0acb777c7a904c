// A1111's "stealth" metadata: the parameters written into the least significant bits of the pixels, so that they
// survive sites that strip text chunks. The bits run down each column, column after column; they start with a
// signature ("stealth_pnginfo" or "stealth_pngcomp" in the alpha channel, "stealth_rgbinfo" or "stealth_rgbcomp"
// in red, green and blue), then the data's length in bits (32 bits, most significant first), then the data, the
// "comp" kinds gzipped.
#include "core/metadata/generation_info.h"

#include <png.h>
#include <zlib.h>

#include <QStringDecoder>

#include <vector>

namespace atelier::metadata {

namespace {

constexpr qint64 kMaxPixels = 64ll * 1024 * 1024;      // what is decoded to look for hidden text at all
constexpr qint64 kMaxHiddenBytes = 16ll * 1024 * 1024; // the data, stored or inflated

class PixelBits
{
public:
    PixelBits(const std::vector<std::uint8_t> &rgba, quint32 width, quint32 height, bool rgb)
        : m_rgba(rgba)
        , m_width(width)
        , m_height(height)
        , m_rgb(rgb)
    {}

    qint64 available() const { return qint64(m_width) * m_height * (m_rgb ? 3 : 1) - m_next; }

    bool bit()
    {
        const qint64 pixelIndex = m_rgb ? m_next / 3 : m_next;
        const int channel = m_rgb ? int(m_next % 3) : 3;
        ++m_next;
        const qint64 x = pixelIndex / m_height, y = pixelIndex % m_height; // down each column
        return m_rgba[std::size_t((y * m_width + x) * 4 + channel)] & 1;
    }

    QByteArray bytes(qint64 count)
    {
        QByteArray out(count, '\0');
        for (qint64 at = 0; at < count; ++at) {
            quint8 value = 0;
            for (int bitIndex = 0; bitIndex < 8; ++bitIndex)
                value = quint8((value << 1) | (bit() ? 1 : 0));
            out[at] = char(value);
        }
        return out;
    }

private:
    const std::vector<std::uint8_t> &m_rgba;
    quint32 m_width, m_height;
    bool m_rgb;
    qint64 m_next = 0;
};

std::optional<QByteArray> gunzip(const QByteArray &data, QStringList &warnings)
{
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return std::nullopt;
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    QByteArray out;
    char buffer[65536];
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        out.append(buffer, int(sizeof buffer - stream.avail_out));
        if (out.size() > kMaxHiddenBytes) {
            warnings << QStringLiteral("the text hidden in the pixels inflates past %1 MiB; it is ignored")
                            .arg(kMaxHiddenBytes / (1024 * 1024));
            inflateEnd(&stream);
            return std::nullopt;
        }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) {
        warnings << QStringLiteral("the text hidden in the pixels is damaged (it does not inflate)");
        return std::nullopt;
    }
    return out;
}

} // namespace

std::optional<QString> readStealthText(const QByteArray &png, QStringList &warnings)
{
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png.constData(), std::size_t(png.size())))
        return std::nullopt;
    const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    if (image.width == 0 || image.height == 0 || qint64(image.width) * image.height > kMaxPixels) {
        png_image_free(&image);
        return std::nullopt;
    }
    image.format = PNG_FORMAT_RGBA;
    std::vector<std::uint8_t> rgba(std::size_t(image.width) * image.height * 4);
    const bool decoded = png_image_finish_read(&image, nullptr, rgba.data(), 0, nullptr) != 0;
    const quint32 width = image.width, height = image.height;
    png_image_free(&image);
    if (!decoded)
        return std::nullopt;

    for (const bool rgb : {false, true}) {
        if (!rgb && !alpha)
            continue;
        PixelBits bits(rgba, width, height, rgb);
        if (bits.available() < (15 + 4) * 8)
            continue;
        const QByteArray signature = bits.bytes(15);
        const bool compressed = signature == (rgb ? "stealth_rgbcomp" : "stealth_pngcomp");
        if (!compressed && signature != (rgb ? "stealth_rgbinfo" : "stealth_pnginfo"))
            continue;
        const QByteArray lengthBytes = bits.bytes(4);
        const quint32 lengthBits = (quint32(quint8(lengthBytes[0])) << 24) | (quint32(quint8(lengthBytes[1])) << 16) |
                                   (quint32(quint8(lengthBytes[2])) << 8) | quint32(quint8(lengthBytes[3]));
        if (lengthBits % 8 != 0 || qint64(lengthBits) > bits.available() || qint64(lengthBits / 8) > kMaxHiddenBytes) {
            warnings << QStringLiteral("the pixels carry a %1 signature with an impossible length (%2 bits); ignored")
                            .arg(QString::fromLatin1(signature))
                            .arg(lengthBits);
            return std::nullopt;
        }
        QByteArray data = bits.bytes(qint64(lengthBits / 8));
        if (compressed) {
            const std::optional<QByteArray> inflated = gunzip(data, warnings);
            if (!inflated)
                return std::nullopt;
            data = *inflated;
        }
        QStringDecoder utf8(QStringDecoder::Utf8);
        const QString text = utf8.decode(data);
        if (utf8.hasError()) {
            warnings << QStringLiteral("the text hidden in the pixels is not UTF-8; it is ignored");
            return std::nullopt;
        }
        return text;
    }
    return std::nullopt;
}

} // namespace atelier::metadata
