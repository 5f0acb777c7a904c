#include "core/generation/generation_service.h"

#include "core/jobs/serial_worker.h"

#include <QMetaObject>

#include <mutex>

namespace atelier::generation {

struct GenerationService::Worker
{
    mutable std::mutex mutex; // guards place
    RunPlace place;
    std::unique_ptr<jobs::SerialWorker<GenerationRequest>> runs;
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
    worker.runs = std::make_unique<jobs::SerialWorker<GenerationRequest>>(
        [this, &worker, post](quint64 id, GenerationRequest &request, const std::atomic_bool &cancelled) {
            RunPlace place;
            {
                std::lock_guard<std::mutex> lock(worker.mutex);
                place = worker.place;
            }
            post([this, id] { emit started(id); });
            const bool previews = request.previews;
            const auto onStep = [&](const engine::GenerationProgress &progress) {
                const int step = progress.step, steps = progress.steps;
                post([this, id, step, steps] { emit progressed(id, step, steps); });
                if (previews && progress.preview && step < steps) {
                    const engine::RgbImage preview = progress.preview();
                    post([this, id, step, preview] { emit previewReady(id, step, preview); });
                }
                return !cancelled.load();
            };
            const Result<GenerationOutcome> outcome = runGeneration(request, place, onStep);
            return std::function<void()>([this, id, outcome, post] {
                if (outcome) {
                    const GenerationOutcome done = outcome.value();
                    post([this, id, done] { emit finished(id, done); });
                } else {
                    const GenerationFailure why{outcome.errorType(), outcome.error()};
                    post([this, id, why] { emit failed(id, why); });
                }
            });
        });
}

GenerationService::~GenerationService()
{
    m_worker->runs.reset(); // drops the queue, cancels the current run and waits for it
}

quint64 GenerationService::submit(GenerationRequest request)
{
    return m_worker->runs->submit(std::move(request));
}

void GenerationService::cancel(quint64 run)
{
    if (m_worker->runs->cancel(run))
        emit failed(run,
                    GenerationFailure{QString::fromLatin1(kCancelled), QStringLiteral("cancelled before it started")});
}

void GenerationService::cancelAll()
{
    for (quint64 run : m_worker->runs->cancelAll())
        emit failed(run,
                    GenerationFailure{QString::fromLatin1(kCancelled), QStringLiteral("cancelled before it started")});
}

int GenerationService::pending() const
{
    return m_worker->runs->pending();
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
