#include "core/settings/app_root.h"

#include <QtTest>

using namespace atelier::settings;

class TestAppRoot : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QCoreApplication::setApplicationName(QStringLiteral("atelier")); }

    void commandLineBeatsEnvironmentBeatsDefault_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("environment");
        QTest::addColumn<QString>("expectedPath");
        QTest::addColumn<int>("expectedOrigin");
        QTest::newRow("flag wins") << "/tmp/from-flag" << "/tmp/from-env" << "/tmp/from-flag"
                                   << int(RootOrigin::CommandLine);
        QTest::newRow("environment when no flag") << "" << "/tmp/from-env" << "/tmp/from-env"
                                                  << int(RootOrigin::Environment);
        QTest::newRow("blank flag ignored") << "  " << "/tmp/from-env" << "/tmp/from-env"
                                            << int(RootOrigin::Environment);
        QTest::newRow("default when neither") << "" << "" << defaultRootPath() << int(RootOrigin::Default);
        QTest::newRow("paths are cleaned") << "/tmp/a/../b/" << "" << "/tmp/b" << int(RootOrigin::CommandLine);
    }

    void commandLineBeatsEnvironmentBeatsDefault()
    {
        QFETCH(QString, flag);
        QFETCH(QString, environment);
        QFETCH(QString, expectedPath);
        QFETCH(int, expectedOrigin);
        const RootChoice choice = chooseRoot(flag, environment);
        QCOMPARE(choice.path, expectedPath);
        QCOMPARE(int(choice.origin), expectedOrigin);
    }

    void relativeRootIsMadeAbsolute()
    {
        const RootChoice choice = chooseRoot(QStringLiteral("some/root"), QString());
        QVERIFY(QDir::isAbsolutePath(choice.path));
        QCOMPARE(choice.path, QDir::cleanPath(QDir::current().absoluteFilePath(QStringLiteral("some/root"))));
    }

    void defaultIsUnderTheUsersDataFolder()
    {
        QVERIFY2(defaultRootPath().endsWith(QStringLiteral("/atelier")), qPrintable(defaultRootPath()));
    }

    void firstStartCreatesTheLayout()
    {
        QTemporaryDir dir;
        const QString rootPath = dir.filePath(QStringLiteral("nested/new-root"));
        const auto root = AppRoot::open(rootPath);
        QVERIFY2(root.ok(), qPrintable(root.error()));
        QCOMPARE(root->path(), rootPath);
        for (const QString &folder : {root->defaultModelsDir(), root->cacheDir(), root->outputsDir(),
                                      root->workflowsDir(), root->logsDir()})
            QVERIFY2(QFileInfo(folder).isDir(), qPrintable(folder));
        QCOMPARE(root->databasePath(), rootPath + QStringLiteral("/atelier.db"));
        QCOMPARE(root->settingsPath(), rootPath + QStringLiteral("/settings.json"));
        // Opening again is harmless and leaves no stray files.
        QVERIFY(AppRoot::open(rootPath).ok());
        QCOMPARE(QDir(rootPath).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void rootThatIsAFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-a-folder"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x");
        file.close();
        const auto root = AppRoot::open(path);
        QVERIFY(!root.ok());
        QVERIFY2(root.error().contains(path) && root.error().contains(QStringLiteral("not a folder")),
                 qPrintable(root.error()));
    }

    void uncreatableRootIsRefusedWithAReason()
    {
        // A parent that is a file cannot hold folders, whoever runs the test (root ignores permissions).
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("blocker"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const auto root = AppRoot::open(blocker + QStringLiteral("/inner"));
        QVERIFY(!root.ok());
        QVERIFY2(root.error().contains(QStringLiteral("Cannot create")) && root.error().contains(blocker),
                 qPrintable(root.error()));
    }

    void resolvesRelativePathsAgainstTheRoot()
    {
        QTemporaryDir dir;
        const auto root = AppRoot::open(dir.path());
        QVERIFY(root.ok());
        QCOMPARE(root->resolve(QStringLiteral("models/sd-1")), dir.path() + QStringLiteral("/models/sd-1"));
        QCOMPARE(root->resolve(QStringLiteral("/elsewhere/models")), QStringLiteral("/elsewhere/models"));
    }
};

QTEST_GUILESS_MAIN(TestAppRoot)
#include "test_app_root.moc"
