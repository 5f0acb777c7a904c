// The parts of the engine that the fixture cases do not pin down: prompt syntax and chunking, every scheduler and
// sampler, cancellation, tiled VAE fallback, clip skip, and hostile or mismatched weight files.
// libtorch before Qt: Qt's "slots" macro would break libtorch's headers.
#include "tests/engine/pipeline_test_support.h"

#include "tests/engine/checkpoint_writer.h"

#include "core/engine/error.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/sampling/diffusers_schedulers.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/sampling/samplers.h"
#include "core/engine/text/clip_tokenizer.h"
#include "core/engine/text/prompt_weights.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace atelier;
using namespace atelier::test;

namespace {

QString segments(const std::string &prompt)
{
    QStringList parts;
    for (const engine::WeightedText &piece : engine::parsePromptWeights(prompt))
        parts << QStringLiteral("%1@%2").arg(QString::fromStdString(piece.text)).arg(piece.weight, 0, 'g', 4);
    return parts.join(QLatin1Char('|'));
}

} // namespace

class TestEnginePipeline : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_predictionCase = 0;
    engine::Prediction m_prediction = engine::Prediction::Epsilon;

    QString rewritten(const QString &name, const std::function<void(std::map<std::string, torch::Tensor> &)> &edit,
                      const QString &model = QStringLiteral("tiny-sd1"))
    {
        return rewrittenCheckpoint(m_dir.filePath(name), edit, model);
    }

