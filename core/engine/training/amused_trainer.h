#pragma once

// One aMUSEd transformer being trained, step by step, as diffusers' train_amused.py trains it: the masked tokens'
// cross-entropy, gradients accumulated over micro-batches, clipping, AdamW, an optional average of the weights, the
// whole transformer or a LoRA on it. The data, its order and the random draws are the caller's (the training run,
// or a test replaying recorded ones). Includes libtorch: for the engine's own sources and tests only.
#include "core/engine/nets/uvit.h"
#include "core/engine/training/adamw.h"
#include "core/engine/training/transformer_lora.h"

#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier::engine {

struct TrainerSettings
{
    AdamWSettings optimizer;
    double maxGradNorm = 0;      // 0: no clipping
    bool averageWeights = false; // EMA
    double averageDecay = 0.9999;
    std::optional<LoraShape> lora; // none: every transformer weight trains
    double labelSmoothing = 0;     // open-muse's; train_amused.py uses none
    // Mixed precision: the forward pass under autocast in this dtype (bf16 on the CPU or CUDA, fp16 on CUDA),
    // weights, gradients and optimizer in float32. fp16 scales the loss (lossScaling) so that small gradients
    // survive.
    torch::ScalarType autocast = torch::kFloat32;
    bool lossScaling = false;
    double initialLossScale = 65536.0;  // torch.cuda.amp.GradScaler's: halved on overflow, doubled after
    int lossScaleGrowthInterval = 2000; // this many steps without one
};

// The loss scale of fp16 training, as GradScaler keeps it.
struct LossScale
{
    double scale = 65536.0;
    int goodSteps = 0;
};

// A micro-batch as the transformer reads it.
struct TrainingBatch
{
    torch::Tensor inputIds;        // [b, h, w] with the mask id where masked
    torch::Tensor labels;          // [b, h * w], kIgnoredLabel where not masked
    torch::Tensor hidden;          // [b, 77, width]: the captions' penultimate text states
    torch::Tensor pooled;          // [b, projection]
    torch::Tensor microConditions; // [b, 5]
};

class AmusedTrainer
{
public:
    // `transformer` loaded in float32; its weights are copied first (a loader's may be views of a mapped file).
    // `generator` draws the LoRA's initial A.
    AmusedTrainer(UVit2DModel transformer, const TrainerSettings &settings, torch::Generator generator);

    torch::Tensor logits(const TrainingBatch &batch);
    // Forward and backward of each micro-batch, its loss divided by their number; gradients add up until update().
    // Returns the mean loss.
    double accumulate(const std::vector<TrainingBatch> &microBatches);
    // The accumulated gradients, before clipping, by parameter name.
    std::map<std::string, torch::Tensor> gradients() const;
    // Clips, takes the optimizer step at `learningRate`, updates the average and clears the gradients. Returns the
    // gradient norm before clipping. With loss scaling the gradients are unscaled first, and a step whose gradients
    // overflowed is skipped (the scale halves; the norm returned is infinite).
    double update(double learningRate);
    // update() calls, the steps a scaled loss overflowed included (those change no weight).
    int steps() const { return m_updates; }
    int skippedSteps() const { return m_skipped; }
    const LossScale &lossScale() const { return m_lossScale; }

    // Everything a resumed run needs: "param.<name>", the optimizer's moments, "ema.<name>".
    std::map<std::string, torch::Tensor> state() const;
    // Throws std::invalid_argument naming a tensor that is missing or does not fit.
    void restore(const std::map<std::string, torch::Tensor> &state, int steps);

    // The transformer's weights under diffusers' names (the average's when kept), for a fine-tuned model.
    std::map<std::string, torch::Tensor> transformerWeights() const;
    // The LoRA under PEFT's names (empty for a full fine-tune).
    std::map<std::string, torch::Tensor> loraWeights() const;
    TransformerLora *lora() { return m_lora.get(); }
    const std::vector<TrainedParameter> &parameters() const { return m_optimizer->parameters(); }
    // The averaged weights, when kept (by parameter name).
    std::map<std::string, torch::Tensor> averagedWeights() const;

    // The network as generation should run it now: LoRA attached, or the averaged weights in place;
    // resumeTraining() undoes it.
    UVit2DModel &network() { return m_network; }
    void useForInference();
    void resumeTraining();

private:
    UVit2DModel m_network;
    TrainerSettings m_settings;
    std::unique_ptr<TransformerLora> m_lora;
    std::unique_ptr<AdamW> m_optimizer;
    std::unique_ptr<WeightAverage> m_average;
    LossScale m_lossScale;
    int m_updates = 0, m_skipped = 0;
    std::map<std::string, torch::Tensor> m_trainingWeights; // while the average stands in for inference
};

} // namespace atelier::engine
