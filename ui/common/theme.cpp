#include "ui/common/theme.h"

#include "core/settings/settings_store.h"
#include "ui/common/desktop_color_scheme.h"

#include <QApplication>
#include <QEvent>
#include <QStyle>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace atelier::ui {

namespace {

ThemeColors darkColors()
{
    ThemeColors colors;
    colors.dark = true;
    colors.canvas = QColor(0x1e, 0x1e, 0x21);
    colors.canvasGrid = QColor(0x33, 0x33, 0x38);
    colors.nodeBody = QColor(0x35, 0x35, 0x38);
    colors.nodeTitle = QColor(0x25, 0x25, 0x28);
    colors.nodeOutline = QColor(0x1c, 0x1c, 0x1e);
    colors.selectedOutline = QColor(0xff, 0xff, 0xff);
    colors.titleText = QColor(0xe8, 0xe8, 0xe8);
    colors.slotText = QColor(0xc8, 0xc8, 0xc8);
    colors.badgeText = QColor(0xa0, 0xa0, 0xa0);
    colors.toggle = QColor(0x9a, 0x9a, 0x9a);
    colors.fieldFill = QColor(0x22, 0x22, 0x24);
    colors.fieldName = QColor(0x99, 0x99, 0x99);
    colors.fieldValue = QColor(0xe0, 0xe0, 0xe0);
    colors.portRim = QColor(0x00, 0x00, 0x00);
    colors.portFits = QColor(0xff, 0xff, 0xff);
    colors.emptyPort = colors.nodeBody;
    colors.bypassed = QColor(0x5c, 0x2c, 0x66);
    colors.unknownTitle = QColor(0x6d, 0x1f, 0x1f);
    colors.failed = QColor(0xe5, 0x39, 0x35);
    colors.running = QColor(0x66, 0xbb, 0x6a);
    colors.problemText = QColor(0xff, 0x6e, 0x6e);
    colors.warningText = QColor(0xff, 0xb7, 0x4d);
    colors.minimapBackground = QColor(0x14, 0x14, 0x16, 220);
    colors.minimapFrame = QColor(0x44, 0x44, 0x4a);
    colors.minimapNode = QColor(0x6a, 0x6a, 0x72);
    colors.minimapSelected = QColor(0xee, 0xee, 0xee);
    colors.minimapView = QColor(0xff, 0xff, 0xff);
    colors.cutStroke = QColor(0xff, 0x8a, 0x65);
    return colors;
}

// ComfyUI's light canvas: white nodes on pale grey, dark text, the same type colours on the ports.
ThemeColors lightColors()
{
    ThemeColors colors;
    colors.dark = false;
    colors.canvas = QColor(0xf0, 0xf0, 0xf2);
    colors.canvasGrid = QColor(0xc4, 0xc4, 0xcc);
    colors.nodeBody = QColor(0xfc, 0xfc, 0xfd);
    colors.nodeTitle = QColor(0xe0, 0xe0, 0xe5);
    colors.nodeOutline = QColor(0xa6, 0xa6, 0xae);
    colors.selectedOutline = QColor(0x1e, 0x6f, 0xd9);
    colors.titleText = QColor(0x1c, 0x1c, 0x1f);
    colors.slotText = QColor(0x36, 0x36, 0x3b);
    colors.badgeText = QColor(0x5e, 0x5e, 0x66);
    colors.toggle = QColor(0x70, 0x70, 0x78);
    colors.fieldFill = QColor(0xea, 0xea, 0xee);
    colors.fieldName = QColor(0x62, 0x62, 0x6a);
    colors.fieldValue = QColor(0x1a, 0x1a, 0x1d);
    colors.portRim = QColor(0x4a, 0x4a, 0x52);
    colors.portFits = QColor(0x1e, 0x6f, 0xd9);
    colors.emptyPort = colors.nodeBody;
    colors.bypassed = QColor(0xe6, 0xc8, 0xee);
    colors.unknownTitle = QColor(0xf2, 0xb8, 0xb8);
    colors.failed = QColor(0xd3, 0x2f, 0x2f);
    colors.running = QColor(0x2e, 0x8b, 0x3e);
    colors.problemText = QColor(0xb7, 0x1c, 0x1c);
    colors.warningText = QColor(0x9a, 0x4a, 0x00);
    colors.minimapBackground = QColor(0xfa, 0xfa, 0xfb, 230);
    colors.minimapFrame = QColor(0xa6, 0xa6, 0xae);
    colors.minimapNode = QColor(0xb4, 0xb4, 0xbc);
    colors.minimapSelected = QColor(0x1e, 0x6f, 0xd9);
    colors.minimapView = QColor(0x20, 0x20, 0x24);
    colors.cutStroke = QColor(0xd8, 0x43, 0x15);
    return colors;
}

// WCAG's relative luminance.
double luminance(const QColor &color)
{
    const auto channel = [](double value) {
        return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF());
}

// Recolours one label whenever the application's palette changes.
class ToneKeeper : public QObject
{
public:
    ToneKeeper(QWidget *label, TextTone tone)
        : QObject(label)
        , m_label(label)
        , m_tone(tone)
    {
        label->installEventFilter(this);
        recolour();
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        // Children hear of a new application palette as a change of their own (inherited) palette.
        if (watched == m_label &&
            (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange))
            recolour();
        return false;
    }

private:
    void recolour()
    {
        const ThemeColors &colors = themeColors();
        const QColor color = m_tone == TextTone::Problem ? colors.problemText : colors.warningText;
        if (m_label->palette().color(QPalette::WindowText) == color)
            return;       // also ends the palette change that setting it causes
        QPalette palette; // only these roles are set; the rest still comes from the parent
        palette.setColor(QPalette::WindowText, color);
        palette.setColor(QPalette::Text, color);
        m_label->setPalette(palette);
    }

