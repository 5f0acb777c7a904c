// Validation with ComfyUI's error shapes, modes (mute and bypass), node definitions, and hostile graphs: cycles,
// self links, 10,000 nodes, huge strings and wrong types in every field end in a clear error, never a crash or hang.
#include "core/graph/api_prompt.h"
#include "core/graph/validation.h"
#include "tests/fixtures.h"
#include "tests/graph/library_free_nodes.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;

namespace {

graph::Graph graphOf(const QByteArray &json)
{
    Result<graph::Graph> read = graph::readApiPrompt(json);
    if (!read)
        qFatal("%s", qPrintable(read.error()));
    return std::move(read).value();
}

graph::Graph graphOf(const QJsonObject &prompt)
{
    return graphOf(QJsonDocument(prompt).toJson(QJsonDocument::Compact));
}

QStringList errorTypes(const graph::Validation &validation, const QString &node)
{
    QStringList types;
    if (const graph::NodeErrors *errors = validation.errorsOf(node))
        for (const graph::ValidationError &error : errors->errors)
            types.append(error.type);
    return types;
}

QByteArray corpusSd15()
{
    QFile file(QDir(fixturesDir()).filePath(QStringLiteral("corpus/workflows/comfyui-api/salad_sd1.5_txt2img.json")));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("no corpus prompt");
    return file.readAll();
}

} // namespace