private slots:
    void promptWeightSyntax()
    {
        QCOMPARE(segments("a cat"), QStringLiteral("a cat@1"));
        QCOMPARE(segments("a (cat) [dog]"), QStringLiteral("a @1|cat@1.1| @1|dog@0.9091"));
        QCOMPARE(segments("(red:1.3) and ((green))"), QStringLiteral("red@1.3| and @1|green@1.21"));
        QCOMPARE(segments("((nested:1.5))"), QStringLiteral("nested@1.5"));  // an explicit weight replaces the outer one
        QCOMPARE(segments("\\(escaped\\) \\[too\\]"), QStringLiteral("(escaped) [too]@1"));
        QCOMPARE(segments("unbalanced (open"), QStringLiteral("unbalanced (open@1"));
        QCOMPARE(segments("time 12:30 (not:a number)"), QStringLiteral("time 12:30 @1|not:a number@1.1"));
        QCOMPARE(segments(""), QString());
    }

    // As the tokenizers library normalises CLIP's input: format and control characters are symbols of their own (not
    // dropped, not white space), text is NFC-composed, and every Unicode white space separates words.
    void tokenizerKeepsFormatCharactersAndComposesAccents()
    {
        const auto tokenizer = engine::ClipTokenizer::bundled();
        const auto ids = [&](const char *text) { return tokenizer->encode(text); };
        const auto concat = [](std::initializer_list<std::vector<std::int64_t>> parts) {
            std::vector<std::int64_t> all;
            for (const auto &part : parts)
                all.insert(all.end(), part.begin(), part.end());
            return all;
        };
        // U+200B, U+2060, U+FEFF, U+00AD, U+200D and U+0007 each split the word and become tokens of their own.
        for (const char *mark : {"\u200b", "\u2060", "\ufeff", "\u00ad", "\u200d", "\x07"}) {
            const std::string text = std::string("cat") + mark + "dog";
            QVERIFY2(ids(text.c_str()).size() > ids("cat dog").size(), mark);
            QVERIFY(ids(text.c_str()) != ids("catdog"));
            QCOMPARE(ids(text.c_str()).front(), ids("cat").front());
            QCOMPARE(ids(text.c_str()).back(), ids("dog").back());
        }
        QVERIFY(ids("cat\u200b dog") == concat({ids("cat"), ids("\u200b"), ids("dog")}));
        // Decomposed accents compose first: "e" + U+0301 is "é"; U+212B (Angstrom sign) is "å".
        QVERIFY(ids("cafe\u0301") == ids("caf\u00e9"));
        QVERIFY(ids("\u212b") == ids("\u00e5"));
        // White space beyond ASCII: U+00A0, U+3000, U+2003 separate words; U+001C is no white space.
        for (const char *space : {"\u00a0", "\u3000", "\u2003", "\xc2\x85"})
            QVERIFY2(ids((std::string("cat") + space + "dog").c_str()) == ids("cat dog"), space);
        QVERIFY(ids("cat\x1c"
                    "dog") != ids("cat dog"));
        // Full lower case: U+0130 becomes "i" and a combining dot.
        QVERIFY(ids("\u0130") == ids("i\u0307"));
    }

    void longPromptsSplitIntoChunksAtWordBoundaries()
    {
        const auto tokenizer = engine::ClipTokenizer::bundled();
        std::string prompt;
        for (int i = 0; i < 40; ++i)
            prompt += "long prompt ";
        const std::vector<std::int64_t> ids = tokenizer->encode(prompt);
        QCOMPARE(ids.size(), std::size_t(80));
        const auto chunks = engine::tokenizePrompt(*tokenizer, prompt, tokenizer->endToken());
        QCOMPARE(chunks.size(), std::size_t(2));
        std::vector<std::int64_t> content;
        for (const auto &chunk : chunks) {
            QCOMPARE(chunk.ids.size(), std::size_t(77));
            QCOMPARE(chunk.ids.front(), tokenizer->startToken());
            for (std::size_t i = 1; i < chunk.ids.size() && chunk.ids[i] != tokenizer->endToken(); ++i)
                content.push_back(chunk.ids[i]);
        }
        QVERIFY(content == ids);
        QCOMPARE(chunks[0].ids[76], tokenizer->endToken());

        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        const torch::Tensor long_ = model.encodePrompt(prompt);
        QCOMPARE(long_.sizes().vec(), (std::vector<std::int64_t>{1, 154, 32}));
        // Each chunk is encoded on its own: the first chunk equals encoding its text alone.
        std::string firstHalf;
        for (int i = 0; i < 37; ++i)
            firstHalf += "long prompt ";
        firstHalf += "long";
        QVERIFY(maxAbsDifference(long_.narrow(1, 0, 77), model.encodePrompt(firstHalf)) < 1e-5);
    }

    void weightsMoveOnlyTheWeightedTokens()
    {
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        const torch::Tensor plain = model.encodePrompt("a photo of a cat");
        QVERIFY(maxAbsDifference(model.encodePrompt("a photo of a (cat:1.0)"), plain) < 1e-6);
        const torch::Tensor weighted = model.encodePrompt("a photo of a (cat:1.5)");
        const torch::Tensor changed = (weighted - plain).abs().amax(-1).squeeze(0);
        QVERIFY(changed[5].item<double>() > 1e-3);  // "cat": start token, a, photo, of, a, cat
        changed[5] = 0;
        QVERIFY(changed.max().item<double>() < 1e-6);
    }

    void clipSkipReadsAnEarlierLayer()
    {
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        const engine::StateDict reference =
            engine::loadWeights(fixturePath(QStringLiteral("cases/tiny-sd1.text_encoder.safetensors")).toStdString());
        QVERIFY(maxAbsDifference(model.encodePrompt("a photo of a cat", 2), reference.at("p0.penultimate_final_layer_norm")) < 1e-4);
        QVERIFY(maxAbsDifference(model.encodePrompt("a photo of a cat", 1), reference.at("p0.last_hidden_state")) < 1e-4);
    }

    void everySchedulerEndsAtZeroAndDescends()
    {
        const engine::DiscreteSchedule schedule;
        for (const std::string &name : engine::schedulerNames()) {
            for (int steps : {1, 4, 20}) {
                const std::vector<double> sigmas = engine::scheduleSigmas(schedule, name, steps);
                QCOMPARE(sigmas.size(), std::size_t(steps + 1));
                QCOMPARE(sigmas.back(), 0.0);
                for (std::size_t i = 0; i + 1 < sigmas.size(); ++i)
                    QVERIFY2(sigmas[i] > sigmas[i + 1], name.c_str());
                QVERIFY(sigmas.front() <= schedule.sigmaMax() * 1.0001);
            }
        }
        const std::vector<double> karras = engine::scheduleSigmas(schedule, "karras", 10);
        QCOMPARE(float(karras.front()), float(schedule.sigmaMax()));
        QCOMPARE(float(karras[9]), float(schedule.sigmaMin()));
        const std::vector<double> exponential = engine::scheduleSigmas(schedule, "exponential", 5);
        const double ratio = exponential[1] / exponential[0];
        for (int i = 1; i < 4; ++i)
            QVERIFY(std::abs(exponential[std::size_t(i) + 1] / exponential[std::size_t(i)] - ratio) < 1e-5);
        const std::vector<double> simple = engine::scheduleSigmas(schedule, "simple", 4);
        QCOMPARE(simple[1], schedule.sigmas()[999 - 250]);
        const std::vector<double> sgm = engine::scheduleSigmas(schedule, "sgm_uniform", 4);
        const std::vector<double> normal5 = engine::scheduleSigmas(schedule, "normal", 5);
        QVERIFY(std::abs(sgm[0] - normal5[0]) < 1e-6);
        QVERIFY(sgm[1] < normal5[0] && sgm[1] > normal5[2]);
        // img2img keeps the tail of a longer schedule.
        const std::vector<double> full = engine::scheduleSigmas(schedule, "normal", 10);
        const std::vector<double> tail = engine::scheduleSigmas(schedule, "normal", 5, 0.5);
        QVERIFY(std::equal(tail.begin(), tail.end(), full.end() - 6));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, engine::scheduleSigmas(schedule, "linear", 4));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, engine::scheduleSigmas(schedule, "normal", 0));
    }

    // diffusers' timestep spacing ("leading", steps_offset 1; LCM's distillation grid) and InvokeAI's names.
    void diffusersSchedulersTakeTheirOwnTimesteps()
    {
        QCOMPARE(engine::ddimTimesteps(8), (std::vector<std::int64_t>{876, 751, 626, 501, 376, 251, 126, 1}));
        QCOMPARE(engine::ddimTimesteps(3), (std::vector<std::int64_t>{667, 334, 1}));
        QCOMPARE(engine::lcmTimesteps(4), (std::vector<std::int64_t>{999, 759, 499, 259}));
        QCOMPARE(engine::lcmTimesteps(1), (std::vector<std::int64_t>{999}));
        QCOMPARE(QString::fromStdString(engine::samplerForInvokeAIScheduler("ddim")), QStringLiteral("ddim_diffusers"));
        QCOMPARE(QString::fromStdString(engine::samplerForInvokeAIScheduler("lcm")), QStringLiteral("lcm_diffusers"));
        try {
            engine::samplerForInvokeAIScheduler("dpmpp_2m_k");
            QFAIL("dpmpp_2m_k is not supported yet");
        } catch (const std::invalid_argument &error) {
            QVERIFY2(QString::fromUtf8(error.what())
                         .contains(QStringLiteral("DPMSolverMultistepScheduler (Karras)) is not "
                                                  "supported yet")),
                     error.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, engine::lcmTimesteps(51));
        // The scheduler must say "diffusers"; img2img is not theirs.
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        engine::SamplingParams params = smallRun("ddim_diffusers", 4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, engine::generateImages(model, params));
        params.scheduler = "diffusers";
        QCOMPARE(engine::generateImages(model, params).timesteps.size(0), std::int64_t(4));
    }

    void everySamplerConvergesToTheSameImage()
    {
        // With many steps every sampler integrates the same flow; the noise-adding ones land elsewhere but stay
        // in range and are reproducible from the seed.
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        const engine::SamplingResult reference = engine::generateImages(model, smallRun("dpmpp_2m", 40));
        const double scale = reference.latent.abs().max().item<double>();
        for (const std::string &sampler : engine::samplerNames()) {
            const engine::SamplingResult result = engine::generateImages(model, smallRun(sampler, 40));
            QVERIFY2(torch::isfinite(result.latent).all().item<bool>(), sampler.c_str());
            QVERIFY(result.image.min().item<double>() >= 0.0 && result.image.max().item<double>() <= 1.0);
            const double difference = maxAbsDifference(result.latent, reference.latent) / scale;
            if (engine::samplerAddsNoise(sampler)) {
                const engine::SamplingResult again = engine::generateImages(model, smallRun(sampler, 40));
                QVERIFY2(torch::equal(again.latent, result.latent), sampler.c_str());
            } else {
                QVERIFY2(difference < 0.05, qPrintable(QStringLiteral("%1: %2").arg(sampler.c_str()).arg(difference)));
            }
        }
        QVERIFY(torch::equal(engine::generateImages(model, smallRun("ddim", 6)).latent,
                             engine::generateImages(model, smallRun("euler", 6)).latent));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, engine::generateImages(model, smallRun("euler_a", 4)));
    }

    void seedsDecideTheNoise()
    {
        const torch::Tensor a = engine::seededNoise(42, {1, 4, 8, 8});
        QVERIFY(torch::equal(a, engine::seededNoise(42, {1, 4, 8, 8})));
        QVERIFY(!torch::equal(a, engine::seededNoise(43, {1, 4, 8, 8})));
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        engine::SamplingParams batch = smallRun("euler", 3);
        batch.batch = 2;
        const engine::SamplingResult two = engine::generateImages(model, batch);
        QCOMPARE(two.image.size(0), 2);
        QVERIFY(maxAbsDifference(two.image[0], two.image[1]) > 1e-3);
    }

    void repeatedRunsDoNotGrowMemory()
    {
        const auto residentMegabytes = [] {
            QFile statm(QStringLiteral("/proc/self/statm"));
            if (!statm.open(QIODevice::ReadOnly))
                return -1.0;
            const QList<QByteArray> fields = statm.readAll().split(' ');
            return fields.size() > 1 ? fields[1].toDouble() * 4096.0 / (1024.0 * 1024.0) : -1.0;
        };
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        const engine::SamplingParams params = smallRun("dpmpp_2m", 6);
        for (int i = 0; i < 3; ++i)
            engine::generateImages(model, params);
        const double settled = residentMegabytes();
        if (settled < 0)
            QSKIP("/proc/self/statm is not readable here");
        for (int i = 0; i < 10; ++i)
            engine::generateImages(model, params);
        const double after = residentMegabytes();
        QVERIFY2(after - settled < 16.0, qPrintable(QStringLiteral("resident memory grew from %1 to %2 MiB over 10 runs")
                                                         .arg(settled).arg(after)));
    }

    void stepCallbackPreviewsAndCancels()
    {
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        engine::SamplingParams params = smallRun("euler", 8);
        int seen = 0;
        params.onStep = [&](int step, int steps, const torch::Tensor &x, const torch::Tensor &) {
            seen = step + 1;
            const torch::Tensor preview = engine::latentPreview(x);
            if (preview.sizes().vec() != std::vector<std::int64_t>{1, 3, 8, 8} || steps != 8)
                return false;
            return step < 2;
        };
        QVERIFY_THROWS_EXCEPTION(engine::CancelledError, engine::generateImages(model, params));
        QCOMPARE(seen, 3);
    }

    void vaeFallsBackToTilesAndSaysWhenEvenTilesDoNotFit()
    {
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), true);
        torch::manual_seed(3);
        const torch::Tensor latent = torch::randn({1, 4, 40, 40});
        const torch::Tensor whole = model.decode(latent);
        QCOMPARE(model.vaeCoder().lastDecodeTile(), std::int64_t(0));
        model.vaeCoder().setMemoryBudget(40ll * 1024 *
                                         1024); // too little for 320×320 at once, enough for 256×256 tiles
        const torch::Tensor tiled = model.decode(latent);
        QCOMPARE(model.vaeCoder().lastDecodeTile(), std::int64_t(32));
        QCOMPARE(tiled.sizes(), whole.sizes());
        // Tiles see less context for their group norms: close, not identical.
        QVERIFY((tiled - whole).abs().mean().item<double>() < 0.05);
        model.vaeCoder().setMemoryBudget(1024);
        expectError<engine::OutOfMemoryError>([&] { model.decode(latent); }, {QStringLiteral("even in tiles")});
        model.vaeCoder().setMemoryBudget(0);
        model.vaeCoder().setTile(64); // one tile covering everything is the untiled decode
        QVERIFY(maxAbsDifference(model.decode(latent), whole) < 1e-5);
        model.vaeCoder().setTile(0);
    }

    void mismatchedWeightsAreRefusedWithTheKeyNamed()
    {
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(QStringLiteral("missing.safetensors"), [](auto &tensors) {
                    tensors.erase("model.diffusion_model.middle_block.2.out_layers.3.weight");
                }));
            },
            {QStringLiteral("missing.safetensors"), QStringLiteral("model.diffusion_model.middle_block.2.out_layers.3.weight"),
             QStringLiteral("missing")});
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(QStringLiteral("shape.safetensors"), [](auto &tensors) {
                    tensors["model.diffusion_model.out.2.bias"] = torch::zeros({5}, torch::kFloat16);
                    tensors["model.diffusion_model.out.2.weight"] = torch::zeros({5, 32, 3, 3}, torch::kFloat16);
                    tensors["model.diffusion_model.out.0.weight"] = torch::zeros({31}, torch::kFloat16);
                }));
            },
            {QStringLiteral("out.0.weight"), QStringLiteral("has shape [31]"), QStringLiteral("[32]")});
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(QStringLiteral("vae.safetensors"), [](auto &tensors) {
                    std::map<std::string, torch::Tensor> vae;
                    for (auto &[name, tensor] : tensors)
                        if (name.rfind("first_stage_model.", 0) == 0)
                            vae.emplace(name.substr(18), tensor);
                    tensors = vae;
                }));
            },
            {QStringLiteral("a VAE, not a main model")});
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(QStringLiteral("lora.safetensors"), [](auto &tensors) {
                    tensors = {{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", torch::zeros({4, 32})}};
                }));
            },
            {QStringLiteral("a LoRA")});
        // The base's UNet behind the refiner's encoder layout (OpenCLIP-G alone): parts that cannot work together.
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(
                    QStringLiteral("refiner.safetensors"),
                    [](auto &tensors) {
                        std::map<std::string, torch::Tensor> refiner;
                        const std::string second = "conditioner.embedders.1.";
                        for (auto &[name, tensor] : tensors)
                            if (name.rfind(second, 0) == 0)
                                refiner.emplace("conditioner.embedders.0." + name.substr(second.size()), tensor);
                            else if (name.rfind("conditioner.embedders.", 0) != 0)
                                refiner.emplace(name, tensor);
                        tensors = refiner;
                    },
                    QStringLiteral("tiny-sdxl")));
            },
            {QStringLiteral("states 32 wide"), QStringLiteral("reads states 64 wide")});
        expectError<engine::UnsupportedModelError>(
            [&] {
                load(rewritten(QStringLiteral("empty.safetensors"), [](auto &tensors) {
                    tensors["model.diffusion_model.input_blocks.0.0.weight"] = torch::zeros({0, 4, 3, 3}, torch::kFloat16);
                }));
            },
            {QStringLiteral("has no channels")});
        // Every weight the architecture is read from, with a rank its layer cannot have: refused with the weight
        // named, not libtorch's "Dimension out of range".
        for (const char *key :
             {"model.diffusion_model.input_blocks.0.0.weight", "model.diffusion_model.out.2.weight",
              "model.diffusion_model.input_blocks.1.0.in_layers.2.weight",
              "model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight",
              "first_stage_model.encoder.conv_in.weight", "first_stage_model.encoder.down.0.block.0.conv1.weight",
              "first_stage_model.decoder.conv_in.weight", "first_stage_model.quant_conv.weight",
              "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight",
              "cond_stage_model.transformer.text_model.embeddings.position_embedding.weight",
              "cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight"}) {
            const std::string name = key;
            expectError<engine::UnsupportedModelError>(
                [&] {
                    load(rewritten(QStringLiteral("rank.safetensors"), [&name](auto &tensors) {
                        QVERIFY2(tensors.count(name) == 1, name.c_str());
                        tensors[name] = torch::zeros({7}, torch::kFloat16);
                    }));
                },
                {QString::fromStdString(name).remove(QRegularExpression(QStringLiteral(
                     "^(model\\.diffusion_model\\.|first_stage_model\\.|cond_stage_model\\.transformer\\.)"))),
                 QStringLiteral("has shape [7]"), QStringLiteral("dimensions")});
        }
        {
            // A YAML beside the checkpoint that says 0 heads.
            QFile yaml(fixturePath(QStringLiteral("models/tiny-sd1/tiny-sd1.yaml")));
            QVERIFY(yaml.open(QIODevice::ReadOnly));
            QByteArray text = yaml.readAll();
            QVERIFY(text.contains("heads: 2"));
            text.replace("heads: 2", "heads: 0");
            QFile zero(m_dir.filePath(QStringLiteral("zero-heads.yaml")));
            QVERIFY(zero.open(QIODevice::WriteOnly));
            zero.write(text);
            zero.close();
            QVERIFY(QFile::copy(modelPath(QStringLiteral("tiny-sd1"), false), m_dir.filePath(QStringLiteral("zero-heads.safetensors"))));
            expectError<engine::UnsupportedModelError>([&] { load(m_dir.filePath(QStringLiteral("zero-heads.safetensors"))); },
                                                       {QStringLiteral("no valid number of attention heads")});
        }
        expectError<engine::UnsupportedModelError>([&] { load(m_dir.filePath(QStringLiteral("nothing-here.safetensors"))); },
                                                   {QStringLiteral("no such file")});
    }

    void aVaeReplacesTheModelsOwn()
    {
        torch::manual_seed(3);
        const torch::Tensor latent = torch::randn({1, 4, 8, 8});
        const torch::Tensor own = loadedModel(QStringLiteral("tiny-sd1"), false).decode(latent);
        const auto decodedWith = [&](const QString &vae) {
            engine::LoadOptions options;
            options.path = modelPath(QStringLiteral("tiny-sd1"), false).toStdString();
            options.vaePath = vae.toStdString();
            const std::unique_ptr<engine::StableDiffusion> model = engine::StableDiffusion::load(options);
            return model->decode(latent);
        };
        const auto vaeOnly = [](double shift) {
            return [shift](std::map<std::string, torch::Tensor> &tensors) {
                std::map<std::string, torch::Tensor> vae;
                for (auto &[name, tensor] : tensors)
                    if (name.rfind("first_stage_model.", 0) == 0)
                        vae.emplace(name.substr(18), tensor);
                vae["decoder.conv_out.bias"] = vae["decoder.conv_out.bias"].to(torch::kFloat32) + shift;
                tensors = vae;
            };
        };
        // The same weights as a VAE file (LDM names), a diffusers VAE folder, or inside a checkpoint decode alike.
        QCOMPARE(maxAbsDifference(decodedWith(rewritten(QStringLiteral("same-vae.safetensors"), vaeOnly(0))), own),
                 0.0);
        QVERIFY(maxAbsDifference(decodedWith(modelPath(QStringLiteral("tiny-sd1"), true) + QStringLiteral("/vae")),
                                 own) < 1e-5);
        QCOMPARE(maxAbsDifference(decodedWith(modelPath(QStringLiteral("tiny-sd1"), false)), own), 0.0);
        // Other weights decode otherwise, and the latent scale stays the model's.
        const QString shifted = rewritten(QStringLiteral("shifted-vae.safetensors"), vaeOnly(0.25));
        QVERIFY(std::abs(maxAbsDifference(decodedWith(shifted), own) - 0.25) < 1e-4);
        engine::LoadOptions options;
        options.path = modelPath(QStringLiteral("tiny-sd1"), false).toStdString();
        options.vaePath = shifted.toStdString();
        QCOMPARE(engine::StableDiffusion::load(options)->architecture().vae.scaleFactor,
                 loadedModel(QStringLiteral("tiny-sd1"), false).architecture().vae.scaleFactor);

        // Files that hold no VAE, and a VAE of another latent space, are refused with what they are.
        expectError<engine::UnsupportedModelError>(
            [&] {
                decodedWith(rewritten(QStringLiteral("lora-as-vae.safetensors"), [](auto &tensors) {
                    tensors = {
                        {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", torch::zeros({4, 32})}};
                }));
            },
            {QStringLiteral("lora-as-vae.safetensors"), QStringLiteral("no VAE weights")});
        expectError<engine::UnsupportedModelError>([&] { decodedWith(m_dir.filePath(QStringLiteral("no-vae-here"))); },
                                                   {QStringLiteral("no such file")});
        engine::StableDiffusion &model = loadedModel(QStringLiteral("tiny-sd1"), false);
        auto wide = std::make_shared<engine::VaeComponent>();
        wide->config = model.architecture().vae;
        wide->config.latentChannels = 8;
        wide->config.embedChannels = 8;
        wide->network = engine::AutoencoderKL(wide->config);
        wide->source = "wide-vae.safetensors";
        expectError<engine::UnsupportedModelError>(
            [&] { model.replaceVae(wide); }, {QStringLiteral("wide-vae.safetensors"), QStringLiteral("8 channels")});
        QCOMPARE(maxAbsDifference(model.decode(latent), own), 0.0);
    }

    void predictionComesFromConfigsAndMarkers()
    {
        const auto predictionOf = [&](const QString &checkpoint, const QByteArray &yaml) {
            const QString stem = m_dir.filePath(QStringLiteral("prediction-%1").arg(m_predictionCase++));
            QVERIFY2(QFile::copy(checkpoint, stem + QStringLiteral(".safetensors")), qPrintable(stem));
            if (!yaml.isEmpty()) {
                QFile file(stem + QStringLiteral(".yaml"));
                QVERIFY(file.open(QIODevice::WriteOnly));
                file.write(yaml);
            }
            m_prediction = load(stem + QStringLiteral(".safetensors"))->architecture().prediction;
        };
        const QString sd2 = modelPath(QStringLiteral("tiny-sd2v"), false);
        // SD 2.x is assumed to predict v; a YAML naming no parameterization states LDM's default, epsilon.
        predictionOf(sd2, {});
        QVERIFY(m_prediction == engine::Prediction::V);
        QFile original(fixturePath(QStringLiteral("models/tiny-sd2v/tiny-sd2v.yaml")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QByteArray yaml = original.readAll();
        yaml.replace("parameterization: \"v\"", "");
        QVERIFY(!yaml.contains("parameterization"));
        predictionOf(sd2, yaml);
        QVERIFY(m_prediction == engine::Prediction::Epsilon);
        // ComfyUI marks v-prediction SD 1.x saves with a "v_pred" key.
        predictionOf(rewritten(QStringLiteral("marked.safetensors"),
                               [](auto &tensors) { tensors["v_pred"] = torch::zeros({1}); }),
                     {});
        QVERIFY(m_prediction == engine::Prediction::V);
    }

    void damagedFilesAndFoldersAreFormatErrors()
    {
        QFile original(modelPath(QStringLiteral("tiny-sd1"), false));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        QFile truncated(m_dir.filePath(QStringLiteral("truncated.safetensors")));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(bytes.left(bytes.size() / 2));
        truncated.close();
        expectError<engine::FormatError>([&] { load(truncated.fileName()); }, {QStringLiteral("truncated.safetensors")});

        // A diffusers folder without its UNet.
        const QString folder = m_dir.filePath(QStringLiteral("partial"));
        std::filesystem::copy(modelPath(QStringLiteral("tiny-sd1"), true).toStdString(), folder.toStdString(),
                              std::filesystem::copy_options::recursive);
        std::filesystem::permissions(folder.toStdString(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
        std::filesystem::permissions((folder + QStringLiteral("/unet")).toStdString(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add);
        std::filesystem::remove((folder + QStringLiteral("/unet/diffusion_pytorch_model.safetensors")).toStdString());
        expectError<engine::UnsupportedModelError>([&] { load(folder); }, {QStringLiteral("diffusion_pytorch_model")});

        engine::LoadOptions half;
        half.path = modelPath(QStringLiteral("tiny-sd1"), false).toStdString();
        half.dtype = torch::kFloat16;
        expectError<engine::UnsupportedModelError>([&] { engine::StableDiffusion::load(half); },
                                                   {QStringLiteral("fp16 needs a CUDA device")});
    }

    void aCkptCheckpointGeneratesLikeItsSafetensorsTwin()
    {
        // The fixture checkpoint's tensors, written as torch.save would write them (one float16 storage each).
        const engine::StateDict weights = engine::loadWeights(modelPath(QStringLiteral("tiny-sd1"), false).toStdString());
        PickleWriter pickle;
        pickle.proto(2);
        pickle.emptyDict().text("state_dict");
        pickle.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        QList<ZipEntry> entries;
        int index = 0;
        for (const auto &[name, tensor] : weights.tensors) {
            const QByteArray key = QByteArray::number(index++);
            pickle.text(QByteArray::fromStdString(name)).tensor("HalfStorage", key, tensor.sizes().vec());
            const torch::Tensor data = tensor.contiguous();
            entries << ZipEntry{"archive/data/" + key,
                                QByteArray(static_cast<const char *>(data.data_ptr()), int(data.numel() * 2))};
        }
        pickle.setItems();
        pickle.setItem();
        pickle.stop();
        entries.prepend(ZipEntry{"archive/data.pkl", pickle.bytes()});
        entries << ZipEntry{"archive/version", "3\n"};
        const QString ckpt = m_dir.filePath(QStringLiteral("tiny-sd1.ckpt"));
        QVERIFY(writeBytes(ckpt, zipArchive(entries)));
        QVERIFY(QFile::copy(fixturePath(QStringLiteral("models/tiny-sd1/tiny-sd1.yaml")), m_dir.filePath(QStringLiteral("tiny-sd1.yaml"))));

        auto fromCkpt = load(ckpt);
        engine::StableDiffusion &fromSafetensors = loadedModel(QStringLiteral("tiny-sd1"), false);
        const engine::SamplingResult a = engine::generateImages(*fromCkpt, smallRun("euler", 4));
        const engine::SamplingResult b = engine::generateImages(fromSafetensors, smallRun("euler", 4));
        QVERIFY(torch::equal(a.latent, b.latent));
    }

    void latentsRoundTripThroughTheWriter()
    {
        const torch::Tensor latent = torch::randn({2, 4, 8, 12});
        const QString path = m_dir.filePath(QStringLiteral("latent.safetensors"));
        engine::writeSafetensors(path.toStdString(), {{"latent", latent}}, {{"format", "atelier-latent"}});
        const engine::StateDict read = engine::loadWeights(path.toStdString());
        QVERIFY(torch::equal(read.at("latent"), latent));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
        // Empty tensors have no storage at all; they are written as zero bytes.
        const QString empty = m_dir.filePath(QStringLiteral("empty.safetensors"));
        engine::writeSafetensors(empty.toStdString(), {{"nothing", torch::zeros({0, 4})}, {"one", torch::ones({1})}});
        const engine::StateDict emptyRead = engine::loadWeights(empty.toStdString());
        QCOMPARE(emptyRead.at("nothing").sizes().vec(), (std::vector<std::int64_t>{0, 4}));
        QCOMPARE(emptyRead.at("one").item<float>(), 1.0f);
        QVERIFY_THROWS_EXCEPTION(engine::Error,
                                 engine::writeSafetensors(m_dir.filePath(QStringLiteral("no/folder/x.safetensors")).toStdString(),
                                                          {{"latent", latent}}));
    }
};

QTEST_GUILESS_MAIN(TestEnginePipeline)
#include "test_engine_pipeline.moc"
