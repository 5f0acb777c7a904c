#pragma once

#include "core/engine/device/call_graphs.h"
#include "core/engine/patch/lora_patcher.h"
#include "core/engine/pipeline/model_components.h"
#include "core/engine/pipeline/vae_coder.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/text/clip_tokenizer.h"
#include "core/engine/text/embeddings.h"
#include "core/engine/text/prompt_weights.h"

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>

namespace atelier::engine {

// SDXL's size conditioning (ComfyUI's CLIPTextEncodeSDXL): the size the image is said to come from, the top-left
// corner of its crop and the size it is made at, in pixels. Zero sizes: the size of the image being made.
struct SizeConditioning
{
    std::int64_t width = 0, height = 0;
    std::int64_t cropTop = 0, cropLeft = 0;
    std::int64_t targetWidth = 0, targetHeight = 0;
    // The SDXL refiner's aesthetic score (it takes no target size); unset: 6 for a positive prompt and 2.5 for a
    // negative one, as ComfyUI defaults them.
    std::optional<double> aestheticScore;
};

// A model's LoRAs kept on the components it may share with other models, while it computes with them
// (StableDiffusion::holdLoras).
class LoraHold
{
public:
    LoraHold(std::mutex &text, std::mutex &unet);

private:
    std::unique_lock<std::mutex> m_text, m_unet;
};

// A loaded SD 1.x/2.x or SDXL model: text encoder, UNet and VAE on one device, with its noise schedule and tokenizer.
class StableDiffusion
{
public:
    // Loads and checks the text encoder, UNet and VAE of an SD 1.x/2.x model. Throws UnsupportedModelError for
    // files that are not such a model (a VAE, a LoRA, SDXL ...) or miss weights, FormatError for damaged files.
    // With options.vaePath, that VAE replaces the model's own.
    static std::unique_ptr<StableDiffusion> load(const LoadOptions &options);
    // Takes its LoRAs off the components, which a cache may share with other models.
    ~StableDiffusion();
    // A model of already loaded components (which it shares; LoRAs it applies patch them until taken off). Throws
    // as replaceVae does.
    static std::unique_ptr<StableDiffusion> assemble(const ModelArchitecture &architecture,
                                                     std::shared_ptr<TextEncoderComponent> textEncoder,
                                                     std::shared_ptr<UNetComponent> unet,
                                                     std::shared_ptr<VaeComponent> vae, int droppedTextLayers,
                                                     const LoadOptions &options);

    // Decodes and encodes with `vae` from now on. Throws UnsupportedModelError, and keeps the VAE it had, when
    // `vae`'s latents have another number of channels than the UNet's. The latent scale stays the model's.
    void replaceVae(std::shared_ptr<VaeComponent> vae);
    const TextEncoderComponent &textEncoder() const { return *m_textEncoder; }
    const UNetComponent &unet() const { return *m_unetComponent; }
    const VaeComponent &vae() const { return m_vaeCoder->component(); }

    const ModelArchitecture &architecture() const { return m_architecture; }
    const DiscreteSchedule &schedule() const { return m_schedule; }
    torch::Device device() const { return m_device; }
    torch::ScalarType dtype() const { return m_dtype; }

    // Where prompts find textual-inversion embeddings ("embedding:name", or the bare name as A1111 reads it).
    void setEmbeddings(std::shared_ptr<const EmbeddingLibrary> library) { m_embeddings = std::move(library); }

    // A prompt's 77-token chunks with its embeddings resolved: placeholder ids in the chunks, their vectors in
    // placeholderRows (undefined when none). Throws std::invalid_argument for an unknown embedding name and
    // UnsupportedModelError for one made for another base.
    struct PromptTokens
    {
        std::vector<TokenChunk> chunks;
        torch::Tensor placeholderRows;
        std::vector<TextualInversion> embeddings;
        std::vector<std::string> warnings; // words naming an embedding that could not be used, and why
    };
    PromptTokens tokenize(const std::string &prompt) const;
    // The same for one of SDXL's encoders (0: CLIP-L, 1: OpenCLIP-G), whose embedding vectors differ.
    PromptTokens tokenizeFor(const std::string &prompt, int encoder) const;

