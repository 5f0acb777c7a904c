#pragma once

// `atelier worker`: one member of a farm's consumer group. It takes one job at a time (first any job whose worker
// stopped showing signs of life, then new ones), runs its graph through the executor, sends progress and the finished
// images to the job's result stream and acknowledges the job only once they are stored there. While it works, a
// heartbeat thread keeps the job claimed, notes the worker's state and watches for the job being cancelled.
//
// A job fails for good (dead-lettered, with its error) when it cannot run anywhere: it is malformed, its graph is
// invalid, or it was started more often than the settings allow (it failed, or it killed its workers). A job this
// worker cannot run but another might (a model it does not have, and cannot fetch) is handed back to the stream.
// Stopping (SIGTERM) hands the running job back at once.
#include "core/farm/farm_job.h"
#include "core/farm/redis_connection.h"
#include "core/nodes/node_environment.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace atelier::graph {
class NodeRegistry;
}

namespace atelier::farm {

struct WorkerOptions
{
    RedisAddress address;
    FarmKeys keys;
    QString name;   // unique in the group; the default is host-pid
    QString device; // shown in `farm status`
    std::chrono::milliseconds reclaimAfter = std::chrono::seconds(60);
    int maxAttempts = 3;
    int maxJobs = 0; // leave after this many jobs ended here; 0: run until stopped
    // `--fetch-missing`: installs a model the library lacks from the source the job gives, into the library, and
    // checks it is the file the job names (its SHA-256). Unset: such a job is handed back for another worker.
    std::function<Status(const FarmModelReference &model, const std::atomic_bool &stop)> fetchModel;
};

class FarmWorker
{
public:
    // `environment.outputDir` is the worker's scratch folder: images are written there and removed once sent.
    FarmWorker(WorkerOptions options, std::shared_ptr<const graph::NodeRegistry> registry,
               nodes::NodeEnvironment environment);
    ~FarmWorker();

    // Serves jobs until `stop` is raised or maxJobs ended. Every event is a line for `log`. Fails only when Redis
    // cannot be reached at start or refuses the credentials; a server lost later is waited for.
    Status run(const std::atomic_bool &stop, const std::function<void(const QString &)> &log);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace atelier::farm
