#pragma once

// The text progress bar the commands draw on a terminal: "#####....." of `width` characters.
#include <QString>

namespace atelier::app {

inline QString progressBarText(double fraction, int width = 30)
{
    const int filled = qBound(0, int(fraction * width), width);
    return QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char('.'));
}

} // namespace atelier::app
