#include "core/metadata/png_text.h"

#include "tests/fixtures.h"

#include <QBuffer>
#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QTest>

#include <zlib.h>

using namespace atelier::metadata;

namespace {

QByteArray smallPng()
{
    QImage image(16, 8, QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixelColor(x, y, QColor(x * 16, y * 32, 100));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray chunk(const QByteArray &type, const QByteArray &data)
{
    QByteArray out;
    const quint32 length = quint32(data.size());
    out.append(char(length >> 24)).append(char(length >> 16)).append(char(length >> 8)).append(char(length));
    out.append(type).append(data);
    const quint32 crc = quint32(crc32(crc32(0, reinterpret_cast<const Bytef *>(type.constData()), 4),
                                      reinterpret_cast<const Bytef *>(data.constData()), uInt(data.size())));
    out.append(char(crc >> 24)).append(char(crc >> 16)).append(char(crc >> 8)).append(char(crc));
    return out;
}

// `png` with raw chunks inserted right after IHDR (8 + 25 bytes in).
QByteArray withRawChunks(const QByteArray &png, const QByteArray &chunks)
{
    return png.left(33) + chunks + png.mid(33);
}

TextChunk text(const QString &keyword, const QString &value, const QByteArray &type = "iTXt", bool compressed = false)
{
    TextChunk chunk;
    chunk.type = type;
    chunk.keyword = keyword;
    chunk.text = value;
    chunk.compressed = compressed;
    return chunk;
}

} // namespace

class TestPngText : public QObject
{
    Q_OBJECT

private slots:
    void writtenChunksReadBackAndPixelsStayByteIdentical()
    {
        const QByteArray original = smallPng();
        QString longPrompt;
        while (longPrompt.size() < 100 * 1024)
            longPrompt += QStringLiteral("a castle on a hill, (golden light:1.2), café, 東京の夜景, 🐱 ");
        const QList<TextChunk> written{text(QStringLiteral("parameters"), QStringLiteral("a cat\nSteps: 20, Sampler: Euler"), "tEXt"),
                                       text(QStringLiteral("latin"), QStringLiteral("crème brûlée"), "zTXt", true),
                                       text(QStringLiteral("unicode"), QStringLiteral("東京の夜景 🐱 naïve")),
                                       text(QStringLiteral("long"), longPrompt, "iTXt", true)};
        const auto png = withTextChunks(original, written);
        QVERIFY2(png, qPrintable(png.error()));
        const auto read = readPngText(png.value());
        QVERIFY2(read, qPrintable(read.error()));
        QVERIFY2(read->warnings.isEmpty(), qPrintable(read->warnings.join(QLatin1Char('\n'))));
        QCOMPARE(read->chunks.size(), 4);
        for (int i = 0; i < written.size(); ++i) {
            QCOMPARE(read->chunks[i].keyword, written[i].keyword);
            QCOMPARE(read->chunks[i].text, written[i].text);
        }
        QCOMPARE(read->chunks[0].type, QByteArray("tEXt"));
        QCOMPARE(read->chunks[1].type, QByteArray("zTXt"));
        QVERIFY(read->chunks[3].compressed);
        QVERIFY(png->size() < original.size() + longPrompt.toUtf8().size() / 4);  // the long one was deflated

        // Every other chunk, the image data included, is copied byte for byte.
        QCOMPARE(withoutTextChunks(png.value()).value(), withoutTextChunks(original).value());
        QCOMPARE(QImage::fromData(png.value()), QImage::fromData(original));
    }

    void textThatLatin1CannotHoldGoesIntoITXt()
    {
        const auto png = withTextChunks(smallPng(), {text(QStringLiteral("parameters"), QStringLiteral("東京"), "tEXt")});
        QVERIFY(png);
        const auto read = readPngText(png.value());
        QCOMPARE(read->chunks.first().type, QByteArray("iTXt"));
        QCOMPARE(read->chunks.first().text, QStringLiteral("東京"));
        QVERIFY(!withTextChunks(smallPng(), {text(QString(), QStringLiteral("x"))}));
        QVERIFY(!withTextChunks(smallPng(), {text(QString(80, QLatin1Char('k')), QStringLiteral("x"))}));
        QVERIFY(!withTextChunks(smallPng(), {text(QStringLiteral("東京"), QStringLiteral("x"))}));
    }

    void writingAKeywordAgainReplacesIt()
    {
        auto png = withTextChunks(smallPng(), {text(QStringLiteral("parameters"), QStringLiteral("first")),
                                               text(QStringLiteral("other"), QStringLiteral("kept"))});
        png = withTextChunks(png.value(), {text(QStringLiteral("parameters"), QStringLiteral("second"))});
        const auto read = readPngText(png.value());
        QCOMPARE(read->chunks.size(), 2);
        QMap<QString, QString> byKeyword;
        for (const TextChunk &chunk : read->chunks)
            byKeyword.insert(chunk.keyword, chunk.text);
        QCOMPARE(byKeyword.value(QStringLiteral("parameters")), QStringLiteral("second"));
        QCOMPARE(byKeyword.value(QStringLiteral("other")), QStringLiteral("kept"));
        const auto stripped = withoutTextChunks(png.value());
        QVERIFY(readPngText(stripped.value())->chunks.isEmpty());
    }

    // "Without any metadata" means every chunk that is not needed to draw the image, not only text.
    void strippingKeepsOnlyWhatDrawingNeeds()
    {
        const QByteArray exif = chunk("eXIf", QByteArray("MM\0*\0\0\0\x08GPS-position", 20));
        const QByteArray time = chunk("tIME", QByteArray("\x07\xea\x0c\x05\x0a\x00\x00", 7));
        const QByteArray gamma = chunk("gAMA", QByteArray("\x00\x00\xb1\x8f", 4));
        const QByteArray privateChunk = chunk("prVt", QByteArray("anything at all"));
        auto png = withTextChunks(withRawChunks(smallPng(), exif + time + gamma + privateChunk),
                                  {text(QStringLiteral("parameters"), QStringLiteral("a cat"))});
        QVERIFY(png);
        const auto stripped = withoutMetadata(png.value());
        QVERIFY(stripped);
        for (const QByteArray &gone : {exif, time, privateChunk, QByteArray("iTXt"), QByteArray("tEXt")})
            QVERIFY2(!stripped->contains(gone), gone.left(8).toHex().constData());
        QVERIFY(stripped->contains(gamma));
        QVERIFY(readPngText(stripped.value())->chunks.isEmpty());
        QCOMPARE(QImage::fromData(stripped.value()), QImage::fromData(png.value()));
        QVERIFY(stripped->contains(smallPng().mid(smallPng().indexOf("IDAT") - 4, 20)));
    }

    void comfyUiImagesCarryTheirGraphs()
    {
        const QDir corpus(fixturesDir() + QStringLiteral("/corpus/comfyui"));
        const QStringList pngs = corpus.entryList({QStringLiteral("*.png")});
        QVERIFY(!pngs.isEmpty());
        int withGraphs = 0;
        for (const QString &name : pngs) {
            const auto read = readPngTextFile(corpus.filePath(name));
            QVERIFY2(read, qPrintable(read.error()));
            QVERIFY2(read->warnings.isEmpty(), qPrintable(name + QStringLiteral(": ") + read->warnings.join(QLatin1Char(' '))));
            for (const TextChunk &chunk : read->chunks) {
                if (chunk.keyword != QLatin1String("prompt") && chunk.keyword != QLatin1String("workflow"))
                    continue;
                QJsonParseError error;
                QJsonDocument::fromJson(chunk.text.toUtf8(), &error);
                QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(name + QStringLiteral(": ") + chunk.keyword));
                if (chunk.keyword == QLatin1String("prompt"))
                    ++withGraphs;
            }
        }
        QVERIFY(withGraphs >= pngs.size() - 1);  // the corpus holds one image without metadata
    }

    // Text that comes before damage is still read, with a warning saying where the damage is; a file broken
    // before any text fails with where.
    void damagedFilesAreReportedWithWhere()
    {
        const QByteArray png = withTextChunks(smallPng(), {text(QStringLiteral("parameters"), QStringLiteral("a cat"), "tEXt")}).value();
        auto read = readPngText(png.left(png.size() - 20)); // a download cut short in the image data
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->chunks.size(), 1);
        QCOMPARE(read->chunks.front().text, QStringLiteral("a cat"));
        QVERIFY2(read->warnings.join(' ').contains(QLatin1String("cut short")) ||
                     read->warnings.join(' ').contains(QLatin1String("truncated")),
                 qPrintable(read->warnings.join(' ')));

        QByteArray badCrc = png;
        const int textAt = png.indexOf("tEXt") - 4;
        badCrc[textAt + 8 + 3] = 'X'; // inside the text chunk's data: that text cannot be trusted
        read = readPngText(badCrc);
        QVERIFY2(read, qPrintable(read.error()));
        QVERIFY(read->chunks.isEmpty());
        QVERIFY2(read->warnings.join(' ').contains(QLatin1String("CRC mismatch")) &&
                     read->warnings.join(' ').contains(QStringLiteral("tEXt chunk at byte %1").arg(textAt)),
                 qPrintable(read->warnings.join(' ')));

        QByteArray badPixels = png; // a bad checksum elsewhere leaves the text alone
        const int idatAt = png.indexOf("IDAT") - 4;
        badPixels[idatAt + 8] = char(badPixels[idatAt + 8] ^ 0x55);
        read = readPngText(badPixels);
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->chunks.size(), 1);

