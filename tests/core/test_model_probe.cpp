#include "core/models/probe/model_probe.h"
#include "../engine/checkpoint_writer.h"
#include "../fixtures.h"
#include "../sparse_safetensors.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::models;
using json = nlohmann::json;

namespace {

void writeSparseSafetensors(const QString &path, const json &tensors, const json &metadata)
{
    QVERIFY2(writeSparseSafetensorsFile(path, tensors, metadata), qPrintable(path));
}

json readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return json();
    const QByteArray bytes = file.readAll();
    return json::parse(bytes.constBegin(), bytes.constEnd());
}

void compareIdentification(const ProbeResult &result, const json &expected)
{
    const QString why = result.evidence.join(QStringLiteral("\n  "));
    QCOMPARE(toString(result.type), QString::fromStdString(expected.at("type").get<std::string>()));
    QCOMPARE(toString(result.format), QString::fromStdString(expected.at("format").get<std::string>()));
    QVERIFY2(toString(result.base) == QString::fromStdString(expected.at("base").get<std::string>()),
             qPrintable(QStringLiteral("base %1, expected %2; evidence:\n  %3")
                            .arg(toString(result.base), QString::fromStdString(expected.at("base").get<std::string>()), why)));
    for (const char *field : {"variant", "prediction_type", "repo_variant"}) {
        if (!expected.contains(field))
            continue;
        const QString want = QString::fromStdString(expected.at(field).get<std::string>());
        QString got;
        if (QLatin1String(field) == QLatin1String("variant") && result.variant)
            got = toString(*result.variant);
        else if (QLatin1String(field) == QLatin1String("prediction_type") && result.predictionType)
            got = toString(*result.predictionType);
        else if (QLatin1String(field) == QLatin1String("repo_variant") && result.repoVariant)
            got = toString(*result.repoVariant);
        QVERIFY2(got == want, qPrintable(QStringLiteral("%1: %2, expected %3; evidence:\n  %4").arg(QLatin1String(field), got, want, why)));
    }
    QVERIFY(!result.evidence.isEmpty());
}

} // namespace

class TestModelProbe : public QObject
{
    Q_OBJECT
private slots:
    void identifiesEveryRealArchitectureManifest_data()
    {
        QTest::addColumn<QString>("manifest");
        const QDir dir(fixturesDir() + QStringLiteral("/manifests"));
        const QStringList manifests = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QVERIFY2(!manifests.isEmpty(), qPrintable(QStringLiteral("no manifests in %1").arg(dir.path())));
        for (const QString &name : manifests)
            QTest::newRow(qPrintable(name)) << dir.filePath(name);
    }

    void identifiesEveryRealArchitectureManifest()
    {
        QFETCH(QString, manifest);
        const json description = readJsonFile(manifest);
        QTemporaryDir dir;
        const bool folder = description.at("root") == "folder";
        const QString root = folder ? dir.filePath(QFileInfo(manifest).completeBaseName()) : dir.path();
        QString target;
        for (const json &file : description.at("files")) {
            const QString path = QDir(root).filePath(QString::fromStdString(file.at("path").get<std::string>()));
            if (file.contains("tensors")) {
                writeSparseSafetensors(path, file.at("tensors"), file.value("metadata", json::object()));
            } else {
                QDir().mkpath(QFileInfo(path).path());
                QFile out(path);
                QVERIFY(out.open(QIODevice::WriteOnly));
                const std::string text = file.at("content").dump(1);
                out.write(text.data(), qint64(text.size()));
            }
            if (!folder)
                target = path;
        }
        const Result<ProbeResult> result = probeModel(folder ? root : target);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        compareIdentification(result.value(), description.at("expected"));
    }

