#include "cli_runner.h"
#include "tests/fixtures.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>

#include <unistd.h>

using nlohmann::json;

namespace {

QProcessEnvironment environmentWithoutRoot()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("ATELIER_ROOT"));
    return environment;
}

json parseInfo(const CliRun &run)
{
    const json parsed = json::parse(run.out.toStdString(), nullptr, false);
    if (parsed.is_discarded())
        qWarning() << "not JSON:" << run.out << run.err;
    return parsed;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void infoJsonHasTheDocumentedFields()
    {
        QTemporaryDir dir;
        const CliRun run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info"), QStringLiteral("--json")},
                                      environmentWithoutRoot());
        QCOMPARE(run.exitCode, 0);
        const json info = parseInfo(run);
        QVERIFY(info.is_object());
        QCOMPARE(QString::fromStdString(info.at("root").get<std::string>()), dir.path());
        QCOMPARE(QString::fromStdString(info.at("database").get<std::string>()), dir.path() + "/atelier.db");
        QCOMPARE(QString::fromStdString(info.at("models_dir").get<std::string>()), dir.path() + "/models");
        QVERIFY(!info.at("libtorch_version").get<std::string>().empty());
        QVERIFY(info.at("devices").is_array());
        QCOMPARE(info.at("devices").at(0).at("id").get<std::string>(), std::string("cpu"));
        QVERIFY(!info.at("devices").at(0).at("name").get<std::string>().empty());
        QCOMPARE(info.at("library").at("models").get<int>(), 0);
        QVERIFY(info.at("library").at("error").is_null());
        // The model cache's budgets, automatic by default: half this machine's memory less 2 GiB (at least a
        // quarter of it), and each GPU's memory less the working reserve (-1, resolved by the engine per card).
        const std::int64_t physical = std::int64_t(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
        QCOMPARE(info.at("model_cache").at("ram_bytes").get<std::int64_t>(),
                 std::max(physical / 2 - (std::int64_t(2) << 30), physical / 4));
        QCOMPARE(info.at("model_cache").at("device_bytes").get<std::int64_t>(), std::int64_t(-1));
        // First start made the layout.
        QVERIFY(QFileInfo(dir.path() + "/models").isDir());
        QVERIFY(QFileInfo(dir.path() + "/settings.json").isFile());
        QVERIFY(QFileInfo(dir.path() + "/logs/atelier.log").isFile());
    }

    void rootFlagBeatsEnvironmentBeatsDefault()
    {
        QTemporaryDir flagRoot, envRoot, home;
        QProcessEnvironment environment = environmentWithoutRoot();
        environment.insert(QStringLiteral("ATELIER_ROOT"), envRoot.path());
        const auto rootOf = [](const CliRun &run) {
            return QString::fromStdString(json::parse(run.out.toStdString()).at("root").get<std::string>());
        };
        QCOMPARE(rootOf(runAtelier({QStringLiteral("--root"), flagRoot.path(), QStringLiteral("info"), QStringLiteral("--json")},
                                   environment)),
                 flagRoot.path());
        QCOMPARE(rootOf(runAtelier({QStringLiteral("info"), QStringLiteral("--json")}, environment)), envRoot.path());

        QProcessEnvironment bare = environmentWithoutRoot();
        bare.insert(QStringLiteral("HOME"), home.path());
        bare.remove(QStringLiteral("XDG_DATA_HOME"));
        QCOMPARE(rootOf(runAtelier({QStringLiteral("info"), QStringLiteral("--json")}, bare)),
                 home.path() + QStringLiteral("/.local/share/atelier"));
    }

    void infoTextNamesEveryPlace()
    {
        QTemporaryDir dir;
        const CliRun run = runAtelier({QStringLiteral("info"), QStringLiteral("--root"), dir.path()}, environmentWithoutRoot());
        // --root after the command is the command's business: info does not know it.
        QCOMPARE(run.exitCode, 2);
        const CliRun good = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info")}, environmentWithoutRoot());
        QCOMPARE(good.exitCode, 0);
        for (const char *label : {"root", "database", "models folder", "libtorch", "devices", "compute"})
            QVERIFY2(good.out.contains(label), label);
    }

    // The commands speak English, with whole plurals, whatever the desktop's and the window's language.
    void infoSpeaksEnglishInAGermanSetting()
    {
        QTemporaryDir dir;
        QFile settings(dir.filePath(QStringLiteral("settings.json")));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write(R"({"language": "de"})");
        settings.close();
        QProcessEnvironment german = environmentWithoutRoot();
        german.insert(QStringLiteral("LANG"), QStringLiteral("de_DE.UTF-8"));
        german.insert(QStringLiteral("LC_ALL"), QStringLiteral("de_DE.UTF-8"));
        const CliRun run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info")}, german);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("compute"), run.out.constData());
        QVERIFY2(run.out.contains("CPU (") && run.out.contains(" thread"), run.out.constData());
        QVERIFY2(!run.out.contains("(s)") && !run.out.contains("Threads"), run.out.constData());
    }

    void versionAndHelp()
    {
        const CliRun version = runAtelier({QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out.trimmed(), QByteArray("atelier " ATELIER_VERSION_FOR_TEST));
        QVERIFY2(version.err.isEmpty(), version.err.constData());
        const CliRun help = runAtelier({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("info"));
        QVERIFY(help.out.contains("--root"));
        const CliRun infoHelp = runAtelier({QStringLiteral("info"), QStringLiteral("--help")});
        QCOMPARE(infoHelp.exitCode, 0);
        QVERIFY(infoHelp.out.contains("--json"));
    }

    // The window opens on a fresh root, paints, and closes without crashing (the library's services outlive the
    // panels that hold them).
    void theWindowOpensAndClosesCleanly()
    {
        QTemporaryDir dir;
        QProcessEnvironment environment = environmentWithoutRoot();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("ATELIER_EXIT_AFTER_FIRST_PAINT"), QStringLiteral("1"));
        const CliRun run = runAtelier({QStringLiteral("--root"), dir.path()}, environment);
        QVERIFY2(run.err.contains("first paint"), run.err.constData());
        QCOMPARE(run.exitCode, 0);
    }

    // Commands that run no model never open the engine's library; those that need it say why it is missing.
    void onlyCommandsThatRunModelsNeedTheEngine()
    {
        QTemporaryDir dir;
        QProcessEnvironment environment = environmentWithoutRoot();
        environment.insert(QStringLiteral("ATELIER_ENGINE_LIBRARY"), dir.filePath(QStringLiteral("missing.so")));
        const QString png = QDir(fixturesDir()).filePath(QStringLiteral("corpus/png/a1111/sdmeta_sd-webui.png"));
        CliRun run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("inspect"), png}, environment);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("A1111") && run.out.contains("hatsune miku"), run.out.constData());
        run = runAtelier({QStringLiteral("--version")}, environment);
        QCOMPARE(run.exitCode, 0);
        run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info")}, environment);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("missing.so: not found"), run.out.constData());
        run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("generate"), QStringLiteral("--model"),
                          QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")),
                          QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--out"),
                          dir.filePath(QStringLiteral("x.png"))},
                         environment);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("the inference engine cannot be loaded") && run.err.contains("missing.so"),
                 run.err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.png"))));
        QFile notALibrary(dir.filePath(QStringLiteral("missing.so")));
        QVERIFY(notALibrary.open(QIODevice::WriteOnly));
        notALibrary.write("not an ELF file");
        notALibrary.close();
        run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info")}, environment);
        QVERIFY2(run.out.contains("missing.so:") && !run.out.contains("not found"), run.out.constData());
    }

    void verboseShowsDebugMessages()
    {
        QTemporaryDir dir;
        const CliRun quiet = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info")}, environmentWithoutRoot());
        const CliRun verbose = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("--verbose"), QStringLiteral("info")},
                                          environmentWithoutRoot());
        QCOMPARE(quiet.exitCode, 0);
        QCOMPARE(verbose.exitCode, 0);
        QVERIFY2(quiet.err.isEmpty(), quiet.err.constData());
        QVERIFY2(verbose.err.contains("on root"), verbose.err.constData());
    }

    void usageErrorsExitWithTwoAndSayWhy()
    {
        QTemporaryDir dir;
        const CliRun unknown = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("unknown command 'frobnicate'"));
        const CliRun badOption = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info"), QStringLiteral("--colour")});
        QCOMPARE(badOption.exitCode, 2);
        QVERIFY(badOption.err.contains("colour"));
        const CliRun badGlobal = runAtelier({QStringLiteral("--no-such-flag")});
        QCOMPARE(badGlobal.exitCode, 2);
    }

    // `atelier FILE` is the window with that graph, not an unknown command; a file that is not there still is one.
    void aFileOpensTheWindow()
    {
        QTemporaryDir dir;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("ATELIER_EXIT_AFTER_FIRST_PAINT"), QStringLiteral("1"));
        const QString image = QDir(fixturesDir()).filePath(QStringLiteral("corpus/comfyui/lora_lora.png"));
        const CliRun opened = runAtelier({QStringLiteral("--root"), dir.path(), image}, environment);
        QCOMPARE(opened.exitCode, 0);
        QVERIFY2(opened.err.contains("first paint"), opened.err.constData());
        const CliRun missing =
            runAtelier({QStringLiteral("--root"), dir.path(), dir.filePath(QStringLiteral("gone.png"))});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("unknown command"));
    }

    void rootThatCannotBeUsedFailsClearly()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("plain-file"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const CliRun run = runAtelier({QStringLiteral("--root"), file, QStringLiteral("info")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("not a folder"), run.err.constData());
    }

    void infoReportsALibraryItMustNotTouch()
    {
        QTemporaryDir dir;
        QFile db(dir.filePath(QStringLiteral("atelier.db")));
        QVERIFY(db.open(QIODevice::WriteOnly));
        db.write("someone else's notes");
        db.close();
        const CliRun run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info"), QStringLiteral("--json")},
                                      environmentWithoutRoot());
        QCOMPARE(run.exitCode, 0);
        const json info = parseInfo(run);
        QVERIFY(info.at("library").at("models").is_null());
        QVERIFY(info.at("library").at("error").get<std::string>().find("not an SQLite database") != std::string::npos);
        QVERIFY(db.open(QIODevice::ReadOnly));
        QCOMPARE(db.readAll(), QByteArray("someone else's notes"));
    }

    void brokenSettingsFileIsReportedAndKept()
    {
        QTemporaryDir dir;
        QFile settings(dir.filePath(QStringLiteral("settings.json")));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write("{ this is not json");
        settings.close();
        const CliRun run = runAtelier({QStringLiteral("--root"), dir.path(), QStringLiteral("info"), QStringLiteral("--json")},
                                      environmentWithoutRoot());
        QCOMPARE(run.exitCode, 0);
        QVERIFY(parseInfo(run).is_object());
        QVERIFY2(run.err.contains("not valid JSON"), run.err.constData());
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("settings.json.invalid-*")}).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
