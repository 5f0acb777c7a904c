#include "core/engine/sampling/samplers.h"

#include "core/engine/error.h"
#include "core/engine/sampling/noise_schedule.h"

#include <array>
#include <cmath>
#include <deque>
#include <stdexcept>

namespace atelier::engine {

namespace {

struct AncestralStep
{
    double down = 0.0;
    double up = 0.0;
};

// k-diffusion's get_ancestral_step: the deterministic target and the noise to add on the way to sigmaTo.
AncestralStep ancestralStep(double sigmaFrom, double sigmaTo, double eta = 1.0)
{
    if (eta == 0.0 || sigmaTo == 0.0)
        return {sigmaTo, 0.0};
    const double up = std::min(
        sigmaTo, eta * std::sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom)));
    return {std::sqrt(sigmaTo * sigmaTo - up * up), up};
}

torch::Tensor derivative(const torch::Tensor &x, double sigma, const torch::Tensor &denoised)
{
    return (x - denoised) / sigma;
}

class Run
{
public:
    Run(const std::vector<double> &sigmas, const SamplerHooks &hooks) : sigmas(sigmas), hooks(hooks) {}

    std::size_t steps() const { return sigmas.size() - 1; }
    torch::Tensor denoise(const torch::Tensor &x, double sigma) const { return hooks.denoise(x, sigma); }
    torch::Tensor noise() const { return hooks.noise(); }
    void done(int step, const torch::Tensor &x, const torch::Tensor &denoised) const
    {
        if (hooks.stepDone && !hooks.stepDone(step, x, denoised))
            throw CancelledError("generation cancelled after step " + std::to_string(step + 1));
    }

    const std::vector<double> &sigmas;
    const SamplerHooks &hooks;
};

