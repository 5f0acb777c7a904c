// `atelier serve` against the same work done directly: requests per second for GET /object_info and for POST
// /prompt with a prompt that fails validation (read and validated in full, never queued), against building the
// object_info JSON and reading and validating the prompt in-process; and the latency from the sampler's last
// progress message to the `executed` message of the image saver, on the tiny fixture model over a WebSocket.
// Usage: bench_serve [--seconds S] [--in-flight N]
#include "core/server/comfy_server.h"
#include "tests/graph/graph_test_support.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace atelier;
using namespace graph_tests;

namespace {

// Requests per second for `send`, `inFlight` at a time over the network manager's connections, for `seconds`.
double requestsPerSecond(const std::function<QNetworkReply *()> &send, int inFlight, double seconds)
{
    QElapsedTimer clock;
    clock.start();
    int done = 0, failed = 0, pending = 0;
    QEventLoop loop;
    std::function<void()> next = [&] {
        if (clock.elapsed() >= qint64(seconds * 1000.0)) {
            if (pending == 0)
                loop.quit();
            return;
        }
        ++pending;
        QNetworkReply *reply = send();
        QObject::connect(reply, &QNetworkReply::finished, [&, reply] {
            --pending;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            (status == 200 || status == 400 ? done : failed)++;
            reply->deleteLater();
            next();
        });
    };
    for (int i = 0; i < inFlight; ++i)
        next();
    loop.exec();
    if (failed)
        std::printf("  (%d requests failed)\n", failed);
    return done / (double(clock.elapsed()) / 1000.0);
}

double callsPerSecond(const std::function<void()> &call, double seconds)
{
    QElapsedTimer clock;
    clock.start();
    int calls = 0;
    while (clock.elapsed() < qint64(seconds * 1000.0)) {
        call();
        ++calls;
    }
    return calls / (double(clock.elapsed()) / 1000.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    double seconds = 3;
    int inFlight = 6;
    const QStringList arguments = application.arguments();
    for (int i = 1; i + 1 < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--seconds"))
            seconds = arguments[++i].toDouble();
        else if (arguments[i] == QLatin1String("--in-flight"))
            inFlight = arguments[++i].toInt();
    }
    TinyRoot root;
    root.addTinyModel(QString());
    server::ServerOptions options;
    options.port = 0;
    server::ComfyServer server(options, root.registry, root.environment);
    const Result<quint16> port = server.listen();
    if (!port) {
        std::fprintf(stderr, "%s\n", qPrintable(port.error()));
        return 1;
    }
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port.value());
    QNetworkAccessManager network;

    const QJsonObject invalid =
        withInput(txt2img(checkpointOf(QStringLiteral("tiny-sd1")), QStringLiteral("a cat"), 1, 4), QStringLiteral("3"),
                  QStringLiteral("sampler_name"), QStringLiteral("nope"));
    const QByteArray promptBody = QJsonDocument(QJsonObject{{"prompt", invalid}}).toJson(QJsonDocument::Compact);
    std::printf("atelier serve on 127.0.0.1, %d requests in flight, %.0f s each; the same work in-process beside it\n",
                inFlight, seconds);
    const double objectInfoServed = requestsPerSecond(
        [&] { return network.get(QNetworkRequest(QUrl(base + QStringLiteral("/object_info")))); }, inFlight, seconds);
    const double objectInfoDirect = callsPerSecond(
        [&] { (void)QJsonDocument(root.registry->objectInfo()).toJson(QJsonDocument::Compact); }, seconds);
    std::printf("GET /object_info: %.0f requests/s served, %.0f/s building the same JSON directly (%.2fx)\n",
                objectInfoServed, objectInfoDirect, objectInfoDirect / objectInfoServed);
    const double promptServed = requestsPerSecond(
        [&] {
            QNetworkRequest request(QUrl(base + QStringLiteral("/prompt")));
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
            return network.post(request, promptBody);
        },
        inFlight, seconds);
    const double promptDirect = callsPerSecond(
        [&] {
            const QJsonObject body = QJsonDocument::fromJson(promptBody).object();
            const Result<graph::Graph> graph =
                graph::readApiPrompt(QJsonDocument(body.value("prompt").toObject()).toJson(QJsonDocument::Compact));
            (void)QJsonDocument(
                graph::validate(graph::executableGraph(graph.value(), *root.registry), *root.registry).toJson())
                .toJson();
        },
        seconds);
    std::printf("POST /prompt (validation only): %.0f requests/s served, %.0f/s reading and validating directly "
                "(%.2fx)\n",
                promptServed, promptDirect, promptDirect / promptServed);

    // The last sampler step to the saver's `executed`: decode, PNG, the message.
    QWebSocket socket;
    QList<qint64> lastStepAt, executedAt;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&](const QString &text) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        const QJsonObject data = message.value("data").toObject();
        if (message.value("type") == QLatin1String("progress") && data.value("value") == data.value("max"))
            lastStepAt.append(clock.nsecsElapsed());
        else if (message.value("type") == QLatin1String("executed"))
            executedAt.append(clock.nsecsElapsed());
    });
    QEventLoop connected;
    QObject::connect(&socket, &QWebSocket::connected, &connected, &QEventLoop::quit);
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?clientId=bench").arg(port.value())));
    connected.exec();
    constexpr int kRuns = 10;
    for (int i = 0; i < kRuns; ++i) {
        const QJsonObject prompt =
            txt2img(checkpointOf(QStringLiteral("tiny-sd1")), QStringLiteral("a cat"), 100 + i, 4);
        QNetworkRequest request(QUrl(base + QStringLiteral("/prompt")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        network.post(
            request,
            QJsonDocument(QJsonObject{{"prompt", prompt}, {"client_id", "bench"}}).toJson(QJsonDocument::Compact));
    }
    while (executedAt.size() < kRuns && clock.elapsed() < 120000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    QList<double> latencies;
    for (int i = 0; i < std::min(lastStepAt.size(), executedAt.size()); ++i)
        latencies.append(double(executedAt[i] - lastStepAt[i]) / 1e6);
    std::sort(latencies.begin(), latencies.end());
    if (latencies.isEmpty()) {
        std::printf("no run finished\n");
        return 1;
    }
    std::printf("last sampler step to `executed` (tiny-sd1, 64x64: VAE decode, PNG written, message): median %.2f ms, "
                "min %.2f, max %.2f over %lld runs\n",
                latencies[latencies.size() / 2], latencies.first(), latencies.last(), qlonglong(latencies.size()));
    return 0;
}
