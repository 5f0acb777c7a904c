#include "core/engine/training/amused_trainer.h"

#include "core/engine/training/masked_objective.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <limits>

#include <stdexcept>

namespace atelier::engine {

AmusedTrainer::AmusedTrainer(UVit2DModel transformer, const TrainerSettings &settings, torch::Generator generator)
    : m_network(std::move(transformer))
    , m_settings(settings)
{
    m_lossScale.scale = settings.initialLossScale;
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

namespace {

// Autocast for the forward pass on `device` in `dtype`; nothing for float32. libtorch 2.4 replaced the per-device
// functions with ones taking the device type (the old ones warn at every call since, and may go).
class AutocastScope
{
public:
    AutocastScope(const torch::Device &device, torch::ScalarType dtype)
        : m_active(dtype != torch::kFloat32)
        , m_deviceType(device.type())
    {
        if (!m_active)
            return;
        m_previousDtype = autocastDtype();
        setAutocast(true, dtype);
        at::autocast::increment_nesting();
    }
    ~AutocastScope()
    {
        if (!m_active)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        setAutocast(false, m_previousDtype);
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    at::ScalarType autocastDtype() const
    {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        return at::autocast::get_autocast_dtype(m_deviceType);
#else
        return m_deviceType == at::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
    }
    void setAutocast(bool enabled, at::ScalarType dtype) const
    {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(m_deviceType, dtype);
        at::autocast::set_autocast_enabled(m_deviceType, enabled);
#else
        if (m_deviceType == at::kCUDA) {
            at::autocast::set_autocast_gpu_dtype(dtype);
            at::autocast::set_enabled(enabled);
        } else {
            at::autocast::set_autocast_cpu_dtype(dtype);
            at::autocast::set_cpu_enabled(enabled);
        }
#endif
    }

    bool m_active;
    at::DeviceType m_deviceType;
    at::ScalarType m_previousDtype = at::kFloat;
};

} // namespace

double AmusedTrainer::accumulate(const std::vector<TrainingBatch> &microBatches)
{
    if (microBatches.empty())
        throw std::invalid_argument("a training step needs at least one batch");
    const torch::Device device = m_network->embedConv->weight.device();
    if (m_settings.autocast == torch::kHalf && !device.is_cuda())
        throw std::invalid_argument("fp16 mixed precision needs a CUDA device; on the CPU, train in bf16 or fp32");
    const double scale = m_settings.lossScaling ? m_lossScale.scale : 1.0;
    double total = 0;
    for (const TrainingBatch &batch : microBatches) {
        torch::Tensor predicted;
        {
            const AutocastScope autocast(device, m_settings.autocast);
            predicted = logits(batch);
        }
        // The loss in float32, outside autocast, as the logits' softmax needs.
        const torch::Tensor loss =
            maskedTokenLoss(predicted.to(torch::kFloat32), batch.labels, m_settings.labelSmoothing);
        (loss * (scale / double(microBatches.size()))).backward();
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
    ++m_updates;
    const auto clearGradients = [&] {
        for (const TrainedParameter &parameter : parameters())
            parameter.value.mutable_grad() = torch::Tensor();
    };
    if (m_settings.lossScaling) {
        torch::NoGradGuard noGrad;
        bool finite = true;
        for (const TrainedParameter &parameter : parameters())
            if (parameter.value.grad().defined()) {
                parameter.value.grad().div_(m_lossScale.scale);
                finite = finite && parameter.value.grad().isfinite().all().item<bool>();
            }
        if (!finite) {
            m_lossScale.scale *= 0.5;
            m_lossScale.goodSteps = 0;
            ++m_skipped;
            clearGradients();
            return std::numeric_limits<double>::infinity();
        }
        if (++m_lossScale.goodSteps >= m_settings.lossScaleGrowthInterval) {
            m_lossScale.scale *= 2.0;
            m_lossScale.goodSteps = 0;
        }
    }
    const double norm = clipGradientNorm(parameters(), m_settings.maxGradNorm);
    m_optimizer->step(learningRate);
    if (m_average)
        m_average->update();
    clearGradients();
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
    state["trainer.optimizer_steps"] = torch::tensor(std::int64_t(m_optimizer->stepsTaken()));
    state["trainer.average_updates"] = torch::tensor(std::int64_t(m_average ? m_average->updates() : 0));
    state["trainer.skipped_steps"] = torch::tensor(std::int64_t(m_skipped));
    state["trainer.loss_scale"] = torch::tensor(float(m_lossScale.scale)); // powers of two: exact
    state["trainer.loss_scale_good_steps"] = torch::tensor(std::int64_t(m_lossScale.goodSteps));
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
    // Checkpoints of runs without skipped steps may lack the counters: every update was an optimizer step then.
    const auto counter = [&](const char *name, std::int64_t fallback) {
        const auto found = state.find(name);
        return found == state.end() ? fallback : found->second.item<std::int64_t>();
    };
    m_updates = steps;
    m_skipped = int(counter("trainer.skipped_steps", 0));
    m_optimizer->restore(state, int(counter("trainer.optimizer_steps", steps)));
    if (m_average)
        m_average->restore(averaged, int(counter("trainer.average_updates", steps)));
    if (const auto scale = state.find("trainer.loss_scale"); scale != state.end())
        m_lossScale.scale = scale->second.item<double>();
    m_lossScale.goodSteps = int(counter("trainer.loss_scale_good_steps", 0));
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
