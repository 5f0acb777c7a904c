#include "cli_runner.h"
#include "tests/fixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

// `atelier train amused`, run as a user would, on the fixture training set: the result lands in the library and
// generates at once, a run killed at a random point resumes to the very weights of an uninterrupted one, and bad
// training sets are reported by name.
class TestTrainCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;

    CliRun atelier(QStringList arguments, const QString &root = QString())
    {
        arguments.prepend(root.isEmpty() ? m_root->path() : root);
        arguments.prepend(QStringLiteral("--root"));
        return runAtelier(arguments, QProcessEnvironment::systemEnvironment(), 300000);
    }

    static QString fixture(const QString &relative) { return QDir(fixturesDir()).filePath(relative); }
    static QString tinyAmused() { return fixture(QStringLiteral("models/tiny-amused")); }

    // The fixture's training images and captions in a folder of their own, captions as `style` says.
    // With `size`, the images scaled to it first (a training set larger than the model's size is resized and
    // cropped).
    QString trainingSet(const QString &name, const QString &style = QStringLiteral("json"), QSize size = QSize())
    {
        const QString folder = m_root->filePath(name);
        QDir().mkpath(folder);
        QFile captionsFile(fixture(QStringLiteral("cases/tiny-amused.train.captions.json")));
        if (!captionsFile.open(QIODevice::ReadOnly))
            return {};
        const QJsonArray captions = QJsonDocument::fromJson(captionsFile.readAll()).array();
        QStringList csv{QStringLiteral("file,caption")};
        for (const QJsonValue &entry : captions) {
            const QString file = entry.toObject().value(QStringLiteral("file")).toString();
            const QString caption = entry.toObject().value(QStringLiteral("caption")).toString();
            if (size.isValid())
                QImage(fixture(QStringLiteral("cases/") + file))
                    .scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                    .save(folder + QLatin1Char('/') + file);
            else
                QFile::copy(fixture(QStringLiteral("cases/") + file), folder + QLatin1Char('/') + file);
            if (style == QLatin1String("txt"))
                writeFile(folder + QLatin1Char('/') + QFileInfo(file).completeBaseName() + QStringLiteral(".txt"),
                          caption.toUtf8());
            csv << QStringLiteral("%1,\"%2\"").arg(file, caption);
        }
        if (style == QLatin1String("json"))
            writeFile(folder + QStringLiteral("/captions.json"), QJsonDocument(captions).toJson());
        else if (style == QLatin1String("csv"))
            writeFile(folder + QStringLiteral("/captions.csv"), csv.join(QLatin1Char('\n')).toUtf8());
        return folder;
    }

    static void writeFile(const QString &path, const QByteArray &bytes)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }

    static QStringList fullRun(const QString &data, const QString &out, int steps)
    {
        return {QStringLiteral("train"),   QStringLiteral("amused"),
                QStringLiteral("--data"),  data,
                QStringLiteral("--model"), tinyAmused(),
                QStringLiteral("--out"),   out,
                QStringLiteral("--steps"), QString::number(steps),
                QStringLiteral("--batch"), QStringLiteral("3"),
                QStringLiteral("--lr"),    QStringLiteral("2e-3"),
                QStringLiteral("--seed"),  QStringLiteral("9"),
                QStringLiteral("--ema"),   QStringLiteral("--checkpoint-every"),
                QStringLiteral("4")};
    }

    static QByteArray fileBytes(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // The log's step and loss columns (the timing column differs from run to run).
    static QStringList lossColumns(const QString &path)
    {
        QStringList rows;
        for (const QByteArray &line : fileBytes(path).split('\n'))
            if (!line.isEmpty())
                rows << QString::fromUtf8(line.split(',').mid(0, 2).join(','));
        return rows;
    }

private slots:
    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void trainedModelAndLoraAreInTheLibraryAndGenerate()
    {
        const QString data = trainingSet(QStringLiteral("data"), QStringLiteral("csv"));
        CliRun run = atelier(fullRun(data, QStringLiteral("my-style"), 6));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("4 images (captions from captions.csv), 0 skipped"), run.out.constData());
        QVERIFY2(run.err.contains("step 6/6  loss "), run.err.constData());
        const QString lossLog = m_root->filePath(QStringLiteral("training/my-style/loss.csv"));
        QCOMPARE(fileBytes(lossLog).count('\n'), 7); // the header and a row per step

        run = atelier({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(run.out.contains("\"my-style\"") && run.out.contains("\"amused\""), run.out.constData());
        QVERIFY2(run.out.contains("Trained from tiny-amused on 4 images"), run.out.constData());
        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), QStringLiteral("my-style"),
                       QStringLiteral("--prompt"), QStringLiteral("a red circle"), QStringLiteral("--steps"),
                       QStringLiteral("4"), QStringLiteral("--out"), m_root->filePath(QStringLiteral("a.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QImage(m_root->filePath(QStringLiteral("a.png"))).size(), QSize(16, 16));

        // A LoRA, captions beside the images, a validation image; then used on the base model.
        const QString texts = trainingSet(QStringLiteral("texts"), QStringLiteral("txt"));
        run = atelier({QStringLiteral("train"), QStringLiteral("amused"), QStringLiteral("--data"), texts,
                       QStringLiteral("--model"), tinyAmused(), QStringLiteral("--out"), QStringLiteral("my-lora"),
                       QStringLiteral("--steps"), QStringLiteral("5"), QStringLiteral("--lora-rank"),
                       QStringLiteral("4"), QStringLiteral("--lr"), QStringLiteral("5e-3"), QStringLiteral("--batch"),
                       QStringLiteral("4"), QStringLiteral("--validation-prompt"), QStringLiteral("green stripes")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFile::exists(m_root->filePath(QStringLiteral("training/my-lora/validation/step-000005-0.png"))));
        run = atelier({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray records = QJsonDocument::fromJson(run.out).array();
        bool found = false;
        for (const QJsonValue &record : records)
            if (record.toObject().value(QStringLiteral("name")).toString() == QLatin1String("my-lora")) {
                found = true;
                QCOMPARE(record.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("lora"));
                QCOMPARE(record.toObject().value(QStringLiteral("base")).toString(), QStringLiteral("amused"));
            }
        QVERIFY2(found, run.out.constData());
        run = atelier({QStringLiteral("generate"), QStringLiteral("--model"), tinyAmused(), QStringLiteral("--lora"),
                       QStringLiteral("my-lora"), QStringLiteral("--prompt"), QStringLiteral("green stripes"),
                       QStringLiteral("--steps"), QStringLiteral("4"), QStringLiteral("--out"),
                       m_root->filePath(QStringLiteral("b.png"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // The same name again is refused instead of mixing two runs.
        run = atelier(fullRun(data, QStringLiteral("my-style"), 2));
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("exists"), run.err.constData());
    }

    void killedRunResumesToTheUninterruptedWeights()
    {
        // Larger than the model's 16 pixels and not square: each process must crop them alike.
        const QString data = trainingSet(QStringLiteral("data"), QStringLiteral("json"), QSize(30, 21));
        const QString otherRoot = m_root->filePath(QStringLiteral("other-root"));
        QDir().mkpath(otherRoot);
        CliRun run = atelier(fullRun(data, QStringLiteral("style"), 24), otherRoot);
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // Killed without warning (no checkpoint on the way out) once a random checkpoint is written.
        const int killAfter = 4 * QRandomGenerator::global()->bounded(1, 5);
        QProcess process;
        process.setReadChannel(QProcess::StandardError);
        process.start(QStringLiteral(ATELIER_EXECUTABLE), QStringList{QStringLiteral("--root"), m_root->path()} +
                                                              fullRun(data, QStringLiteral("style"), 24));
        const QByteArray mark = QStringLiteral("step-%1.safetensors").arg(killAfter, 6, 10, QLatin1Char('0')).toUtf8();
        QByteArray err;
        while (!err.contains(mark) && process.waitForReadyRead(60000))
            err += process.readAllStandardError();
        QVERIFY2(err.contains(mark), err.constData());
        process.kill();
        process.waitForFinished();
        err += process.readAllStandardError();
        QVERIFY2(!err.contains("step 24/24"), err.constData());
        QVERIFY(!QFile::exists(m_root->filePath(QStringLiteral("models/amused/main/style"))));

        run = atelier(fullRun(data, QStringLiteral("style"), 24) << QStringLiteral("--resume"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString weights =
            QStringLiteral("/models/amused/main/style/transformer/diffusion_pytorch_model.safetensors");
        const QByteArray resumed = fileBytes(m_root->path() + weights), uninterrupted = fileBytes(otherRoot + weights);
        QVERIFY(!resumed.isEmpty());
        QVERIFY2(resumed == uninterrupted,
                 qPrintable(QStringLiteral("the weights differ after a kill past step %1").arg(killAfter)));
        // The loss log has one row per step, none twice, with the uninterrupted run's losses.
        QCOMPARE(lossColumns(m_root->filePath(QStringLiteral("training/style/loss.csv"))),
                 lossColumns(otherRoot + QStringLiteral("/training/style/loss.csv")));
        QCOMPARE(lossColumns(m_root->filePath(QStringLiteral("training/style/loss.csv"))).size(), 25);
    }

    void badTrainingSetsAreReportedByName()
    {
        const QString data = trainingSet(QStringLiteral("data"));
        // An image that does not decode and one too small are listed and skipped.
        writeFile(data + QStringLiteral("/broken.png"), QByteArray("\x89PNG\r\n\x1a\n not really", 20));
        QImage(8, 8, QImage::Format_RGB888).save(data + QStringLiteral("/small.png"));
        QJsonArray captions = QJsonDocument::fromJson(fileBytes(data + QStringLiteral("/captions.json"))).array();
        captions.append(QJsonObject{{QStringLiteral("file"), QStringLiteral("broken.png")},
                                    {QStringLiteral("caption"), QStringLiteral("x")}});
        captions.append(QJsonObject{{QStringLiteral("file"), QStringLiteral("small.png")},
                                    {QStringLiteral("caption"), QStringLiteral("y")}});
        writeFile(data + QStringLiteral("/captions.json"), QJsonDocument(captions).toJson());
        CliRun run = atelier(fullRun(data, QStringLiteral("a"), 1));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("4 images (captions from captions.json), 2 skipped"), run.out.constData());
        QVERIFY2(run.err.contains("skipped broken.png") &&
                     run.err.contains("skipped small.png: 8×8 is smaller than 16×16"),
                 run.err.constData());

        // An image without a caption stops the run before it starts, naming the image.
        QFile::copy(fixture(QStringLiteral("cases/tiny-amused.train.image0.png")), data + QStringLiteral("/extra.png"));
        run = atelier(fullRun(data, QStringLiteral("b"), 1));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("extra.png has no caption"), run.err.constData());

        // A Stable Diffusion model, and a family that does not train here.
        run = atelier({QStringLiteral("train"), QStringLiteral("amused"), QStringLiteral("--data"), data,
                       QStringLiteral("--model"), fixture(QStringLiteral("models/tiny-sd1/diffusers")),
                       QStringLiteral("--out"), QStringLiteral("c"), QStringLiteral("--resolution"),
                       QStringLiteral("16")});
        QVERIFY(run.exitCode != 0);
        run = atelier({QStringLiteral("train"), QStringLiteral("sdxl"), QStringLiteral("--data"), data,
                       QStringLiteral("--model"), tinyAmused(), QStringLiteral("--out"), QStringLiteral("d")});
        QCOMPARE(run.exitCode, 2);
        run = atelier({QStringLiteral("train"), QStringLiteral("amused"), QStringLiteral("--data"), data,
                       QStringLiteral("--model"), tinyAmused(), QStringLiteral("--out"), QStringLiteral("e"),
                       QStringLiteral("--steps"), QStringLiteral("zero")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--steps zero is not a valid value"), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestTrainCli)
#include "test_train_cli.moc"
