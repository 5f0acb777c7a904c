#pragma once

// The printed report of the engine's Qt-free programs (benchmarks, device checks): each line goes to the terminal
// and into a buffer that --out writes to a file.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

namespace atelier::engine {

inline std::ostringstream &reportBuffer()
{
    static std::ostringstream buffer;
    return buffer;
}

inline void say(const std::string &line)
{
    std::cout << line << std::endl;
    reportBuffer() << line << '\n';
}

// printf-style formatting of up to four numbers, for table rows.
inline std::string format(const char *pattern, double a, double b = 0, double c = 0, double d = 0)
{
    char line[256];
    std::snprintf(line, sizeof line, pattern, a, b, c, d);
    return line;
}

} // namespace atelier::engine
