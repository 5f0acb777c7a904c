// libatelier-engine.so's only export: the engine's table (engine_api.h), over the functions the static engine has.
#include "core/engine/engine_api.h"

#include "core/engine/device/runtime.h"
#include "core/engine/error.h"

#include <new>
#include <stdexcept>

namespace atelier::engine {

namespace {

bool generateCatching(const GenerationRequest &request, const ProgressCallback &onProgress, GenerationResult &result,
                      EngineFailure &failure)
{
    try {
        result = generate(request, onProgress);
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

} // namespace

} // namespace atelier::engine

extern "C" __attribute__((visibility("default"))) const atelier::engine::EngineApi *atelier_engine_api()
{
    static const atelier::engine::EngineApi table = [] {
        atelier::engine::EngineApi api;
        api.libtorchVersion = &atelier::engine::libtorchVersion;
        api.availableDevices = &atelier::engine::availableDevices;
        api.generate = &atelier::engine::generateCatching;
        return api;
    }();
    return &table;
}
