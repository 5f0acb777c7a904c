#include "ui/graph/port_colors.h"

#include <QHash>
#include <QObject>

namespace atelier::ui {

namespace {

const QList<QPair<QString, QColor>> &palette()
{
    static const QList<QPair<QString, QColor>> colors{
        {QStringLiteral("MODEL"), QColor(0xb3, 0x9d, 0xdb)},
        {QStringLiteral("CLIP"), QColor(0xff, 0xd5, 0x00)},
        {QStringLiteral("VAE"), QColor(0xff, 0x6e, 0x6e)},
        {QStringLiteral("CONDITIONING"), QColor(0xff, 0xa9, 0x31)},
        {QStringLiteral("LATENT"), QColor(0xff, 0x9c, 0xf9)},
        {QStringLiteral("IMAGE"), QColor(0x64, 0xb5, 0xf6)},
        {QStringLiteral("MASK"), QColor(0x81, 0xc7, 0x84)},
        // aMUSEd's: darker kin of Stable Diffusion's model, text encoder and VAE, which they never link to.
        {QStringLiteral("AMUSED_MODEL"), QColor(0x7e, 0x6a, 0xb0)},
        {QStringLiteral("AMUSED_CLIP"), QColor(0xc9, 0xa8, 0x00)},
        {QStringLiteral("VQGAN"), QColor(0xc6, 0x4b, 0x4b)},
        {QStringLiteral("AMUSED_CONDITIONING"), QColor(0xc9, 0x82, 0x1f)},
        {QStringLiteral("TOKENS"), QColor(0xc7, 0x74, 0xc3)},
        {QStringLiteral("INT"), QColor(0x7f, 0xc4, 0xc0)},
        {QStringLiteral("FLOAT"), QColor(0x9a, 0xc7, 0x7f)},
        {QStringLiteral("STRING"), QColor(0xc9, 0xc9, 0xc9)},
        {QStringLiteral("COMBO"), QColor(0xc9, 0xc9, 0xc9)},
        {QStringLiteral("BOOLEAN"), QColor(0xe0, 0x9b, 0x6e)},
        {QStringLiteral("*"), QColor(0x9e, 0x9e, 0x9e)},
    };
    return colors;
}

} // namespace

QColor portColor(const QString &type)
{
    for (const auto &[name, color] : palette())
        if (name == type)
            return color;
    // Types of custom nodes: a stable colour of their own from their name.
    return QColor::fromHsv(int(qHash(type) % 360), 110, 210);
}

QList<QPair<QString, QColor>> portLegend()
{
    return palette();
}

const QList<CanvasColor> &canvasPalette()
{
    static const QList<CanvasColor> palette{
        {QObject::tr("Red"), QStringLiteral("#322"), QStringLiteral("#533"), QStringLiteral("#A88")},
        {QObject::tr("Brown"), QStringLiteral("#332922"), QStringLiteral("#593930"), QStringLiteral("#b06634")},
        {QObject::tr("Green"), QStringLiteral("#232"), QStringLiteral("#353"), QStringLiteral("#8A8")},
        {QObject::tr("Blue"), QStringLiteral("#223"), QStringLiteral("#335"), QStringLiteral("#88A")},
        {QObject::tr("Pale blue"), QStringLiteral("#2a363b"), QStringLiteral("#3f5159"), QStringLiteral("#3f789e")},
        {QObject::tr("Cyan"), QStringLiteral("#233"), QStringLiteral("#355"), QStringLiteral("#8AA")},
        {QObject::tr("Purple"), QStringLiteral("#323"), QStringLiteral("#535"), QStringLiteral("#a1309b")},
        {QObject::tr("Yellow"), QStringLiteral("#432"), QStringLiteral("#653"), QStringLiteral("#b58b2a")},
        {QObject::tr("Black"), QStringLiteral("#222"), QStringLiteral("#000"), QStringLiteral("#444")},
    };
    return palette;
}

} // namespace atelier::ui
