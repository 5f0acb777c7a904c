#include "cli_runner.h"
#include "tests/fixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

// `atelier inspect`, `strip`, `tag`, and the recipe `generate` writes, run as a user would.
class TestMetadataCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;

    CliRun atelier(QStringList arguments)
    {
        arguments.prepend(m_root->path());
        arguments.prepend(QStringLiteral("--root"));
        return runAtelier(arguments, QProcessEnvironment::systemEnvironment(), 120000);
    }

    QJsonObject inspect(const QString &path)
    {
        const CliRun run = atelier({QStringLiteral("inspect"), path, QStringLiteral("--json")});
        if (run.exitCode != 0)
            qWarning("%s", run.err.constData());
        return QJsonDocument::fromJson(run.out).object();
    }

    static QString corpus(const QString &name) { return QDir(fixturesDir()).filePath(QStringLiteral("corpus/comfyui/") + name); }
    QString path(const QString &name) const { return m_root->filePath(name); }

    static QByteArray idat(const QString &file)
    {
        QFile f(file);
        f.open(QIODevice::ReadOnly);
        const QByteArray bytes = f.readAll();
        QByteArray data;
        for (int at = 8; at + 8 <= bytes.size();) {
            const int length = int((uchar(bytes[at]) << 24) | (uchar(bytes[at + 1]) << 16) | (uchar(bytes[at + 2]) << 8) | uchar(bytes[at + 3]));
            if (bytes.mid(at + 4, 4) == "IDAT")
                data += bytes.mid(at + 8, length);
            at += length + 12;
        }
        return data;
    }

