#pragma once

#include <cstdint>
#include <string>
#include <vector>

// What the libtorch runtime offers this process. Plain standard types only, so that Qt code can include this
// header without libtorch's headers.
namespace atelier::engine {

enum class DeviceKind { Cpu, Cuda };

struct DeviceInfo
{
    DeviceKind kind = DeviceKind::Cpu;
    int index = 0;       // CUDA ordinal; 0 for the CPU
    std::string id;      // "cpu", "cuda:0" ... as accepted by --device and the settings
    std::string name;    // shown to users
};

// The libtorch version this build runs on, e.g. "1.13.1".
std::string libtorchVersion();

// True when this libtorch was built with CUDA and at least one CUDA device is usable.
bool cudaAvailable();

// The CPU first, then every usable CUDA device.
std::vector<DeviceInfo> availableDevices();

} // namespace atelier::engine
