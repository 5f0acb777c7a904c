// libatelier-engine.so's only export: the engine's table (engine_api.h), over the functions the static engine has.
#include "core/engine/engine_api.h"

#include "core/engine/cache/model_cache.h"
#include "core/engine/device/runtime.h"
#include "core/engine/error.h"
#include "core/engine/ops/engine_ops.h"

#include <new>
#include <stdexcept>

namespace atelier::engine {

namespace {

// Runs `work`; false, with `failure` filled, when it threw.
template <typename Work> bool catching(Work work, EngineFailure &failure)
{
    try {
        work();
        return true;
    } catch (const Error &error) {
        failure = {error.type(), error.what()};
    } catch (const std::invalid_argument &error) {
        failure = {"invalid_argument", error.what()};
    } catch (const std::bad_alloc &) {
        failure = {"bad_alloc", "out of memory"};
    } catch (const std::exception &error) {
        failure = {"exception", error.what()};
    } catch (...) {
        failure = {"exception", "an unknown error"};
    }
    return false;
}

bool generateCatching(const GenerationRequest &request, const ProgressCallback &onProgress, GenerationResult &result,
                      EngineFailure &failure)
{
    return catching([&] { result = generate(request, onProgress); }, failure);
}

bool runOpCatching(const OpCall &call, const ProgressCallback &onProgress, OpResult &result, EngineFailure &failure)
{
    return catching([&] { result = runOp(call, onProgress); }, failure);
}

bool trainAmusedCatching(const AmusedTrainingRequest &request, const TrainingCallback &onProgress,
                         AmusedTrainingResult &result, EngineFailure &failure)
{
    return catching([&] { result = trainAmused(request, onProgress); }, failure);
}

CacheSnapshot cacheSnapshot()
{
    return ModelCache::shared().snapshot();
}

void setCacheBudgets(const CacheBudgets &budgets)
{
    ModelCache::shared().setBudgets(budgets);
}

bool unloadCached(const SubmodelKey &key)
{
    if (!key.source.empty())
        return ModelCache::shared().unload(key);
    ModelCache::shared().unloadAll();
    return true;
}

void pinCached(const SubmodelKey &key, bool pinned)
{
    ModelCache::shared().setPinned(key, pinned);
}

} // namespace

} // namespace atelier::engine

extern "C" __attribute__((visibility("default"))) const atelier::engine::EngineApi *atelier_engine_api()
{
    static const atelier::engine::EngineApi table = [] {
        atelier::engine::EngineApi api;
        api.libtorchVersion = &atelier::engine::libtorchVersion;
        api.availableDevices = &atelier::engine::availableDevices;
        api.generate = &atelier::engine::generateCatching;
        api.runOp = &atelier::engine::runOpCatching;
        api.opNames = &atelier::engine::opNames;
        api.cacheSnapshot = &atelier::engine::cacheSnapshot;
        api.setCacheBudgets = &atelier::engine::setCacheBudgets;
        api.unloadCached = &atelier::engine::unloadCached;
        api.pinCached = &atelier::engine::pinCached;
        api.trainAmused = &atelier::engine::trainAmusedCatching;
        return api;
    }();
    return &table;
}