private slots:
    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void inspectPrintsTheIssuesKeysWithNullsForWhatIsNotStated()
    {
        const QJsonObject lora = inspect(corpus(QStringLiteral("lora_lora.png")));
        for (const char *key : {"tool", "prompt", "negative_prompt", "seed", "steps", "sampler", "scheduler", "cfg", "width",
                                "height", "denoise", "model", "loras", "chunks"})
            QVERIFY2(lora.contains(QLatin1String(key)), key);
        QCOMPARE(lora.value(QStringLiteral("tool")).toString(), QStringLiteral("ComfyUI"));
        QCOMPARE(lora.value(QStringLiteral("seed")).toInteger(), 851616030078638);
        QCOMPARE(lora.value(QStringLiteral("model")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("v1-5-pruned-emaonly.ckpt"));
        QCOMPARE(lora.value(QStringLiteral("loras")).toArray().first().toObject().value(QStringLiteral("weight")).toDouble(), 1.0);
        QCOMPARE(lora.value(QStringLiteral("chunks")).toArray().size(), 2);

        const QJsonObject none = inspect(corpus(QStringLiteral("controlnet_pose_present.png")));
        QCOMPARE(none.value(QStringLiteral("tool")).toString(), QStringLiteral("none"));
        QVERIFY(none.value(QStringLiteral("prompt")).isNull() && none.value(QStringLiteral("seed")).isNull());
        QVERIFY(none.value(QStringLiteral("model")).isNull());

        QFile broken(path(QStringLiteral("broken.png")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        QFile original(corpus(QStringLiteral("lora_lora.png")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        broken.write(original.read(5000));
        broken.close();
        // Cut short in its pixels: the recipe before the damage is still read, with a warning saying where.
        CliRun run = atelier({QStringLiteral("inspect"), broken.fileName()});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("masterpiece best quality girl") && run.out.contains("cut short"),
                 run.out.constData());
        // Cut short before any text: nothing to read, and the error says where.
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        original.seek(0);
        broken.write(original.read(40));
        broken.close();
        run = atelier({QStringLiteral("inspect"), broken.fileName()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("broken.png") && run.err.contains("truncated"), run.err.constData());
    }

    void generatedImagesCarryTheirRecipeUnlessAskedNotTo()
    {
        const QString prompt = QStringLiteral("a photo of a (cat:1.2), café, 東京");
        CliRun run = atelier({QStringLiteral("generate"), QStringLiteral("--model"),
                              QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")),
                              QStringLiteral("--prompt"), prompt, QStringLiteral("--negative"),
                              QStringLiteral("blurry"), QStringLiteral("--steps"), QStringLiteral("3"),
                              QStringLiteral("--seed"), QStringLiteral("18446744073709551615"),
                              QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"),
                              QStringLiteral("64"), QStringLiteral("--out"), path(QStringLiteral("made.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject made = inspect(path(QStringLiteral("made.png")));
        QCOMPARE(made.value(QStringLiteral("tool")).toString(), QStringLiteral("Atelier"));
        QCOMPARE(made.value(QStringLiteral("prompt")).toString(), prompt);
        QCOMPARE(made.value(QStringLiteral("negative_prompt")).toString(), QStringLiteral("blurry"));
        // The largest seed ComfyUI draws, kept exactly (Qt's JSON would round it, so the text is read).
        const CliRun inspected =
            atelier({QStringLiteral("inspect"), path(QStringLiteral("made.png")), QStringLiteral("--json")});
        QVERIFY2(QString::fromUtf8(inspected.out)
                     .contains(QRegularExpression(QStringLiteral(R"("seed":\s*18446744073709551615\b)"))),
                 inspected.out.constData());
        QCOMPARE(made.value(QStringLiteral("steps")).toInt(), 3);
        QCOMPARE(made.value(QStringLiteral("width")).toInt(), 64);
        const QJsonObject model = made.value(QStringLiteral("model")).toObject();
        QCOMPARE(model.value(QStringLiteral("name")).toString(), QStringLiteral("tiny-sd1"));
        QCOMPARE(model.value(QStringLiteral("hash")).toString().size(), 64);
        // No path leaks into the metadata.
        QFile file(path(QStringLiteral("made.png")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.contains(fixturesDir().toUtf8()) && !bytes.contains(m_root->path().toUtf8()));
        QVERIFY(bytes.contains("parameters"));

        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"),
                       QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")),
                       QStringLiteral("--prompt"), prompt, QStringLiteral("--steps"), QStringLiteral("1"), QStringLiteral("--width"),
                       QStringLiteral("64"), QStringLiteral("--height"), QStringLiteral("64"), QStringLiteral("--no-metadata"),
                       QStringLiteral("--out"), path(QStringLiteral("private.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(inspect(path(QStringLiteral("private.png"))).value(QStringLiteral("tool")).toString(), QStringLiteral("none"));
    }

    void stripAndTagKeepThePixelsByteForByte()
    {
        const QString source = corpus(QStringLiteral("lora_lora.png"));
        CliRun run = atelier({QStringLiteral("strip"), source, path(QStringLiteral("stripped.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(inspect(path(QStringLiteral("stripped.png"))).value(QStringLiteral("tool")).toString(), QStringLiteral("none"));
        QCOMPARE(idat(path(QStringLiteral("stripped.png"))), idat(source));
        QVERIFY(!idat(source).isEmpty());

        QString longPrompt;
        while (longPrompt.size() < 100 * 1024)
            longPrompt += QStringLiteral("ünïcödé 東京 🐱, \"quoted, with commas\" ");
        QFile json(path(QStringLiteral("meta.json")));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(QJsonDocument(QJsonObject{{QStringLiteral("prompt"), longPrompt},
                                             {QStringLiteral("seed"), qint64(1234567890123)},
                                             {QStringLiteral("steps"), 30},
                                             {QStringLiteral("sampler"), QStringLiteral("dpmpp_2m")},
                                             {QStringLiteral("scheduler"), QStringLiteral("karras")},
                                             {QStringLiteral("cfg"), 5.5},
                                             {QStringLiteral("model"), QJsonObject{{QStringLiteral("name"), QStringLiteral("dreamshaper")},
                                                                                   {QStringLiteral("hash"), QString(64, QLatin1Char('a'))}}}})
                       .toJson());
        json.close();
        run = atelier({QStringLiteral("tag"), path(QStringLiteral("stripped.png")), path(QStringLiteral("tagged.png")),
                       QStringLiteral("--from-json"), json.fileName()});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject tagged = inspect(path(QStringLiteral("tagged.png")));
        QCOMPARE(tagged.value(QStringLiteral("tool")).toString(), QStringLiteral("Atelier"));
        QCOMPARE(tagged.value(QStringLiteral("prompt")).toString(), longPrompt);
        QCOMPARE(tagged.value(QStringLiteral("seed")).toInteger(), 1234567890123);
        QCOMPARE(tagged.value(QStringLiteral("scheduler")).toString(), QStringLiteral("karras"));
        QCOMPARE(idat(path(QStringLiteral("tagged.png"))), idat(source));
        QCOMPARE(QImage(path(QStringLiteral("tagged.png"))), QImage(source));

        // Seeds out of the unsigned 64-bit range are refused by name instead of wrapping.
        for (const QByteArray &seed : {QByteArray("18446744073709551616"), QByteArray("-1"), QByteArray("4.5")}) {
            QFile outOfRange(path(QStringLiteral("range.json")));
            QVERIFY(outOfRange.open(QIODevice::WriteOnly | QIODevice::Truncate));
            outOfRange.write("{\"prompt\": \"x\", \"seed\": " + seed + "}");
            outOfRange.close();
            run = atelier({QStringLiteral("tag"), source, path(QStringLiteral("never.png")),
                           QStringLiteral("--from-json"), outOfRange.fileName()});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains("\"seed\" must be a whole number from 0 to 18446744073709551615"),
                     run.err.constData());
            QVERIFY(!QFile::exists(path(QStringLiteral("never.png"))));
        }
        QFile largest(path(QStringLiteral("largest.json")));
        QVERIFY(largest.open(QIODevice::WriteOnly));
        largest.write("{\"prompt\": \"x\", \"seed\": 18446744073709551615}");
        largest.close();
        run = atelier({QStringLiteral("tag"), source, path(QStringLiteral("largest.png")),
                       QStringLiteral("--from-json"), largest.fileName()});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        run = atelier({QStringLiteral("inspect"), path(QStringLiteral("largest.png")), QStringLiteral("--json")});
        QVERIFY2(run.out.contains("18446744073709551615"), run.out.constData());

        QFile bad(path(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"seed\": \"not a number\"");
        bad.close();
        run = atelier({QStringLiteral("tag"), source, path(QStringLiteral("never.png")), QStringLiteral("--from-json"), bad.fileName()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("bad.json"), run.err.constData());
        QVERIFY(!QFile::exists(path(QStringLiteral("never.png"))));
    }

    // The image index from the command line: folders added (with progress and a summary), images found by prompt
    // words and by model, a recipe shown as inspect prints it, and clear errors for what is not there.
    void imagesAreIndexedSearchedAndShown()
    {
        const QString png = QDir(fixturesDir()).filePath(QStringLiteral("corpus/png"));
        CliRun run = atelier({QStringLiteral("images"), QStringLiteral("add"), png});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(" indexed, 0 unchanged, 0 removed, 0 unreadable"), run.out.constData());
        QVERIFY2(run.err.contains("indexing"), run.err.constData());
        run = atelier({QStringLiteral("images"), QStringLiteral("add"), png});
        QVERIFY2(run.out.contains("0 indexed"), run.out.constData()); // nothing changed

        run = atelier(
            {QStringLiteral("images"), QStringLiteral("search"), QStringLiteral("goldfish"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray found = QJsonDocument::fromJson(run.out).array();
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.at(0).toObject().value("recipe").toObject().value("tool").toString(), QStringLiteral("Fooocus"));
        run = atelier({QStringLiteral("images"), QStringLiteral("search"), QStringLiteral("--model"),
                       QStringLiteral("waiIllustriousSDXL_v160"), QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(run.out).array().size(), 2);

        const QString novelai = QDir(png).filePath(QStringLiteral("novelai/sdparsers_novelai1_cropped.png"));
        run = atelier({QStringLiteral("images"), QStringLiteral("show"), novelai});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject recipe = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(recipe.value("tool").toString(), QStringLiteral("NovelAI"));
        QCOMPARE(recipe.value("seed").toInteger(), 2253955223ll);

        run = atelier({QStringLiteral("images"), QStringLiteral("show"), path(QStringLiteral("elsewhere.png"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("not in the index"), run.err.constData());
        run = atelier({QStringLiteral("images"), QStringLiteral("search"), QStringLiteral("--since"),
                       QStringLiteral("yesterday")});
        QCOMPARE(run.exitCode, 2);
        run = atelier({QStringLiteral("images"), QStringLiteral("add"), path(QStringLiteral("no-such-folder"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("not a folder"), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestMetadataCli)
#include "test_metadata_cli.moc"
