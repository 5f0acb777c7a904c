#pragma once

// A model read and loaded one component at a time: the text encoder, the UNet and the VAE each come with the config
// their weights decide (the networks' fromWeights) and load on their own, so that a VAE can be replaced, LoRAs
// patch one network, and loader nodes and a model cache can hold them separately. Includes libtorch: for the
// engine's own sources and tests only.
#include "core/engine/cache/model_cache.h"
#include "core/engine/family/model_family.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/nets/clip_text.h"
#include "core/engine/nets/unet.h"
#include "core/engine/nets/vae.h"
#include "core/engine/text/clip_tokenizer.h"

#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace atelier::engine {

// Everything about a model that its weights, its configs and the family rules decide.
struct ModelArchitecture
{
    ModelFamily family = ModelFamily::Sd1;
    Prediction prediction = Prediction::Epsilon;
    UNetConfig unet;
    VaeConfig vae;
    ClipTextConfig text;
    std::optional<ClipTextConfig> text2; // SDXL: OpenCLIP-G beside CLIP-L (`text`)
    int defaultLayerFromEnd = 1;         // SD 2.x and SDXL read the penultimate layer
    bool textFinalNorm = true;     // SDXL reads its encoders' penultimate layers as they are, without the final norm
    std::int64_t padToken = 49407; // SD 1.x pads with the end token, SD 2.x with 0
    std::int64_t padToken2 = 0;    // SDXL's second encoder pads with 0
    double linearStart = 0.00085;
    double linearEnd = 0.012;
    bool zeroTerminalSnr = false; // the schedule rescaled to end in pure noise (a "ztsnr" key)
};

struct LoadOptions
{
    std::string path;       // a single-file checkpoint or a diffusers folder
    std::string configPath; // an LDM YAML; empty: "<stem>.yaml" beside the checkpoint when there is one
    std::string vaePath;    // a VAE to use instead of the model's own (a VAE file or folder, or a checkpoint)
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;
    std::optional<Prediction> prediction; // overrides what the files say (e.g. from the library's record)
    bool cudaGraphs = true;               // replay UNet calls as CUDA graphs on CUDA devices
    bool cudnnBenchmark = true;           // let cuDNN time its algorithms for each new shape (slower first run)
};

// The weights of each component of a model file or folder, before any network is built, with the architecture that
// its weights, configs and family decide.
struct CheckpointParts
{
    ModelArchitecture architecture;
    FamilyFindings findings;
    StateDict unet, vae, text, text2;                           // under the names the networks use (text2: SDXL)
    std::string unetPrefix, vaePrefix, textPrefix, text2Prefix; // where each one sits in the file, for messages
    int droppedTextLayers = 0;                      // text-encoder layers a diffusers SD 2.x folder leaves out
    std::shared_ptr<const ClipTokenizer> tokenizer; // a diffusers folder's own; null: the bundled one
};

// What every load of a main model does first, cached or not: refuses fp16 on the CPU (UnsupportedModelError) and
// sets libtorch's process-wide cuDNN switches for a CUDA device.
void prepareLoad(const LoadOptions &options);
// The dtype a main model's VAE runs in: SD's VAE overflows in fp16, bf16 has float32's range.
inline torch::ScalarType vaeDtypeFor(torch::ScalarType dtype)
{
    return dtype == torch::kFloat32 ? torch::kFloat32 : torch::kBFloat16;
}

// Reads a single-file checkpoint or a diffusers folder and decides its architecture (configs beside it included).
// Throws UnsupportedModelError for what is not an SD 1.x/2.x or SDXL main model, saying what it is (a VAE, a LoRA,
// an SDXL refiner ...), and FormatError for damaged files or configs.
CheckpointParts readCheckpoint(const LoadOptions &options);

class LoRAPatcher;

// Which model's LoRA patcher has patched a component's weights. Models assembled from one cached component each
// have a patcher of their own: before one patches, it has the other's patches taken off (under the mutex), so that
// no model samples with another's LoRAs.
struct PatchOwner
{
    std::mutex mutex;
    std::mutex use; // held by a model computing with its patches on (LoraHold)
    LoRAPatcher *patcher = nullptr;
    // The component's entry in the model cache, whose notes say which LoRAs are on; none when not cached.
    std::optional<SubmodelKey> cacheKey;
};

// A model's text encoder on a device, with its tokenizer: one CLIP, or SDXL's pair (CLIP-L, then OpenCLIP-G in
// `network2`), which read the same token ids.
struct TextEncoderComponent
{
    std::shared_ptr<PatchOwner> patchOwner = std::make_shared<PatchOwner>();
    ClipTextModel network{nullptr};
    ClipTextModel network2{nullptr};
    std::shared_ptr<const ClipTokenizer> tokenizer;
    StateDict weights, weights2; // the file tensors they were loaded from: LoRA patches come off by restoring them
    std::string prefix, prefix2;
};

struct UNetComponent
{
    std::shared_ptr<PatchOwner> patchOwner = std::make_shared<PatchOwner>();
    UNetModel network{nullptr};
    StateDict weights;
    std::string prefix;
};

struct VaeComponent
{
    VaeConfig config;
    AutoencoderKL network{nullptr};
    torch::ScalarType dtype = torch::kFloat32;
    std::string source; // the file it came from, for messages and recipes
};

std::shared_ptr<TextEncoderComponent> loadTextEncoder(const CheckpointParts &parts, torch::Device device,
                                                      torch::ScalarType dtype);
std::shared_ptr<UNetComponent> loadUNet(const CheckpointParts &parts, torch::Device device, torch::ScalarType dtype);
std::shared_ptr<VaeComponent> loadVae(const CheckpointParts &parts, torch::Device device, torch::ScalarType dtype);

// A VAE on its own: a standalone VAE file (LDM or diffusers names), a diffusers VAE folder, or the VAE inside a
// checkpoint. Its scale factor is SD 1.x/2.x's; the model it decodes for keeps its own. Throws
// UnsupportedModelError for files without a VAE (naming what they hold) and FormatError for damaged ones.
std::shared_ptr<VaeComponent> loadVaeFile(const std::string &path, torch::Device device, torch::ScalarType dtype);

} // namespace atelier::engine
