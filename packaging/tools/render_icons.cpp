// The application icon at the freedesktop sizes, for desktops and launchers that look for PNGs beside the SVG:
//   atelier_render_icons ICON.svg OUTPUT_FOLDER  ->  OUTPUT_FOLDER/NxN/apps/org.atelier.Atelier.png
#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication application(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: atelier_render_icons ICON.svg OUTPUT_FOLDER\n");
        return 2;
    }
    QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
    if (!svg.isValid()) {
        std::fprintf(stderr, "atelier_render_icons: %s is not an SVG image\n", argv[1]);
        return 1;
    }
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        svg.render(&painter);
        painter.end();
        const QString folder = QStringLiteral("%1/%2x%2/apps").arg(QString::fromLocal8Bit(argv[2])).arg(size);
        if (!QDir().mkpath(folder) || !image.save(folder + QStringLiteral("/org.atelier.Atelier.png"))) {
            std::fprintf(stderr, "atelier_render_icons: cannot write %s\n", qPrintable(folder));
            return 1;
        }
    }
    return 0;
}
