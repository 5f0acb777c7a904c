#pragma once

// `atelier serve`: ComfyUI's HTTP and WebSocket API over Atelier's graph engine, so that clients written for
// ComfyUI (Krita's AI Diffusion plugin, scripts, web front ends) drive Atelier unchanged. Prompts are validated as
// ComfyUI validates them and queued on one run queue (this machine's GraphRunService, or a render farm's); each client
// gets the events of the prompts it queued on /ws, and every client the queue's status. Files are served from, and
// uploaded into, the root's output, input and temp folders only. Lives on the thread that creates it (its event loop
// serves the requests).
#include "core/graph/run_queue.h"
#include "core/nodes/node_environment.h"
#include "core/result.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

namespace atelier::graph {
class NodeRegistry;
}

namespace atelier::server {

struct ServerOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8188; // 0: any free port
    QString token;       // required on every request (Authorization: Bearer, or ?token=) when set
    QString corsOrigin;  // CORS answers for this origin ("*": any); empty: no CORS
    qint64 maxUploadBytes = 100ll * 1024 * 1024;
    int maxConnections = 512;  // open at once; more are closed unread
    int headTimeoutMs = 30000; // a request head still incomplete after this closes its connection
};

class ComfyServer : public QObject
{
    Q_OBJECT
public:
    // Runs the prompts on `runs` (a farm's queue), or on a GraphRunService of its own when none is given.
    ComfyServer(ServerOptions options, std::shared_ptr<const graph::NodeRegistry> registry,
                nodes::NodeEnvironment environment, std::unique_ptr<graph::RunQueue> runs = nullptr,
                QObject *parent = nullptr);
    ~ComfyServer() override;

    // Starts listening; the port it listens on (the one asked for, or a free one for port 0).
    Result<quint16> listen();
    int openConnections() const;

signals:
    // One line per request answered ("POST /prompt 200 (3 ms)") and per client coming and going.
    void logged(const QString &line);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace atelier::server
