// The engine's graph operations on the tiny fixture model, where their effect is only visible in latents: the
// inpainting encoder's grey fill and grown mask, a noise mask that holds the latent outside it, and the regions
// and fades of area conditioning.
#include "tests/engine/engine_fixtures.h"

#include "core/engine/ops/engine_ops.h"
#include "core/engine/ops/engine_values.h"
#include "core/engine/pipeline/sampling_run.h"

#include <QTest>

using namespace atelier;

namespace {

engine::OpResult run(const engine::OpCall &call)
{
    return engine::runOp(call, {});
}

template <typename Value> std::shared_ptr<const Value> valueOf(const engine::EngineValuePtr &value)
{
    return std::dynamic_pointer_cast<const Value>(value);
}

// A 64×64 gradient whose square [40, 56) × [40, 56) is to be repainted, and the mask marking it.
struct Hole
{
    engine::RgbImage image{64, 64, std::vector<std::uint8_t>(64 * 64 * 3)};
    engine::RgbImage mask{64, 64, std::vector<std::uint8_t>(64 * 64 * 3, 0)};

    Hole()
    {
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                std::uint8_t *pixel = &image.pixels[std::size_t(y * 64 + x) * 3];
                pixel[0] = std::uint8_t(x * 4), pixel[1] = std::uint8_t(y * 4), pixel[2] = 128;
                if (x >= 40 && x < 56 && y >= 40 && y < 56)
                    std::fill_n(&mask.pixels[std::size_t(y * 64 + x) * 3], 3, 255);
            }
    }
};

} // namespace

class TestEngineOps : public QObject
{
    Q_OBJECT

private:
    engine::OpResult m_checkpoint;

    engine::EngineValuePtr imageOf(const engine::RgbImage &pixels)
    {
        return run({"image_from_pixels", {{"images", std::vector<engine::RgbImage>{pixels}}}}).values.front();
    }

private slots:
    void initTestCase()
    {
        m_checkpoint =
            run({"load_checkpoint", {{"path", test::modelPath(QStringLiteral("tiny-sd1"), false).toStdString()}}});
        QCOMPARE(m_checkpoint.values.size(), std::size_t(3));
    }

