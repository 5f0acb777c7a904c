#pragma once

#include "core/engine/device/device_info.h"

#include <QString>

#include <vector>

namespace atelier::ui {

// What the window knows of the inference engine, which loads in the background after the window first paints.
struct EngineStatus
{
    enum class State { Starting, Ready, Unavailable };
    State state = State::Starting;
    std::vector<engine::DeviceInfo> devices; // when Ready
    QString libtorchVersion;                 // when Ready
    QString problem;                         // when Unavailable: why, for users
};

} // namespace atelier::ui
