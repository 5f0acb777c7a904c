#include "core/engine/sampling/sampler_names.h"

#include <algorithm>

namespace atelier::engine {

// The engine's tests run every name listed here, so a name without its sampler or schedule cannot go unnoticed.
const std::vector<std::string> &samplerNames()
{
    static const std::vector<std::string> names{"euler",      "euler_ancestral", "heun",     "dpm_2",
                                                "dpm_2_ancestral", "lms",        "dpmpp_2s_ancestral",
                                                "dpmpp_2m",   "dpmpp_2m_sde",    "ddim",     "uni_pc", "lcm"};
    return names;
}

const std::vector<std::string> &schedulerNames()
{
    static const std::vector<std::string> names{"normal", "karras", "exponential", "sgm_uniform", "simple",
                                                "ddim_uniform"};
    return names;
}

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
