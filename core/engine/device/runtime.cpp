#include "core/engine/device/runtime.h"

#include <torch/cuda.h>
#include <torch/version.h>

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
    devices.push_back({DeviceKind::Cpu, 0, "cpu", "CPU (" + std::to_string(threads) + " threads)"});
    if (torch::cuda::is_available()) {
        const auto count = static_cast<int>(torch::cuda::device_count());
        for (int i = 0; i < count; ++i) {
            devices.push_back({DeviceKind::Cuda, i, "cuda:" + std::to_string(i),
                               "CUDA device " + std::to_string(i)});
        }
    }
    return devices;
}

} // namespace atelier::engine
