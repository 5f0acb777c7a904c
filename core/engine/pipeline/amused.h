#pragma once

// aMUSEd (MUSE's masked-token family) from a diffusers folder to images, as diffusers' AmusedPipeline and
// AmusedImg2ImgPipeline run it: a CLIP text encoder with projection, the U-ViT (nets/uvit.h) predicting VQ-GAN
// tokens, the masked-token sampler (sampling/masked_tokens.h) and the VQ-GAN (nets/vqgan.h) turning tokens into
// pixels. Each part loads on its own, so that the model cache and the graph's loader can hold them separately.
// Includes libtorch: for the engine's own sources and tests only.
#include "core/engine/device/call_graphs.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/clip_text.h"
#include "core/engine/nets/uvit.h"
#include "core/engine/nets/vqgan.h"
#include "core/engine/pipeline/generate.h"
#include "core/engine/sampling/masked_tokens.h"
#include "core/engine/text/clip_tokenizer.h"

#include <torch/torch.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

namespace atelier::engine {

struct AmusedArchitecture
{
    UVitConfig transformer;
    VqGanConfig vqgan;
    ClipTextConfig text;
    std::int64_t padToken = ClipTokenizer::kEndToken;
    std::int64_t maskId = 8255;
    MaskingSchedule masking = MaskingSchedule::Cosine;
    std::int64_t sampleSize = 16; // the token grid's default side

    std::int64_t downscale() const { return vqgan.coder.downscale(); }
    std::int64_t defaultImageSide() const { return sampleSize * downscale(); }
};

// A folder's parts, read and checked against each other before any network is built.
struct AmusedParts
{
    std::string folder;
    AmusedArchitecture architecture;
    StateDict transformer, vqgan, text; // under the names the networks use
    std::shared_ptr<const ClipTokenizer> tokenizer;
};

// Reads an aMUSEd diffusers folder (model_index.json, transformer/, vqvae/, text_encoder/, tokenizer/, scheduler/;
// plain or "fp16" weight files). Throws UnsupportedModelError for what is not an aMUSEd model (a Stable Diffusion
// one says so), for a missing component or parts that do not fit together (each named), and FormatError for
// damaged files.
AmusedParts readAmusedFolder(const std::string &path);

struct AmusedTextEncoder
{
    ClipTextModel network{nullptr};
    std::shared_ptr<const ClipTokenizer> tokenizer;
    std::int64_t padToken = ClipTokenizer::kEndToken;
};
struct AmusedTransformer
{
    UVit2DModel network{nullptr};
    // On a CUDA device: the sampling calls replayed as CUDA graphs (null elsewhere, and for a network in training).
    std::shared_ptr<CallGraphs> graphs;
};
struct AmusedVqGan
{
    VqGan network{nullptr};
};

std::shared_ptr<AmusedTextEncoder> loadAmusedTextEncoder(const AmusedParts &parts, torch::Device device,
                                                         torch::ScalarType dtype);
std::shared_ptr<AmusedTransformer> loadAmusedTransformer(const AmusedParts &parts, torch::Device device,
                                                         torch::ScalarType dtype);
std::shared_ptr<AmusedVqGan> loadAmusedVqGan(const AmusedParts &parts, torch::Device device, torch::ScalarType dtype);
// A transformer/ folder on its own (config.json and the weights), for checks and trained transformers.
std::shared_ptr<AmusedTransformer> loadAmusedTransformerFolder(const std::string &folder, torch::Device device,
                                                               torch::ScalarType dtype);

// The text encoder's two outputs aMUSEd reads, for a batch of prompts.
struct AmusedPromptEncoding
{
    torch::Tensor hidden; // [n, 77, width]: the penultimate layer's states, without the final norm
    torch::Tensor pooled; // [n, projection]: text_projection of the final-normed state at the end token
};

// 77 ids: start, the prompt's tokens (cut to 75), end, padding. `truncated` tells whether tokens were cut.
torch::Tensor amusedTokenIds(const AmusedTextEncoder &text, const std::string &prompt, bool *truncated = nullptr);
// On `device` (where the model runs: a text encoder loaded partially keeps some weights in RAM).
AmusedPromptEncoding encodeAmusedPrompts(AmusedTextEncoder &text, const std::vector<std::string> &prompts,
                                         torch::Device device = torch::kCPU);
// The warning for a prompt longer than the text encoder reads, or "".
std::string amusedPromptWarning(const AmusedTextEncoder &text, const std::string &prompt);

// diffusers' micro-conditioning row, width first: [width, height, crop top, crop left, aesthetic score].
torch::Tensor amusedMicroConditions(int width, int height, std::array<int, 2> crop, double aestheticScore);

struct AmusedSamplingParams
{
    std::string prompt;
    std::string negative;      // with guidance above 1 ("" when not given)
    int width = 0, height = 0; // 0: the model's default side
    int batch = 1;
    int steps = 12;
    double guidance = 10.0;
    std::uint64_t seed = 0;
    double temperatureStart = 2.0, temperatureEnd = 0.0;
    double aestheticScore = 6.0;
    std::array<int, 2> crop{0, 0};
    torch::Tensor initImage;     // img2img: [1, 3, H, W] in [0, 1]; its size decides the output's
    double strength = 1.0;       // img2img: the share of the steps that run
    TokenDraws *draws = nullptr; // the random draws; null: SeededTokenDraws(seed)
    // After each step run (index among all `steps`); returning false cancels the run (CancelledError).
    std::function<bool(int step, int steps, const UnmaskStepResult &)> onStep;
};

struct AmusedSamplingResult
{
    torch::Tensor tokens; // [batch, h, w]
    torch::Tensor image;  // [batch, 3, H, W] in [0, 1], float32 on the CPU
    int firstStep = 0;    // img2img: the first step run
};

// A loaded model's parts working together.
struct AmusedModel
{
    AmusedArchitecture architecture;
    std::shared_ptr<AmusedTextEncoder> text;
    std::shared_ptr<AmusedTransformer> transformer;
    std::shared_ptr<AmusedVqGan> vqgan;
    torch::Device device = torch::kCPU;

