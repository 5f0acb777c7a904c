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

namespace {

SubmodelKey inRam(SubmodelKey key)
{
    key.device = "cpu";
    return key;
}

} // namespace

void ModelCache::setBudgets(const CacheBudgets &budgets)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_budgets = budgets;
    // A smaller budget takes effect at once, as far as unused entries allow; what it no longer holds is dropped
    // rather than moved, so that nothing is copied on the caller's (the settings dialog's) thread.
    std::vector<std::string> devices;
    for (const auto &[key, entry] : m_entries)
        if (std::find(devices.begin(), devices.end(), key.device) == devices.end())
            devices.push_back(key.device);
    for (const std::string &device : devices)
        makeRoom(device, nullptr);
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
            held += entry.onDevice;
        else if (device == "cpu")
            held += entry.bytes - entry.onDevice;
    return held;
}

std::string ModelCache::budgetText(const std::string &device) const
{
    std::int64_t fixed = 0;
    for (const auto &[key, entry] : m_entries)
        if (!movable(entry))
            fixed += key.device == device ? entry.onDevice : device == "cpu" ? entry.bytes - entry.onDevice : 0;
    return "the " + budgetName(device) + " budget is " + sizeText(budgetFor(device)) + ", of which " + sizeText(fixed) +
           " is held by models in use or pinned";
}

std::int64_t ModelCache::shareOnDevice(const SubmodelKey &key, std::int64_t bytes, bool canSplit) const
{
    const std::int64_t budget = budgetFor(key.device);
    if (budget <= 0)
        return bytes;
    std::int64_t fixed = 0;
    for (const auto &[other, entry] : m_entries)
        if (other.device == key.device && !(other == key) && !movable(entry))
            fixed += entry.onDevice;
    if (fixed + bytes <= budget)
        return bytes;
    if (key.device != "cpu" && canSplit)
        return std::max<std::int64_t>(0, budget - fixed);
    throw CacheBudgetError(key.text() + " needs " + sizeText(bytes) + "; " + budgetText(key.device) +
                           " (raise the cache size in the settings)");
}

bool ModelCache::makeRoom(const std::string &device, std::vector<Move> *moves)
{
    const std::int64_t budget = budgetFor(device);
    if (budget <= 0)
        return true;
    // RAM's candidates include the parts of partial loads that wait there: freeing one drops the whole entry.
    const auto candidate = [&](const SubmodelKey &key, const Entry &entry) {
        return movable(entry) && (key.device == device || (device == "cpu" && entry.onDevice < entry.bytes));
    };
    // Nothing is evicted for a room that cannot be made.
    std::int64_t freeable = 0;
    for (const auto &[key, entry] : m_entries)
        if (candidate(key, entry))
            freeable += key.device == device ? entry.onDevice : entry.bytes - entry.onDevice;
    if (heldOn(device) - freeable > budget)
        return false;
    while (heldOn(device) > budget) {
        auto oldest = m_entries.end();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (candidate(it->first, it->second) &&
                (oldest == m_entries.end() || it->second.lastUse < oldest->second.lastUse))
                oldest = it;
        if (oldest == m_entries.end())
            return false;
        const SubmodelKey ramKey = inRam(oldest->first);
        const bool offload = moves && device != "cpu" && oldest->first.device == device && oldest->second.place &&
                             !m_entries.count(ramKey);
        Entry entry = std::move(oldest->second);
        m_entries.erase(oldest);
        if (!offload) {
            ++m_evictions;
            continue;
        }
        // Accounted in RAM at once; RAM's own least recently used entries make room, or it is dropped after all.
        entry.onDevice = entry.bytes;
        entry.loading = true;
        Entry &offloaded = m_entries[ramKey] = std::move(entry);
        if (!makeRoom("cpu", moves)) {
            m_entries.erase(ramKey);
            ++m_evictions;
            continue;
        }
        moves->push_back({device, ramKey, offloaded.value, offloaded.place});
        ++m_leaving[device];
        ++m_offloads;
    }
    return true;
}

