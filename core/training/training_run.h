#pragma once

// One aMUSEd fine-tuning job from start to finish on the calling thread, for every front end (`atelier train
// amused`, the window's Training panel): the base model found in the library, the training set read from its
// folder, the engine's run (through its client), a loss log and validation PNGs in the run's folder, and at the end
// the result written into the models folder and registered in the library, where generate, the graph and the
// gallery find it at once.
#include "core/engine/training/amused_training.h"
#include "core/generation/library_models.h"
#include "core/result.h"
#include "core/training/training_set.h"

#include <QString>

#include <functional>

namespace atelier::models {
class ModelInstaller;
}

namespace atelier::training {

struct TrainingJob
{
    QString dataFolder;
    QString model;       // a library aMUSEd model (key, name) or a folder
    QString outputName;  // the result's name in the library
    int resolution = 0;  // 0: the model's own image size
    bool resume = false; // continue the run of this name from its latest checkpoint
    // The engine's settings; its model, examples, folders, output and recipe are filled by the run.
    engine::AmusedTrainingRequest settings;
};

struct TrainingOutcome
{
    bool finished = false; // false: stopped early; a checkpoint holds where (resume to go on)
    int stepsDone = 0;
    int resumedFrom = 0;
    QString outputPath; // when finished
    QString modelKey;   // the library record, when finished
    QString runFolder;  // the loss log, validation images and checkpoints
    QList<SkippedImage> skipped;
    int images = 0;
    QString captionSource;
    double lastLoss = 0;
};

// Where a job's files go: <root>/training/<name>.
QString runFolderFor(const QString &trainingRoot, const QString &outputName);

// Runs `job`. `onProgress` sees every event the engine reports (after the run has logged it) and stops the run by
// returning false. Failures: "InvalidRequest" (bad settings, names, training sets), "MissingCaption", "NoImages",
// "NotAmused", "OutOfMemory", "RunFailed" (the engine's other errors), "Register".
Result<TrainingOutcome> runTraining(const TrainingJob &job, const generation::ModelLibrary &library,
                                    models::ModelInstaller &installer, const QString &trainingRoot,
                                    const std::function<bool(const engine::TrainingProgress &)> &onProgress = {});

// The loss log's rows (step,loss,grad_norm,learning_rate,seconds_per_step), from a run folder.
QList<QPair<int, double>> readLossLog(const QString &runFolder);

} // namespace atelier::training
