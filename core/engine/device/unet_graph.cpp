#include "core/engine/device/unet_graph.h"

#include <algorithm>

#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace atelier::engine {

#ifdef ATELIER_ENGINE_CUDA
namespace {

// Each recorded graph keeps its own memory pool; a handful of shapes covers a session's usual sizes.
constexpr std::size_t kMaxRecorded = 3;

} // namespace
#endif

struct UnetGraphs::Recorded
{
    std::vector<std::int64_t> xShape, contextShape, yShape; // yShape empty: no y
    torch::ScalarType dtype = torch::kFloat32;
    torch::Tensor x, timesteps, context, y, out;
#ifdef ATELIER_ENGINE_CUDA
    std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
};

UnetGraphs::UnetGraphs() = default;
UnetGraphs::~UnetGraphs() = default;

bool UnetGraphs::supported(const torch::Device &device)
{
#ifdef ATELIER_ENGINE_CUDA
    return device.is_cuda();
#else
    (void)device;
    return false;
#endif
}

void UnetGraphs::clear()
{
    m_recorded.clear();
}

torch::Tensor UnetGraphs::run(UNetModel &unet, const torch::Tensor &x, const torch::Tensor &timesteps,
                              const torch::Tensor &context, const torch::Tensor &y)
{
    torch::NoGradGuard noGrad;
#ifdef ATELIER_ENGINE_CUDA
    if (x.is_cuda()) {
        const std::vector<std::int64_t> xShape = x.sizes().vec(), contextShape = context.sizes().vec(),
                                        yShape = y.defined() ? y.sizes().vec() : std::vector<std::int64_t>();
        auto found = std::find_if(m_recorded.begin(), m_recorded.end(), [&](const std::unique_ptr<Recorded> &r) {
            return r->xShape == xShape && r->contextShape == contextShape && r->yShape == yShape &&
                   r->dtype == x.scalar_type();
        });
        if (found == m_recorded.end()) {
            if (m_recorded.size() >= kMaxRecorded)
                m_recorded.erase(m_recorded.begin());
            auto recorded = std::make_unique<Recorded>();
            recorded->xShape = xShape;
            recorded->contextShape = contextShape;
            recorded->yShape = yShape;
            recorded->dtype = x.scalar_type();
            recorded->x = x.clone();
            recorded->timesteps = timesteps.clone();
            recorded->context = context.clone();
            if (y.defined())
                recorded->y = y.clone();
            const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
            c10::cuda::getCurrentCUDAStream().synchronize();  // the inputs are ready before the side stream reads them
            {
                c10::cuda::CUDAStreamGuard guard(stream);
                for (int i = 0; i < 2; ++i)
                    recorded->out = unet->forward(recorded->x, recorded->timesteps, recorded->context, recorded->y);
                stream.synchronize();
                recorded->graph = std::make_unique<at::cuda::CUDAGraph>();
                recorded->graph->capture_begin();
                recorded->out = unet->forward(recorded->x, recorded->timesteps, recorded->context, recorded->y);
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
        recorded.x.copy_(x);
        recorded.timesteps.copy_(timesteps);
        recorded.context.copy_(context);
        if (y.defined())
            recorded.y.copy_(y);
        recorded.graph->replay();
        return recorded.out.clone();
    }
#endif
    return unet->forward(x, timesteps, context, y);
}

} // namespace atelier::engine