class TestGraphValidation : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    std::shared_ptr<graph::NodeRegistry> m_registry;

    graph::Validation check(const graph::Graph &graph, const QStringList &targets = {})
    {
        return graph::validate(graph::executableGraph(graph, *m_registry), *m_registry, targets);
    }
    // The corpus graph with a real checkpoint, valid as it stands.
    QJsonObject validPrompt()
    {
        QJsonObject prompt = QJsonDocument::fromJson(corpusSd15()).object();
        QJsonObject loader = prompt["4"].toObject();
        loader["inputs"] = QJsonObject{
            {"ckpt_name", QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"))}};
        prompt["4"] = loader;
        return prompt;
    }

private slots:
    void initTestCase() { m_registry = libraryFreeNodes(m_root); }

    void definitionsFollowObjectInfo()
    {
        const QJsonObject info = m_registry->objectInfo();
        for (const char *type : {"CheckpointLoaderSimple",
                                 "CheckpointLoader",
                                 "VAELoader",
                                 "LoraLoader",
                                 "LoraLoaderModelOnly",
                                 "CLIPSetLastLayer",
                                 "CLIPTextEncode",
                                 "CLIPTextEncodeSDXL",
                                 "CLIPTextEncodeSDXLRefiner",
                                 "ConditioningCombine",
                                 "ConditioningConcat",
                                 "ConditioningAverage",
                                 "ConditioningSetArea",
                                 "ConditioningZeroOut",
                                 "EmptyLatentImage",
                                 "KSampler",
                                 "KSamplerAdvanced",
                                 "VAEDecode",
                                 "VAEEncode",
                                 "VAEDecodeTiled",
                                 "VAEEncodeTiled",
                                 "VAEEncodeForInpaint",
                                 "SetLatentNoiseMask",
                                 "LatentUpscale",
                                 "LatentUpscaleBy",
                                 "LatentFromBatch",
                                 "RepeatLatentBatch",
                                 "ImageScale",
                                 "ImageScaleBy",
                                 "ImageInvert",
                                 "ImageBatch",
                                 "LoadImage",
                                 "LoadImageMask",
                                 "SaveImage",
                                 "PreviewImage",
                                 "Reroute",
                                 "PrimitiveNode",
                                 "Note",
                                 "MarkdownNote"})
            QVERIFY2(info.contains(QLatin1String(type)), type);
        const QJsonObject sampler = info["KSampler"].toObject();
        QCOMPARE(sampler["output"].toArray(), QJsonArray{"LATENT"});
        QCOMPARE(sampler["category"].toString(), QStringLiteral("sampling"));
        QCOMPARE(sampler["output_node"].toBool(), false);
        const QJsonObject required = sampler["input"]["required"].toObject();
        QCOMPARE(required["model"].toArray(), QJsonArray{"MODEL"});
        QCOMPARE(required["seed"][1]["control_after_generate"].toBool(), true);
        QCOMPARE(required["steps"][1]["default"].toInt(), 20);
        QCOMPARE(required["cfg"][1]["max"].toDouble(), 100.0);
        QVERIFY(required["sampler_name"][0].toArray().contains(QStringLiteral("dpmpp_2m")));
        QCOMPARE(sampler["input_order"]["required"][0].toString(), QStringLiteral("model"));
        QCOMPARE(info["SaveImage"]["output_node"].toBool(), true);
        // ComfyUI's display names, as its menus and canvas show them.
        QCOMPARE(info["EmptyLatentImage"]["display_name"].toString(), QStringLiteral("Empty Latent Image"));
        QCOMPARE(info["VAEEncodeForInpaint"]["display_name"].toString(), QStringLiteral("VAE Encode (for Inpainting)"));
        QCOMPARE(info["CheckpointLoaderSimple"]["output_name"].toArray(), (QJsonArray{"MODEL", "CLIP", "VAE"}));
    }

    void aValidGraphIsClean()
    {
        const graph::Validation validation = check(graphOf(validPrompt()));
        QVERIFY2(validation.clean(), QJsonDocument(validation.toJson()).toJson().constData());
        QCOMPARE(validation.validOutputs, QStringList{"9"});
        QCOMPARE(validation.executionOrder.size(), 7);
        QCOMPARE(validation.executionOrder.last(), QStringLiteral("9"));
        QVERIFY(validation.executionOrder.indexOf("4") < validation.executionOrder.indexOf("6"));
    }

    void errorsFollowComfyUI_data()
    {
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("type");
        QTest::newRow("missing") << "3"
                                 << "steps" << QJsonValue(QJsonValue::Undefined) << "required_input_missing";
        QTest::newRow("above max") << "3"
                                   << "steps" << QJsonValue(20000) << "value_bigger_than_max";
        QTest::newRow("below min") << "3"
                                   << "cfg" << QJsonValue(-1) << "value_smaller_than_min";
        QTest::newRow("not in list") << "3"
                                     << "sampler_name" << QJsonValue("euler_x") << "value_not_in_list";
        QTest::newRow("not a number") << "3"
                                      << "seed" << QJsonValue("many") << "invalid_input_type";
        QTest::newRow("fraction for INT") << "5"
                                          << "width" << QJsonValue(64.5) << "invalid_input_type";
        QTest::newRow("wrong link type") << "3"
                                         << "model" << QJsonValue(QJsonArray{"4", 2}) << "return_type_mismatch";
        QTest::newRow("missing node") << "3"
                                      << "model" << QJsonValue(QJsonArray{"99", 0}) << "bad_linked_input";
        QTest::newRow("missing output") << "3"
                                        << "model" << QJsonValue(QJsonArray{"4", 7}) << "bad_linked_input";
        QTest::newRow("self link") << "3"
                                   << "latent_image" << QJsonValue(QJsonArray{"3", 0}) << "bad_linked_input";
        QTest::newRow("value for a link") << "3"
                                          << "model" << QJsonValue("a model") << "invalid_input_type";
        QTest::newRow("model not there") << "4"
                                         << "ckpt_name" << QJsonValue("sd15/none.safetensors") << "value_not_in_list";
        QTest::newRow("number for text") << "9"
                                         << "filename_prefix" << QJsonValue(12) << "invalid_input_type";
    }
    void errorsFollowComfyUI()
    {
        QFETCH(QString, node);
        QFETCH(QString, input);
        QFETCH(QJsonValue, value);
        QFETCH(QString, type);
        QJsonObject prompt = validPrompt();
        QJsonObject entry = prompt[node].toObject();
        QJsonObject inputs = entry["inputs"].toObject();
        if (value.isUndefined())
            inputs.remove(input);
        else
            inputs[input] = value;
        entry["inputs"] = inputs;
        prompt[node] = entry;
        const graph::Validation validation = check(graphOf(prompt));
        QVERIFY(!validation.runnable());
        QCOMPARE(validation.error->type, QStringLiteral("prompt_outputs_failed_validation"));
        QCOMPARE(errorTypes(validation, node), QStringList{type});
        QCOMPARE(validation.errorsOf(node)->dependentOutputs, QStringList{"9"});
        const QJsonObject json = validation.toJson();
        QCOMPARE(json["node_errors"][node]["errors"][0]["type"].toString(), type);
        QCOMPARE(json["node_errors"][node]["class_type"].toString(), prompt[node].toObject()["class_type"].toString());
    }

    void unknownAndUnsupportedTypesAreNamed()
    {
        QJsonObject prompt = validPrompt();
        prompt["20"] =
            QJsonObject{{"class_type", "UltimateSDUpscale"}, {"inputs", QJsonObject{{"image", QJsonArray{"8", 0}}}}};
        prompt["21"] = QJsonObject{{"class_type", "SaveImage"},
                                   {"inputs", QJsonObject{{"images", QJsonArray{"20", 0}}, {"filename_prefix", "up"}}}};
        // A type the registry knows but this build cannot run (as a node of an engine not built in would be).
        struct NotInThisBuild final : graph::NodeType
        {
            NotInThisBuild()
            {
                definition_.type = QStringLiteral("FutureImageSave");
                definition_.category = QStringLiteral("image");
                definition_.inputs = {graph::InputSpec{}};
                definition_.inputs.front().name = QStringLiteral("images");
                definition_.inputs.front().type = QStringLiteral("IMAGE");
                definition_.outputNode = true;
                definition_.unsupported = QStringLiteral("FutureImageSave needs an engine this build lacks");
            }
            const graph::NodeDefinition &definition() const override { return definition_; }
            graph::NodeOutputs run(const graph::NodeInputs &, graph::NodeRunContext &) const override { return {}; }
            graph::NodeDefinition definition_;
        };
        m_registry->add(std::make_shared<NotInThisBuild>());
        prompt["22"] =
            QJsonObject{{"class_type", "FutureImageSave"}, {"inputs", QJsonObject{{"images", QJsonArray{"8", 0}}}}};
        graph::Graph graph = graphOf(prompt);
        for (graph::GraphNode &node : graph.nodes)
            if (node.id == QStringLiteral("20"))
                node.package = QStringLiteral("comfyui_ultimatesdupscale");
        const graph::Validation validation = check(graph, {"9", "21", "22"});
        QVERIFY(validation.runnable()); // 9 still runs
        QCOMPARE(validation.validOutputs, QStringList{"9"});
        QCOMPARE(errorTypes(validation, "20"), QStringList{"missing_node_type"});
        QVERIFY(
            validation.errorsOf("20")->errors.front().details.contains(QStringLiteral("comfyui_ultimatesdupscale")));
        QCOMPARE(validation.errorsOf("20")->dependentOutputs, QStringList{"21"});
        QCOMPARE(errorTypes(validation, "22"), QStringList{"unsupported_node"});
        QVERIFY(validation.errorsOf("22")->errors.front().message.contains(QStringLiteral("engine this build lacks")));
    }

    void noOutputsIsAnError()
    {
        QJsonObject prompt = validPrompt();
        prompt.remove(QStringLiteral("9"));
        const graph::Validation validation = check(graphOf(prompt));
        QCOMPARE(validation.error->type, QStringLiteral("prompt_no_outputs"));
    }

    // Muted nodes drop out with what needs them; a bypassed node passes its input of the same type through.
    void muteAndBypass()
    {
        QJsonObject prompt = validPrompt();
        prompt["10"] = QJsonObject{
            {"class_type", "LatentUpscaleBy"},
            {"inputs",
             QJsonObject{{"samples", QJsonArray{"3", 0}}, {"upscale_method", "bilinear"}, {"scale_by", 2.0}}}};
        QJsonObject decode = prompt["8"].toObject();
        decode["inputs"] = QJsonObject{{"samples", QJsonArray{"10", 0}}, {"vae", QJsonArray{"4", 2}}};
        prompt["8"] = decode;
        graph::Graph graph = graphOf(prompt);
        for (graph::GraphNode &node : graph.nodes)
            if (node.id == QStringLiteral("10"))
                node.mode = graph::NodeMode::Bypassed;
        const graph::Graph executable = graph::executableGraph(graph, *m_registry);
        QVERIFY(!executable.node("10"));
        QCOMPARE(executable.node("8")->input("samples")->link->node, QStringLiteral("3"));
        QVERIFY(check(graph).clean());

        for (graph::GraphNode &node : graph.nodes)
            if (node.id == QStringLiteral("10"))
                node.mode = graph::NodeMode::Muted;
        const graph::Validation muted = check(graph);
        QCOMPARE(errorTypes(muted, "8"), QStringList{"required_input_missing"});
    }

    void cyclesAreReportedNotFollowed()
    {
        const QByteArray cycle = R"({
            "1": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}},
            "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
            "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "c"}}})";
        const graph::Validation validation = check(graphOf(cycle));
        QVERIFY(!validation.runnable());
        QCOMPARE(errorTypes(validation, "1"), QStringList{"dependency_cycle"});
        QCOMPARE(errorTypes(validation, "2"), QStringList{"dependency_cycle"});
        QCOMPARE(errorTypes(validation, "3"), QStringList{"dependency_cycle"});
    }

    // 10,000 nodes in one chain: no recursion, so no stack to run out of, and quick.
    void aLongChainValidates()
    {
        QJsonObject prompt{
            {"0", QJsonObject{{"class_type", "LoadImage"}, {"inputs", QJsonObject{{"image", "missing.png"}}}}}};
        for (int i = 1; i < 10000; ++i)
            prompt[QString::number(i)] =
                QJsonObject{{"class_type", "ImageInvert"},
                            {"inputs", QJsonObject{{"image", QJsonArray{QString::number(i - 1), 0}}}}};
        prompt["10000"] =
            QJsonObject{{"class_type", "SaveImage"},
                        {"inputs", QJsonObject{{"images", QJsonArray{"9999", 0}}, {"filename_prefix", "x"}}}};
        const graph::Graph graph = graphOf(prompt);
        QElapsedTimer timer;
        timer.start();
        const graph::Validation validation = check(graph);
        qInfo("10,001 nodes validated in %lld ms", timer.elapsed());
        QCOMPARE(errorTypes(validation, "0"), QStringList{"value_not_in_list"});
        QCOMPARE(validation.nodeErrors.size(), 1);
    }

    // Every field of every node given a value of each wrong kind: validation answers, and never crashes.
    void wrongTypesEverywhere()
    {
        const QJsonObject original = validPrompt();
        const QList<QJsonValue> wrong{QJsonValue("text"),
                                      QJsonValue(-1e308),
                                      QJsonValue(true),
                                      QJsonValue(QJsonValue::Null),
                                      QJsonValue(QJsonArray{"4"}),
                                      QJsonValue(QJsonObject{{"a", 1}}),
                                      QJsonValue(QString(1 << 20, QLatin1Char('x')))};
        int checked = 0;
        for (const QString &node : original.keys()) {
            for (const QString &input : original[node]["inputs"].toObject().keys()) {
                for (const QJsonValue &value : wrong) {
                    QJsonObject prompt = original;
                    QJsonObject entry = prompt[node].toObject();
                    QJsonObject inputs = entry["inputs"].toObject();
                    inputs[input] = value;
                    entry["inputs"] = inputs;
                    prompt[node] = entry;
                    const Result<graph::Graph> read =
                        graph::readApiPrompt(QJsonDocument(prompt).toJson(QJsonDocument::Compact));
                    if (!read) {
                        QVERIFY(!read.error().isEmpty()); // the reader names what is wrong
                        continue;
                    }
                    const graph::Validation validation = check(read.value());
                    (void)validation.toJson();
                    ++checked;
                }
            }
        }
        QVERIFY(checked > 50);
    }
};

QTEST_GUILESS_MAIN(TestGraphValidation)
#include "test_graph_validation.moc"
