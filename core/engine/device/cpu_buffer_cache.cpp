#include "core/engine/device/cpu_buffer_cache.h"

#include <malloc.h>

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace atelier::engine {

namespace {

// Each block starts with its size, so that freeing needs no lookup; 64 bytes keep the data as aligned as
// libtorch's own allocator does (and as its vectorised kernels expect).
constexpr std::size_t kAlignment = 64;
constexpr std::size_t kHeader = 64;
constexpr std::size_t kSmallestCached = std::size_t(1) << 20;

// A run's working set is far below this; a cache that grows past it (sizes that never come back) frees instead.
std::size_t cacheCeiling()
{
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    const std::size_t quarterOfMemory = pages > 0 && pageSize > 0 ? std::size_t(pages) * std::size_t(pageSize) / 4 : 0;
    return std::max<std::size_t>(std::size_t(1) << 30, quarterOfMemory);
}

struct Cache
{
    std::mutex mutex;
    int scopes = 0;
    std::unordered_map<std::size_t, std::vector<void *>> freeBlocks; // by size, of blocks whose data is unused
    CpuBufferCacheStats stats;

    void releaseAll() // with the mutex held
    {
        for (auto &[size, blocks] : freeBlocks)
            for (void *block : blocks)
                std::free(block);
        freeBlocks.clear();
        stats.cachedBytes = 0;
        stats.peakCachedBytes = 0;
    }
};

Cache &cache()
{
    static Cache *instance = new Cache; // never destroyed: tensors may be freed during exit
    return *instance;
}

void *allocateBlock(std::size_t bytes)
{
    if (bytes == 0)
        return nullptr;
    if (bytes >= kSmallestCached) {
        Cache &c = cache();
        std::lock_guard<std::mutex> lock(c.mutex);
        if (c.scopes > 0) {
            const auto found = c.freeBlocks.find(bytes);
            if (found != c.freeBlocks.end() && !found->second.empty()) {
                void *block = found->second.back();
                found->second.pop_back();
                c.stats.cachedBytes -= bytes;
                ++c.stats.reused;
                return static_cast<char *>(block) + kHeader;
            }
            ++c.stats.fresh;
        }
    }
    void *block = nullptr;
    if (posix_memalign(&block, kAlignment, bytes + kHeader) != 0 || !block)
        TORCH_CHECK_WITH(OutOfMemoryError, false, "the CPU has no ", bytes, " bytes left to allocate");
    std::memcpy(block, &bytes, sizeof bytes);
    return static_cast<char *>(block) + kHeader;
}

void freeBlock(void *data)
{
    if (!data)
        return;
    void *block = static_cast<char *>(data) - kHeader;
    std::size_t bytes = 0;
    std::memcpy(&bytes, block, sizeof bytes);
    if (bytes >= kSmallestCached) {
        Cache &c = cache();
        std::lock_guard<std::mutex> lock(c.mutex);
        static const std::size_t ceiling = cacheCeiling();
        if (c.scopes > 0 && c.stats.cachedBytes + bytes <= ceiling) {
            c.freeBlocks[bytes].push_back(block);
            c.stats.cachedBytes += bytes;
            c.stats.peakCachedBytes = std::max(c.stats.peakCachedBytes, c.stats.cachedBytes);
            return;
        }
    }
    std::free(block);
}

// libtorch 2.3 made allocate() non-const and copy_data() a duty of every allocator.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define ATELIER_ALLOCATE_CONST
#define ATELIER_ALLOCATOR_COPIES 1
#else
#define ATELIER_ALLOCATE_CONST const
#define ATELIER_ALLOCATOR_COPIES 0
#endif

class CachingCpuAllocator final : public c10::Allocator
{
public:
    c10::DataPtr allocate(std::size_t bytes) ATELIER_ALLOCATE_CONST override
    {
        void *data = allocateBlock(bytes);
        return {data, data, &freeBlock, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &freeBlock; }
#if ATELIER_ALLOCATOR_COPIES
    void copy_data(void *dest, const void *src, std::size_t count) const override
    {
        default_copy_data(dest, src, count);
    }
#endif
};

} // namespace

void installCpuBufferCache()
{
    static const bool installed = [] {
        static CachingCpuAllocator allocator;
        // Above the priority of libtorch's default CPU allocator, which registers itself with 0.
        c10::SetCPUAllocator(&allocator, 1);
        return true;
    }();
    (void)installed;
}

namespace {

// The blocks under the cache's threshold come from glibc's heap, which it trims back to the system whenever 128 KiB
// are free at its top; within a run that is every few tensors, and each time the pages fault in again (tiny-sd1 at
// 256x256: 2.1 s a run against 1.7 s without trimming, medians of five). While a run lasts the heap keeps what it
// grew to; afterwards glibc's defaults come back and the heap is trimmed, so that an idle application holds
// nothing. (Setting these turns off glibc's moving mmap threshold for the process; blocks over 1 MiB come from the
// cache in runs anyway.)
void keepHeapWhileRunning(bool running)
{
#ifdef __GLIBC__
    constexpr int kGlibcDefault = 128 * 1024;
    mallopt(M_TRIM_THRESHOLD, running ? 512 * 1024 * 1024 : kGlibcDefault);
    mallopt(M_TOP_PAD, running ? 64 * 1024 * 1024 : kGlibcDefault);
    if (!running)
        malloc_trim(0);
#else
    (void)running;
#endif
}

} // namespace

CpuBufferCacheScope::CpuBufferCacheScope()
{
    installCpuBufferCache();
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.scopes++ == 0)
        keepHeapWhileRunning(true);
}

CpuBufferCacheScope::~CpuBufferCacheScope()
{
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (--c.scopes == 0) {
        c.releaseAll();
        keepHeapWhileRunning(false);
    }
}

CpuBufferCacheStats cpuBufferCacheStats()
{
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    return c.stats;
}

} // namespace atelier::engine
