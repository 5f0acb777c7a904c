#include "core/engine/device/call_graphs.h"

#include <algorithm>

#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace atelier::engine {

namespace {

struct InputShape
{
    std::vector<std::int64_t> sizes; // empty and undefined: the call has no such input
    torch::ScalarType dtype = torch::kFloat32;
    bool defined = false;
    bool operator==(const InputShape &other) const
    {
        return defined == other.defined && sizes == other.sizes && dtype == other.dtype;
    }
};

#ifdef ATELIER_ENGINE_CUDA
// Each recorded graph keeps its own memory pool; a handful of shapes covers a session's usual sizes.
constexpr std::size_t kMaxRecorded = 3;

std::vector<InputShape> shapesOf(const std::vector<torch::Tensor> &inputs)
{
    std::vector<InputShape> shapes;
    for (const torch::Tensor &input : inputs)
        shapes.push_back(input.defined() ? InputShape{input.sizes().vec(), input.scalar_type(), true} : InputShape());
    return shapes;
}

// Where the weights are, or nothing when some are not on a CUDA device (a model the cache loaded partially copies
// them in during its call, which a recording cannot replay).
std::vector<const void *> deviceAddressesOf(const torch::nn::Module &weights)
{
    std::vector<const void *> addresses;
    for (const std::vector<torch::Tensor> &tensors : {weights.parameters(), weights.buffers()})
        for (const torch::Tensor &tensor : tensors) {
            if (!tensor.is_cuda())
                return {};
            addresses.push_back(tensor.data_ptr());
        }
    return addresses;
}
#endif

} // namespace

struct CallGraphs::Recorded
{
    std::vector<InputShape> shapes;
    std::vector<torch::Tensor> inputs;
    torch::Tensor out;
#ifdef ATELIER_ENGINE_CUDA
    std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
};

CallGraphs::CallGraphs() = default;
CallGraphs::~CallGraphs() = default;

bool CallGraphs::supported(const torch::Device &device)
{
#ifdef ATELIER_ENGINE_CUDA
    return device.is_cuda();
#else
    (void)device;
    return false;
#endif
}

void CallGraphs::forget()
{
    m_recorded.clear();
    m_weightAddresses.clear();
}

torch::Tensor CallGraphs::run(const std::vector<torch::Tensor> &inputs, const Network &network,
                              const torch::nn::Module &weights, torch::ScalarType resultType)
{
    torch::NoGradGuard noGrad;
    const std::lock_guard<std::mutex> lock(m_mutex);
#ifdef ATELIER_ENGINE_CUDA
    const bool onDevice = std::any_of(inputs.begin(), inputs.end(),
                                      [](const torch::Tensor &input) { return input.defined() && input.is_cuda(); });
    std::vector<const void *> addresses = onDevice ? deviceAddressesOf(weights) : std::vector<const void *>();
    if (addresses.empty() && !m_recorded.empty())
        forget(); // the weights left the device: the recordings' memory goes too
    if (!addresses.empty()) {
        if (addresses != m_weightAddresses) {
            forget();
            m_weightAddresses = std::move(addresses);
        }
        const std::vector<InputShape> shapes = shapesOf(inputs);
        auto found = std::find_if(m_recorded.begin(), m_recorded.end(),
                                  [&](const std::unique_ptr<Recorded> &r) { return r->shapes == shapes; });
        if (found == m_recorded.end()) {
            if (m_recorded.size() >= kMaxRecorded)
                m_recorded.erase(m_recorded.begin());
            auto recorded = std::make_unique<Recorded>();
            recorded->shapes = shapes;
            for (const torch::Tensor &input : inputs)
                recorded->inputs.push_back(input.defined() ? input.clone() : input);
            const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
            c10::cuda::getCurrentCUDAStream().synchronize(); // the inputs are ready before the side stream reads them
            {
                c10::cuda::CUDAStreamGuard guard(stream);
                for (int i = 0; i < 2; ++i)
                    recorded->out = network(recorded->inputs);
                stream.synchronize();
                recorded->graph = std::make_unique<at::cuda::CUDAGraph>();
                recorded->graph->capture_begin();
                try {
                    recorded->out = network(recorded->inputs);
                } catch (...) {
                    // A capture left open keeps the stream capturing and the allocator serving the graph's pool.
                    try {
                        recorded->graph->capture_end();
                    } catch (...) {
                    }
                    throw;
                }
                recorded->graph->capture_end();
            }
            stream.synchronize();
            m_recorded.push_back(std::move(recorded));
            found = m_recorded.end() - 1;
        } else if (found != m_recorded.end() - 1) {
            std::rotate(found, found + 1, m_recorded.end());
            found = m_recorded.end() - 1;
        }
        Recorded &recorded = **found;
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (inputs[i].defined())
                recorded.inputs[i].copy_(inputs[i]);
        recorded.graph->replay();
        // Converted or copied off the buffer, which the next replay overwrites.
        const torch::Tensor result = recorded.out.to(resultType);
        return result.is_alias_of(recorded.out) ? result.clone() : result;
    }
#else
    (void)weights;
#endif
    return network(inputs).to(resultType);
}

} // namespace atelier::engine
