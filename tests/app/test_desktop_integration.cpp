#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

// What desktops read from the package: the desktop entry and AppStream data pass their validators and agree on the
// file types Atelier opens, and the icon is there at every freedesktop size.
class TestDesktopIntegration : public QObject
{
    Q_OBJECT

    static QString packaging(const QString &name) { return QStringLiteral(ATELIER_SOURCE_DIR "/packaging/") + name; }

    static void validate(const QString &tool, const QStringList &arguments)
    {
        const QString program = QStandardPaths::findExecutable(tool);
        if (program.isEmpty())
            QFAIL(qPrintable(tool + QStringLiteral(" is missing: packaging/install-deps.sh installs it")));
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAll().constData());
    }

private slots:
    void desktopEntryAndAppStreamDataValidate()
    {
        validate(QStringLiteral("desktop-file-validate"), {packaging(QStringLiteral("org.atelier.Atelier.desktop"))});
        validate(QStringLiteral("appstreamcli"), {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                                  packaging(QStringLiteral("org.atelier.Atelier.metainfo.xml"))});
    }

    void bothNameTheFileTypesAtelierOpens()
    {
        QFile entry(packaging(QStringLiteral("org.atelier.Atelier.desktop")));
        QVERIFY(entry.open(QIODevice::ReadOnly));
        const QByteArray desktop = entry.readAll();
        QVERIFY(desktop.contains("Exec=atelier %f\n"));
        QFile metainfo(packaging(QStringLiteral("org.atelier.Atelier.metainfo.xml")));
        QVERIFY(metainfo.open(QIODevice::ReadOnly));
        const QByteArray appstream = metainfo.readAll();
        for (const QByteArray &type : {QByteArray("image/png"), QByteArray("application/json")}) {
            QVERIFY(desktop.contains(type + ';'));
            QVERIFY(appstream.contains("<mediatype>" + type + "</mediatype>"));
        }
    }

    void theIconIsRenderedAtEveryFreedesktopSize()
    {
        for (const int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
            const QImage icon(QStringLiteral(ATELIER_ICON_DIR "/%1x%1/apps/org.atelier.Atelier.png").arg(size));
            QCOMPARE(icon.size(), QSize(size, size));
            QVERIFY(icon.hasAlphaChannel());
            QVERIFY(icon.pixelColor(size / 2, size / 2).alpha() > 0); // something drawn in the middle
        }
    }
};

QTEST_MAIN(TestDesktopIntegration)
#include "test_desktop_integration.moc"
