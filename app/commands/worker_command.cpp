// `atelier worker`: this machine as a member of a render farm on Redis Streams (core/farm).
#include "app/command.h"
#include "app/farm_arguments.h"
#include "app/library_services.h"
#include "app/node_environment.h"

#include "core/engine/client/engine_client.h"
#include "core/farm/farm_worker.h"
#include "core/hashing/content_hash.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/app_root.h"
#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"

#include <QDateTime>
#include <QDir>
#include <QSysInfo>
#include <QUrl>

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

// Installs the model from the job's source and checks it is the file the job names; one that is not is removed.
// Only an http(s) address with the SHA-256 to check is fetched: a job is untrusted, and must not make the worker
// copy its own files (a local path as source) or install a file nobody vouched for.
Status fetchModel(models::ModelInstaller &installer, const farm::FarmModelReference &model,
                  const std::atomic_bool &stop)
{
    const QUrl source(model.source, QUrl::StrictMode);
    if (!source.isValid() || (source.scheme() != QLatin1String("https") && source.scheme() != QLatin1String("http")) ||
        source.host().isEmpty())
        return Status::failure(QStringLiteral("a worker fetches models from http(s) addresses only"));
    if (model.sha256.size() != 64)
        return Status::failure(QStringLiteral("the job gives no SHA-256 to check the file against"));
    const models::InstallJob started = installer.heuristicImport(model.source);
    std::optional<models::InstallJob> job = started;
    bool cancelled = false;
    while (job && !job->inTerminalState()) {
        if (stop && !cancelled)
            cancelled = installer.cancelJob(started.id);
        job = installer.waitForJob(started.id, 500);
        if (!job)
            job = installer.jobById(started.id);
    }
    if (!job)
        return Status::failure(QStringLiteral("its install job vanished"));
    if (!job->complete())
        return Status::failure(job->cancelled() ? QStringLiteral("the worker was stopped")
                                                : QStringLiteral("%1 (%2)").arg(job->error, job->errorType));
    const QString installed = hashing::bareHash(job->configOut->hash);
    if (!model.sha256.isEmpty() && installed != model.sha256) {
        (void)installer.deleteModel(job->key());
        return Status::failure(QStringLiteral("the file there is not the model the job names (SHA-256 %1, not %2); "
                                              "it was removed again")
                                   .arg(installed, model.sha256));
    }
    return {};
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
    const QCommandLineOption fetchMissing(
        QStringLiteral("fetch-missing"),
        QStringLiteral("Install a model the library lacks from the source URL or repository the job gives (checked "
                       "against the job's SHA-256), instead of handing the job back."));
    parser.addOptions({name, device, maxJobs, fetchMissing});
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

    // With --fetch-missing the installer (and its download queue) stands by; without, the library is only read.
    std::unique_ptr<LibraryServices> services;
    std::unique_ptr<models::RecordStore> ownStore;
    if (parser.isSet(fetchMissing)) {
        auto opened = LibraryServices::open(context.root, context.settings, false);
        if (!opened) {
            context.err << "atelier worker: " << opened.error() << "\n";
            return kExitFailure;
        }
        services = std::move(opened.value());
        options.fetchModel = [installer = &services->installer()](const farm::FarmModelReference &model,
                                                                  const std::atomic_bool &stop) {
            return fetchModel(*installer, model, stop);
        };
    } else {
        ownStore = std::make_unique<models::RecordStore>(context.root.databasePath());
        (void)ownStore->open(); // a library that cannot be opened fails the lookups that need it, with its reason
    }
    models::RecordStore &store = services ? services->store() : *ownStore;
    // Images are written to a scratch folder of this worker's and removed once they are on the result stream.
    nodes::NodeEnvironment environment = app::nodeEnvironment(
        context.root, context.settings, store,
        QDir(context.root.tempDir()).filePath(QStringLiteral("farm-") + QString(options.name).replace('/', '_')));
    environment.compute->set(QString::fromStdString(compute.device.id), compute.precision);
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