torch::Tensor euler(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        x = x + derivative(x, sigma, denoised) * (next - sigma);
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor eulerAncestral(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        const AncestralStep step = ancestralStep(sigma, next);
        x = x + derivative(x, sigma, denoised) * (step.down - sigma);
        if (next > 0)
            x = x + run.noise() * step.up;
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor heun(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        const torch::Tensor d = derivative(x, sigma, denoised);
        const double dt = next - sigma;
        if (next == 0) {
            x = x + d * dt;
        } else {
            const torch::Tensor x2 = x + d * dt;
            const torch::Tensor d2 = derivative(x2, next, run.denoise(x2, next));
            x = x + (d + d2) * (dt / 2.0);
        }
        run.done(int(i), x, denoised);
    }
    return x;
}

double logMidpoint(double a, double b)
{
    return std::exp(std::log(a) + (std::log(b) - std::log(a)) * 0.5);
}

torch::Tensor dpm2(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        const torch::Tensor d = derivative(x, sigma, denoised);
        if (next == 0) {
            x = x + d * (next - sigma);
        } else {
            const double mid = logMidpoint(sigma, next);
            const torch::Tensor x2 = x + d * (mid - sigma);
            x = x + derivative(x2, mid, run.denoise(x2, mid)) * (next - sigma);
        }
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor dpm2Ancestral(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        const AncestralStep step = ancestralStep(sigma, next);
        const torch::Tensor d = derivative(x, sigma, denoised);
        if (step.down == 0) {
            x = x + d * (step.down - sigma);
        } else {
            const double mid = logMidpoint(sigma, step.down);
            const torch::Tensor x2 = x + d * (mid - sigma);
            x = x + derivative(x2, mid, run.denoise(x2, mid)) * (step.down - sigma);
            x = x + run.noise() * step.up;
        }
        run.done(int(i), x, denoised);
    }
    return x;
}

// ∫ from t[i] to t[i+1] of the Lagrange basis polynomial j over t[i], t[i-1], ... t[i-order+1]. The polynomial has
// degree < 4, so 4-point Gauss-Legendre quadrature is exact.
double multistepCoefficient(int order, const std::vector<double> &t, std::size_t i, int j)
{
    static constexpr std::array<double, 4> kNodes{-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                                  0.8611363115940526};
    static constexpr std::array<double, 4> kWeights{0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                                    0.3478548451374538};
    const auto basis = [&](double tau) {
        double product = 1.0;
        for (int k = 0; k < order; ++k) {
            if (k == j)
                continue;
            product *= (tau - t[i - std::size_t(k)]) / (t[i - std::size_t(j)] - t[i - std::size_t(k)]);
        }
        return product;
    };
    const double a = t[i], b = t[i + 1];
    double sum = 0.0;
    for (std::size_t n = 0; n < kNodes.size(); ++n)
        sum += kWeights[n] * basis((b - a) / 2.0 * kNodes[n] + (a + b) / 2.0);
    return sum * (b - a) / 2.0;
}

torch::Tensor lms(const Run &run, torch::Tensor x)
{
    constexpr int kOrder = 4;
    std::deque<torch::Tensor> derivatives;
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i];
        const torch::Tensor denoised = run.denoise(x, sigma);
        derivatives.push_back(derivative(x, sigma, denoised));
        if (derivatives.size() > kOrder)
            derivatives.pop_front();
        const int order = std::min(int(i) + 1, kOrder);
        for (int j = 0; j < order; ++j)
            x = x + derivatives[derivatives.size() - 1 - std::size_t(j)] * multistepCoefficient(order, run.sigmas, i, j);
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor dpmpp2sAncestral(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        const AncestralStep step = ancestralStep(sigma, next);
        if (step.down == 0) {
            x = x + derivative(x, sigma, denoised) * (step.down - sigma);
        } else {
            // In t = -log(sigma): half a step to s, then the full step with the midpoint's estimate.
            const double t = -std::log(sigma), tNext = -std::log(step.down);
            const double h = tNext - t, s = t + 0.5 * h;
            const torch::Tensor x2 = x * (std::exp(-s) / std::exp(-t)) - denoised * std::expm1(-h * 0.5);
            const torch::Tensor denoised2 = run.denoise(x2, std::exp(-s));
            x = x * (std::exp(-tNext) / std::exp(-t)) - denoised2 * std::expm1(-h);
        }
        if (next > 0)
            x = x + run.noise() * step.up;
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor dpmpp2m(const Run &run, torch::Tensor x)
{
    torch::Tensor previous;
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        if (next == 0) {
            x = denoised;
        } else {
            const double t = -std::log(sigma), tNext = -std::log(next);
            const double h = tNext - t;
            torch::Tensor estimate = denoised;
            if (previous.defined()) {
                const double hLast = t + std::log(run.sigmas[i - 1]);
                const double r = hLast / h;
                estimate = denoised * (1.0 + 1.0 / (2.0 * r)) - previous * (1.0 / (2.0 * r));
            }
            x = x * (next / sigma) - estimate * std::expm1(-h);
        }
        previous = denoised;
        run.done(int(i), x, denoised);
    }
    return x;
}

// DPM-Solver++(2M) SDE, midpoint form, eta 1. The noise is independent Gaussian per step, which is the Brownian
// motion's increment law; ComfyUI draws it from a Brownian tree instead, so results differ from its in detail only.
torch::Tensor dpmpp2mSde(const Run &run, torch::Tensor x)
{
    constexpr double eta = 1.0;
    torch::Tensor previous;
    double hLast = 0.0;
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double sigma = run.sigmas[i], next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, sigma);
        if (next == 0) {
            x = denoised;
        } else {
            const double t = -std::log(sigma), s = -std::log(next);
            const double h = s - t, etaH = eta * h;
            x = x * (next / sigma * std::exp(-etaH)) + denoised * (-std::expm1(-h - etaH));
            if (previous.defined()) {
                const double r = hLast / h;
                x = x + (denoised - previous) * (0.5 * -std::expm1(-h - etaH) / r);
            }
            x = x + run.noise() * (next * std::sqrt(-std::expm1(-2.0 * etaH)));
            hLast = h;
        }
        previous = denoised;
        run.done(int(i), x, denoised);
    }
    return x;
}

torch::Tensor lcm(const Run &run, torch::Tensor x)
{
    for (std::size_t i = 0; i < run.steps(); ++i) {
        const double next = run.sigmas[i + 1];
        const torch::Tensor denoised = run.denoise(x, run.sigmas[i]);
        x = denoised;
        if (next > 0)
            x = x + run.noise() * next;
        run.done(int(i), x, denoised);
    }
    return x;
}

