#pragma once

// The desktop's light or dark preference, as the freedesktop settings portal publishes it
// (org.freedesktop.appearance color-scheme: GNOME's, KDE's and other desktops' "dark style" switch), followed
// while Atelier runs. Qt 6.4 reads the desktop's palette but not that preference.
#include <QDBusConnection>
#include <QDBusVariant> // complete for moc: QtDBus matches the slot's parameter types
#include <QObject>

namespace atelier::ui {

class DesktopColorScheme : public QObject
{
    Q_OBJECT
public:
    enum class Preference { None, Dark, Light };
    Q_ENUM(Preference)

    // Asks `bus` (the session bus in the application) without waiting: preference() is None until the portal
    // answers, and stays None where there is no portal.
    explicit DesktopColorScheme(QDBusConnection bus = QDBusConnection::sessionBus(), QObject *parent = nullptr);

    Preference preference() const { return m_preference; }
    // Gives the first answer up to `milliseconds` to arrive, so that a window about to open starts in the
    // desktop's scheme instead of switching after its first paint. Events are handled meanwhile.
    void waitForAnswer(int milliseconds);

signals:
    void preferenceChanged(atelier::ui::DesktopColorScheme::Preference preference);
    void answered();

public slots: // QtDBus delivers signals to public slots only
    void settingChanged(const QString &group, const QString &key, const QDBusVariant &value);

private:
    void take(const QVariant &value);

    QDBusConnection m_bus;
    Preference m_preference = Preference::None;
    bool m_asking = false;
};

} // namespace atelier::ui