    void identifiesTheTinyModelsInBothLayouts_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("prediction");
        const QString models = fixturesDir() + QStringLiteral("/models");
        const QList<std::tuple<const char *, const char *, const char *>> tiny{
            {"tiny-sd1", "sd-1", "epsilon"}, {"tiny-sd2v", "sd-2", "v_prediction"}, {"tiny-sdxl", "sdxl", "epsilon"}};
        for (const auto &[name, base, prediction] : tiny) {
            QTest::newRow(qPrintable(QStringLiteral("%1 single file").arg(QLatin1String(name))))
                << QStringLiteral("%1/%2/%2.safetensors").arg(models, QLatin1String(name)) << base << "checkpoint" << prediction;
            QTest::newRow(qPrintable(QStringLiteral("%1 diffusers").arg(QLatin1String(name))))
                << QStringLiteral("%1/%2/diffusers").arg(models, QLatin1String(name)) << base << "diffusers" << prediction;
        }
    }

    void identifiesTheTinyModelsInBothLayouts()
    {
        QFETCH(QString, path);
        QFETCH(QString, base);
        QFETCH(QString, format);
        QFETCH(QString, prediction);
        const Result<ProbeResult> result = probeModel(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        compareIdentification(result.value(), json{{"type", "main"}, {"format", format.toStdString()}, {"base", base.toStdString()},
                                                   {"variant", "normal"}, {"prediction_type", prediction.toStdString()}});
        if (format == QLatin1String("checkpoint"))
            QVERIFY2(result->configPath.endsWith(QStringLiteral(".yaml")), "the YAML beside the checkpoint was used");
        else
            QVERIFY(result->submodels.contains(QStringLiteral("unet")));
    }

    // aMUSEd folders are their own base (TAXONOMY.md), never an SD 1.x model by their CLIP text encoder.
    void identifiesAmusedFolders_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *name : {"tiny-amused", "tiny-amused-512"})
            QTest::newRow(name) << fixturesDir() + QStringLiteral("/models/") + QLatin1String(name);
    }

    void identifiesAmusedFolders()
    {
        QFETCH(QString, path);
        const Result<ProbeResult> result = probeModel(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        compareIdentification(result.value(), json{{"type", "main"}, {"format", "diffusers"}, {"base", "amused"}});
        QVERIFY(result->submodels.contains(QStringLiteral("transformer")));
        QVERIFY(result->submodels.contains(QStringLiteral("vqvae")));
        QVERIFY(result->evidence.join(QLatin1Char(' ')).contains(QStringLiteral("aMUSEd")));
    }

    void yamlBesideACheckpointDecides()
    {
        // An SD 2.x checkpoint whose YAML says epsilon (a 512 "base" model): the YAML wins over the v assumption.
        QTemporaryDir dir;
        const QString weights = dir.filePath(QStringLiteral("v2-base.safetensors"));
        writeSparseSafetensors(weights, json::array({json::array({"model.diffusion_model.input_blocks.0.0.weight", "F16", {320, 4, 3, 3}}),
                                                     json::array({"cond_stage_model.model.positional_embedding", "F16", {77, 1024}})}),
                               json::object());
        QCOMPARE(probeModel(weights)->predictionType, std::optional<PredictionType>(PredictionType::VPrediction));
        QFile yaml(dir.filePath(QStringLiteral("v2-base.yaml")));
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        yaml.write("model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n"
                   "    cond_stage_config:\n      target: ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder\n"
                   "    unet_config:\n      params: {in_channels: 4, context_dim: 1024}\n");
        yaml.close();
        const Result<ProbeResult> result = probeModel(weights);
        QVERIFY(result.ok());
        QCOMPARE(result->predictionType, std::optional<PredictionType>(PredictionType::Epsilon));
        QCOMPARE(toString(result->base), QStringLiteral("sd-2"));
        QVERIFY(result->evidence.join('\n').contains(QStringLiteral("v2-base.yaml")));
    }

    void identifiesPickledCheckpoints()
    {
        QTemporaryDir dir;
        const QString main = dir.filePath(QStringLiteral("old-inpainting.ckpt"));
        QVERIFY(writeBytes(main, checkpointBytes({{"model.diffusion_model.input_blocks.0.0.weight", "HalfStorage", {8, 9, 3, 3}},
                                                  {"cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", "HalfStorage", {4, 8}}})));
        const Result<ProbeResult> checkpoint = probeModel(main);
        QVERIFY2(checkpoint.ok(), qPrintable(checkpoint.error()));
        compareIdentification(checkpoint.value(), json{{"type", "main"}, {"format", "checkpoint"}, {"base", "sd-1"},
                                                       {"variant", "inpaint"}, {"prediction_type", "epsilon"}});

        PickleWriter pickle;
        pickle.proto(2).emptyDict().mark().text("string_to_param").emptyDict().text("*").tensor("FloatStorage", "0", {3, 768}).setItem();
        pickle.text("name").text("style").setItems().stop();
        const QString embedding = dir.filePath(QStringLiteral("style.pt"));
        QVERIFY(writeBytes(embedding, zipArchive({{"style/data.pkl", pickle.bytes()}, {"style/data/0", QByteArray(3 * 768 * 4, '\0')}})));
        const Result<ProbeResult> ti = probeModel(embedding);
        QVERIFY2(ti.ok(), qPrintable(ti.error()));
        compareIdentification(ti.value(), json{{"type", "embedding"}, {"format", "embedding_file"}, {"base", "sd-1"}});
    }

    void identifiesOtherLayouts_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("tensors");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("LyCORIS LoHa, SD 1.x") << "loha.safetensors"
            << QByteArray(R"([["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.hada_w1_a", "F16", [320, 8]],
                             ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.hada_w1_b", "F16", [8, 768]],
                             ["lora_te_text_model_encoder_layers_0_mlp_fc1.hada_w1_b", "F16", [8, 768]]])")
            << QByteArray(R"({"type": "lora", "format": "lycoris", "base": "sd-1"})");
        QTest::newRow("LyCORIS LoKr, SDXL") << "lokr.safetensors"
            << QByteArray(R"([["lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k.lokr_w1", "F16", [4, 4]],
                             ["lora_te1_text_model_encoder_layers_0_mlp_fc1.lokr_w1", "F16", [4, 4]]])")
            << QByteArray(R"({"type": "lora", "format": "lycoris", "base": "sdxl"})");
        QTest::newRow("TAESD for SDXL") << "taesdxl.safetensors"
            << QByteArray(R"([["encoder.layers.0.weight", "F16", [64, 3, 3, 3]], ["decoder.layers.0.weight", "F16", [64, 4, 3, 3]]])")
            << QByteArray(R"({"type": "vae", "format": "checkpoint", "base": "sdxl"})");
        QTest::newRow("IP adapter, SD 1.x") << "ip-adapter_sd15.safetensors"
            << QByteArray(R"([["image_proj.proj.weight", "F16", [3072, 1024]], ["ip_adapter.1.to_k_ip.weight", "F16", [320, 768]]])")
            << QByteArray(R"({"type": "ip_adapter", "format": "checkpoint", "base": "sd-1"})");
        QTest::newRow("IP adapter, SDXL") << "ip-adapter_sdxl.safetensors"
            << QByteArray(R"([["image_proj.proj.weight", "F16", [8192, 1280]], ["ip_adapter.1.to_k_ip.weight", "F16", [640, 2048]]])")
            << QByteArray(R"({"type": "ip_adapter", "format": "checkpoint", "base": "sdxl"})");
        QTest::newRow("CLIP vision") << "clip_vision_h.safetensors"
            << QByteArray(R"([["vision_model.embeddings.patch_embedding.weight", "F16", [1280, 3, 14, 14]], ["visual_projection.weight", "F16", [1024, 1280]]])")
            << QByteArray(R"({"type": "clip_vision", "format": "checkpoint", "base": "any"})");
        QTest::newRow("T2I adapter file") << "t2iadapter_canny.safetensors"
            << QByteArray(R"([["adapter.body.0.resnets.0.block1.weight", "F32", [320, 320, 3, 3]]])")
            << QByteArray(R"({"type": "t2i_adapter", "format": "checkpoint", "base": "unknown"})");
        QTest::newRow("ControlNet in diffusers naming, SDXL") << "controlnet-sdxl.safetensors"
            << QByteArray(R"([["controlnet_cond_embedding.conv_in.weight", "F16", [16, 3, 3, 3]],
                             ["down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight", "F16", [640, 2048]]])")
            << QByteArray(R"({"type": "controlnet", "format": "checkpoint", "base": "sdxl"})");
    }

    void identifiesOtherLayouts()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, tensors);
        QFETCH(QByteArray, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(fileName);
        writeSparseSafetensors(path, json::parse(tensors.toStdString()), json::object());
        const Result<ProbeResult> result = probeModel(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        compareIdentification(result.value(), json::parse(expected.toStdString()));
    }

    void identifiesDiffusersComponentFolders_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("SDXL VAE") << "sdxl-vae-fp16-fix" << QByteArray(R"({"_class_name": "AutoencoderKL", "scaling_factor": 0.13025})")
                                  << QByteArray(R"({"type": "vae", "format": "diffusers", "base": "sdxl"})");
        QTest::newRow("SD 1.x VAE") << "sd-vae-ft-mse" << QByteArray(R"({"_class_name": "AutoencoderKL", "scaling_factor": 0.18215})")
                                    << QByteArray(R"({"type": "vae", "format": "diffusers", "base": "sd-1"})");
        QTest::newRow("ControlNet SD 1.5") << "control_v11p_sd15_canny" << QByteArray(R"({"_class_name": "ControlNetModel", "cross_attention_dim": 768})")
                                           << QByteArray(R"({"type": "controlnet", "format": "diffusers", "base": "sd-1"})");
        QTest::newRow("ControlNet SDXL") << "controlnet-canny-sdxl" << QByteArray(R"({"_class_name": "ControlNetModel", "cross_attention_dim": 2048, "addition_embed_type": "text_time"})")
                                         << QByteArray(R"({"type": "controlnet", "format": "diffusers", "base": "sdxl"})");
        QTest::newRow("T2I adapter SDXL") << "t2i-adapter-lineart-sdxl" << QByteArray(R"({"_class_name": "T2IAdapter", "adapter_type": "full_adapter_xl"})")
                                          << QByteArray(R"({"type": "t2i_adapter", "format": "diffusers", "base": "sdxl"})");
        QTest::newRow("CLIP vision") << "image_encoder" << QByteArray(R"({"architectures": ["CLIPVisionModelWithProjection"], "model_type": "clip_vision_model"})")
                                     << QByteArray(R"({"type": "clip_vision", "format": "diffusers", "base": "any"})");
        QTest::newRow("a UNet alone") << "unet" << QByteArray(R"({"_class_name": "UNet2DConditionModel"})")
                                      << QByteArray(R"({"type": "unknown", "format": "unknown", "base": "unknown"})");
    }

    void identifiesDiffusersComponentFolders()
    {
        QFETCH(QString, folder);
        QFETCH(QByteArray, config);
        QFETCH(QByteArray, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(folder);
        QDir().mkpath(path);
        QFile file(path + QStringLiteral("/config.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(config);
        file.close();
        writeSparseSafetensors(path + QStringLiteral("/diffusion_pytorch_model.safetensors"),
                               json::parse(R"([["conv_in.weight", "F16", [8, 4, 3, 3]]])"), json::object());
        const Result<ProbeResult> result = probeModel(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        compareIdentification(result.value(), json::parse(expected.toStdString()));
    }

    void unknownLayoutsAreUnknownWithAReason()
    {
        QTemporaryDir dir;
        const QString weights = dir.filePath(QStringLiteral("mystery.safetensors"));
        writeSparseSafetensors(weights, json::array({json::array({"backbone.stem.weight", "F32", {64, 3, 7, 7}})}), json::object());
        const Result<ProbeResult> result = probeModel(weights);
        QVERIFY(result.ok());
        QVERIFY(!result->identified());
        QCOMPARE(toString(result->base), QStringLiteral("unknown"));
        QVERIFY2(result->evidence.join('\n').contains(QStringLiteral("backbone.stem.weight")), qPrintable(result->evidence.join('\n')));
    }

    void unreadableInputsFailClearly_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("errorType");
        QTest::newRow("missing") << "missing" << "NotFound";
        QTest::newRow("empty file") << "empty" << "FormatError";
        QTest::newRow("truncated") << "truncated" << "FormatError";
        QTest::newRow("folder without weights") << "emptyFolder" << "NoWeights";
        QTest::newRow("damaged checkpoint") << "pickle" << "FormatError";
        QTest::newRow("unknown extension") << "extension" << "UnsupportedFormat";
        QTest::newRow("bad model_index.json") << "badIndex" << "FormatError";
    }

    void unreadableInputsFailClearly()
    {
        QFETCH(QString, kind);
        QFETCH(QString, errorType);
        QTemporaryDir dir;
        QString path = dir.filePath(QStringLiteral("model.safetensors"));
        if (kind == QLatin1String("empty")) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
        } else if (kind == QLatin1String("truncated")) {
            writeSparseSafetensors(path, json::array({json::array({"encoder.conv_in.weight", "F32", {128, 3, 3, 3}})}), json::object());
            QFile file(path);
            QVERIFY(file.resize(file.size() - 100));
        } else if (kind == QLatin1String("emptyFolder")) {
            path = dir.filePath(QStringLiteral("folder"));
            QDir().mkpath(path + QStringLiteral("/unet"));
            QFile notes(path + QStringLiteral("/README.md"));
            QVERIFY(notes.open(QIODevice::WriteOnly));
        } else if (kind == QLatin1String("pickle")) {
            path = dir.filePath(QStringLiteral("model.ckpt"));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("PK\x03\x04");
        } else if (kind == QLatin1String("extension")) {
            path = dir.filePath(QStringLiteral("model.xyz"));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
        } else if (kind == QLatin1String("badIndex")) {
            path = dir.filePath(QStringLiteral("pipeline"));
            writeSparseSafetensors(path + QStringLiteral("/unet/diffusion_pytorch_model.safetensors"),
                                   json::array({json::array({"conv_in.weight", "F32", {4}})}), json::object());
            QFile index(path + QStringLiteral("/model_index.json"));
            QVERIFY(index.open(QIODevice::WriteOnly));
            index.write("{ broken");
        }
        const Result<ProbeResult> result = probeModel(path);
        QVERIFY(!result.ok());
        QCOMPARE(result.errorType(), errorType);
        QVERIFY2(result.error().contains(path), qPrintable(result.error()));
    }
};

QTEST_GUILESS_MAIN(TestModelProbe)
#include "test_model_probe.moc"
