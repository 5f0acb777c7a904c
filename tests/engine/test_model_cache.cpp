// The model load service's cache on the tiny fixture models: submodels cached apart and shared, budgets honoured to
// the byte, entries in use never evicted, a model larger than the budget refused
// with the sizes, and LoRAs taken off a shared UNet bit for bit.
#include "tests/engine/engine_fixtures.h"

#include "core/engine/cache/cached_loads.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace atelier;
using namespace atelier::engine;
using namespace atelier::test;

namespace {

LoadOptions optionsFor(const QString &model)
{
    LoadOptions options;
    options.path = modelPath(model, false).toStdString();
    return options;
}

std::int64_t heldOnCpu()
{
    const CacheSnapshot snapshot = ModelCache::shared().snapshot();
    const auto found = snapshot.heldBytes.find("cpu");
    return found == snapshot.heldBytes.end() ? 0 : found->second;
}

std::int64_t modelBytes(const StableDiffusion &model)
{
    return parameterBytes(*model.textEncoder().network) + parameterBytes(*model.unet().network) +
           parameterBytes(*model.vae().network);
}

// The notes of the cached `submodel` (the only one of its kind in the cache).
std::vector<std::string> notesOf(const std::string &submodel)
{
    for (const CacheEntryInfo &entry : ModelCache::shared().snapshot().entries)
        if (entry.key.submodel == submodel)
            return entry.notes;
    return {"(not cached)"};
}

bool sameWeights(const torch::nn::Module &a, const torch::nn::Module &b)
{
    const auto left = a.named_parameters(), right = b.named_parameters();
    if (left.size() != right.size())
        return false;
    for (const auto &item : left)
        if (!torch::equal(item.value(), right[item.key()]))
            return false;
    return true;
}

std::vector<LoRAApplication> kohyaLora()
{
    return {
        {fixturePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors")).toStdString(), 1.0, 1.0}};
}

// tiny-sd1 told another prediction type: another model on the same cached parts.
LoadOptions otherPrediction()
{
    LoadOptions options = optionsFor(QStringLiteral("tiny-sd1"));
    options.prediction = Prediction::V;
    return options;
}

} // namespace

class TestModelCache : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        ModelCache::shared().setBudgets({});
        ModelCache::shared().unloadAll();
    }

    // A second load of the same file comes from RAM, component by component, as the same tensors.
    void aSecondLoadIsAHitForEverySubmodel()
    {
        LoadReport first, second;
        const auto a = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")), &first);
        const auto b = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")), &second);
        QCOMPARE(first.size(), std::size_t(3));
        for (const std::string &line : first)
            QVERIFY2(line.find("from disk") != std::string::npos, line.c_str());
        for (const std::string &line : second)
            QVERIFY2(line.find("from RAM") != std::string::npos, line.c_str());
        QVERIFY(a->unet().network.get() == b->unet().network.get());
        const CacheSnapshot snapshot = ModelCache::shared().snapshot();
        QCOMPARE(snapshot.entries.size(), std::size_t(3));
        QCOMPARE(snapshot.hits, std::int64_t(3));
        // The sizes are the tensors' bytes.
        QCOMPARE(heldOnCpu(), modelBytes(*a));
        for (const CacheEntryInfo &entry : snapshot.entries)
            QVERIFY(entry.inUse);
    }

    // A budget that holds exactly one model: loading another evicts the first's unused submodels, oldest first,
    // and what is held never passes the budget.
    void budgetsAreHonouredToTheByte()
    {
        std::int64_t sd1Bytes = 0, sd2Bytes = 0;
        {
            const auto sd1 = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")));
            sd1Bytes = modelBytes(*sd1);
        }
        ModelCache::shared().unloadAll();
        {
            const auto sd2 = loadModelCached(optionsFor(QStringLiteral("tiny-sd2v")));
            sd2Bytes = modelBytes(*sd2);
        }
        ModelCache::shared().unloadAll();
        const std::int64_t budget = std::max(sd1Bytes, sd2Bytes);
        ModelCache::shared().setBudgets({budget, 0});
        for (int round = 0; round < 3; ++round)
            for (const QString &model : {QStringLiteral("tiny-sd1"), QStringLiteral("tiny-sd2v")}) {
                const auto loaded = loadModelCached(optionsFor(model));
                QVERIFY2(heldOnCpu() <= budget, qPrintable(QString::number(heldOnCpu())));
                QCOMPARE(heldOnCpu(), modelBytes(*loaded));
            }
        QVERIFY(ModelCache::shared().snapshot().evictions >= 15);
    }

