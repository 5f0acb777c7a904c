#pragma once

// Training jobs on a thread of their own, for the window: one at a time (the engine's work on a device is serial),
// its progress, losses, validation images, end and failure as signals on the service's own thread. Stopping raises
// a flag the run checks after every step; the run then writes a checkpoint, from which a job with `resume` goes on.
#include "core/training/training_run.h"

#include <QMetaType>
#include <QObject>

#include <memory>

namespace atelier::models {
class ModelInstaller;
}

namespace atelier::training {

class TrainingService : public QObject
{
    Q_OBJECT
public:
    TrainingService(generation::ModelLibrary library, models::ModelInstaller &installer, QString trainingRoot,
                    QObject *parent = nullptr);
    // Stops the current job (with its checkpoint) and waits for it.
    ~TrainingService() override;

    // Queues a job and returns its id (1, 2, ...).
    quint64 start(TrainingJob job);
    // The current job stops after its step, with a checkpoint; a queued one is dropped.
    void stop(quint64 job);
    bool busy() const;
    QString trainingRoot() const { return m_trainingRoot; }

signals:
    void started(quint64 job);
    void encoding(quint64 job);
    void progressed(quint64 job, int step, int steps, double loss, double secondsPerStep, double secondsLeft);
    void checkpointWritten(quint64 job, int step, const QString &path);
    void validationReady(quint64 job, int step, const QList<atelier::engine::RgbImage> &images);
    void finished(quint64 job, const atelier::training::TrainingOutcome &outcome);
    void failed(quint64 job, const QString &message, const QString &type);

private:
    struct Worker;
    std::unique_ptr<Worker> m_worker;
    QString m_trainingRoot;
};

} // namespace atelier::training

Q_DECLARE_METATYPE(atelier::training::TrainingOutcome)
