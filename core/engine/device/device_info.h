#pragma once

#include <string>

// A compute device as the layers above the engine see it. Plain standard types only.
namespace atelier::engine {

enum class DeviceKind { Cpu, Cuda };

struct DeviceInfo
{
    DeviceKind kind = DeviceKind::Cpu;
    int index = 0;    // CUDA ordinal; 0 for the CPU
    std::string id;   // "cpu", "cuda:0" ... as accepted by --device and the settings
    std::string name; // shown to users
    int threads = 0;  // the CPU's compute threads; 0 for a CUDA device
};

} // namespace atelier::engine
