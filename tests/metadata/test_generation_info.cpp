#include "core/metadata/generation_info.h"

#include "tests/fixtures.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier::metadata;

struct Expected
{
    QString file;
    QString prompt;
    QString negative;
    quint64 seed;
    int steps;
    QString sampler;
    QString scheduler;
    double cfg;
    QString checkpoint;
    int width;
    QStringList loras;
};
Q_DECLARE_METATYPE(Expected)

class TestGenerationInfo : public QObject
{
    Q_OBJECT

private slots:
    void a1111NamesAndHashesOfModelAndVaeInEitherOrder()
    {
        const GenerationInfo info = parseA1111Parameters(QStringLiteral(
            "a cat\nSteps: 20, Model: dream, Model hash: 1234abcd, VAE hash: 9f8e7d6c5b, VAE: vae-ft-mse"));
        QVERIFY(info.model && info.vae);
        QCOMPARE(info.model->name, QStringLiteral("dream"));
        QCOMPARE(info.model->hash, QStringLiteral("1234abcd"));
        QCOMPARE(info.vae->name, QStringLiteral("vae-ft-mse"));
        QCOMPARE(info.vae->hash, QStringLiteral("9f8e7d6c5b"));
        QVERIFY(!parseA1111Parameters(QStringLiteral("a cat\nSteps: 20, Model: dream")).vae);
    }

    void comfyUiImagesYieldWhatTheirGraphsState_data()
    {
        QTest::addColumn<Expected>("expected");
        // Values as each image's "prompt" graph states them; prompts given by their start where long.
        const QList<Expected> all{
            {"lora_lora", "masterpiece best quality girl", "bad hands", 851616030078638, 20, "euler", "normal", 8.0,
             "v1-5-pruned-emaonly.ckpt", 512, {"epiNoiseoffset_v2.safetensors"}},
            {"lora_lora_multiple", "masterpiece best quality girl", "bad hands", 513173432917412, 20, "euler", "normal", 8.0,
             "v1-5-pruned-emaonly.ckpt", 512, {"theovercomer8sContrastFix_sd15.safetensors", "epiNoiseoffset_v2.safetensors"}},
            {"img2img_img2img_workflow", "", "watermark, text", 280823642470253, 20, "dpmpp_2m", "normal", 8.0,
             "v1-5-pruned-emaonly.ckpt", -1, {}},
            {"2_pass_txt2img_hiresfix_latent_workflow", "", "bad hands, text, watermark", 89848141647836, 12, "dpmpp_sde",
             "normal", 8.0, "v2-1_768-ema-pruned.ckpt", 768, {}},
            {"sdturbo_sdxlturbo_example", "beautiful landscape scenery", "text, watermark", 0, 1, "euler_ancestral",
             "SDTurboScheduler", 1.0, "sd_xl_turbo_1.0_fp16.safetensors", 512, {}},
            {"sdxl_sdxl_simple_example", "evening sunset scenery", "text, watermark", 721897303308196, 25, "euler", "normal",
             8.0, "sd_xl_base_1.0.safetensors", 1024, {}},
            {"controlnet_controlnet_example", "", "", 1002496614778823, 16, "uni_pc", "normal", 6.0, "Anything-V3.0.ckpt", 512, {}},
            {"inpaint_inpaint_example", "", "watermark, text", 1040111309094545, 20, "uni_pc_bh2", "normal", 8.0,
             "512-inpainting-ema.safetensors", -1, {}},
            {"textual_inversion_embeddings_embedding_example", "", "bad hands", 193694018275622, 20, "uni_pc_bh2", "normal",
             8.0, "v2-1_768-ema-pruned.ckpt", 768, {}},
            {"hypernetworks_hypernetwork_example", "woman (fennec ears fox ears:1.1), marble statue, museum", "text, watermark",
             572636856966402, 20, "uni_pc_bh2", "normal", 8.0, "v1-5-pruned-emaonly.ckpt", 512, {}},
        };
        for (const Expected &e : all)
            QTest::newRow(qPrintable(e.file)) << e;
    }

    void comfyUiImagesYieldWhatTheirGraphsState()
    {
        QFETCH(Expected, expected);
        const auto info = readGenerationInfo(fixturesDir() + QStringLiteral("/corpus/comfyui/%1.png").arg(expected.file));
        QVERIFY2(info, qPrintable(info.error()));
        QCOMPARE(info->tool, QStringLiteral("ComfyUI"));
        QVERIFY(info->prompt.has_value());
        QVERIFY2(info->prompt->startsWith(expected.prompt), qPrintable(*info->prompt));
        if (!expected.negative.isEmpty())
            QCOMPARE(info->negativePrompt.value_or(QString()).trimmed(), expected.negative);
        QCOMPARE(info->seed.value_or(~quint64(0)), expected.seed);
        QCOMPARE(info->steps.value_or(-1), expected.steps);
        QCOMPARE(info->sampler.value_or(QString()), expected.sampler);
        QCOMPARE(info->scheduler.value_or(QString()), expected.scheduler);
        QCOMPARE(info->cfg.value_or(-1), expected.cfg);
        QVERIFY(info->model.has_value());
        QCOMPARE(info->model->name, expected.checkpoint);
        if (expected.width > 0)
            QCOMPARE(info->width.value_or(-1), expected.width);
        QStringList loras;
        for (const LoraUse &lora : info->loras)
            loras << lora.name;
        QCOMPARE(loras, expected.loras);
        QVERIFY(!info->chunks.isEmpty());
    }

