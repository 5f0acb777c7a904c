#include "core/nodes/built_in_nodes.h"
#include "core/settings/settings_store.h"
#include "tests/ui/test_library.h"
#include "ui/common/desktop_color_scheme.h"
#include "ui/common/theme.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_item.h"
#include "ui/graph/prompt_editor.h"
#include "ui/shell/main_window.h"
#include "ui/shell/settings_dialog.h"

#include <QApplication>
#include <QComboBox>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTextBlock>
#include <QTextLayout>
#include <QtTest>

using namespace atelier;

namespace {

const std::vector<engine::DeviceInfo> kDevices{{engine::DeviceKind::Cpu, 0, "cpu", "CPU (2 threads)"}};

// The colour most of `image` has: the ground a view or item is painted on.
QColor mostCommonColor(const QImage &image)
{
    QHash<QRgb, int> counts;
    const QImage pixels = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < pixels.height(); ++y)
        for (int x = 0; x < pixels.width(); ++x)
            ++counts[pixels.pixel(x, y)];
    QRgb most = 0;
    int best = -1;
    for (auto count = counts.constBegin(); count != counts.constEnd(); ++count)
        if (count.value() > best)
            most = count.key(), best = count.value();
    return QColor(most);
}

QColor canvasGround(ui::GraphView *view)
{
    return mostCommonColor(view->viewport()->grab().toImage());
}

// A node as the canvas shows it (below its title bar), brought into view.
QColor nodeGround(ui::GraphView *view, const QString &type)
{
    for (QGraphicsItem *item : view->scene()->items())
        if (auto *node = dynamic_cast<ui::NodeItem *>(item); node && node->node().type == type) {
            view->centerOn(node);
            const QRect area = view->mapFromScene(node->sceneBoundingRect().adjusted(4, 40, -4, -4)).boundingRect();
            return mostCommonColor(view->viewport()->grab(area & view->viewport()->rect()).toImage());
        }
    return {};
}

QColor firstMarkColor(ui::PromptEditor &editor)
{
    const QTextBlock block = editor.editor()->document()->firstBlock();
    const QVector<QTextLayout::FormatRange> formats = block.layout()->formats();
    return formats.isEmpty() ? QColor() : formats.first().format.foreground().color();
}

QPalette fusionLight()
{
    std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    return fusion->standardPalette();
}

// A stand-in for the freedesktop settings portal (xdg-desktop-portal), served on a private bus.
class FakePortal : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")
public:
    uint scheme = 0;
    bool wrapTwice = false; // as portals before 1.15 answer Read

public slots:
    QDBusVariant Read(const QString &group, const QString &key)
    {
        if (group != QLatin1String("org.freedesktop.appearance") || key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant());
        return wrapTwice ? QDBusVariant(QVariant::fromValue(QDBusVariant(scheme))) : QDBusVariant(scheme);
    }
};

// What the portal broadcasts when a desktop setting changes.
void announce(const QDBusConnection &portal, const QString &group, const QString &key, const QDBusVariant &value)
{
    QDBusMessage signal =
        QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/portal/desktop"),
                                   QStringLiteral("org.freedesktop.portal.Settings"), QStringLiteral("SettingChanged"));
    signal << group << key << QVariant::fromValue(value);
    QVERIFY(portal.send(signal));
}

// dbus-daemon on a socket in a temporary folder, with a policy that lets the test own any name.
class PrivateBus
{
public:
    bool start()
    {
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            return false;
        QFile config(m_dir.filePath(QStringLiteral("bus.conf")));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        // No DOCTYPE: dbus-daemon does not need one.
        config.write(QStringLiteral("<busconfig><type>session</type><listen>unix:dir=%1</listen>"
                                    "<auth>EXTERNAL</auth><policy context='default'>"
                                    "<allow send_destination='*' eavesdrop='true'/><allow eavesdrop='true'/>"
                                    "<allow own='*'/></policy></busconfig>")
                         .arg(m_dir.path())
                         .toUtf8());
        config.close();
        m_daemon.start(daemon, {QStringLiteral("--config-file=") + config.fileName(), QStringLiteral("--nofork"),
                                QStringLiteral("--print-address=1")});
        if (!m_daemon.waitForStarted(5000))
            return false;
        while (!m_daemon.canReadLine() && m_daemon.waitForReadyRead(5000)) {
        }
        address = QString::fromUtf8(m_daemon.readLine()).trimmed();
        return !address.isEmpty();
    }
    ~PrivateBus()
    {
        m_daemon.terminate();
        m_daemon.waitForFinished(5000);
    }

    QString address;

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
};

} // namespace

// Light and dark themes, switched while the window is open: the widgets' palette, the node canvas Atelier paints
// itself, coloured status text and the prompt highlighting all follow; "system" goes back to the desktop's look,
// and follows the desktop's light or dark preference, read from the settings portal over D-Bus.
class TestTheme : public QObject
{
    Q_OBJECT

    QColor m_desktopWindow;
    QString m_desktopStyle;