    // A model in use is locked: under a budget that holds it alone, another model is refused with the sizes, and the
    // first stays cached.
    void entriesInUseSurvivePressureAndTooLargeModelsAreRefused()
    {
        const auto held = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")));
        ModelCache::shared().setBudgets({modelBytes(*held), 0});
        try {
            loadModelCached(optionsFor(QStringLiteral("tiny-sd2v")));
            QFAIL("a model past the budget was loaded");
        } catch (const CacheBudgetError &error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(QStringLiteral("needs")) && message.contains(QStringLiteral("RAM budget")) &&
                         message.contains(QStringLiteral("in use")),
                     qPrintable(message));
        }
        QCOMPARE(ModelCache::shared().snapshot().entries.size(), std::size_t(3));
        QCOMPARE(heldOnCpu(), modelBytes(*held));
        // Nothing fits a budget smaller than the UNet, whatever is free.
        ModelCache::shared().setBudgets({1024, 0});
        QVERIFY_THROWS_EXCEPTION(CacheBudgetError, loadModelCached(optionsFor(QStringLiteral("tiny-sd2v"))));
    }

    // LoRAs patch the cached UNet a model shares; the model takes them off when it goes, so the next model on the
    // same cached UNet gets the file's weights bit for bit.
    void loraPatchesComeOffTheSharedUnet()
    {
        const auto fresh = StableDiffusion::load(optionsFor(QStringLiteral("tiny-sd1")));
        {
            const auto patched = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")));
            patched->applyLoras(
                {{fixturePath(QStringLiteral("models/tiny-sd1/lora/tiny-sd1-lora-kohya.safetensors")).toStdString(),
                  1.0, 1.0}});
            QVERIFY(!sameWeights(*patched->unet().network, *fresh->unet().network));
            // The cache says which LoRAs are on each part, at the strength that part took.
            const std::vector<std::string> expected{"LoRA tiny-sd1-lora-kohya 1"};
            for (const char *part : {"unet", "text_encoder"})
                QCOMPARE(notesOf(part), expected);
        }
        for (const char *part : {"unet", "text_encoder"})
            QVERIFY(notesOf(part).empty());
        LoadReport report;
        const auto again = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")), &report);
        QVERIFY2(report[1].find("from RAM") != std::string::npos, report[1].c_str());
        QVERIFY(sameWeights(*again->unet().network, *fresh->unet().network));
        QVERIFY(sameWeights(*again->textEncoder().network, *fresh->textEncoder().network));
    }

    // Two models on the same cached parts (here told different prediction types): each samples with its own LoRAs
    // only, whichever patched last, and one going does not take the other's patches off.
    void modelsSharingPartsNeverSeeEachOthersLoras()
    {
        const auto fresh = StableDiffusion::load(optionsFor(QStringLiteral("tiny-sd1")));
        const std::vector<LoRAApplication> lora = kohyaLora();
        const auto withLora = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")));
        auto without = loadModelCached(otherPrediction());
        QVERIFY(withLora->unet().network.get() == without->unet().network.get());
        withLora->applyLoras(lora);
        QVERIFY(!sameWeights(*withLora->unet().network, *fresh->unet().network));
        without->applyLoras({}); // takes the other's patches off before it samples
        QVERIFY(sameWeights(*without->unet().network, *fresh->unet().network));
        QVERIFY(sameWeights(*without->textEncoder().network, *fresh->textEncoder().network));
        withLora->applyLoras(lora); // and they come back for the model that asks for them
        QVERIFY(!sameWeights(*withLora->unet().network, *fresh->unet().network));
        without.reset(); // its patcher owns nothing now: the other's patches stay
        QVERIFY(!sameWeights(*withLora->unet().network, *fresh->unet().network));
        // Taken off by another model, then a damaged LoRA refused: asked for again, its LoRA goes back on.
        auto other = loadModelCached(otherPrediction());
        other->applyLoras({});
        QVERIFY_THROWS_EXCEPTION(std::exception, withLora->applyLoras({{"/no/such/lora.safetensors", 1.0, 1.0}}));
        withLora->applyLoras(lora);
        QVERIFY(!sameWeights(*withLora->unet().network, *fresh->unet().network));
    }

    // Runs on two threads with different LoRAs on one cached UNet each compute with their own weights: a model
    // holding its LoRAs on makes the other wait to patch.
    void concurrentRunsWithDifferentLorasNeverMix()
    {
        const std::vector<LoRAApplication> lora = kohyaLora();
        const auto withLora = loadModelCached(optionsFor(QStringLiteral("tiny-sd1")));
        const auto without = loadModelCached(otherPrediction());
        QVERIFY(withLora->unet().network.get() == without->unet().network.get());
        torch::manual_seed(3);
        const torch::Tensor x = torch::randn({1, 4, 8, 8}), t = torch::tensor({500.0f});
        const torch::Tensor context = torch::randn({1, 77, withLora->architecture().unet.contextDim});
        const auto output = [&](StableDiffusion &model, const std::vector<LoRAApplication> &loras) {
            const LoraHold hold = model.holdLoras(loras);
            return model.unetForward(x, t, context);
        };
        const torch::Tensor expectedWith = output(*withLora, lora), expectedWithout = output(*without, {});
        QVERIFY(!torch::equal(expectedWith, expectedWithout));
        std::atomic<int> mixed{0};
        const auto run = [&](StableDiffusion &model, const std::vector<LoRAApplication> &loras,
                             const torch::Tensor &expected) {
            for (int i = 0; i < 40; ++i)
                if (!torch::equal(output(model, loras), expected))
                    ++mixed;
        };
        std::thread first(run, std::ref(*withLora), std::cref(lora), std::cref(expectedWith));
        std::thread second(run, std::ref(*without), std::vector<LoRAApplication>{}, std::cref(expectedWithout));
        first.join();
        second.join();
        QCOMPARE(mixed.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestModelCache)
#include "test_model_cache.moc"