    QWidget *m_label;
    TextTone m_tone;
};

} // namespace

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

const ThemeColors &themeColors(const QPalette &palette)
{
    static const ThemeColors dark = darkColors();
    static const ThemeColors light = lightColors();
    return isDark(palette) ? dark : light;
}

const ThemeColors &themeColors()
{
    return themeColors(QGuiApplication::palette());
}

QColor textOn(const QColor &fill)
{
    // The contrast ratio against each; the larger wins.
    const double background = luminance(fill);
    const double againstBlack = (background + 0.05) / 0.05;
    const double againstWhite = 1.05 / (background + 0.05);
    return againstBlack > againstWhite ? QColor(0x1a, 0x1a, 0x1d) : QColor(0xf2, 0xf2, 0xf2);
}

QColor shownArtistColor(const QColor &color, const ThemeColors &colors)
{
    if (colors.dark || color.lightnessF() >= 0.5)
        return color;
    // Lightness 0.16 (ComfyUI's title colours) becomes 0.78 and 0.26 (their bodies) 0.88: still title darker than
    // body, as on the dark canvas.
    return QColor::fromHslF(color.hslHueF(), color.hslSaturationF(), std::min(0.94, 0.62 + color.lightnessF()),
                            color.alphaF());
}

QColor blend(const QColor &under, const QColor &over, double amount)
{
    const auto mix = [amount](double a, double b) { return a + (b - a) * amount; };
    return QColor::fromRgbF(float(mix(under.redF(), over.redF())), float(mix(under.greenF(), over.greenF())),
                            float(mix(under.blueF(), over.blueF())));
}

QPalette darkPalette()
{
    QPalette palette;
    const QColor window(0x2d, 0x2d, 0x30), base(0x21, 0x21, 0x24), text(0xe6, 0xe6, 0xe6);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x29, 0x29, 0x2c));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3a, 0x3e));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8c, 0x92));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x36, 0x36, 0x3a));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6e, 0x6e));
    palette.setColor(QPalette::Light, QColor(0x4a, 0x4a, 0x4f));
    palette.setColor(QPalette::Midlight, QColor(0x3e, 0x3e, 0x43));
    palette.setColor(QPalette::Mid, QColor(0x5c, 0x5c, 0x62)); // drop zones and separators, which must show on Window
    palette.setColor(QPalette::Dark, QColor(0x1c, 0x1c, 0x1e));
    palette.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x12));
    palette.setColor(QPalette::Highlight, QColor(0x3a, 0x78, 0xd8));
    palette.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    palette.setColor(QPalette::Link, QColor(0x6c, 0xb2, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xb8, 0x94, 0xff));
    const QColor disabled(0x7c, 0x7c, 0x82);
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4a, 0x4f));
    palette.setColor(QPalette::Disabled, QPalette::Base, window);
    return palette;
}

void setTextTone(QWidget *label, TextTone tone)
{
    new ToneKeeper(label, tone);
}

ThemeController::ThemeController(QApplication &application, settings::SettingsStore &settings,
                                 DesktopColorScheme *desktop, QObject *parent)
    : QObject(parent)
    , m_application(application)
    , m_settings(settings)
    , m_desktop(desktop)
    , m_desktopStyle(QApplication::style()->name())
    , m_desktopPaletteDark(isDark(QApplication::palette()))
    , m_applied(QStringLiteral("desktop"))
{
    connect(&m_settings, &settings::SettingsStore::changed, this, &ThemeController::apply);
    if (m_desktop)
        connect(m_desktop, &DesktopColorScheme::preferenceChanged, this, &ThemeController::apply);
    apply();
}

bool ThemeController::dark() const
{
    return isDark(QApplication::palette());
}

void ThemeController::apply()
{
    const QString choice = m_settings.current().theme;
    bool dark = choice == QLatin1String("dark");
    bool desktopLook = false;
    if (choice == QLatin1String("system")) {
        const auto preference = m_desktop ? m_desktop->preference() : DesktopColorScheme::Preference::None;
        dark = preference == DesktopColorScheme::Preference::None ? m_desktopPaletteDark
                                                                  : preference == DesktopColorScheme::Preference::Dark;
        // The desktop's own palette wherever it already is what the desktop asks for (a Breeze Dark palette
        // stays Breeze Dark); Atelier's only where Qt left it light on a dark desktop, or the reverse.
        desktopLook = dark == m_desktopPaletteDark;
    }
    const QString look = desktopLook ? QStringLiteral("desktop")
                         : dark      ? QStringLiteral("dark")
                                     : QStringLiteral("light");
    if (look == m_applied)
        return;
    m_applied = look;
    if (desktopLook) {
        useStyle(m_desktopStyle);
        m_application.setPalette(QPalette()); // back to what the style and the desktop give
    } else {
        // Fusion draws every control from the palette; native styles may not.
        useStyle(QStringLiteral("Fusion"));
        m_application.setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
    }
    emit applied(this->dark());
}

void ThemeController::useStyle(const QString &name)
{
    if (QApplication::style()->name().compare(name, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(name);
}

} // namespace atelier::ui
