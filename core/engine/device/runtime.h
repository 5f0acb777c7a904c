#pragma once

#include "core/engine/device/device_info.h"

#include <cstdint>
#include <string>
#include <vector>

// What the libtorch runtime offers this process: for the engine's own code (the layers above ask the engine's
// library, through client/engine_client.h).
namespace atelier::engine {

// The libtorch version this build runs on, e.g. "1.13.1".
std::string libtorchVersion();

// True when this libtorch was built with CUDA and at least one CUDA device is usable.
bool cudaAvailable();

// The CPU first, then every usable CUDA device.
std::vector<DeviceInfo> availableDevices();

// A CUDA device's memory in bytes; 0 for the CPU, or where this libtorch has no CUDA.
std::int64_t deviceMemoryBytes(const DeviceInfo &device);

// What CUDA device `index` can still allocate: the driver's free memory and what libtorch's caching allocator
// holds unused; 0 where this libtorch has no CUDA.
std::int64_t deviceFreeBytes(int index);

} // namespace atelier::engine
