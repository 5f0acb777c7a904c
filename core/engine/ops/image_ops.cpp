// Images: the VAE between pixels and latents, pixels in and out of the engine, resizing and batches, as ComfyUI's
// image nodes make them.
#include "core/engine/ops/op_table.h"

#include <cmath>

namespace atelier::engine::ops {

namespace {

std::shared_ptr<ImageValue> imageOf(torch::Tensor pixels)
{
    auto value = std::make_shared<ImageValue>();
    value->pixels = std::move(pixels);
    return value;
}

void setTile(const OpArguments &arguments, VaeCoder &coder)
{
    // Tiles are given in image pixels, as ComfyUI's tiled nodes take them.
    const std::int64_t tile = arguments.integerOr("tile", 0);
    if (tile != 0 && (tile < 64 || tile > 4096))
        arguments.fail("tile", "must be between 64 and 4096 pixels");
    coder.setTile(tile / coder.config().downscale());
}

} // namespace

torch::Tensor resample(const OpArguments &arguments, const torch::Tensor &samples, std::int64_t width,
                       std::int64_t height, const std::string &method, const std::string &crop)
{
    if (width < 1 || height < 1 || width > 16384 || height > 16384)
        arguments.fail("width", "and height must be between 1 and 16384 after scaling");
    torch::Tensor source = samples;
    if (crop == "center") {
        const std::int64_t h = samples.size(2), w = samples.size(3);
        const double oldAspect = double(w) / double(h), newAspect = double(width) / double(height);
        if (oldAspect > newAspect) {
            const std::int64_t x = std::llround((double(w) - double(w) * (newAspect / oldAspect)) / 2.0);
            source = source.narrow(3, x, w - 2 * x);
        } else if (oldAspect < newAspect) {
            const std::int64_t y = std::llround((double(h) - double(h) * (oldAspect / newAspect)) / 2.0);
            source = source.narrow(2, y, h - 2 * y);
        }
    } else if (crop != "disabled") {
        arguments.fail("crop", "must be \"disabled\" or \"center\", not \"" + crop + "\"");
    }
    const std::vector<std::int64_t> size{height, width};
    if (method == "nearest-exact")
        return torch::upsample_nearest2d(source, size); // libtorch 1.13 lacks nearest-exact; the nearest rule
    if (method == "bilinear")
        return torch::upsample_bilinear2d(source, size, false);
    if (method == "bicubic")
        return torch::upsample_bicubic2d(source, size, false);
    if (method == "area")
        return torch::adaptive_avg_pool2d(source, size);
    arguments.fail("method", "\"" + method +
                                 "\" is not a resampling method of this engine (nearest-exact, bilinear, "
                                 "area, bicubic)");
}

std::pair<std::int64_t, std::int64_t> requestedSize(const OpArguments &arguments, std::int64_t width,
                                                    std::int64_t height, std::int64_t w, std::int64_t h)
{
    if (width < 0 || height < 0 || (width == 0 && height == 0))
        arguments.fail("width", "and height must not both be 0 nor negative");
    if (width == 0)
        width = std::max<std::int64_t>(1, std::llround(double(w) * double(height) / double(h)));
    if (height == 0)
        height = std::max<std::int64_t>(1, std::llround(double(h) * double(width) / double(w)));
    return {width, height};
}

OpResult vaeDecode(const OpArguments &arguments, const Progress &)
{
    const auto vae = arguments.value<VaeValue>("vae");
    VaeCoder &coder = *vae->coder;
    setTile(arguments, coder);
    const torch::Tensor decoded = coder.decode(arguments.value<LatentValue>("latent")->samples);
    coder.setTile(0);
    return resultOf(
        imageOf(((decoded + 1.0) / 2.0).clamp(0.0, 1.0).permute({0, 2, 3, 1}).to(torch::kCPU).contiguous()));
}

namespace {

// The centre of an image ([b, h, w, c] or a mask [b, h, w]) cut to sides the VAE divides, as ComfyUI cuts them.
torch::Tensor cutToFactor(const OpArguments &arguments, const torch::Tensor &image, std::int64_t factor)
{
    const std::int64_t h = image.size(1) / factor * factor, w = image.size(2) / factor * factor;
    if (h == 0 || w == 0)
        arguments.fail("image", "is smaller than " + std::to_string(factor) + " pixels");
    return image.narrow(1, (image.size(1) - h) / 2, h).narrow(2, (image.size(2) - w) / 2, w);
}

torch::Tensor encoded(const OpArguments &arguments, VaeCoder &coder, const torch::Tensor &pixels)
{
    setTile(arguments, coder);
    const torch::Tensor latent = coder.encodeMean(pixels.permute({0, 3, 1, 2}) * 2.0 - 1.0).to(torch::kCPU);
    coder.setTile(0);
    return latent.to(torch::kFloat32);
}

} // namespace

OpResult vaeEncode(const OpArguments &arguments, const Progress &)
{
    VaeCoder &coder = *arguments.value<VaeValue>("vae")->coder;
    const torch::Tensor pixels =
        cutToFactor(arguments, arguments.value<ImageValue>("image")->pixels, coder.config().downscale());
    auto value = std::make_shared<LatentValue>();
    value->samples = encoded(arguments, coder, pixels);
    return resultOf(value);
}

// ComfyUI's VAEEncodeForInpaint: the masked pixels are greyed out before encoding (the model fills them from
// nothing), and the latent carries the mask, grown by `grow` pixels so that the seam is sampled too.
OpResult vaeEncodeForInpaint(const OpArguments &arguments, const Progress &)
{
    VaeCoder &coder = *arguments.value<VaeValue>("vae")->coder;
    const std::int64_t factor = coder.config().downscale();
    torch::Tensor pixels = arguments.value<ImageValue>("image")->pixels;
    const torch::Tensor given = arguments.value<MaskValue>("mask")->mask.to(torch::kFloat32);
    const std::int64_t grow = arguments.integer("grow");
    if (given.dim() < 2 || given.numel() == 0)
        arguments.fail("mask", "is empty");
    if (grow < 0 || grow > 64)
        arguments.fail("grow", "must be between 0 and 64 pixels");
    torch::Tensor mask = torch::upsample_bilinear2d(given.reshape({-1, 1, given.size(-2), given.size(-1)}),
                                                    {pixels.size(1), pixels.size(2)}, false)
                             .squeeze(1);
    pixels = cutToFactor(arguments, pixels, factor);
    mask = cutToFactor(arguments, mask, factor).round();
    torch::Tensor grown = mask;
    if (grow > 0) {
        const torch::Tensor kernel = torch::ones({1, 1, grow, grow});
        grown = torch::conv2d(mask.unsqueeze(1), kernel, {}, 1, (grow - 1 + 1) / 2)
                    .clamp(0.0, 1.0)
                    .narrow(2, 0, mask.size(1))
                    .narrow(3, 0, mask.size(2))
                    .squeeze(1);
    }
    if (mask.size(0) != 1 && mask.size(0) != pixels.size(0))
        arguments.fail("mask", "has " + std::to_string(mask.size(0)) + " layers for " + std::to_string(pixels.size(0)) +
                                   " images");
    const torch::Tensor keep = (1.0 - mask).unsqueeze(-1);
    auto value = std::make_shared<LatentValue>();
    value->samples = encoded(arguments, coder, (pixels - 0.5) * keep + 0.5);
    value->noiseMask = grown.round().unsqueeze(1).contiguous();
    return resultOf(value);
}

namespace {

// [b, h, w, 3] in [0, 1] from 8-bit images of one size.
torch::Tensor pixelsOf(const OpArguments &arguments)
{
    const std::vector<RgbImage> &images = arguments.images("images");
    if (images.empty())
        arguments.fail("images", "holds no image");
    std::vector<torch::Tensor> pixels;
    for (const RgbImage &image : images) {
        if (image.width <= 0 || image.height <= 0 || image.width > 16384 || image.height > 16384 ||
            image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
            arguments.fail("images", "has an image whose pixels do not match its size");
        if (image.width != images.front().width || image.height != images.front().height)
            arguments.fail("images", "are not all of one size");
        const torch::Tensor bytes = torch::from_blob(const_cast<std::uint8_t *>(image.pixels.data()),
                                                     {image.height, image.width, 3}, torch::kUInt8);
        pixels.push_back(bytes.to(torch::kFloat32) / 255.0);
    }
    return torch::stack(pixels);
}

} // namespace

OpResult imageFromPixels(const OpArguments &arguments, const Progress &)
{
    return resultOf(imageOf(pixelsOf(arguments)));
}

OpResult maskFromPixels(const OpArguments &arguments, const Progress &)
{
    torch::Tensor mask = pixelsOf(arguments).select(3, 0).contiguous();
    if (arguments.booleanOr("invert", false))
        mask = 1.0 - mask;
    auto value = std::make_shared<MaskValue>();
    value->mask = mask;
    return resultOf(value);
}

OpResult imageToPixels(const OpArguments &arguments, const Progress &)
{
    const torch::Tensor pixels = arguments.value<ImageValue>("image")->pixels;
    const torch::Tensor bytes = (pixels * 255.0).round().clamp(0, 255).to(torch::kUInt8).contiguous();
    OpResult result;
    for (std::int64_t i = 0; i < bytes.size(0); ++i) {
        RgbImage image;
        image.height = int(bytes.size(1));
        image.width = int(bytes.size(2));
        const torch::Tensor one = bytes[i].contiguous();
        image.pixels.assign(one.data_ptr<std::uint8_t>(), one.data_ptr<std::uint8_t>() + one.numel());
        result.images.push_back(std::move(image));
    }
    return result;
}

OpResult imageScale(const OpArguments &arguments, const Progress &)
{
    const torch::Tensor pixels = arguments.value<ImageValue>("image")->pixels;
    const auto [width, height] = requestedSize(arguments, arguments.integer("width"), arguments.integer("height"),
                                               pixels.size(2), pixels.size(1));
    const torch::Tensor scaled = resample(arguments, pixels.permute({0, 3, 1, 2}), width, height,
                                          arguments.text("method"), arguments.textOr("crop", "disabled"));
    return resultOf(imageOf(scaled.permute({0, 2, 3, 1}).clamp(0.0, 1.0).contiguous()));
}

OpResult imageScaleBy(const OpArguments &arguments, const Progress &)
{
    const torch::Tensor pixels = arguments.value<ImageValue>("image")->pixels;
    const double scale = arguments.real("scale");
    if (!(scale > 0.0) || scale > 8.0)
        arguments.fail("scale", "must be above 0 and at most 8");
    const std::int64_t width = std::max<std::int64_t>(1, std::llround(double(pixels.size(2)) * scale));
    const std::int64_t height = std::max<std::int64_t>(1, std::llround(double(pixels.size(1)) * scale));
    const torch::Tensor scaled =
        resample(arguments, pixels.permute({0, 3, 1, 2}), width, height, arguments.text("method"), "disabled");
    return resultOf(imageOf(scaled.permute({0, 2, 3, 1}).clamp(0.0, 1.0).contiguous()));
}

OpResult imageInvert(const OpArguments &arguments, const Progress &)
{
    return resultOf(imageOf(1.0 - arguments.value<ImageValue>("image")->pixels));
}

OpResult imageBatch(const OpArguments &arguments, const Progress &)
{
    const torch::Tensor first = arguments.value<ImageValue>("a")->pixels;
    torch::Tensor second = arguments.value<ImageValue>("b")->pixels;
    // The second batch is brought to the first's size, as ComfyUI does.
    if (second.size(1) != first.size(1) || second.size(2) != first.size(2))
        second = resample(arguments, second.permute({0, 3, 1, 2}), first.size(2), first.size(1), "bilinear", "center")
                     .permute({0, 2, 3, 1})
                     .contiguous();
    return resultOf(imageOf(torch::cat({first, second}, 0)));
}

} // namespace atelier::engine::ops
