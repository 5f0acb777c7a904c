#include "core/engine/device/device_choice.h"

#include "core/engine/error.h"

#include <stdexcept>

namespace atelier::engine {

torch::Device deviceNamed(const std::string &name)
{
    if (name == "cpu")
        return torch::kCPU;
    if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
        if (!torch::cuda::is_available())
            throw UnsupportedModelError("CUDA is not available in this build or on this machine; use --device cpu");
        const int index = name == "cuda" ? 0 : std::stoi(name.substr(5));
        if (index < 0 || index >= int(torch::cuda::device_count()))
            throw std::invalid_argument("no CUDA device " + std::to_string(index));
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw std::invalid_argument("unknown device \"" + name + "\" (use cpu, cuda or cuda:N)");
}

torch::ScalarType precisionNamed(const std::string &name)
{
    if (name == "fp32")
        return torch::kFloat32;
    if (name == "fp16")
        return torch::kFloat16;
    if (name == "bf16")
        return torch::kBFloat16;
    throw std::invalid_argument("unknown precision \"" + name + "\" (use fp32, fp16 or bf16)");
}

std::optional<Prediction> predictionNamed(const std::string &name)
{
    if (name.empty())
        return std::nullopt;
    if (name == "v")
        return Prediction::V;
    if (name == "epsilon")
        return Prediction::Epsilon;
    if (name == "sample")
        return Prediction::Sample;
    throw std::invalid_argument("unknown prediction type \"" + name + "\" (use epsilon, v or sample)");
}

} // namespace atelier::engine
