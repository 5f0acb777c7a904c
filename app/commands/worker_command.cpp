// `atelier worker`: this machine as a member of a render farm on Redis Streams (core/farm).
#include "app/command.h"
#include "app/farm_arguments.h"
#include "app/node_environment.h"

#include "core/engine/client/engine_client.h"
#include "core/farm/farm_worker.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/app_root.h"
#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"

#include <QDateTime>
#include <QDir>
#include <QSysInfo>

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace atelier::app {

namespace {

std::atomic_bool g_stopWorker{false};

void onStopSignal(int)
{
    g_stopWorker = true;
}

} // namespace

int runWorkerCommand(CommandContext &context)
{
    QCommandLineParser parser;
    FarmArguments farm(parser);
    const QCommandLineOption name(QStringLiteral("name"),
                                  QStringLiteral("This worker's name in the farm (default: host name and process id)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption device(
        QStringLiteral("device"), QStringLiteral("Run the graphs here: cpu, cuda or cuda:N (default: the settings')."),
        QStringLiteral("DEVICE"));
    const QCommandLineOption maxJobs(QStringLiteral("max-jobs"),
                                     QStringLiteral("Leave after this many jobs (default: run until stopped)."),
                                     QStringLiteral("N"));
    parser.addOptions({name, device, maxJobs});
    if (const int code = parseCommandArguments(
            parser, context,
            QStringLiteral("Run jobs from a render farm on Redis Streams, one at a time, until stopped (SIGTERM, "
                           "Ctrl+C: the running job goes back to the farm)."));
        code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty()) {
        context.err << "atelier worker: takes no arguments\nTry 'atelier worker --help'.\n";
        return kExitUsage;
    }
    const Result<farm::RedisAddress> address = farm.address(context);
    if (!address) {
        context.err << "atelier worker: " << address.error() << "\n";
        return kExitUsage;
    }
    bool numeric = true;
    const int jobs = parser.isSet(maxJobs) ? parser.value(maxJobs).toInt(&numeric) : 0;
    if (!numeric || jobs < 0) {
        context.err << "atelier worker: --max-jobs takes a number of jobs\n";
        return kExitUsage;
    }

    settings::Settings preferences = context.settings.current();
    if (parser.isSet(device))
        preferences.device = parser.value(device);
    std::vector<engine::DeviceInfo> devices;
    try {
        devices = engine::client::availableDevices();
    } catch (const engine::Error &error) {
        context.err << "atelier worker: the engine cannot be loaded: " << error.what() << "\n";
        return kExitFailure;
    }
    const settings::ComputeChoice compute = settings::chooseCompute(preferences, devices);
    if (!compute.note.isEmpty())
        context.err << "atelier worker: " << compute.note << "\n";

    farm::WorkerOptions options;
    options.address = address.value();
    options.keys = farm.keys();
    options.name = parser.isSet(name) ? parser.value(name)
                                      : QStringLiteral("%1-%2").arg(QSysInfo::machineHostName()).arg(::getpid());
    options.device = compute.label();
    options.reclaimAfter = std::chrono::seconds(preferences.farmReclaimSeconds);
    options.maxAttempts = preferences.farmMaxAttempts;
    options.maxJobs = jobs;

    models::RecordStore store(context.root.databasePath());
    (void)store.open(); // a library that cannot be opened fails the lookups that need it, with its reason
    // Images are written to a scratch folder of this worker's and removed once they are on the result stream.
    nodes::NodeEnvironment environment = app::nodeEnvironment(
        context.root, context.settings, store,
        QDir(context.root.tempDir()).filePath(QStringLiteral("farm-") + QString(options.name).replace('/', '_')));
    environment.device = QString::fromStdString(compute.device.id);
    environment.precision = compute.precision;
    farm::FarmWorker worker(options, nodes::builtInNodes(environment), environment);

    g_stopWorker = false;
    const auto previousTerm = std::signal(SIGTERM, onStopSignal);
    const auto previousInt = std::signal(SIGINT, onStopSignal);
    const Status served = worker.run(g_stopWorker, [&context](const QString &line) {
        context.err << QDateTime::currentDateTime().toString(Qt::ISODate) << " " << line << "\n";
        context.err.flush();
    });
    std::signal(SIGTERM, previousTerm);
    std::signal(SIGINT, previousInt);
    if (!served) {
        context.err << "atelier worker: " << served.error() << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace atelier::app
