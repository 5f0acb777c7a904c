#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace atelier::engine {

// A network's calls replayed as CUDA graphs: the first call of each input shape runs the network twice to settle
// cuDNN's algorithm choice, then records it once; later calls copy their inputs into the recorded buffers and replay
// the whole network as one launch. This removes the per-kernel launch cost that dominates eager execution at SD and
// aMUSEd sizes. Used for the UNet and the aMUSEd U-ViT. Builds without CUDA (or on the CPU) call the network.
// Thread-safe: calls from several threads take turns.
class CallGraphs
{
public:
    using Network = std::function<torch::Tensor(const std::vector<torch::Tensor> &inputs)>;

    CallGraphs();
    ~CallGraphs();
    CallGraphs(const CallGraphs &) = delete;
    CallGraphs &operator=(const CallGraphs &) = delete;

    // True when this build can record CUDA graphs for `device`.
    static bool supported(const torch::Device &device);

    // `network` on `inputs` (undefined ones allowed: an input this call does not have), recorded per shape and type
    // of every input. A recording reads the weights where they were: when a weight of `weights` has moved since
    // (the model cache offloaded it, a LoRA replaced its storage), every recording is dropped and made again; while
    // some are not on the device (a partial load), the network is called as it is.
    // The result is in `resultType` and a tensor of its own, never the recording's buffer.
    torch::Tensor run(const std::vector<torch::Tensor> &inputs, const Network &network,
                      const torch::nn::Module &weights, torch::ScalarType resultType);

private:
    // Drops every recording and the memory it holds.
    void forget();

    struct Recorded;
    std::vector<std::unique_ptr<Recorded>> m_recorded; // most recently used last
    std::vector<const void *> m_weightAddresses;       // where the recordings read the weights
    std::mutex m_mutex;
};

} // namespace atelier::engine