        QByteArray huge = smallPng();
        huge.insert(33, QByteArray("\x80\x00\x00\x00tEXt", 8));
        read = readPngText(huge);
        QVERIFY(!read);
        QVERIFY2(read.error().contains(QLatin1String("2147483648")), qPrintable(read.error()));

        read = readPngText(QByteArray("GIF89a this is not a png"));
        QVERIFY(!read);
        QVERIFY(read.error().contains(QLatin1String("not a PNG")));
        QVERIFY(!readPngTextFile(QStringLiteral("/nonexistent/image.png")));
    }

    // Many compressed chunks, each under the per-chunk limits, cannot add up past the file's budget.
    void theTextOfAFileHasATotalBudget()
    {
        QList<TextChunk> chunks;
        for (int i = 0; i < 40; ++i)
            chunks << text(QStringLiteral("k%1").arg(i), QString(1024 * 1024, QLatin1Char('a')), "zTXt");
        const QByteArray png = withTextChunks(smallPng(), chunks).value();
        QVERIFY(png.size() < 1024 * 1024); // a small file
        PngTextLimits limits;
        limits.maxTotalTextBytes = 8ll * 1024 * 1024;
        const auto read = readPngText(png, limits);
        QVERIFY2(read, qPrintable(read.error()));
        qint64 kept = 0;
        for (const TextChunk &chunk : read->chunks)
            kept += chunk.text.size();
        QVERIFY2(kept <= 8ll * 1024 * 1024, qPrintable(QString::number(kept)));
        QVERIFY(read->chunks.size() < 40);
        QVERIFY(read->warnings.join(' ').contains(QLatin1String("together")));
    }

    void aDecompressionBombIsStoppedAtTheLimit()
    {
        // 1 GiB of zeros deflated into a zTXt chunk of about 1 MB.
        z_stream stream{};
        QVERIFY(deflateInit(&stream, 1) == Z_OK);
        const QByteArray zeros(1024 * 1024, '\0');
        QByteArray compressed;
        QByteArray buffer(256 * 1024, '\0');
        for (int i = 0; i < 1024; ++i) {
            stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(zeros.constData()));
            stream.avail_in = uInt(zeros.size());
            const int flush = i == 1023 ? Z_FINISH : Z_NO_FLUSH;
            do {
                stream.next_out = reinterpret_cast<Bytef *>(buffer.data());
                stream.avail_out = uInt(buffer.size());
                deflate(&stream, flush);
                compressed.append(buffer.constData(), buffer.size() - int(stream.avail_out));
            } while (stream.avail_out == 0);
        }
        deflateEnd(&stream);
        const QByteArray png = withRawChunks(smallPng(), chunk("zTXt", QByteArray("bomb\0\0", 6) + compressed) +
                                                             chunk("tEXt", QByteArray("after\0still read", 16)));
        const auto read = readPngText(png);
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(read->chunks.size(), 1);
        QCOMPARE(read->chunks.first().keyword, QStringLiteral("after"));
        QVERIFY2(read->warnings.join(QLatin1Char(' ')).contains(QLatin1String("decompression bomb")),
                 qPrintable(read->warnings.join(QLatin1Char(' '))));
    }

    void invalidUtf8AndTooManyChunksAreReported()
    {
        QByteArray invalid("bad\0\0\0\0\0caf\xe9 \xff", 13);
        auto read = readPngText(withRawChunks(smallPng(), chunk("iTXt", invalid)));
        QVERIFY(read);
        QCOMPARE(read->chunks.size(), 1);
        QVERIFY(read->chunks.first().text.contains(QChar::ReplacementCharacter));
        QVERIFY(read->warnings.join(QLatin1Char(' ')).contains(QLatin1String("not valid UTF-8")));

        QByteArray many;
        for (int i = 0; i < 10000; ++i)
            many += chunk("tEXt", QByteArray("k\0v", 3));
        read = readPngText(withRawChunks(smallPng(), many));
        QVERIFY(read);
        QCOMPARE(read->chunks.size(), 1000);
        QVERIFY(read->warnings.join(QLatin1Char(' ')).contains(QLatin1String("more than 1000 text chunks")));

        // By default a text chunk over 16 MB (a 20 MB prompt here) is skipped with a warning, the others are read.
        const QByteArray huge = chunk("tEXt", QByteArray("parameters\0", 11) + QByteArray(20 << 20, 'a'));
        read = readPngText(withRawChunks(smallPng(), huge + chunk("tEXt", QByteArray("k\0v", 3))));
        QVERIFY(read);
        QCOMPARE(read->chunks.size(), 1);
        QCOMPARE(read->chunks.first().keyword, QStringLiteral("k"));
        QVERIFY(read->warnings.join(QLatin1Char(' ')).contains(QLatin1String("larger than 16 MiB")));

        PngTextLimits small;
        small.maxChunkBytes = 4;
        read = readPngText(withRawChunks(smallPng(), chunk("tEXt", QByteArray("key\0long value", 14))), small);
        QVERIFY(read);
        QVERIFY(read->chunks.isEmpty());
        QVERIFY(read->warnings.join(QLatin1Char(' ')).contains(QLatin1String("ignored")));
    }
};

QTEST_GUILESS_MAIN(TestPngText)
#include "test_png_text.moc"
