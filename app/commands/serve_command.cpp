// `atelier serve`: no window; ComfyUI's HTTP and WebSocket API on the root's library, inputs and outputs, until
// interrupted (Ctrl+C or SIGTERM), logging each request. With --farm the prompts run on a render farm's workers.
#include "app/command.h"
#include "app/node_environment.h"
#include "core/farm/farm_run_queue.h"
#include "core/models/record_store.h"
#include "core/nodes/built_in_nodes.h"
#include "core/server/comfy_server.h"
#include "core/settings/settings_store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <atomic>
#include <csignal>

namespace atelier::app {

namespace {

std::atomic_bool g_stop{false};

void onStopSignal(int)
{
    g_stop = true;
}

} // namespace

int runServeCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Address to listen on (default 127.0.0.1; another needs --token)."),
                                    QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port (default 8188; 0: any free one)."),
                                  QStringLiteral("PORT"), QStringLiteral("8188"));
    const QCommandLineOption rootOption(QStringLiteral("root"),
                                        QStringLiteral("Serve this application root instead of the usual one."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("Require this token (Authorization: Bearer, or ?token=)."),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption cors(QStringLiteral("enable-cors-header"),
                                  QStringLiteral("Answer CORS requests from this origin ('*': any)."),
                                  QStringLiteral("ORIGIN"));
    const QCommandLineOption maxUpload(QStringLiteral("max-upload-size"),
                                       QStringLiteral("Largest request body in MiB (default 100)."),
                                       QStringLiteral("MIB"), QStringLiteral("100"));
    const QCommandLineOption farmOption(
        QStringLiteral("farm"),
        QStringLiteral("Queue the prompts on this render farm's Redis (redis://[user:password@]host[:port][/db]) "
                       "instead of running them here; the images come back into this root's output folder."),
        QStringLiteral("URL"));
    const QCommandLineOption streams(QStringLiteral("streams"),
                                     QStringLiteral("The prefix of the farm's streams and keys (default: atelier)."),
                                     QStringLiteral("PREFIX"));
    parser.addOptions({listen, port, rootOption, token, cors, maxUpload, farmOption, streams});
    if (const int code = parseCommandArguments(
            parser, context, QStringLiteral("Serve ComfyUI's HTTP and WebSocket API, without a window."));
        code >= 0)
        return code;

    server::ServerOptions options;
    if (!options.address.setAddress(parser.value(listen))) {
        context.err << "atelier serve: \"" << parser.value(listen) << "\" is not an IP address\n";
        return kExitUsage;
    }
    bool number = false;
    const uint portNumber = parser.value(port).toUInt(&number);
    if (!number || portNumber > 65535) {
        context.err << "atelier serve: \"" << parser.value(port) << "\" is not a port\n";
        return kExitUsage;
    }
    options.port = quint16(portNumber);
    options.token = parser.value(token);
    options.corsOrigin = parser.value(cors);
    const double megabytes = parser.value(maxUpload).toDouble(&number);
    if (!number || megabytes <= 0) {
        context.err << "atelier serve: --max-upload-size takes a positive number of MiB\n";
        return kExitUsage;
    }
    options.maxUploadBytes = qint64(megabytes * 1024 * 1024);
    if (!options.address.isLoopback() && options.token.isEmpty()) {
        context.err << "atelier serve: listening on " << options.address.toString()
                    << " lets other machines run prompts and read your images; give a --token\n";
        return kExitUsage;
    }

    // `--root` here is the global option's twin, for `atelier serve --root DIR` as ComfyUI's users would write it.
    const Result<settings::AppRoot> root =
        parser.isSet(rootOption) ? settings::AppRoot::open(parser.value(rootOption)) : Result(context.root);
    if (!root) {
        context.err << "atelier serve: " << root.error() << "\n";
        return kExitFailure;
    }
    settings::SettingsStore rootSettings(root.value());
    if (parser.isSet(rootOption))
        rootSettings.load();
    models::RecordStore store(root->databasePath());
    (void)store.open(); // a library that cannot be opened lists no models, and loaders say why
    const nodes::NodeEnvironment environment =
        nodeEnvironment(root.value(), parser.isSet(rootOption) ? rootSettings : context.settings, store);
    // Each request, client and farm event as one line on stderr.
    const auto logLine = [&context](const QString &line) {
        context.err << QDateTime::currentDateTime().toString(Qt::ISODate) << " " << line << "\n";
        context.err.flush();
    };
    std::unique_ptr<graph::RunQueue> runs;
    QString runsWhere = QStringLiteral("runs prompts here");
    if (parser.isSet(farmOption)) {
        const Result<farm::RedisAddress> address = farm::parseRedisUrl(parser.value(farmOption));
        if (!address) {
            context.err << "atelier serve: " << address.error() << "\n";
            return kExitUsage;
        }
        auto farmQueue =
            std::make_unique<farm::FarmRunQueue>(address.value(), farm::FarmKeys(parser.value(streams)), environment);
        if (const Status started = farmQueue->start(); !started) {
            context.err << "atelier serve: " << started.error() << "\n";
            return kExitFailure;
        }
        runsWhere = QStringLiteral("queues prompts on the farm at ") + farmQueue->farmName();
        QObject::connect(farmQueue.get(), &graph::RunQueue::placed,
                         [logLine, queue = farmQueue.get()](quint64 run, const QString &worker) {
                             logLine(QStringLiteral("farm job %1 runs on %2").arg(queue->jobOf(run), worker));
                         });
        QObject::connect(farmQueue.get(), &graph::RunQueue::noted,
                         [logLine, queue = farmQueue.get()](quint64 run, const QString &message) {
                             logLine(QStringLiteral("farm job %1: %2").arg(queue->jobOf(run), message));
                         });
        runs = std::move(farmQueue);
    }
    server::ComfyServer server(options, nodes::builtInNodes(environment), environment, std::move(runs));
    QObject::connect(&server, &server::ComfyServer::logged, logLine);
    const Result<quint16> listening = server.listen();
    if (!listening) {
        context.err << "atelier serve: " << listening.error() << "\n";
        return kExitFailure;
    }
    context.out << "atelier serve: listening on http://" << options.address.toString() << ":" << listening.value()
                << " (root " << root->path() << "; " << runsWhere << ")\n";
    context.out.flush();
    g_stop = false;
    const auto previousInterrupt = std::signal(SIGINT, onStopSignal);
    const auto previousTerminate = std::signal(SIGTERM, onStopSignal);
    QTimer watch;
    QObject::connect(&watch, &QTimer::timeout, [] {
        if (g_stop)
            QCoreApplication::quit();
    });
    watch.start(200);
    QCoreApplication::exec();
    std::signal(SIGINT, previousInterrupt);
    std::signal(SIGTERM, previousTerminate);
    context.err << "atelier serve: stopped\n";
    return kExitOk;
}

} // namespace atelier::app
