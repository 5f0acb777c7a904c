#pragma once

// This process's memory as Linux reports it, for the engine's benchmarks.
#include <fstream>
#include <string>

namespace atelier::engine {

// A field of /proc/self/status in bytes (VmRSS, VmHWM, RssAnon, RssFile).
inline double statusBytes(const std::string &field)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::stod(line.substr(field.size() + 1)) * 1024.0;
    return 0;
}

// Resets the peak resident size (VmHWM) to the current one (Linux: "5" to clear_refs).
inline void resetPeak()
{
    std::ofstream("/proc/self/clear_refs") << "5";
}

inline double megabytes(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

} // namespace atelier::engine
