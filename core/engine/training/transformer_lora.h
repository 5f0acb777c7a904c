#pragma once

// A LoRA being trained on the aMUSEd transformer's linear layers, as PEFT adds one (diffusers' train_amused.py
// --use_lora): each targeted layer computes with W + (alpha / r) * B @ A, A [r, in] drawn as kaiming_uniform_(a =
// sqrt(5)) would, B [out, r] zero, so that training starts from the model itself. Only A and B train. Saved under the
// names PEFT's save hook writes, "transformer.<layer path>.lora_A.weight" and ".lora_B.weight".
// Includes libtorch: for the engine's own sources and tests only.
#include "core/engine/nets/uvit.h"
#include "core/engine/training/adamw.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace atelier::engine {

struct LoraShape
{
    int rank = 4;
    double alpha = 4;
    std::vector<std::string> targets{"to_q", "to_k", "to_v"}; // the layers' last name part
    double scaling() const { return alpha / rank; }
};

class TransformerLora
{
public:
    // Every Linear of `network` whose name ends in one of the targets. Throws std::invalid_argument when none does
    // or the rank is not positive.
    TransformerLora(UVit2DModelImpl &network, const LoraShape &shape, torch::Generator generator);
    ~TransformerLora();
    TransformerLora(const TransformerLora &) = delete;
    TransformerLora &operator=(const TransformerLora &) = delete;

    // The layers compute with W + s * B @ A from now on (call before each forward that trains).
    void attach();
    // The layers' own weights back.
    void detach();

    std::vector<TrainedParameter> parameters() const;
    // Under PEFT's names.
    std::map<std::string, torch::Tensor> weights() const;
    // Replaces A and B with the named tensors it finds (lora_A only leaves B as it is). Throws std::invalid_argument
    // for a shape that does not fit.
    void load(const std::map<std::string, torch::Tensor> &weights);
    const LoraShape &shape() const { return m_shape; }

private:
    struct Adapter
    {
        std::string path;
        Linear layer{nullptr};
        torch::Tensor base, down, up; // W, A, B
    };
    std::vector<Adapter> m_adapters;
    LoraShape m_shape;
};

} // namespace atelier::engine
