#include "core/engine/pipeline/vae_coder.h"

#include "core/engine/error.h"

#include <c10/util/Exception.h>

#include <cstring>

namespace atelier::engine {

namespace {

constexpr std::int64_t kTileSizes[] = {64, 32, 16}; // latent pixels; 512, 256 and 128 image pixels
constexpr std::int64_t kOverlapDivisor = 4;         // a quarter of the tile overlaps its neighbour

bool isOutOfMemory(const std::exception &error)
{
    if (dynamic_cast<const c10::OutOfMemoryError *>(&error) || dynamic_cast<const std::bad_alloc *>(&error))
        return true;
    const char *what = error.what();
    return std::strstr(what, "out of memory") || std::strstr(what, "not enough memory") ||
           std::strstr(what, "CUDNN_STATUS_ALLOC_FAILED");
}

// Tile origins along an edge of `size`: steps of tile - overlap, the last tile flush with the end.
std::vector<std::int64_t> tileStarts(std::int64_t size, std::int64_t tile, std::int64_t overlap)
{
    if (size <= tile)
        return {0};
    std::vector<std::int64_t> starts;
    for (std::int64_t start = 0;; start += tile - overlap) {
        if (start + tile >= size) {
            starts.push_back(size - tile);
            break;
        }
        starts.push_back(start);
    }
    return starts;
}

// 1 inside, rising linearly across `ramp` pixels at each edge that borders another tile.
torch::Tensor featherMask(std::int64_t height, std::int64_t width, std::int64_t ramp, bool top, bool bottom, bool left,
                          bool right)
{
    const auto edge = [ramp](std::int64_t length, bool start, bool end) {
        torch::Tensor line = torch::ones({length});
        if (ramp <= 0)
            return line;
        const torch::Tensor rise = (torch::arange(ramp, torch::kFloat32) + 1.0) / double(ramp + 1);
        if (start)
            line.narrow(0, 0, std::min(ramp, length)).copy_(rise.narrow(0, 0, std::min(ramp, length)));
        if (end)
            line.narrow(0, length - std::min(ramp, length), std::min(ramp, length))
                .mul_(rise.flip(0).narrow(0, 0, std::min(ramp, length)));
        return line;
    };
    return edge(height, top, bottom).view({height, 1}) * edge(width, left, right).view({1, width});
}

// Runs `step` on overlapping tiles of `input` (tiles of `tile` input pixels) and blends the outputs, which are
// `scale` times larger (or smaller, scale < 1) than the input.
torch::Tensor tiled(const torch::Tensor &input, std::int64_t tile, std::int64_t overlap, double scale,
                    std::int64_t outChannels, const std::function<torch::Tensor(const torch::Tensor &)> &step)
{
    const std::int64_t h = input.size(2), w = input.size(3);
    const std::int64_t outH = std::int64_t(double(h) * scale), outW = std::int64_t(double(w) * scale);
    torch::Tensor sum = torch::zeros({input.size(0), outChannels, outH, outW}, torch::kFloat32);
    torch::Tensor weight = torch::zeros({1, 1, outH, outW}, torch::kFloat32);
    const std::vector<std::int64_t> ys = tileStarts(h, tile, overlap), xs = tileStarts(w, tile, overlap);
    const std::int64_t ramp = std::int64_t(double(overlap) * scale);
    for (std::int64_t y : ys) {
        for (std::int64_t x : xs) {
            const std::int64_t th = std::min(tile, h), tw = std::min(tile, w);
            const torch::Tensor out = step(input.narrow(2, y, th).narrow(3, x, tw)).to(torch::kCPU, torch::kFloat32);
            const std::int64_t oy = std::int64_t(double(y) * scale), ox = std::int64_t(double(x) * scale);
            const torch::Tensor mask = featherMask(out.size(2), out.size(3), ramp, y > 0, y + th<h, x> 0, x + tw < w)
                                           .view({1, 1, out.size(2), out.size(3)});
            sum.narrow(2, oy, out.size(2)).narrow(3, ox, out.size(3)).add_(out * mask);
            weight.narrow(2, oy, out.size(2)).narrow(3, ox, out.size(3)).add_(mask);
        }
    }
    return sum / weight.clamp_min(1e-6);
}

// Estimated peak bytes of an untiled decode: a few full-resolution activations of the first level's width, and on
// the plain attention path the mid-block's score matrix.
std::int64_t estimatedDecodeBytes(const VaeConfig &vae, const torch::Tensor &latent, std::size_t elementSize)
{
    const std::int64_t pixels = latent.size(0) * latent.size(2) * latent.size(3) * vae.downscale() * vae.downscale();
    const std::int64_t activations = pixels * vae.baseChannels * vae.channelMult.front() * 4;
    const std::int64_t tokens = latent.size(2) * latent.size(3);
    return activations * std::int64_t(elementSize) + latent.size(0) * tokens * tokens * 4;
}

} // namespace

VaeCoder::VaeCoder(std::shared_ptr<VaeComponent> vae, torch::Device device)
    : m_component(std::move(vae))
    , m_vae(m_component->network)
    , m_device(device)
{}

torch::Tensor VaeCoder::decodeTiled(const torch::Tensor &latent, std::int64_t tile, std::int64_t overlap)
{
    const double scale = double(config().downscale());
    return tiled(latent, tile, overlap, scale, config().imageChannels,
                 [this](const torch::Tensor &part) { return m_vae->decodeRaw(part.to(m_device)); })
        .to(m_device);
}

torch::Tensor VaeCoder::encodeTiled(const torch::Tensor &image, std::int64_t tile, std::int64_t overlap)
{
    const double scale = 1.0 / double(config().downscale());
    const std::int64_t pixels = tile * config().downscale();
    return tiled(image, pixels, overlap * config().downscale(), scale, 2 * config().embedChannels,
                 [this](const torch::Tensor &part) {
                     const auto moments = m_vae->encodeMoments(part.to(m_device));
                     return torch::cat({moments.first, moments.second}, 1);
                 })
        .to(m_device);
}

torch::Tensor VaeCoder::decode(const torch::Tensor &latent)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor input = latent.to(m_device, torch::kFloat32);
    const std::int64_t edge = std::max(input.size(2), input.size(3));
    const bool fitsBudget =
        m_budget <= 0 || estimatedDecodeBytes(config(), input, torch::elementSize(m_component->dtype)) <= m_budget;
    if (m_forcedTile <= 0 && fitsBudget) {
        try {
            m_lastDecodeTile = 0;
            return m_vae->decodeRaw(input).to(torch::kFloat32);
        } catch (const std::exception &error) {
            if (!isOutOfMemory(error))
                throw;
        }
    }
    std::vector<std::int64_t> tiles;
    if (m_forcedTile > 0)
        tiles.push_back(m_forcedTile);
    for (std::int64_t tile : kTileSizes)
        if (tile < edge && (m_forcedTile <= 0 || tile < m_forcedTile))
            tiles.push_back(tile);
    for (std::int64_t tile : tiles) {
        const torch::Tensor probe =
            input.narrow(2, 0, std::min(tile, input.size(2))).narrow(3, 0, std::min(tile, input.size(3)));
        if (m_budget > 0 && estimatedDecodeBytes(config(), probe, torch::elementSize(m_component->dtype)) > m_budget)
            continue;
        try {
            m_lastDecodeTile = tile;
            return decodeTiled(input, tile, std::max<std::int64_t>(1, tile / kOverlapDivisor));
        } catch (const std::exception &error) {
            if (!isOutOfMemory(error))
                throw;
        }
    }
    throw OutOfMemoryError("not enough memory to decode a " + std::to_string(input.size(3) * config().downscale()) +
                           "×" + std::to_string(input.size(2) * config().downscale()) + " image, even in tiles of " +
                           std::to_string(kTileSizes[2] * config().downscale()) +
                           " pixels; lower the resolution or the batch size, or free memory on the device");
}

