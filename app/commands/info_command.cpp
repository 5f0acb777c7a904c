#include "app/command.h"

#include "core/engine/client/engine_client.h"
#include "core/generation/cache_budgets.h"
#include "core/logging/log.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"
#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"

#include <nlohmann/json.hpp>

namespace atelier::app {

namespace {

// What info reports, gathered once for both of its forms.
struct InfoFacts
{
    std::vector<engine::DeviceInfo> devices;
    std::string libtorchVersion;
    std::string engineProblem; // set when the engine's library could not be loaded
    settings::ComputeChoice compute;
    Status libraryOpened;
    int modelCount = -1;
    QString schema;
};

InfoFacts gatherFacts(CommandContext &context)
{
    InfoFacts facts;
    // The engine is loaded for this: info is where users look when it does not load.
    try {
        facts.devices = engine::client::availableDevices();
        facts.libtorchVersion = engine::client::libtorchVersion();
    } catch (const engine::Error &error) {
        facts.engineProblem = error.what();
    }
    facts.compute = settings::chooseCompute(context.settings.current(), facts.devices);
    // Whether the model library can be used, and how many models it holds.
    models::RecordStore library(context.root.databasePath());
    facts.libraryOpened = library.open();
    facts.schema = library.version();
    if (facts.libraryOpened) {
        models::ModelQuery countOnly;
        countOnly.limit = 1;
        if (const auto page = library.browse(countOnly))
            facts.modelCount = page->total;
    }
    return facts;
}

void printJson(CommandContext &context, const InfoFacts &facts)
{
    using json = nlohmann::ordered_json;
    const settings::AppRoot &root = context.root;
    json object;
    object["atelier_version"] = ATELIER_VERSION;
    object["qt_version"] = qVersion();
    object["root"] = root.path().toStdString();
    object["database"] = root.databasePath().toStdString();
    object["models_dir"] = context.settings.modelsDir().toStdString();
    object["settings"] = root.settingsPath().toStdString();
    object["log_file"] = logging::logFilePath().toStdString();
    object["libtorch_version"] = facts.engineProblem.empty() ? json(facts.libtorchVersion) : json();
    if (!facts.engineProblem.empty())
        object["engine_error"] = facts.engineProblem;
    object["devices"] = json::array();
    for (const engine::DeviceInfo &device : facts.devices)
        object["devices"].push_back({{"id", device.id},
                                     {"name", device.name},
                                     {"kind", device.kind == engine::DeviceKind::Cuda ? "cuda" : "cpu"}});
    object["library"] = {{"models", facts.modelCount >= 0 ? json(facts.modelCount) : json()},
                         {"schema", facts.schema.toStdString()},
                         {"error", facts.libraryOpened ? json() : json(facts.libraryOpened.error().toStdString())}};
    const engine::CacheBudgets budgets = generation::cacheBudgetsOf(context.settings.current());
    object["model_cache"] = {{"ram_bytes", budgets.ramBytes}, {"device_bytes", budgets.deviceBytes}};
    object["compute"] = {{"device", facts.compute.device.id},
                         {"precision", facts.compute.precision.toStdString()},
                         {"note", facts.compute.note.toStdString()}};
    context.out << QString::fromStdString(object.dump(2)) << "\n";
}

void printText(CommandContext &context, const InfoFacts &facts)
{
    const settings::AppRoot &root = context.root;
    const auto row = [&](const QString &label, const QString &value) {
        context.out << label.leftJustified(16) << value << "\n";
    };
    row(QStringLiteral("Atelier"), QStringLiteral(ATELIER_VERSION));
    row(QStringLiteral("root"), root.path());
    row(QStringLiteral("database"), root.databasePath());
    row(QStringLiteral("library"),
        facts.libraryOpened ? QStringLiteral("%1 models").arg(facts.modelCount) : facts.libraryOpened.error());
    row(QStringLiteral("models folder"), context.settings.modelsDir());
    row(QStringLiteral("settings"), root.settingsPath());
    row(QStringLiteral("log file"), logging::logFilePath());
    row(QStringLiteral("Qt"), QString::fromLatin1(qVersion()));
    row(QStringLiteral("libtorch"),
        QString::fromStdString(facts.engineProblem.empty() ? facts.libtorchVersion : facts.engineProblem));
    for (size_t i = 0; i < facts.devices.size(); ++i) {
        row(i == 0 ? QStringLiteral("devices") : QString(),
            QStringLiteral("%1  %2").arg(QString::fromStdString(facts.devices[i].id).leftJustified(8),
                                         QString::fromStdString(facts.devices[i].name)));
    }
    const engine::CacheBudgets budgets = generation::cacheBudgetsOf(context.settings.current());
    row(QStringLiteral("model cache"), QStringLiteral("RAM %1, each GPU %2 (Settings → Cache)")
                                           .arg(QString::fromStdString(generation::budgetText(budgets.ramBytes)),
                                                QString::fromStdString(generation::budgetText(budgets.deviceBytes))));
    row(QStringLiteral("compute"), facts.compute.label());
    if (!facts.compute.note.isEmpty())
        row(QString(), facts.compute.note);
}

} // namespace

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
    const InfoFacts facts = gatherFacts(context);
    if (parser.isSet(json))
        printJson(context, facts);
    else
        printText(context, facts);
    return kExitOk;
}

} // namespace atelier::app
