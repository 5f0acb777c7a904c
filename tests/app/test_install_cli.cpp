#include "cli_runner.h"
#include "tests/fixtures.h"
#include "tests/install/hub_server.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

// `atelier install`, `atelier scan` and `atelier models rm --delete-files`, run as a user would.
class TestInstallCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;

    CliRun atelier(QStringList arguments)
    {
        arguments.prepend(m_root->path());
        arguments.prepend(QStringLiteral("--root"));
        return runAtelier(arguments);
    }

    static QString checkpoint() { return QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")); }

private slots:
    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void installsPrintsTheKeyAndRefusesADuplicate()
    {
        const CliRun first = atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--name"), QStringLiteral("Tiny one")});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const QByteArray key = first.out.trimmed();
        QCOMPARE(key.size(), 32);
        QVERIFY(QFile::exists(m_root->filePath(QStringLiteral("models/sd-1/main/tiny-sd1.safetensors"))));
        const CliRun shown = atelier({QStringLiteral("models"), QStringLiteral("show"), QString::fromLatin1(key)});
        QVERIFY2(shown.out.contains("Tiny one"), shown.out.constData());

        const CliRun again = atelier({QStringLiteral("install"), checkpoint()});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("already in the library") && again.err.contains(key), again.err.constData());
        const CliRun forced = atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--allow-duplicate")});
        QVERIFY2(forced.exitCode == 0, forced.err.constData());

        // --delete-files removes what the library holds; the original stays.
        const CliRun removed = atelier({QStringLiteral("models"), QStringLiteral("rm"), QString::fromLatin1(key), QStringLiteral("--delete-files")});
        QVERIFY2(removed.exitCode == 0, removed.err.constData());
        QVERIFY(!QFile::exists(m_root->filePath(QStringLiteral("models/sd-1/main/tiny-sd1.safetensors"))));
        QVERIFY(QFile::exists(checkpoint()));
    }

    void badSourcesAndOptionsSayWhy()
    {
        const CliRun nothing = atelier({QStringLiteral("install"), QStringLiteral("no such thing here")});
        QCOMPARE(nothing.exitCode, 1);
        QVERIFY2(nothing.err.contains("Hugging Face repo id"), nothing.err.constData());
        const CliRun badBase = atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--base"), QStringLiteral("sd-9")});
        QCOMPARE(badBase.exitCode, 2);
        QVERIFY2(badBase.err.contains("sd-9"), badBase.err.constData());
        const CliRun outside = atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--inplace")});
        QVERIFY2(outside.exitCode == 0, outside.err.constData());
        const CliRun refused = atelier({QStringLiteral("models"), QStringLiteral("rm"), QString::fromLatin1(outside.out.trimmed()), QStringLiteral("--delete-files")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("outside the models folder"), refused.err.constData());
        QVERIFY(QFile::exists(checkpoint()));
    }

    void installsFromTheConfiguredHuggingFaceEndpoint()
    {
        HubServer hub;
        QMap<QString, QByteArray> files;
        QFile weights(checkpoint());
        QVERIFY(weights.open(QIODevice::ReadOnly));
        files.insert(QStringLiteral("tiny-sd1.safetensors"), weights.readAll());
        hub.addRepo(QStringLiteral("atelier-test/tiny"), files, "hf_cli_token");
        QFile settings(m_root->filePath(QStringLiteral("settings.json")));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write(QStringLiteral(R"({"format": 1, "huggingface_endpoint": "%1"})").arg(hub.endpoint().toString()).toUtf8());
        settings.close();

        const CliRun refused = atelier({QStringLiteral("install"), QStringLiteral("atelier-test/tiny")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("401"), refused.err.constData());
        const CliRun installed = atelier({QStringLiteral("install"), QStringLiteral("atelier-test/tiny"), QStringLiteral("--token"), QStringLiteral("hf_cli_token")});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
        QVERIFY(QFile::exists(m_root->filePath(QStringLiteral("models/sd-1/main/tiny-sd1.safetensors"))));
    }

    // `atelier resolve`: a hash or name the library has; a hash it lacks, looked up on (a local) Civitai only when
    // asked, and installed from there with its SHA-256 checked.
    void resolvesHashesInTheLibraryThenOnCivitai()
    {
        HubServer hub;
        QFile lora(
            QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors")));
        QVERIFY(lora.open(QIODevice::ReadOnly));
        const QByteArray loraBytes = lora.readAll();
        hub.addCivitaiModel(58390, 62833, QStringLiteral("add_detail.safetensors"), loraBytes, QByteArray("cover"));
        QFile settings(m_root->filePath(QStringLiteral("settings.json")));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write(QStringLiteral(R"({"format": 1, "civitai_endpoint": "%1"})")
                           .arg(hub.civitaiEndpoint().toString())
                           .toUtf8());
        settings.close();
        const QString sha256 =
            QString::fromLatin1(QCryptographicHash::hash(loraBytes, QCryptographicHash::Sha256).toHex());

        QVERIFY(atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--name"), QStringLiteral("Tiny one")})
                    .exitCode == 0);
        const CliRun byName = atelier({QStringLiteral("resolve"), QStringLiteral("Tiny one")});
        QVERIFY2(byName.exitCode == 0 && byName.out.contains("in the library: Tiny one (sd-1 main"),
                 byName.out.constData());

        const CliRun offline = atelier({QStringLiteral("resolve"), sha256.left(10)});
        QCOMPARE(offline.exitCode, 1);
        QVERIFY2(offline.err.contains("--online"), offline.err.constData());
        const CliRun looked =
            atelier({QStringLiteral("resolve"), QStringLiteral("sha256:") + sha256, QStringLiteral("--online")});
        QVERIFY2(looked.exitCode == 0, looked.err.constData());
        QVERIFY2(looked.out.contains("on Civitai: Detail Tweaker LoRA (sd-1)") && looked.out.contains("(this hash)") &&
                     looked.out.contains("atelier install"),
                 looked.out.constData());
        const CliRun unknown =
            atelier({QStringLiteral("resolve"), QStringLiteral("0123456789"), QStringLiteral("--online")});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("Civitai has no model file with the hash"), unknown.err.constData());

        const CliRun installed =
            atelier({QStringLiteral("resolve"), sha256.left(10).toUpper(), QStringLiteral("--online"),
                     QStringLiteral("--install"), QStringLiteral("--json")});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
        const nlohmann::json answer = nlohmann::json::parse(installed.out.toStdString());
        QCOMPARE(answer.at("civitai").at("files").at(0).at("sha256").get<std::string>(), sha256.toStdString());
        QCOMPARE(answer.at("installed").get<std::string>().size(), std::size_t(32));
        const CliRun known = atelier({QStringLiteral("resolve"), sha256.left(10)});
        QVERIFY2(known.exitCode == 0 && known.out.contains("in the library: Detail Tweaker LoRA"),
                 known.out.constData());
    }

    // `atelier import-library`: a ComfyUI folder registered in place, its folders watched from then on; again, nothing
    // new.
    void importsAnotherToolsLibraryInPlace()
    {
        QTemporaryDir tools;
        const QString checkpoints = tools.filePath(QStringLiteral("ComfyUI/models/checkpoints"));
        QDir().mkpath(checkpoints);
        QVERIFY(QFile::copy(checkpoint(), checkpoints + QStringLiteral("/tiny.safetensors")));
        const CliRun dry = atelier(
            {QStringLiteral("import-library"), tools.filePath(QStringLiteral("ComfyUI")), QStringLiteral("--dry-run")});
        QVERIFY2(dry.exitCode == 0 && dry.out.contains("ComfyUI · checkpoints") && dry.out.contains("1 models"),
                 dry.out.constData());
        const CliRun imported = atelier(
            {QStringLiteral("import-library"), tools.filePath(QStringLiteral("ComfyUI")), QStringLiteral("--json")});
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        const nlohmann::json report = nlohmann::json::parse(imported.out.toStdString());
        QCOMPARE(report.at("registered").size(), std::size_t(1));
        QCOMPARE(report.at("fully_hashed").get<int>(), 1);
        QFile settings(m_root->filePath(QStringLiteral("settings.json")));
        QVERIFY(settings.open(QIODevice::ReadOnly));
        const nlohmann::json saved = nlohmann::json::parse(settings.readAll().toStdString());
        QCOMPARE(saved.at("watched_model_folders").at(0).get<std::string>(),
                 QDir::cleanPath(checkpoints).toStdString());
        const CliRun shown = atelier({QStringLiteral("models"), QStringLiteral("list")});
        QVERIFY2(shown.out.contains("tiny"), shown.out.constData());
        QVERIFY(!QFile::exists(m_root->filePath(QStringLiteral("models/sd-1/main/tiny.safetensors"))));
        const CliRun again = atelier({QStringLiteral("import-library"), tools.filePath(QStringLiteral("ComfyUI"))});
        QVERIFY2(again.exitCode == 0 && again.out.contains("0 registered, 1 already in the library"),
                 again.out.constData());
        const CliRun nothing = atelier({QStringLiteral("import-library"), tools.filePath(QStringLiteral("nowhere"))});
        QCOMPARE(nothing.exitCode, 1);
        QVERIFY2(nothing.err.contains("no ComfyUI"), nothing.err.constData());
    }

    void scansAFolder()
    {
        QTemporaryDir folder;
        QVERIFY(QFile::copy(checkpoint(), folder.filePath(QStringLiteral("a.safetensors"))));
        QDir().mkpath(folder.filePath(QStringLiteral("deeper")));
        QFile junk(folder.filePath(QStringLiteral("deeper/notes.txt")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a model");
        junk.close();
        const CliRun scanned = atelier({QStringLiteral("scan"), folder.path()});
        QVERIFY2(scanned.exitCode == 0, scanned.err.constData());
        QVERIFY2(scanned.err.contains("1 added"), scanned.err.constData());
        QVERIFY(scanned.out.contains(folder.filePath(QStringLiteral("a.safetensors")).toUtf8()));
        const CliRun again = atelier({QStringLiteral("scan"), folder.path()});
        QVERIFY2(again.err.contains("0 added, 1 already in the library"), again.err.constData());
        // A copy of that model elsewhere is the same model: already in the library, not a failure.
        QTemporaryDir copies;
        QVERIFY(QFile::copy(checkpoint(), copies.filePath(QStringLiteral("copy of a.safetensors"))));
        const CliRun copy = atelier({QStringLiteral("scan"), copies.path()});
        QVERIFY2(copy.exitCode == 0, copy.err.constData());
        QVERIFY2(copy.err.contains("0 added, 1 already in the library, 0 failed"), copy.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestInstallCli)
#include "test_install_cli.moc"
