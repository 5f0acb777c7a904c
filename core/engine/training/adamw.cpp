#include "core/engine/training/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace atelier::engine {

namespace {

torch::Tensor restoredTensor(const std::map<std::string, torch::Tensor> &state, const std::string &name,
                             const torch::Tensor &like)
{
    const auto found = state.find(name);
    if (found == state.end())
        throw std::invalid_argument("the training state has no \"" + name + "\"");
    if (found->second.sizes() != like.sizes())
        throw std::invalid_argument("the training state's \"" + name + "\" has another shape than the model's");
    return found->second.to(like.device(), like.scalar_type()).clone();
}

} // namespace

AdamW::AdamW(std::vector<TrainedParameter> parameters, const AdamWSettings &settings)
    : m_parameters(std::move(parameters))
    , m_settings(settings)
    , m_average(m_parameters.size())
    , m_squares(m_parameters.size())
{}

void AdamW::step(double learningRate)
{
    torch::NoGradGuard noGrad;
    ++m_steps;
    const double correction1 = 1.0 - std::pow(m_settings.beta1, m_steps);
    const double correction2Root = std::sqrt(1.0 - std::pow(m_settings.beta2, m_steps));
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        torch::Tensor &value = m_parameters[i].value;
        const torch::Tensor gradient = value.grad();
        if (!gradient.defined())
            continue;
        if (!m_average[i].defined()) {
            m_average[i] = torch::zeros_like(value);
            m_squares[i] = torch::zeros_like(value);
        }
        if (m_parameters[i].decays)
            value.mul_(1.0 - learningRate * m_settings.weightDecay);
        m_average[i].mul_(m_settings.beta1).add_(gradient, 1.0 - m_settings.beta1);
        m_squares[i].mul_(m_settings.beta2).addcmul_(gradient, gradient, 1.0 - m_settings.beta2);
        const torch::Tensor denominator = (m_squares[i].sqrt() / correction2Root).add_(m_settings.epsilon);
        value.addcdiv_(m_average[i], denominator, -learningRate / correction1);
    }
}

std::map<std::string, torch::Tensor> AdamW::state() const
{
    std::map<std::string, torch::Tensor> state;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        if (m_average[i].defined()) {
            state["exp_avg." + m_parameters[i].name] = m_average[i];
            state["exp_avg_sq." + m_parameters[i].name] = m_squares[i];
        }
    return state;
}

void AdamW::restore(const std::map<std::string, torch::Tensor> &state, int steps)
{
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const std::string &name = m_parameters[i].name;
        if (steps == 0 || !state.count("exp_avg." + name)) {
            m_average[i] = m_squares[i] = torch::Tensor();
            continue;
        }
        m_average[i] = restoredTensor(state, "exp_avg." + name, m_parameters[i].value);
        m_squares[i] = restoredTensor(state, "exp_avg_sq." + name, m_parameters[i].value);
    }
    m_steps = steps;
}

WeightAverage::WeightAverage(const std::vector<TrainedParameter> &parameters, double maxDecay)
    : m_parameters(parameters)
    , m_maxDecay(maxDecay)
{
    torch::NoGradGuard noGrad;
    for (const TrainedParameter &parameter : m_parameters)
        m_shadow.push_back(parameter.value.detach().clone());
}

double WeightAverage::decayAt(int update) const
{
    const int s = update - 1;
    return s <= 0 ? 0.0 : std::min(m_maxDecay, (1.0 + s) / (10.0 + s));
}

void WeightAverage::update()
{
    torch::NoGradGuard noGrad;
    const double keep = decayAt(++m_updates);
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        m_shadow[i].sub_((1.0 - keep) * (m_shadow[i] - m_parameters[i].value));
}

std::map<std::string, torch::Tensor> WeightAverage::weights() const
{
    std::map<std::string, torch::Tensor> weights;
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        weights[m_parameters[i].name] = m_shadow[i];
    return weights;
}

void WeightAverage::restore(const std::map<std::string, torch::Tensor> &weights, int updates)
{
    for (std::size_t i = 0; i < m_parameters.size(); ++i)
        m_shadow[i] = restoredTensor(weights, m_parameters[i].name, m_parameters[i].value);
    m_updates = updates;
}

bool decaysByName(const std::string &name)
{
    for (const char *exempt : {"bias", "layer_norm.weight", "mlm_ln.weight", "embeddings.weight"})
        if (name.find(exempt) != std::string::npos)
            return false;
    return true;
}

double clipGradientNorm(const std::vector<TrainedParameter> &parameters, double maxNorm)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> norms;
    for (const TrainedParameter &parameter : parameters)
        if (parameter.value.grad().defined())
            norms.push_back(parameter.value.grad().norm(2));
    if (norms.empty())
        return 0.0;
    const torch::Tensor total = torch::stack(norms).norm(2);
    if (maxNorm > 0) {
        const torch::Tensor coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        for (const TrainedParameter &parameter : parameters)
            if (parameter.value.grad().defined())
                parameter.value.grad().mul_(coefficient);
    }
    return total.item<double>();
}

} // namespace atelier::engine
