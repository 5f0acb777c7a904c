// What the install queue accepts as a source, parsed without installing: paths, URLs, Hugging Face ids and pages,
// Civitai pages, downloads and file hashes.
#include "core/models/install/model_source.h"

#include <QtTest>

using namespace atelier::models;

class TestModelSource : public QObject
{
    Q_OBJECT

private slots:
    void recognisesSources_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("normalised");
        QTest::newRow("repo") << "runwayml/stable-diffusion-v1-5" << int(ModelSource::Kind::HuggingFace)
                              << "runwayml/stable-diffusion-v1-5";
        QTest::newRow("variant") << "owner/name:fp16" << int(ModelSource::Kind::HuggingFace) << "owner/name:fp16";
        QTest::newRow("variant+subfolder")
            << "owner/name:fp16:vae" << int(ModelSource::Kind::HuggingFace) << "owner/name:fp16:vae";
        QTest::newRow("subfolder") << "owner/name::vae" << int(ModelSource::Kind::HuggingFace) << "owner/name::vae";
        QTest::newRow("file") << "owner/name::/path/to/file.safetensors" << int(ModelSource::Kind::HuggingFace)
                              << "owner/name::path/to/file.safetensors";
        QTest::newRow("url") << "https://example.com/x.safetensors" << int(ModelSource::Kind::Url)
                             << "https://example.com/x.safetensors";
        QTest::newRow("civitai page") << "https://civitai.com/models/58390/detail-tweaker-lora-lora"
                                      << int(ModelSource::Kind::Civitai)
                                      << "https://civitai.com/models/58390/detail-tweaker-lora-lora";
        QTest::newRow("hf resolve link") << "https://huggingface.co/owner/name/resolve/main/loras/x.safetensors"
                                         << int(ModelSource::Kind::HuggingFace) << "owner/name::loras/x.safetensors";
        QTest::newRow("hf repo page") << "https://huggingface.co/owner/name" << int(ModelSource::Kind::HuggingFace)
                                      << "owner/name";
        QTest::newRow("civitai download")
            << "https://civitai.com/api/download/models/63006" << int(ModelSource::Kind::Civitai)
            << "https://civitai.com/api/download/models/63006";
        QTest::newRow("civitai by hash") << "https://civitai.com/api/v1/model-versions/by-hash/6e0b21af48"
                                         << int(ModelSource::Kind::Civitai)
                                         << "https://civitai.com/api/v1/model-versions/by-hash/6e0b21af48";
    }

    void recognisesSources()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, normalised);
        const auto source = parseModelSource(text);
        QVERIFY2(source, qPrintable(source.error()));
        QCOMPARE(int(source.value().kind), kind);
        QCOMPARE(source.value().toString(), normalised);
        if (text.contains(QLatin1String("file.safetensors")))
            QVERIFY(source.value().namesSingleFile());
        if (text == QLatin1String("owner/name:fp16:vae")) {
            QCOMPARE(toString(*source.value().variant), QStringLiteral("fp16"));
            QCOMPARE(source.value().subfolder, QStringLiteral("vae"));
        }
        if (text.contains(QLatin1String("58390"))) {
            QCOMPARE(source.value().civitaiModelId, 58390);
        }
        if (text.contains(QLatin1String("63006")))
            QCOMPARE(source.value().civitaiVersionId, 63006);
        if (text.contains(QLatin1String("by-hash")))
            QCOMPARE(source.value().civitaiFileHash, QStringLiteral("6E0B21AF48"));
    }

    // Civitai finds a file by any of its hash forms; a recipe's hash becomes that address, "sha256:" or not.
    void civitaiFileHashesBecomeAddresses()
    {
        for (const QString &hash :
             {QStringLiteral("12345678"), QStringLiteral("6e0b21af48"), QStringLiteral("0123456789ab"),
              QString(64, QLatin1Char('a')), QStringLiteral("sha256:") + QString(64, QLatin1Char('F'))})
            QVERIFY2(isCivitaiFileHash(hash), qPrintable(hash));
        for (const QString &hash : {QString(), QStringLiteral("1234567"), QStringLiteral("123456789"),
                                    QStringLiteral("xyz0123456"), QString(63, QLatin1Char('a'))})
            QVERIFY2(!isCivitaiFileHash(hash), qPrintable(hash));
        QCOMPARE(civitaiByHashSource(QStringLiteral("sha256:abcdef0123") + QString(54, QLatin1Char('0')),
                                     QUrl(QStringLiteral("http://127.0.0.3:9/"))),
                 QStringLiteral("http://127.0.0.3:9/api/v1/model-versions/by-hash/ABCDEF0123") +
                     QString(54, QLatin1Char('0')));
        const auto parsed = parseModelSource(civitaiByHashSource(QStringLiteral("6e0b21af48")));
        QVERIFY(parsed);
        QCOMPARE(int(parsed->kind), int(ModelSource::Kind::Civitai));
        QCOMPARE(parsed->civitaiFileHash, QStringLiteral("6E0B21AF48"));
    }
};

QTEST_GUILESS_MAIN(TestModelSource)
#include "test_model_source.moc"