    // ComfyUI's VAEEncodeForInpaint: the pixels under the mask are grey (0.5) before encoding, and the latent
    // carries the mask grown by `grow` pixels with its odd-sized kernel's reach (3 before, 2 after for 6).
    void inpaintEncodingGreysUnderTheMaskAndGrowsIt()
    {
        const Hole hole;
        const engine::EngineValuePtr mask =
            run({"mask_from_pixels", {{"images", std::vector<engine::RgbImage>{hole.mask}}}}).values.front();
        const auto encoded = valueOf<engine::LatentValue>(run({"vae_encode_for_inpaint",
                                                               {{"vae", m_checkpoint.values[2]},
                                                                {"image", imageOf(hole.image)},
                                                                {"mask", mask},
                                                                {"grow", std::int64_t(6)}}})
                                                              .values.front());
        QVERIFY(encoded && encoded->noiseMask.defined());
        QCOMPARE(encoded->noiseMask.sizes().vec(), (std::vector<std::int64_t>{1, 1, 64, 64}));
        const torch::Tensor expectedMask = torch::zeros({1, 1, 64, 64});
        expectedMask.narrow(2, 38, 21).narrow(3, 38, 21).fill_(1.0);
        QVERIFY(torch::equal(encoded->noiseMask, expectedMask));

        // Grey is exactly 0.5, which 8-bit pixels cannot hold: the latent is next to that of the hole filled with
        // 127 or 128, and far from the image's own.
        const auto encodedAs = [&](const engine::RgbImage &pixels) {
            return valueOf<engine::LatentValue>(
                       run({"vae_encode", {{"vae", m_checkpoint.values[2]}, {"image", imageOf(pixels)}}})
                           .values.front())
                ->samples;
        };
        const auto distance = [&](const torch::Tensor &latent) {
            return (latent - encoded->samples).abs().max().item<double>();
        };
        const double fromImage = distance(encodedAs(hole.image));
        for (const std::uint8_t level : {std::uint8_t(127), std::uint8_t(128)}) {
            engine::RgbImage greyed = hole.image;
            for (int y = 40; y < 56; ++y)
                for (int x = 40; x < 56; ++x)
                    std::fill_n(&greyed.pixels[std::size_t(y * 64 + x) * 3], 3, level);
            const double fromGrey = distance(encodedAs(greyed));
            QVERIFY2(fromGrey * 20 < fromImage,
                     qPrintable(QStringLiteral("%1 against %2").arg(fromGrey).arg(fromImage)));
        }

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run({"vae_encode_for_inpaint",
                                                             {{"vae", m_checkpoint.values[2]},
                                                              {"image", imageOf(hole.image)},
                                                              {"mask", mask},
                                                              {"grow", std::int64_t(65)}}}));
    }

    // Sampling under a noise mask changes the latent only where the mask is.
    void aNoiseMaskHoldsTheLatentOutsideIt()
    {
        const Hole hole;
        const engine::EngineValuePtr start =
            run({"vae_encode", {{"vae", m_checkpoint.values[2]}, {"image", imageOf(hole.image)}}}).values.front();
        const engine::EngineValuePtr mask =
            run({"mask_from_pixels", {{"images", std::vector<engine::RgbImage>{hole.mask}}}}).values.front();
        const engine::EngineValuePtr masked =
            run({"set_latent_noise_mask", {{"latent", start}, {"mask", mask}}}).values.front();
        const engine::EngineValuePtr prompt =
            run({"encode_text", {{"clip", m_checkpoint.values[1]}, {"text", std::string("a cat")}}}).values.front();
        const auto sampled = valueOf<engine::LatentValue>(run({"sample",
                                                               {{"model", m_checkpoint.values[0]},
                                                                {"positive", prompt},
                                                                {"negative", prompt},
                                                                {"latent", masked},
                                                                {"seed", std::int64_t(3)},
                                                                {"steps", std::int64_t(2)},
                                                                {"cfg", 5.0},
                                                                {"sampler", std::string("euler")},
                                                                {"scheduler", std::string("normal")},
                                                                {"denoise", 1.0}}})
                                                              .values.front());
        const torch::Tensor before = valueOf<engine::LatentValue>(start)->samples;
        // (Scaled into the model's space and back: equal to float rounding.)
        const torch::Tensor changed = (sampled->samples - before).abs().amax(std::vector<std::int64_t>{0, 1}) > 1e-4;
        // The mask covers latent cells 5 and 6 of 8 (pixels 40 to 55): only they may change, and they do.
        const torch::Tensor expected = torch::zeros({8, 8}, torch::kBool);
        expected.narrow(0, 5, 2).narrow(1, 5, 2).fill_(true);
        QVERIFY(torch::equal(changed, expected));
    }

    // An area in pixels becomes a latent region: clamped to the latent, grown to what the UNet divides, and faded
    // over 8 latent pixels on every side that does not touch the border, as ComfyUI fades it.
    void areasBecomeFadedLatentRegions()
    {
        const engine::LatentRegion left = engine::latentRegion({256, 512, 0, 0}, 8, 8, 64, 64);
        QCOMPARE((std::vector<std::int64_t>{left.top, left.left, left.height, left.width}),
                 (std::vector<std::int64_t>{0, 0, 64, 32}));
        // No fade along the image's borders, a linear one toward its inner edge.
        QCOMPARE(left.weight[0][0][10][0].item<float>(), 1.0f);
        QCOMPARE(left.weight[0][0][0][31].item<float>(), 1.0f / 8.0f);
        QCOMPARE(left.weight[0][0][0][24].item<float>(), 1.0f);
        QCOMPARE(left.weight[0][0][63][25].item<float>(), 7.0f / 8.0f);

        // Out of the image: clamped; odd sizes grown to the UNet's multiple, staying inside.
        const engine::LatentRegion edge = engine::latentRegion({400, 200, 400, 480}, 8, 8, 64, 64);
        QCOMPARE((std::vector<std::int64_t>{edge.top, edge.left, edge.height, edge.width}),
                 (std::vector<std::int64_t>{56, 48, 8, 16}));
        const engine::LatentRegion outside = engine::latentRegion({64, 64, 1024, 0}, 8, 8, 64, 64);
        QCOMPARE(outside.width, std::int64_t(0));

        // Whole-image areas weigh 1 everywhere.
        QVERIFY(torch::equal(engine::latentRegion({512, 512, 0, 0}, 8, 8, 64, 64).weight, torch::ones({1, 1, 64, 64})));
    }
};

QTEST_GUILESS_MAIN(TestEngineOps)
#include "test_engine_ops.moc"
