#pragma once

#include "core/engine/nets/unet.h"

#include <torch/torch.h>

#include <memory>

namespace atelier::engine {

// UNet calls replayed as CUDA graphs: the first call of each input shape runs the network twice to settle cuDNN's
// algorithm choice, then records it once; later calls copy their inputs into the recorded buffers and replay the
// whole network as one launch. This removes the per-kernel launch cost that dominates eager execution at SD sizes.
// Builds without CUDA (or on the CPU) fall back to calling the network.
class UnetGraphs
{
public:
    UnetGraphs();
    ~UnetGraphs();
    UnetGraphs(const UnetGraphs &) = delete;
    UnetGraphs &operator=(const UnetGraphs &) = delete;

    // True when this build can record CUDA graphs for `device`.
    static bool supported(const torch::Device &device);

    // The network's output for these inputs (a fresh tensor, never a recorded buffer). `y`: SDXL's extra
    // conditioning, or undefined; a graph is recorded per shape of every input.
    torch::Tensor run(UNetModel &unet, const torch::Tensor &x, const torch::Tensor &timesteps,
                      const torch::Tensor &context, const torch::Tensor &y = {});

    // Forgets every recorded graph and the memory they hold.
    void clear();

private:
    struct Recorded;
    std::vector<std::unique_ptr<Recorded>> m_recorded;  // most recently used last
};

} // namespace atelier::engine
