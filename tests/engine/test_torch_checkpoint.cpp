#include "checkpoint_writer.h"
#include "core/engine/error.h"
#include "core/engine/io/torch_checkpoint.h"

#include <QtTest>

using namespace atelier::engine;

namespace {

QString expectFailure(const QString &path)
{
    try {
        TorchCheckpoint checkpoint(path.toStdString());
    } catch (const Error &error) {
        return QString::fromLatin1(error.type()) + QStringLiteral(": ") + QString::fromUtf8(error.what());
    }
    return QStringLiteral("accepted");
}

// A pickle that would run `touch <marker>` if a normal unpickler loaded it.
QByteArray shellPickle(const char *module, const char *function, const QString &marker, bool stackGlobal)
{
    PickleWriter pickle;
    pickle.proto(stackGlobal ? 4 : 2);
    if (stackGlobal)
        pickle.text(module).text(function).raw(QByteArray(1, char(0x93)));
    else
        pickle.global(module, function);
    pickle.mark().text(QStringLiteral("touch %1").arg(marker).toUtf8()).tuple().reduce().stop();
    return pickle.bytes();
}

} // namespace

class TestTorchCheckpoint : public QObject
{
    Q_OBJECT
private slots:
    void readsTensorsFromAStateDict()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.ckpt"));
        QVERIFY(writeBytes(path, checkpointBytes({{"model.diffusion_model.input_blocks.0.0.weight", "HalfStorage", {8, 4, 3, 3}},
                                                  {"first_stage_model.decoder.conv_in.bias", "FloatStorage", {16}}})));
        const TorchCheckpoint checkpoint(path.toStdString());
        QCOMPARE(int(checkpoint.tensors().size()), 2);
        const CheckpointTensor &weight = checkpoint.tensors()[0];
        QCOMPARE(weight.name, std::string("model.diffusion_model.input_blocks.0.0.weight"));
        QVERIFY(weight.dtype == DType::F16);
        QCOMPARE(weight.shape, (std::vector<std::int64_t>{8, 4, 3, 3}));
        QCOMPARE(weight.stride, (std::vector<std::int64_t>{36, 9, 3, 1}));
        QVERIFY(checkpoint.tensors()[1].dtype == DType::F32);
        QCOMPARE(std::uint8_t(checkpoint.data(checkpoint.tensors()[1])[5]), std::uint8_t(5));
    }

    void readsNestedDictionariesAsDottedNames()
    {
        // An A1111 textual-inversion embedding: {"string_to_param": {"*": tensor}, "name": "…", "step": 100}
        QTemporaryDir dir;
        PickleWriter pickle;
        pickle.proto(2).emptyDict().mark();
        pickle.text("string_to_param").emptyDict().text("*").tensor("FloatStorage", "0", {2, 768}).setItem();
        pickle.text("name").text("my-style").text("step").integer(1500);
        pickle.setItems().stop();
        const QString path = dir.filePath(QStringLiteral("my-style.pt"));
        QVERIFY(writeBytes(path, zipArchive({{"my-style/data.pkl", pickle.bytes()},
                                             {"my-style/data/0", QByteArray(2 * 768 * 4, '\1')}})));
        const TorchCheckpoint checkpoint(path.toStdString());
        QCOMPARE(int(checkpoint.tensors().size()), 1);
        QCOMPARE(checkpoint.tensors()[0].name, std::string("string_to_param.*"));
    }

    void neverRunsOrAcceptsForeignGlobals_data()
    {
        QTest::addColumn<QByteArray>("module");
        QTest::addColumn<QByteArray>("function");
        QTest::addColumn<bool>("stackGlobal");
        QTest::newRow("os.system") << QByteArray("os") << QByteArray("system") << false;
        QTest::newRow("posix.system") << QByteArray("posix") << QByteArray("system") << false;
        QTest::newRow("builtins.eval (STACK_GLOBAL)") << QByteArray("builtins") << QByteArray("eval") << true;
        QTest::newRow("subprocess.call") << QByteArray("subprocess") << QByteArray("call") << false;
        QTest::newRow("torch.load itself") << QByteArray("torch") << QByteArray("load") << false;
    }

    void neverRunsOrAcceptsForeignGlobals()
    {
        QFETCH(QByteArray, module);
        QFETCH(QByteArray, function);
        QFETCH(bool, stackGlobal);
        QTemporaryDir dir;
        const QString marker = dir.filePath(QStringLiteral("pwned"));
        const QString path = dir.filePath(QStringLiteral("evil.ckpt"));
        QVERIFY(writeBytes(path, zipArchive({{"archive/data.pkl", shellPickle(module.constData(), function.constData(), marker, stackGlobal)}})));
        const QString failure = expectFailure(path);
        QVERIFY2(failure.startsWith(QStringLiteral("FormatError")), qPrintable(failure));
        QVERIFY2(failure.contains(QString::fromLatin1(module + "." + function)), qPrintable(failure));
        QVERIFY(!QFile::exists(marker));
    }

    void refusesHostileArchives_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("message");
        const QByteArray good = PickleWriter().proto(2).emptyDict().stop().bytes();
        QTest::newRow("entry with ..") << zipArchive({{"archive/data.pkl", good}, {"archive/../../etc/passwd", "x"}}) << "unsafe name";
        QTest::newRow("absolute entry") << zipArchive({{"archive/data.pkl", good}, {"/etc/passwd", "x"}}) << "unsafe name";
        QTest::newRow("deflated bomb") << zipArchive({{"archive/data.pkl", good}, {"archive/data/0", QByteArray(100, '\0'), 8, 1ull << 40}})
                                       << "is compressed";
        QTest::newRow("overlapping entries") << zipArchive({{"archive/data.pkl", good}, {"archive/data/0", good, 0, 0, 0}})
                                             << "overlap";
        QTest::newRow("size past the end") << zipArchive({{"archive/data.pkl", good, 0, 1ull << 31}}) << "past the end";
        QTest::newRow("no data.pkl") << zipArchive({{"model/weights", "abc"}}) << "without data.pkl";
        QTest::newRow("empty file") << QByteArray() << "empty";
        QTest::newRow("text file") << QByteArray("hello, this is not a checkpoint") << "neither a zip archive nor a pickle";
        QTest::newRow("legacy format") << QByteArray("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15) << "legacy format";
        QByteArray truncated = checkpointBytes({{"w", "HalfStorage", {64}}});
        truncated.chop(40);
        QTest::newRow("truncated archive") << truncated << "ZIP end record";
    }

    void refusesHostileArchives()
    {
        QFETCH(QByteArray, file);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.ckpt"));
        QVERIFY(writeBytes(path, file));
        const QString failure = expectFailure(path);
        QVERIFY2(failure.contains(message), qPrintable(failure));
        QVERIFY2(failure.contains(path), qPrintable(failure));
    }

    void refusesHostilePickles_data()
    {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<QByteArray>("storage");
        QTest::addColumn<QString>("message");
        QTest::newRow("no STOP") << PickleWriter().proto(2).emptyDict().bytes() << QByteArray() << "without a STOP";
        QTest::newRow("INST opcode") << QByteArray("\x80\x02(iposix\nsystem\n.", 18) << QByteArray() << "opcode 0x69";
        QTest::newRow("string longer than the pickle") << QByteArray("\x80\x02X\xff\xff\xff\x7f", 8) << QByteArray() << "reaches past the end";
        QTest::newRow("memo never stored") << PickleWriter().proto(2).get(7).stop().bytes() << QByteArray() << "never stored";
        QTest::newRow("dictionary containing itself") << PickleWriter().proto(2).emptyDict().put(0).text("loop").get(0).setItem().stop().bytes()
                                                      << QByteArray() << "cycle";
        QTest::newRow("missing storage") << PickleWriter().proto(2).emptyDict().text("w").tensor("HalfStorage", "9", {4}).setItem().stop().bytes()
                                         << QByteArray(8, '\0') << "does not hold";
        QTest::newRow("tensor past its storage") << PickleWriter().proto(2).emptyDict().text("w").tensor("HalfStorage", "0", {400}).setItem().stop().bytes()
                                                 << QByteArray(8, '\0') << "claims more elements";
        QTest::newRow("storage key with a path") << PickleWriter().proto(2).emptyDict().text("w").tensor("HalfStorage", "../x", {4}).setItem().stop().bytes()
                                                 << QByteArray(8, '\0') << "not a plain name";
        // Layouts whose extent wraps past 2^64 and so looked small: (5 - 1) · 2^62, and 3 · 2^62 + an offset of 2^62.
        QTest::newRow("stride wrapping the extent")
            << PickleWriter()
                   .proto(2)
                   .emptyDict()
                   .text("w")
                   .view("HalfStorage", "0", 4, 0, {5, 1}, {std::int64_t(1) << 62, 1})
                   .setItem()
                   .stop()
                   .bytes()
            << QByteArray(8, '\0') << "reaches past the end";
        QTest::newRow("offset wrapping the extent")
            << PickleWriter()
                   .proto(2)
                   .emptyDict()
                   .text("w")
                   .view("HalfStorage", "0", 4, std::int64_t(1) << 62, {4}, {std::int64_t(1) << 62})
                   .setItem()
                   .stop()
                   .bytes()
            << QByteArray(8, '\0') << "reaches past the end";
        QTest::newRow("negative stride") << PickleWriter()
                                                .proto(2)
                                                .emptyDict()
                                                .text("w")
                                                .view("HalfStorage", "0", 4, 3, {4}, {-1})
                                                .setItem()
                                                .stop()
                                                .bytes()
                                         << QByteArray(8, '\0') << "negative";
        // A million and a half None values in 1.5 MB beside one storage: refused at the budget that one storage
        // gives (100,064 values), fast, instead of gigabytes later.
        QTest::newRow("millions of values")
            << (QByteArray("\x80\x02(", 3) + QByteArray(1'500'000, 'N') + QByteArray("l.", 2)) << QByteArray(8, '\0')
            << "more than 100064 values: not a plausible checkpoint for the tensor storages";
        // BINGET pushes a stored value again without making one: the stack is bounded by the same budget.
        QTest::newRow("a stack of memo copies")
            << (QByteArray("\x80\x02Nq\x00", 5) + QByteArray("h\x00", 2).repeated(750'000) + QByteArray(".", 1))
            << QByteArray() << "the stack grows past 100000 values";
        QTest::newRow("top level not a dict") << PickleWriter().proto(2).emptyList().stop().bytes() << QByteArray() << "no dictionary";
    }

    void refusesHostilePickles()
    {
        QFETCH(QByteArray, pickle);
        QFETCH(QByteArray, storage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.pt"));
        QList<ZipEntry> entries{{"archive/data.pkl", pickle}};
        if (!storage.isEmpty())
            entries << ZipEntry{"archive/data/0", storage};
        QVERIFY(writeBytes(path, zipArchive(entries)));
        const QString failure = expectFailure(path);
        QVERIFY2(failure.contains(message), qPrintable(failure));
    }
};

QTEST_GUILESS_MAIN(TestTorchCheckpoint)
#include "test_torch_checkpoint.moc"