    void theEditorGraphGivesTheSameRecipe()
    {
        // Every corpus image also carries its editor graph: read alone, it must state the same recipe.
        const QDir corpus(fixturesDir() + QStringLiteral("/corpus/comfyui"));
        int compared = 0;
        for (const QString &name : corpus.entryList({QStringLiteral("*.png")})) {
            const auto text = readPngTextFile(corpus.filePath(name));
            QVERIFY(text);
            QString prompt, workflow;
            for (const TextChunk &chunk : text->chunks) {
                if (chunk.keyword == QLatin1String("prompt"))
                    prompt = chunk.text;
                if (chunk.keyword == QLatin1String("workflow"))
                    workflow = chunk.text;
            }
            if (workflow.isEmpty())
                continue;
            const GenerationInfo fromApi = parseComfyUiPrompt(prompt);
            const GenerationInfo fromEditor = parseComfyUiWorkflow(workflow);
            QVERIFY2(fromEditor.prompt == fromApi.prompt, qPrintable(name));
            QVERIFY2(fromEditor.negativePrompt == fromApi.negativePrompt, qPrintable(name));
            QVERIFY2(fromEditor.seed == fromApi.seed, qPrintable(name));
            QVERIFY2(fromEditor.steps == fromApi.steps, qPrintable(name));
            QVERIFY2(fromEditor.sampler == fromApi.sampler, qPrintable(name));
            QVERIFY2(fromEditor.scheduler == fromApi.scheduler, qPrintable(name));
            QVERIFY2(fromEditor.cfg == fromApi.cfg, qPrintable(name));
            QVERIFY2(fromEditor.model && fromApi.model && fromEditor.model->name == fromApi.model->name, qPrintable(name));
            QVERIFY2(fromEditor.loras.size() == fromApi.loras.size(), qPrintable(name));
            ++compared;
        }
        QCOMPARE(compared, 10);
        QVERIFY(parseComfyUiWorkflow(QStringLiteral("[1, 2]")).warnings.join(QLatin1Char(' ')).contains(QLatin1String("not a ComfyUI editor graph")));
    }

    void extrasAreReportedNotGuessed()
    {
        const QString corpus = fixturesDir() + QStringLiteral("/corpus/comfyui/");
        auto info = readGenerationInfo(corpus + QStringLiteral("controlnet_pose_present.png"));
        QVERIFY(info);
        QCOMPARE(info->tool, QStringLiteral("none"));
        QVERIFY(!info->prompt && !info->seed && !info->model);
        info = readGenerationInfo(corpus + QStringLiteral("hypernetworks_hypernetwork_example.png"));
        QVERIFY(info->warnings.join(QLatin1Char(' ')).contains(QLatin1String("HypernetworkLoader")));
        info = readGenerationInfo(corpus + QStringLiteral("2_pass_txt2img_hiresfix_latent_workflow.png"));
        QCOMPARE(info->samplingPasses, 2);
        info = readGenerationInfo(corpus + QStringLiteral("img2img_img2img_workflow.png"));
        QVERIFY(info->denoise && std::abs(*info->denoise - 0.87) < 1e-9);

        const GenerationInfo broken = parseComfyUiPrompt(QStringLiteral("{\"3\": {\"class_type\": \"KSampler\", "));
        QCOMPARE(broken.tool, QStringLiteral("ComfyUI"));
        QVERIFY(!broken.seed && !broken.prompt);
        QVERIFY(broken.warnings.join(QLatin1Char(' ')).contains(QLatin1String("not a JSON object")));
        QVERIFY(parseComfyUiPrompt(QStringLiteral("{}")).warnings.join(QLatin1Char(' ')).contains(QLatin1String("no sampler")));
    }

