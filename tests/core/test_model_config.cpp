#include "core/models/model_config.h"
#include "model_samples.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::models;
using json = nlohmann::ordered_json;

class TestModelConfig : public QObject
{
    Q_OBJECT
private slots:
    // The exact strings of TAXONOMY.md; a change here is a change of the stored format.
    void taxonomyStringsAreExactly()
    {
        QCOMPARE(allStrings<BaseModel>().join(' '),
                 QStringLiteral(
                     "any sd-1 sd-2 sd-3 sdxl sdxl-refiner flux flux2 cogview4 z-image qwen-image amused unknown"));
        QCOMPARE(allStrings<ModelType>().join(' '),
                 QStringLiteral("main vae lora control_lora controlnet embedding ip_adapter clip_vision clip_embed "
                                "t2i_adapter t5_encoder qwen3_encoder spandrel_image_to_image siglip flux_redux "
                                "llava_onevision onnx unknown"));
        QCOMPARE(allStrings<ModelFormat>().join(' '),
                 QStringLiteral("checkpoint diffusers lycoris embedding_file embedding_folder omi onnx olive invokeai "
                                "t5_encoder qwen3_encoder bnb_quantized_int8b bnb_quantized_nf4b gguf_quantized unknown"));
        QCOMPARE(allStrings<ModelVariant>().join(' '),
                 QStringLiteral("normal inpaint depth schnell dev dev_fill large gigantic"));
        QCOMPARE(allStrings<PredictionType>().join(' '), QStringLiteral("epsilon v_prediction sample"));
        QCOMPARE(allStrings<SubmodelType>().join(' '),
                 QStringLiteral("unet transformer text_encoder text_encoder_2 text_encoder_3 tokenizer tokenizer_2 "
                                "tokenizer_3 vae vae_decoder vae_encoder scheduler safety_checker"));
        QCOMPARE(allStrings<RepoVariant>().join(','), QStringLiteral(",fp16,fp32,onnx,openvino,flax"));
        QCOMPARE(allStrings<SourceType>().join(' '), QStringLiteral("path url hf_repo_id"));
    }

    void everyStringParsesBack()
    {
        for (const QString &text : allStrings<ModelType>())
            QCOMPARE(toString(parseTaxonomy<ModelType>(text).value()), text);
        for (const QString &text : allStrings<BaseModel>())
            QCOMPARE(toString(parseTaxonomy<BaseModel>(text).value()), text);
        for (const QString &text : allStrings<ModelFormat>())
            QCOMPARE(toString(parseTaxonomy<ModelFormat>(text).value()), text);
        QVERIFY(parseTaxonomy<RepoVariant>(QString()).value() == RepoVariant::Default);
    }

    void unknownStringsAreRejectedClearly()
    {
        const Result<BaseModel> base = parseTaxonomy<BaseModel>(QStringLiteral("SDXL"));
        QVERIFY(!base.ok());  // case matters: the stored values are exact
        QVERIFY2(base.error().contains(QStringLiteral("unknown base \"SDXL\"")), qPrintable(base.error()));
        QVERIFY(base.error().contains(QStringLiteral("sdxl-refiner")));
        QVERIFY(!parseTaxonomy<ModelType>(QStringLiteral("checkpoint")).ok());
        QVERIFY(parseTaxonomy<RepoVariant>(QStringLiteral("fp8")).error().contains(QStringLiteral("the default")));
    }

