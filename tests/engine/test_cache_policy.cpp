// Where the model cache keeps submodels between a GPU and RAM: entries a device budget cannot hold are offloaded to
// RAM and moved back without reading the disk, entries in use or pinned never move, a submodel larger than what is
// left is placed partially or refused with the sizes, and both budgets hold after any sequence of requests.
// Submodels here are plain records that say where they are, so that the policy is checked on any machine; the
// engine's networks move the same way on a GPU (core/engine/tools/cache_check.cpp).
#include "core/engine/cache/model_cache.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

using namespace atelier::engine;

namespace {

// A submodel as the cache sees it: its bytes, and how many of them are on which device.
struct FakeSubmodel
{
    std::string device;
    std::int64_t bytes = 0;
    std::int64_t onDevice = 0;
    int moves = 0;
};

struct FakeLoads
{
    std::atomic<int> fromDisk{0};
    std::chrono::milliseconds moveTime{0};

    CachedLoad<FakeSubmodel> of(std::int64_t bytes, bool canMove = true)
    {
        CachedLoad<FakeSubmodel> how;
        how.load = [this, bytes](const std::string &device) {
            ++fromDisk;
            return std::make_shared<FakeSubmodel>(FakeSubmodel{device, bytes, bytes, 0});
        };
        how.measure = [](const FakeSubmodel &submodel) { return submodel.bytes; };
        if (canMove)
            how.place = [this](FakeSubmodel &submodel, const std::string &device, std::int64_t allowance) {
                std::this_thread::sleep_for(moveTime);
                submodel.device = device;
                submodel.onDevice = allowance == kAllOnDevice ? submodel.bytes : std::min(allowance, submodel.bytes);
                ++submodel.moves;
                return submodel.onDevice;
            };
        return how;
    }
};

SubmodelKey keyOf(const std::string &name, const std::string &device = "cuda:0")
{
    return SubmodelKey{name, "unet", device, "float16", "1@1"};
}

const CacheEntryInfo *entryOf(const CacheSnapshot &snapshot, const std::string &name)
{
    for (const CacheEntryInfo &entry : snapshot.entries)
        if (entry.key.source == name)
            return &entry;
    return nullptr;
}

std::int64_t held(const CacheSnapshot &snapshot, const std::string &device)
{
    const auto found = snapshot.heldBytes.find(device);
    return found == snapshot.heldBytes.end() ? 0 : found->second;
}

} // namespace

