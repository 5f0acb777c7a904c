// SDXL and its refiner beyond the fixture cases: a prompt for each encoder and the size conditioning, LoRAs and
// embeddings on both encoders (and those of other bases refused), v-prediction with a zero-terminal-SNR schedule,
// and a refiner made from tiny-sdxl's parts taking over a base run.
#include "tests/engine/pipeline_test_support.h"

#include "core/engine/error.h"
#include "core/engine/pipeline/generate.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/text/embeddings.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;
using namespace atelier::test;

class TestSdxl : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString rewritten(const QString &name, const std::function<void(std::map<std::string, torch::Tensor> &)> &edit,
                      const QString &model)
    {
        return rewrittenCheckpoint(m_dir.filePath(name), edit, model);
    }

    // The SDXL refiner, made from tiny-sdxl's parts: its OpenCLIP-G as the one encoder, its VAE, and a UNet of the
    // refiner's shape with the aesthetic-score conditioning (seeded weights), with the YAML its heads need.
    QString tinyRefiner(const engine::StableDiffusion &base)
    {
        engine::UNetConfig config = base.architecture().unet;
        config.contextDim = base.architecture().text2->width;
        config.admInChannels = base.architecture().text2->projection + 5 * 8; // pooled, then five numbers
        torch::manual_seed(11);
        engine::UNetModel refinerUnet(config);
        engine::initializeRandomly(*refinerUnet);
        const QString refinerPath = rewritten(
            QStringLiteral("tiny-refiner.safetensors"),
            [&](auto &tensors) {
                std::map<std::string, torch::Tensor> refiner;
                const std::string second = "conditioner.embedders.1.";
                for (auto &[name, tensor] : tensors)
                    if (name.rfind(second, 0) == 0)
                        refiner.emplace("conditioner.embedders.0." + name.substr(second.size()), tensor);
                    else if (name.rfind("first_stage_model.", 0) == 0)
                        refiner.emplace(name, tensor);
                for (const auto &item : refinerUnet->named_parameters())
                    refiner.emplace("model.diffusion_model." + item.key(), item.value().detach().clone());
                tensors = refiner;
            },
            QStringLiteral("tiny-sdxl"));
        QFile yaml(m_dir.filePath(QStringLiteral("tiny-refiner.yaml")));
        if (!yaml.open(QIODevice::WriteOnly))
            return {};
        yaml.write("model:\n  target: sgm.models.diffusion.DiffusionEngine\n  params:\n    scale_factor: 0.13025\n"
                   "    network_config:\n      params: {num_head_channels: 16, context_dim: 32, adm_in_channels: 72}\n"
                   "    conditioner_config:\n      params:\n        emb_models:\n"
                   "          - target: sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2\n"
                   "            params: {layer: penultimate, heads: 1}\n");
        yaml.close();
        return refinerPath;
    }

