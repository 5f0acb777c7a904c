#include "cli_runner.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using json = nlohmann::ordered_json;

namespace {

// One record as `models import` takes it.
json record(const std::string &key, const std::string &name, const std::string &type, const std::string &format,
            const std::string &base, const std::string &path, json extra = json::object())
{
    json object{{"key", key},   {"name", name}, {"type", type},
                {"format", format}, {"base", base}, {"path", path},
                {"added_at", "2026-03-01T10:00:00.000Z"}, {"updated_at", "2026-03-01T10:00:00.000Z"}};
    object.update(extra);
    return object;
}

} // namespace

class TestModelsCli : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_root = std::make_unique<QTemporaryDir>();
        json library{{"format", "atelier-model-library"}, {"version", 1}, {"models", json::array()}};
        library["models"].push_back(record("aaaa0000000000000000000000000001", "Dreamshaper 8", "main", "checkpoint", "sd-1",
                                           "sd-1/main/dreamshaper_8.safetensors",
                                           {{"tags", {"photo", "portrait"}}, {"variant", "normal"}, {"description", "all-rounder"}}));
        library["models"].push_back(record("aaaa0000000000000000000000000002", "Détail Tweaker", "lora", "lycoris", "sdxl",
                                           "/srv/loras/détail tweaker.safetensors",
                                           {{"tags", {"detail"}}, {"trigger_words", {"add_detail"}}}));
        library["models"].push_back(record("bbbb0000000000000000000000000003", "SDXL VAE", "vae", "checkpoint", "sdxl",
                                           "sdxl/vae/sdxl_vae.safetensors"));
        m_backup = m_root->filePath(QStringLiteral("library.json"));
        QFile file(m_backup);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(library.dump(2)));
        file.close();
        const CliRun imported = atelier({QStringLiteral("import"), m_backup});
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QVERIFY(imported.out.contains("Imported 3 new"));
    }

    void listsAsJsonWithTaxonomyValues()
    {
        const CliRun run = atelier({QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const json list = json::parse(run.out.toStdString());
        QVERIFY(list.is_array());
        QCOMPARE(list.size(), size_t(3));
        QCOMPARE(list[0]["name"].get<std::string>(), std::string("Détail Tweaker"));  // sorted by name
        for (const char *field : {"key", "name", "type", "format", "base", "path", "hash", "tags"})
            QVERIFY2(list[0].contains(field), field);
        QCOMPARE(list[0]["type"].get<std::string>(), std::string("lora"));
        QCOMPARE(list[0]["base"].get<std::string>(), std::string("sdxl"));
    }

    void listFilters_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("expected");
        QTest::newRow("base") << QStringList{QStringLiteral("--base"), QStringLiteral("sdxl")} << 2;
        QTest::newRow("type") << QStringList{QStringLiteral("--type"), QStringLiteral("vae")} << 1;
        QTest::newRow("format") << QStringList{QStringLiteral("--format"), QStringLiteral("checkpoint")} << 2;
        QTest::newRow("two tags") << QStringList{QStringLiteral("--tag"), QStringLiteral("photo"), QStringLiteral("--tag"), QStringLiteral("portrait")} << 1;
        QTest::newRow("search trigger word") << QStringList{QStringLiteral("--search"), QStringLiteral("add_det")} << 1;
        QTest::newRow("search description") << QStringList{QStringLiteral("--search"), QStringLiteral("rounder")} << 1;
        QTest::newRow("search accent-insensitive") << QStringList{QStringLiteral("--search"), QStringLiteral("detail")} << 1;
        QTest::newRow("combined") << QStringList{QStringLiteral("--base"), QStringLiteral("sdxl"), QStringLiteral("--type"), QStringLiteral("main")} << 0;
    }

    void listFilters()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, expected);
        const CliRun run = atelier(QStringList{QStringLiteral("list"), QStringLiteral("--json")} + arguments);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(int(json::parse(run.out.toStdString()).size()), expected);
    }

    void listAsTextShowsKeysAndCount()
    {
        const CliRun run = atelier({QStringLiteral("list")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("aaaa0000000000000000000000000001"));
        QVERIFY(run.out.contains("Dreamshaper 8"));
        QVERIFY(run.out.contains("3 models"));
    }

    void showByKeyPrefixNameOrFileName()
    {
        const CliRun run = atelier({QStringLiteral("show"), QStringLiteral("bbbb"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const json shown = json::parse(run.out.toStdString());
        QCOMPARE(shown["name"].get<std::string>(), std::string("SDXL VAE"));
        QCOMPARE(shown["key"].get<std::string>(), std::string("bbbb0000000000000000000000000003"));
        const CliRun text = atelier({QStringLiteral("show"), QStringLiteral("aaaa0000000000000000000000000001")});
        QVERIFY(text.out.contains("photo, portrait"));
        const CliRun ambiguous = atelier({QStringLiteral("show"), QStringLiteral("aaaa")});
        QCOMPARE(ambiguous.exitCode, 1);
        QVERIFY(ambiguous.err.contains("several keys"));
        const CliRun missing = atelier({QStringLiteral("show"), QStringLiteral("cccc0000000000000000000000000000")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("no model with key"));
        // What users type: a name (any case) or a file name, with a suggestion when nothing matches.
        for (const QString &typed : {QStringLiteral("SDXL VAE"), QStringLiteral("sdxl vae"),
                                     QStringLiteral("sdxl_vae.safetensors"), QStringLiteral("sdxl_vae")}) {
            const CliRun named = atelier({QStringLiteral("show"), typed, QStringLiteral("--json")});
            QVERIFY2(named.exitCode == 0, qPrintable(typed + QLatin1Char(' ') + QString::fromUtf8(named.err)));
            QCOMPARE(json::parse(named.out.toStdString())["key"].get<std::string>(),
                     std::string("bbbb0000000000000000000000000003"));
        }
        const CliRun close = atelier({QStringLiteral("show"), QStringLiteral("Dreamshaper 9")});
        QCOMPARE(close.exitCode, 1);
        QVERIFY2(close.err.contains("did you mean \"Dreamshaper 8\""), close.err.constData());
    }

    void editsFieldsAndTags()
    {
        const QString key = QStringLiteral("aaaa0000000000000000000000000001");
        const CliRun run = atelier({QStringLiteral("edit"), key, QStringLiteral("--name"), QStringLiteral("DreamShaper v8 ✨"),
                                    QStringLiteral("--tag"), QStringLiteral("+favourite"), QStringLiteral("--tag=-photo"),
                                    QStringLiteral("--variant"), QStringLiteral("inpaint"), QStringLiteral("--prediction-type"),
                                    QStringLiteral("v_prediction"), QStringLiteral("--vae"), QStringLiteral("sdxl/vae/fix")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const json shown = json::parse(atelier({QStringLiteral("show"), key, QStringLiteral("--json")}).out.toStdString());
        QCOMPARE(shown["name"].get<std::string>(), std::string("DreamShaper v8 ✨"));
        QCOMPARE(shown["tags"], json({"portrait", "favourite"}));
        QCOMPARE(shown["variant"].get<std::string>(), std::string("inpaint"));
        QCOMPARE(shown["prediction_type"].get<std::string>(), std::string("v_prediction"));
        QCOMPARE(shown["vae"].get<std::string>(), std::string("sdxl/vae/fix"));
        QVERIFY(shown["updated_at"] != shown["added_at"]);
    }

    void editRefusesInvalidValuesAndChangesNothing()
    {
        const QString key = QStringLiteral("aaaa0000000000000000000000000002");
        const QByteArray before = atelier({QStringLiteral("show"), key, QStringLiteral("--json")}).out;
        const CliRun badVariant = atelier({QStringLiteral("edit"), key, QStringLiteral("--variant"), QStringLiteral("normal")});
        QCOMPARE(badVariant.exitCode, 1);
        QVERIFY2(badVariant.err.contains("applies only to main models"), badVariant.err.constData());
        const CliRun badPrediction = atelier({QStringLiteral("edit"), QStringLiteral("aaaa0000000000000000000000000001"),
                                              QStringLiteral("--prediction-type"), QStringLiteral("x0")});
        QCOMPARE(badPrediction.exitCode, 1);
        QVERIFY(badPrediction.err.contains("unknown prediction type"));
        const CliRun nothing = atelier({QStringLiteral("edit"), key});
        QCOMPARE(nothing.exitCode, 2);
        QCOMPARE(atelier({QStringLiteral("show"), key, QStringLiteral("--json")}).out, before);
    }

    void removesTheRecordOnly()
    {
        QFile model(m_root->filePath(QStringLiteral("models/sdxl/vae/sdxl_vae.safetensors")));
        QVERIFY(QDir().mkpath(QFileInfo(model).path()));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.close();
        const CliRun run = atelier({QStringLiteral("rm"), QStringLiteral("bbbb0000000000000000000000000003")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(model.exists());
        QCOMPARE(atelier({QStringLiteral("show"), QStringLiteral("bbbb0000000000000000000000000003")}).exitCode, 1);
        QCOMPARE(atelier({QStringLiteral("rm"), QStringLiteral("bbbb0000000000000000000000000003")}).exitCode, 1);
    }

    void exportThenImportRestoresTheLibrary()
    {
        const QString exported = m_root->filePath(QStringLiteral("backup.json"));
        QCOMPARE(atelier({QStringLiteral("edit"), QStringLiteral("bbbb"), QStringLiteral("--description"), QStringLiteral("fixed fp16")}).exitCode, 0);
        const QByteArray before = atelier({QStringLiteral("list"), QStringLiteral("--json")}).out;
        const CliRun exportRun = atelier({QStringLiteral("export"), exported});
        QCOMPARE(exportRun.exitCode, 0);

        QTemporaryDir otherRoot;
        const CliRun importRun = runAtelier({QStringLiteral("--root"), otherRoot.path(), QStringLiteral("models"),
                                             QStringLiteral("import"), exported});
        QVERIFY2(importRun.exitCode == 0, importRun.err.constData());
        const CliRun after = runAtelier({QStringLiteral("--root"), otherRoot.path(), QStringLiteral("models"),
                                         QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(after.out, before);
        // Importing again adds nothing.
        const CliRun again = runAtelier({QStringLiteral("--root"), otherRoot.path(), QStringLiteral("models"),
                                         QStringLiteral("import"), exported});
        QVERIFY(again.out.contains("skipped 3"));
    }

    void importRejectsBadFilesAndWritesNothing_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{ nope") << "not a model library export";
        QTest::newRow("other json") << QByteArray(R"({"models": []})") << "not a model library export";
        QTest::newRow("bad record") << QByteArray(R"({"format": "atelier-model-library", "version": 1, "models": [
            {"key": "cccc0000000000000000000000000009", "name": "ok", "type": "main", "format": "checkpoint", "base": "sd-1", "path": "a"},
            {"key": "cccc0000000000000000000000000008", "name": "bad", "type": "main", "format": "checkpoint", "base": "sd-9", "path": "b"}]})")
                                    << "record 1";
        QTest::newRow("newer export") << QByteArray(R"({"format": "atelier-model-library", "version": 9, "models": []})")
                                      << "newer version";
        // Nesting that crashed the import when the record was written back (75,000 levels), and a number out of range.
        QTest::newRow("deep source_api_response")
            << (QByteArray(
                    R"({"format": "atelier-model-library", "version": 1, "models": [{"key": "cccc0000000000000000000000000007",
                "name": "deep", "type": "main", "format": "checkpoint", "base": "sd-1", "path": "d", "source_api_response": )") +
                QByteArray(75000, '[') + QByteArray(75000, ']') + "}]}")
            << "not a model library export";
        QTest::newRow("1e999") << QByteArray(R"({"format": "atelier-model-library", "version": 1e999, "models": []})")
                               << "not a model library export";
    }

    void importRejectsBadFilesAndWritesNothing()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        const QString path = m_root->filePath(QStringLiteral("bad.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        const CliRun run = atelier({QStringLiteral("import"), path});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
        QCOMPARE(json::parse(atelier({QStringLiteral("list"), QStringLiteral("--json")}).out.toStdString()).size(), size_t(3));
    }

    void refusesALibraryFromANewerVersion()
    {
        // A foreign file where the database belongs is reported and left alone.
        QTemporaryDir otherRoot;
        QFile db(otherRoot.filePath(QStringLiteral("atelier.db")));
        QVERIFY(db.open(QIODevice::WriteOnly));
        db.write("not a database at all, but someone's notes");
        db.close();
        const CliRun run = runAtelier({QStringLiteral("--root"), otherRoot.path(), QStringLiteral("models"), QStringLiteral("list")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("is not an SQLite database"), run.err.constData());
        QVERIFY(db.open(QIODevice::ReadOnly));
        QCOMPARE(db.readAll(), QByteArray("not a database at all, but someone's notes"));
    }

    void usageErrors()
    {
        QCOMPARE(atelier({}).exitCode, 2);
        QCOMPARE(atelier({QStringLiteral("frobnicate")}).exitCode, 2);
        const CliRun badBase = atelier({QStringLiteral("list"), QStringLiteral("--base"), QStringLiteral("sd-5")});
        QCOMPARE(badBase.exitCode, 2);
        QVERIFY(badBase.err.contains("unknown base"));
        QCOMPARE(atelier({QStringLiteral("show")}).exitCode, 2);
        QCOMPARE(atelier({QStringLiteral("--help")}).exitCode, 0);
    }

private:
    CliRun atelier(const QStringList &arguments)
    {
        return runAtelier(QStringList{QStringLiteral("--root"), m_root->path(), QStringLiteral("models")} + arguments);
    }

    std::unique_ptr<QTemporaryDir> m_root;
    QString m_backup;
};

QTEST_GUILESS_MAIN(TestModelsCli)
#include "test_models_cli.moc"
