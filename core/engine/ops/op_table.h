#pragma once

// The operations engine_ops.h lists, by the file that implements them.
#include "core/engine/ops/op_arguments.h"

#include <functional>

namespace atelier::engine::ops {

using Progress = std::function<bool(const GenerationProgress &)>;
using Function = OpResult (*)(const OpArguments &, const Progress &);

// model_ops.cpp
OpResult loadCheckpoint(const OpArguments &, const Progress &);
OpResult loadVae(const OpArguments &, const Progress &);
OpResult applyLora(const OpArguments &, const Progress &);
OpResult clipSetLastLayer(const OpArguments &, const Progress &);
OpResult encodeText(const OpArguments &, const Progress &);
OpResult encodeTextSdxl(const OpArguments &, const Progress &);
OpResult encodeTextSdxlRefiner(const OpArguments &, const Progress &);
OpResult conditioningCombine(const OpArguments &, const Progress &);
OpResult conditioningConcat(const OpArguments &, const Progress &);
OpResult conditioningAverage(const OpArguments &, const Progress &);
OpResult conditioningZeroOut(const OpArguments &, const Progress &);
OpResult conditioningSetArea(const OpArguments &, const Progress &);

// latent_ops.cpp
OpResult emptyLatent(const OpArguments &, const Progress &);
OpResult sample(const OpArguments &, const Progress &);
OpResult saveLatent(const OpArguments &, const Progress &);
OpResult setLatentNoiseMask(const OpArguments &, const Progress &);
OpResult latentUpscale(const OpArguments &, const Progress &);
OpResult latentUpscaleBy(const OpArguments &, const Progress &);
OpResult latentFromBatch(const OpArguments &, const Progress &);
OpResult repeatLatentBatch(const OpArguments &, const Progress &);

// image_ops.cpp
OpResult vaeDecode(const OpArguments &, const Progress &);
OpResult vaeEncode(const OpArguments &, const Progress &);
OpResult vaeEncodeForInpaint(const OpArguments &, const Progress &);
OpResult imageFromPixels(const OpArguments &, const Progress &);
OpResult maskFromPixels(const OpArguments &, const Progress &);
OpResult imageToPixels(const OpArguments &, const Progress &);
OpResult imageScale(const OpArguments &, const Progress &);
OpResult imageScaleBy(const OpArguments &, const Progress &);
OpResult imageInvert(const OpArguments &, const Progress &);
OpResult imageBatch(const OpArguments &, const Progress &);

// amused_ops.cpp
OpResult applyAmusedLora(const OpArguments &, const Progress &);
OpResult loadAmused(const OpArguments &, const Progress &);
OpResult encodeAmusedText(const OpArguments &, const Progress &);
OpResult emptyTokens(const OpArguments &, const Progress &);
OpResult sampleAmused(const OpArguments &, const Progress &);
OpResult vqDecode(const OpArguments &, const Progress &);
OpResult vqEncode(const OpArguments &, const Progress &);

// Both: resampling [b, c, h, w] as ComfyUI's common_upscale does (methods nearest-exact, bilinear, area, bicubic;
// crop "disabled" or "center").
torch::Tensor resample(const OpArguments &arguments, const torch::Tensor &samples, std::int64_t width,
                       std::int64_t height, const std::string &method, const std::string &crop);

// The {width, height} a resize asks for, where 0 on one side keeps the aspect of {w, h}.
std::pair<std::int64_t, std::int64_t> requestedSize(const OpArguments &arguments, std::int64_t width,
                                                    std::int64_t height, std::int64_t w, std::int64_t h);

template <typename Value> OpResult resultOf(std::shared_ptr<Value> value)
{
    OpResult result;
    result.values.push_back(std::move(value));
    return result;
}

} // namespace atelier::engine::ops
