#include "core/generation/cache_budgets.h"

#include "core/engine/client/engine_client.h"

#include <cmath>

namespace atelier::generation {

namespace {

std::int64_t bytesOf(double gibibytes)
{
    return gibibytes > 0 ? std::int64_t(std::llround(gibibytes * double(std::int64_t(1) << 30))) : 0;
}

} // namespace

engine::CacheBudgets cacheBudgetsOf(const settings::Settings &settings)
{
    engine::CacheBudgets budgets;
    budgets.ramBytes = bytesOf(settings.ramCacheGb);
    budgets.deviceBytes = bytesOf(settings.vramCacheGb);
    return budgets;
}

void applyCacheBudgets(const settings::Settings &settings)
{
    engine::client::setCacheBudgets(cacheBudgetsOf(settings));
}

} // namespace atelier::generation
