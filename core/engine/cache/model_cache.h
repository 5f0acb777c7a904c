#pragma once

// The model load service's cache: loaded submodels (a main model's text encoders, UNet and VAE, each on its own)
// kept in memory under budgets, so that switching back to a model, or running a graph again, does not read it
// from disk. Plain standard types only: the client and the layers above read its snapshot.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace atelier::engine {

// What a cache entry is: the file it came from, which part of it, and the device and dtype it was loaded for
// (InvokeAI's key:submodel). Two checkpoints naming one VAE file share that VAE's entry.
struct SubmodelKey
{
    std::string source;   // a file or folder path, or a content hash when the caller knows it
    std::string submodel; // "text_encoder", "unet", "vae"
    std::string device;   // "cpu", "cuda:0"
    std::string dtype;    // "float32", "bfloat16" ...
    std::string stamp;    // the file's size and modification time: a changed file is another entry

    std::string text() const { return source + " [" + submodel + ", " + device + ", " + dtype + "]"; }
    bool operator<(const SubmodelKey &other) const
    {
        return std::tie(source, submodel, device, dtype, stamp) <
               std::tie(other.source, other.submodel, other.device, other.dtype, other.stamp);
    }
    bool operator==(const SubmodelKey &other) const { return !(*this < other) && !(other < *this); }
};

// One entry as the Memory panel and `atelier info` show it.
struct CacheEntryInfo
{
    SubmodelKey key;
    std::int64_t bytes = 0;         // the tensors' bytes
    double idleSeconds = 0;         // since it was last handed out
    bool inUse = false;             // held by a run or a value: never evicted
    bool pinned = false;            // kept on its device until unpinned
    std::vector<std::string> notes; // e.g. the LoRAs patched onto it
};

struct CacheBudgets
{
    // InvokeAI's default for a GPU: the card's memory less a working reserve for activations (kDeviceWorkingReserve).
    static constexpr std::int64_t kCardLessReserve = -1;
    static constexpr std::int64_t kDeviceWorkingReserve = std::int64_t(3) << 30;

    std::int64_t ramBytes = 0;    // submodels on the CPU; 0: no limit
    std::int64_t deviceBytes = 0; // submodels on each GPU; 0: no limit, or kCardLessReserve
};

struct CacheSnapshot
{
    CacheBudgets budgets;
    std::map<std::string, std::int64_t> budgetBytes; // by device, kCardLessReserve resolved; 0: no limit
    std::vector<CacheEntryInfo> entries;           // most recently used first
    std::map<std::string, std::int64_t> heldBytes; // by device ("cpu", "cuda:0")
    std::int64_t loads = 0, hits = 0, evictions = 0;
};

// Submodels a budget cannot hold: the message says what was needed, the budget, and what is in use.
class CacheBudgetError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Thread-safe. A submodel asked for while another thread loads it is loaded once: the later callers wait for the
// first (and try again themselves if it failed). Least recently used entries are evicted to make room; an entry is in
// use, and never evicted, while anything besides the cache holds it.
class ModelCache
{
public:
    // The process's cache, which the loaders use.
    static ModelCache &shared();

    void setBudgets(const CacheBudgets &budgets);
    CacheBudgets budgets() const;
    // A GPU's memory, which a kCardLessReserve budget is taken from; told by the loaders before a device's first
    // entry. Until then such a device has no limit.
    void setDeviceMemory(const std::string &device, std::int64_t totalBytes);

    // The entry for `key`, loaded by `load` when absent. `bytes` is its size, known before loading (from the file's
    // tensor shapes and the target dtype), so that room is made, or the load refused, before anything is read.
    // `loadedFromCache`, when given, says whether it was a hit. Throws CacheBudgetError when the budget of the
    // key's device cannot hold it even with every unused entry evicted, and whatever `load` throws.
    // Once loaded, `measure` gives its exact size (the tensors' bytes), which replaces the estimate.
    template <typename T>
    std::shared_ptr<T> get(const SubmodelKey &key, std::int64_t bytes, const std::function<std::shared_ptr<T>()> &load,
                           const std::function<std::int64_t(const T &)> &measure, bool *loadedFromCache = nullptr)
    {
        return std::static_pointer_cast<T>(getErased(
            key, bytes, [&]() -> std::shared_ptr<void> { return load(); },
            [&](const std::shared_ptr<void> &value) { return measure(*static_cast<const T *>(value.get())); },
            loadedFromCache));
    }

    // Notes shown beside an entry (the LoRAs patched onto it); no effect when it is not cached.
    void setNotes(const SubmodelKey &key, std::vector<std::string> notes);
    void setPinned(const SubmodelKey &key, bool pinned);
    // Drops the cache's hold on `key` (false when it is in use or absent), or on every entry neither in use nor
    // pinned.
    bool unload(const SubmodelKey &key);
    void unloadAll();
    CacheSnapshot snapshot() const;

private:
    struct Entry
    {
        std::shared_ptr<void> value; // null while loading
        std::int64_t bytes = 0;
        std::chrono::steady_clock::time_point lastUse;
        bool loading = false;
        bool pinned = false;
        std::vector<std::string> notes;
    };

    std::shared_ptr<void> getErased(const SubmodelKey &key, std::int64_t bytes,
                                    const std::function<std::shared_ptr<void>()> &load,
                                    const std::function<std::int64_t(const std::shared_ptr<void> &)> &measure,
                                    bool *loadedFromCache);
    std::int64_t budgetFor(const std::string &device) const;
    std::int64_t heldOn(const std::string &device) const;
    static bool inUse(const Entry &entry) { return entry.value && entry.value.use_count() > 1; }
    // Evicts unused, unpinned entries of `device`, least recently used first, until `bytes` more fit; false when
    // they cannot.
    bool makeRoom(const std::string &device, std::int64_t bytes);

    mutable std::mutex m_mutex;
    std::condition_variable m_loaded;
    CacheBudgets m_budgets;
    std::map<SubmodelKey, Entry> m_entries;
    std::map<std::string, std::int64_t> m_deviceMemory;
    std::int64_t m_loads = 0, m_hits = 0, m_evictions = 0;
};

// "1.53 GiB", "12.4 MiB": a size for messages.
inline std::string sizeText(std::int64_t bytes)
{
    char text[32];
    constexpr double kMiB = 1024.0 * 1024.0;
    if (bytes >= (std::int64_t(1) << 30))
        std::snprintf(text, sizeof text, "%.2f GiB", double(bytes) / (1024.0 * kMiB));
    else
        std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / kMiB);
    return text;
}

} // namespace atelier::engine
