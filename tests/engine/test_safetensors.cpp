#include "core/engine/error.h"
#include "core/engine/io/mapped_file.h"
#include "core/engine/io/safetensors.h"

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <future>
#include <sys/stat.h>
#include <unistd.h>

using namespace atelier::engine;

namespace {

// Writes `header` as a safetensors header followed by `dataBytes` bytes (counting up), with the length field
// `claimedLength` (by default the true length).
QString writeFile(const QTemporaryDir &dir, const QByteArray &header, qint64 dataBytes, qint64 claimedLength = -1)
{
    static int serial = 0;
    const QString path = dir.filePath(QStringLiteral("f%1.safetensors").arg(++serial));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    const quint64 length = claimedLength < 0 ? quint64(header.size()) : quint64(claimedLength);
    char prefix[8];
    for (int i = 0; i < 8; ++i)
        prefix[i] = char((length >> (8 * i)) & 0xff);
    file.write(prefix, 8);
    file.write(header);
    QByteArray data(int(dataBytes), '\0');
    for (int i = 0; i < data.size(); ++i)
        data[i] = char(i);
    file.write(data);
    return path;
}

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT
private slots:
    void readsNamesShapesMetadataAndBytes()
    {
        QTemporaryDir dir;
        const QByteArray header = R"({"__metadata__": {"format": "pt", "ss_network_dim": "16"},
            "b": {"dtype": "F16", "shape": [2, 3], "data_offsets": [16, 28]},
            "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
            "scalar": {"dtype": "BF16", "shape": [], "data_offsets": [28, 30]},
            "empty": {"dtype": "I64", "shape": [0, 5], "data_offsets": [30, 30]}}   )";
        const SafetensorsFile file(writeFile(dir, header, 30).toStdString());
        QCOMPARE(int(file.tensors().size()), 4);
        QCOMPARE(file.metadata().at("ss_network_dim"), std::string("16"));
        const TensorEntry *b = file.find("b");
        QVERIFY(b);
        QVERIFY(b->dtype == DType::F16);
        QCOMPARE(b->shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(b->elementCount(), std::int64_t(6));
        QCOMPARE(std::uint8_t(file.data(*b)[0]), std::uint8_t(16));
        QCOMPARE(std::uint8_t(file.data(*file.find("a"))[3]), std::uint8_t(3));
        QCOMPARE(file.find("scalar")->elementCount(), std::int64_t(1));
        QVERIFY(!file.find("missing"));
    }

    void rejectsHostileFiles_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("dataBytes");
        QTest::addColumn<qint64>("claimedLength");
        QTest::addColumn<QString>("message");
        const QByteArray one = R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})";
        QTest::newRow("empty file") << QByteArray() << qint64(0) << qint64(-2) << "the file is empty";
        QTest::newRow("header length beyond the file") << one << qint64(8) << qint64(1000) << "exceeds the file size";
        QTest::newRow("header length 9e18") << one << qint64(8) << qint64(9000000000000000000LL) << "over the 100 MiB limit";
        QTest::newRow("header not JSON") << QByteArray("{not json at all}") << qint64(0) << qint64(-1) << "not valid UTF-8 JSON";
        QTest::newRow("invalid UTF-8") << QByteArray("{\"t\xff\xfe\": {}}") << qint64(0) << qint64(-1) << "not valid UTF-8 JSON";
        QTest::newRow("header is an array") << QByteArray("[1, 2]") << qint64(0) << qint64(-1) << "not a JSON object";
        QTest::newRow("unknown dtype") << QByteArray(R"({"t": {"dtype": "F12", "shape": [2], "data_offsets": [0, 8]}})")
                                       << qint64(8) << qint64(-1) << "unknown dtype";
        QTest::newRow("negative size") << QByteArray(R"({"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})")
                                       << qint64(8) << qint64(-1) << "non-negative integers";
        QTest::newRow("float size") << QByteArray(R"({"t": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})")
                                    << qint64(8) << qint64(-1) << "non-negative integers";
        QTest::newRow("shape overflow") << QByteArray(R"({"t": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 8]}})")
                                        << qint64(8) << qint64(-1) << "overflows";
        QTest::newRow("shape does not match bytes") << QByteArray(R"({"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})")
                                                    << qint64(8) << qint64(-1) << "needs 12 bytes";
        QTest::newRow("offsets past the end (truncated)") << QByteArray(R"({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})")
                                                          << qint64(8) << qint64(-1) << "truncated";
        QTest::newRow("end before begin") << QByteArray(R"({"t": {"dtype": "U8", "shape": [0], "data_offsets": [4, 0]}})")
                                          << qint64(8) << qint64(-1) << "ends before it begins";
        QTest::newRow("overlap") << QByteArray(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})")
                                 << qint64(8) << qint64(-1) << "overlaps";
        QTest::newRow("gap") << QByteArray(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})")
                             << qint64(8) << qint64(-1) << "gap of 4 bytes";
        QTest::newRow("trailing bytes") << one << qint64(12) << qint64(-1) << "belongs to no tensor";
        QTest::newRow("duplicate name") << QByteArray(R"({"t": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "t": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})")
                                        << qint64(2) << qint64(-1) << "twice";
        QTest::newRow("metadata not strings") << QByteArray(R"({"__metadata__": {"steps": 5}})") << qint64(0) << qint64(-1)
                                              << "is not a string";
        QTest::newRow("unexpected field") << QByteArray(R"({"t": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1], "x": 1}})")
                                          << qint64(1) << qint64(-1) << "unexpected field";
        QTest::newRow("missing offsets") << QByteArray(R"({"t": {"dtype": "U8", "shape": [1]}})") << qint64(1) << qint64(-1)
                                         << "lacks dtype, shape or data_offsets";
        QTest::newRow("leading zero") << QByteArray(R"({"t": {"dtype": "U8", "shape": [01], "data_offsets": [0, 1]}})")
                                      << qint64(1) << qint64(-1) << "non-negative integers";
        QTest::newRow("bytes after the object") << QByteArray(R"({"t": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}} x)")
                                                << qint64(1) << qint64(-1) << "not valid UTF-8 JSON";
        QTest::newRow("unclosed string") << QByteArray("{\"t") << qint64(0) << qint64(-1) << "not valid UTF-8 JSON";
        QTest::newRow("control character in a name") << QByteArray("{\"a\nb\": {}}") << qint64(0) << qint64(-1) << "not valid UTF-8 JSON";
        QTest::newRow("lone surrogate escape") << QByteArray(R"({"\ud800": {}})") << qint64(0) << qint64(-1) << "lone surrogate";
        QTest::newRow("overlong UTF-8") << QByteArray("{\"\xc0\xaf\": {}}") << qint64(0) << qint64(-1) << "ill-formed UTF-8";
        QTest::newRow("tensor not an object") << QByteArray(R"({"t": [1, 2]})") << qint64(0) << qint64(-1) << "not described by an object";
        QTest::newRow("offsets not a pair") << QByteArray(R"({"t": {"dtype": "U8", "shape": [1], "data_offsets": [0]}})")
                                            << qint64(1) << qint64(-1) << "must be [begin, end]";
    }

    void rejectsHostileFiles()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, dataBytes);
        QFETCH(qint64, claimedLength);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QString path;
        if (claimedLength == -2) {
            path = dir.filePath(QStringLiteral("empty.safetensors"));
            QFile empty(path);
            QVERIFY(empty.open(QIODevice::WriteOnly));
        } else {
            path = writeFile(dir, header, dataBytes, claimedLength);
        }
        // Both ways in — the mapped file and the header-only read of the probe — refuse it the same way.
        for (const bool headerOnly : {false, true}) {
            try {
                if (headerOnly)
                    SafetensorsFile::readHeader(path.toStdString());
                else
                    SafetensorsFile file(path.toStdString());
                QFAIL("the file was accepted");
            } catch (const FormatError &error) {
                const QString text = QString::fromUtf8(error.what());
                QVERIFY2(text.startsWith(path), qPrintable(text));
                QVERIFY2(text.contains(message), qPrintable(text));
            }
        }
    }

    void readsEscapedNames()
    {
        QTemporaryDir dir;
        // Names escaped in JSON: an accented letter, a surrogate pair (an emoji) and escaped quotes.
        const QByteArray header = "{\"caf\\u00e9.\\ud83c\\udfa8\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]},"
                                  " \"\xc3\xbcn\\\"q\\\"\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}";
        const SafetensorsFile file(writeFile(dir, header, 2).toStdString());
        QVERIFY(file.find("café.🎨"));
        QVERIFY(file.find("\xc3\xbcn\"q\""));
        QCOMPARE(file.tensors().front().name, std::string("café.🎨"));  // file order is kept
    }

    void rejectsShortFilesAndFolders()
    {
        QTemporaryDir dir;
        const QString shortFile = dir.filePath(QStringLiteral("short.safetensors"));
        QFile file(shortFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("1234567");
        file.close();
        QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile(shortFile.toStdString()));
        QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile(dir.path().toStdString()));
        QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile(dir.filePath(QStringLiteral("absent")).toStdString()));
    }

    // A FIFO named like a model: opening it for reading would wait for a writer for ever. Each reader must refuse it
    // at once; should one block, a writer is opened to free it and the test fails instead of hanging.
    void refusesFifosWithoutWaiting()
    {
        QTemporaryDir dir;
        const std::string fifo = dir.filePath(QStringLiteral("x.safetensors")).toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        const auto refusedAtOnce = [&](const std::function<void()> &read) {
            auto attempt = std::async(std::launch::async, [&] {
                try {
                    read();
                } catch (const FormatError &error) {
                    return std::string(error.what());
                }
                return std::string("read without an error");
            });
            if (attempt.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) {
                const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
                if (writer >= 0)
                    ::close(writer);
                attempt.wait();
                return std::string("blocked");
            }
            return attempt.get();
        };
        for (const std::string &outcome : {refusedAtOnce([&] { SafetensorsFile::readHeader(fifo); }),
                                           refusedAtOnce([&] { SafetensorsFile file(fifo); })})
            QVERIFY2(outcome.find("not a regular file") != std::string::npos, outcome.c_str());
    }

    void readsASparseMultiGigabyteFileWithoutTouchingItsData()
    {
        // The shape of a real SDXL UNet tensor set, with a data region that is a hole: no disk, no reads.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.safetensors"));
        const QByteArray header = R"({"w": {"dtype": "F16", "shape": [1600000000], "data_offsets": [0, 3200000000]}})";
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        char prefix[8] = {};
        quint64 length = quint64(header.size());
        std::memcpy(prefix, &length, 8);
        file.write(prefix, 8);
        file.write(header);
        QVERIFY(file.resize(8 + header.size() + 3200000000LL));
        file.close();
        const SafetensorsFile weights(path.toStdString());
        QCOMPARE(weights.find("w")->elementCount(), std::int64_t(1600000000));
    }

    // A converted weight's file pages are given back to the kernel, and read again, unchanged, when touched; memory
    // that is not a mapped file (a heap buffer, a range past the mapping) is never given back, since its contents
    // would be lost.
    void givenBackPagesComeBackFromTheFile()
    {
        QTemporaryDir dir;
        const qint64 bytes = 4 * 65536;
        const QString path =
            writeFile(dir, R"({"w": {"dtype": "U8", "shape": [262144], "data_offsets": [0, 262144]}})", bytes);
        const MappedFile mapped(path.toStdString());
        const auto *data = reinterpret_cast<const unsigned char *>(mapped.data());
        const std::size_t dataStart = mapped.size() - std::size_t(bytes);
        std::uint64_t before = 0;
        for (std::size_t i = 0; i < mapped.size(); ++i)
            before += data[i];
        releaseMappedPages(data + dataStart, std::size_t(bytes));
        std::uint64_t after = 0;
        for (std::size_t i = 0; i < mapped.size(); ++i)
            after += data[i];
        QCOMPARE(after, before);
        QCOMPARE(int(data[dataStart + 1000]), 1000 % 256);

        std::vector<unsigned char> heap(1 << 20, 7);
        releaseMappedPages(heap.data(), heap.size());
        QVERIFY(std::all_of(heap.begin(), heap.end(), [](unsigned char value) { return value == 7; }));
        releaseMappedPages(data + dataStart, std::size_t(bytes) + (1 << 20)); // runs past the mapping: left alone
        QCOMPARE(int(data[dataStart + 5]), 5);
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
