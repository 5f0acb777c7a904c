#include "core/generation/png_image.h"

#include <QBuffer>
#include <QImage>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <zlib.h>

using namespace atelier;

// PNG files through libpng, checked against QImage, an independent reader and writer.
class TestPngImage : public QObject
{
    Q_OBJECT

    static engine::RgbImage gradient(int width, int height)
    {
        engine::RgbImage image;
        image.width = width;
        image.height = height;
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                image.pixels.insert(image.pixels.end(),
                                    {std::uint8_t(x * 7), std::uint8_t(y * 11), std::uint8_t((x * y) ^ 0x5a)});
        return image;
    }

    static QByteArray written(const QImage &image)
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        return bytes;
    }

    static void compareWithQImage(const engine::RgbImage &decoded, const QImage &source)
    {
        const QImage expected = source.convertToFormat(QImage::Format_RGB888);
        QCOMPARE(decoded.width, expected.width());
        QCOMPARE(decoded.height, expected.height());
        for (int y = 0; y < expected.height(); ++y)
            QVERIFY2(std::memcmp(decoded.pixels.data() + std::size_t(y) * std::size_t(decoded.width) * 3,
                                 expected.constScanLine(y), std::size_t(decoded.width) * 3) == 0,
                     qPrintable(QStringLiteral("row %1 differs").arg(y)));
    }

    // A PNG whose header claims `width` x `height`, with correct CRCs and no image data worth reading.
    static QByteArray claimedSize(quint32 width, quint32 height)
    {
        QByteArray ihdr("IHDR");
        char be[4];
        qToBigEndian(width, be);
        ihdr.append(be, 4);
        qToBigEndian(height, be);
        ihdr.append(be, 4);
        ihdr.append(QByteArray("\x08\x02\x00\x00\x00", 5));
        QByteArray png("\x89PNG\r\n\x1a\n", 8);
        qToBigEndian(quint32(13), be);
        png.append(be, 4);
        png.append(ihdr);
        qToBigEndian(quint32(crc32(0, reinterpret_cast<const Bytef *>(ihdr.constData()), uInt(ihdr.size()))), be);
        png.append(be, 4);
        // Header reading stops at the first image data, so there must be some.
        for (const QByteArray &chunk : {QByteArray("IDAT\x78\x9c\x03\x00\x00\x00\x00\x01", 12), QByteArray("IEND")}) {
            qToBigEndian(quint32(chunk.size() - 4), be);
            png.append(be, 4);
            png.append(chunk);
            qToBigEndian(quint32(crc32(0, reinterpret_cast<const Bytef *>(chunk.constData()), uInt(chunk.size()))), be);
            png.append(be, 4);
        }
        return png;
    }

