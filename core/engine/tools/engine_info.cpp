// atelier_engine_info: what the engine's runtime offers on this machine (libtorch version and devices). Builds in
// the engine-only configuration, so it also checks a CUDA libtorch without Qt.

#include "core/engine/device/runtime.h"

#include <cstdio>

int main()
{
    using namespace atelier::engine;
    std::printf("libtorch %s\n", libtorchVersion().c_str());
    std::printf("CUDA available: %s\n", cudaAvailable() ? "yes" : "no");
    for (const DeviceInfo &device : availableDevices())
        std::printf("  %-8s %s\n", device.id.c_str(), device.name.c_str());
    return 0;
}
