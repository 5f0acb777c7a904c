#include "core/engine/sampling/noise_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace atelier::engine {

namespace {

double asFloat(double value)
{
    return double(float(value));
}

std::vector<double> withZero(std::vector<double> sigmas)
{
    for (double &sigma : sigmas)
        sigma = asFloat(sigma);
    sigmas.push_back(0.0);
    return sigmas;
}

// torch.linspace in float32: start + i * step for the first half, end - (n-1-i) * step for the second.
std::vector<double> linspace(double start, double end, int count)
{
    std::vector<double> out(std::size_t(std::max(count, 0)));
    if (count == 1) {
        out[0] = asFloat(start);
        return out;
    }
    const float step = float((end - start) / double(count - 1));
    const int half = count / 2;
    for (int i = 0; i < count; ++i)
        out[std::size_t(i)] = i < half ? double(float(start) + step * float(i))
                                       : double(float(end) - step * float(count - 1 - i));
    return out;
}

std::vector<double> normalSigmas(const DiscreteSchedule &schedule, int steps, bool sgm)
{
    const double start = schedule.timestep(schedule.sigmaMax());
    const double end = schedule.timestep(schedule.sigmaMin());
    std::vector<double> timesteps = linspace(start, end, sgm ? steps + 1 : steps);
    if (sgm)
        timesteps.pop_back();
    std::vector<double> sigmas;
    for (double t : timesteps)
        sigmas.push_back(schedule.sigma(t));
    return withZero(sigmas);
}

} // namespace

DiscreteSchedule::DiscreteSchedule(double linearStart, double linearEnd, int timesteps, bool zeroTerminalSnr)
{
    const double from = std::sqrt(linearStart), to = std::sqrt(linearEnd);
    double cumulative = 1.0;
    std::vector<double> sigmas;
    for (int i = 0; i < timesteps; ++i) {
        const double root = timesteps == 1 ? from : from + (to - from) * double(i) / double(timesteps - 1);
        cumulative *= 1.0 - root * root;
        sigmas.push_back(asFloat(std::sqrt((1.0 - cumulative) / cumulative)));
    }
    if (zeroTerminalSnr && timesteps > 1) {
        // Shift and scale sqrt(alpha_bar) so that it starts where it did and ends at 0; the last alpha_bar is kept
        // just above 0 (ComfyUI's 4.8973451890853435e-08), so that its sigma stays finite.
        std::vector<double> root(sigmas.size());
        for (std::size_t i = 0; i < sigmas.size(); ++i)
            root[i] = std::sqrt(1.0 / (sigmas[i] * sigmas[i] + 1.0));
        const double first = root.front(), last = root.back();
        for (std::size_t i = 0; i < sigmas.size(); ++i) {
            double alphaBar = (root[i] - last) * first / (first - last);
            alphaBar *= alphaBar;
            if (i + 1 == sigmas.size())
                alphaBar = 4.8973451890853435e-08;
            sigmas[i] = asFloat(std::sqrt((1.0 - alphaBar) / alphaBar));
        }
    }
    for (double sigma : sigmas) {
        m_sigmas.push_back(sigma);
        m_logSigmas.push_back(asFloat(std::log(sigma)));
    }
}

double DiscreteSchedule::timestep(double sigma) const
{
    const double logSigma = std::log(sigma);
    // The last index whose log sigma is at most logSigma, kept below the end so that a neighbour exists.
    const std::size_t count = m_logSigmas.size();
    std::size_t low = 0;
    for (std::size_t i = 0; i < count; ++i)
        if (logSigma - m_logSigmas[i] >= 0)
            low = i;
    low = std::min(low, count - 2);
    const double lowLog = m_logSigmas[low], highLog = m_logSigmas[low + 1];
    const double w = std::clamp((lowLog - logSigma) / (lowLog - highLog), 0.0, 1.0);
    return (1.0 - w) * double(low) + w * double(low + 1);
}

double DiscreteSchedule::sigma(double timestep) const
{
    const double t = std::clamp(timestep, 0.0, double(m_sigmas.size() - 1));
    const std::size_t low = std::size_t(std::floor(t)), high = std::size_t(std::ceil(t));
    const double w = t - std::floor(t);
    return std::exp((1.0 - w) * m_logSigmas[low] + w * m_logSigmas[high]);
}

std::string joinedNames(const std::vector<std::string> &names)
{
    std::string joined;
    for (const std::string &name : names)
        joined += (joined.empty() ? "" : ", ") + name;
    return joined;
}

std::vector<double> scheduleSigmas(const DiscreteSchedule &schedule, const std::string &scheduler, int steps)
{
    if (steps < 1)
        throw std::invalid_argument("steps must be at least 1, not " + std::to_string(steps));
    const double sigmaMin = schedule.sigmaMin(), sigmaMax = schedule.sigmaMax();
    if (scheduler == "normal")
        return normalSigmas(schedule, steps, false);
    if (scheduler == "sgm_uniform")
        return normalSigmas(schedule, steps, true);
    if (scheduler == "karras") {
        constexpr double rho = 7.0;
        const double minInv = std::pow(sigmaMin, 1.0 / rho), maxInv = std::pow(sigmaMax, 1.0 / rho);
        std::vector<double> sigmas;
        for (double ramp : linspace(0.0, 1.0, steps))
            sigmas.push_back(std::pow(maxInv + ramp * (minInv - maxInv), rho));
        return withZero(sigmas);
    }
    if (scheduler == "exponential") {
        std::vector<double> sigmas;
        for (double logSigma : linspace(std::log(sigmaMax), std::log(sigmaMin), steps))
            sigmas.push_back(std::exp(logSigma));
        return withZero(sigmas);
    }
    const std::vector<double> &all = schedule.sigmas();
    if (scheduler == "simple") {
        const double stride = double(all.size()) / double(steps);
        std::vector<double> sigmas;
        for (int i = 0; i < steps; ++i)
            sigmas.push_back(all[all.size() - 1 - std::size_t(double(i) * stride)]);
        return withZero(sigmas);
    }
    if (scheduler == "ddim_uniform") {
        const std::size_t stride = std::max<std::size_t>(all.size() / std::size_t(steps), 1);
        std::vector<double> sigmas;
        for (std::size_t i = 1; i < all.size(); i += stride)
            sigmas.push_back(all[i]);
        std::reverse(sigmas.begin(), sigmas.end());
        return withZero(sigmas);
    }
    throw std::invalid_argument("unknown scheduler \"" + scheduler + "\" (known: " + joinedNames(schedulerNames()) + ")");
}

std::vector<double> scheduleSigmas(const DiscreteSchedule &schedule, const std::string &scheduler, int steps,
                                   double denoise)
{
    if (!(denoise > 0.0) || denoise > 1.0)
        throw std::invalid_argument("denoise must be in (0, 1], not " + std::to_string(denoise));
    if (denoise >= 1.0)
        return scheduleSigmas(schedule, scheduler, steps);
    const int total = int(double(steps) / denoise);
    const std::vector<double> all = scheduleSigmas(schedule, scheduler, total);
    return std::vector<double>(all.end() - (steps + 1), all.end());
}

} // namespace atelier::engine
