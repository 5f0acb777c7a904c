#include "core/downloads/file_name.h"

#include <QtTest>

using namespace atelier::downloads;

class TestFileName : public QObject
{
    Q_OBJECT
private slots:
    void namesFromContentDisposition_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("expected");
        QTest::newRow("quoted") << QByteArray(R"(attachment; filename="dreamshaper 8.safetensors")") << "dreamshaper 8.safetensors";
        QTest::newRow("token") << QByteArray("attachment; filename=model.ckpt") << "model.ckpt";
        QTest::newRow("RFC 5987 beats plain") << QByteArray("attachment; filename=\"fallback.bin\"; filename*=UTF-8''%E6%A8%A1%E5%9E%8B%20%E2%9C%A8.safetensors")
                                             << QStringLiteral("模型 ✨.safetensors");
        QTest::newRow("escaped quote") << QByteArray(R"(attachment; filename="a\"b.pt")") << "a\"b.pt";
        QTest::newRow("case-insensitive") << QByteArray("ATTACHMENT; FILENAME=\"X.safetensors\"") << "X.safetensors";
        QTest::newRow("no name") << QByteArray("inline") << "";
        QTest::newRow("empty") << QByteArray() << "";
    }

    void namesFromContentDisposition()
    {
        QFETCH(QByteArray, header);
        QFETCH(QString, expected);
        QCOMPARE(fileNameFromContentDisposition(header), expected);
    }

    void namesFromUrls()
    {
        QCOMPARE(fileNameFromUrl(QUrl(QStringLiteral("https://huggingface.co/a/b/resolve/main/unet/diffusion_pytorch_model.fp16.safetensors?download=true"))),
                 QStringLiteral("diffusion_pytorch_model.fp16.safetensors"));
        QCOMPARE(fileNameFromUrl(QUrl(QStringLiteral("https://example.invalid/models/caf%C3%A9%20v2.ckpt"))), QStringLiteral("café v2.ckpt"));
        QCOMPARE(fileNameFromUrl(QUrl(QStringLiteral("https://civitai.com/api/download/models/"))), QString());
    }

    void hostileNamesBecomeSafeBaseNames_data()
    {
        QTest::addColumn<QString>("proposed");
        QTest::addColumn<QString>("expected");
        QTest::newRow("parent traversal") << "../../etc/passwd" << "passwd";
        QTest::newRow("absolute path") << "/etc/shadow" << "shadow";
        QTest::newRow("windows path") << "C:\\Windows\\System32\\evil.dll" << "evil.dll";
        QTest::newRow("only dots") << ".." << "download";
        QTest::newRow("hidden file") << ".bashrc" << "bashrc";
        QTest::newRow("NUL and newlines") << (QStringLiteral("mo") + QChar(0) + QStringLiteral("del\n\r.safe\ttensors"))
                                          << "model.safetensors";
        QTest::newRow("reserved device") << "CON.safetensors" << "_CON.safetensors";
        QTest::newRow("reserved device, lower case") << "nul" << "_nul";
        QTest::newRow("windows forbidden characters") << "a<b>c:d|e?f*g\".pt" << "a_b_c_d_e_f_g_.pt";
        QTest::newRow("trailing dots and spaces") << "model.safetensors. . " << "model.safetensors";
        QTest::newRow("unicode kept") << QStringLiteral("モデル ✨.safetensors") << QStringLiteral("モデル ✨.safetensors");
        QTest::newRow("empty") << "" << "download";
        QTest::newRow("a partial file's name") << "model.safetensors.part"
                                               << "model.safetensors_part";
        QTest::newRow("a validator's name") << "x.part.json"
                                            << "x_part.json";
        QTest::newRow("a lock's name, upper case") << "x.PART.LOCK"
                                                   << "x_PART.LOCK";
        QTest::newRow("right-to-left override") << QStringLiteral("model\u202Egnp.exe") << QStringLiteral("modelgnp.exe");
    }

    void hostileNamesBecomeSafeBaseNames()
    {
        QFETCH(QString, proposed);
        QFETCH(QString, expected);
        QCOMPARE(safeFileName(proposed), expected);
    }

    void longNamesAreCutKeepingTheExtension()
    {
        const QString name = QString(1000, QLatin1Char('a')) + QStringLiteral(".safetensors");
        const QString safe = safeFileName(name);
        QVERIFY(safe.toUtf8().size() <= kMaxFileNameBytes);
        QVERIFY(safe.endsWith(QStringLiteral(".safetensors")));
        // Multi-byte characters are never split.
        const QString wide = QString(300, QChar(0x6a21)) + QStringLiteral(".ckpt");
        const QString cut = safeFileName(wide);
        QVERIFY(cut.toUtf8().size() <= kMaxFileNameBytes);
        QCOMPARE(QString::fromUtf8(cut.toUtf8()), cut);
        QVERIFY(cut.endsWith(QStringLiteral(".ckpt")));
        const QString emoji = QString(100, QChar(0x0)).replace(QChar(0), QStringLiteral("🎨"));
        QCOMPARE(QString::fromUtf8(safeFileName(emoji).toUtf8()), safeFileName(emoji));
        // A cut that lands after a space or a dot does not leave it at the end, nor a working file's suffix.
        QCOMPARE(safeFileName(QString(199, QLatin1Char('a')) + QStringLiteral(" ") + QString(60, QLatin1Char('b'))),
                 QString(199, QLatin1Char('a')));
        QCOMPARE(safeFileName(QString(195, QLatin1Char('a')) + QStringLiteral(".part") + QString(60, QLatin1Char('b'))),
                 QString(195, QLatin1Char('a')) + QStringLiteral("_part"));
    }

    void fallbackIsMadeSafeToo()
    {
        QCOMPARE(safeFileName(QStringLiteral("/"), QStringLiteral("../x.bin")), QStringLiteral("x.bin"));
    }
};

QTEST_GUILESS_MAIN(TestFileName)
#include "test_file_name.moc"
