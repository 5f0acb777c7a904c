#include "core/generation/cache_budgets.h"

#include "core/engine/client/engine_client.h"

#include <algorithm>
#include <cmath>

#include <unistd.h>

namespace atelier::generation {

namespace {

std::int64_t bytesOf(double gibibytes)
{
    return gibibytes > 0 ? std::int64_t(std::llround(gibibytes * double(std::int64_t(1) << 30))) : 0;
}

} // namespace

std::int64_t automaticRamBudget(std::int64_t physicalBytes)
{
    return std::max(physicalBytes / 2 - (std::int64_t(2) << 30), physicalBytes / 4);
}

std::string budgetText(std::int64_t bytes)
{
    if (bytes == engine::CacheBudgets::kCardLessReserve)
        return "automatic: the card's memory less " + engine::sizeText(engine::CacheBudgets::kDeviceWorkingReserve);
    return bytes > 0 ? engine::sizeText(bytes) : "no limit";
}

engine::CacheBudgets cacheBudgetsOf(const settings::Settings &settings)
{
    engine::CacheBudgets budgets;
    budgets.ramBytes = bytesOf(settings.ramCacheGb);
    if (budgets.ramBytes == 0)
        budgets.ramBytes = automaticRamBudget(std::int64_t(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE));
    budgets.deviceBytes = bytesOf(settings.vramCacheGb);
    if (budgets.deviceBytes == 0)
        budgets.deviceBytes = engine::CacheBudgets::kCardLessReserve;
    return budgets;
}

void applyCacheBudgets(const settings::Settings &settings)
{
    engine::client::setCacheBudgets(cacheBudgetsOf(settings));
}

} // namespace atelier::generation
