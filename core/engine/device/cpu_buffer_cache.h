#pragma once

// Large CPU working buffers kept for reuse while a run lasts: PyTorch's caching-allocator idea, for the CPU.
//
// glibc hands every block over its mmap threshold (32 MB at most) to the kernel and takes it back when freed, so
// each attention score matrix, each VAE activation and each UNet feature map of a denoising step is a fresh mapping
// whose every page faults on first touch; at 384x384 that was a third of the run. While a scope below is alive,
// CPU tensors of 1 MiB or more are freed into a cache keyed by their exact size, and the next tensor of that size
// (the same layer at the next step) gets the same, already mapped, memory; smaller blocks stay on glibc's heap, which
// is not trimmed while a scope lives. When the last scope ends the cache and the heap's free top go back to the
// system, so that an idle application holds nothing.
#include <cstddef>
#include <cstdint>

namespace atelier::engine {

struct CpuBufferCacheStats
{
    std::uint64_t reused = 0;        // allocations served from the cache
    std::uint64_t fresh = 0;         // large allocations the system served
    std::size_t cachedBytes = 0;     // held for reuse now
    std::size_t peakCachedBytes = 0; // most held at once since the cache was last emptied
};

// Makes the engine's allocator libtorch's CPU allocator (once per process; later calls do nothing). Outside a scope
// it allocates and frees as libtorch's own does, 64-byte aligned.
void installCpuBufferCache();

// While at least one is alive (any thread), large CPU buffers are kept for reuse. Installs the allocator.
class CpuBufferCacheScope
{
public:
    CpuBufferCacheScope();
    ~CpuBufferCacheScope();
    CpuBufferCacheScope(const CpuBufferCacheScope &) = delete;
    CpuBufferCacheScope &operator=(const CpuBufferCacheScope &) = delete;
};

CpuBufferCacheStats cpuBufferCacheStats();

} // namespace atelier::engine