private slots:
    void encodesExactPixelsThatQImageReads()
    {
        const engine::RgbImage image = gradient(37, 23);
        const Result<QByteArray> png = generation::encodePng(image);
        QVERIFY2(png, qPrintable(png.error()));
        const QImage read = QImage::fromData(png.value(), "PNG");
        QVERIFY(!read.isNull());
        compareWithQImage(image, read);
    }

    void writesTextChunksThatReadBack()
    {
        QList<metadata::TextChunk> chunks(2);
        chunks[0].type = "tEXt";
        chunks[0].keyword = QStringLiteral("parameters");
        chunks[0].text = QStringLiteral("a cat\nSteps: 8");
        chunks[1].keyword = QStringLiteral("atelier_metadata");
        chunks[1].text = QStringLiteral("{\"prompt\":\"猫\"}");
        const Result<QByteArray> png = generation::encodePng(gradient(8, 8), chunks);
        QVERIFY2(png, qPrintable(png.error()));
        const Result<metadata::PngText> text = metadata::readPngText(png.value());
        QVERIFY2(text, qPrintable(text.error()));
        QCOMPARE(text->chunks.size(), 2);
        QCOMPARE(text->chunks[0].text, chunks[0].text);
        QCOMPARE(text->chunks[1].text, chunks[1].text);
        QVERIFY(png->indexOf("atelier_metadata") < png->indexOf("IDAT"));
        QVERIFY(!QImage::fromData(png.value(), "PNG").isNull());
    }

    void decodesEveryKindOfPngAsQImageDoes_data()
    {
        QTest::addColumn<QImage>("source");
        QImage rgb(19, 13, QImage::Format_RGB888);
        for (int y = 0; y < rgb.height(); ++y)
            for (int x = 0; x < rgb.width(); ++x)
                rgb.setPixelColor(x, y, QColor(x * 13, y * 17, (x + y) * 5));
        QTest::newRow("rgb") << rgb;
        QTest::newRow("grey") << rgb.convertToFormat(QImage::Format_Grayscale8);
        QTest::newRow("palette") << rgb.convertToFormat(QImage::Format_Indexed8);
        QImage translucent = rgb.convertToFormat(QImage::Format_ARGB32);
        for (int y = 0; y < translucent.height(); ++y)
            for (int x = 0; x < translucent.width(); ++x) {
                QColor colour = translucent.pixelColor(x, y);
                colour.setAlpha((x * 20) % 256);
                translucent.setPixelColor(x, y, colour);
            }
        QTest::newRow("alpha") << translucent;
        QTest::newRow("one bit") << rgb.convertToFormat(QImage::Format_Mono);
    }

    void decodesEveryKindOfPngAsQImageDoes()
    {
        QFETCH(QImage, source);
        const QByteArray png = written(source);
        const Result<engine::RgbImage> decoded = generation::decodePng(png);
        QVERIFY2(decoded, qPrintable(decoded.error()));
        compareWithQImage(decoded.value(), QImage::fromData(png, "PNG"));
    }

    void refusesDamagedAndHostileFilesWithAReason()
    {
        const QByteArray good = generation::encodePng(gradient(64, 64)).value();
        Result<engine::RgbImage> decoded = generation::decodePng(QByteArray("GIF89a not a png"));
        QVERIFY(!decoded);
        QVERIFY2(decoded.error().contains(QLatin1String("not a readable PNG")), qPrintable(decoded.error()));
        QVERIFY(!generation::decodePng(QByteArray()));
        decoded = generation::decodePng(good.left(good.size() / 2));
        QVERIFY(!decoded);
        QVERIFY2(decoded.error().contains(QLatin1String("damaged")), qPrintable(decoded.error()));
        QByteArray flipped = good;
        flipped[flipped.indexOf("IDAT") + 20] = char(flipped[flipped.indexOf("IDAT") + 20] ^ 0x40);
        QVERIFY(!generation::decodePng(flipped));
        decoded = generation::decodePng(claimedSize(100000, 100000));
        QVERIFY(!decoded);
        QVERIFY2(decoded.error().contains(QLatin1String("larger than")), qPrintable(decoded.error()));
        QVERIFY(!generation::decodePng(claimedSize(16000, 16000))); // 256 megapixels: too many
        QVERIFY(!generation::encodePng(engine::RgbImage{4, 4, std::vector<std::uint8_t>(5)}));
    }

    void writesFilesWholeOrNotAtAll()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("image.png"));
        QVERIFY(generation::writePngFile(path, gradient(16, 8), {}));
        const Result<engine::RgbImage> read = generation::readPngFile(path);
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->pixels, gradient(16, 8).pixels);
        const QString nowhere = dir.filePath(QStringLiteral("no/such/folder/image.png"));
        const Status failed = generation::writePngFile(nowhere, gradient(16, 8), {});
        QVERIFY(!failed);
        QVERIFY2(failed.error().contains(nowhere) && failed.error().contains(QLatin1String("cannot be written")),
                 qPrintable(failed.error()));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("image.png")});
        const Result<engine::RgbImage> missing = generation::readPngFile(dir.filePath(QStringLiteral("none.png")));
        QVERIFY(!missing);
        QVERIFY(missing.error().contains(QLatin1String("none.png")));
    }
};

QTEST_GUILESS_MAIN(TestPngImage)
#include "test_png_image.moc"