    void choose(settings::SettingsStore &store, const QString &theme, QWidget *parent)
    {
        // As the artist does: File → Settings, Theme, OK.
        ui::SettingsDialog dialog(store, kDevices, parent);
        auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("themeCombo"));
        QVERIFY(combo);
        QCOMPARE(combo->currentData().toString(), store.current().theme);
        combo->setCurrentIndex(combo->findData(theme));
        QVERIFY(combo->currentIndex() >= 0);
        dialog.accept();
        QCOMPARE(store.current().theme, theme);
    }

private slots:
    void initTestCase()
    {
        m_desktopWindow = QApplication::palette().color(QPalette::Window);
        m_desktopStyle = QApplication::style()->name();
        // The offscreen platform's palette is light: the test of "system" reads a light desktop.
        QVERIFY(!ui::isDark(QApplication::palette()));
    }

    void themeSwitchesWithoutRestart()
    {
        QTemporaryDir dir;
        auto root = settings::AppRoot::open(dir.path());
        QVERIFY(root.ok());
        settings::SettingsStore store(root.value());
        store.load();
        ui::ThemeController theme(*qApp, store, nullptr);
        QVERIFY(!theme.dark());

        TestLibrary library;
        QVERIFY(library.opened);
        ui::MainWindow window(store);
        window.setLibraryServices(*library.store, *library.installer);
        window.setGraphServices(nodes::builtInNodes({}));
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ui::GraphView *view = window.graphEditor()->currentView();
        QVERIFY(view);
        // A label coloured as a problem, and the prompt editor's highlighting, open while the theme changes.
        QLabel problem(QStringLiteral("The file is damaged."), &window);
        ui::setTextTone(&problem, ui::TextTone::Problem);
        ui::PromptEditor prompt(QStringLiteral("prompt"), QStringLiteral("(cat) at night"), &window);
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));

        const ui::ThemeColors &dark = ui::themeColors(ui::darkPalette());
        const ui::ThemeColors &light = ui::themeColors(fusionLight());
        QVERIFY(dark.dark && !light.dark);
        QCOMPARE(canvasGround(view), light.canvas);
        const QColor lightMark = firstMarkColor(prompt);

        QSignalSpy applied(&theme, &ui::ThemeController::applied);
        choose(store, QStringLiteral("dark"), &window);
        QCOMPARE(applied.count(), 1);
        QVERIFY(theme.dark());
        QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
        QCOMPARE(QApplication::palette().color(QPalette::Window), ui::darkPalette().color(QPalette::Window));
        // Widgets follow the palette; what Atelier paints itself follows with them.
        QTRY_COMPARE(window.palette().color(QPalette::Window), ui::darkPalette().color(QPalette::Window));
        QCOMPARE(view->palette().color(QPalette::Base), ui::darkPalette().color(QPalette::Base));
        QCOMPARE(canvasGround(view), dark.canvas);
        QCOMPARE(nodeGround(view, QStringLiteral("VAEDecode")), dark.nodeBody);
        QTRY_COMPARE(problem.palette().color(QPalette::WindowText), dark.problemText);
        const QColor darkMark = firstMarkColor(prompt);
        QVERIFY(darkMark.isValid() && lightMark.isValid());
        QVERIFY(darkMark != lightMark);
        QVERIFY(darkMark.lightnessF() > lightMark.lightnessF());

        choose(store, QStringLiteral("light"), &window);
        QVERIFY(!theme.dark());
        QCOMPARE(QApplication::palette().color(QPalette::Window), fusionLight().color(QPalette::Window));
        QTRY_COMPARE(window.palette().color(QPalette::Window), fusionLight().color(QPalette::Window));
        QCOMPARE(canvasGround(view), light.canvas);
        QCOMPARE(nodeGround(view, QStringLiteral("VAEDecode")), light.nodeBody);
        QTRY_COMPARE(problem.palette().color(QPalette::WindowText), light.problemText);
        QCOMPARE(firstMarkColor(prompt), lightMark);

        // Back to the desktop's own style and palette.
        choose(store, QStringLiteral("dark"), &window);
        choose(store, QStringLiteral("system"), &window);
        QCOMPARE(QApplication::style()->name(), m_desktopStyle);
        QCOMPARE(QApplication::palette().color(QPalette::Window), m_desktopWindow);
        QTRY_COMPARE(window.palette().color(QPalette::Window), m_desktopWindow);
        QCOMPARE(canvasGround(view), light.canvas);
        // Saving other settings does not touch the theme.
        applied.clear();
        settings::Settings other = store.current();
        other.maxParallelDownloads = 2;
        QVERIFY(store.save(other).ok());
        QCOMPARE(applied.count(), 0);
    }

    void artistColoursStayReadable()
    {
        const ui::ThemeColors &light = ui::themeColors(fusionLight());
        const ui::ThemeColors &dark = ui::themeColors(ui::darkPalette());
        // ComfyUI's "red" node: a dark title on a dark canvas stays as chosen; on a light one it keeps its hue.
        const QColor title(QStringLiteral("#332222"));
        QCOMPARE(ui::shownArtistColor(title, dark), title);
        const QColor shown = ui::shownArtistColor(title, light);
        QVERIFY(shown.lightnessF() > 0.7);
        QCOMPARE(shown.hslHue(), title.hslHue());
        QCOMPARE(ui::textOn(shown).lightnessF() < 0.5, true);
        QCOMPARE(ui::textOn(title).lightnessF() > 0.5, true);
        QCOMPARE(ui::textOn(QColor(Qt::yellow)).lightnessF() < 0.5, true);
    }

    void followsTheDesktopsPreference()
    {
        PrivateBus bus;
        QVERIFY2(bus.start(), "dbus-daemon (Debian package dbus-daemon) must be installed for this test");
        QDBusConnection portalSide = QDBusConnection::connectToBus(bus.address, QStringLiteral("portal"));
        QDBusConnection appSide = QDBusConnection::connectToBus(bus.address, QStringLiteral("application"));
        QVERIFY(portalSide.isConnected() && appSide.isConnected());
        FakePortal portal;
        portal.scheme = 1; // prefer dark
        portal.wrapTwice = true;
        QVERIFY(portalSide.registerObject(QStringLiteral("/org/freedesktop/portal/desktop"), &portal,
                                          QDBusConnection::ExportAllSlots));
        QVERIFY(portalSide.registerService(QStringLiteral("org.freedesktop.portal.Desktop")));

        QTemporaryDir dir;
        auto root = settings::AppRoot::open(dir.path());
        QVERIFY(root.ok());
        settings::SettingsStore store(root.value());
        store.load();
        QCOMPARE(store.current().theme, QStringLiteral("system"));

        ui::DesktopColorScheme desktop(appSide);
        desktop.waitForAnswer(5000);
        QCOMPARE(desktop.preference(), ui::DesktopColorScheme::Preference::Dark);
        ui::ThemeController theme(*qApp, store, &desktop);
        QVERIFY(theme.dark());

        // The desktop switches to light: the desktop's own (light) palette again.
        QSignalSpy changed(&desktop, &ui::DesktopColorScheme::preferenceChanged);
        announce(portalSide, QStringLiteral("org.freedesktop.appearance"), QStringLiteral("color-scheme"),
                 QDBusVariant(2u));
        QVERIFY(changed.wait(5000));
        QCOMPARE(desktop.preference(), ui::DesktopColorScheme::Preference::Light);
        QVERIFY(!theme.dark());
        QCOMPARE(QApplication::palette().color(QPalette::Window), m_desktopWindow);

        // Other settings the portal announces change nothing: only the second announcement counts.
        announce(portalSide, QStringLiteral("org.gnome.desktop.interface"), QStringLiteral("color-scheme"),
                 QDBusVariant(1u));
        announce(portalSide, QStringLiteral("org.freedesktop.appearance"), QStringLiteral("color-scheme"),
                 QDBusVariant(0u));
        QVERIFY(changed.wait(5000));
        QTest::qWait(100); // a third change, which must not come, would arrive meanwhile
        QCOMPARE(changed.count(), 2);
        QCOMPARE(desktop.preference(), ui::DesktopColorScheme::Preference::None);
        announce(portalSide, QStringLiteral("org.freedesktop.appearance"), QStringLiteral("color-scheme"),
                 QDBusVariant(1u));
        QVERIFY(changed.wait(5000));
        QVERIFY(theme.dark());

        // An explicit choice wins over the desktop.
        settings::Settings chosen = store.current();
        chosen.theme = QStringLiteral("light");
        QVERIFY(store.save(chosen).ok());
        QVERIFY(!theme.dark());
        chosen.theme = QStringLiteral("system");
        QVERIFY(store.save(chosen).ok());
        QVERIFY(theme.dark());

        // "No preference" is the desktop's own look.
        announce(portalSide, QStringLiteral("org.freedesktop.appearance"), QStringLiteral("color-scheme"),
                 QDBusVariant(0u));
        QVERIFY(changed.wait(5000));
        QCOMPARE(desktop.preference(), ui::DesktopColorScheme::Preference::None);
        QVERIFY(!theme.dark());
        QCOMPARE(QApplication::style()->name(), m_desktopStyle);
    }

    void aBusWithoutAPortalAnswersAtOnce()
    {
        PrivateBus bus;
        QVERIFY2(bus.start(), "dbus-daemon (Debian package dbus-daemon) must be installed for this test");
        QDBusConnection appSide = QDBusConnection::connectToBus(bus.address, QStringLiteral("lonely"));
        QVERIFY(appSide.isConnected());
        ui::DesktopColorScheme desktop(appSide);
        QElapsedTimer timer;
        timer.start();
        desktop.waitForAnswer(5000);
        QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(desktop.preference(), ui::DesktopColorScheme::Preference::None);
        // No session bus at all (a bare machine, CI): None, without waiting.
        ui::DesktopColorScheme nowhere(QDBusConnection(QStringLiteral("never-connected")));
        timer.restart();
        nowhere.waitForAnswer(5000);
        QVERIFY(timer.elapsed() < 1000);
        QCOMPARE(nowhere.preference(), ui::DesktopColorScheme::Preference::None);
    }
};

QTEST_MAIN(TestTheme)
#include "test_theme.moc"
