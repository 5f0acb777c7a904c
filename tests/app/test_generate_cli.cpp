#include "cli_runner.h"
#include "tests/fixtures.h"
#include "tests/image_difference.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <tuple>

// `atelier generate`, run as a user would, on the fixture models.
class TestGenerateCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;

    CliRun atelier(QStringList arguments)
    {
        arguments.prepend(m_root->path());
        arguments.prepend(QStringLiteral("--root"));
        return runAtelier(arguments, QProcessEnvironment::systemEnvironment(), 300000);
    }

    static QString fixture(const QString &relative) { return QDir(fixturesDir()).filePath(relative); }
    // The text of the chunk `keyword` in `atelier inspect --json`'s answer.
    static QString chunkText(const QJsonObject &recipe, const QString &keyword)
    {
        for (const QJsonValue &chunk : recipe.value(QStringLiteral("chunks")).toArray())
            if (chunk.toObject().value(QStringLiteral("keyword")).toString() == keyword)
                return chunk.toObject().value(QStringLiteral("text")).toString();
        return {};
    }

    static QString checkpoint() { return fixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")); }
    QString output(const QString &name) const { return m_root->filePath(name); }

    // The fixture case tiny-sd1.txt2img.euler.normal.s42 as options.
    static QStringList referenceCase()
    {
        return {QStringLiteral("--prompt"), QStringLiteral("a photo of a cat"), QStringLiteral("--seed"), QStringLiteral("42"),
                QStringLiteral("--steps"), QStringLiteral("8"), QStringLiteral("--cfg"), QStringLiteral("7"),
                QStringLiteral("--sampler"), QStringLiteral("euler"), QStringLiteral("--scheduler"), QStringLiteral("normal"),
                QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"), QStringLiteral("64")};
    }

private slots:
    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void makesTheReferenceImageFromAFileALibraryKeyAndAName()
    {
        const QImage reference(fixture(QStringLiteral("cases/tiny-sd1.txt2img.euler.normal.s42.png")));
        QVERIFY(!reference.isNull());
        CliRun run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(),
                                         QStringLiteral("--out"), output(QStringLiteral("cat.png"))} + referenceCase());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out.trimmed(), output(QStringLiteral("cat.png")).toUtf8());
        QVERIFY2(run.err.contains("8/8") && run.err.contains("sd-1 epsilon"), run.err.constData());
        QVERIFY(largestDifference(QImage(output(QStringLiteral("cat.png"))), reference) <= 1);

        // Registered in place, the library record points at the file and its YAML; a unique key prefix is enough.
        const CliRun installed = atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--inplace")});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
        const QString key = QString::fromLatin1(installed.out.trimmed());
        run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), key.left(8), QStringLiteral("--out"),
                                  output(QStringLiteral("by-key.png"))} + referenceCase());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(largestDifference(QImage(output(QStringLiteral("by-key.png"))), reference) <= 1);
        // Or by its name, as users type it.
        run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), QStringLiteral("tiny-sd1"),
                                  QStringLiteral("--out"), output(QStringLiteral("by-name.png"))} +
                      referenceCase());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(largestDifference(QImage(output(QStringLiteral("by-name.png"))), reference) <= 1);
    }

    // SDXL, from its single file and its diffusers folder: the fixture's image, and a recipe naming the family.
    // `atelier run` loads its models on the device and in the precision the settings name: bf16 gives an image
    // close to, and not the same as, fp32's.
    void runFollowsTheSettingsPrecision()
    {
        QVERIFY(atelier({QStringLiteral("install"), checkpoint(), QStringLiteral("--name"), QStringLiteral("tiny")})
                    .exitCode == 0);
        const QString graph = output(QStringLiteral("txt2img.json"));
        QFile file(graph);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny"}},
            "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
            "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
            "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
            "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 4, "cfg": 7, "sampler_name": "euler",
                  "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0],
                  "negative": ["7", 0], "latent_image": ["5", 0]}},
            "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
            "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "run", "images": ["8", 0]}}})");
        file.close();
        QImage images[2];
        for (const QString &precision : {QStringLiteral("fp32"), QStringLiteral("bf16")}) {
            QFile settings(m_root->filePath(QStringLiteral("settings.json")));
            QVERIFY(settings.open(QIODevice::WriteOnly));
            settings.write(
                QStringLiteral(R"({"format": 1, "device": "cpu", "precision": "%1"})").arg(precision).toUtf8());
            settings.close();
            const QString out = output(precision);
            const CliRun ran = atelier({QStringLiteral("run"), graph, QStringLiteral("--out"), out});
            QVERIFY2(ran.exitCode == 0, ran.err.constData());
            images[precision == QLatin1String("bf16")] = QImage(QDir(out).filePath(QStringLiteral("run_00001_.png")));
        }
        QVERIFY(!images[0].isNull() && !images[1].isNull());
        const int difference = largestDifference(images[0], images[1]);
        QVERIFY2(difference > 0 && difference < 64, qPrintable(QString::number(difference)));
    }

    void makesTheSdxlReferenceImage()
    {
        const QImage reference(fixture(QStringLiteral("cases/tiny-sdxl.txt2img.euler.normal.s42.png")));
        QVERIFY(!reference.isNull());
        const QStringList options = {QStringLiteral("--prompt"), QStringLiteral("a watercolor lighthouse"),
                                     QStringLiteral("--seed"),   QStringLiteral("42"),
                                     QStringLiteral("--steps"),  QStringLiteral("8"),
                                     QStringLiteral("--cfg"),    QStringLiteral("7"),
                                     QStringLiteral("--width"),  QStringLiteral("64"),
                                     QStringLiteral("--height"), QStringLiteral("64")};
        for (const QString &model :
             {QStringLiteral("models/tiny-sdxl/tiny-sdxl.safetensors"), QStringLiteral("models/tiny-sdxl/diffusers")}) {
            const QString out = output(QFileInfo(model).baseName() + QStringLiteral(".png"));
            const CliRun run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"),
                                                   fixture(model), QStringLiteral("--out"), out} +
                                       options);
            QVERIFY2(run.exitCode == 0, run.err.constData());
            QVERIFY2(run.err.contains("sdxl epsilon"), run.err.constData());
            QVERIFY(largestDifference(QImage(out), reference) <= 1);
        }

        // Another SDXL model as the refiner (here the same weights from the diffusers folder): Euler continuing from
        // the leftover noise of step 4 of 8 makes the reference again, and the recipe names the refiner.
        const QString refined = output(QStringLiteral("refined.png"));
        CliRun run = atelier(
            QStringList{QStringLiteral("generate"), QStringLiteral("--model"),
                        fixture(QStringLiteral("models/tiny-sdxl/tiny-sdxl.safetensors")), QStringLiteral("--refiner"),
                        fixture(QStringLiteral("models/tiny-sdxl/diffusers")), QStringLiteral("--refiner-switch"),
                        QStringLiteral("0.5"), QStringLiteral("--out"), refined} +
            options);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.contains("and sdxl refiner") && run.err.contains("8/8"), run.err.constData());
        QVERIFY(largestDifference(QImage(refined), reference) <= 1);
        const CliRun inspected = atelier({QStringLiteral("inspect"), refined, QStringLiteral("--json")});
        const QJsonObject recipe = QJsonDocument::fromJson(inspected.out).object();
        QCOMPARE(recipe.value(QStringLiteral("refiner")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("diffusers"));
        QCOMPARE(recipe.value(QStringLiteral("refiner_switch")).toDouble(), 0.5);
        QCOMPARE(recipe.value(QStringLiteral("sampling_passes")).toInt(), 2);
        const QString parameters = chunkText(recipe, QStringLiteral("parameters"));
        QVERIFY2(parameters.contains(QStringLiteral("Refiner: diffusers")) &&
                     parameters.contains(QStringLiteral("Refiner switch at: 0.5")),
                 qPrintable(parameters));
        const QString workflow = chunkText(recipe, QStringLiteral("atelier_workflow"));
        QCOMPARE(workflow.count(QStringLiteral("KSamplerAdvanced")), 2);

        // What cannot be handed over is refused before anything is written.
        const QString never = output(QStringLiteral("never-refined.png"));
        const QStringList base = QStringList{QStringLiteral("generate"), QStringLiteral("--model"),
                                             fixture(QStringLiteral("models/tiny-sdxl/tiny-sdxl.safetensors")),
                                             QStringLiteral("--out"), never} +
                                 options;
        run = atelier(base + QStringList{QStringLiteral("--refiner-switch"), QStringLiteral("0.5")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--refiner-switch needs --refiner"), run.err.constData());
        run = atelier(base + QStringList{QStringLiteral("--refiner"), checkpoint(), QStringLiteral("--refiner-switch"),
                                         QStringLiteral("1.5")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("between 0 and 1"), run.err.constData());
        run = atelier(base + QStringList{QStringLiteral("--refiner"), checkpoint()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("latent spaces differ"), run.err.constData());
        QVERIFY(!QFileInfo::exists(never));
    }

    void batchesImg2imgDiffusersFoldersAndLatents()
    {
        CliRun run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), fixture(QStringLiteral("models/tiny-sd2v/diffusers")),
                              QStringLiteral("--prompt"), QStringLiteral("a (watercolor:1.3) lighthouse"), QStringLiteral("--steps"),
                              QStringLiteral("4"), QStringLiteral("--width"), QStringLiteral("96"), QStringLiteral("--height"),
                              QStringLiteral("64"), QStringLiteral("--batch"), QStringLiteral("2"), QStringLiteral("--sampler"),
                              QStringLiteral("euler_ancestral"), QStringLiteral("--out"), output(QStringLiteral("light.png")),
                              QStringLiteral("--save-latent"), output(QStringLiteral("light.safetensors"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.contains("sd-2 v"), run.err.constData());
        const QImage first(output(QStringLiteral("light.png"))), second(output(QStringLiteral("light-2.png")));
        QCOMPARE(first.size(), QSize(96, 64));
        QCOMPARE(second.size(), QSize(96, 64));
        QVERIFY(largestDifference(first, second) > 10);  // two images of one batch, from different noise
        QFile latent(output(QStringLiteral("light.safetensors")));
        QVERIFY(latent.open(QIODevice::ReadOnly));
        QVERIFY(latent.read(200).contains("\"latent\":{\"dtype\":\"F32\",\"shape\":[2,4,8,12]"));

        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"),
                       QStringLiteral("a photo of a dog"), QStringLiteral("--steps"), QStringLiteral("6"), QStringLiteral("--init-image"),
                       output(QStringLiteral("light.png")), QStringLiteral("--denoise"), QStringLiteral("0.5"), QStringLiteral("--out"),
                       output(QStringLiteral("changed.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.contains("6/6"), run.err.constData());
        const QImage changed(output(QStringLiteral("changed.png")));
        QCOMPARE(changed.size(), QSize(96, 64));  // the init image decides the size
        QVERIFY(largestDifference(changed, first) > 0);
    }

    // The LoRA case of the fixtures, from the file and from the library; embeddings from a folder; the recipe
    // names both with their hashes, and inspect shows them.
    void appliesLorasAndEmbeddingsAndRecordsThem()
    {
        const QString lora = fixture(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors"));
        const QImage reference(fixture(QStringLiteral("cases/tiny-sd1.txt2img.euler.normal.s42.lora.png")));
        QVERIFY(!reference.isNull());
        CliRun run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(),
                                         QStringLiteral("--lora"), lora + QStringLiteral(":0.8"),
                                         QStringLiteral("--out"), output(QStringLiteral("lora.png"))} +
                             referenceCase());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(largestDifference(QImage(output(QStringLiteral("lora.png"))), reference) <= 1);

        const CliRun installed = atelier({QStringLiteral("install"), lora, QStringLiteral("--inplace")});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
        const QString key = QString::fromLatin1(installed.out.trimmed());
        run = atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(),
                                  QStringLiteral("--lora"), key.left(8) + QStringLiteral(":0.8:0.8"),
                                  QStringLiteral("--out"), output(QStringLiteral("by-key.png"))} +
                      referenceCase());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(largestDifference(QImage(output(QStringLiteral("by-key.png"))), reference) <= 1);

        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(), QStringLiteral("--lora"),
                       lora + QStringLiteral(":0.5:0.25"), QStringLiteral("--embeddings"),
                       fixture(QStringLiteral("models/tiny-sd1/embeddings")), QStringLiteral("--prompt"),
                       QStringLiteral("a photo of tiny-ti in watercolor"), QStringLiteral("--steps"),
                       QStringLiteral("2"), QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"),
                       QStringLiteral("64"), QStringLiteral("--out"), output(QStringLiteral("both.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const CliRun inspected =
            atelier({QStringLiteral("inspect"), output(QStringLiteral("both.png")), QStringLiteral("--json")});
        QVERIFY2(inspected.exitCode == 0, inspected.err.constData());
        const QJsonObject recipe = QJsonDocument::fromJson(inspected.out).object();
        const QJsonArray loras = recipe.value(QStringLiteral("loras")).toArray();
        QCOMPARE(loras.size(), 1);
        QCOMPARE(loras[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("tiny-sd1-lora-kohya"));
        QCOMPARE(loras[0].toObject().value(QStringLiteral("weight")).toDouble(), 0.5);
        QCOMPARE(loras[0].toObject().value(QStringLiteral("clip_weight")).toDouble(), 0.25);
        QCOMPARE(loras[0].toObject().value(QStringLiteral("hash")).toString().size(), 64);
        const QJsonArray embeddings = recipe.value(QStringLiteral("embeddings")).toArray();
        QCOMPARE(embeddings.size(), 1);
        QCOMPARE(embeddings[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("tiny-ti"));
        QCOMPARE(embeddings[0].toObject().value(QStringLiteral("hash")).toString().size(), 64);
        // A1111's line carries the tag and both hash lists.
        const CliRun text = atelier({QStringLiteral("inspect"), output(QStringLiteral("both.png"))});
        QVERIFY2(text.out.contains("lora") && text.out.contains("tiny-ti"), text.out.constData());
    }

    void badLorasAndEmbeddingsSayWhyAndWriteNothing()
    {
        const QString out = output(QStringLiteral("never.png"));
        const auto generate = [&](const QStringList &extra) {
            return atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(),
                                       QStringLiteral("--out"), out, QStringLiteral("--steps"), QStringLiteral("1"),
                                       QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"),
                                       QStringLiteral("64")} +
                           extra);
        };
        CliRun run = generate({QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--lora"),
                               QStringLiteral("nowhere.safetensors")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("neither a file nor a LoRA in the library"), run.err.constData());
        QFile damaged(output(QStringLiteral("damaged.safetensors")));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write(QByteArray("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":", 14));
        damaged.close();
        run = generate({QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--lora"), damaged.fileName()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("damaged.safetensors"), run.err.constData());
        run = generate({QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--lora"), checkpoint()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no LoRA or LyCORIS weights"), run.err.constData());
        run = generate({QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--lora"),
                        fixture(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors:abc:1"))});
        QCOMPARE(run.exitCode, 1);
        run = generate({QStringLiteral("--prompt"), QStringLiteral("a embedding:tiny-it cat"),
                        QStringLiteral("--embeddings"), fixture(QStringLiteral("models/tiny-sd1/embeddings"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("no embedding named \"tiny-it\"; close matches: tiny-ti"), run.err.constData());
        run = generate({QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--embeddings"),
                        output(QStringLiteral("none"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no such folder"), run.err.constData());
        QVERIFY(!QFile::exists(out));
    }

    // aMUSEd from its diffusers folder: its own defaults (12 steps, guidance 10, the transformer's size), the
    // fixture's images for txt2img and img2img (this libtorch's seeded draws are the reference run's), a recipe
    // that names the family's settings and reopens as an aMUSEd graph; what it does not read is refused.
    void makesAmusedImages()
    {
        const QString model = fixture(QStringLiteral("models/tiny-amused"));
        const QString cat = output(QStringLiteral("amused-cat.png"));
        CliRun run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--prompt"),
                              QStringLiteral("a photo of a cat"), QStringLiteral("--seed"), QStringLiteral("42"),
                              QStringLiteral("--steps"), QStringLiteral("8"), QStringLiteral("--out"), cat});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.contains("8/8") && run.err.contains("amused model loaded"), run.err.constData());
        const QImage made(cat);
        QCOMPARE(made.size(), QSize(16, 16));
        QCOMPARE(largestDifference(made, QImage(fixture(QStringLiteral("cases/tiny-amused.txt2img.s8.cfg10.s42.png")))),
                 0);

        const CliRun inspected = atelier({QStringLiteral("inspect"), cat, QStringLiteral("--json")});
        const QJsonObject recipe = QJsonDocument::fromJson(inspected.out).object();
        QCOMPARE(recipe.value(QStringLiteral("sampler")).toString(), QStringLiteral("amused"));
        QCOMPARE(recipe.value(QStringLiteral("scheduler")).toString(), QStringLiteral("cosine"));
        QCOMPARE(recipe.value(QStringLiteral("steps")).toInt(), 8);
        QCOMPARE(recipe.value(QStringLiteral("cfg")).toDouble(), 10.0);
        QCOMPARE(recipe.value(QStringLiteral("masked_tokens"))
                     .toObject()
                     .value(QStringLiteral("aesthetic_score"))
                     .toDouble(),
                 6.0);
        const QString workflow = chunkText(recipe, QStringLiteral("atelier_workflow"));
        QVERIFY2(workflow.contains(QStringLiteral("AmusedSampler")) && workflow.contains(QStringLiteral("VQDecode")) &&
                     !workflow.contains(QStringLiteral("KSampler")),
                 qPrintable(workflow));

        const QString dog = output(QStringLiteral("amused-dog.png"));
        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--prompt"),
                       QStringLiteral("a photo of a dog"), QStringLiteral("--seed"), QStringLiteral("42"),
                       QStringLiteral("--init-image"),
                       fixture(QStringLiteral("cases/tiny-amused.img2img.s12.strength0.5.s42.init.png")),
                       QStringLiteral("--denoise"), QStringLiteral("0.5"), QStringLiteral("--out"), dog});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(largestDifference(
                     QImage(dog), QImage(fixture(QStringLiteral("cases/tiny-amused.img2img.s12.strength0.5.s42.png")))),
                 0);

        const QString never = output(QStringLiteral("amused-never.png"));
        const QStringList base{QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--prompt"),
                               QStringLiteral("x"),        QStringLiteral("--out"),   never};
        for (const auto &[option, value, said] :
             {std::tuple{"--sampler", "euler", "the sampler \"euler\""}, std::tuple{"--clip-skip", "2", "clip skip"},
              std::tuple{"--scheduler", "karras", "the scheduler \"karras\""}}) {
            run = atelier(base + QStringList{QLatin1String(option), QLatin1String(value)});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(said) && run.err.contains("does not apply to aMUSEd models"),
                     run.err.constData());
        }
        run = atelier(base + QStringList{QStringLiteral("--width"), QStringLiteral("15")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("multiples of 2 pixels"), run.err.constData());
        for (const char *cfg : {"nan", "inf"}) {
            run = atelier(base + QStringList{QStringLiteral("--cfg"), QLatin1String(cfg)});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains("not a number"), run.err.constData());
        }
        run = atelier(base + QStringList{QStringLiteral("--temperature"), QStringLiteral("a,b")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("START[,END]"), run.err.constData());
        QVERIFY(!QFile::exists(never));
        // And the other way: aMUSEd's settings on a Stable Diffusion model.
        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"),
                       QStringLiteral("x"), QStringLiteral("--aesthetic-score"), QStringLiteral("7"),
                       QStringLiteral("--out"), never});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("aMUSEd models only"), run.err.constData());
    }

    void badInputsSayWhyAndWriteNothing()
    {
        const QString out = output(QStringLiteral("never.png"));
        const auto generate = [&](const QStringList &extra) {
            return atelier(QStringList{QStringLiteral("generate"), QStringLiteral("--out"), out} + extra);
        };
        CliRun run = generate({QStringLiteral("--model"), checkpoint()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--prompt is required"), run.err.constData());
        run = generate({QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--width"),
                        QStringLiteral("65")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("multiples of 8"), run.err.constData());
        for (const QString &seed :
             {QStringLiteral("18446744073709551616"), QStringLiteral("-1"), QStringLiteral("1e3")}) {
            run = generate({QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"), QStringLiteral("x"),
                            QStringLiteral("--seed"), seed});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains("not a whole number from 0 to 18446744073709551615"), run.err.constData());
        }
        run = generate({QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--sampler"),
                        QStringLiteral("euler_a")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("unknown sampler \"euler_a\""), run.err.constData());
        run = generate({QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"), QStringLiteral("x"), QStringLiteral("--precision"),
                        QStringLiteral("fp16")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("fp16 needs a CUDA device"), run.err.constData());
        QFile junk(output(QStringLiteral("junk.safetensors")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("this is not a model");
        junk.close();
        run = generate({QStringLiteral("--model"), junk.fileName(), QStringLiteral("--prompt"), QStringLiteral("x")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("junk.safetensors"), run.err.constData());
        run = generate({QStringLiteral("--model"), QStringLiteral("0123456789"), QStringLiteral("--prompt"), QStringLiteral("x")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("neither a file or folder nor a model in the library"), run.err.constData());
        QVERIFY(!QFile::exists(out));

        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), checkpoint(), QStringLiteral("--prompt"), QStringLiteral("x"),
                       QStringLiteral("--steps"), QStringLiteral("1"), QStringLiteral("--width"), QStringLiteral("64"),
                       QStringLiteral("--height"), QStringLiteral("64"), QStringLiteral("--out"),
                       output(QStringLiteral("no/such/folder/x.png"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("cannot be written"), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestGenerateCli)
#include "test_generate_cli.moc"
