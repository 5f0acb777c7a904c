#pragma once

// What the built-in nodes work in, the same for `atelier run` and the window: the model library, the models
// folder, the root's input, output and temp folders, and the device and precision the settings ask for.
#include "core/nodes/node_environment.h"

namespace atelier::models {
class RecordStore;
}
namespace atelier::settings {
class AppRoot;
class SettingsStore;
} // namespace atelier::settings

namespace atelier::app {

// `outputs` empty: the root's outputs folder.
nodes::NodeEnvironment nodeEnvironment(const settings::AppRoot &root, const settings::SettingsStore &settings,
                                       models::RecordStore &store, const QString &outputs = {});

} // namespace atelier::app
