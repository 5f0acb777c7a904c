#pragma once

// AdamW with decoupled weight decay, as torch.optim.AdamW (torch 1.13, its single-tensor path) computes it, and an
// exponential moving average of the weights as diffusers' EMAModel keeps it. Both hold their state as named tensors,
// so that a checkpoint saves and restores them exactly. Includes libtorch: for the engine's own sources and tests.
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace atelier::engine {

struct AdamWSettings
{
    double learningRate = 1e-4;
    double beta1 = 0.9, beta2 = 0.999;
    double epsilon = 1e-8;
    double weightDecay = 1e-2;
};

// A parameter being trained, under the name its checkpoint and gradient norms use.
struct TrainedParameter
{
    std::string name;
    torch::Tensor value; // a leaf that requires gradients
    bool decays = true;  // false: weight decay skips it (biases, norm weights, embeddings)
};

class AdamW
{
public:
    AdamW(std::vector<TrainedParameter> parameters, const AdamWSettings &settings);

    // One update at `learningRate` of every parameter that has a gradient. Decay applies where the gradient is
    // zero too.
    void step(double learningRate);
    int stepsTaken() const { return m_steps; }

    // "exp_avg.<name>" and "exp_avg_sq.<name>" for every parameter updated so far.
    std::map<std::string, torch::Tensor> state() const;
    // Puts back what state() returned after `steps` updates. Throws std::invalid_argument naming a moment that is
    // missing or of another shape.
    void restore(const std::map<std::string, torch::Tensor> &state, int steps);

    const std::vector<TrainedParameter> &parameters() const { return m_parameters; }
    const AdamWSettings &settings() const { return m_settings; }

private:
    std::vector<TrainedParameter> m_parameters;
    AdamWSettings m_settings;
    std::vector<torch::Tensor> m_average, m_squares; // undefined until a parameter's first update
    int m_steps = 0;
};

// diffusers' EMAModel: the shadow starts as the weights; update k (from 1) moves it towards them with decay 0 for
// k = 1, else min(maxDecay, (1 + s) / (10 + s)) with s = k - 1.
class WeightAverage
{
public:
    WeightAverage(const std::vector<TrainedParameter> &parameters, double maxDecay);

    void update(); // after each optimizer step
    double decayAt(int update) const;
    int updates() const { return m_updates; }

    // "<name>" -> the averaged weight.
    std::map<std::string, torch::Tensor> weights() const;
    void restore(const std::map<std::string, torch::Tensor> &weights, int updates);

private:
    std::vector<TrainedParameter> m_parameters;
    std::vector<torch::Tensor> m_shadow;
    double m_maxDecay;
    int m_updates = 0;
};

// "bias", "layer_norm.weight", "mlm_ln.weight" and "embeddings.weight" in a name: no weight decay (train_amused.py
// and open-muse).
bool decaysByName(const std::string &name);

// The L2 norm of the per-tensor gradient norms, and every gradient scaled by min(1, maxNorm / (norm + 1e-6)) when
// maxNorm > 0 (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
double clipGradientNorm(const std::vector<TrainedParameter> &parameters, double maxNorm);

} // namespace atelier::engine
