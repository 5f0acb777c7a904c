#pragma once

// Light and dark. The application palette is the one source of truth: widgets follow it by themselves, and what
// Atelier paints itself (the node canvas, tiles, coloured status text) asks themeColors() for the set that suits
// the palette in use, when it paints. Switching the theme changes the palette; everything repaints from it.
#include <QColor>
#include <QObject>
#include <QPalette>
#include <QString>

class QApplication;
class QWidget;

namespace atelier::settings {
class SettingsStore;
}

namespace atelier::ui {

class DesktopColorScheme;

// The colours Atelier paints with, one set per scheme.
struct ThemeColors
{
    bool dark = true;
    QColor canvas, canvasGrid;
    QColor nodeBody, nodeTitle, nodeOutline, selectedOutline;
    QColor titleText, slotText, badgeText, toggle;
    QColor fieldFill, fieldName, fieldValue;
    QColor portRim, portFits, emptyPort;
    QColor bypassed, unknownTitle;
    QColor failed, running, problemText, warningText;
    QColor minimapBackground, minimapFrame, minimapNode, minimapSelected, minimapView;
    QColor cutStroke;
};

bool isDark(const QPalette &palette);
const ThemeColors &themeColors(const QPalette &palette);
const ThemeColors &themeColors(); // for the application's palette
// Black or white, whichever reads better on `fill`.
QColor textOn(const QColor &fill);
// A colour an artist gave a node or group. ComfyUI's palette is made for its dark canvas: on a light one the same
// hue is shown lighter, so that nodes do not turn into dark holes and their text stays readable.
QColor shownArtistColor(const QColor &color, const ThemeColors &colors);

// `over` laid on `under` with opacity `amount` (0 to 1).
QColor blend(const QColor &under, const QColor &over, double amount);

// The palette Atelier's dark theme uses (Fusion's widgets on it).
QPalette darkPalette();

enum class TextTone { Problem, Warning };
// Colours a label's text for its tone, and again whenever the theme changes.
void setTextTone(QWidget *label, TextTone tone);

// Keeps the application in the theme the settings choose: "light", "dark", or "system", which follows the
// desktop's light or dark preference (and its own palette where that preference matches it or is not told).
// Applied at once when the settings change or the desktop switches, without a restart.
class ThemeController : public QObject
{
    Q_OBJECT
public:
    ThemeController(QApplication &application, settings::SettingsStore &settings, DesktopColorScheme *desktop,
                    QObject *parent = nullptr);

    bool dark() const;

signals:
    void applied(bool dark);

private:
    void apply();
    void useStyle(const QString &name);

    QApplication &m_application;
    settings::SettingsStore &m_settings;
    DesktopColorScheme *m_desktop;
    // What the desktop gave before Atelier changed anything.
    QString m_desktopStyle;
    bool m_desktopPaletteDark = false;
    QString m_applied;
};

} // namespace atelier::ui
