#include "core/engine/pipeline/rgb_tensors.h"

#include <stdexcept>

namespace atelier::engine {

RgbImage toRgb(const torch::Tensor &image)
{
    const torch::Tensor bytes = (image.to(torch::kCPU, torch::kFloat32) * 255.0)
                                    .round()
                                    .clamp(0, 255)
                                    .to(torch::kUInt8)
                                    .permute({1, 2, 0})
                                    .contiguous();
    RgbImage out;
    out.height = int(bytes.size(0));
    out.width = int(bytes.size(1));
    out.pixels.assign(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel());
    return out;
}

torch::Tensor fromRgb(const RgbImage &image)
{
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
        throw std::invalid_argument("the init image's pixels do not match its size");
    const torch::Tensor bytes = torch::from_blob(const_cast<std::uint8_t *>(image.pixels.data()),
                                                 {image.height, image.width, 3}, torch::kUInt8);
    return (bytes.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32) / 255.0).contiguous();
}

} // namespace atelier::engine