class TestCachePolicy : public QObject
{
    Q_OBJECT

private slots:
    // The automatic GPU budget is the card's memory less the working reserve, once the card's memory is known.
    void automaticDeviceBudgetIsTheCardLessTheReserve()
    {
        const std::int64_t GiB = std::int64_t(1) << 30;
        ModelCache cache;
        cache.setBudgets({0, CacheBudgets::kCardLessReserve});
        FakeLoads loads;
        const SubmodelKey first = keyOf("a", "cuda:7");
        // Unknown card: no limit.
        QVERIFY(cache.get(first, 6 * GiB, loads.of(6 * GiB, false)));
        cache.unloadAll();
        cache.setDeviceMemory("cuda:7", 8 * GiB);
        QCOMPARE(cache.snapshot().budgetBytes.at("cuda:7"), 5 * GiB);
        try {
            cache.get(first, 6 * GiB, loads.of(6 * GiB, false));
            QFAIL("a part larger than the card's budget was loaded");
        } catch (const CacheBudgetError &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("cuda:7 budget is 5.00 GiB")),
                     error.what());
        }
        QVERIFY(cache.get(first, 4 * GiB, loads.of(4 * GiB, false)));
        // A card smaller than the reserve still holds a quarter of its memory.
        cache.setDeviceMemory("cuda:7", 2 * GiB);
        QCOMPARE(cache.snapshot().budgetBytes.at("cuda:7"), GiB / 2);
        QCOMPARE(cache.snapshot().entries.size(), std::size_t(1)); // evicted only when room is asked for
    }

    // Requests for one submodel from several threads at once load it once and share it; a failed load leaves
    // nothing behind.
    void concurrentRequestsLoadOnce()
    {
        ModelCache cache;
        FakeLoads loads;
        CachedLoad<FakeSubmodel> slow = loads.of(4);
        slow.load = [&](const std::string &device) {
            ++loads.fromDisk;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            return std::make_shared<FakeSubmodel>(FakeSubmodel{device, 4, 4, 0});
        };
        std::vector<std::shared_ptr<FakeSubmodel>> got(6);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < got.size(); ++i)
            threads.emplace_back([&, i] { got[i] = cache.get(keyOf("a", "cpu"), 4, slow); });
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(loads.fromDisk.load(), 1);
        for (const auto &value : got)
            QVERIFY(value == got.front());
        CachedLoad<FakeSubmodel> failing = loads.of(4);
        failing.load = [](const std::string &) -> std::shared_ptr<FakeSubmodel> {
            throw std::runtime_error("damaged");
        };
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, cache.get(keyOf("broken", "cpu"), 4, failing));
        QCOMPARE(cache.get(keyOf("broken", "cpu"), 4, loads.of(4))->bytes, std::int64_t(4));
    }

    void anOffloadedSubmodelComesBackFromRamNotFromDisk()
    {
        ModelCache cache;
        cache.setBudgets({1000, 100});
        FakeLoads loads;
        std::weak_ptr<FakeSubmodel> a = cache.get(keyOf("a"), 80, loads.of(80));
        CacheFetch fetch;
        std::shared_ptr<FakeSubmodel> b = cache.get(keyOf("b"), 80, loads.of(80), &fetch);
        QVERIFY(fetch.from == CacheFetch::From::Disk);
        QCOMPARE(loads.fromDisk.load(), 2);
        CacheSnapshot snapshot = cache.snapshot();
        QCOMPARE(entryOf(snapshot, "a")->key.device, std::string("cpu"));
        QCOMPARE(a.lock()->device, std::string("cpu"));
        QCOMPARE(held(snapshot, "cuda:0"), std::int64_t(80));
        QCOMPARE(held(snapshot, "cpu"), std::int64_t(80));
        QCOMPARE(snapshot.offloads, std::int64_t(1));
        b.reset();

        const std::shared_ptr<FakeSubmodel> again = cache.get(keyOf("a"), 80, loads.of(80), &fetch);
        QVERIFY(fetch.from == CacheFetch::From::Ram);
        QCOMPARE(fetch.onDevice, std::int64_t(80));
        QCOMPARE(loads.fromDisk.load(), 2);
        QCOMPARE(again->device, std::string("cuda:0"));
        QCOMPARE(again->moves, 2);
        snapshot = cache.snapshot();
        QCOMPARE(entryOf(snapshot, "a")->key.device, std::string("cuda:0"));
        QCOMPARE(entryOf(snapshot, "b")->key.device, std::string("cpu"));
        QCOMPARE(snapshot.reloads, std::int64_t(1));
        QCOMPARE(snapshot.offloads, std::int64_t(2));

        // Asked for again on the device, it is a plain hit.
        cache.get(keyOf("a"), 80, loads.of(80), &fetch);
        QVERIFY(fetch.from == CacheFetch::From::Device);
    }

    void withoutRoomInRamAnOffloadIsADrop()
    {
        ModelCache cache;
        cache.setBudgets({50, 100});
        FakeLoads loads;
        cache.get(keyOf("a"), 80, loads.of(80));
        cache.get(keyOf("b"), 80, loads.of(80));
        const CacheSnapshot snapshot = cache.snapshot();
        QCOMPARE(entryOf(snapshot, "a"), nullptr);
        QCOMPARE(snapshot.offloads, std::int64_t(0));
        QCOMPARE(snapshot.evictions, std::int64_t(1));
        CacheFetch fetch;
        cache.get(keyOf("a"), 80, loads.of(80), &fetch);
        QVERIFY(fetch.from == CacheFetch::From::Disk);
        QCOMPARE(loads.fromDisk.load(), 3);
    }

    void entriesInUseOrPinnedStayAndTheNextOneLoadsPartially()
    {
        ModelCache cache;
        cache.setBudgets({1000, 100});
        FakeLoads loads;
        const std::shared_ptr<FakeSubmodel> held1 = cache.get(keyOf("a"), 50, loads.of(50));
        cache.get(keyOf("pinned"), 30, loads.of(30));
        cache.setPinned(keyOf("pinned"), true);
        CacheFetch fetch;
        const std::shared_ptr<FakeSubmodel> partial = cache.get(keyOf("b"), 60, loads.of(60), &fetch);
        QCOMPARE(fetch.onDevice, std::int64_t(20));
        QCOMPARE(fetch.bytes, std::int64_t(60));
        // Loaded in RAM, then what fits placed on the device.
        QCOMPARE(partial->device, std::string("cuda:0"));
        QCOMPARE(partial->onDevice, std::int64_t(20));
        const CacheSnapshot snapshot = cache.snapshot();
        QCOMPARE(entryOf(snapshot, "a")->key.device, std::string("cuda:0"));
        QCOMPARE(entryOf(snapshot, "pinned")->key.device, std::string("cuda:0"));
        QCOMPARE(entryOf(snapshot, "b")->onDevice, std::int64_t(20));
        QCOMPARE(held(snapshot, "cuda:0"), std::int64_t(100));
        QCOMPARE(held(snapshot, "cpu"), std::int64_t(40));
    }

    void aSubmodelThatCannotBePlacedIsRefusedWithTheSizes()
    {
        ModelCache cache;
        cache.setBudgets({20, 100});
        FakeLoads loads;
        cache.get(keyOf("idle", "cpu"), 10, loads.of(10));
        const std::shared_ptr<FakeSubmodel> inUse = cache.get(keyOf("a"), 50, loads.of(50));
        try {
            cache.get(keyOf("b"), 80, loads.of(80));
            QFAIL("a submodel whose rest RAM cannot hold was loaded");
        } catch (const CacheBudgetError &error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("needs"), qPrintable(message));
            QVERIFY2(message.contains("RAM budget"), qPrintable(message));
            QVERIFY2(message.contains("stay in RAM"), qPrintable(message));
        }
        // One that cannot move at all is refused outright, and nothing is read.
        try {
            cache.get(keyOf("c"), 80, loads.of(80, false));
            QFAIL("a submodel that cannot be split was loaded past the budget");
        } catch (const CacheBudgetError &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("cuda:0 budget"), error.what());
        }
        // Nothing was evicted for the room that could not be made.
        QCOMPARE(loads.fromDisk.load(), 2);
        const CacheSnapshot snapshot = cache.snapshot();
        QCOMPARE(snapshot.entries.size(), std::size_t(2));
        QVERIFY(entryOf(snapshot, "idle"));
        QCOMPARE(snapshot.evictions, std::int64_t(0));
        QCOMPARE(held(snapshot, "cpu"), std::int64_t(10));
    }

    // What a partial load keeps in RAM is freed, with the whole entry, when RAM needs room and nothing uses it.
    void idlePartialLoadsGiveWayInRam()
    {
        ModelCache cache;
        cache.setBudgets({50, 100});
        FakeLoads loads;
        const std::shared_ptr<FakeSubmodel> inUse = cache.get(keyOf("a"), 80, loads.of(80));
        cache.get(keyOf("b"), 60, loads.of(60)); // 20 on the device, 40 in RAM
        QCOMPARE(held(cache.snapshot(), "cpu"), std::int64_t(40));
        QVERIFY(cache.get(keyOf("c", "cpu"), 30, loads.of(30)));
        const CacheSnapshot snapshot = cache.snapshot();
        QCOMPARE(entryOf(snapshot, "b"), nullptr);
        QCOMPARE(held(snapshot, "cpu"), std::int64_t(30));
    }

    void concurrentRequestsForAMovingSubmodelMoveItOnce()
    {
        ModelCache cache;
        cache.setBudgets({1000, 100});
        FakeLoads loads;
        cache.get(keyOf("a"), 80, loads.of(80));
        cache.get(keyOf("b"), 80, loads.of(80)); // a offloaded
        loads.moveTime = std::chrono::milliseconds(50);
        std::vector<std::shared_ptr<FakeSubmodel>> got(4);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < got.size(); ++i)
            threads.emplace_back([&, i] { got[i] = cache.get(keyOf("a"), 80, loads.of(80)); });
        for (std::thread &thread : threads)
            thread.join();
        for (const auto &value : got)
            QCOMPARE(value.get(), got.front().get());
        QCOMPARE(got.front()->device, std::string("cuda:0"));
        QCOMPARE(loads.fromDisk.load(), 2);
        QCOMPARE(cache.snapshot().reloads, std::int64_t(1));
    }

    void budgetsHoldAfterAnySequenceOfRequests()
    {
        ModelCache cache;
        cache.setBudgets({300, 200});
        FakeLoads loads;
        std::mt19937 random(7);
        std::map<std::string, std::shared_ptr<FakeSubmodel>> holding;
        std::map<std::string, std::weak_ptr<FakeSubmodel>> values;
        const std::map<std::string, std::int64_t> sizes{{"a", 90}, {"b", 120}, {"c", 40}, {"d", 150}, {"e", 70}};
        int refused = 0;
        for (int step = 0; step < 400; ++step) {
            auto model = sizes.begin();
            std::advance(model, random() % sizes.size());
            // Now and then a run keeps what it asked for, and lets go of another.
            if (random() % 4 == 0 && !holding.empty())
                holding.erase(holding.begin());
            try {
                auto value = cache.get(keyOf(model->first), model->second, loads.of(model->second));
                values[model->first] = value;
                if (random() % 3 == 0)
                    holding[model->first] = value;
            } catch (const CacheBudgetError &) {
                ++refused;
            }
            const CacheSnapshot snapshot = cache.snapshot();
            QVERIFY2(held(snapshot, "cuda:0") <= 200, qPrintable(QString("step %1").arg(step)));
            QVERIFY2(held(snapshot, "cpu") <= 300, qPrintable(QString("step %1").arg(step)));
            // Every entry is where the snapshot says.
            for (const CacheEntryInfo &entry : snapshot.entries) {
                const auto value = values[entry.key.source].lock();
                QVERIFY(value);
                QCOMPARE(value->device, entry.key.device);
                QCOMPARE(value->onDevice, entry.onDevice);
            }
        }
        const CacheSnapshot snapshot = cache.snapshot();
        qInfo("%lld loads, %lld hits, %lld offloads, %lld reloads, %lld evictions, %d refused",
              (long long)snapshot.loads, (long long)snapshot.hits, (long long)snapshot.offloads,
              (long long)snapshot.reloads, (long long)snapshot.evictions, refused);
        QVERIFY(snapshot.offloads > 10);
        QVERIFY(snapshot.reloads > 10);
        QVERIFY(refused < 400);
    }
};

QTEST_GUILESS_MAIN(TestCachePolicy)
#include "test_cache_policy.moc"
