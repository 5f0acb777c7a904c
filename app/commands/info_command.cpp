#include "app/command.h"

#include "core/engine/client/engine_client.h"
#include "core/logging/log.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"
#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"

#include <nlohmann/json.hpp>

namespace atelier::app {

// `atelier info [--json]`: where everything lives and what the runtime offers.
int runInfoCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    parser.addOption(json);
    if (const int done = parseCommandArguments(
            parser, context, QStringLiteral("Show the root, database, models folder, libtorch version and devices."));
        done >= 0)
        return done;
    if (!parser.positionalArguments().isEmpty()) {
        context.err << "atelier info: unexpected argument '" << parser.positionalArguments().first() << "'\n";
        return kExitUsage;
    }

    // The engine is loaded for this: info is where users look when it does not load.
    std::vector<engine::DeviceInfo> devices;
    std::string libtorchVersion, engineProblem;
    try {
        devices = engine::client::availableDevices();
        libtorchVersion = engine::client::libtorchVersion();
    } catch (const engine::Error &error) {
        engineProblem = error.what();
    }
    const settings::ComputeChoice compute = settings::chooseCompute(context.settings.current(), devices);
    const settings::AppRoot &root = context.root;

    // Whether the model library can be used, and how many models it holds.
    models::RecordStore library(root.databasePath());
    const Status libraryOpened = library.open();
    int modelCount = -1;
    if (libraryOpened) {
        models::ModelQuery countOnly;
        countOnly.limit = 1;
        if (const auto page = library.browse(countOnly))
            modelCount = page->total;
    }

    if (parser.isSet(json)) {
        nlohmann::ordered_json object;
        object["atelier_version"] = ATELIER_VERSION;
        object["qt_version"] = qVersion();
        object["root"] = root.path().toStdString();
        object["database"] = root.databasePath().toStdString();
        object["models_dir"] = context.settings.modelsDir().toStdString();
        object["settings"] = root.settingsPath().toStdString();
        object["log_file"] = logging::logFilePath().toStdString();
        object["libtorch_version"] =
            engineProblem.empty() ? nlohmann::ordered_json(libtorchVersion) : nlohmann::ordered_json();
        if (!engineProblem.empty())
            object["engine_error"] = engineProblem;
        object["devices"] = nlohmann::ordered_json::array();
        for (const engine::DeviceInfo &device : devices) {
            object["devices"].push_back({{"id", device.id},
                                         {"name", device.name},
                                         {"kind", device.kind == engine::DeviceKind::Cuda ? "cuda" : "cpu"}});
        }
        object["library"] = {{"models", modelCount >= 0 ? nlohmann::ordered_json(modelCount) : nlohmann::ordered_json()},
                             {"schema", library.version().toStdString()},
                             {"error", libraryOpened ? nlohmann::ordered_json() : nlohmann::ordered_json(libraryOpened.error().toStdString())}};
        object["compute"] = {{"device", compute.device.id},
                             {"precision", compute.precision.toStdString()},
                             {"note", compute.note.toStdString()}};
        context.out << QString::fromStdString(object.dump(2)) << "\n";
        return kExitOk;
    }

    const auto row = [&](const QString &label, const QString &value) {
        context.out << label.leftJustified(16) << value << "\n";
    };
    row(QStringLiteral("Atelier"), QStringLiteral(ATELIER_VERSION));
    row(QStringLiteral("root"), root.path());
    row(QStringLiteral("database"), root.databasePath());
    row(QStringLiteral("library"), libraryOpened ? QStringLiteral("%1 models").arg(modelCount) : libraryOpened.error());
    row(QStringLiteral("models folder"), context.settings.modelsDir());
    row(QStringLiteral("settings"), root.settingsPath());
    row(QStringLiteral("log file"), logging::logFilePath());
    row(QStringLiteral("Qt"), QString::fromLatin1(qVersion()));
    row(QStringLiteral("libtorch"), QString::fromStdString(engineProblem.empty() ? libtorchVersion : engineProblem));
    for (size_t i = 0; i < devices.size(); ++i) {
        row(i == 0 ? QStringLiteral("devices") : QString(),
            QStringLiteral("%1  %2").arg(QString::fromStdString(devices[i].id).leftJustified(8),
                                         QString::fromStdString(devices[i].name)));
    }
    row(QStringLiteral("compute"), compute.label());
    if (!compute.note.isEmpty())
        row(QString(), compute.note);
    return kExitOk;
}

} // namespace atelier::app
