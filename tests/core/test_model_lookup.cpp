// What users type to name a model (keys, starts of keys, names, file names) against a real library.
#include "core/models/model_lookup.h"
#include "core/models/record_store.h"
#include "tests/core/model_samples.h"

#include <QTemporaryDir>
#include <QTest>

using namespace atelier;
using namespace atelier::models;
using atelier::testing::sampleModel;

class TestModelLookup : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordStore> m_store;

    ModelConfig add(ModelConfig config, const QString &path = QString())
    {
        if (!path.isEmpty())
            config.path = path;
        const Result<ModelConfig> added = m_store->addModel(std::move(config));
        if (!added)
            qFatal("%s", qPrintable(added.error()));
        return added.value();
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<RecordStore>(m_dir->filePath(QStringLiteral("atelier.db")));
        QVERIFY(m_store->open());
    }

    void findsByKeyStartNameAndFileName()
    {
        const ModelConfig dream =
            add(sampleModel(QStringLiteral("DreamShaper 8")), QStringLiteral("sd-1/main/dreamshaper_8.safetensors"));
        add(sampleModel(QStringLiteral("Anything V5")), QStringLiteral("sd-1/main/anything-v5.ckpt"));
        QCOMPARE(lookUpModel(*m_store, dream.key)->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, dream.key.left(6))->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, dream.key.left(6).toUpper())->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("DreamShaper 8"))->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("dreamshaper 8"))->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("dreamshaper_8.safetensors"))->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("dreamshaper_8"))->key, dream.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("anything-v5"))->name, QStringLiteral("Anything V5"));
    }

    void theWantedTypeWinsASharedName()
    {
        const ModelConfig checkpoint = add(sampleModel(QStringLiteral("detail")));
        const ModelConfig lora = add(sampleModel(QStringLiteral("detail"), ModelType::Lora, ModelFormat::Lycoris));
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("detail"), ModelType::Lora)->key, lora.key);
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("detail"), ModelType::Main)->key, checkpoint.key);
        const Result<ModelConfig> either = lookUpModel(*m_store, QStringLiteral("detail"));
        QCOMPARE(either.errorType(), QStringLiteral("AmbiguousModel"));
        QVERIFY2(either.error().contains(checkpoint.key) && either.error().contains(lora.key),
                 qPrintable(either.error()));
        // A name only another type has still finds it, so that the caller can say what it is.
        const ModelConfig vae = add(sampleModel(QStringLiteral("kl-f8"), ModelType::Vae));
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("kl-f8"), ModelType::Main)->key, vae.key);
    }

    void unknownNamesSuggestTheClosestOnes()
    {
        add(sampleModel(QStringLiteral("Juggernaut XL")));
        add(sampleModel(QStringLiteral("Pixel Art XL"), ModelType::Lora, ModelFormat::Lycoris));
        Result<ModelConfig> missing = lookUpModel(*m_store, QStringLiteral("juggernaut xI"));
        QCOMPARE(missing.errorType(), QStringLiteral("UnknownModel"));
        QVERIFY2(missing.error().contains(QLatin1String("did you mean \"Juggernaut XL\"")),
                 qPrintable(missing.error()));
        missing = lookUpModel(*m_store, QStringLiteral("pixel"), ModelType::Lora);
        QVERIFY2(missing.error().contains(QLatin1String("Pixel Art XL")), qPrintable(missing.error()));
        missing = lookUpModel(*m_store, QStringLiteral("something else entirely"));
        QVERIFY2(!missing.error().contains(QLatin1String("did you mean")), qPrintable(missing.error()));
        QVERIFY(!lookUpModel(*m_store, QStringLiteral("  ")));
    }

    void startsOfSeveralKeysAreAmbiguous()
    {
        ModelConfig first = sampleModel(QStringLiteral("first")), second = sampleModel(QStringLiteral("second"));
        first.key = QStringLiteral("abcd1111aaaaaaaaaaaaaaaaaaaaaaaa");
        second.key = QStringLiteral("abcd2222bbbbbbbbbbbbbbbbbbbbbbbb");
        add(first);
        add(second);
        const Result<ModelConfig> shared = lookUpModel(*m_store, QStringLiteral("abcd"));
        QCOMPARE(shared.errorType(), QStringLiteral("AmbiguousModel"));
        QVERIFY2(shared.error().contains(first.key) && shared.error().contains(second.key), qPrintable(shared.error()));
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("abcd1"))->key, first.key);
        // Under 4 characters a start is not taken for a key.
        QCOMPARE(lookUpModel(*m_store, QStringLiteral("abc")).errorType(), QStringLiteral("UnknownModel"));
    }
};

QTEST_GUILESS_MAIN(TestModelLookup)
#include "test_model_lookup.moc"
