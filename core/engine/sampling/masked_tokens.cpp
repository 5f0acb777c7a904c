#include "core/engine/sampling/masked_tokens.h"

#include "core/engine/io/state_dict.h"

#include <ATen/CPUGeneratorImpl.h>
#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

#include <cmath>
#include <limits>
#include <stdexcept>

namespace atelier::engine {

SeededTokenDraws::SeededTokenDraws(std::uint64_t seed, torch::Device device)
    : m_generator(at::detail::createCPUGenerator(seed))
    , m_device(torch::kCPU)
{
#ifdef ATELIER_ENGINE_CUDA
    if (device.is_cuda()) {
        m_generator = at::cuda::detail::createCUDAGenerator(device.has_index() ? device.index() : 0);
        m_generator.set_current_seed(seed);
        m_device = device;
    }
#else
    (void)device;
#endif
}

torch::Tensor SeededTokenDraws::categorical(const torch::Tensor &probabilities)
{
    const torch::Tensor p = probabilities.to(m_device, torch::kFloat32);
    const torch::Tensor q = torch::empty_like(p).exponential_(1.0, m_generator);
    return (p / q).argmax(1);
}

torch::Tensor SeededTokenDraws::uniform(at::IntArrayRef shape)
{
    return torch::zeros(shape, torch::TensorOptions(torch::kFloat32).device(m_device)).uniform_(0.0, 1.0, m_generator);
}

torch::Tensor RecordedTokenDraws::categorical(const torch::Tensor &probabilities)
{
    if (m_categorical >= categoricals.size())
        throw std::logic_error("more categorical draws than were recorded");
    const torch::Tensor drawn = categoricals[m_categorical++].reshape({-1}).to(torch::kCPU, torch::kInt64);
    if (drawn.size(0) != probabilities.size(0))
        throw std::logic_error("a categorical draw of another shape than the recorded one");
    return drawn;
}

torch::Tensor RecordedTokenDraws::uniform(at::IntArrayRef shape)
{
    if (m_uniform >= uniforms.size())
        throw std::logic_error("more uniform draws than were recorded");
    return uniforms[m_uniform++].reshape(shape).to(torch::kCPU, torch::kFloat32);
}

MaskedTokenSchedule::MaskedTokenSchedule(int steps_, double temperatureStart, double temperatureEnd,
                                         MaskingSchedule masking_)
    : steps(steps_)
    , masking(masking_)
{
    if (steps < 1 || steps > 1000)
        throw std::invalid_argument("steps must be between 1 and 1000");
    if (!std::isfinite(temperatureStart) || !std::isfinite(temperatureEnd) || temperatureStart < 0 ||
        temperatureEnd < 0 || temperatureStart > 100 || temperatureEnd > 100)
        throw std::invalid_argument("temperatures must be numbers between 0 and 100");
    temperatures = torch::linspace(temperatureStart, temperatureEnd, steps, torch::kFloat32);
}

torch::Tensor MaskedTokenSchedule::maskRatioAfter(int stepIndex) const
{
    const torch::Tensor ratio = torch::full({}, stepIndex + 1, torch::kInt64) / steps; // float32, as torch divides
    return masking == MaskingSchedule::Cosine ? torch::cos(ratio * M_PI / 2) : 1 - ratio;
}

UnmaskStepResult unmaskStep(const torch::Tensor &logits, const torch::Tensor &tokens, int stepIndex,
                            const MaskedTokenSchedule &schedule, std::int64_t maskId, TokenDraws &draws)
{
    const std::int64_t b = logits.size(0), k = logits.size(1), h = logits.size(2), w = logits.size(3);
    if (tokens.sizes() != at::IntArrayRef({b, h, w}) || stepIndex < 0 || stepIndex >= schedule.steps)
        throw std::invalid_argument("the token grid " + shapeText(tokens.sizes()) + ", the logits " +
                                    shapeText(logits.sizes()) + " and step " + std::to_string(stepIndex) + " of " +
                                    std::to_string(schedule.steps) + " do not fit together");
    // Computed where the logits are (a GPU's 8192-way softmax over every position would take seconds on the CPU);
    // the results are returned on the CPU.
    const torch::Device device = logits.device();
    const torch::Tensor sample = tokens.to(device).reshape({b, h * w});
    const torch::Tensor probabilities =
        torch::softmax(logits.to(torch::kFloat32).reshape({b, k, h * w}).permute({0, 2, 1}), -1);
    const torch::Tensor unknown = sample == maskId;
    const torch::Tensor drawn = draws.categorical(probabilities.reshape({-1, k})).to(device).reshape({b, h * w});
    const torch::Tensor predicted = torch::where(unknown, drawn, sample);

    UnmaskStepResult result;
    result.predicted = predicted.reshape({b, h, w}).to(torch::kCPU);
    if (stepIndex == schedule.steps - 1) {
        result.tokens = result.predicted;
        result.maskLength = torch::zeros({b}, torch::kFloat32);
        result.maskRatio = torch::zeros({}, torch::kFloat32);
        return result;
    }
    const auto on = torch::TensorOptions().device(device);
    result.maskRatio = schedule.maskRatioAfter(stepIndex);
    torch::Tensor maskLength = (float(h * w) * result.maskRatio).floor().expand({b, 1}).to(device);
    maskLength = torch::minimum(unknown.sum(-1, true) - 1, maskLength);
    maskLength = torch::maximum(torch::ones({1}, on.dtype(torch::kInt64)), maskLength);

    torch::Tensor selected = probabilities.gather(-1, predicted.unsqueeze(-1)).squeeze(-1);
    selected =
        torch::where(unknown, selected, torch::full({}, std::numeric_limits<float>::max(), on.dtype(torch::kFloat32)));
    const torch::Tensor u = draws.uniform({b, h * w}).to(device);
    const torch::Tensor gumbel = -torch::log((-torch::log(u.clamp_min(1e-20))).clamp_min(1e-20));
    const torch::Tensor confidence = torch::log(selected.clamp_min(1e-20)) + schedule.temperatures[stepIndex] * gumbel;
    const torch::Tensor cutOff = std::get<0>(confidence.sort(-1)).gather(1, maskLength.to(torch::kInt64));
    const torch::Tensor masking = confidence < cutOff;
    result.tokens = torch::where(masking, torch::full({}, maskId, on.dtype(torch::kInt64)), predicted)
                        .reshape({b, h, w})
                        .to(torch::kCPU);
    result.maskLength = maskLength.reshape({b}).to(torch::kCPU, torch::kFloat32);
    return result;
}

torch::Tensor maskForImageToImage(const torch::Tensor &tokens, int firstStep, const MaskedTokenSchedule &schedule,
                                  std::int64_t maskId, TokenDraws &draws)
{
    if (firstStep < 1 || firstStep > schedule.steps)
        throw std::invalid_argument("an img2img run starts between the second step and the end");
    const torch::Tensor ratio = schedule.maskRatioAfter(firstStep - 1);
    const torch::Tensor masked = (draws.uniform(tokens.sizes()) < ratio).to(torch::kCPU);
    return torch::where(masked, torch::full({}, maskId, torch::kInt64), tokens.to(torch::kCPU));
}

int firstStepForStrength(int steps, double strength)
{
    if (!(strength > 0.0 && strength <= 1.0))
        throw std::invalid_argument("img2img strength must be in (0, 1]");
    return steps - int(double(steps) * strength);
}

} // namespace atelier::engine
