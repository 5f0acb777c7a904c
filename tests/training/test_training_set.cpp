#include "core/generation/png_image.h"
#include "core/training/training_set.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;

// A folder of training images read as the trainer needs them: captions from each layout other tools write, images
// resized so the shorter side is the resolution and cropped the same way in every process, and the files that
// cannot be used listed or refused by name.
class TestTrainingSet : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // A w x h image whose pixels encode their position, written as PNG.
    void writeImage(const QString &name, int width, int height, std::uint8_t base = 0)
    {
        engine::RgbImage image{width, height, std::vector<std::uint8_t>(std::size_t(width) * height * 3)};
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                std::uint8_t *pixel = &image.pixels[(std::size_t(y) * width + x) * 3];
                pixel[0] = std::uint8_t(base + x);
                pixel[1] = std::uint8_t(base + y);
                pixel[2] = 128;
            }
        QVERIFY(generation::writePngFile(m_dir.filePath(name), image, {}));
    }
    void writeText(const QString &name, const QByteArray &text)
    {
        QFile file(m_dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
    }

private slots:
    void init() { QVERIFY(QDir(m_dir.path()).removeRecursively() && QDir().mkpath(m_dir.path())); }

    void captionsFromEveryLayout_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("source");
        QTest::newRow("captions.json list")
            << "captions.json" << QByteArray(R"([{"file": "a.png", "caption": "red, bold"},
                                                             {"file": "b.png", "caption": "blue"}])")
            << "captions.json";
        QTest::newRow("captions.json object")
            << "captions.json" << QByteArray(R"({"a.png": "red, bold", "b.png": "blue"})") << "captions.json";
        QTest::newRow("captions.csv") << "captions.csv"
                                      << QByteArray("file,caption\r\na.png,\"red, bold\"\nb.png,blue\n")
                                      << "captions.csv";
        QTest::newRow("metadata.jsonl")
            << "metadata.jsonl"
            << QByteArray("{\"file_name\": \"a.png\", \"text\": \"red, bold\"}\n\n{\"file_name\": \"b.png\", \"text\": "
                          "\"blue\"}\n")
            << "metadata.jsonl";
        QTest::newRow("a text file beside each image") << "a.txt" << QByteArray("  red, bold\n") << "beside";
    }
    void captionsFromEveryLayout()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, text);
        QFETCH(QString, source);
        writeImage(QStringLiteral("a.png"), 16, 16);
        writeImage(QStringLiteral("b.png"), 16, 16);
        writeText(file, text);
        if (source == QLatin1String("beside"))
            writeText(QStringLiteral("b.txt"), "blue");
        const auto set = training::readTrainingSet(m_dir.path(), 16, 0);
        QVERIFY2(set, qPrintable(set.error()));
        QCOMPARE(set->examples.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(set->examples[0].caption), QStringLiteral("red, bold"));
        QCOMPARE(QString::fromStdString(set->examples[1].caption), QStringLiteral("blue"));
        QVERIFY(set->captionSource.contains(source == QLatin1String("beside") ? QStringLiteral("beside") : source));
    }

    void resizedAndCroppedAlikeEveryTime()
    {
        writeImage(QStringLiteral("wide.png"), 64, 32);
        writeText(QStringLiteral("wide.txt"), "wide");
        const auto first = training::readTrainingSet(m_dir.path(), 16, 7);
        const auto again = training::readTrainingSet(m_dir.path(), 16, 7);
        QVERIFY(first && again);
        const engine::TrainingExample &example = first->examples.at(0);
        QCOMPARE(example.image.width, 16);
        QCOMPARE(example.image.height, 16);
        QCOMPARE(example.originalWidth, 64);
        QCOMPARE(example.originalHeight, 32);
        QCOMPARE(example.cropTop, 0); // the shorter side fits exactly
        QVERIFY(example.cropLeft >= 0 && example.cropLeft <= 16);
        QCOMPARE(again->examples.at(0).cropLeft, example.cropLeft);
        QVERIFY(again->examples.at(0).image.pixels == example.image.pixels);
        // Halved: each pixel of the resized image averages its 2x2 source block around it; red counts columns.
        const int left = example.cropLeft;
        const std::uint8_t red = example.image.pixels[0];
        QVERIFY2(std::abs(int(red) - (2 * left + 1)) <= 1, qPrintable(QString::number(red)));
    }

    void resizingKeepsFlatColoursAndAveragesDetail()
    {
        const engine::RgbImage flat{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 200)};
        const engine::RgbImage smaller = training::resizeRgb(flat, 3, 5);
        QCOMPARE(smaller.pixels, std::vector<std::uint8_t>(3 * 5 * 3, 200));
        engine::RgbImage checker{8, 8, std::vector<std::uint8_t>(8 * 8 * 3)};
        for (int i = 0; i < 64; ++i)
            std::fill_n(&checker.pixels[std::size_t(i) * 3], 3, std::uint8_t(((i / 8 + i % 8) % 2) * 255));
        for (std::uint8_t value : training::resizeRgb(checker, 2, 2).pixels)
            QVERIFY2(std::abs(int(value) - 128) <= 20, qPrintable(QString::number(value)));
    }

    void badFilesAreListedOrRefusedByName()
    {
        writeImage(QStringLiteral("good.png"), 20, 20);
        writeImage(QStringLiteral("tiny.png"), 8, 30);
        writeText(QStringLiteral("broken.png"), "\x89PNG\r\n\x1a\nnot an image");
        writeText(QStringLiteral("captions.json"),
                  R"({"good.png": "good", "tiny.png": "tiny", "broken.png": "broken"})");
        auto set = training::readTrainingSet(m_dir.path(), 16, 0);
        QVERIFY2(set, qPrintable(set.error()));
        QCOMPARE(set->examples.size(), std::size_t(1));
        QCOMPARE(set->skipped.size(), 2);
        QCOMPARE(set->skipped.at(0).file, QStringLiteral("broken.png"));
        QCOMPARE(set->skipped.at(1).reason, QStringLiteral("8×30 is smaller than 16×16"));

        writeImage(QStringLiteral("uncaptioned.png"), 16, 16);
        set = training::readTrainingSet(m_dir.path(), 16, 0);
        QVERIFY(!set);
        QCOMPARE(set.errorType(), QStringLiteral("MissingCaption"));
        QVERIFY2(set.error().startsWith(QStringLiteral("uncaptioned.png has no caption")), qPrintable(set.error()));

        writeText(QStringLiteral("captions.json"), "{not json");
        set = training::readTrainingSet(m_dir.path(), 16, 0);
        QVERIFY(!set);
        QVERIFY2(set.error().contains(QStringLiteral("captions.json")), qPrintable(set.error()));

        QVERIFY(QDir(m_dir.path()).removeRecursively() && QDir().mkpath(m_dir.path()));
        set = training::readTrainingSet(m_dir.path(), 16, 0);
        QVERIFY(!set);
        QCOMPARE(set.errorType(), QStringLiteral("NoImages"));
        QVERIFY(!training::readTrainingSet(m_dir.filePath(QStringLiteral("nowhere")), 16, 0));
    }
};

QTEST_GUILESS_MAIN(TestTrainingSet)
#include "test_training_set.moc"
