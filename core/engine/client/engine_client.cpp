#include "core/engine/client/engine_client.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>

namespace atelier::engine::client {

namespace {

// An engine Error whose type has no class on this side of the boundary.
class ForwardedError : public Error
{
public:
    ForwardedError(std::string type, const std::string &message)
        : Error(message)
        , m_type(std::move(type))
    {}
    const char *type() const noexcept override { return m_type.c_str(); }

private:
    std::string m_type;
};

std::string executableFolder()
{
    std::string path(4096, '\0');
    const ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
    if (length <= 0)
        return {};
    path.resize(std::size_t(length));
    return path.substr(0, path.rfind('/'));
}

std::vector<std::string> candidatePaths()
{
    // A path given by the user is the only one tried: a typo there must not fall back to another engine.
    if (const char *configured = std::getenv("ATELIER_ENGINE_LIBRARY"); configured && *configured)
        return {configured};
    std::vector<std::string> paths;
#ifdef ATELIER_ENGINE_LIBRARY_NAME
    if (const std::string folder = executableFolder(); !folder.empty())
        paths.push_back(folder + "/" ATELIER_ENGINE_INSTALLED_RELATIVE "/" ATELIER_ENGINE_LIBRARY_NAME);
    paths.emplace_back(ATELIER_ENGINE_BUILD_PATH);
#endif
    return paths;
}

struct LoadedEngine
{
    const EngineApi *api = nullptr;
    std::string error;
};

LoadedEngine open()
{
    const std::vector<std::string> paths = candidatePaths();
    if (paths.empty())
        return {nullptr, "this build of Atelier has no inference engine (it was built without its model loader)"};
    std::string tried;
    for (const std::string &path : paths) {
        if (access(path.c_str(), F_OK) != 0) {
            tried += "\n  " + path + ": not found";
            continue;
        }
        // Kept open for the life of the process: the engine's threads and callbacks live in it.
        void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            const char *why = dlerror();
            tried += "\n  " + path + ": " + (why ? why : "cannot be opened");
            continue;
        }
        const auto entry = reinterpret_cast<EngineApiEntry>(dlsym(library, kEngineApiSymbol));
        const EngineApi *api = entry ? entry() : nullptr;
        if (!api || api->version != EngineApi::kVersion || api->size != sizeof(EngineApi)) {
            tried += "\n  " + path + ": an engine library of another Atelier build";
            continue;
        }
        return {api, {}};
    }
    return {nullptr, "the inference engine cannot be loaded; looked at:" + tried};
}

std::mutex g_mutex;
LoadedEngine *g_loaded = nullptr; // set once, under g_mutex

[[noreturn]] void rethrow(const EngineFailure &failure)
{
    const std::string &type = failure.type;
    if (type == "CancelledError")
        throw CancelledError(failure.message);
    if (type == "FormatError")
        throw FormatError(failure.message);
    if (type == "UnsupportedModelError")
        throw UnsupportedModelError(failure.message);
    if (type == "OutOfMemoryError")
        throw OutOfMemoryError(failure.message);
    if (type == "invalid_argument")
        throw std::invalid_argument(failure.message);
    if (type == "bad_alloc")
        throw std::bad_alloc();
    if (type == "exception")
        throw std::runtime_error(failure.message);
    throw ForwardedError(type, failure.message);
}

// A call through the table that reports failure as (false, EngineFailure): its result, or the failure rethrown as the
// engine's exception type.
template <typename Result, typename Entry, typename Request, typename Callback>
Result callThrough(Entry entry, const Request &request, const Callback &onProgress)
{
    Result result;
    EngineFailure failure;
    if (!entry(request, onProgress, result, failure))
        rethrow(failure);
    return result;
}

} // namespace

namespace {
CacheBudgets g_budgets; // under g_mutex: what the engine gets when it opens
} // namespace

const EngineApi &engineApi()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    if (!g_loaded) {
        g_loaded = new LoadedEngine(open()); // never freed: the library stays open until the process ends
        if (g_loaded->api)
            g_loaded->api->setCacheBudgets(g_budgets);
    }
    if (!g_loaded->api)
        throw EngineUnavailableError(g_loaded->error);
    return *g_loaded->api;
}

bool engineLoaded()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_loaded && g_loaded->api;
}

std::string libtorchVersion()
{
    return engineApi().libtorchVersion();
}

std::vector<DeviceInfo> availableDevices()
{
    return engineApi().availableDevices();
}

GenerationResult generate(const GenerationRequest &request, const ProgressCallback &onProgress)
{
    return callThrough<GenerationResult>(engineApi().generate, request, onProgress);
}

AmusedTrainingResult trainAmused(const AmusedTrainingRequest &request, const TrainingCallback &onProgress)
{
    return callThrough<AmusedTrainingResult>(engineApi().trainAmused, request, onProgress);
}

void setCacheBudgets(const CacheBudgets &budgets)
{
    const EngineApi *open = nullptr;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        g_budgets = budgets;
        if (g_loaded && g_loaded->api)
            open = g_loaded->api;
    }
    if (open)
        open->setCacheBudgets(budgets);
}

CacheBudgets cacheBudgets()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_budgets;
}

CacheSnapshot cacheSnapshot()
{
    if (!engineLoaded()) {
        CacheSnapshot empty;
        empty.budgets = cacheBudgets();
        return empty;
    }
    return engineApi().cacheSnapshot();
}

bool unloadCached(const SubmodelKey &key)
{
    return engineLoaded() && engineApi().unloadCached(key);
}

void pinCached(const SubmodelKey &key, bool pinned)
{
    if (engineLoaded())
        engineApi().pinCached(key, pinned);
}

OpResult runOp(const OpCall &call, const ProgressCallback &onProgress)
{
    return callThrough<OpResult>(engineApi().runOp, call, onProgress);
}

} // namespace atelier::engine::client
