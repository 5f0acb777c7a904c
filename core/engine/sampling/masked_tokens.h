#pragma once

// MUSE's sampler as aMUSEd's scheduler (diffusers' AmusedScheduler) runs it: a grid of VQ-GAN tokens starts fully
// masked; at each step the transformer's logits give a token for every masked position, and the least confident of
// them (confidence = log probability + temperature x Gumbel noise) are masked again, fewer at each step along a
// cosine schedule, until none are. Every number is computed in float32 with libtorch's own operations, as the
// scheduler computes them: a ratio a double would round differently decides which tokens stay masked.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace atelier::engine {

enum class MaskingSchedule { Cosine, Linear };

// The random draws of a run. A run from a seed draws them from a CPU generator in the scheduler's order; tests
// replay recorded ones.
class TokenDraws
{
public:
    virtual ~TokenDraws() = default;
    // One category per row of `probabilities` [n, K] (torch.multinomial(p, 1)), as [n] int64.
    virtual torch::Tensor categorical(const torch::Tensor &probabilities) = 0;
    // Uniform numbers in [0, 1) of `shape`, float32 on the CPU.
    virtual torch::Tensor uniform(at::IntArrayRef shape) = 0;
};

// Draws from libtorch's CPU generator seeded with `seed`, in the ways the scheduler's calls draw: a categorical draw
// is argmax(p / q) over one exponential(1) number q per category (torch.multinomial with replacement, one sample).
class SeededTokenDraws : public TokenDraws
{
public:
    // On the CPU, the draws of torch's CPU generator (the references'); on a CUDA device, a CUDA generator's, so that
    // the step never leaves the card (reproducible from the seed on that device, not equal to the CPU's draws).
    explicit SeededTokenDraws(std::uint64_t seed, torch::Device device = torch::kCPU);
    torch::Tensor categorical(const torch::Tensor &probabilities) override;
    torch::Tensor uniform(at::IntArrayRef shape) override;

private:
    at::Generator m_generator;
    torch::Device m_device;
};

// Draws recorded from another run (a reference's), handed out in the order the sampler asks for them; throws
// std::logic_error when asked for more, or for a categorical draw of another shape.
class RecordedTokenDraws : public TokenDraws
{
public:
    std::vector<torch::Tensor> categoricals; // each the category of every row
    std::vector<torch::Tensor> uniforms;

    torch::Tensor categorical(const torch::Tensor &probabilities) override;
    torch::Tensor uniform(at::IntArrayRef shape) override;
    bool allUsed() const { return m_categorical == categoricals.size() && m_uniform == uniforms.size(); }

private:
    std::size_t m_categorical = 0, m_uniform = 0;
};

struct MaskedTokenSchedule
{
    int steps = 12;
    MaskingSchedule masking = MaskingSchedule::Cosine;
    torch::Tensor temperatures; // [steps] float32: linspace(start, end, steps)

    // `temperatureEnd` as the pipeline's (2, 0) default gives it; a single temperature t is (t, 0.01).
    MaskedTokenSchedule(int steps, double temperatureStart, double temperatureEnd,
                        MaskingSchedule masking = MaskingSchedule::Cosine);
    // The share of tokens still masked after step `stepIndex` (cos((i + 1) / steps * pi / 2)), as a float32 tensor.
    torch::Tensor maskRatioAfter(int stepIndex) const;
};

struct UnmaskStepResult
{
    torch::Tensor tokens;     // [b, h, w]: after the step, masked positions = the mask id
    torch::Tensor predicted;  // [b, h, w]: every masked position filled with its drawn token
    torch::Tensor maskLength; // [b] float32: how many positions the step left masked
    torch::Tensor maskRatio;  // float32 scalar (0 at the last step)
};

// One step: `logits` [b, K, h, w] (guided), `tokens` [b, h, w] int64 before the step.
UnmaskStepResult unmaskStep(const torch::Tensor &logits, const torch::Tensor &tokens, int stepIndex,
                            const MaskedTokenSchedule &schedule, std::int64_t maskId, TokenDraws &draws);

// img2img: masks each token of `tokens` with the schedule's ratio after step `firstStep - 1` (the share a run that
// starts at `firstStep` would still have masked) by one uniform draw per position.
torch::Tensor maskForImageToImage(const torch::Tensor &tokens, int firstStep, const MaskedTokenSchedule &schedule,
                                  std::int64_t maskId, TokenDraws &draws);

// The first step an img2img run of `strength` in [0, 1] takes: steps - int(steps * strength).
int firstStepForStrength(int steps, double strength);

} // namespace atelier::engine
