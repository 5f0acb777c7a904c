#include "ui/common/desktop_color_scheme.h"

#include "core/logging/log.h"

#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QEventLoop>
#include <QTimer>

namespace atelier::ui {

namespace {

const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kSettingsInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString kAppearance = QStringLiteral("org.freedesktop.appearance");
const QString kColorScheme = QStringLiteral("color-scheme");

// Older portals answer Read with the value wrapped in a second variant.
QVariant unwrapped(QVariant value)
{
    while (value.canConvert<QDBusVariant>() && value.userType() == qMetaTypeId<QDBusVariant>())
        value = qvariant_cast<QDBusVariant>(value).variant();
    return value;
}

} // namespace

DesktopColorScheme::DesktopColorScheme(QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_bus(std::move(bus))
{
    if (!m_bus.isConnected())
        return;
    // Makes QtDBus register its own types first: without that, Qt 6.4 cannot match the slot's QDBusVariant and the
    // connection fails.
    QDBusMetaType::typeToSignature(QMetaType::fromType<QDBusVariant>());
    if (!m_bus.connect(kPortalService, kPortalPath, kSettingsInterface, QStringLiteral("SettingChanged"), this,
                       SLOT(settingChanged(QString, QString, QDBusVariant))))
        qCWarning(lcUi) << "the desktop's light or dark switch will not be followed:" << m_bus.lastError().message();
    // Asked without waiting: a desktop without a portal must not hold the window back.
    QDBusMessage read =
        QDBusMessage::createMethodCall(kPortalService, kPortalPath, kSettingsInterface, QStringLiteral("Read"));
    read << kAppearance << kColorScheme;
    m_asking = true;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(read, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusPendingReply<QDBusVariant> reply = *call;
        if (!reply.isError())
            take(reply.value().variant());
        m_asking = false;
        emit answered();
    });
}

void DesktopColorScheme::waitForAnswer(int milliseconds)
{
    if (!m_asking)
        return;
    QEventLoop loop;
    connect(this, &DesktopColorScheme::answered, &loop, &QEventLoop::quit);
    QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
    loop.exec();
}

void DesktopColorScheme::settingChanged(const QString &group, const QString &key, const QDBusVariant &value)
{
    if (group == kAppearance && key == kColorScheme)
        take(value.variant());
}

void DesktopColorScheme::take(const QVariant &value)
{
    // 1: prefer dark, 2: prefer light, anything else: no preference.
    bool isNumber = false;
    const uint scheme = unwrapped(value).toUInt(&isNumber);
    const Preference preference = !isNumber     ? Preference::None
                                  : scheme == 1 ? Preference::Dark
                                  : scheme == 2 ? Preference::Light
                                                : Preference::None;
    if (preference == m_preference)
        return;
    m_preference = preference;
    emit preferenceChanged(preference);
}

} // namespace atelier::ui
