#include "core/engine/cache/model_cache.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <tuple>

namespace atelier::engine {

ModelCache &ModelCache::shared()
{
    static ModelCache cache;
    return cache;
}

void ModelCache::setBudgets(const CacheBudgets &budgets)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_budgets = budgets;
    // A smaller budget takes effect at once, as far as unused entries allow.
    std::vector<std::string> devices;
    for (const auto &[key, entry] : m_entries)
        if (std::find(devices.begin(), devices.end(), key.device) == devices.end())
            devices.push_back(key.device);
    for (const std::string &device : devices)
        makeRoom(device, 0);
}

CacheBudgets ModelCache::budgets() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_budgets;
}

void ModelCache::setDeviceMemory(const std::string &device, std::int64_t totalBytes)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_deviceMemory[device] = totalBytes;
}

std::int64_t ModelCache::budgetFor(const std::string &device) const
{
    if (device == "cpu")
        return m_budgets.ramBytes;
    if (m_budgets.deviceBytes != CacheBudgets::kCardLessReserve)
        return m_budgets.deviceBytes;
    const auto memory = m_deviceMemory.find(device);
    if (memory == m_deviceMemory.end())
        return 0;
    // A card smaller than the reserve still holds one model at a time rather than none.
    return std::max(memory->second - CacheBudgets::kDeviceWorkingReserve, memory->second / 4);
}

std::int64_t ModelCache::heldOn(const std::string &device) const
{
    std::int64_t held = 0;
    for (const auto &[key, entry] : m_entries)
        if (key.device == device)
            held += entry.bytes;
    return held;
}

bool ModelCache::makeRoom(const std::string &device, std::int64_t bytes)
{
    const std::int64_t budget = budgetFor(device);
    if (budget <= 0)
        return true;
    while (heldOn(device) + bytes > budget) {
        auto oldest = m_entries.end();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->first.device == device && it->second.value && !it->second.pinned && !inUse(it->second) &&
                (oldest == m_entries.end() || it->second.lastUse < oldest->second.lastUse))
                oldest = it;
        if (oldest == m_entries.end())
            return false;
        m_entries.erase(oldest);
        ++m_evictions;
    }
    return true;
}

std::shared_ptr<void> ModelCache::getErased(const SubmodelKey &key, std::int64_t bytes,
                                            const std::function<std::shared_ptr<void>()> &load,
                                            const std::function<std::int64_t(const std::shared_ptr<void> &)> &measure,
                                            bool *loadedFromCache)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        const auto found = m_entries.find(key);
        if (found == m_entries.end())
            break;
        if (found->second.loading) {
            m_loaded.wait(lock);
            continue;
        }
        found->second.lastUse = std::chrono::steady_clock::now();
        ++m_hits;
        if (loadedFromCache)
            *loadedFromCache = true;
        return found->second.value;
    }
    if (!makeRoom(key.device, bytes)) {
        std::int64_t inUseBytes = 0;
        for (const auto &[other, entry] : m_entries)
            if (other.device == key.device && (inUse(entry) || entry.pinned || entry.loading))
                inUseBytes += entry.bytes;
        throw CacheBudgetError(key.text() + " needs " + sizeText(bytes) + "; the " +
                               (key.device == "cpu" ? "RAM" : key.device) + " budget is " +
                               sizeText(budgetFor(key.device)) + ", of which " + sizeText(inUseBytes) +
                               " is held by models in use or pinned (raise the cache size in the settings)");
    }
    Entry &placeholder = m_entries[key];
    placeholder.loading = true;
    placeholder.bytes = bytes; // reserved while it loads
    lock.unlock();
    std::shared_ptr<void> value;
    std::int64_t measured = bytes;
    std::exception_ptr failure;
    try {
        value = load();
        measured = measure(value);
    } catch (...) {
        failure = std::current_exception();
    }
    lock.lock();
    Entry &entry = m_entries[key];
    entry.loading = false;
    if (failure) {
        m_entries.erase(key);
        m_loaded.notify_all();
        std::rethrow_exception(failure);
    }
    entry.value = value;
    entry.bytes = measured;
    entry.lastUse = std::chrono::steady_clock::now();
    ++m_loads;
    // Where the estimate was short, older entries make up the difference; if they cannot, the entry goes.
    if (!makeRoom(key.device, 0)) {
        const std::int64_t over = heldOn(key.device) - budgetFor(key.device);
        m_entries.erase(key);
        m_loaded.notify_all();
        throw CacheBudgetError(key.text() + " takes " + sizeText(measured) + ", " + sizeText(over) + " more than the " +
                               (key.device == "cpu" ? "RAM" : key.device) + " budget of " +
                               sizeText(budgetFor(key.device)) + " holds beside the models in use");
    }
    if (loadedFromCache)
        *loadedFromCache = false;
    m_loaded.notify_all();
    return value;
}

void ModelCache::setNotes(const SubmodelKey &key, std::vector<std::string> notes)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (const auto found = m_entries.find(key); found != m_entries.end())
        found->second.notes = std::move(notes);
}

void ModelCache::setPinned(const SubmodelKey &key, bool pinned)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (const auto found = m_entries.find(key); found != m_entries.end())
        found->second.pinned = pinned;
}

bool ModelCache::unload(const SubmodelKey &key)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto found = m_entries.find(key);
    if (found == m_entries.end() || found->second.loading || inUse(found->second))
        return false;
    m_entries.erase(found);
    ++m_evictions;
    return true;
}

void ModelCache::unloadAll()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end();)
        if (!it->second.loading && !it->second.pinned && !inUse(it->second)) {
            it = m_entries.erase(it);
            ++m_evictions;
        } else {
            ++it;
        }
}

CacheSnapshot ModelCache::snapshot() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    CacheSnapshot snapshot;
    snapshot.budgets = m_budgets;
    snapshot.loads = m_loads;
    snapshot.hits = m_hits;
    snapshot.evictions = m_evictions;
    const auto now = std::chrono::steady_clock::now();
    for (const auto &[key, entry] : m_entries) {
        if (entry.loading)
            continue;
        CacheEntryInfo info;
        info.key = key;
        info.bytes = entry.bytes;
        info.idleSeconds = std::chrono::duration<double>(now - entry.lastUse).count();
        info.inUse = inUse(entry);
        info.pinned = entry.pinned;
        info.notes = entry.notes;
        snapshot.entries.push_back(info);
        snapshot.heldBytes[key.device] += entry.bytes;
    }
    snapshot.budgetBytes["cpu"] = budgetFor("cpu");
    for (const auto &[device, bytes] : snapshot.heldBytes)
        snapshot.budgetBytes[device] = budgetFor(device);
    for (const auto &[device, memory] : m_deviceMemory)
        snapshot.budgetBytes[device] = budgetFor(device);
    std::sort(snapshot.entries.begin(), snapshot.entries.end(),
              [](const CacheEntryInfo &a, const CacheEntryInfo &b) { return a.idleSeconds < b.idleSeconds; });
    return snapshot;
}

} // namespace atelier::engine
