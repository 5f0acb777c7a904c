#pragma once

// The model cache's budgets, from the settings' cache sizes (Settings → Cache): models kept in system memory and on
// each GPU. Given to the engine, which keeps them until it opens, so setting them never loads libtorch.
#include "core/engine/cache/model_cache.h"
#include "core/settings/settings.h"

namespace atelier::generation {

// The settings' budgets, an automatic one (a size of 0) resolved: for RAM from this machine's memory, for GPUs as
// CacheBudgets::kCardLessReserve, which the engine resolves per card.
engine::CacheBudgets cacheBudgetsOf(const settings::Settings &settings);
// InvokeAI's default RAM cache: half the machine's memory less 2 GiB, and at least a quarter of it.
std::int64_t automaticRamBudget(std::int64_t physicalBytes);
// "8.00 GiB", "automatic: the card's memory less 3 GiB", "no limit".
std::string budgetText(std::int64_t bytes);
void applyCacheBudgets(const settings::Settings &settings);

} // namespace atelier::generation