private slots:
    // SDXL's two encoders each read their own prompt (CLIPTextEncodeSDXL's text_l and text_g), the shorter one
    // padded with empty chunks, and the size conditioning reaches the UNet.
    void sdxlEncodesEachPromptWithItsEncoderAndTheSize()
    {
        const auto model = load(modelPath(QStringLiteral("tiny-sdxl"), false));
        const std::int64_t widthL = model->architecture().text.width;
        const auto same = model->encodeConditioning("a watercolor lighthouse", "a watercolor lighthouse", 0);
        const auto other = model->encodeConditioning("a watercolor lighthouse", "an oil painting of a storm", 0);
        QVERIFY(torch::equal(same.context.narrow(-1, 0, widthL), other.context.narrow(-1, 0, widthL)));
        QVERIFY(!torch::allclose(same.context.narrow(-1, widthL, widthL), other.context.narrow(-1, widthL, widthL)));
        QVERIFY(!torch::allclose(same.pooled, other.pooled));
        // A long second prompt: the first is given an empty chunk to match.
        std::string words;
        for (int i = 0; i < 90; ++i)
            words += "tree ";
        const auto longer = model->encodeConditioning("a lighthouse", words, 0);
        QCOMPARE(longer.context.size(1), 154);

        engine::SizeConditioning size;
        const torch::Tensor asMade = model->extraConditioning(same.pooled, size, 64, 64);
        size.width = size.height = 1024;
        const torch::Tensor asLarge = model->extraConditioning(same.pooled, size, 64, 64);
        QCOMPARE(asMade.size(1), model->architecture().unet.admInChannels);
        QVERIFY(!torch::allclose(asMade, asLarge));
        QVERIFY(torch::equal(asMade.narrow(1, 0, same.pooled.size(1)), asLarge.narrow(1, 0, same.pooled.size(1))));
        // An SD 1.x model takes no extra conditioning.
        QVERIFY(!load(modelPath(QStringLiteral("tiny-sd1"), false))->extraConditioning({}, size, 64, 64).defined());
    }

    // SDXL LoRAs reach the UNet and both text encoders under kohya's names (lora_te1_, lora_te2_) and diffusers'
    // (text_encoder_2); taken off, the model is exactly as loaded. A LoRA for SD 1.x is refused before anything
    // changes.
    void sdxlLorasPatchTheUNetAndBothEncoders()
    {
        const auto model = load(modelPath(QStringLiteral("tiny-sdxl"), false));
        torch::manual_seed(3);
        const auto pair = [](const std::string &module, std::int64_t in, std::int64_t out,
                             std::map<std::string, torch::Tensor> &tensors) {
            tensors[module + ".lora_down.weight"] = torch::randn({4, in});
            tensors[module + ".lora_up.weight"] = torch::randn({out, 4});
            tensors[module + ".alpha"] = torch::tensor(2.0f);
        };
        std::map<std::string, torch::Tensor> lora;
        pair("lora_te1_text_model_encoder_layers_0_self_attn_q_proj", 32, 32, lora);
        pair("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q", 32, 32, lora);
        lora["text_encoder_2.text_model.encoder.layers.0.self_attn.k_proj.lora_A.weight"] = torch::randn({4, 32});
        lora["text_encoder_2.text_model.encoder.layers.0.self_attn.k_proj.lora_B.weight"] = torch::randn({32, 4});
        const QString path = m_dir.filePath(QStringLiteral("sdxl-lora.safetensors"));
        engine::writeSafetensors(path.toStdString(), lora);

        const auto before = model->encodeConditioning("a lighthouse", 0);
        const torch::Tensor x = torch::randn({1, 4, 8, 8});
        const torch::Tensor y = model->extraConditioning(before.pooled, {}, 64, 64);
        const torch::Tensor unetBefore = model->unetForward(x, torch::full({1}, 500.0f), before.context, y);
        const auto reports = model->applyLoras({{path.toStdString(), 1.0, 1.0}});
        QCOMPARE(reports.size(), std::size_t(1));
        QVERIFY2(reports[0].keysNotLoaded.empty(),
                 reports[0].keysNotLoaded.empty() ? "" : reports[0].keysNotLoaded.front().c_str());
        QCOMPARE(reports[0].unetWeights, 1);
        QCOMPARE(reports[0].textWeights, 2);
        const auto after = model->encodeConditioning("a lighthouse", 0);
        const std::int64_t widthL = model->architecture().text.width;
        QVERIFY(!torch::allclose(before.context.narrow(-1, 0, widthL), after.context.narrow(-1, 0, widthL)));
        QVERIFY(!torch::allclose(before.context.narrow(-1, widthL, widthL), after.context.narrow(-1, widthL, widthL)));
        QVERIFY(!torch::allclose(unetBefore, model->unetForward(x, torch::full({1}, 500.0f), before.context, y)));
        model->applyLoras({});
        QVERIFY(torch::equal(model->encodeConditioning("a lighthouse", 0).context, before.context));
        QVERIFY(torch::equal(model->unetForward(x, torch::full({1}, 500.0f), before.context, y), unetBefore));

        expectError<engine::UnsupportedModelError>(
            [&] {
                model->applyLoras(
                    {{fixturePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors")).toStdString(),
                      1.0, 1.0}});
            },
            {QStringLiteral("tiny-sd1-lora-kohya")});
        QVERIFY(torch::equal(model->encodeConditioning("a lighthouse", 0).context, before.context));
    }

    // SDXL embeddings give each encoder its own vectors (clip_l, clip_g); an SD 1.x embedding is refused by an
    // SDXL model and an SDXL one by an SD 1.x model, each saying why.
    void sdxlEmbeddingsFeedBothEncoders()
    {
        const auto model = load(modelPath(QStringLiteral("tiny-sdxl"), false));
        torch::manual_seed(5);
        const QString path = m_dir.filePath(QStringLiteral("watercolor-xl.safetensors"));
        engine::writeSafetensors(path.toStdString(),
                                 {{"clip_l", torch::randn({2, 32})}, {"clip_g", torch::randn({2, 32})}});
        auto library = std::make_shared<engine::EmbeddingLibrary>();
        library->add("watercolor-xl", path.toStdString());
        library->add("tiny-ti",
                     fixturePath(QStringLiteral("models/tiny-sd1/embeddings/tiny-ti.safetensors")).toStdString());
        model->setEmbeddings(library);
        const auto plain = model->encodeConditioning("a lighthouse, watercolor", 0);
        const auto embedded = model->encodeConditioning("a lighthouse, embedding:watercolor-xl", 0);
        const std::int64_t widthL = model->architecture().text.width;
        QVERIFY(!torch::allclose(plain.context.narrow(-1, 0, widthL), embedded.context.narrow(-1, 0, widthL)));
        QVERIFY(
            !torch::allclose(plain.context.narrow(-1, widthL, widthL), embedded.context.narrow(-1, widthL, widthL)));
        QCOMPARE(model->usedEmbeddings().size(), std::size_t(1));
        QCOMPARE(model->usedEmbeddings().front().name, std::string("watercolor-xl"));
        expectError<engine::UnsupportedModelError>([&] { model->encodeConditioning("embedding:tiny-ti", 0); },
                                                   {QStringLiteral("tiny-ti")});

        const auto sd1 = load(modelPath(QStringLiteral("tiny-sd1"), false));
        sd1->setEmbeddings(library);
        expectError<engine::UnsupportedModelError>([&] { sd1->encodePrompt("embedding:watercolor-xl"); },
                                                   {QStringLiteral("watercolor-xl")});
    }

    // v-prediction SDXL fine-tunes mark themselves with "v_pred", and those trained to end in pure noise with
    // "ztsnr": the schedule is rescaled as ComfyUI rescales it (the first sigma kept, the last about 4518.8).
    void vPredictionSdxlWithZeroTerminalSnr()
    {
        const QString marked = rewritten(
            QStringLiteral("vpred-xl.safetensors"),
            [](auto &tensors) {
                tensors["v_pred"] = torch::zeros({1});
                tensors["ztsnr"] = torch::zeros({1});
            },
            QStringLiteral("tiny-sdxl"));
        // The YAML beside the original states the heads a shrunk model cannot imply.
        QVERIFY(QFile::copy(fixturePath(QStringLiteral("models/tiny-sdxl/tiny-sdxl.yaml")),
                            m_dir.filePath(QStringLiteral("vpred-xl.yaml"))));
        const auto model = load(marked);
        QCOMPARE(int(model->architecture().prediction), int(engine::Prediction::V));
        QVERIFY(model->architecture().zeroTerminalSnr);
        const engine::DiscreteSchedule plain;
        QCOMPARE(model->schedule().sigmaMin(), plain.sigmaMin());
        QVERIFY2(std::abs(model->schedule().sigmaMax() - 4518.8) < 0.5,
                 qPrintable(QString::number(model->schedule().sigmaMax())));
        // It still generates (v from the UNet, a finite image).
        engine::SamplingParams params = smallRun("euler", 3);
        const engine::SamplingResult result = engine::generateImages(*model, params);
        QVERIFY(torch::isfinite(result.image).all().item<bool>());

        // A diffusers folder says the same in its scheduler config (prediction_type, rescale_betas_zero_snr).
        const QString folder = m_dir.filePath(QStringLiteral("vpred-xl-diffusers"));
        const QString original = modelPath(QStringLiteral("tiny-sdxl"), true);
        QDirIterator files(original, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString file = files.next();
            const QString copy = folder + file.mid(original.size());
            QVERIFY(QDir().mkpath(QFileInfo(copy).absolutePath()));
            QVERIFY(QFile::copy(file, copy));
        }
        QFile scheduler(folder + QStringLiteral("/scheduler/scheduler_config.json"));
        QVERIFY(scheduler.open(QIODevice::WriteOnly | QIODevice::Truncate));
        scheduler.write(R"({"_class_name": "EulerDiscreteScheduler", "beta_start": 0.00085, "beta_end": 0.012,
            "beta_schedule": "scaled_linear", "prediction_type": "v_prediction", "rescale_betas_zero_snr": true})");
        scheduler.close();
        const auto fromFolder = load(folder);
        QCOMPARE(int(fromFolder->architecture().prediction), int(engine::Prediction::V));
        QVERIFY(fromFolder->architecture().zeroTerminalSnr);
        QCOMPARE(fromFolder->schedule().sigmaMax(), model->schedule().sigmaMax());
    }

    // The SDXL refiner, made here from tiny-sdxl's parts (its OpenCLIP-G as the one encoder, its VAE, a UNet of the
    // refiner's shape with the aesthetic-score conditioning): it loads as the refiner, and a base run handed over at
    // step 6 of 8 (KSamplerAdvanced's end and start steps, the leftover noise kept) equals the same eight Euler
    // steps taken by hand, the first six on the base, the last two on the refiner.
    void aRefinerTakesOverFromTheBase()
    {
        const auto base = load(modelPath(QStringLiteral("tiny-sdxl"), false));
        const QString refinerPath = tinyRefiner(*base);
        QVERIFY(!refinerPath.isEmpty());
        const auto refiner = load(refinerPath);
        QCOMPARE(int(refiner->architecture().family), int(engine::ModelFamily::SdxlRefiner));
        const auto refinerPrompt = refiner->encodeConditioning("a watercolor lighthouse", 0);
        QCOMPARE(refinerPrompt.context.size(-1), 32);
        QVERIFY(refinerPrompt.pooled.defined());
        // Its aesthetic score: 6 for a positive prompt, 2.5 for a negative one unless given.
        engine::SizeConditioning size;
        const torch::Tensor positiveY = refiner->extraConditioning(refinerPrompt.pooled, size, 64, 64, false);
        QVERIFY(!torch::equal(positiveY, refiner->extraConditioning(refinerPrompt.pooled, size, 64, 64, true)));
        size.aestheticScore = 2.5;
        QVERIFY(torch::equal(refiner->extraConditioning(refinerPrompt.pooled, size, 64, 64, false),
                             refiner->extraConditioning(refinerPrompt.pooled, {}, 64, 64, true)));

        const auto listOf = [](engine::StableDiffusion &model, const std::string &text) {
            const auto encoded = model.encodeConditioning(text, 0);
            return engine::ConditioningList{
                engine::ConditioningPart(encoded.context, 1.0, std::nullopt, encoded.pooled)};
        };
        const auto basePositive = listOf(*base, "a watercolor lighthouse"), baseNegative = listOf(*base, "blurry");
        const auto refinerPositive = listOf(*refiner, "a watercolor lighthouse"),
                   refinerNegative = listOf(*refiner, "blurry");
        engine::LatentSampling first;
        first.seed = 42;
        first.steps = 8;
        first.cfg = 5.0;
        first.endStep = 6;
        first.finishDenoising = false; // return_with_leftover_noise
        const torch::Tensor empty = torch::zeros({1, 4, 8, 8});
        const engine::SampledLatent handed = engine::sampleLatent(*base, basePositive, baseNegative, empty, first);
        engine::LatentSampling second = first;
        second.startStep = 6;
        second.endStep = -1;
        second.addNoise = false;
        second.finishDenoising = true;
        const torch::Tensor twoPasses =
            engine::sampleLatent(*refiner, refinerPositive, refinerNegative, handed.latent, second).latent;

        const std::vector<double> sigmas = engine::scheduleSigmas(base->schedule(), "normal", 8);
        torch::Tensor x = engine::seededNoise(42, {1, 4, 8, 8}) * sigmas.front();
        for (std::size_t i = 0; i + 1 < sigmas.size(); ++i) {
            engine::StableDiffusion &model = i < 6 ? *base : *refiner;
            const auto &positive = i < 6 ? basePositive : refinerPositive;
            const auto &negative = i < 6 ? baseNegative : refinerNegative;
            const auto predict = [&](const engine::ConditioningList &list, bool isNegative) {
                return model.denoise(x, sigmas[i], list.front().context,
                                     model.extraConditioning(list.front().pooled, {}, 64, 64, isNegative));
            };
            const torch::Tensor unconditional = predict(negative, true);
            const torch::Tensor denoised = unconditional + (predict(positive, false) - unconditional) * 5.0;
            x = x + (x - denoised) / sigmas[i] * (sigmas[i + 1] - sigmas[i]);
        }
        const double difference = (twoPasses - x).abs().max().item<double>();
        QVERIFY2(difference < 1e-4, qPrintable(QString::number(difference)));

        // The base's prompt cannot drive the refiner: said, not a libtorch shape error.
        expectError<std::invalid_argument>(
            [&] { engine::sampleLatent(*refiner, basePositive, baseNegative, handed.latent, second); },
            {QStringLiteral("width 64"), QStringLiteral("reads 32")});
        // An SDXL embedding gives the refiner its clip_g vectors: two files alike but for those give two encodings.
        auto library = std::make_shared<engine::EmbeddingLibrary>();
        const torch::Tensor clipL = torch::randn({2, 32});
        for (const char *name : {"style-a", "style-b"}) {
            const QString file = m_dir.filePath(QString::fromLatin1(name) + QStringLiteral(".safetensors"));
            engine::writeSafetensors(file.toStdString(), {{"clip_l", clipL}, {"clip_g", torch::randn({2, 32})}});
            library->add(name, file.toStdString());
        }
        refiner->setEmbeddings(library);
        refiner->clearUsedEmbeddings();
        QVERIFY(!torch::allclose(refiner->encodeConditioning("a lighthouse, embedding:style-a", 0).context,
                                 refiner->encodeConditioning("a lighthouse, embedding:style-b", 0).context));
        QCOMPARE(refiner->usedEmbeddings().size(), std::size_t(2));
    }

    // `generate` with a refiner (`--refiner`, switch 0.75 of 8 steps): the same image as the two passes run by hand
    // (the base's first six steps, the refiner's last two on prompts its own CLIP encodes, its VAE decoding), one
    // progress count over both; what cannot be handed over is refused before sampling.
    void generateHandsTheLastStepsToTheRefiner()
    {
        const auto base = load(modelPath(QStringLiteral("tiny-sdxl"), false));
        const QString refinerPath = tinyRefiner(*base);
        QVERIFY(!refinerPath.isEmpty());
        engine::GenerationRequest request;
        request.modelPath = modelPath(QStringLiteral("tiny-sdxl"), false).toStdString();
        request.refinerPath = refinerPath.toStdString();
        request.refinerSwitch = 0.75;
        request.prompt = "a watercolor lighthouse";
        request.negative = "blurry";
        request.seed = 42;
        request.steps = 8;
        request.cfg = 5.0;
        request.width = 64;
        request.height = 64;
        std::vector<int> progress, stepCounts;
        const engine::GenerationResult result = engine::generate(request, [&](const engine::GenerationProgress &p) {
            stepCounts.push_back(p.steps);
            progress.push_back(p.step);
            return true;
        });
        QCOMPARE(result.family, std::string("sdxl"));
        QCOMPARE(result.refinerFamily, std::string("sdxl-refiner"));
        QCOMPARE(progress, std::vector<int>({1, 2, 3, 4, 5, 6, 7, 8}));
        QCOMPARE(stepCounts, std::vector<int>(8, 8));
        QCOMPARE(result.images.size(), std::size_t(1));

        const auto refiner = load(refinerPath);
        const auto listOf = [](engine::StableDiffusion &model, const std::string &text) {
            const auto encoded = model.encodeConditioning(text, 0);
            return engine::ConditioningList{
                engine::ConditioningPart(encoded.context, 1.0, std::nullopt, encoded.pooled)};
        };
        engine::LatentSampling first;
        first.seed = 42;
        first.steps = 8;
        first.cfg = 5.0;
        first.endStep = 6;
        first.finishDenoising = false;
        const torch::Tensor handed =
            engine::sampleLatent(*base, listOf(*base, request.prompt), listOf(*base, request.negative),
                                 torch::zeros({1, 4, 8, 8}), first)
                .latent;
        engine::LatentSampling second = first;
        second.startStep = 6;
        second.endStep = -1;
        second.addNoise = false;
        second.finishDenoising = true;
        const torch::Tensor latent = engine::sampleLatent(*refiner, listOf(*refiner, request.prompt),
                                                          listOf(*refiner, request.negative), handed, second)
                                         .latent;
        const double scale = refiner->architecture().vae.scaleFactor;
        const torch::Tensor pixels = ((refiner->decode(latent / scale) + 1.0) / 2.0)
                                         .clamp(0.0, 1.0)[0]
                                         .mul(255.0)
                                         .round()
                                         .to(torch::kUInt8)
                                         .permute({1, 2, 0})
                                         .contiguous();
        const engine::RgbImage &image = result.images.front();
        QCOMPARE(image.pixels.size(), std::size_t(pixels.numel()));
        int worst = 0;
        for (std::size_t i = 0; i < image.pixels.size(); ++i)
            worst = std::max(worst, std::abs(int(image.pixels[i]) - int(pixels.data_ptr<std::uint8_t>()[i])));
        QVERIFY2(worst <= 1, qPrintable(QString::number(worst)));

        // An SD 1.x model reads another latent space; a diffusers sampler runs one schedule; the switch is a share.
        engine::GenerationRequest sd1 = request;
        sd1.refinerPath = modelPath(QStringLiteral("tiny-sd1"), false).toStdString();
        expectError<std::invalid_argument>([&] { engine::generate(sd1); },
                                           {QStringLiteral("sd-1"), QStringLiteral("latent spaces differ")});
        engine::GenerationRequest ddim = request;
        ddim.sampler = "ddim_diffusers";
        ddim.scheduler = "diffusers";
        expectError<std::invalid_argument>([&] { engine::generate(ddim); }, {QStringLiteral("refiner")});
        for (const double share : {0.0, 1.0, 1.5}) {
            engine::GenerationRequest outside = request;
            outside.refinerSwitch = share;
            expectError<std::invalid_argument>([&] { engine::generate(outside); }, {QStringLiteral("between 0 and 1")});
        }
        engine::GenerationRequest oneStep = request;
        oneStep.steps = 1;
        expectError<std::invalid_argument>([&] { engine::generate(oneStep); }, {QStringLiteral("two steps")});
    }
};

QTEST_GUILESS_MAIN(TestSdxl)
#include "test_sdxl.moc"
