// LoRA, LyCORIS and textual inversion beyond what the fixture cases pin down: LoHa, LoKr, LoCon's Tucker core and
// DoRA against their published formulas (written out element by element here), stacking, strengths, exact
// unpatching, and every bad file: damaged, for another base, matching nothing, or of the wrong shape.
#include "tests/engine/engine_fixtures.h"

#include "core/engine/error.h"
#include "core/engine/io/key_maps.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/patch/lora_patcher.h"
#include "core/engine/patch/weight_adapter.h"
#include "core/engine/text/embeddings.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace atelier;
using namespace atelier::test;

namespace {

using Tensors = std::map<std::string, torch::Tensor>;

engine::StateDict stateDict(const Tensors &tensors)
{
    engine::StateDict dict;
    dict.source = "test.safetensors";
    dict.tensors = tensors;
    return dict;
}

engine::WeightAdapter onlyAdapter(const Tensors &tensors)
{
    const engine::AdapterSet set = engine::readAdapters(stateDict(tensors));
    if (set.adapters.size() != 1)
        throw std::runtime_error("expected one adapter");
    return set.adapters.front();
}

torch::Tensor random(std::vector<std::int64_t> shape)
{
    return torch::randn(shape, torch::kFloat64).to(torch::kFloat32);
}

double maxDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// A 1-dimensional float64 accessor over any float32 tensor, for formulas written with explicit indices.
struct Values
{
    explicit Values(const torch::Tensor &tensor)
        : data(tensor.to(torch::kFloat64).contiguous())
        , shape(tensor.sizes().vec())
    {}
    double operator()(std::initializer_list<std::int64_t> index) const
    {
        std::int64_t flat = 0;
        std::size_t axis = 0;
        for (std::int64_t i : index)
            flat = flat * shape[axis++] + i;
        return data.data_ptr<double>()[flat];
    }
    torch::Tensor data;
    std::vector<std::int64_t> shape;
};

QString writeFile(const QTemporaryDir &dir, const QString &name, const Tensors &tensors)
{
    const QString path = dir.filePath(name);
    engine::writeSafetensors(path.toStdString(), tensors);
    return path;
}

engine::StableDiffusion &tinyModel()
{
    static std::unique_ptr<engine::StableDiffusion> model;
    if (!model) {
        engine::LoadOptions options;
        options.path = modelPath(QStringLiteral("tiny-sd1"), false).toStdString();
        model = engine::StableDiffusion::load(options);
    }
    return *model;
}

QString kohyaLora()
{
    return fixturePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors"));
}

// One UNet forward on fixed inputs, as a fingerprint of the weights.
torch::Tensor unetFingerprint(engine::StableDiffusion &model)
{
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({1, 4, 8, 8});
    const torch::Tensor context = torch::randn({1, 77, 32});
    return model.unetForward(x, torch::full({1}, 500.0f), context);
}

torch::Tensor textFingerprint(engine::StableDiffusion &model)
{
    return model.encodePrompt("a photo of a cat");
}

template <typename Error, typename Body> QString errorOf(Body body)
{
    try {
        body();
    } catch (const Error &error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

} // namespace

class TestLoraPatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    // ΔW = (alpha / rank) · (w1a·w1b) ⊙ (w2a·w2b) (LyCORIS LoHa; Hyeon-Woo et al., FedPara).
    void lohaFollowsTheHadamardProduct()
    {
        const torch::Tensor w1a = random({6, 2}), w1b = random({2, 5}), w2a = random({6, 2}), w2b = random({2, 5});
        const engine::WeightAdapter adapter = onlyAdapter({{"m.hada_w1_a", w1a},
                                                           {"m.hada_w1_b", w1b},
                                                           {"m.hada_w2_a", w2a},
                                                           {"m.hada_w2_b", w2b},
                                                           {"m.alpha", torch::tensor(3.0f)}});
        QCOMPARE(adapter.kind, engine::AdapterKind::LoHa);
        const torch::Tensor weight = random({6, 5});
        const torch::Tensor patched = adapter.apply(weight, 0.7);
        const Values a1(w1a), b1(w1b), a2(w2a), b2(w2b), w(weight);
        torch::Tensor expected = torch::zeros({6, 5}, torch::kFloat64);
        for (int p = 0; p < 6; ++p)
            for (int q = 0; q < 5; ++q) {
                double m1 = 0, m2 = 0;
                for (int r = 0; r < 2; ++r) {
                    m1 += a1({p, r}) * b1({r, q});
                    m2 += a2({p, r}) * b2({r, q});
                }
                expected[p][q] = w({p, q}) + 0.7 * (3.0 / 2.0) * m1 * m2;
            }
        QVERIFY(maxDifference(patched, expected) < 1e-5);
    }

    // With Tucker cores (convolutions): w = Σ t[i,j,k,l]·a[i,p]·b[j,q] per factor, then the Hadamard product.
    void lohaWithTuckerCoresBuildsConvolutions()
    {
        const int r = 2, out = 3, in = 4;
        const torch::Tensor t1 = random({r, r, 3, 3}), t2 = random({r, r, 3, 3});
        const torch::Tensor w1a = random({r, out}), w1b = random({r, in}), w2a = random({r, out}),
                            w2b = random({r, in});
        const engine::WeightAdapter adapter = onlyAdapter({{"m.hada_t1", t1},
                                                           {"m.hada_t2", t2},
                                                           {"m.hada_w1_a", w1a},
                                                           {"m.hada_w1_b", w1b},
                                                           {"m.hada_w2_a", w2a},
                                                           {"m.hada_w2_b", w2b}});
        const torch::Tensor delta = adapter.delta({out, in, 3, 3});
        const Values T1(t1), T2(t2), A1(w1a), B1(w1b), A2(w2a), B2(w2b);
        double worst = 0;
        for (int p = 0; p < out; ++p)
            for (int q = 0; q < in; ++q)
                for (int k = 0; k < 3; ++k)
                    for (int l = 0; l < 3; ++l) {
                        double m1 = 0, m2 = 0;
                        for (int i = 0; i < r; ++i)
                            for (int j = 0; j < r; ++j) {
                                m1 += T1({i, j, k, l}) * A1({i, p}) * B1({j, q});
                                m2 += T2({i, j, k, l}) * A2({i, p}) * B2({j, q});
                            }
                        worst = std::max(worst, std::abs(delta[p][q][k][l].item<double>() - m1 * m2));
                    }
        QVERIFY(worst < 1e-5); // no alpha: scale 1
    }

    // ΔW = (alpha / rank) · w1 ⊗ w2 (Kronecker product; LyCORIS LoKr), with w2 low-rank here.
    void lokrFollowsTheKroneckerProduct()
    {
        const torch::Tensor w1 = random({2, 3}), w2a = random({4, 2}), w2b = random({2, 2});
        const engine::WeightAdapter adapter = onlyAdapter(
            {{"m.lokr_w1", w1}, {"m.lokr_w2_a", w2a}, {"m.lokr_w2_b", w2b}, {"m.alpha", torch::tensor(1.0f)}});
        QCOMPARE(adapter.kind, engine::AdapterKind::LoKr);
        QCOMPARE(adapter.rank(), std::int64_t(2));
        const torch::Tensor delta = adapter.delta({8, 6});
        const Values W1(w1), A(w2a), B(w2b);
        double worst = 0;
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 4; ++k)
                    for (int l = 0; l < 2; ++l) {
                        const double w2 = A({k, 0}) * B({0, l}) + A({k, 1}) * B({1, l});
                        const double expected = W1({i, j}) * w2 * (1.0 / 2.0);
                        worst = std::max(worst, std::abs(delta[i * 4 + k][j * 2 + l].item<double>() - expected));
                    }
        QVERIFY(worst < 1e-5);
    }