void ModelCache::carryOut(std::unique_lock<std::mutex> &lock, std::vector<Move> &moves)
{
    if (moves.empty())
        return;
    lock.unlock();
    std::vector<bool> failed(moves.size(), false);
    for (std::size_t i = 0; i < moves.size(); ++i) {
        try {
            moves[i].place(moves[i].value.get(), moves[i].to.device, kAllOnDevice);
        } catch (...) {
            failed[i] = true; // out of RAM, say: the entry is dropped, which frees what it held
        }
        moves[i].value.reset();
    }
    lock.lock();
    for (std::size_t i = 0; i < moves.size(); ++i) {
        if (--m_leaving[moves[i].from] == 0)
            m_leaving.erase(moves[i].from);
        const auto found = m_entries.find(moves[i].to);
        if (found == m_entries.end())
            continue;
        if (failed[i]) {
            m_entries.erase(found);
            ++m_evictions;
        } else {
            found->second.loading = false;
        }
    }
    moves.clear();
    m_loaded.notify_all();
}

std::shared_ptr<void> ModelCache::getErased(const SubmodelKey &key, std::int64_t bytes, const Handlers &handlers,
                                            CacheFetch *fetch)
{
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(m_mutex);
    std::shared_ptr<void> value;
    for (;;) {
        const auto found = m_entries.find(key);
        if (found != m_entries.end()) {
            if (found->second.loading) {
                m_loaded.wait(lock);
                continue;
            }
            // A partial load takes more of the device when room has come free since.
            Entry &entry = found->second;
            if (entry.onDevice < entry.bytes && movable(entry) && entry.place && !m_leaving.count(key.device) &&
                shareOnDevice(key, entry.bytes, true) > entry.onDevice) {
                value = moveOntoDevice(lock, key, key, fetch);
                break;
            }
            found->second.lastUse = std::chrono::steady_clock::now();
            ++m_hits;
            if (fetch)
                *fetch = {key.device == "cpu" ? CacheFetch::From::Ram : CacheFetch::From::Device, found->second.bytes,
                          found->second.onDevice, 0.0};
            value = found->second.value;
            break;
        }
        // Room on a device is made only once the offloads leaving it are done.
        if (key.device != "cpu" && m_leaving.count(key.device)) {
            m_loaded.wait(lock);
            continue;
        }
        if (key.device != "cpu") {
            const auto offloaded = m_entries.find(inRam(key));
            if (offloaded != m_entries.end() && offloaded->second.loading) {
                m_loaded.wait(lock);
                continue;
            }
            if (offloaded != m_entries.end() && movable(offloaded->second) && offloaded->second.place) {
                value = moveOntoDevice(lock, key, inRam(key), fetch);
                break;
            }
        }
        value = loadFromDisk(lock, key, bytes, handlers, fetch);
        break;
    }
    if (fetch)
        fetch->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return value;
}

std::shared_ptr<void> ModelCache::moveOntoDevice(std::unique_lock<std::mutex> &lock, const SubmodelKey &key,
                                                 const SubmodelKey &from, CacheFetch *fetch)
{
    Entry moving = std::move(m_entries.at(from));
    m_entries.erase(from);
    const std::int64_t share = shareOnDevice(key, moving.bytes, true); // splits rather than throws
    // The part that stays in RAM was there already, so RAM has room for it; the device makes room by offloading.
    moving.onDevice = share;
    moving.loading = true;
    const std::shared_ptr<void> value = moving.value;
    const Placement place = moving.place;
    const std::int64_t bytes = moving.bytes;
    m_entries[key] = std::move(moving);
    std::vector<Move> moves;
    makeRoom(key.device, &moves);
    makeRoom("cpu", &moves);
    carryOut(lock, moves);
    lock.unlock();
    std::int64_t placed = 0;
    std::exception_ptr failure;
    try {
        placed = place(value.get(), key.device, share == bytes ? kAllOnDevice : share);
    } catch (...) {
        failure = std::current_exception();
    }
    lock.lock();
    Entry &entry = m_entries.at(key);
    entry.loading = false;
    m_loaded.notify_all();
    if (failure) {
        m_entries.erase(key);
        ++m_evictions;
        std::rethrow_exception(failure);
    }
    entry.onDevice = placed;
    entry.lastUse = std::chrono::steady_clock::now();
    ++m_reloads;
    if (fetch)
        *fetch = {CacheFetch::From::Ram, bytes, placed, 0.0};
    return value;
}

