#pragma once

// A VAE at work on a device: decode and encode, whole or in overlapping tiles when memory runs short. A model owns
// one for its own VAE; a VAE loaded on its own (a graph's VAELoader) is one by itself. Latents here are the VAE's
// own, unscaled.
#include "core/engine/pipeline/model_components.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <utility>

namespace atelier::engine {

class VaeCoder
{
public:
    VaeCoder(std::shared_ptr<VaeComponent> vae, torch::Device device);

    const VaeComponent &component() const { return *m_component; }
    std::shared_ptr<VaeComponent> sharedComponent() const { return m_component; }
    const VaeConfig &config() const { return m_component->config; }
    torch::Device device() const { return m_device; }

    // With the tiled fallback: when the whole image does not fit in memory (by estimate or by an actual
    // out-of-memory failure), tiles of decreasing size are tried before OutOfMemoryError is thrown.
    torch::Tensor decode(const torch::Tensor &latent);    // latent -> [-1, 1] image, float32
    torch::Tensor encodeMean(const torch::Tensor &image); // [-1, 1] image -> latent mean
    std::pair<torch::Tensor, torch::Tensor> encodeMoments(const torch::Tensor &image);

    // Memory the untiled VAE may use, in bytes; 0 = ask the device. Tests lower it to force tiling.
    void setMemoryBudget(std::int64_t bytes) { m_budget = bytes; }
    // Tile edge in latent pixels for the next decodes and encodes; 0 = untiled unless memory runs out.
    void setTile(std::int64_t latentPixels) { m_forcedTile = latentPixels; }
    // The latent tile size used by the last decode (0: untiled).
    std::int64_t lastDecodeTile() const { return m_lastDecodeTile; }

private:
    torch::Tensor decodeTiled(const torch::Tensor &latent, std::int64_t tile, std::int64_t overlap);
    torch::Tensor encodeTiled(const torch::Tensor &image, std::int64_t tile, std::int64_t overlap);

    std::shared_ptr<VaeComponent> m_component;
    AutoencoderKL m_vae{nullptr};
    torch::Device m_device = torch::kCPU;
    std::int64_t m_budget = 0;
    std::int64_t m_forcedTile = 0;
    std::int64_t m_lastDecodeTile = 0;
};

} // namespace atelier::engine
