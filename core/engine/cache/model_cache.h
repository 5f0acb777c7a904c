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
    std::int64_t onDevice = 0;      // of which on the key's device; the rest is in RAM (a partial load)
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
    std::map<std::string, std::int64_t> heldBytes; // by device ("cpu", "cuda:0"); partial loads' rest under "cpu"
    std::int64_t loads = 0, hits = 0, evictions = 0;
    std::int64_t offloads = 0, reloads = 0; // device entries moved to RAM to make room, and moved back
};

// Where a submodel handed out by ModelCache::get came from, for the run's report.
struct CacheFetch
{
    enum class From { Disk, Ram, Device };
    From from = From::Disk;
    std::int64_t bytes = 0;    // the submodel's size
    std::int64_t onDevice = 0; // of which on the key's device (less than `bytes`: loaded partially)
    double seconds = 0;
};

// How to load a submodel for the cache, and how to move it between devices.
template <typename T> struct CachedLoad
{
    // Reads it from disk onto `device` (the key's, or "cpu" for a load that will be partial).
    std::function<std::shared_ptr<T>(const std::string &device)> load;
    // Its exact size once loaded (the tensors' bytes), which replaces the estimate.
    std::function<std::int64_t(const T &)> measure;
    // Moves it to `device`: all of it when `allowance` is kAllOnDevice, else as much as fits in `allowance` bytes, the
    // rest to RAM; returns the bytes on `device`. Empty: it cannot move, and it is dropped where another would be
    // moved.
    std::function<std::int64_t(T &, const std::string &device, std::int64_t allowance)> place;
};
inline constexpr std::int64_t kAllOnDevice = -1;

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

    // The entry for `key`. Absent, it is moved in from RAM when an entry of the same submodel was offloaded there
    // (same dtype and file), and loaded otherwise. `bytes` is its size, known before loading (from the file's tensor
    // shapes and the target dtype), so that room is made, or the load refused, before anything is read. Room on a
    // device is made by moving its least recently used entries to RAM (dropping them when RAM has no room either);
    // when a submodel still does not fit, one that can move is placed partially (what fits on the device, the rest
    // in RAM). Throws CacheBudgetError when even that cannot be done, saying what was needed, and whatever `load`
    // throws.
    template <typename T>
    std::shared_ptr<T> get(const SubmodelKey &key, std::int64_t bytes, const CachedLoad<T> &how,
                           CacheFetch *fetch = nullptr)
    {
        Handlers handlers;
        handlers.load = [&](const std::string &device) -> std::shared_ptr<void> { return how.load(device); };
        handlers.measure = [&](const std::shared_ptr<void> &value) {
            return how.measure(*static_cast<const T *>(value.get()));
        };
        if (how.place)
            handlers.place = [place = how.place](void *value, const std::string &device, std::int64_t allowance) {
                return place(*static_cast<T *>(value), device, allowance);
            };
        return std::static_pointer_cast<T>(getErased(key, bytes, handlers, fetch));
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
    using Placement = std::function<std::int64_t(void *value, const std::string &device, std::int64_t allowance)>;
    struct Handlers
    {
        std::function<std::shared_ptr<void>(const std::string &device)> load;
        std::function<std::int64_t(const std::shared_ptr<void> &)> measure;
        Placement place;
    };
    struct Entry
    {
        std::shared_ptr<void> value; // null while loading
        std::int64_t bytes = 0;
        std::int64_t onDevice = 0; // bytes on the key's device; the rest is in RAM
        Placement place;           // empty: cannot move
        std::chrono::steady_clock::time_point lastUse;
        bool loading = false; // being loaded or moved: asked for, it is waited for
        bool pinned = false;
        std::vector<std::string> notes;
    };
    // An entry to move once the lock is released, already accounted for where it goes.
    struct Move
    {
        std::string from; // the device it leaves
        SubmodelKey to;
        std::shared_ptr<void> value;
        Placement place;
    };

    std::shared_ptr<void> getErased(const SubmodelKey &key, std::int64_t bytes, const Handlers &handlers,
                                    CacheFetch *fetch);
    // Moves the unused entry `from` (offloaded to RAM, or `key` itself loaded partially) onto `key`'s device, as much
    // of it as fits.
    std::shared_ptr<void> moveOntoDevice(std::unique_lock<std::mutex> &lock, const SubmodelKey &key,
                                         const SubmodelKey &from, CacheFetch *fetch);
    std::shared_ptr<void> loadFromDisk(std::unique_lock<std::mutex> &lock, const SubmodelKey &key, std::int64_t bytes,
                                       const Handlers &handlers, CacheFetch *fetch);
    std::int64_t budgetFor(const std::string &device) const;
    // What entries take on `device`: those keyed to it, and on "cpu" also the RAM part of partial loads.
    std::int64_t heldOn(const std::string &device) const;
    static bool inUse(const Entry &entry) { return entry.value && entry.value.use_count() > 1; }
    static bool movable(const Entry &entry) { return entry.value && !entry.loading && !entry.pinned && !inUse(entry); }
    // The bytes of a submodel of `bytes` that go on `key`'s device: all, or (`canSplit`, on a GPU) what the entries
    // that cannot move leave. Throws CacheBudgetError when neither is possible.
    std::int64_t shareOnDevice(const SubmodelKey &key, std::int64_t bytes, bool canSplit) const;
    // Brings what `device` holds within its budget, least recently used first: a GPU's entries that can move are
    // offloaded to RAM (appended to `moves`, to be carried out unlocked) where RAM has room; others, and all when
    // `moves` is null, are dropped. False when the entries that cannot be touched hold too much.
    bool makeRoom(const std::string &device, std::vector<Move> *moves);
    // Carries out `moves` without the lock, then marks them done.
    void carryOut(std::unique_lock<std::mutex> &lock, std::vector<Move> &moves);
    // "the cuda:0 budget is 8.00 GiB, of which 7.50 GiB is held by models in use or pinned"
    std::string budgetText(const std::string &device) const;
    static std::string budgetName(const std::string &device) { return device == "cpu" ? "RAM" : device; }

    mutable std::mutex m_mutex;
    std::condition_variable m_loaded;
    CacheBudgets m_budgets;
    std::map<SubmodelKey, Entry> m_entries;
    std::map<std::string, std::int64_t> m_deviceMemory;
    // Offloads under way, by the device they leave: until they are done, that device's memory is not yet free, so
    // others wait before making room there.
    std::map<std::string, int> m_leaving;
    std::int64_t m_loads = 0, m_hits = 0, m_evictions = 0, m_offloads = 0, m_reloads = 0;
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
