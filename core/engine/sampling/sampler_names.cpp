#include "core/engine/sampling/sampler_names.h"

#include <algorithm>

namespace atelier::engine {

const std::vector<std::string> &diffusersSamplerNames()
{
    static const std::vector<std::string> names{"ddim_diffusers", "lcm_diffusers"};
    return names;
}

bool isDiffusersSampler(const std::string &sampler)
{
    const auto &names = diffusersSamplerNames();
    return std::find(names.begin(), names.end(), sampler) != names.end();
}

} // namespace atelier::engine