std::shared_ptr<void> ModelCache::loadFromDisk(std::unique_lock<std::mutex> &lock, const SubmodelKey &key,
                                               std::int64_t bytes, const Handlers &handlers, CacheFetch *fetch)
{
    const std::int64_t share = shareOnDevice(key, bytes, bool(handlers.place));
    const bool partial = share < bytes;
    Entry &placeholder = m_entries[key];
    placeholder.loading = true;
    placeholder.bytes = bytes; // reserved while it loads
    placeholder.onDevice = share;
    placeholder.place = handlers.place;
    std::vector<Move> moves;
    const bool ramHoldsTheRest = makeRoom("cpu", &moves);
    if (key.device != "cpu")
        makeRoom(key.device, &moves);
    if (!ramHoldsTheRest) {
        const std::string message = key.text() + " needs " + sizeText(bytes) + "; " + budgetText(key.device) +
                                    (partial ? ", and " + budgetText("cpu") + " (loaded partially, " +
                                                   sizeText(bytes - share) + " would stay in RAM)"
                                             : std::string()) +
                                    " (raise the cache size in the settings)";
        m_entries.erase(key);
        carryOut(lock, moves);
        throw CacheBudgetError(message);
    }
    carryOut(lock, moves);
    lock.unlock();
    std::shared_ptr<void> value;
    std::int64_t measured = bytes, placed = share;
    std::exception_ptr failure;
    try {
        value = handlers.load(partial ? "cpu" : key.device);
        measured = handlers.measure(value);
        placed = partial ? handlers.place(value.get(), key.device, share) : measured;
    } catch (...) {
        failure = std::current_exception();
    }
    lock.lock();
    Entry &entry = m_entries.at(key);
    entry.loading = false;
    if (failure) {
        m_entries.erase(key);
        m_loaded.notify_all();
        std::rethrow_exception(failure);
    }
    entry.value = value;
    entry.bytes = measured;
    entry.onDevice = placed;
    entry.lastUse = std::chrono::steady_clock::now();
    ++m_loads;
    // Where the estimate was short, older entries make up the difference; if they cannot, the entry goes.
    const bool fits = makeRoom(key.device, &moves) && makeRoom("cpu", &moves);
    if (!fits) {
        const std::string message = key.text() + " takes " + sizeText(measured) + ", more than " +
                                    budgetText(key.device) + " leaves (raise the cache size in the settings)";
        m_entries.erase(key);
        carryOut(lock, moves);
        m_loaded.notify_all();
        throw CacheBudgetError(message);
    }
    carryOut(lock, moves);
    m_loaded.notify_all();
    if (fetch)
        *fetch = {CacheFetch::From::Disk, measured, placed, 0.0};
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
    snapshot.offloads = m_offloads;
    snapshot.reloads = m_reloads;
    const auto now = std::chrono::steady_clock::now();
    for (const auto &[key, entry] : m_entries) {
        if (entry.loading)
            continue;
        CacheEntryInfo info;
        info.key = key;
        info.bytes = entry.bytes;
        info.onDevice = entry.onDevice;
        info.idleSeconds = std::chrono::duration<double>(now - entry.lastUse).count();
        info.inUse = inUse(entry);
        info.pinned = entry.pinned;
        info.notes = entry.notes;
        snapshot.entries.push_back(info);
        snapshot.heldBytes[key.device] += entry.onDevice;
        if (entry.onDevice < entry.bytes)
            snapshot.heldBytes["cpu"] += entry.bytes - entry.onDevice;
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
