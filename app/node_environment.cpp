#include "app/node_environment.h"

#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

namespace atelier::app {

nodes::NodeEnvironment nodeEnvironment(const settings::AppRoot &root, const settings::SettingsStore &settings,
                                       models::RecordStore &store, const QString &outputs)
{
    nodes::NodeEnvironment environment;
    environment.library = {&store, settings.modelsDir()};
    environment.inputDir = root.inputDir();
    environment.outputDir = outputs.isEmpty() ? root.outputsDir() : outputs;
    environment.tempDir = root.tempDir();
    environment.compute->set(settings.current().device, settings.current().precision);
    return environment;
}

} // namespace atelier::app
