#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

// The translation files hold every string the sources show: lupdate, run over the same sources as the build's
// update_translations target, changes nothing in them. After changing a user-visible string, run
// `cmake --build build/dev --target update_translations` and translate what it adds.
class TestTranslations : public QObject
{
    Q_OBJECT

    static void run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        QVERIFY(process.waitForFinished(120000));
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 process.readAll().constData());
    }

private slots:
    void translationFilesAreUpToDateWithTheSources()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("project.json"));
        run(QStringLiteral(CMAKE_COMMAND),
            {QStringLiteral("-DIN_FILE=" LUPDATE_PROJECT_IN), QStringLiteral("-DOUT_FILE=") + project,
             QStringLiteral("-P"), QStringLiteral(LUPDATE_PROJECT_SCRIPT)});
        const QDir translations(QStringLiteral(ATELIER_SOURCE_DIR "/translations"));
        const QStringList files = translations.entryList({QStringLiteral("*.ts")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile original(translations.filePath(name));
            QVERIFY(original.open(QIODevice::ReadOnly));
            const QByteArray committed = original.readAll();
            const QString copy = dir.filePath(name);
            QVERIFY(QFile::copy(translations.filePath(name), copy));
            QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
            run(QStringLiteral(LUPDATE_EXECUTABLE),
                {QStringLiteral("-project"), project, QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
                 QStringLiteral("none"), QStringLiteral("-ts"), copy});
            QFile updated(copy);
            QVERIFY(updated.open(QIODevice::ReadOnly));
            QVERIFY2(updated.readAll() == committed,
                     qPrintable(name + QStringLiteral(" is out of date with the sources: run the build's "
                                                      "update_translations target")));
        }
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "test_translations.moc"
