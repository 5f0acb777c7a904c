// `atelier farm submit|status|cancel`: putting graphs on a render farm (core/farm) and following them.
#include "app/command.h"
#include "app/farm_arguments.h"
#include "app/graph_arguments.h"
#include "app/node_environment.h"
#include "app/terminal_progress.h"

#include "core/farm/farm_client.h"
#include "core/graph/api_prompt.h"
#include "core/graph/batch_seeds.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/nodes/models_by_hash.h"
#include "core/settings/app_root.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace atelier::app {

namespace {

std::atomic_bool g_interrupted{false};

void onInterrupt(int)
{
    g_interrupted = true;
}

// How one submitted job stands, as its events tell.
struct JobProgress
{
    QString id;
    QString worker;
    QByteArray state = "enqueued"; // enqueued, started, completed, error, cancelled
    QString message;
    int value = 0, maximum = 0;
    QStringList images; // written, by name (a name sent twice is written once)

    bool ended() const { return state == "completed" || state == "error" || state == "cancelled"; }
};

QString bar(const JobProgress &job)
{
    const double fraction = job.maximum > 0 ? double(job.value) / job.maximum : (job.state == "completed" ? 1.0 : 0.0);
    QString line = QStringLiteral("[%1] ").arg(progressBarText(fraction, 20));
    line += job.id + QLatin1Char(' ');
    if (job.state == "completed")
        line += QStringLiteral("completed, %1 image(s)").arg(job.images.size());
    else if (job.state == "error")
        line += QStringLiteral("failed: ") + job.message;
    else if (job.state == "cancelled")
        line += QStringLiteral("cancelled");
    else if (job.state == "started")
        line += QStringLiteral("%1/%2 on %3").arg(job.value).arg(job.maximum).arg(job.worker);
    else
        line += QStringLiteral("waiting for a worker") +
                (job.message.isEmpty() ? QString() : QStringLiteral(" (") + job.message + QLatin1Char(')'));
    return line;
}

int submit(CommandContext &context, QCommandLineParser &parser, const FarmArguments &farmArguments,
           const QCommandLineOption &count, const QCommandLineOption &set, const QCommandLineOption &out,
           const QCommandLineOption &noWait)
{
    const QStringList positional = parser.positionalArguments().mid(1);
    if (positional.size() != 1 || (!parser.isSet(out) && !parser.isSet(noWait))) {
        context.err << "atelier farm submit: give one GRAPH and --out DIR (or --no-wait)\n"
                       "Try 'atelier farm --help'.\n";
        return kExitUsage;
    }
    bool numeric = true;
    const int jobs = parser.isSet(count) ? parser.value(count).toInt(&numeric) : 1;
    if (!numeric || jobs < 1 || jobs > 10000) {
        context.err << "atelier farm submit: --count takes a number from 1 to 10000\n";
        return kExitUsage;
    }
    const QString outDir = parser.value(out);
    if (!outDir.isEmpty() && !QDir().mkpath(outDir)) {
        context.err << "atelier farm submit: cannot create " << outDir << "\n";
        return kExitFailure;
    }
    const Result<farm::RedisAddress> address = farmArguments.address(context);
    if (!address) {
        context.err << "atelier farm submit: " << address.error() << "\n";
        return kExitUsage;
    }

    models::RecordStore store(context.root.databasePath());
    (void)store.open();
    const nodes::NodeEnvironment environment = app::nodeEnvironment(context.root, context.settings, store);
    const auto registry = nodes::builtInNodes(environment);
    Result<graph::GraphSource> loaded = loadGraphFile(positional.front(), *registry);
    if (!loaded) {
        context.err << "atelier farm submit: " << loaded.error() << "\n";
        return kExitFailure;
    }
    for (const QString &found : nodes::resolveModelsByHash(loaded->graph, loaded->modelHashes, *registry, environment))
        context.err << "atelier farm submit: " << found << "\n";
    for (const QString &setting : parser.values(set))
        if (const Status applied = applySetting(loaded->graph, setting); !applied) {
            context.err << "atelier farm submit: " << applied.error() << "\n";
            return kExitUsage;
        }

    farm::FarmClient client(address.value(), farmArguments.keys());
    if (const Status connected = client.connect(); !connected) {
        context.err << "atelier farm submit: " << connected.error() << "\n";
        return kExitFailure;
    }
    // Every job's models, with the hashes and sources the workers find them by.
    QList<farm::FarmModelReference> models;
    for (const nodes::ModelReference &model : nodes::referencedModels(loaded->graph, environment)) {
        if (model.sha256.isEmpty())
            context.err << "atelier farm submit: node " << model.node << " " << model.input << ": " << model.name
                        << " has no SHA-256 in this library; workers find it by name only\n";
        models.append({model.node, model.input, model.name, model.sha256, farm::shareableSource(model.source)});
    }
    const QString batch = QUuid::createUuid().toString(QUuid::Id128).left(12);
    const QString label = QFileInfo(positional.front()).fileName();
    QList<JobProgress> progress;
    for (int k = 0; k < jobs; ++k) {
        farm::FarmJob job;
        job.id = QStringLiteral("%1-%2").arg(batch).arg(k + 1, 4, 10, QLatin1Char('0'));
        job.label = jobs > 1 ? QStringLiteral("%1 (%2 of %3)").arg(label).arg(k + 1).arg(jobs) : label;
        job.graph = graph::writeApiPrompt(graph::withSeedsAdvanced(loaded->graph, *registry, std::uint64_t(k)));
        job.models = models;
        if (const Status submitted = client.submit(job); !submitted) {
            context.err << "atelier farm submit: " << submitted.error() << "\n";
            return kExitFailure;
        }
        JobProgress entry;
        entry.id = job.id;
        progress.append(entry);
        context.out << job.id << "\n";
    }
    context.out.flush();
    if (parser.isSet(noWait))
        return kExitOk;

    // Follow every job until it ended: a bar each on a terminal, a line per event otherwise.
    const bool terminal = ::isatty(STDERR_FILENO);
    QMap<QString, QByteArray> cursors;
    QHash<QString, int> indexOf;
    for (int i = 0; i < progress.size(); ++i) {
        cursors.insert(progress[i].id, "0");
        indexOf.insert(progress[i].id, i);
    }
    g_interrupted = false;
    const auto previous = std::signal(SIGINT, onInterrupt);
    int drawn = 0;
    int failures = 0;
    const auto draw = [&] {
        if (!terminal)
            return;
        if (drawn > 0)
            context.err << "\x1b[" << drawn << "A";
        drawn = 0;
        for (const JobProgress &job : progress) {
            if (drawn == 30 && progress.size() > 31) {
                context.err << "\x1b[2K… and " << progress.size() - 30 << " more\n";
                ++drawn;
                break;
            }
            context.err << "\x1b[2K" << bar(job) << "\n";
            ++drawn;
        }
        context.err.flush();
    };
    draw();
    bool cancelling = false;
    while (std::any_of(progress.cbegin(), progress.cend(), [](const JobProgress &job) { return !job.ended(); })) {
        if (g_interrupted && !cancelling) {
            cancelling = true;
            for (const JobProgress &job : progress)
                if (!job.ended())
                    (void)client.cancel(job.id);
            context.err << "atelier farm submit: cancelling the jobs still running\n";
        }
        QMap<QString, QByteArray> open;
        for (const JobProgress &job : progress)
            if (!job.ended())
                open.insert(job.id, cursors.value(job.id));
        Result<QList<farm::FarmEvent>> events = client.read(open, std::chrono::milliseconds(1000));
        if (!events) {
            context.err << "atelier farm submit: " << events.error() << "\n";
            std::signal(SIGINT, previous);
            return kExitFailure;
        }
        for (auto it = open.cbegin(); it != open.cend(); ++it)
            cursors[it.key()] = it.value();
        for (const farm::FarmEvent &event : events.value()) {
            JobProgress &job = progress[indexOf.value(event.jobId)];
            if (event.fields.contains("worker"))
                job.worker = QString::fromUtf8(event.fields.value("worker"));
            const QByteArray &type = event.type;
            QString line;
            if (type == "started") {
                job.state = "started";
                line = QStringLiteral("started on %1").arg(job.worker);
            } else if (type == "progress") {
                job.value = event.fields.value("value").toInt();
                job.maximum = event.fields.value("max").toInt();
            } else if (type == "image") {
                const QByteArray name = event.fields.value("name");
                if (const Status written = farm::saveFarmImage(outDir, event.jobId, name, event.fields.value("data"));
                    !written)
                    line = written.error();
                else if (!job.images.contains(QString::fromUtf8(name)))
                    job.images.append(QString::fromUtf8(name));
            } else if (type == "completed") {
                job.state = "completed";
                job.value = job.maximum;
                line = QStringLiteral("completed on %1 in %2 s")
                           .arg(job.worker, QString::fromUtf8(event.fields.value("seconds")));
            } else if (type == "handed_back") {
                job.state = "enqueued";
                job.message = QString::fromUtf8(event.fields.value("message"));
                line = QStringLiteral("handed back by %1: %2").arg(job.worker, job.message);
            } else if (type == "error") {
                job.state = "error";
                job.message = QString::fromUtf8(event.fields.value("message"));
                line = QStringLiteral("failed: %1").arg(job.message);
                ++failures;
            } else if (type == "cancelled") {
                job.state = "cancelled";
                line = QStringLiteral("cancelled");
                ++failures;
            }
            if (!terminal && !line.isEmpty())
                context.err << "job " << job.id << ": " << line << "\n";
        }
        if (terminal)
            draw();
        else
            context.err.flush();
    }
    std::signal(SIGINT, previous);
    for (const JobProgress &job : progress)
        for (const QString &image : job.images)
            context.out << QDir(outDir).filePath(image) << "\n";
    return failures == 0 ? kExitOk : kExitFailure;
}

QString ago(qint64 milliseconds)
{
    const qint64 seconds = (QDateTime::currentMSecsSinceEpoch() - milliseconds) / 1000;
    return seconds < 120 ? QStringLiteral("%1 s ago").arg(seconds) : QStringLiteral("%1 min ago").arg(seconds / 60);
}

int status(CommandContext &context, const farm::RedisAddress &address, const farm::FarmKeys &keys, bool json)
{
    farm::FarmClient client(address, keys);
    Result<farm::FarmStatus> state = client.status();
    if (!state) {
        context.err << "atelier farm status: " << state.error() << "\n";
        return kExitFailure;
    }
    if (json) {
        QJsonArray workers;
        for (const farm::FarmWorkerState &worker : state->workers)
            workers.append(QJsonObject{{QStringLiteral("name"), worker.name},
                                       {QStringLiteral("device"), worker.device},
                                       {QStringLiteral("job"), worker.job},
                                       {QStringLiteral("label"), worker.label},
                                       {QStringLiteral("heartbeat_ms"), worker.heartbeatMs},
                                       {QStringLiteral("jobs_ended"), worker.jobsEnded}});
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("server"), address.shown()},
                                                 {QStringLiteral("streams"), QString::fromUtf8(keys.prefix())},
                                                 {QStringLiteral("workers"), workers},
                                                 {QStringLiteral("waiting"), state->waiting},
                                                 {QStringLiteral("running"), state->running},
                                                 {QStringLiteral("completed"), state->completed},
                                                 {QStringLiteral("dead_lettered"), state->deadLettered},
                                                 {QStringLiteral("cancelled"), state->cancelled}})
                           .toJson(QJsonDocument::Indented);
        return kExitOk;
    }
    context.out << "farm " << QString::fromUtf8(keys.prefix()) << " on " << address.shown() << "\n";
    context.out << "jobs: " << state->waiting << " waiting, " << state->running << " running, " << state->completed
                << " completed, " << state->deadLettered << " dead-lettered, " << state->cancelled << " cancelled\n";
    if (state->workers.isEmpty())
        context.out << "no worker\n";
    for (const farm::FarmWorkerState &worker : state->workers)
        context.out << "  " << worker.name << "  " << worker.device << "  "
                    << (worker.job.isEmpty() ? QStringLiteral("idle")
                                             : QStringLiteral("running ") + worker.job + QStringLiteral(" (") +
                                                   worker.label + QStringLiteral(")"))
                    << "  heartbeat " << ago(worker.heartbeatMs) << ", " << worker.jobsEnded << " job(s) done\n";
    return kExitOk;
}

} // namespace

