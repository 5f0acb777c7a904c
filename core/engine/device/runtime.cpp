#include "core/engine/device/runtime.h"

#include <torch/cuda.h>
#include <torch/version.h>

#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

#include <cstdio>
#include <thread>

namespace atelier::engine {

std::string libtorchVersion()
{
    return TORCH_VERSION;
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::vector<DeviceInfo> availableDevices()
{
    std::vector<DeviceInfo> devices;
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    devices.push_back({DeviceKind::Cpu, 0, "cpu", "CPU (" + std::to_string(threads) + " threads)", int(threads)});
    if (torch::cuda::is_available()) {
        const auto count = static_cast<int>(torch::cuda::device_count());
        for (int i = 0; i < count; ++i) {
            DeviceInfo device{DeviceKind::Cuda, i, "cuda:" + std::to_string(i), "CUDA device " + std::to_string(i)};
#ifdef ATELIER_ENGINE_CUDA
            char memory[32];
            std::snprintf(memory, sizeof memory, ", %.0f GiB", double(deviceMemoryBytes(device)) / double(1 << 30));
            device.name = at::cuda::getDeviceProperties(i)->name + std::string(memory);
#endif
            devices.push_back(device);
        }
    }
    return devices;
}

std::int64_t deviceMemoryBytes(const DeviceInfo &device)
{
#ifdef ATELIER_ENGINE_CUDA
    if (device.kind == DeviceKind::Cuda)
        return std::int64_t(at::cuda::getDeviceProperties(device.index)->totalGlobalMem);
#endif
    (void)device;
    return 0;
}

std::int64_t deviceFreeBytes(int index)
{
#ifdef ATELIER_ENGINE_CUDA
    const c10::cuda::CUDAGuard onDevice(static_cast<c10::DeviceIndex>(index));
    std::size_t freeBytes = 0, totalBytes = 0;
    if (cudaMemGetInfo(&freeBytes, &totalBytes) != cudaSuccess)
        return 0;
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
    return std::int64_t(freeBytes) + stats.reserved_bytes[0].current - stats.allocated_bytes[0].current;
#else
    (void)index;
    return 0;
#endif
}

} // namespace atelier::engine