// Solves the small dense system a·x = b (at most 3x3) by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<std::vector<double>> a, std::vector<double> b)
{
    const std::size_t n = b.size();
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t row = col + 1; row < n; ++row)
            if (std::abs(a[row][col]) > std::abs(a[pivot][col]))
                pivot = row;
        std::swap(a[col], a[pivot]);
        std::swap(b[col], b[pivot]);
        for (std::size_t row = col + 1; row < n; ++row) {
            const double factor = a[row][col] / a[col][col];
            for (std::size_t k = col; k < n; ++k)
                a[row][k] -= factor * a[col][k];
            b[row] -= factor * b[col];
        }
    }
    std::vector<double> x(n);
    for (std::size_t row = n; row-- > 0;) {
        double sum = b[row];
        for (std::size_t k = row + 1; k < n; ++k)
            sum -= a[row][k] * x[k];
        x[row] = sum / a[row][row];
    }
    return x;
}

// UniPC (bh1, multistep, predictor-corrector on the data prediction), as ComfyUI runs it: the latent is carried in
// the variance-preserving scale x / sqrt(1 + sigma²), lambda = -log(sigma), the last sigma 0 replaced by 0.001.
class UniPc
{
public:
    explicit UniPc(const Run &run) : m_run(run) {}

    torch::Tensor sample(torch::Tensor x)
    {
        std::vector<double> t = m_run.sigmas;
        if (t.back() == 0.0)
            t.back() = 0.001;
        const std::size_t steps = t.size() - 1;
        const int order = std::min(3, int(t.size()) - 2);
        x = x / std::sqrt(1.0 + t[0] * t[0]);
        std::vector<torch::Tensor> models{dataPrediction(x, t[0])};
        std::vector<double> times{t[0]};
        for (int initOrder = 1; initOrder < order; ++initOrder) {
            torch::Tensor model;
            x = update(x, models, times, t[std::size_t(initOrder)], initOrder, true, model);
            if (!model.defined())
                model = dataPrediction(x, t[std::size_t(initOrder)]);
            m_run.done(initOrder - 1, x * std::sqrt(1.0 + t[std::size_t(initOrder)] * t[std::size_t(initOrder)]), model);
            models.push_back(model);
            times.push_back(t[std::size_t(initOrder)]);
        }
        for (std::size_t step = std::size_t(order); step <= steps; ++step) {
            const int stepOrder = std::min(order, int(steps + 1 - step));
            const bool corrector = step != steps;
            torch::Tensor model;
            x = update(x, models, times, t[step], stepOrder, corrector, model);
            models.erase(models.begin());
            times.erase(times.begin());
            times.push_back(t[step]);
            if (step < steps && !model.defined())
                model = dataPrediction(x, t[step]);
            models.push_back(model.defined() ? model : models.back());
            m_run.done(int(step) - 1, x * std::sqrt(1.0 + t[step] * t[step]), models.back());
        }
        return x * std::sqrt(1.0 + t.back() * t.back());
    }

private:
    static double alpha(double sigma) { return 1.0 / std::sqrt(1.0 + sigma * sigma); }
    static double stddev(double sigma) { return sigma / std::sqrt(1.0 + sigma * sigma); }
    static double lambda(double sigma) { return -std::log(sigma); }

    torch::Tensor dataPrediction(const torch::Tensor &x, double sigma) const
    {
        return m_run.denoise(x * std::sqrt(1.0 + sigma * sigma), sigma);
    }

