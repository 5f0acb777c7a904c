#pragma once

// txt2img and img2img behind plain standard types, for the Qt layers and the command line: no libtorch here.
#include "core/engine/patch/lora_use.h"
#include "core/engine/pipeline/sampling_settings.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

struct RgbImage
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // RGB, 8 bits per channel, row after row
};

// A textual-inversion embedding under the name prompts use for it.
struct NamedEmbedding
{
    std::string name;
    std::string path;
};

// What only aMUSEd models read (diffusers' AmusedPipeline's arguments).
struct MaskedTokenSettings
{
    double temperatureStart = 2.0; // the Gumbel noise's temperature, from the first step to the last
    double temperatureEnd = 0.0;
    double aestheticScore = 6.0; // micro-conditioning: the aesthetic score the images should have
    int cropTop = 0;             // micro-conditioning: the crop the training images had
    int cropLeft = 0;

    bool isDefault() const
    {
        return temperatureStart == 2.0 && temperatureEnd == 0.0 && aestheticScore == 6.0 && cropTop == 0 &&
               cropLeft == 0;
    }
};

struct GenerationRequest : SamplingSettings
{
    std::string modelPath;       // a single-file checkpoint or a diffusers folder
    std::string configPath;      // optional LDM YAML
    std::string vaePath;         // optional VAE used instead of the model's own (a VAE file or folder)
    std::string prediction;      // "", "epsilon", "v" or "sample": overrides what the files say
    RgbImage initImage;          // img2img when it has pixels; its size then decides the output's
    std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
    std::string precision = "fp32";  // fp32, fp16, bf16
    std::string saveLatentPath;  // optional .safetensors of the final latent
    std::vector<LoRAApplication> loras;        // applied in order, each on the one before
    std::vector<NamedEmbedding> embeddings;    // embeddings by name (the library's)
    std::vector<std::string> embeddingFolders; // folders of embedding files, named by file name
    // A model that runs the last steps and decodes (SDXL's refiner, or another model of the same latent space), a
    // single file or diffusers folder; empty: none. It takes over after `refinerSwitch` of the steps, in (0, 1).
    // LoRAs apply to the first model only; the VAE given above decodes for the refiner too.
    std::string refinerPath;
    double refinerSwitch = 0.8;
    MaskedTokenSettings maskedTokens; // aMUSEd models only
};

struct GenerationProgress
{
    int step = 0;   // steps done
    int steps = 0;
    // A cheap preview of the current latent (1/8 of the image's size); computed only when called.
    std::function<RgbImage()> preview;
};

struct GenerationResult
{
    std::vector<LoRAReport> loras;
    std::vector<NamedEmbedding> embeddingsUsed; // the embeddings the prompts named, once each
    std::vector<std::string> warnings;          // words naming an embedding that stayed text, and why
    std::vector<RgbImage> images;
    std::string family;        // "sd-1", "sd-2", "sdxl", "amused"
    std::string refinerFamily; // "sdxl-refiner" ... when a refiner ran
    std::string prediction;    // "epsilon", "v", "sample"; "" for aMUSEd
    SamplingSettings used;     // the settings the run used: the family's defaults in place of those left unset
    std::vector<std::string> loadReport; // where each submodel came from: "unet: from RAM (1.60 GiB, 0.00 s)"
    double loadSeconds = 0;
    double sampleSeconds = 0;
};

// Loads the model, applies the LoRAs and generates; an aMUSEd folder generates with its own sampler, and refuses
// what only Stable Diffusion reads (a VAE, LoRAs, a refiner, samplers ...) with a message naming it. LoRAs and
// embeddings made for another base, damaged, or
// matching nothing are refused before sampling starts. `onProgress` runs after each step and can cancel the run by
// returning false. Throws engine Errors (UnsupportedModelError, FormatError, OutOfMemoryError, CancelledError) and
// std::invalid_argument for bad parameters, each with a message for users.
GenerationResult generate(const GenerationRequest &request,
                          const std::function<bool(const GenerationProgress &)> &onProgress = {});

} // namespace atelier::engine
