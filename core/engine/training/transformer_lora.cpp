#include "core/engine/training/transformer_lora.h"

#include <cmath>
#include <stdexcept>

namespace atelier::engine {

namespace {

bool targeted(const std::string &path, const std::vector<std::string> &targets)
{
    const std::size_t dot = path.rfind('.');
    const std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
    for (const std::string &target : targets)
        if (last == target)
            return true;
    return false;
}

std::string keyOf(const std::string &path, const char *matrix)
{
    return "transformer." + path + "." + matrix + ".weight";
}

} // namespace

TransformerLora::TransformerLora(UVit2DModelImpl &network, const LoraShape &shape, torch::Generator generator)
    : m_shape(shape)
{
    if (shape.rank < 1)
        throw std::invalid_argument("the LoRA rank must be at least 1");
    torch::NoGradGuard noGrad;
    for (const auto &item : network.named_modules("", false)) {
        auto *linear = item.value()->as<LinearImpl>();
        if (!linear || !targeted(item.key(), shape.targets))
            continue;
        Adapter adapter;
        adapter.path = item.key();
        adapter.layer = Linear(std::dynamic_pointer_cast<LinearImpl>(item.value()));
        adapter.base = linear->weight;
        const std::int64_t in = linear->weight.size(1), out = linear->weight.size(0);
        const double bound = 1.0 / std::sqrt(double(in)); // kaiming_uniform_ with a = sqrt(5)
        // Drawn on the CPU, where the generator is, whatever device the model is on.
        adapter.down = torch::empty({shape.rank, in}, torch::kFloat32)
                           .uniform_(-bound, bound, generator)
                           .to(linear->weight.options())
                           .set_requires_grad(true);
        adapter.up = torch::zeros({out, shape.rank}, linear->weight.options()).set_requires_grad(true);
        m_adapters.push_back(std::move(adapter));
    }
    if (m_adapters.empty())
        throw std::invalid_argument("no linear layer of the transformer is named like the LoRA's targets");
}

TransformerLora::~TransformerLora()
{
    detach();
}

void TransformerLora::attach()
{
    for (Adapter &adapter : m_adapters)
        adapter.layer->weight = adapter.base + m_shape.scaling() * torch::mm(adapter.up, adapter.down);
}

void TransformerLora::detach()
{
    for (Adapter &adapter : m_adapters)
        adapter.layer->weight = adapter.base;
}

std::vector<TrainedParameter> TransformerLora::parameters() const
{
    std::vector<TrainedParameter> parameters;
    for (const Adapter &adapter : m_adapters) {
        parameters.push_back({keyOf(adapter.path, "lora_A"), adapter.down, true});
        parameters.push_back({keyOf(adapter.path, "lora_B"), adapter.up, true});
    }
    return parameters;
}

std::map<std::string, torch::Tensor> TransformerLora::weights() const
{
    std::map<std::string, torch::Tensor> weights;
    for (const TrainedParameter &parameter : parameters())
        weights[parameter.name] = parameter.value.detach();
    return weights;
}

void TransformerLora::load(const std::map<std::string, torch::Tensor> &weights)
{
    torch::NoGradGuard noGrad;
    for (const TrainedParameter &parameter : parameters()) {
        const auto found = weights.find(parameter.name);
        if (found == weights.end())
            continue;
        if (found->second.sizes() != parameter.value.sizes())
            throw std::invalid_argument("the LoRA weight \"" + parameter.name + "\" has another shape than rank " +
                                        std::to_string(m_shape.rank) + " gives");
        parameter.value.copy_(found->second);
    }
}

} // namespace atelier::engine
