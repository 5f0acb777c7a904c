#pragma once

// The engine's one door for the layers above it. libatelier-engine.so exports atelier_engine_api(), the table
// below; everything above core/engine reaches libtorch through it, by way of client/engine_client.h, so that a
// process loads libtorch only when it first needs it. Plain standard types only.
#include "core/engine/cache/model_cache.h"
#include "core/engine/device/device_info.h"
#include "core/engine/ops/op_call.h"
#include "core/engine/pipeline/generate.h"
#include "core/engine/training/amused_training.h"

#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

// An exception of the engine, carried across the library's boundary as its type and message: an engine Error's
// type() ("CancelledError", "FormatError" ...), "invalid_argument", "bad_alloc" or "exception".
struct EngineFailure
{
    std::string type;
    std::string message;
};

using ProgressCallback = std::function<bool(const GenerationProgress &)>;
using TrainingCallback = std::function<bool(const TrainingProgress &)>;

struct EngineApi
{
    // Raised whenever the table or a type in it changes, so that an executable never calls a library of another
    // layout; the size is checked as well.
    static constexpr int kVersion = 9;
    int version = kVersion;
    std::size_t size = sizeof(EngineApi);

    std::string (*libtorchVersion)() = nullptr;
    std::vector<DeviceInfo> (*availableDevices)() = nullptr;
    // engine::generate; false, with `failure` filled, when it threw.
    bool (*generate)(const GenerationRequest &request, const ProgressCallback &onProgress, GenerationResult &result,
                     EngineFailure &failure) = nullptr;
    // An operation on the values pipeline graphs pass between nodes (ops/engine_ops.h lists them); false, with
    // `failure` filled, when it threw.
    bool (*runOp)(const OpCall &call, const ProgressCallback &onProgress, OpResult &result,
                  EngineFailure &failure) = nullptr;
    std::vector<std::string> (*opNames)() = nullptr;
    // The model cache (cache/model_cache.h): what it holds, its budgets, and dropping or pinning entries.
    CacheSnapshot (*cacheSnapshot)() = nullptr;
    void (*setCacheBudgets)(const CacheBudgets &budgets) = nullptr;
    bool (*unloadCached)(const SubmodelKey &key) = nullptr; // an empty source: every unused entry
    void (*pinCached)(const SubmodelKey &key, bool pinned) = nullptr;
    // engine::trainAmused (training/amused_training.h); false, with `failure` filled, when it threw.
    bool (*trainAmused)(const AmusedTrainingRequest &request, const TrainingCallback &onProgress,
                        AmusedTrainingResult &result, EngineFailure &failure) = nullptr;
};

constexpr const char *kEngineApiSymbol = "atelier_engine_api";
using EngineApiEntry = const EngineApi *(*)();

} // namespace atelier::engine