    // [1, 77·chunks, width] cross-attention conditioning of a weighted prompt (ComfyUI's rule for weights: each
    // weighted token's state is pushed away from the empty prompt's state). clipSkip 0 uses the family default.
    // The embeddings it used are added to usedEmbeddings(). SDXL: both encoders' states side by side.
    torch::Tensor encodePrompt(const std::string &prompt, int clipSkip = 0);
    // The same, with SDXL's pooled text embedding ([1, P]: the second encoder's projected end-of-text state of the
    // first chunk); undefined for other families.
    struct PromptConditioning
    {
        torch::Tensor context;
        torch::Tensor pooled;
    };
    PromptConditioning encodeConditioning(const std::string &prompt, int clipSkip = 0);
    // SDXL with a prompt for each encoder (ComfyUI's CLIPTextEncodeSDXL: text_l for CLIP-L, text_g for
    // OpenCLIP-G); other families read `prompt` only.
    PromptConditioning encodeConditioning(const std::string &prompt, const std::string &secondPrompt, int clipSkip);
    // SDXL's extra UNet input for a prompt's pooled embedding and a size conditioning (zero sizes taken from
    // `imageWidth` × `imageHeight`); undefined for models that take none.
    torch::Tensor extraConditioning(const torch::Tensor &pooled, const SizeConditioning &size, std::int64_t imageWidth,
                                    std::int64_t imageHeight, bool negative = false) const;
    // The text encoder's hidden states for already tokenized ids [b, 77] (placeholders as in tokenize()).
    ClipTextModelImpl::Output encodeTokens(const torch::Tensor &ids, int layerFromEnd, bool finalNorm,
                                           const torch::Tensor &placeholderRows = {});
    // The token-embedding rows the encoder starts from, [b, 77, width] float32 (for checks against references).
    torch::Tensor embedTokens(const torch::Tensor &ids, const torch::Tensor &placeholderRows = {});
    // Every embedding the prompts named since the model was loaded or the list was cleared, once each.
    const std::vector<TextualInversion> &usedEmbeddings() const { return m_usedEmbeddings; }
    // Why bare words naming an embedding stayed text, once each, since the list was cleared.
    const std::vector<std::string> &embeddingWarnings() const { return m_embeddingWarnings; }
    void clearUsedEmbeddings()
    {
        m_usedEmbeddings.clear();
        m_embeddingWarnings.clear();
    }

    // The clean-latent estimate for x at `sigma` under `context` (batched as given), from the network's eps or v.
    // `y`: SDXL's extra conditioning (extraConditioning), batched as the context.
    torch::Tensor denoise(const torch::Tensor &x, double sigma, const torch::Tensor &context,
                          const torch::Tensor &y = {});
    // The raw UNet output for a scaled input (no sigma handling), as the fixtures record it.
    torch::Tensor unetForward(const torch::Tensor &x, const torch::Tensor &timesteps, const torch::Tensor &context,
                              const torch::Tensor &y = {});

    // Applies `loras` on top of the loaded weights, replacing whatever was applied before (an empty list takes all
    // off). Nothing is read from the checkpoint again: the originals of patched weights are kept. Throws as
    // LoRAPatcher::apply does, before any weight changes.
    // Nothing is taken off or put on when `loras` are this model's patches already.
    std::vector<LoRAReport> applyLoras(const std::vector<LoRAApplication> &loras);
    // applyLoras, with the patches kept on until the hold goes: a model sharing a cached component waits until then
    // to patch it, so that concurrent runs never compute with each other's LoRAs. Hold it for one computation (an
    // encode, a sampling) and never take a second hold while holding one.
    [[nodiscard]] LoraHold holdLoras(const std::vector<LoRAApplication> &loras,
                                     std::vector<LoRAReport> *reports = nullptr);

    // The VAE, with the tiled fallback (VaeCoder): latents unscaled, images in [-1, 1].
    VaeCoder &vaeCoder() { return *m_vaeCoder; }
    std::shared_ptr<VaeCoder> sharedVaeCoder() const { return m_vaeCoder; }
    torch::Tensor decode(const torch::Tensor &latent) { return m_vaeCoder->decode(latent); }
    torch::Tensor encodeMean(const torch::Tensor &image) { return m_vaeCoder->encodeMean(image); }
    std::pair<torch::Tensor, torch::Tensor> encodeMoments(const torch::Tensor &image)
    {
        return m_vaeCoder->encodeMoments(image);
    }

private:
    StableDiffusion() = default;
    // Names every UNet and text-encoder weight for LoRA files, with the file tensors it was loaded from.
    void registerPatchableWeights();
    void rememberEmbeddings(const PromptTokens &tokens);

    ModelArchitecture m_architecture;
    DiscreteSchedule m_schedule;
    std::shared_ptr<TextEncoderComponent> m_textEncoder;
    std::shared_ptr<UNetComponent> m_unetComponent;
    std::shared_ptr<VaeCoder> m_vaeCoder;
    std::shared_ptr<const ClipTokenizer> m_tokenizer; // the components' networks, for the code that runs them
    ClipTextModel m_text{nullptr};
    ClipTextModel m_text2{nullptr}; // SDXL's OpenCLIP-G
    UNetModel m_unet{nullptr};
    torch::Device m_device = torch::kCPU;
    torch::ScalarType m_dtype = torch::kFloat32;
    int m_droppedTextLayers = 0;  // text-encoder layers a diffusers SD 2.x folder leaves out
    std::unique_ptr<CallGraphs> m_graphs; // set on CUDA devices unless turned off
    LoRAPatcher m_loraPatcher;
    std::vector<LoRAReport> m_loraReports; // of the patches on
    std::shared_ptr<const EmbeddingLibrary> m_embeddings;
    std::vector<TextualInversion> m_usedEmbeddings;
    std::vector<std::string> m_embeddingWarnings;
};

} // namespace atelier::engine
