#pragma once

// The model cache's budgets, from the settings' cache sizes (Settings → Cache): models kept in system memory and on
// each GPU. Given to the engine, which keeps them until it opens, so setting them never loads libtorch.
#include "core/engine/cache/model_cache.h"
#include "core/settings/settings.h"

namespace atelier::generation {

engine::CacheBudgets cacheBudgetsOf(const settings::Settings &settings);
void applyCacheBudgets(const settings::Settings &settings);

} // namespace atelier::generation
