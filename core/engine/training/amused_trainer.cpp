#include "core/engine/training/amused_trainer.h"

#include "core/engine/training/masked_objective.h"

#include <stdexcept>

namespace atelier::engine {

AmusedTrainer::AmusedTrainer(UVit2DModel transformer, const TrainerSettings &settings, torch::Generator generator)
    : m_network(std::move(transformer))
    , m_settings(settings)
{
    std::vector<TrainedParameter> trained;
    {
        torch::NoGradGuard noGrad;
        for (auto &item : m_network->named_parameters()) {
            item.value().set_data(item.value().detach().to(torch::kFloat32).clone());
            item.value().set_requires_grad(!settings.lora);
            if (!settings.lora)
                trained.push_back({item.key(), item.value(), decaysByName(item.key())});
        }
    }
    m_network->train();
    if (settings.lora) {
        m_lora = std::make_unique<TransformerLora>(*m_network, *settings.lora, generator);
        trained = m_lora->parameters();
    }
    m_optimizer = std::make_unique<AdamW>(trained, settings.optimizer);
    if (settings.averageWeights)
        m_average = std::make_unique<WeightAverage>(trained, settings.averageDecay);
}

torch::Tensor AmusedTrainer::logits(const TrainingBatch &batch)
{
    if (m_lora)
        m_lora->attach();
    return m_network->forward(batch.inputIds, batch.hidden, batch.pooled, batch.microConditions);
}

double AmusedTrainer::accumulate(const std::vector<TrainingBatch> &microBatches)
{
    if (microBatches.empty())
        throw std::invalid_argument("a training step needs at least one batch");
    double total = 0;
    for (const TrainingBatch &batch : microBatches) {
        const torch::Tensor loss = maskedTokenLoss(logits(batch), batch.labels, m_settings.labelSmoothing);
        (loss / double(microBatches.size())).backward();
        total += loss.item<double>();
    }
    if (m_lora)
        m_lora->detach();
    return total / double(microBatches.size());
}

std::map<std::string, torch::Tensor> AmusedTrainer::gradients() const
{
    std::map<std::string, torch::Tensor> gradients;
    for (const TrainedParameter &parameter : parameters())
        if (parameter.value.grad().defined())
            gradients[parameter.name] = parameter.value.grad();
    return gradients;
}

double AmusedTrainer::update(double learningRate)
{
    const double norm = clipGradientNorm(parameters(), m_settings.maxGradNorm);
    m_optimizer->step(learningRate);
    if (m_average)
        m_average->update();
    for (const TrainedParameter &parameter : parameters())
        parameter.value.mutable_grad() = torch::Tensor();
    return norm;
}

std::map<std::string, torch::Tensor> AmusedTrainer::state() const
{
    std::map<std::string, torch::Tensor> state = m_optimizer->state();
    for (const TrainedParameter &parameter : parameters())
        state["param." + parameter.name] = parameter.value.detach();
    if (m_average)
        for (const auto &[name, value] : m_average->weights())
            state["ema." + name] = value;
    return state;
}

void AmusedTrainer::restore(const std::map<std::string, torch::Tensor> &state, int steps)
{
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> averaged;
    for (const TrainedParameter &parameter : parameters()) {
        const auto found = state.find("param." + parameter.name);
        if (found == state.end() || found->second.sizes() != parameter.value.sizes())
            throw std::invalid_argument("the checkpoint's \"" + parameter.name +
                                        "\" is missing or does not fit this model");
        parameter.value.copy_(found->second);
        if (m_average) {
            const auto average = state.find("ema." + parameter.name);
            if (average == state.end())
                throw std::invalid_argument("the checkpoint has no average of \"" + parameter.name + "\"");
            averaged[parameter.name] = average->second;
        }
    }
    m_optimizer->restore(state, steps);
    if (m_average)
        m_average->restore(averaged, steps);
}

std::map<std::string, torch::Tensor> AmusedTrainer::averagedWeights() const
{
    return m_average ? m_average->weights() : std::map<std::string, torch::Tensor>();
}

std::map<std::string, torch::Tensor> AmusedTrainer::transformerWeights() const
{
    std::map<std::string, torch::Tensor> weights;
    for (const auto &item : m_network->named_parameters())
        weights[item.key()] = item.value().detach();
    if (m_average && !m_lora)
        for (const auto &[name, value] : m_average->weights())
            weights[name] = value;
    return weights;
}

std::map<std::string, torch::Tensor> AmusedTrainer::loraWeights() const
{
    return m_lora ? m_lora->weights() : std::map<std::string, torch::Tensor>();
}

void AmusedTrainer::useForInference()
{
    m_network->eval();
    if (m_lora) {
        torch::NoGradGuard noGrad;
        m_lora->attach();
        return;
    }
    if (!m_average || !m_trainingWeights.empty())
        return;
    torch::NoGradGuard noGrad;
    const auto averaged = m_average->weights();
    for (auto &item : m_network->named_parameters()) {
        m_trainingWeights[item.key()] = item.value().detach().clone();
        item.value().copy_(averaged.at(item.key()));
    }
}

void AmusedTrainer::resumeTraining()
{
    m_network->train();
    if (m_lora)
        m_lora->detach();
    torch::NoGradGuard noGrad;
    for (auto &item : m_network->named_parameters())
        if (const auto saved = m_trainingWeights.find(item.key()); saved != m_trainingWeights.end())
            item.value().copy_(saved->second);
    m_trainingWeights.clear();
}

} // namespace atelier::engine