    // Guided logits [b, K, h, w] for `tokens` [b, h, w]: `prompt` and `negative` encodings of batch b (the negative
    // undefined without guidance).
    torch::Tensor guidedLogits(const torch::Tensor &tokens, const AmusedPromptEncoding &prompt,
                               const AmusedPromptEncoding &negative, const torch::Tensor &microConditions,
                               double guidance);
    // tokens [b, h, w] -> [b, 3, H, W] in [0, 1] (clipped), float32 on the CPU.
    torch::Tensor decode(const torch::Tensor &tokens);
    // image [b, 3, H, W] in [0, 1] -> its nearest tokens [b, h, w].
    torch::Tensor encode(const torch::Tensor &image);
    // The sampler's onStep for a caller's progress: each step counted, with a preview that decodes the first image's
    // predicted tokens when called (the model is held until then).
    std::function<bool(int, int, const UnmaskStepResult &)>
    progressReporter(const std::function<bool(const GenerationProgress &)> &onProgress) const;
};

AmusedModel loadAmusedModel(const std::string &folder, torch::Device device, torch::ScalarType dtype);

// txt2img, or img2img with an init image. Throws std::invalid_argument for bad parameters (sizes that are not
// multiples of the model's grid, strength outside (0, 1]) before anything runs.
AmusedSamplingResult sampleAmused(AmusedModel &model, const AmusedSamplingParams &params);

// The sampler alone, on encodings already made (a graph's): `positive` and `negative` (used with guidance above 1)
// of batch 1 or the grid's; `start` [b, h, w] is a fully masked grid, or with `fromImage` an image's tokens that
// params.strength masks for img2img. The prompts, sizes and init image of `params` are not read; `image` is left
// undefined (decode `tokens`).
AmusedSamplingResult sampleTokens(AmusedModel &model, const AmusedPromptEncoding &positive,
                                  const AmusedPromptEncoding &negative, const torch::Tensor &start, bool fromImage,
                                  const AmusedSamplingParams &params);

// Checks what sampleAmused would refuse, for callers that want to fail before a slow load.
void validateAmusedParams(const AmusedSamplingParams &params);

// A copy of `base` (same device and dtype) with `loras` patched in, in order; the base stays as it is for other runs.
// Their reports go to `reports`. Throws as LoRAPatcher::apply does: a damaged file, one made for another base (a
// Stable Diffusion LoRA), one whose keys match no layer of the U-ViT, or a strength that is not finite.
std::shared_ptr<AmusedTransformer> transformerWithLoras(const AmusedTransformer &base,
                                                        const std::vector<LoRAApplication> &loras,
                                                        std::vector<LoRAReport> *reports = nullptr);

// True for a folder whose model_index.json names an aMUSEd pipeline (the family rules'); reads nothing else.
bool isAmusedFolder(const std::string &path);

// engine::generate for an aMUSEd folder: the request's settings as the pipeline reads them (cfg is the guidance,
// denoise the img2img strength), the model through the model cache; what only Stable Diffusion reads is refused
// before the load. Previews decode each step's predicted tokens.
GenerationResult generateAmused(const GenerationRequest &request,
                                const std::function<bool(const GenerationProgress &)> &onProgress);

} // namespace atelier::engine
