#pragma once

// PNG files of generated images, through libpng: the pixels the engine hands over, written with their recipe's text
// chunks, and the init images it starts from. QImage stays in ui/; core has no QtGui.
#include "core/engine/pipeline/generate.h"
#include "core/metadata/png_text.h"
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace atelier::generation {

// The largest image decodePng accepts: far above any model's working size, far below what a hostile header can
// claim (a 1x1 file may say 2^31 x 2^31).
constexpr int kMaxImageSide = 16384;
constexpr qint64 kMaxImagePixels = 64ll * 1024 * 1024;

// An 8-bit RGB PNG of `image`, with `chunks` written before its image data.
Result<QByteArray> encodePng(const engine::RgbImage &image, const QList<metadata::TextChunk> &chunks = {});

// Any PNG (grey, palette, 16-bit, with or without alpha) as 8-bit RGB; alpha is dropped, not blended, as QImage's
// conversion to RGB does; with `alpha`, a file's alpha channel is kept there (one byte a pixel; left empty for a file
// without one). Fails with a message when the bytes are not a PNG, are damaged, or the image exceeds the limits
// above.
Result<engine::RgbImage> decodePng(const QByteArray &png, std::vector<std::uint8_t> *alpha = nullptr);

// The PNG file at `path`, read only if it is at most `maxFileBytes` long, as decodePng decodes it.
Result<engine::RgbImage> readPngFile(const QString &path, qint64 maxFileBytes = 512ll * 1024 * 1024,
                                     std::vector<std::uint8_t> *alpha = nullptr);

// Encodes and writes `image` through a temporary file beside `path`, so that a full disk or a crash leaves no
// half-written PNG under that name. The message names `path`.
Status writePngFile(const QString &path, const engine::RgbImage &image, const QList<metadata::TextChunk> &chunks);

} // namespace atelier::generation
