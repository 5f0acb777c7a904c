#include "core/engine/ops/engine_ops.h"

#include "core/engine/device/cpu_buffer_cache.h"
#include "core/engine/error.h"
#include "core/engine/ops/op_table.h"

#include <c10/util/Exception.h>

#include <map>

namespace atelier::engine {

namespace {

const std::map<std::string, ops::Function> &table()
{
    static const std::map<std::string, ops::Function> functions{
        {"load_checkpoint", &ops::loadCheckpoint},
        {"load_vae", &ops::loadVae},
        {"apply_lora", &ops::applyLora},
        {"clip_set_last_layer", &ops::clipSetLastLayer},
        {"encode_text", &ops::encodeText},
        {"encode_text_sdxl", &ops::encodeTextSdxl},
        {"encode_text_sdxl_refiner", &ops::encodeTextSdxlRefiner},
        {"conditioning_combine", &ops::conditioningCombine},
        {"conditioning_concat", &ops::conditioningConcat},
        {"conditioning_average", &ops::conditioningAverage},
        {"conditioning_zero_out", &ops::conditioningZeroOut},
        {"conditioning_set_area", &ops::conditioningSetArea},
        {"empty_latent", &ops::emptyLatent},
        {"sample", &ops::sample},
        {"set_latent_noise_mask", &ops::setLatentNoiseMask},
        {"latent_upscale", &ops::latentUpscale},
        {"latent_upscale_by", &ops::latentUpscaleBy},
        {"latent_from_batch", &ops::latentFromBatch},
        {"repeat_latent_batch", &ops::repeatLatentBatch},
        {"vae_decode", &ops::vaeDecode},
        {"save_latent", &ops::saveLatent},
        {"vae_encode", &ops::vaeEncode},
        {"vae_encode_for_inpaint", &ops::vaeEncodeForInpaint},
        {"image_from_pixels", &ops::imageFromPixels},
        {"mask_from_pixels", &ops::maskFromPixels},
        {"image_to_pixels", &ops::imageToPixels},
        {"image_scale", &ops::imageScale},
        {"image_scale_by", &ops::imageScaleBy},
        {"image_invert", &ops::imageInvert},
        {"image_batch", &ops::imageBatch},
        {"load_amused", &ops::loadAmused},
        {"apply_amused_lora", &ops::applyAmusedLora},
        {"encode_amused_text", &ops::encodeAmusedText},
        {"empty_tokens", &ops::emptyTokens},
        {"sample_amused", &ops::sampleAmused},
        {"vq_decode", &ops::vqDecode},
        {"vq_encode", &ops::vqEncode},
    };
    return functions;
}

} // namespace

OpResult runOp(const OpCall &call, const std::function<bool(const GenerationProgress &)> &onProgress)
{
    const auto found = table().find(call.op);
    if (found == table().end())
        throw std::invalid_argument("the engine has no operation \"" + call.op + "\"");
    const CpuBufferCacheScope reuseBuffers;
    torch::NoGradGuard noGrad;
    try {
        return found->second(OpArguments(call), onProgress);
    } catch (const c10::OutOfMemoryError &error) {
        throw OutOfMemoryError(call.op + ": out of memory: " + error.what_without_backtrace());
    } catch (const c10::Error &error) {
        // What slipped past the checks: libtorch's own words, without its backtrace, under our error type.
        throw UnsupportedModelError(call.op + ": " + error.what_without_backtrace());
    }
}

std::vector<std::string> opNames()
{
    std::vector<std::string> names;
    for (const auto &entry : table())
        names.push_back(entry.first);
    return names;
}

} // namespace atelier::engine
