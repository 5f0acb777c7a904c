#include "core/engine/device/cpu_buffer_cache.h"

#include <torch/torch.h>

#include <QtTest>

using namespace atelier::engine;

// The CPU buffer cache: large buffers come back while a run lasts, nothing is held after it, small ones are never
// kept, and tensors outliving their run are freed normally.
class TestCpuBufferCache : public QObject
{
    Q_OBJECT

    static constexpr std::int64_t kLarge = 1 << 20; // floats: 4 MiB

private slots:
    void reusesLargeBuffersWithinARun()
    {
        const CpuBufferCacheScope run;
        const CpuBufferCacheStats before = cpuBufferCacheStats();
        const void *first = nullptr;
        {
            const torch::Tensor scores = torch::empty({kLarge});
            first = scores.data_ptr();
            QCOMPARE(reinterpret_cast<std::uintptr_t>(first) % 64, std::uintptr_t(0));
        }
        QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(kLarge * 4));
        const torch::Tensor again = torch::ones({kLarge});
        QCOMPARE(static_cast<const void *>(again.data_ptr()), first);
        QCOMPARE(again.sum().item<double>(), double(kLarge)); // reused memory is written as any other
        QCOMPARE(cpuBufferCacheStats().reused, before.reused + 1);
        QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(0));
        // Another size is not served from a block of this one.
        {
            const torch::Tensor other = torch::empty({kLarge});
        }
        const torch::Tensor larger = torch::empty({kLarge + 16});
        QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(kLarge * 4));
    }

    void keepsNothingAfterTheRunNorSmallBuffers()
    {
        torch::Tensor outlives;
        {
            const CpuBufferCacheScope run;
            {
                const torch::Tensor small = torch::empty({1000});
            }
            QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(0));
            {
                const torch::Tensor large = torch::empty({kLarge});
            }
            {
                const CpuBufferCacheScope nested; // a second run at the same time keeps the cache alive
            }
            QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(kLarge * 4));
            outlives = torch::full({kLarge * 2}, 3.0);
        }
        QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(0));
        QCOMPARE(outlives.sum().item<double>(), 3.0 * 2 * kLarge);
        outlives = torch::Tensor(); // freed outside any run: back to the system
        QCOMPARE(cpuBufferCacheStats().cachedBytes, std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestCpuBufferCache)
#include "test_cpu_buffer_cache.moc"
