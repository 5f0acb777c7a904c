#include "core/training/training_service.h"

#include "core/generation/generation_request.h"
#include "core/jobs/serial_worker.h"

#include <QMetaObject>

namespace atelier::training {

struct TrainingService::Worker
{
    generation::ModelLibrary library;
    models::ModelInstaller *installer = nullptr;
    std::unique_ptr<jobs::SerialWorker<TrainingJob>> jobs;
};

TrainingService::TrainingService(generation::ModelLibrary library, models::ModelInstaller &installer,
                                 QString trainingRoot, QObject *parent)
    : QObject(parent)
    , m_worker(std::make_unique<Worker>())
    , m_trainingRoot(std::move(trainingRoot))
{
    static const bool registered = [] {
        qRegisterMetaType<engine::RgbImage>();
        qRegisterMetaType<QList<engine::RgbImage>>();
        qRegisterMetaType<TrainingOutcome>();
        return true;
    }();
    Q_UNUSED(registered);
    m_worker->library = library;
    m_worker->installer = &installer;
    Worker &worker = *m_worker;
    // Signals go through the service's own thread: a queued call on `this` is dropped if the service is gone.
    const auto post = [this](auto emitter) {
        QMetaObject::invokeMethod(this, std::move(emitter), Qt::QueuedConnection);
    };
    worker.jobs = std::make_unique<jobs::SerialWorker<TrainingJob>>(
        [this, &worker, post](quint64 id, TrainingJob &job, const std::atomic_bool &stopping) {
            post([this, id] { emit started(id); });
            const auto onProgress = [&](const engine::TrainingProgress &p) {
                using Event = engine::TrainingProgress::Event;
                switch (p.event) {
                case Event::Encoding:
                    post([this, id] { emit encoding(id); });
                    break;
                case Event::Step:
                    post([this, id, p] {
                        emit progressed(id, p.step, p.steps, p.loss, p.secondsPerStep, p.secondsLeft);
                    });
                    break;
                case Event::Checkpoint: {
                    const QString path = QString::fromStdString(p.checkpointPath);
                    post([this, id, step = p.step, path] { emit checkpointWritten(id, step, path); });
                    break;
                }
                case Event::Validation: {
                    const QList<engine::RgbImage> images(p.validationImages.begin(), p.validationImages.end());
                    post([this, id, step = p.step, images] { emit validationReady(id, step, images); });
                    break;
                }
                }
                return !stopping.load();
            };
            const auto outcome = runTraining(job, worker.library, *worker.installer, m_trainingRoot, onProgress);
            return std::function<void()>([this, id, outcome, post] {
                if (outcome) {
                    const TrainingOutcome done = outcome.value();
                    post([this, id, done] { emit finished(id, done); });
                } else {
                    const QString message = outcome.error(), type = outcome.errorType();
                    post([this, id, message, type] { emit failed(id, message, type); });
                }
            });
        });
}

TrainingService::~TrainingService()
{
    m_worker->jobs.reset(); // stops the current job (it checkpoints) and waits for it
}

quint64 TrainingService::start(TrainingJob job)
{
    return m_worker->jobs->submit(std::move(job));
}

void TrainingService::stop(quint64 job)
{
    if (m_worker->jobs->cancel(job))
        emit failed(job, QStringLiteral("stopped before it started"), QStringLiteral("Cancelled"));
}

bool TrainingService::busy() const
{
    return m_worker->jobs->pending() > 0;
}

} // namespace atelier::training