    void invokeAiFormatsOldAndNew()
    {
        const GenerationInfo v5 = parseInvokeAiMetadata(QStringLiteral("{\"app_version\": \"5.4.2\", \"generation_mode\": \"sd1_txt2img\", "
            "            \"positive_prompt\": \"a lighthouse at dusk\", \"negative_prompt\": \"blurry\", \"width\": 512, \"height\": 768, \"seed\": 1234, "
            "            \"rand_device\": \"cpu\", \"cfg_scale\": 7.5, \"steps\": 30, \"scheduler\": \"dpmpp_2m_k\", \"clip_skip\": 0, "
            "            \"model\": {\"key\": \"7a3c\", \"hash\": \"blake3:0123\", \"name\": \"Dreamshaper 8\", \"base\": \"sd-1\", \"type\": \"main\"}, "
            "            \"loras\": [{\"model\": {\"key\": \"k\", \"hash\": \"blake3:ff\", \"name\": \"detail\", \"base\": \"sd-1\", \"type\": \"lora\"}, \"weight\": 0.75}]}"));
        QCOMPARE(v5.tool, QStringLiteral("InvokeAI"));
        QCOMPARE(v5.toolVersion, QStringLiteral("5.4.2"));
        QCOMPARE(v5.prompt.value(), QStringLiteral("a lighthouse at dusk"));
        QCOMPARE(v5.negativePrompt.value(), QStringLiteral("blurry"));
        QCOMPARE(v5.seed.value(), quint64(1234));
        QCOMPARE(v5.steps.value(), 30);
        QCOMPARE(v5.scheduler.value(), QStringLiteral("dpmpp_2m_k"));
        QCOMPARE(v5.cfg.value(), 7.5);
        QCOMPARE(v5.height.value(), 768);
        QCOMPARE(v5.model->name, QStringLiteral("Dreamshaper 8"));
        QCOMPARE(v5.model->hash, QStringLiteral("blake3:0123"));
        QCOMPARE(v5.loras.size(), 1);
        QCOMPARE(v5.loras[0].weight.value(), 0.75);
        QVERIFY(!v5.clipSkip.has_value());

        const GenerationInfo v3 = parseInvokeAiMetadata(QStringLiteral("{\"positive_prompt\": \"x\", \"seed\": 1, \"steps\": 20, "
            "            \"model\": {\"model_name\": \"stable-diffusion-v1-5\", \"base_model\": \"sd-1\", \"model_type\": \"main\"}, "
            "            \"loras\": [{\"lora\": {\"model_name\": \"film\", \"base_model\": \"sd-1\"}, \"weight\": 0.5}], \"strength\": 0.6}"));
        QCOMPARE(v3.model->name, QStringLiteral("stable-diffusion-v1-5"));
        QCOMPARE(v3.loras[0].name, QStringLiteral("film"));
        QCOMPARE(v3.denoise.value(), 0.6);

        const GenerationInfo legacy = parseInvokeAiLegacy(QStringLiteral("{\"model\": \"stable diffusion\", "
            "            \"model_weights\": \"stable-diffusion-1.5\", \"model_hash\": \"cc6cb27103417325ff94f52b7a5d2dde45a7515b25c255d8e396c90014281516\", "
            "            \"app_id\": \"invoke-ai/InvokeAI\", \"app_version\": \"2.2.5\", \"image\": {\"prompt\": [{\"prompt\": \"a cat [dog]\", \"weight\": 1.0}], "
            "            \"steps\": 50, \"cfg_scale\": 7.5, \"height\": 512, \"width\": 512, \"seed\": 3210, \"type\": \"txt2img\", \"sampler\": \"k_lms\"}}"));
        QCOMPARE(legacy.prompt.value(), QStringLiteral("a cat [dog]"));
        QCOMPARE(legacy.sampler.value(), QStringLiteral("k_lms"));
        QCOMPARE(legacy.seed.value(), quint64(3210));
        QCOMPARE(legacy.model->name, QStringLiteral("stable-diffusion-1.5"));

        const GenerationInfo dream = parseDreamCommand(QStringLiteral("\"a castle, by a lake\" -s 50 -S 42 -W 512 -H 640 -C 7.5 -A k_euler_a -f 0.6"));
        QCOMPARE(dream.prompt.value(), QStringLiteral("a castle, by a lake"));
        QCOMPARE(dream.steps.value(), 50);
        QCOMPARE(dream.seed.value(), quint64(42));
        QCOMPARE(dream.height.value(), 640);
        QCOMPARE(dream.sampler.value(), QStringLiteral("k_euler_a"));
        QCOMPARE(dream.denoise.value(), 0.6);

        QVERIFY(parseInvokeAiMetadata(QStringLiteral("{broken")).warnings.join(QLatin1Char(' ')).contains(QLatin1String("not a JSON object")));
        QVERIFY(!parseDreamCommand(QStringLiteral("\"unclosed -s 5")).warnings.isEmpty());
    }

    void recipesRoundTripThroughOurOwnChunks()
    {
        GenerationInfo recipe;
        recipe.tool = QStringLiteral("Atelier");
        recipe.toolVersion = QStringLiteral("0.1.0");
        recipe.prompt = QStringLiteral("a cat, \"quoted\", 東京");
        recipe.negativePrompt = QStringLiteral("blurry");
        recipe.seed = 42;
        recipe.steps = 20;
        recipe.sampler = QStringLiteral("euler_ancestral");
        recipe.scheduler = QStringLiteral("karras");
        recipe.cfg = 7.0;
        recipe.width = 512;
        recipe.height = 768;
        recipe.denoise = 0.6;
        recipe.model = ModelReference{QStringLiteral("dreamshaper"), QString(64, QLatin1Char('b'))};
        recipe.initImageSha256 = QString(64, QLatin1Char('c'));
        const QList<TextChunk> chunks = recipeChunks(recipe);
        PngText text;
        text.chunks = chunks;
        const GenerationInfo back = describeText(text);
        QCOMPARE(back.tool, QStringLiteral("Atelier"));
        QCOMPARE(back.prompt, recipe.prompt);
        QCOMPARE(back.seed, recipe.seed);
        QCOMPARE(back.scheduler, recipe.scheduler);
        QCOMPARE(back.denoise, recipe.denoise);
        QCOMPARE(back.model->hash, recipe.model->hash);
        QCOMPARE(back.initImageSha256, recipe.initImageSha256);
        // The workflow is a ComfyUI API graph: reading it as one gives the same recipe.
        QCOMPARE(chunks.size(), 3);
        QCOMPARE(chunks[1].keyword, QStringLiteral("atelier_workflow"));
        const QJsonObject workflow = QJsonDocument::fromJson(chunks[1].text.toUtf8()).object();
        QCOMPARE(workflow.value(QStringLiteral("format")).toString(), QStringLiteral("atelier-workflow"));
        const GenerationInfo asGraph =
            parseComfyUiPrompt(QString::fromUtf8(QJsonDocument(workflow.value(QStringLiteral("nodes")).toObject()).toJson()));
        QVERIFY2(asGraph.warnings.isEmpty(), qPrintable(asGraph.warnings.join(QLatin1Char(' '))));
        QCOMPARE(asGraph.prompt, recipe.prompt);
        QCOMPARE(asGraph.negativePrompt, recipe.negativePrompt);
        QCOMPARE(asGraph.seed, recipe.seed);
        QCOMPARE(asGraph.steps, recipe.steps);
        QCOMPARE(asGraph.sampler, recipe.sampler);
        QCOMPARE(asGraph.scheduler, recipe.scheduler);
        QCOMPARE(asGraph.cfg, recipe.cfg);
        QCOMPARE(asGraph.denoise, recipe.denoise);
        QCOMPARE(asGraph.model->name, recipe.model->name);

        // Other tools read the A1111 line.
        const GenerationInfo a1111 = parseA1111Parameters(a1111Parameters(recipe));
        QCOMPARE(a1111.prompt, recipe.prompt);
        QCOMPARE(a1111.sampler.value(), QStringLiteral("Euler a"));
        QCOMPARE(a1111.scheduler.value(), QStringLiteral("Karras"));
        QCOMPARE(a1111.model->hash, QStringLiteral("bbbbbbbbbb"));
        QCOMPARE(a1111.denoise.value(), 0.6);
        QCOMPARE(a1111.seed, recipe.seed);
    }