    // One record of every type, with the specialised fields that apply to it, survives JSON both ways.
    void everyConfigTypeRoundTrips_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("format");
        for (const auto &[type, name] : Taxonomy<ModelType>::values) {
            ModelFormat format = ModelFormat::Checkpoint;
            if (type == ModelType::Embedding)
                format = ModelFormat::EmbeddingFile;
            else if (type == ModelType::Lora)
                format = ModelFormat::Lycoris;
            else if (type == ModelType::ClipVision || type == ModelType::IpAdapter)
                format = ModelFormat::InvokeAi;
            else if (type == ModelType::Onnx)
                format = ModelFormat::Onnx;
            QTest::newRow(name) << int(type) << int(format);
        }
        QTest::newRow("main diffusers") << int(ModelType::Main) << int(ModelFormat::Diffusers);
    }

    void everyConfigTypeRoundTrips()
    {
        QFETCH(int, type);
        QFETCH(int, format);
        ModelConfig config = atelier::testing::sampleModel(QStringLiteral("näme «x»"), ModelType(type), ModelFormat(format),
                                                           BaseModel::Sdxl);
        config.key = ModelConfig::newKey();
        config.description = QStringLiteral("line one\nline two");
        config.source = QStringLiteral("owner/repo:fp16");
        config.sourceType = SourceType::HfRepoId;
        config.sourceApiResponse = R"({"modelId":"owner/repo","tags":["a","b"],"nested":{"x":1.5}})";
        config.coverImage = QStringLiteral("covers/x.png");
        config.tags = {QStringLiteral("one"), QStringLiteral("two words")};
        config.triggerWords = {QStringLiteral("trig")};
        config.addedAt = QDateTime(QDate(2026, 5, 6), QTime(7, 8, 9, 123), Qt::UTC);
        config.updatedAt = config.addedAt.addSecs(60);
        config.fileSize = 6938078334LL;
        for (const SpecialisedField &field : kSpecialisedFields) {
            if (!field.appliesTo(config.type, config.format))
                continue;
            const QLatin1String name(field.name);
            if (name == QLatin1String("config_path"))
                config.configPath = QStringLiteral("v1-inference.yaml");
            else if (name == QLatin1String("vae"))
                config.vae = QStringLiteral("sdxl/vae/fix");
            else if (name == QLatin1String("variant"))
                config.variant = ModelVariant::Inpaint;
            else if (name == QLatin1String("prediction_type"))
                config.predictionType = PredictionType::VPrediction;
            else if (name == QLatin1String("upcast_attention"))
                config.upcastAttention = true;
            else if (name == QLatin1String("repo_variant"))
                config.repoVariant = RepoVariant::Fp16;
            else if (name == QLatin1String("image_encoder"))
                config.imageEncoder = QStringLiteral("clip-vit-h");
        }
        const json serialised = toJson(config);
        const Result<ModelConfig> parsed = fromJson(json::parse(serialised.dump()));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        QCOMPARE(parsed.value(), config);
        QCOMPARE(toJson(parsed.value()).dump(), serialised.dump());
        QCOMPARE(QString::fromStdString(serialised.at("type").get<std::string>()), toString(ModelType(type)));
    }

    void fromJsonIsStrict_data()
    {
        QTest::addColumn<QByteArray>("change");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field") << QByteArray(R"({"colour": "red"})") << "unknown field 'colour'";
        QTest::newRow("bad base") << QByteArray(R"({"base": "sd-7"})") << "unknown base \"sd-7\"";
        QTest::newRow("number as name") << QByteArray(R"({"name": 5})") << "'name' must be a string";
        QTest::newRow("tags not strings") << QByteArray(R"({"tags": [1]})") << "'tags' must be an array of strings";
        QTest::newRow("bad date") << QByteArray(R"({"added_at": "yesterday"})") << "ISO 8601";
        QTest::newRow("negative size") << QByteArray(R"({"file_size": -1})") << "may not be negative";
        QTest::newRow("variant on a lora") << QByteArray(R"({"type": "lora", "format": "lycoris", "variant": "normal", "prediction_type": null})")
                                           << "'variant' applies only to main models";
        QTest::newRow("repo variant on a checkpoint") << QByteArray(R"({"repo_variant": "fp16"})") << "applies only to diffusers";
        QTest::newRow("short key") << QByteArray(R"({"key": "abc"})") << "32 lowercase hexadecimal";
        QTest::newRow("control character") << QByteArray("{\"name\": \"bad\\u0007name\"}") << "control characters";
    }

    void fromJsonIsStrict()
    {
        QFETCH(QByteArray, change);
        QFETCH(QString, message);
        ModelConfig config = atelier::testing::sampleModel(QStringLiteral("valid"));
        config.key = ModelConfig::newKey();
        config.addedAt = config.updatedAt = QDateTime::currentDateTimeUtc();
        json object = toJson(config);
        object.update(json::parse(change.toStdString()));
        for (auto it = object.begin(); it != object.end();)
            it = it->is_null() ? object.erase(it) : std::next(it);
        const Result<ModelConfig> parsed = fromJson(object);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.errorType(), QStringLiteral("InvalidModelConfig"));
        QVERIFY2(parsed.error().contains(message), qPrintable(parsed.error()));
    }

    void applyChangesKeepsWhatIsNotNamed()
    {
        ModelConfig config = atelier::testing::sampleModel(QStringLiteral("before"));
        config.key = ModelConfig::newKey();
        config.addedAt = config.updatedAt = QDateTime::currentDateTimeUtc();
        config.tags = {QStringLiteral("keep")};
        const Result<ModelConfig> changed = applyChanges(config, json{{"name", "after"}, {"vae", "my/vae"}});
        QVERIFY(changed.ok());
        QCOMPARE(changed->name, QStringLiteral("after"));
        QCOMPARE(changed->vae, std::optional<QString>(QStringLiteral("my/vae")));
        QCOMPARE(changed->tags, config.tags);
        QCOMPARE(changed->path, config.path);
        QVERIFY(!applyChanges(config, json{{"added_at", "2020-01-01T00:00:00Z"}}).ok());
        QVERIFY(!applyChanges(config, json::array()).ok());
    }

    void tagsAreTrimmedAndUniqueIgnoringCase()
    {
        ModelConfig config = atelier::testing::sampleModel(QStringLiteral("t"));
        config.tags = {QStringLiteral("  Portrait "), QStringLiteral("portrait"), QString(), QStringLiteral("two   spaces")};
        normalise(config);
        QCOMPARE(config.tags, (QStringList{QStringLiteral("Portrait"), QStringLiteral("two spaces")}));
    }

    void newKeysAreRandomHex()
    {
        QSet<QString> keys;
        for (int i = 0; i < 1000; ++i) {
            const QString key = ModelConfig::newKey();
            QCOMPARE(key.size(), 32);
            QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(key).hasMatch());
            keys.insert(key);
        }
        QCOMPARE(keys.size(), 1000);
    }
};

QTEST_GUILESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