    // A 4-dimensional w2 makes a convolution: w1 gets unit spatial axes, ΔW[i·o2+k, j·i2+l, :, :] = w1[i,j]·w2[k,l].
    void lokrBuildsConvolutionsFromWholeFactors()
    {
        const torch::Tensor w1 = random({2, 2}), w2 = random({3, 2, 3, 3});
        const engine::WeightAdapter adapter = onlyAdapter({{"m.lokr_w1", w1}, {"m.lokr_w2", w2}});
        QCOMPARE(adapter.rank(), std::int64_t(0));
        const torch::Tensor delta = adapter.delta({6, 4, 3, 3});
        const Values W1(w1), W2(w2);
        double worst = 0;
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j)
                for (int k = 0; k < 3; ++k)
                    for (int l = 0; l < 2; ++l)
                        for (int y = 0; y < 3; ++y)
                            worst = std::max(worst, std::abs(delta[i * 3 + k][j * 2 + l][y][1].item<double>() -
                                                             W1({i, j}) * W2({k, l, y, 1})));
        QVERIFY(worst < 1e-5);
    }

    // LoCon with a Tucker core: W[p,q,k,l] = Σ up[p,i]·mid[i,j,k,l]·down[j,q].
    void loconTuckerCoreChainsThreeConvolutions()
    {
        const torch::Tensor up = random({5, 2, 1, 1}), mid = random({2, 2, 3, 3}), down = random({2, 4, 1, 1});
        const engine::WeightAdapter adapter =
            onlyAdapter({{"m.lora_up.weight", up}, {"m.lora_mid.weight", mid}, {"m.lora_down.weight", down}});
        const torch::Tensor delta = adapter.delta({5, 4, 3, 3});
        const Values U(up), M(mid), D(down);
        double worst = 0;
        for (int p = 0; p < 5; ++p)
            for (int q = 0; q < 4; ++q)
                for (int k = 0; k < 3; ++k) {
                    double expected = 0;
                    for (int i = 0; i < 2; ++i)
                        for (int j = 0; j < 2; ++j)
                            expected += U({p, i, 0, 0}) * M({i, j, k, 2}) * D({j, q, 0, 0});
                    worst = std::max(worst, std::abs(delta[p][q][k][2].item<double>() - expected));
                }
        QVERIFY(worst < 1e-5);
    }

    // DoRA (Liu et al. 2024, eq. 5): W' = m · (W + ΔW) / ‖W + ΔW‖, the norm over each column (LyCORIS' dora_scale
    // [1, in]) or each row (PEFT's magnitude [out]); the strength blends W' with W.
    void doraRescalesToTheStoredMagnitude_data()
    {
        QTest::addColumn<bool>("perOutput");
        QTest::newRow("columns, dora_scale [1, in]") << false;
        QTest::newRow("rows, lora_magnitude_vector [out]") << true;
    }
    void doraRescalesToTheStoredMagnitude()
    {
        QFETCH(bool, perOutput);
        const torch::Tensor up = random({4, 2}), down = random({2, 3});
        const torch::Tensor magnitude = perOutput ? random({4}).abs() : random({1, 3}).abs();
        const engine::WeightAdapter adapter =
            onlyAdapter({{"m.lora_B.weight", up},
                         {"m.lora_A.weight", down},
                         {perOutput ? "m.lora_magnitude_vector" : "m.dora_scale", magnitude}});
        const torch::Tensor weight = random({4, 3});
        const double strength = 0.6;
        const torch::Tensor patched = adapter.apply(weight, strength);
        const Values U(up), D(down), W(weight), M(magnitude);
        double v[4][3];
        for (int p = 0; p < 4; ++p)
            for (int q = 0; q < 3; ++q)
                v[p][q] = W({p, q}) + U({p, 0}) * D({0, q}) + U({p, 1}) * D({1, q});
        double worst = 0;
        for (int p = 0; p < 4; ++p)
            for (int q = 0; q < 3; ++q) {
                double norm = 0;
                if (perOutput)
                    for (int k = 0; k < 3; ++k)
                        norm += v[p][k] * v[p][k];
                else
                    for (int k = 0; k < 4; ++k)
                        norm += v[k][q] * v[k][q];
                const double m = perOutput ? M({p}) : M({0, q});
                const double full = m * v[p][q] / std::sqrt(norm);
                const double expected = W({p, q}) + strength * (full - W({p, q}));
                worst = std::max(worst, std::abs(patched[p][q].item<double>() - expected));
            }
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }

    void readerRejectsIncompleteAndDamagedAdapters()
    {
        QVERIFY(errorOf<engine::FormatError>([] {
                    onlyAdapter({{"m.lora_up.weight", random({4, 2})}});
                }).contains(QStringLiteral("\"m\" lacks its down")));
        QVERIFY(errorOf<engine::FormatError>([] {
                    onlyAdapter({{"m.hada_w1_a", random({4, 2})}, {"m.hada_w1_b", random({2, 3})}});
                }).contains(QStringLiteral("hada_w2_a")));
        torch::Tensor broken = random({4, 2});
        broken[1][1] = std::nan("");
        QVERIFY(errorOf<engine::FormatError>([&] {
                    onlyAdapter({{"m.lora_up.weight", broken}, {"m.lora_down.weight", random({2, 3})}});
                }).contains(QStringLiteral("not finite")));
        QVERIFY(errorOf<engine::FormatError>([] {
                    onlyAdapter({{"m.lora_up.weight", random({4, 2})}, {"m.hada_w1_a", random({4, 2})}});
                }).contains(QStringLiteral("mixes")));
        // Parts that do not multiply are named, not a raw libtorch message.
        const engine::WeightAdapter mismatched =
            onlyAdapter({{"m.lora_up.weight", random({4, 2})}, {"m.lora_down.weight", random({3, 5})}});
        QVERIFY(errorOf<engine::UnsupportedModelError>([&] {
                    mismatched.delta({4, 5});
                }).contains(QStringLiteral("m:")));
    }

    // Each LDM UNet name maps back to the diffusers name it came from.
    void unetNamesMapBackToDiffusers_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("tiny-sd1") << QStringLiteral("tiny-sd1");
        QTest::newRow("tiny-sd2v") << QStringLiteral("tiny-sd2v");
    }
    void unetNamesMapBackToDiffusers()
    {
        QFETCH(QString, model);
        const engine::StateDict diffusers = engine::loadWeights(
            fixturePath(QStringLiteral("models/%1/diffusers/unet/diffusion_pytorch_model.safetensors").arg(model))
                .toStdString());
        engine::StateDict numbered;
        std::vector<std::string> names;
        for (const auto &[name, tensor] : diffusers.tensors) {
            numbered.tensors.emplace(name, torch::tensor(std::int64_t(names.size())));
            names.push_back(name);
        }
        const engine::StateDict ldm = engine::unetFromDiffusers(numbered);
        engine::LoadOptions options;
        options.path = modelPath(model, false).toStdString();
        const auto loaded = engine::StableDiffusion::load(options);
        const engine::UNetConfig &config = loaded->architecture().unet;
        for (const auto &[name, tensor] : ldm.tensors) {
            const std::string original = names[std::size_t(tensor.item<std::int64_t>())];
            QCOMPARE(QString::fromStdString(
                         engine::unetDiffusersName(name, config.resBlocksPerLevel, config.attentionAtLevel)),
                     QString::fromStdString(original));
        }
    }

    // Two LoRAs stack like ComfyUI's chain of LoraLoaders: the same LoRA at 0.5 and 0.3 is the LoRA at 0.8.
    void stackedLorasAddUp()
    {
        engine::StableDiffusion &model = tinyModel();
        model.applyLoras({{kohyaLora().toStdString(), 0.8, 0.8}});
        const torch::Tensor once = unetFingerprint(model);
        const torch::Tensor onceText = textFingerprint(model);
        model.applyLoras({{kohyaLora().toStdString(), 0.5, 0.5}, {kohyaLora().toStdString(), 0.3, 0.3}});
        QVERIFY(maxDifference(unetFingerprint(model), once) < 1e-5);
        QVERIFY(maxDifference(textFingerprint(model), onceText) < 1e-5);
        model.applyLoras({});
    }

    // strength_model 0 leaves the UNet bit for bit; the text encoder still changes. Taking the LoRA off restores
    // both exactly, and so does applying another one over it.
    void strengthsApplyPerNetworkAndUnpatchingIsExact()
    {
        engine::StableDiffusion &model = tinyModel();
        const torch::Tensor unet = unetFingerprint(model), text = textFingerprint(model);
        const auto reports = model.applyLoras({{kohyaLora().toStdString(), 0.0, 1.0}});
        QVERIFY(reports[0].unetWeights > 0);
        QVERIFY(torch::equal(unetFingerprint(model), unet));
        QVERIFY(maxDifference(textFingerprint(model), text) > 1e-4);
        model.applyLoras({{kohyaLora().toStdString(), 1.0, 0.0}});
        QVERIFY(torch::equal(textFingerprint(model), text));
        QVERIFY(maxDifference(unetFingerprint(model), unet) > 1e-4);
        for (int round = 0; round < 3; ++round)
            model.applyLoras({{kohyaLora().toStdString(), 0.9, 0.9}});
        model.applyLoras({});
        QVERIFY(torch::equal(unetFingerprint(model), unet));
        QVERIFY(torch::equal(textFingerprint(model), text));
    }

    // From a float32 file on the CPU the weights are views into the read-only mapping: patching gives them storage
    // of their own, with the same result as patching copies, and unpatching hands the mapping back.
    void weightsMappedFromTheFileArePatchedThroughCopies()
    {
        QTemporaryDir dir;
        Tensors tensors;
        for (const auto &[name, tensor] :
             engine::loadWeights(modelPath(QStringLiteral("tiny-sd1"), false).toStdString()).tensors)
            tensors.emplace(name, tensor.is_floating_point() ? tensor.to(torch::kFloat32) : tensor);
        const QString path = writeFile(dir, QStringLiteral("tiny-sd1-fp32.safetensors"), tensors);
        QVERIFY(QFile::copy(fixturePath(QStringLiteral("models/tiny-sd1/tiny-sd1.yaml")),
                            dir.filePath(QStringLiteral("tiny-sd1-fp32.yaml"))));
        engine::LoadOptions options;
        options.path = path.toStdString();
        const auto mapped = engine::StableDiffusion::load(options);
        engine::StableDiffusion &copied = tinyModel();
        const torch::Tensor before = unetFingerprint(*mapped);
        QVERIFY(torch::equal(before, unetFingerprint(copied)));
        mapped->applyLoras({{kohyaLora().toStdString(), 0.8, 0.8}});
        copied.applyLoras({{kohyaLora().toStdString(), 0.8, 0.8}});
        QVERIFY(maxDifference(unetFingerprint(*mapped), unetFingerprint(copied)) < 1e-6);
        QVERIFY(maxDifference(textFingerprint(*mapped), textFingerprint(copied)) < 1e-6);
        mapped->applyLoras({});
        copied.applyLoras({});
        QVERIFY(torch::equal(unetFingerprint(*mapped), before));
    }

    // LoHa and LoKr files in kohya's naming reach the model's weights; taking them off is exact.
    void lycorisFilesPatchTheModel()
    {
        QTemporaryDir dir;
        const std::string layer = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q";
        const QString loha = writeFile(dir, QStringLiteral("loha.safetensors"),
                                       {{layer + ".hada_w1_a", random({32, 2})},
                                        {layer + ".hada_w1_b", random({2, 32})},
                                        {layer + ".hada_w2_a", random({32, 2})},
                                        {layer + ".hada_w2_b", random({2, 32})},
                                        {layer + ".alpha", torch::tensor(1.0f)}});
        const QString lokr = writeFile(dir, QStringLiteral("lokr.safetensors"),
                                       {{layer + ".lokr_w1", random({4, 4})}, {layer + ".lokr_w2", random({8, 8})}});
        engine::StableDiffusion &model = tinyModel();
        const torch::Tensor before = unetFingerprint(model);
        for (const QString &file : {loha, lokr}) {
            const auto reports = model.applyLoras({{file.toStdString(), 1.0, 1.0}});
            QCOMPARE(reports[0].unetWeights, 1);
            QVERIFY(maxDifference(unetFingerprint(model), before) > 1e-4);
        }
        model.applyLoras({});
        QVERIFY(torch::equal(unetFingerprint(model), before));
    }

    // Keys that match nothing are reported by name (ComfyUI's "lora key not loaded"), not dropped silently.
    void unmatchedKeysAreReported()
    {
        QTemporaryDir dir;
        Tensors tensors;
        for (const auto &[name, tensor] : engine::loadWeights(kohyaLora().toStdString()).tensors)
            tensors.emplace(name, tensor);
        tensors.emplace("lora_unet_no_such_block.lora_up.weight", random({4, 2}));
        tensors.emplace("lora_unet_no_such_block.lora_down.weight", random({2, 4}));
        const QString path = writeFile(dir, QStringLiteral("extra.safetensors"), tensors);
        engine::StableDiffusion &model = tinyModel();
        const auto reports = model.applyLoras({{path.toStdString(), 1.0, 1.0}});
        QCOMPARE(reports[0].keysNotLoaded, std::vector<std::string>{"lora_unet_no_such_block"});
        model.applyLoras({});
    }

    // Refused before any weight changes: the model keeps the LoRA it had.
    void badLorasAreRefusedAndChangeNothing_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("matches nothing") << QStringLiteral("nothing") << QStringLiteral("none of its 1 layers matches");
        QTest::newRow("for SD 2.x") << QStringLiteral("sd2")
                                    << QStringLiteral("a LoRA for SD 2.x models; this model is SD 1.x");
        QTest::newRow("for SDXL") << QStringLiteral("sdxl") << QStringLiteral("a LoRA for SDXL models");
        QTest::newRow("wrong shape") << QStringLiteral("shape")
                                     << QStringLiteral("where the model's weight is [32, 32]");
        QTest::newRow("ranks differ") << QStringLiteral("ranks")
                                      << QStringLiteral("parts do not fit together (down [3, 32], up [32, 4])");
        QTest::newRow("scalar part") << QStringLiteral("scalar") << QStringLiteral("has 0 dimensions");
        QTest::newRow("truncated") << QStringLiteral("truncated") << QStringLiteral("bad.safetensors");
        QTest::newRow("not a LoRA") << QStringLiteral("notlora") << QStringLiteral("no LoRA or LyCORIS weights");
    }
    void badLorasAreRefusedAndChangeNothing()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.safetensors"));
        const std::string attn2 = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k";
        if (kind == QLatin1String("nothing"))
            engine::writeSafetensors(path.toStdString(), {{"lora_unet_nowhere.lora_up.weight", random({4, 2})},
                                                          {"lora_unet_nowhere.lora_down.weight", random({2, 4})}});
        else if (kind == QLatin1String("sd2"))
            engine::writeSafetensors(path.toStdString(), {{attn2 + ".lora_up.weight", random({320, 4})},
                                                          {attn2 + ".lora_down.weight", random({4, 1024})}});
        else if (kind == QLatin1String("sdxl"))
            engine::writeSafetensors(
                path.toStdString(),
                {{"lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", random({4, 2})},
                 {"lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", random({2, 4})}});
        else if (kind == QLatin1String("shape"))
            engine::writeSafetensors(path.toStdString(), {{attn2 + ".lora_up.weight", random({32, 4})},
                                                          {attn2 + ".lora_down.weight", random({4, 48})}});
        else if (kind == QLatin1String("ranks"))
            engine::writeSafetensors(path.toStdString(), {{attn2 + ".lora_up.weight", random({32, 4})},
                                                          {attn2 + ".lora_down.weight", random({3, 32})}});
        else if (kind == QLatin1String("scalar"))
            engine::writeSafetensors(path.toStdString(), {{attn2 + ".lora_up.weight", random({32, 4})},
                                                          {attn2 + ".lora_down.weight", torch::tensor(1.0f)}});
        else if (kind == QLatin1String("notlora"))
            engine::writeSafetensors(path.toStdString(), {{"model.diffusion_model.out.2.weight", random({4, 4})}});
        else {
            QFile source(kohyaLora());
            QVERIFY(source.open(QIODevice::ReadOnly));
            QFile target(path);
            QVERIFY(target.open(QIODevice::WriteOnly));
            target.write(source.read(source.size() / 2));
        }
        engine::StableDiffusion &model = tinyModel();
        model.applyLoras({{kohyaLora().toStdString(), 0.8, 0.8}});
        const torch::Tensor patched = unetFingerprint(model);
        const QString message = errorOf<engine::Error>([&] { model.applyLoras({{path.toStdString(), 1.0, 1.0}}); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY(torch::equal(unetFingerprint(model), patched));
        model.applyLoras({});
    }

    // ComfyUI's "embedding:name", inside weights too, gives the same states as A1111's bare name.
    void embeddingsByComfyUISyntax()
    {
        engine::StableDiffusion &model = tinyModel();
        auto library = std::make_shared<engine::EmbeddingLibrary>();
        library->addFolder(fixturePath(QStringLiteral("models/tiny-sd1/embeddings")).toStdString());
        model.setEmbeddings(library);
        model.clearUsedEmbeddings();
        const torch::Tensor plain = model.encodePrompt("a photo of tiny-ti in watercolor");
        QVERIFY(torch::equal(model.encodePrompt("a photo of embedding:tiny-ti in watercolor"), plain));
        QVERIFY(torch::equal(model.encodePrompt("a photo of embedding:tiny-ti.safetensors in watercolor"), plain));
        const torch::Tensor weighted = model.encodePrompt("a photo of (embedding:tiny-ti:1.2) in watercolor");
        QCOMPARE(weighted.sizes(), plain.sizes());
        QVERIFY(maxDifference(weighted, plain) > 1e-4);
        QVERIFY(maxDifference(weighted.narrow(1, 0, 4), plain.narrow(1, 0, 4)) < 1e-6); // before it: unchanged
        QCOMPARE(model.usedEmbeddings().size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(model.usedEmbeddings()[0].name), QStringLiteral("tiny-ti"));
        // Not a whole word: stays text.
        const auto tokens = model.tokenize("tiny-tim");
        QVERIFY(tokens.embeddings.empty());
        model.setEmbeddings(nullptr);
    }

    void badEmbeddingsAreRefusedByName()
    {
        QTemporaryDir dir;
        engine::writeSafetensors(dir.filePath(QStringLiteral("wide.safetensors")).toStdString(),
                                 {{"emb_params", random({2, 1024})}});
        engine::writeSafetensors(dir.filePath(QStringLiteral("xl.safetensors")).toStdString(),
                                 {{"clip_l", random({2, 768})}, {"clip_g", random({2, 1280})}});
        QFile truncated(dir.filePath(QStringLiteral("broken.safetensors")));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write("\x40\x00\x00\x00\x00\x00\x00\x00{\"emb_params\":", 22);
        truncated.close();
        engine::StableDiffusion &model = tinyModel();
        auto library = std::make_shared<engine::EmbeddingLibrary>();
        library->addFolder(dir.path().toStdString());
        library->add("tiny-ti",
                     fixturePath(QStringLiteral("models/tiny-sd1/embeddings/tiny-ti.safetensors")).toStdString());
        model.setEmbeddings(library);
        QString message = errorOf<std::invalid_argument>([&] { model.encodePrompt("a embedding:tiny-it cat"); });
        QVERIFY2(message.contains(QStringLiteral("no embedding named \"tiny-it\"; close matches: tiny-ti")),
                 qPrintable(message));
        message = errorOf<engine::UnsupportedModelError>([&] { model.encodePrompt("embedding:wide"); });
        QVERIFY2(message.contains(QStringLiteral("wide.safetensors: an embedding for SD 2.x")), qPrintable(message));
        message = errorOf<engine::UnsupportedModelError>([&] { model.encodePrompt("embedding:xl, a cat"); });
        QVERIFY2(message.contains(QStringLiteral("an embedding for SDXL")), qPrintable(message));
        message = errorOf<engine::FormatError>([&] { model.encodePrompt("a embedding:broken cat"); });
        QVERIFY2(message.contains(QStringLiteral("broken.safetensors")), qPrintable(message));
        // As bare words (A1111's form) the same names stay text, as in A1111, and say why.
        model.clearUsedEmbeddings();
        model.setEmbeddings(nullptr);
        const torch::Tensor asText = model.encodePrompt("xl, a broken cat");
        model.setEmbeddings(library);
        QVERIFY(torch::equal(model.encodePrompt("xl, a broken cat"), asText));
        QCOMPARE(model.embeddingWarnings().size(), std::size_t(2));
        QVERIFY(QString::fromStdString(model.embeddingWarnings()[0] + model.embeddingWarnings()[1])
                    .contains(QStringLiteral("\"broken\" stays text")));
        QVERIFY(model.usedEmbeddings().empty());
        model.setEmbeddings(nullptr);
    }
};

QTEST_APPLESS_MAIN(TestLoraPatch)
#include "test_lora_patch.moc"