    torch::Tensor update(const torch::Tensor &x, const std::vector<torch::Tensor> &models,
                         const std::vector<double> &times, double t, int order, bool useCorrector,
                         torch::Tensor &modelAtT) const
    {
        const double tPrev = times.back();
        const torch::Tensor &modelPrev = models.back();
        const double h = lambda(t) - lambda(tPrev);
        std::vector<double> rks;
        std::vector<torch::Tensor> d1s;
        for (int i = 1; i < order; ++i) {
            const double tI = times[times.size() - 1 - std::size_t(i)];
            const double rk = (lambda(tI) - lambda(tPrev)) / h;
            rks.push_back(rk);
            d1s.push_back((models[models.size() - 1 - std::size_t(i)] - modelPrev) / rk);
        }
        rks.push_back(1.0);
        const double hh = -h;
        const double hPhi1 = std::expm1(hh);
        double hPhiK = hPhi1 / hh - 1.0;
        double factorial = 1.0;
        const double bH = hh;
        std::vector<std::vector<double>> r;
        std::vector<double> b;
        for (int i = 1; i <= order; ++i) {
            std::vector<double> row;
            for (double rk : rks)
                row.push_back(std::pow(rk, i - 1));
            r.push_back(row);
            b.push_back(hPhiK * factorial / bH);
            factorial *= double(i + 1);
            hPhiK = hPhiK / hh - 1.0 / factorial;
        }
        const double alphaT = alpha(t);
        const torch::Tensor base = x * (stddev(t) / stddev(tPrev)) - modelPrev * (alphaT * hPhi1);
        torch::Tensor prediction = base;
        if (!d1s.empty()) {
            std::vector<double> rhosP;
            if (order == 2) {
                rhosP = {0.5};
            } else {
                std::vector<std::vector<double>> square(r.begin(), r.end() - 1);
                for (auto &row : square)
                    row.pop_back();
                rhosP = solve(square, std::vector<double>(b.begin(), b.end() - 1));
            }
            torch::Tensor residual = d1s[0] * rhosP[0];
            for (std::size_t k = 1; k < d1s.size(); ++k)
                residual = residual + d1s[k] * rhosP[k];
            prediction = base - residual * (alphaT * bH);
        }
        if (!useCorrector)
            return prediction;
        const std::vector<double> rhosC = order == 1 ? std::vector<double>{0.5} : solve(r, b);
        modelAtT = dataPrediction(prediction, t);
        torch::Tensor correction = (modelAtT - modelPrev) * rhosC.back();
        for (std::size_t k = 0; k < d1s.size(); ++k)
            correction = correction + d1s[k] * rhosC[k];
        return base - correction * (alphaT * bH);
    }

    const Run &m_run;
};

// Every sampler once: its ComfyUI name, whether it draws noise as it goes, and its update loop.
struct SamplerEntry
{
    const char *name;
    bool addsNoise;
    torch::Tensor (*run)(const Run &, torch::Tensor);
};

torch::Tensor uniPc(const Run &run, torch::Tensor x)
{
    return run.sigmas.size() < 3 ? euler(run, x) : UniPc(run).sample(x);  // UniPC needs two steps to start
}

const std::vector<SamplerEntry> &samplerTable()
{
    static const std::vector<SamplerEntry> table{
        {"euler", false, euler},           {"euler_ancestral", true, eulerAncestral},
        {"heun", false, heun},             {"dpm_2", false, dpm2},
        {"dpm_2_ancestral", true, dpm2Ancestral}, {"lms", false, lms},
        {"dpmpp_2s_ancestral", true, dpmpp2sAncestral}, {"dpmpp_2m", false, dpmpp2m},
        {"dpmpp_2m_sde", true, dpmpp2mSde}, {"ddim", false, euler},  // ComfyUI's ddim is Euler
        {"uni_pc", false, uniPc},          {"lcm", true, lcm},
    };
    return table;
}

const SamplerEntry *findSampler(const std::string &name)
{
    for (const SamplerEntry &entry : samplerTable())
        if (name == entry.name)
            return &entry;
    return nullptr;
}

} // namespace

bool samplerAddsNoise(const std::string &sampler)
{
    const SamplerEntry *entry = findSampler(sampler);
    return entry && entry->addsNoise;
}

torch::Tensor runSampler(const std::string &sampler, torch::Tensor x, const std::vector<double> &sigmas,
                         const SamplerHooks &hooks)
{
    if (sigmas.size() < 2)
        throw std::invalid_argument("a schedule needs at least two sigmas");
    const SamplerEntry *entry = findSampler(sampler);
    if (!entry)
        throw std::invalid_argument("unknown sampler \"" + sampler + "\" (known: " + joinedNames(samplerNames()) + ")");
    const Run run(sigmas, hooks);
    torch::NoGradGuard noGrad;
    return entry->run(run, std::move(x));
}

} // namespace atelier::engine
