// The render farm's cost: tiny-sd1 txt2img jobs (64x64, 4 steps) through a real redis-server and in-process
// workers, against the same graphs run one after another by one executor (what `atelier run` does, without the
// process start). Prints the time per job both ways and their difference (the farm's overhead per job: submitting,
// the worker's reads and heartbeat, progress events, the image's trip through Redis and back to a file), jobs per
// second with one and with two workers, and the Redis commands each job cost (INFO commandstats).
// Usage: bench_farm [--jobs N]   (needs redis-server on PATH and the fixtures)
#include "core/farm/farm_client.h"
#include "core/farm/farm_worker.h"
#include "core/graph/api_prompt.h"
#include "core/graph/batch_seeds.h"
#include "tests/bench/bench_statistics.h"
#include "tests/farm/redis_process.h"
#include "tests/graph/graph_test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>

#include <cstdio>
#include <thread>

using namespace atelier;
using namespace graph_tests;

namespace {

qint64 redisCalls(farm::RedisConnection &redis)
{
    const auto info = redis.command({"INFO", "commandstats"});
    qint64 calls = 0;
    for (const QByteArray &line : info ? info->text.split('\n') : QList<QByteArray>()) {
        const int at = line.indexOf("calls=");
        if (line.startsWith("cmdstat_") && at > 0)
            calls += line.mid(at + 6, line.indexOf(',', at) - at - 6).toLongLong();
    }
    return calls;
}

// Seconds for `jobs` jobs through `workers` in-process workers, from the first submission to the last image on disk.
double farmSeconds(TinyRoot &root, const RedisProcess &redis, const graph::Graph &graph, int jobs, int workers,
                   const QString &batch, qint64 *calls, double *workerSeconds)
{
    farm::FarmClient client(redis.address(), farm::FarmKeys());
    (void)client.connect();
    std::atomic_bool stop{false};
    // The first worker runs on this thread, as `atelier worker` runs its worker on the main thread (a thread of
    // its own allocates from another malloc arena, which makes the engine slower); the others and the submitter
    // on threads of their own.
    std::vector<std::unique_ptr<farm::FarmWorker>> running;
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        farm::WorkerOptions options;
        options.address = redis.address();
        options.name = QStringLiteral("bench-%1").arg(w);
        options.device = QStringLiteral("cpu");
        nodes::NodeEnvironment environment = root.environment;
        environment.outputDir = root.root.filePath(QStringLiteral("scratch-%1").arg(w));
        running.push_back(std::make_unique<farm::FarmWorker>(options, nodes::builtInNodes(environment), environment));
        if (w > 0)
            threads.emplace_back(
                [&stop, worker = running.back().get()] { (void)worker->run(stop, [](const QString &) {}); });
    }
    // A warm-up job per worker: the model loaded and cached, as in a worker that has been running.
    const auto submitAll = [&](const QString &prefix, int count) {
        QMap<QString, QByteArray> cursors;
        for (int k = 0; k < count; ++k) {
            farm::FarmJob job;
            job.id = QStringLiteral("%1-%2").arg(prefix).arg(k);
            job.graph = graph::writeApiPrompt(graph::withSeedsAdvanced(graph, *root.registry, std::uint64_t(k)));
            (void)client.submit(job);
            cursors.insert(job.id, "0");
        }
        int done = 0;
        while (done < count) {
            const auto events = client.read(cursors, std::chrono::milliseconds(1000));
            for (const farm::FarmEvent &event : events ? events.value() : QList<farm::FarmEvent>()) {
                if (event.type == "image") {
                    QSaveFile file(root.root.filePath(QString::fromUtf8(event.fields.value("name"))));
                    if (file.open(QIODevice::WriteOnly) && file.write(event.fields.value("data")))
                        (void)file.commit();
                } else if (event.type == "completed" || event.type == "error") {
                    *workerSeconds += event.fields.value("seconds").toDouble();
                    ++done;
                    cursors.remove(event.jobId);
                }
            }
        }
    };
    double seconds = 0;
    std::thread submitter([&] {
        submitAll(batch + QStringLiteral("-warm"), workers);
        *workerSeconds = 0;
        const qint64 before = redisCalls(client.redis());
        seconds = secondsOf([&] { submitAll(batch, jobs); });
        *calls = redisCalls(client.redis()) - before - 1; // the INFO itself
        stop = true;
    });
    (void)running.front()->run(stop, [](const QString &) {});
    submitter.join();
    for (std::thread &thread : threads)
        thread.join();
    return seconds;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    int jobs = 30;
    for (int i = 1; i + 1 < argc; ++i)
        if (QByteArray(argv[i]) == "--jobs")
            jobs = std::max(1, QByteArray(argv[i + 1]).toInt());
    RedisProcess redis;
    if (!redis.start()) {
        std::printf("redis-server did not start\n");
        return 1;
    }
    TinyRoot root;
    if (!root.addTinyModel(QString())) {
        std::printf("the tiny fixture model is missing\n");
        return 1;
    }
    const graph::Graph graph = graphOf(txt2img(QStringLiteral("Tiny"), QStringLiteral("a lighthouse"), 100, 4));

    // The baseline: one executor, the graphs one after another, the model cached after the first. Measured before
    // and after the farm, each time with a fresh executor: runs in one process grow slower as it goes on (its
    // allocations), so the two bracket the farm's figures.
    const auto inOneExecutor = [&](std::uint64_t firstSeed) {
        graph::GraphExecutor executor(root.registry);
        (void)executor.run(graph);
        std::atomic_bool never{false}; // `atelier run` passes its Ctrl+C flag
        graph::RunOptions options;
        options.cancel = &never;
        const double seconds = secondsOf([&] {
            for (int k = 0; k < jobs; ++k)
                (void)executor.run(graph::withSeedsAdvanced(graph, *root.registry, firstSeed + std::uint64_t(k)),
                                   options);
        });
        return seconds / jobs;
    };
    const double directBefore = inOneExecutor(1);
    qint64 callsOne = 0, callsTwo = 0;
    double inWorkerOne = 0, inWorkerTwo = 0;
    const double one = farmSeconds(root, redis, graph, jobs, 1, QStringLiteral("one"), &callsOne, &inWorkerOne);
    const double two = farmSeconds(root, redis, graph, jobs, 2, QStringLiteral("two"), &callsTwo, &inWorkerTwo);
    const double directAfter = inOneExecutor(100000);
    const double perJobDirect = (directBefore + directAfter) / 2;
    std::printf("%d jobs of tiny-sd1 txt2img 64x64, 4 steps, on this machine's CPU\n", jobs);
    std::printf("in one executor:       %.1f ms per job before the farm runs, %.1f ms after\n", directBefore * 1000.0,
                directAfter * 1000.0);
    std::printf(
        "farm, one worker:      %.1f ms per job, %.1f jobs/s: overhead %.1f ms per job against their mean (%.2fx)\n",
        one * 1000.0 / jobs, jobs / one, (one / jobs - perJobDirect) * 1000.0, one / jobs / perJobDirect);
    std::printf("  of which in the worker, from taking the job to acknowledging it: %.1f ms per job\n",
                inWorkerOne * 1000.0 / jobs);
    std::printf("farm, two workers:     %.1f ms per job, %.1f jobs/s (%.2fx one worker's rate)\n", two * 1000.0 / jobs,
                jobs / two, one / two);
    std::printf("Redis commands per job: %.1f (one worker), %.1f (two workers)\n", double(callsOne) / jobs,
                double(callsTwo) / jobs);
    return 0;
}
