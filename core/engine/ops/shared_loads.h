#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace atelier::engine::ops {

// Loaded models and VAEs by what they were loaded from, held while any value uses them, so that two loader nodes
// naming the same file (in one run or in runs that overlap) share one copy in memory.
template <typename Loaded> class SharedLoads
{
public:
    template <typename Load> std::shared_ptr<Loaded> get(const std::string &key, Load load)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (std::shared_ptr<Loaded> held = m_loaded[key].lock())
            return held;
        std::shared_ptr<Loaded> loaded = load();
        m_loaded[key] = loaded;
        return loaded;
    }

private:
    std::mutex m_mutex;
    std::map<std::string, std::weak_ptr<Loaded>> m_loaded;
};

} // namespace atelier::engine::ops