    // A base→refiner run: A1111's "Refiner" and "Refiner switch at", our JSON, and a graph of two KSamplerAdvanced
    // passes that ComfyUI's reading follows from the base's loader.
    void refinedRecipesCarryTheRefiner()
    {
        const GenerationInfo fromA1111 =
            parseA1111Parameters(QStringLiteral("a cat\nSteps: 30, Model: sd_xl_base_1.0, Refiner: sd_xl_refiner_1.0 "
                                                "[7440042bbd], Refiner switch at: 0.8"));
        QVERIFY(fromA1111.refiner);
        QCOMPARE(fromA1111.refiner->name, QStringLiteral("sd_xl_refiner_1.0"));
        QCOMPARE(fromA1111.refiner->hash, QStringLiteral("7440042bbd"));
        QCOMPARE(fromA1111.refinerSwitch.value(), 0.8);
        QCOMPARE(parseA1111Parameters(QStringLiteral("a cat\nSteps: 30, Refiner: plain")).refiner->name,
                 QStringLiteral("plain"));

        GenerationInfo recipe;
        recipe.tool = QStringLiteral("Atelier");
        recipe.prompt = QStringLiteral("a lighthouse");
        recipe.negativePrompt = QStringLiteral("blurry");
        recipe.seed = 7;
        recipe.steps = 10;
        recipe.sampler = QStringLiteral("euler");
        recipe.scheduler = QStringLiteral("normal");
        recipe.cfg = 6.0;
        recipe.width = 1024;
        recipe.height = 1024;
        recipe.model = ModelReference{QStringLiteral("sdxl-base"), QString(64, QLatin1Char('a'))};
        recipe.refiner = ModelReference{QStringLiteral("sdxl-refiner"), QString(64, QLatin1Char('d'))};
        recipe.refinerSwitch = 0.7;
        const QList<TextChunk> chunks = recipeChunks(recipe);
        PngText text;
        text.chunks = chunks;
        const GenerationInfo back = describeText(text);
        QVERIFY(back.refiner);
        QCOMPARE(back.refiner->name, recipe.refiner->name);
        QCOMPARE(back.refiner->hash, recipe.refiner->hash);
        QCOMPARE(back.refinerSwitch, recipe.refinerSwitch);
        QCOMPARE(back.samplingPasses, 2);
        const GenerationInfo a1111 = parseA1111Parameters(a1111Parameters(recipe));
        QCOMPARE(a1111.refiner->name, recipe.refiner->name);
        QCOMPARE(a1111.refiner->hash, QStringLiteral("dddddddddd"));
        QCOMPARE(a1111.refinerSwitch, recipe.refinerSwitch);

        const QJsonObject workflow = QJsonDocument::fromJson(chunks[1].text.toUtf8()).object();
        const QJsonObject nodes = workflow.value(QStringLiteral("nodes")).toObject();
        const QJsonObject first =
            nodes.value(QStringLiteral("23")).toObject().value(QStringLiteral("inputs")).toObject();
        const QJsonObject second =
            nodes.value(QStringLiteral("6")).toObject().value(QStringLiteral("inputs")).toObject();
        QCOMPARE(first.value(QStringLiteral("end_at_step")).toInt(), 7);
        QCOMPARE(first.value(QStringLiteral("return_with_leftover_noise")).toString(), QStringLiteral("enable"));
        QCOMPARE(second.value(QStringLiteral("start_at_step")).toInt(), 7);
        QCOMPARE(second.value(QStringLiteral("add_noise")).toString(), QStringLiteral("disable"));
        const GenerationInfo asGraph = parseComfyUiPrompt(QString::fromUtf8(QJsonDocument(nodes).toJson()));
        QVERIFY2(asGraph.warnings.isEmpty(), qPrintable(asGraph.warnings.join(QLatin1Char(' '))));
        QCOMPARE(asGraph.samplingPasses, 2);
        QCOMPARE(asGraph.model->name, recipe.model->name);
        QCOMPARE(asGraph.seed, recipe.seed);
        QCOMPARE(asGraph.prompt, recipe.prompt);
    }

