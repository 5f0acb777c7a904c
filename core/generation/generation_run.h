#pragma once

// One generation request from start to finish on the calling thread: the models resolved through the library,
// the engine run, the images written with their recipes. The service runs it on its worker thread; tests call it
// directly.
#include "core/generation/generation_request.h"
#include "core/generation/library_models.h"

#include <functional>

namespace atelier::generation {

struct RunPlace
{
    ModelLibrary library;
    QString outputsDir; // where requests without an output path write (a folder per day)
};

// Called after every sampling step; returning false cancels the run, which then fails with kCancelled.
using StepCallback = std::function<bool(const engine::GenerationProgress &)>;

// Fails with kInvalidRequest (bad parameters or prompts), kCancelled, or kRunFailed (the model, a LoRA, an
// embedding, the init image, the device or the output), with a message for users. Nothing is written unless the
// run succeeds, except images of a batch before the one that could not be written.
Result<GenerationOutcome> runGeneration(const GenerationRequest &request, const RunPlace &place,
                                        const StepCallback &onStep = {});

// Where image `index` of a batch goes: FILE.png, FILE-2.png, FILE-3.png ...
QString batchImagePath(const QString &path, int index);

} // namespace atelier::generation
