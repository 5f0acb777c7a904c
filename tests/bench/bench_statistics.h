#pragma once

#include <algorithm>
#include <vector>

// The median of a benchmark's runs (the upper middle for an even count); 0 for none.
inline double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}
