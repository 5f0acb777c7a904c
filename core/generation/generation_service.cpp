#include "core/generation/generation_service.h"

#include <QMetaObject>
#include <QMutex>
#include <QPointer>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace atelier::generation {

struct GenerationService::Worker
{
    struct Queued
    {
        quint64 id = 0;
        GenerationRequest request;
    };

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<Queued> queue;
    RunPlace place;
    quint64 nextId = 1;
    quint64 currentId = 0; // 0: idle
    bool stopping = false;
    std::atomic<bool> cancelCurrent{false};
    std::thread thread;
};

namespace {

void registerTypes()
{
    static const bool registered = [] {
        qRegisterMetaType<engine::RgbImage>();
        qRegisterMetaType<GenerationOutcome>();
        qRegisterMetaType<GenerationFailure>();
        return true;
    }();
    Q_UNUSED(registered);
}

} // namespace

GenerationService::GenerationService(RunPlace place, QObject *parent)
    : QObject(parent)
    , m_worker(std::make_unique<Worker>())
{
    registerTypes();
    m_worker->place = std::move(place);
    Worker &worker = *m_worker;
    // Signals go through the service's own thread: a queued call on `this` is dropped if the service is gone.
    const auto post = [this](auto emitter) {
        QMetaObject::invokeMethod(this, std::move(emitter), Qt::QueuedConnection);
    };
    worker.thread = std::thread([this, &worker, post] {
        for (;;) {
            Worker::Queued next;
            RunPlace place;
            {
                std::unique_lock<std::mutex> lock(worker.mutex);
                worker.wake.wait(lock, [&] { return worker.stopping || !worker.queue.empty(); });
                if (worker.stopping)
                    return;
                next = std::move(worker.queue.front());
                worker.queue.pop_front();
                worker.currentId = next.id;
                worker.cancelCurrent = false;
                place = worker.place;
            }
            const quint64 id = next.id;
            post([this, id] { emit started(id); });
            const bool previews = next.request.previews;
            const auto onStep = [&](const engine::GenerationProgress &progress) {
                const int step = progress.step, steps = progress.steps;
                post([this, id, step, steps] { emit progressed(id, step, steps); });
                if (previews && progress.preview && step < steps) {
                    const engine::RgbImage preview = progress.preview();
                    post([this, id, step, preview] { emit previewReady(id, step, preview); });
                }
                return !worker.cancelCurrent.load();
            };
            const Result<GenerationOutcome> outcome = runGeneration(next.request, place, onStep);
            {
                std::lock_guard<std::mutex> lock(worker.mutex);
                worker.currentId = 0;
            }
            if (outcome) {
                const GenerationOutcome done = outcome.value();
                post([this, id, done] { emit finished(id, done); });
            } else {
                const GenerationFailure why{outcome.errorType(), outcome.error()};
                post([this, id, why] { emit failed(id, why); });
            }
        }
    });
}

GenerationService::~GenerationService()
{
    {
        std::lock_guard<std::mutex> lock(m_worker->mutex);
        m_worker->stopping = true;
        m_worker->queue.clear();
        m_worker->cancelCurrent = true;
    }
    m_worker->wake.notify_all();
    m_worker->thread.join();
}

quint64 GenerationService::submit(GenerationRequest request)
{
    quint64 id = 0;
    {
        std::lock_guard<std::mutex> lock(m_worker->mutex);
        id = m_worker->nextId++;
        m_worker->queue.push_back({id, std::move(request)});
    }
    m_worker->wake.notify_one();
    return id;
}

void GenerationService::cancel(quint64 run)
{
    bool dropped = false;
    {
        std::lock_guard<std::mutex> lock(m_worker->mutex);
        if (m_worker->currentId == run) {
            m_worker->cancelCurrent = true;
            return;
        }
        for (auto it = m_worker->queue.begin(); it != m_worker->queue.end(); ++it)
            if (it->id == run) {
                m_worker->queue.erase(it);
                dropped = true;
                break;
            }
    }
    if (dropped)
        emit failed(run,
                    GenerationFailure{QString::fromLatin1(kCancelled), QStringLiteral("cancelled before it started")});
}

void GenerationService::cancelAll()
{
    std::deque<Worker::Queued> dropped;
    {
        std::lock_guard<std::mutex> lock(m_worker->mutex);
        dropped.swap(m_worker->queue);
        if (m_worker->currentId != 0)
            m_worker->cancelCurrent = true;
    }
    for (const Worker::Queued &run : dropped)
        emit failed(run.id,
                    GenerationFailure{QString::fromLatin1(kCancelled), QStringLiteral("cancelled before it started")});
}

int GenerationService::pending() const
{
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    return int(m_worker->queue.size()) + (m_worker->currentId != 0 ? 1 : 0);
}

void GenerationService::setOutputsDir(const QString &outputsDir)
{
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    m_worker->place.outputsDir = outputsDir;
}

void GenerationService::setModelsDir(const QString &modelsDir)
{
    std::lock_guard<std::mutex> lock(m_worker->mutex);
    m_worker->place.library.modelsDir = modelsDir;
}

} // namespace atelier::generation
