#pragma once

#include "core/generation/generation_run.h"

#include <QObject>

#include <memory>

namespace atelier::generation {

// Runs generation requests one after another on its own worker thread (the engine's work on a device is serial),
// so that no front end blocks while a model loads or samples. Every signal is emitted on the thread the service
// lives on, whatever thread the work is on, so receivers may connect any way they like. Cancelling raises a flag
// that the run checks after every step; nothing is killed.
class GenerationService : public QObject
{
    Q_OBJECT
public:
    explicit GenerationService(RunPlace place, QObject *parent = nullptr);
    // Cancels the current run, drops the queued ones (without signals) and waits for the worker to stop.
    ~GenerationService() override;

    // Queues a run and returns its id (1, 2, ...). The request is checked when its turn comes.
    quint64 submit(GenerationRequest request);
    // A queued run is dropped and fails with kCancelled at once; the current one stops after its step.
    void cancel(quint64 run);
    void cancelAll();
    // Runs queued or running.
    int pending() const;
    // Where requests without an output path write, from the next run on.
    void setOutputsDir(const QString &outputsDir);
    void setModelsDir(const QString &modelsDir);

signals:
    void started(quint64 run);
    void progressed(quint64 run, int step, int steps);
    // Only for requests that asked for previews.
    void previewReady(quint64 run, int step, const atelier::engine::RgbImage &preview);
    void finished(quint64 run, const atelier::generation::GenerationOutcome &outcome);
    void failed(quint64 run, const atelier::generation::GenerationFailure &failure);

private:
    struct Worker;
    std::unique_ptr<Worker> m_worker;
};

} // namespace atelier::generation