int runFarmCommand(CommandContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("ACTION"),
        QStringLiteral("submit GRAPH: put a graph on the farm (--count N jobs), wait and write "
                       "the images to --out; status: workers and jobs; cancel JOB...: stop "
                       "jobs"));
    FarmArguments farm(parser);
    const QCommandLineOption count(
        QStringLiteral("count"),
        QStringLiteral("submit: this many jobs, each sampler's seed one higher than the last "
                       "job's."),
        QStringLiteral("N"));
    const QCommandLineOption set(QStringLiteral("set"), QStringLiteral("submit: set a node's input (repeatable)."),
                                 QStringLiteral("NODE.INPUT=VALUE"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("submit: write the images here."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption noWait(QStringLiteral("no-wait"),
                                    QStringLiteral("submit: print the job ids and return at once."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("status: as JSON."));
    parser.addOptions({count, set, out, noWait, json});
    if (const int code = parseCommandArguments(parser, context,
                                               QStringLiteral("Submit graphs to a render farm on Redis Streams and "
                                                              "follow its workers and jobs."));
        code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (action == QLatin1String("submit"))
        return submit(context, parser, farm, count, set, out, noWait);
    if (action != QLatin1String("status") && action != QLatin1String("cancel")) {
        context.err << "atelier farm: give an action: submit, status or cancel\nTry 'atelier farm --help'.\n";
        return kExitUsage;
    }
    const Result<farm::RedisAddress> address = farm.address(context);
    if (!address) {
        context.err << "atelier farm " << action << ": " << address.error() << "\n";
        return kExitUsage;
    }
    if (action == QLatin1String("status"))
        return status(context, address.value(), farm.keys(), parser.isSet(json));
    if (positional.size() < 2) {
        context.err << "atelier farm cancel: give the ids of the jobs to cancel\n";
        return kExitUsage;
    }
    farm::FarmClient client(address.value(), farm.keys());
    for (const QString &jobId : positional.mid(1)) {
        if (!farm::isFarmJobId(jobId)) {
            context.err << "atelier farm cancel: \"" << jobId << "\" is not a job id\n";
            return kExitUsage;
        }
        if (const Status cancelled = client.cancel(jobId); !cancelled) {
            context.err << "atelier farm cancel: " << cancelled.error() << "\n";
            return kExitFailure;
        }
    }
    return kExitOk;
}

} // namespace atelier::app