    // ComfyUI draws its random seeds from 0 to 2^64 - 1: half of them are past 2^63, where a signed or a double
    // reading would change them. Every reader and writer carries them exactly.
    void seedsAreUnsigned64BitEverywhere()
    {
        const quint64 largest = 18446744073709551615ULL;
        const QString comfyGraph = QStringLiteral(
            R"({"3": {"class_type": "KSampler", "inputs": {"seed": %1, "steps": 20, "cfg": 7, "sampler_name": "euler",
                "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
                "latent_image": ["5", 0]}},
               "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}}})");
        QCOMPARE(parseComfyUiPrompt(comfyGraph.arg(largest)).seed, std::optional<quint64>(largest));
        QCOMPARE(parseComfyUiPrompt(comfyGraph.arg(9223372036854775808ULL)).seed,
                 std::optional<quint64>(9223372036854775808ULL));
        const QString editorGraph = QStringLiteral(
            R"({"nodes": [{"id": 3, "type": "KSampler", "inputs": [],
                           "widgets_values": [%1, "randomize", 20, 7, "euler", "normal", 1]}], "links": []})");
        QCOMPARE(parseComfyUiWorkflow(editorGraph.arg(largest)).seed, std::optional<quint64>(largest));
        QCOMPARE(parseInvokeAiMetadata(QStringLiteral(R"({"seed": %1})").arg(largest)).seed,
                 std::optional<quint64>(largest));
        QCOMPARE(parseA1111Parameters(QStringLiteral("x\nSteps: 20, Seed: %1").arg(largest)).seed,
                 std::optional<quint64>(largest));
        QCOMPARE(parseDreamCommand(QStringLiteral("\"x\" -S %1").arg(largest)).seed, std::optional<quint64>(largest));

        // Out of range or not whole: left out, with a warning that says so, never read as another seed.
        for (const char *bad : {"-1", "18446744073709551616", "1.5", "1e30", "\"42\""}) {
            const GenerationInfo info = parseComfyUiPrompt(comfyGraph.arg(QLatin1String(bad)));
            QVERIFY2(!info.seed, bad);
            QVERIFY2(info.warnings.join(QLatin1Char(' ')).contains(QLatin1String("18446744073709551615")), bad);
        }
        for (const char *bad : {"-1", "18446744073709551616", "12abc", ""}) {
            const GenerationInfo info =
                parseA1111Parameters(QStringLiteral("x\nSteps: 20, Seed: %1, Size: 512x512").arg(QLatin1String(bad)));
            QVERIFY2(!info.seed, bad);
        }
        QVERIFY(!parseA1111Parameters(QStringLiteral("x\nSteps: 20, Seed: -1")).warnings.isEmpty());
        QVERIFY(!parseSeed(u"+5") && !parseSeed(u" 5") && !parseSeed(u"0x10") && parseSeed(u"0") == quint64(0));

        // What Atelier writes: the metadata, the graph (as ComfyUI reads it) and A1111's line.
        GenerationInfo recipe;
        recipe.toolVersion = QStringLiteral("0.1.0");
        recipe.prompt = QStringLiteral("a cat");
        recipe.seed = largest;
        recipe.steps = 20;
        const QList<TextChunk> chunks = recipeChunks(recipe);
        QVERIFY2(chunks[0].text.contains(QLatin1String("\"seed\":18446744073709551615")), qPrintable(chunks[0].text));
        QCOMPARE(parseAtelierMetadata(chunks[0].text).seed, recipe.seed);
        const auto workflow = nlohmann::json::parse(chunks[1].text.toStdString());
        QCOMPARE(parseComfyUiPrompt(QString::fromStdString(workflow.at("nodes").dump())).seed, recipe.seed);
        QVERIFY2(chunks[2].text.contains(QLatin1String("Seed: 18446744073709551615")), qPrintable(chunks[2].text));
        QCOMPARE(parseA1111Parameters(chunks[2].text).seed, recipe.seed);
    }

    void a1111ParametersAsA1111AndForgeWriteThem()
    {
        const GenerationInfo a1111 = parseA1111Parameters(QStringLiteral(
            "masterpiece, best quality, a girl <lora:add_detail:0.8> <lora:film:1>\nsecond line\n"
            "Negative prompt: lowres, bad hands\nblurry\n"
            "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3735928559, Size: 512x768, "
            "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, VAE: vae-ft-mse-840000, Denoising strength: 0.45, "
            "Hires upscaler: \"4x-UltraSharp, tiled\", Lora hashes: \"add_detail: 7c6bad76eb54, film: 1a2b3c4d5e6f\", "
            "TI hashes: \"easynegative: c74b4e810b03\", Version: v1.10.1"));
        QCOMPARE(a1111.tool, QStringLiteral("A1111"));
        QCOMPARE(a1111.prompt.value(), QStringLiteral("masterpiece, best quality, a girl <lora:add_detail:0.8> <lora:film:1>\nsecond line"));
        QCOMPARE(a1111.negativePrompt.value(), QStringLiteral("lowres, bad hands\nblurry"));
        QCOMPARE(a1111.steps.value(), 28);
        QCOMPARE(a1111.sampler.value(), QStringLiteral("DPM++ 2M"));
        QCOMPARE(a1111.scheduler.value(), QStringLiteral("Karras"));
        QCOMPARE(a1111.cfg.value(), 6.5);
        QCOMPARE(a1111.seed.value(), quint64(3735928559));
        QCOMPARE(a1111.width.value(), 512);
        QCOMPARE(a1111.height.value(), 768);
        QCOMPARE(a1111.model->name, QStringLiteral("v1-5-pruned-emaonly"));
        QCOMPARE(a1111.model->hash, QStringLiteral("6ce0161689"));
        QCOMPARE(a1111.vae.value().name, QStringLiteral("vae-ft-mse-840000"));
        QCOMPARE(a1111.denoise.value(), 0.45);
        QCOMPARE(a1111.loras.size(), 2);
        QCOMPARE(a1111.loras[0].name, QStringLiteral("add_detail"));
        QCOMPARE(a1111.loras[0].weight.value(), 0.8);
        QCOMPARE(a1111.loras[0].hash, QStringLiteral("7c6bad76eb54"));
        QCOMPARE(a1111.loras[1].hash, QStringLiteral("1a2b3c4d5e6f"));
        QCOMPARE(a1111.embeddings.size(), 1);
        QCOMPARE(a1111.embeddings[0].name, QStringLiteral("easynegative"));
        QCOMPARE(a1111.toolVersion, QStringLiteral("v1.10.1"));

        const GenerationInfo forge = parseA1111Parameters(QStringLiteral(
            "a cat\nSteps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Distilled CFG Scale: 3.5, "
            "Seed: 42, Size: 1024x1024, Model hash: 0123456789, Model: flux1-dev, Version: f2.0.1v1.10.1-previous-313"));
        QCOMPARE(forge.tool, QStringLiteral("Forge"));
        QVERIFY(!forge.negativePrompt.has_value());
        QCOMPARE(forge.cfg.value(), 7.0);
        QCOMPARE(forge.seed.value(), quint64(42));

        const GenerationInfo promptOnly = parseA1111Parameters(QStringLiteral("just a prompt"));
        QCOMPARE(promptOnly.prompt.value(), QStringLiteral("just a prompt"));
        QVERIFY(!promptOnly.steps && !promptOnly.seed);
        QVERIFY(!promptOnly.warnings.isEmpty());
    }

    // Tools that write JSON where A1111 writes text, and tools that write A1111's line under their own name: each
    // read as what it is, the values the corpus's MANIFEST states.
    void everyToolsRecipeIsReadAsWhatItIs()
    {
        const auto read = [](const QString &file) {
            const atelier::Result<GenerationInfo> info =
                readGenerationInfo(fixturesDir() + QStringLiteral("/corpus/png/") + file);
            if (!info)
                qFatal("%s: %s", qPrintable(file), qPrintable(info.error()));
            return info.value();
        };
        const GenerationInfo fooocus = read(QStringLiteral("fooocus/sdparsers_fooocus1_cropped.png"));
        QCOMPARE(fooocus.tool, QStringLiteral("Fooocus"));
        QCOMPARE(fooocus.toolVersion, QStringLiteral("v2.4.3"));
        QCOMPARE(fooocus.prompt.value(), QStringLiteral("a smiling goldfish"));
        QCOMPARE(fooocus.seed.value(), quint64(6952411511246973023ull)); // written as text, past 2^53
        QCOMPARE(fooocus.steps.value(), 30);
        QCOMPARE(fooocus.cfg.value(), 4.0);
        QCOMPARE(fooocus.width.value(), 768);
        QCOMPARE(fooocus.height.value(), 1280);
        QCOMPARE(fooocus.model->name, QStringLiteral("juggernautXL_v8Rundiffusion"));
        QCOMPARE(fooocus.model->hash, QStringLiteral("aeb7e9e689"));
        QVERIFY2(fooocus.warnings.isEmpty(), qPrintable(fooocus.warnings.join("; ")));

        const GenerationInfo swarm = read(QStringLiteral("swarmui/sdmeta_swarmui.png"));
        QCOMPARE(swarm.tool, QStringLiteral("SwarmUI"));
        QCOMPARE(swarm.toolVersion, QStringLiteral("0.9.7.4"));
        QVERIFY(swarm.prompt->endsWith(QStringLiteral("#テスト")));
        QCOMPARE(swarm.seed.value(), quint64(2083100758));
        QCOMPARE(swarm.cfg.value(), 7.0);
        QCOMPARE(swarm.model->name, QStringLiteral("waiIllustriousSDXL_v160.safetensors"));
        QCOMPARE(swarm.model->hash, QStringLiteral("22d8cb95b807b0c242576b676a12b07ae6b782b57ae4fe07a07254801b2d5d61"));

        const GenerationInfo novelai = read(QStringLiteral("novelai/sdparsers_novelai1_cropped.png"));
        QCOMPARE(novelai.tool, QStringLiteral("NovelAI"));
        QCOMPARE(novelai.prompt.value(), QStringLiteral("masterpiece, best quality,  cat, space, icon"));
        QVERIFY(novelai.negativePrompt->startsWith(QStringLiteral("lowres, bad anatomy")));
        QCOMPARE(novelai.seed.value(), quint64(2253955223));
        QCOMPARE(novelai.steps.value(), 50);
        QCOMPARE(novelai.cfg.value(), 10.0);
        QCOMPARE(novelai.model->hash, QStringLiteral("1D44365E"));

        const GenerationInfo sdcpp = read(QStringLiteral("sdcpp/sdcpp_anima_example.png"));
        QCOMPARE(sdcpp.tool, QStringLiteral("stable-diffusion.cpp"));
        QCOMPARE(sdcpp.model->name, QStringLiteral("anima-preview.safetensors")); // "Model: " is empty; Unet names it
        QCOMPARE(sdcpp.cfg.value(), 6.0);

        const GenerationInfo matrix = parseA1111Parameters(
            QStringLiteral("a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Version: "
                           "StabilityMatrix 2.11.0"));
        QCOMPARE(matrix.tool, QStringLiteral("Stability Matrix"));
        QCOMPARE(matrix.toolVersion, QStringLiteral("2.11.0"));
    }

    // A value that cannot be read is left out with a warning, never read as 0; values out of any tool's range are
    // flagged.
    void unreadableValuesAreNullWithAWarning()
    {
        const GenerationInfo info =
            parseA1111Parameters(QStringLiteral("a cat\nSteps: twenty, Sampler: Euler, CFG scale: lots, Seed: 12ab, "
                                                "Size: 512xwide, Denoising strength: x"));
        QVERIFY(!info.steps);
        QVERIFY(!info.cfg);
        QVERIFY(!info.seed);
        QVERIFY(!info.width && !info.height);
        QVERIFY(!info.denoise);
        const QString warnings = info.warnings.join(QLatin1Char('\n'));
        for (const char *said : {"twenty", "lots", "12ab", "512xwide"})
            QVERIFY2(warnings.contains(QLatin1String(said)), said);

        PngText text;
        TextChunk parameters;
        parameters.type = "tEXt";
        parameters.keyword = QStringLiteral("parameters");
        parameters.text = QStringLiteral("a cat\nSteps: 0, CFG scale: 500, Seed: 18446744073709551615, Size: 512x512");
        text.chunks << parameters;
        const GenerationInfo odd = describeText(text);
        QCOMPARE(odd.seed.value(), quint64(18446744073709551615ull)); // the largest seed is a seed
        QCOMPARE(odd.steps.value(), 0);
        const QString flagged = odd.warnings.join(QLatin1Char('\n'));
        QVERIFY2(flagged.contains(QStringLiteral("0 steps")), qPrintable(flagged));
        QVERIFY2(flagged.contains(QStringLiteral("500")), qPrintable(flagged));

        // JSON that is not an object, from a tool that should write one.
        const GenerationInfo broken = parseFooocusParameters(QStringLiteral("{\"prompt\": "));
        QCOMPARE(broken.tool, QStringLiteral("Fooocus"));
        QVERIFY(!broken.warnings.isEmpty());
        const GenerationInfo wrongSeed = parseFooocusParameters(QStringLiteral("{\"seed\": \"12ab\", \"steps\": 3}"));
        QVERIFY(!wrongSeed.seed);
        QCOMPARE(wrongSeed.steps.value(), 3);
        QVERIFY(wrongSeed.warnings.join(' ').contains(QStringLiteral("12ab")));
    }

    // ComfyUI graphs read through the nodes that stand between the sampler and what it uses: a conditioning node
    // with two outputs gives the negative from its negative side; SamplerCustomAdvanced's noise, guider, sampler
    // and sigmas nodes give the seed, prompt, model and steps; unCLIP loaders and switches still name the model.
    void comfyUiGraphsAreFollowedThroughEveryKindOfNode()
    {
        const auto graph = [](const char *json) { return parseComfyUiPrompt(QString::fromUtf8(json)); };
        const GenerationInfo controlnet = graph(R"json({
            "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd15.safetensors"}},
            "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a castle", "clip": ["1", 1]}},
            "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["1", 1]}},
            "4": {"class_type": "ControlNetApplyAdvanced",
                  "inputs": {"positive": ["2", 0], "negative": ["3", 0], "strength": 1.0}},
            "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 768, "batch_size": 1}},
            "6": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20, "cfg": 7, "sampler_name": "euler",
                  "scheduler": "normal", "denoise": 1, "model": ["1", 0], "positive": ["4", 0],
                  "negative": ["4", 1], "latent_image": ["5", 0]}}})json");
        QCOMPARE(controlnet.prompt.value(), QStringLiteral("a castle"));
        QCOMPARE(controlnet.negativePrompt.value(), QStringLiteral("blurry"));

        const GenerationInfo flux = graph(R"json({
            "10": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors", "weight_dtype": "default"}},
            "11": {"class_type": "DualCLIPLoader", "inputs": {"clip_name1": "t5xxl.safetensors", "clip_name2": "clip_l.safetensors"}},
            "12": {"class_type": "CLIPTextEncode", "inputs": {"text": "a fox in snow", "clip": ["11", 0]}},
            "13": {"class_type": "FluxGuidance", "inputs": {"guidance": 3.5, "conditioning": ["12", 0]}},
            "14": {"class_type": "BasicGuider", "inputs": {"model": ["10", 0], "conditioning": ["13", 0]}},
            "15": {"class_type": "RandomNoise", "inputs": {"noise_seed": 987654321987}},
            "16": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
            "17": {"class_type": "BasicScheduler", "inputs": {"model": ["10", 0], "scheduler": "simple", "steps": 24, "denoise": 1}},
            "18": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
            "19": {"class_type": "SamplerCustomAdvanced", "inputs": {"noise": ["15", 0], "guider": ["14", 0],
                   "sampler": ["16", 0], "sigmas": ["17", 0], "latent_image": ["18", 0]}}})json");
        QCOMPARE(flux.prompt.value(), QStringLiteral("a fox in snow"));
        QVERIFY(!flux.negativePrompt);
        QCOMPARE(flux.seed.value(), quint64(987654321987ull));
        QCOMPARE(flux.steps.value(), 24);
        QCOMPARE(flux.sampler.value(), QStringLiteral("euler"));
        QCOMPARE(flux.model->name, QStringLiteral("flux1-dev.safetensors"));
        QCOMPARE(flux.width.value(), 1024);

        const GenerationInfo switched = graph(R"json({
            "1": {"class_type": "unCLIPCheckpointLoader", "inputs": {"ckpt_name": "sd21-unclip-h.ckpt"}},
            "2": {"class_type": "ImageOnlyCheckpointLoader", "inputs": {"ckpt_name": "svd.safetensors"}},
            "3": {"class_type": "Any Switch (rgthree)", "inputs": {"select": 2, "input1": ["2", 0], "input2": ["1", 0]}},
            "4": {"class_type": "CLIPTextEncode", "inputs": {"text": "a bird", "clip": ["1", 1]}},
            "5": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 10, "cfg": 5, "sampler_name": "euler",
                  "scheduler": "normal", "denoise": 1, "model": ["3", 0], "positive": ["4", 0], "negative": ["4", 0]}}})json");
        QCOMPARE(switched.model->name, QStringLiteral("sd21-unclip-h.ckpt"));
    }

    void legacyInvokeAiRecordsNamingTheModelById()
    {
        const GenerationInfo info = parseInvokeAiLegacy(QStringLiteral(
            "{\"model\": \"stable diffusion\", \"model_id\": \"stable-diffusion-1.5\", \"model_hash\": \"cc6cb27103\", "
            "\"app_id\": \"invoke-ai/InvokeAI\", \"app_version\": \"2.3.0\", \"image\": {\"prompt\": \"a tree\", "
            "\"seed\": 12, \"steps\": 30, \"sampler\": \"k_lms\", \"cfg_scale\": 7.5, \"width\": 512, \"height\": "
            "512}}"));
        QCOMPARE(info.model->name, QStringLiteral("stable-diffusion-1.5"));
        QCOMPARE(info.model->hash, QStringLiteral("cc6cb27103"));
        QCOMPARE(info.prompt.value(), QStringLiteral("a tree"));
    }

    // A1111's stealth metadata, for images whose text chunks were stripped: the parameters in the low bits of the
    // alpha channel (or of red, green and blue), plain or gzipped, read when the image has no text recipe.
    void stealthMetadataInThePixelsIsRead_data()
    {
        QTest::addColumn<bool>("rgb");
        QTest::addColumn<bool>("compressed");
        QTest::newRow("alpha") << false << false;
        QTest::newRow("alpha, gzipped") << false << true;
        QTest::newRow("rgb") << true << false;
    }
    void stealthMetadataInThePixelsIsRead()
    {
        QFETCH(bool, rgb);
        QFETCH(bool, compressed);
        const QByteArray parameters = QByteArrayLiteral(
            "a lighthouse at dusk\nNegative prompt: blurry\nSteps: 25, Sampler: Euler a, CFG scale: 6, Seed: 1234, "
            "Size: 96x80, Model: dreamshaper_8");
        QByteArray data = parameters;
        if (compressed) {
            z_stream stream{};
            QVERIFY(deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
            QByteArray out(int(deflateBound(&stream, uLong(data.size())) + 32), '\0');
            stream.next_in = reinterpret_cast<Bytef *>(data.data());
            stream.avail_in = uInt(data.size());
            stream.next_out = reinterpret_cast<Bytef *>(out.data());
            stream.avail_out = uInt(out.size());
            QCOMPARE(deflate(&stream, Z_FINISH), Z_STREAM_END);
            out.resize(int(stream.total_out));
            deflateEnd(&stream);
            data = out;
        }
        const QByteArray signature = rgb ? (compressed ? "stealth_rgbcomp" : "stealth_rgbinfo")
                                         : (compressed ? "stealth_pngcomp" : "stealth_pnginfo");
        QByteArray payload = signature;
        const quint32 bits = quint32(data.size()) * 8;
        payload.append(char(bits >> 24)).append(char(bits >> 16)).append(char(bits >> 8)).append(char(bits));
        payload += data;

        QImage image(96, 80, QImage::Format_RGBA8888);
        image.fill(QColor(120, 130, 140, 255));
        qint64 bit = 0;
        const auto put = [&](bool value) {
            const qint64 pixel = rgb ? bit / 3 : bit;
            const int channel = rgb ? int(bit % 3) : 3;
            ++bit;
            uchar *at = image.scanLine(int(pixel % image.height())) + (pixel / image.height()) * 4 + channel;
            *at = uchar((*at & 0xfe) | (value ? 1 : 0));
        };
        for (const char byte : std::as_const(payload))
            for (int shift = 7; shift >= 0; --shift)
                put((uchar(byte) >> shift) & 1);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stripped.png"));
        QVERIFY(image.save(path, "PNG"));

        const auto info = readGenerationInfo(path);
        QVERIFY2(info, qPrintable(info.error()));
        QCOMPARE(info->tool, QStringLiteral("A1111"));
        QCOMPARE(info->prompt.value(), QStringLiteral("a lighthouse at dusk"));
        QCOMPARE(info->negativePrompt.value(), QStringLiteral("blurry"));
        QCOMPARE(info->seed.value(), quint64(1234));
        QCOMPARE(info->model->name, QStringLiteral("dreamshaper_8"));
        QVERIFY2(info->warnings.join(' ').contains(QStringLiteral("pixels")), qPrintable(info->warnings.join(' ')));

        // A plain picture has nothing hidden, and says nothing about it.
        QImage plain(32, 32, QImage::Format_RGBA8888);
        plain.fill(Qt::white);
        QVERIFY(plain.save(dir.filePath(QStringLiteral("plain.png")), "PNG"));
        const auto none = readGenerationInfo(dir.filePath(QStringLiteral("plain.png")));
        QVERIFY(none);
        QCOMPARE(none->tool, QStringLiteral("none"));
    }
};

QTEST_GUILESS_MAIN(TestGenerationInfo)
#include "test_generation_info.moc"
