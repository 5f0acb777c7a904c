#include "core/generation/png_image.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <png.h>

#include <cstring>

namespace atelier::generation {

namespace {

struct ImageControl
{
    png_image image;
    ImageControl()
    {
        std::memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
    }
    ~ImageControl() { png_image_free(&image); }
    ImageControl(const ImageControl &) = delete;
    ImageControl &operator=(const ImageControl &) = delete;
    QString message() const { return QString::fromLatin1(image.message); }
};

} // namespace

Result<QByteArray> encodePng(const engine::RgbImage &rgb, const QList<metadata::TextChunk> &chunks)
{
    if (rgb.width <= 0 || rgb.height <= 0 || rgb.pixels.size() != std::size_t(rgb.width) * std::size_t(rgb.height) * 3)
        return Result<QByteArray>::failure(QStringLiteral("the image has no pixels or does not match its size (%1x%2)")
                                               .arg(rgb.width)
                                               .arg(rgb.height));
    ImageControl control;
    control.image.width = png_uint_32(rgb.width);
    control.image.height = png_uint_32(rgb.height);
    control.image.format = PNG_FORMAT_RGB;
    const png_int_32 rowStride = png_int_32(rgb.width) * 3;
    png_alloc_size_t size = 0;
    // The first call measures, the second writes.
    if (!png_image_write_to_memory(&control.image, nullptr, &size, 0, rgb.pixels.data(), rowStride, nullptr))
        return Result<QByteArray>::failure(QStringLiteral("encoding the PNG failed (%1)").arg(control.message()));
    QByteArray encoded(qsizetype(size), Qt::Uninitialized);
    if (!png_image_write_to_memory(&control.image, encoded.data(), &size, 0, rgb.pixels.data(), rowStride, nullptr))
        return Result<QByteArray>::failure(QStringLiteral("encoding the PNG failed (%1)").arg(control.message()));
    encoded.truncate(qsizetype(size));
    if (chunks.isEmpty())
        return encoded;
    return metadata::withTextChunks(encoded, chunks);
}

Result<engine::RgbImage> decodePng(const QByteArray &png, std::vector<std::uint8_t> *alpha)
{
    ImageControl control;
    if (!png_image_begin_read_from_memory(&control.image, png.constData(), std::size_t(png.size())))
        return Result<engine::RgbImage>::failure(QStringLiteral("not a readable PNG (%1)").arg(control.message()));
    const png_uint_32 width = control.image.width, height = control.image.height;
    if (width == 0 || height == 0 || width > png_uint_32(kMaxImageSide) || height > png_uint_32(kMaxImageSide) ||
        qint64(width) * qint64(height) > kMaxImagePixels)
        return Result<engine::RgbImage>::failure(
            QStringLiteral("a %1x%2 image is larger than the %3 pixels a side (%4 megapixels) Atelier reads")
                .arg(width)
                .arg(height)
                .arg(kMaxImageSide)
                .arg(kMaxImagePixels / (1024 * 1024)));
    const bool hasAlpha = (control.image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    // Read with alpha so that none is blended in, then drop it.
    control.image.format = PNG_FORMAT_RGBA;
    std::vector<std::uint8_t> rgba(std::size_t(width) * height * 4);
    if (!png_image_finish_read(&control.image, nullptr, rgba.data(), 0, nullptr))
        return Result<engine::RgbImage>::failure(QStringLiteral("the PNG is damaged (%1)").arg(control.message()));
    engine::RgbImage rgb;
    rgb.width = int(width);
    rgb.height = int(height);
    rgb.pixels.resize(std::size_t(width) * height * 3);
    for (std::size_t pixel = 0, count = std::size_t(width) * height; pixel < count; ++pixel)
        std::memcpy(rgb.pixels.data() + pixel * 3, rgba.data() + pixel * 4, 3);
    if (alpha) {
        alpha->clear();
        if (hasAlpha) {
            alpha->resize(std::size_t(width) * height);
            for (std::size_t pixel = 0; pixel < alpha->size(); ++pixel)
                (*alpha)[pixel] = rgba[pixel * 4 + 3];
        }
    }
    return rgb;
}

Result<engine::RgbImage> readPngFile(const QString &path, qint64 maxFileBytes, std::vector<std::uint8_t> *alpha)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<engine::RgbImage>::failure(
            QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    if (file.size() > maxFileBytes)
        return Result<engine::RgbImage>::failure(
            QStringLiteral("%1: %2 MB is more than a PNG Atelier reads").arg(path).arg(file.size() / (1024 * 1024)));
    const Result<engine::RgbImage> decoded = decodePng(file.readAll(), alpha);
    if (!decoded)
        return Result<engine::RgbImage>::failure(QStringLiteral("%1: %2").arg(path, decoded.error()));
    return decoded;
}

Status writePngFile(const QString &path, const engine::RgbImage &image, const QList<metadata::TextChunk> &chunks)
{
    const Result<QByteArray> encoded = encodePng(image, chunks);
    if (!encoded)
        return Status::failure(QStringLiteral("%1: %2").arg(path, encoded.error()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("%1: cannot be written (%2)").arg(path, file.errorString()));
    if (file.write(encoded.value()) != encoded->size() || !file.commit())
        return Status::failure(QStringLiteral("%1: writing failed (%2)").arg(path, file.errorString()));
    return {};
}

} // namespace atelier::generation
