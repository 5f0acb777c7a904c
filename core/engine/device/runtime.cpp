#include "core/engine/device/runtime.h"

#include <torch/cuda.h>
#include <torch/version.h>

#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAContext.h>
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

} // namespace atelier::engine
