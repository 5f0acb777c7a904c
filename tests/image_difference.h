#pragma once

#include <QImage>

#include <algorithm>
#include <cstdlib>

// The largest difference of any RGB channel of any pixel between two images, 256 when their sizes differ: the
// fixtures' tolerance for images that independent implementations made.
inline int largestDifference(const QImage &a, const QImage &b)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB888), y = b.convertToFormat(QImage::Format_RGB888);
    if (x.size() != y.size())
        return 256;
    int worst = 0;
    for (int row = 0; row < x.height(); ++row)
        for (int i = 0; i < x.width() * 3; ++i)
            worst = std::max(worst, std::abs(int(x.constScanLine(row)[i]) - int(y.constScanLine(row)[i])));
    return worst;
}
