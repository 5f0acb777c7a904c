#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::settings;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList keptAside(const QString &folder, const QString &fileName)
{
    return QDir(folder).entryList({fileName + QStringLiteral(".invalid-*")}, QDir::Files);
}

} // namespace

class TestSettingsStore : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto root = AppRoot::open(m_dir->path());
        QVERIFY(root.ok());
        m_root = std::make_unique<AppRoot>(root.value());
    }

    void firstStartWritesDefaults()
    {
        SettingsStore store(*m_root);
        store.load();
        QVERIFY(store.warnings().isEmpty());
        QCOMPARE(store.current(), Settings());
        QCOMPARE(store.modelsDir(), m_root->defaultModelsDir());
        const auto written = nlohmann::json::parse(readFile(m_root->settingsPath()).toStdString());
        QCOMPARE(written.at("format").get<int>(), 1);
        QCOMPARE(written.at("max_parallel_downloads").get<int>(), 5);
        QVERIFY(!written.contains("huggingface_token"));
        QVERIFY(!QFile::exists(m_root->secretsPath()));
    }

    void roundTripsEveryField()
    {
        Settings changed;
        changed.modelsDir = QStringLiteral("/data/models ünïcode");
        changed.device = QStringLiteral("cuda:1");
        changed.precision = QStringLiteral("bf16");
        changed.ramCacheGb = 12.5;
        changed.vramCacheGb = 6.0;
        changed.downloadCacheGb = 50.0;
        changed.maxParallelDownloads = 3;
        changed.outputCacheEntries = 32;
        changed.outputCacheGb = 1.5;
        changed.huggingFaceEndpoint = QStringLiteral("http://127.0.0.1:8080");
        changed.civitaiEndpoint = QStringLiteral("https://civitai.example");
        changed.installInPlace = true;
        changed.writeMetadata = false;
        changed.language = QStringLiteral("de");
        changed.theme = QStringLiteral("dark");
        changed.watchedModelFolders = {QStringLiteral("/home/me/ComfyUI/models/loras"),
                                       QStringLiteral("/mnt/sd ü/Lora")};
        changed.huggingFaceToken = QStringLiteral("hf_abc123");
        changed.civitaiToken = QStringLiteral("civ_456");
        {
            SettingsStore store(*m_root);
            store.load();
            QSignalSpy spy(&store, &SettingsStore::changed);
            const Status saved = store.save(changed);
            QVERIFY2(saved.ok(), qPrintable(saved.error()));
            QCOMPARE(spy.count(), 1);
        }
        SettingsStore reopened(*m_root);
        reopened.load();
        QVERIFY2(reopened.warnings().isEmpty(), qPrintable(reopened.warnings().join('\n')));
        QCOMPARE(reopened.current(), changed);
        QCOMPARE(reopened.modelsDir(), QStringLiteral("/data/models ünïcode"));
    }

    void relativeModelsDirIsUnderTheRoot()
    {
        SettingsStore store(*m_root);
        store.load();
        Settings changed = store.current();
        changed.modelsDir = QStringLiteral("my-models");
        QVERIFY(store.save(changed).ok());
        QCOMPARE(store.modelsDir(), m_dir->path() + QStringLiteral("/my-models"));
    }

    void tokensLiveOnlyInAnOwnerOnlySecretsFile()
    {
        SettingsStore store(*m_root);
        store.load();
        Settings changed = store.current();
        changed.huggingFaceToken = QStringLiteral("hf_secret_value");
        QVERIFY(store.save(changed).ok());
        QVERIFY(!readFile(m_root->settingsPath()).contains("hf_secret_value"));
        QVERIFY(readFile(m_root->secretsPath()).contains("hf_secret_value"));
        QCOMPARE(QFile::permissions(m_root->secretsPath()) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
    }

    void looseSecretsPermissionsAreTightened()
    {
        writeFile(m_root->secretsPath(), R"({"huggingface_token": "hf_x"})");
        QFile::setPermissions(m_root->secretsPath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
        SettingsStore store(*m_root);
        store.load();
        QCOMPARE(store.current().huggingFaceToken, QStringLiteral("hf_x"));
        QVERIFY(!(QFile::permissions(m_root->secretsPath()) & QFile::ReadOther));
        QVERIFY(store.warnings().join('\n').contains(QStringLiteral("0600")));
    }

    void invalidJsonIsKeptAsideAndDefaultsAreUsed()
    {
        const QByteArray broken = "{ \"device\": \"cpu\", oops";
        writeFile(m_root->settingsPath(), broken);
        SettingsStore store(*m_root);
        store.load();
        QCOMPARE(store.current(), Settings());
        QCOMPARE(store.warnings().size(), 1);
        QVERIFY2(store.warnings().first().contains(QStringLiteral("not valid JSON")), qPrintable(store.warnings().first()));
        const QStringList aside = keptAside(m_dir->path(), QStringLiteral("settings.json"));
        QCOMPARE(aside.size(), 1);
        QVERIFY(store.warnings().first().contains(aside.first()));
        // Nothing is lost: the bad file is kept byte for byte, and saving afterwards writes a valid file.
        QCOMPARE(readFile(QDir(m_dir->path()).filePath(aside.first())), broken);
        QVERIFY(store.save(store.current()).ok());
        QVERIFY(!nlohmann::json::parse(readFile(m_root->settingsPath()).toStdString(), nullptr, false).is_discarded());
    }

    // Hostile files: nesting 75,000 levels deep (which crashed serialising), a number out of range (which aborted in
    // the parser). Each is kept aside once, with a message, and the next start finds a valid file.
    void hostileJsonIsKeptAsideOnceAndRepaired_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("reason");
        QTest::newRow("75,000 levels") << (QByteArray("{\"x\": ") + QByteArray(75000, '[') + QByteArray(75000, ']') +
                                           "}")
                                       << QStringLiteral("deeper than");
        QTest::newRow("1e999") << QByteArray(R"({"ram_cache_gb": 1e999})") << QStringLiteral("not valid JSON");
        QTest::newRow("truncated") << QByteArray(R"({"device": "cpu", )") << QStringLiteral("not valid JSON");
    }
    void hostileJsonIsKeptAsideOnceAndRepaired()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, reason);
        writeFile(m_root->settingsPath(), contents);
        for (int start = 0; start < 3; ++start) {
            SettingsStore store(*m_root);
            store.load();
            QCOMPARE(store.current(), Settings());
            if (start == 0) {
                QCOMPARE(store.warnings().size(), 1);
                QVERIFY2(store.warnings().first().contains(reason), qPrintable(store.warnings().first()));
            } else {
                QVERIFY2(store.warnings().isEmpty(), qPrintable(store.warnings().join(QLatin1Char('\n'))));
            }
        }
        const QStringList aside = keptAside(m_dir->path(), QStringLiteral("settings.json"));
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readFile(QDir(m_dir->path()).filePath(aside.first())), contents);
        QVERIFY(nlohmann::json::parse(readFile(m_root->settingsPath()).toStdString(), nullptr, false).is_object());
    }

    void jsonThatIsNotAnObjectIsKeptAside()
    {
        writeFile(m_root->settingsPath(), "[1, 2, 3]");
        SettingsStore store(*m_root);
        store.load();
        QCOMPARE(store.current(), Settings());
        QCOMPARE(keptAside(m_dir->path(), QStringLiteral("settings.json")).size(), 1);
    }

    void invalidValuesFallBackOneByOne()
    {
        writeFile(m_root->settingsPath(), R"({"format": 1, "device": "tpu", "precision": "fp8",
            "ram_cache_gb": -3, "vram_cache_gb": "lots", "max_parallel_downloads": 500,
            "output_cache_entries": 0, "output_cache_gb": 1e9,
            "download_cache_gb": 7.5, "models_dir": "/good/models", "install_in_place": "yes", "write_metadata": 0,
            "watched_model_folders": ["/ok", 7], "language": "klingon", "theme": "solarized"})");
        SettingsStore store(*m_root);
        store.load();
        const Settings defaults;
        QCOMPARE(store.current().device, defaults.device);
        QCOMPARE(store.current().precision, defaults.precision);
        QCOMPARE(store.current().ramCacheGb, defaults.ramCacheGb);
        QCOMPARE(store.current().vramCacheGb, defaults.vramCacheGb);
        QCOMPARE(store.current().maxParallelDownloads, defaults.maxParallelDownloads);
        QCOMPARE(store.current().outputCacheEntries, defaults.outputCacheEntries);
        QCOMPARE(store.current().outputCacheGb, defaults.outputCacheGb);
        QCOMPARE(store.current().installInPlace, defaults.installInPlace);
        QCOMPARE(store.current().writeMetadata, defaults.writeMetadata);
        QCOMPARE(store.current().watchedModelFolders, defaults.watchedModelFolders);
        QCOMPARE(store.current().language, defaults.language);
        QCOMPARE(store.current().theme, defaults.theme);
        // Valid neighbours survive.
        QCOMPARE(store.current().downloadCacheGb, 7.5);
        QCOMPARE(store.current().modelsDir, QStringLiteral("/good/models"));
        const QString warning = store.warnings().join('\n');
        for (const char *field : {"device", "precision", "ram_cache_gb", "vram_cache_gb", "max_parallel_downloads",
                                  "install_in_place", "write_metadata", "watched_model_folders", "language", "theme"})
            QVERIFY2(warning.contains(QLatin1String(field)), field);
        QCOMPARE(keptAside(m_dir->path(), QStringLiteral("settings.json")).size(), 1);
    }

    // A token saving would refuse is not loaded either: otherwise no setting could be saved again (found by
    // fuzzing). A token with a line break at its end, as `echo` writes it, is trimmed instead.
    void tokensThatCannotBeSavedAreNotLoaded()
    {
        writeFile(m_root->settingsPath(), R"({"format": 1, "device": "cpu", "civitai_token": "abc def"})");
        writeFile(m_root->secretsPath(), R"({"huggingface_token": "hf_x\n"})");
        SettingsStore store(*m_root);
        store.load();
        QCOMPARE(store.current().huggingFaceToken, QStringLiteral("hf_x"));
        QVERIFY(store.current().civitaiToken.isEmpty());
        QVERIFY2(store.warnings().join('\n').contains(QLatin1String("spaces or control characters")),
                 qPrintable(store.warnings().join('\n')));
        Settings changed = store.current();
        changed.precision = QStringLiteral("fp32");
        QVERIFY(store.save(changed).ok());

        writeFile(m_root->secretsPath(), R"({"huggingface_token": "hf\u0000x", "civitai_token": "good"})");
        SettingsStore again(*m_root);
        again.load();
        QVERIFY(again.current().huggingFaceToken.isEmpty());
        QCOMPARE(again.current().civitaiToken, QStringLiteral("good"));
        QVERIFY(again.save(again.current()).ok());
    }

    void unknownKeysSurviveASave()
    {
        writeFile(m_root->settingsPath(), R"({"format": 1, "device": "cpu", "from_a_newer_version": {"x": [1, 2]}})");
        SettingsStore store(*m_root);
        store.load();
        QVERIFY(store.warnings().isEmpty());
        Settings changed = store.current();
        changed.precision = QStringLiteral("fp32");
        QVERIFY(store.save(changed).ok());
        const auto written = nlohmann::json::parse(readFile(m_root->settingsPath()).toStdString());
        QCOMPARE(written.at("from_a_newer_version").at("x").size(), size_t(2));
        QCOMPARE(QString::fromStdString(written.at("precision").get<std::string>()), QStringLiteral("fp32"));
    }

    void invalidSettingsAreNotSaved_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("device") << "device";
        QTest::newRow("precision") << "precision";
        QTest::newRow("max_parallel_downloads") << "max_parallel_downloads";
        QTest::newRow("token") << "token";
    }

    void invalidSettingsAreNotSaved()
    {
        QFETCH(QString, field);
        SettingsStore store(*m_root);
        store.load();
        const QByteArray before = readFile(m_root->settingsPath());
        Settings bad = store.current();
        if (field == QLatin1String("device"))
            bad.device = QStringLiteral("gpu");
        else if (field == QLatin1String("precision"))
            bad.precision = QStringLiteral("int4");
        else if (field == QLatin1String("max_parallel_downloads"))
            bad.maxParallelDownloads = 0;
        else
            bad.civitaiToken = QStringLiteral("two words");
        const Status saved = store.save(bad);
        QVERIFY(!saved.ok());
        QVERIFY2(saved.error().contains(field == QLatin1String("token") ? QStringLiteral("token") : field),
                 qPrintable(saved.error()));
        QCOMPARE(readFile(m_root->settingsPath()), before);
        QCOMPARE(store.current(), Settings());
    }

    void computeChoiceFollowsTheSettings()
    {
        const std::vector<engine::DeviceInfo> cpuOnly{{engine::DeviceKind::Cpu, 0, "cpu", "CPU"}};
        const std::vector<engine::DeviceInfo> withGpu{{engine::DeviceKind::Cpu, 0, "cpu", "CPU"},
                                                      {engine::DeviceKind::Cuda, 0, "cuda:0", "GPU 0"},
                                                      {engine::DeviceKind::Cuda, 1, "cuda:1", "GPU 1"}};
        Settings s;
        QCOMPARE(chooseCompute(s, cpuOnly).device.id, std::string("cpu"));
        QCOMPARE(chooseCompute(s, cpuOnly).precision, QStringLiteral("fp32"));
        QCOMPARE(chooseCompute(s, withGpu).device.id, std::string("cuda:0"));
        QCOMPARE(chooseCompute(s, withGpu).precision, QStringLiteral("fp16"));
        s.device = QStringLiteral("cuda:1");
        QCOMPARE(chooseCompute(s, withGpu).device.id, std::string("cuda:1"));
        const ComputeChoice missing = chooseCompute(s, cpuOnly);
        QCOMPARE(missing.device.id, std::string("cpu"));
        QVERIFY(missing.note.contains(QStringLiteral("not available")));
        s.device = QStringLiteral("cpu");
        s.precision = QStringLiteral("fp16");
        QCOMPARE(chooseCompute(s, withGpu).precision, QStringLiteral("fp32"));
        s.precision = QStringLiteral("bf16");
        QCOMPARE(chooseCompute(s, withGpu).precision, QStringLiteral("bf16"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppRoot> m_root;
};

QTEST_GUILESS_MAIN(TestSettingsStore)
#include "test_settings_store.moc"
