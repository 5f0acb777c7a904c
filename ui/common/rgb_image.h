#pragma once

#include "core/generation/generation_request.h"

#include <QImage>

namespace atelier::ui {

// The engine's 8-bit RGB pixels as a QImage of its own (a copy); null when the buffer does not hold the image.
inline QImage toQImage(const engine::RgbImage &image)
{
    if (image.width <= 0 || image.height <= 0 || image.pixels.size() < std::size_t(image.width) * image.height * 3)
        return {};
    return QImage(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
}

} // namespace atelier::ui