std::pair<torch::Tensor, torch::Tensor> VaeCoder::encodeMoments(const torch::Tensor &image)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor input = image.to(m_device, torch::kFloat32);
    if (m_forcedTile <= 0) {
        try {
            const auto moments = m_vae->encodeMoments(input);
            return {moments.first.to(torch::kFloat32), moments.second.to(torch::kFloat32)};
        } catch (const std::exception &error) {
            if (!isOutOfMemory(error))
                throw;
        }
    }
    const std::int64_t edge = std::max(input.size(2), input.size(3)) / config().downscale();
    for (std::int64_t tile : kTileSizes) {
        if (m_forcedTile > 0 && tile > m_forcedTile)
            continue;
        if (tile >= edge && m_forcedTile <= 0)
            continue;
        try {
            const torch::Tensor moments = encodeTiled(input, tile, std::max<std::int64_t>(1, tile / kOverlapDivisor));
            const auto halves = moments.chunk(2, 1);
            return {halves[0], halves[1]};
        } catch (const std::exception &error) {
            if (!isOutOfMemory(error))
                throw;
        }
    }
    throw OutOfMemoryError("not enough memory to encode the " + std::to_string(input.size(3)) + "×" +
                           std::to_string(input.size(2)) + " image, even in tiles");
}

torch::Tensor VaeCoder::encodeMean(const torch::Tensor &image)
{
    return encodeMoments(image).first;
}

} // namespace atelier::engine
