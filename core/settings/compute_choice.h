#pragma once

#include "core/engine/device/device_info.h"
#include "core/settings/settings.h"

#include <QString>

#include <vector>

namespace atelier::settings {

// The device and precision a run will use, given the settings and what the runtime offers.
struct ComputeChoice
{
    engine::DeviceInfo device;
    QString precision;  // "fp32", "fp16" or "bf16": never "auto"
    QString note;       // why the choice differs from the setting, e.g. CUDA asked for but not available

    // "CPU (16 threads) · fp32", for the status bar and `atelier info`.
    QString label() const;
};

// A device as the interface names it, in its language: "CPU (16 threads)", "NVIDIA GeForce RTX 4090, 24 GiB".
QString deviceName(const engine::DeviceInfo &device);

ComputeChoice chooseCompute(const Settings &settings, const std::vector<engine::DeviceInfo> &devices);

} // namespace atelier::settings
