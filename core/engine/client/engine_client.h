#pragma once

// The engine as the layers above it use it: libatelier-engine.so opened on first use, its table called through
// plain functions. Nothing here includes or links libtorch, so `atelier --version`, `inspect` and the window's
// first paint never load it.
#include "core/engine/engine_api.h"
#include "core/engine/error.h"

#include <string>
#include <vector>

namespace atelier::engine::client {

// The engine's library cannot be found or opened, or was built for another layout; the message says where it
// looked and why.
class EngineUnavailableError : public Error
{
public:
    using Error::Error;
    const char *type() const noexcept override { return "EngineUnavailableError"; }
};

// The engine's table, the library opened on the first call from any thread. It is looked for at the path in
// ATELIER_ENGINE_LIBRARY when that is set (and only there), else in lib/atelier beside the executable's folder (an
// installed Atelier), then where this build put it. Throws EngineUnavailableError, with the same message on every later
// call.
const EngineApi &engineApi();
// True once the library is open; never opens it.
bool engineLoaded();

std::string libtorchVersion();
std::vector<DeviceInfo> availableDevices();
// engine::generate through the library. Its exceptions arrive as the same types: CancelledError, FormatError,
// UnsupportedModelError, OutOfMemoryError, other engine Errors, std::invalid_argument and std::bad_alloc.
GenerationResult generate(const GenerationRequest &request, const ProgressCallback &onProgress = {});

// engine::trainAmused through the library, its exceptions arriving as generate()'s do.
AmusedTrainingResult trainAmused(const AmusedTrainingRequest &request, const TrainingCallback &onProgress = {});

// An engine operation (ops/engine_ops.h) through the library, its exceptions arriving as generate()'s do.
OpResult runOp(const OpCall &call, const ProgressCallback &onProgress = {});

// The model cache's budgets: applied at once when the engine is open, else kept and applied when it opens (setting
// them never loads libtorch).
void setCacheBudgets(const CacheBudgets &budgets);
CacheBudgets cacheBudgets();
// What the model cache holds; empty (with the budgets) while the engine is not open.
CacheSnapshot cacheSnapshot();
// Drops an unused entry (false when in use or gone), or with an empty key's source every unused entry.
bool unloadCached(const SubmodelKey &key);
void pinCached(const SubmodelKey &key, bool pinned);

} // namespace atelier::engine::client
