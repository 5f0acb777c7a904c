#include "core/engine/pipeline/stable_diffusion.h"

#include "core/engine/error.h"
#include "core/engine/io/key_maps.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/text/prompt_weights.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace atelier::engine {

std::unique_ptr<StableDiffusion> StableDiffusion::load(const LoadOptions &options)
{
    prepareLoad(options);
    const CheckpointParts parts = readCheckpoint(options);
    const torch::ScalarType vaeDtype = vaeDtypeFor(options.dtype);
    // A replacement VAE is read before anything is loaded: a wrong file fails fast.
    std::shared_ptr<VaeComponent> replacement;
    if (!options.vaePath.empty())
        replacement = loadVaeFile(options.vaePath, options.device, vaeDtype);
    return assemble(parts.architecture, loadTextEncoder(parts, options.device, options.dtype),
                    loadUNet(parts, options.device, options.dtype),
                    replacement ? std::move(replacement) : loadVae(parts, options.device, vaeDtype),
                    parts.droppedTextLayers, options);
}

StableDiffusion::~StableDiffusion()
{
    // Its patches come off the shared components, unless another model's have already replaced them.
    std::unique_lock<std::mutex> text(m_textEncoder->patchOwner->mutex, std::defer_lock);
    std::unique_lock<std::mutex> unet(m_unetComponent->patchOwner->mutex, std::defer_lock);
    std::lock(text, unet);
    try {
        m_loraPatcher.restore();
    } catch (...) { // restoring copies tensors back; a failure here must not end the process
    }
    for (PatchOwner *owner : {m_textEncoder->patchOwner.get(), m_unetComponent->patchOwner.get()})
        if (owner->patcher == &m_loraPatcher) {
            owner->patcher = nullptr;
            if (owner->cacheKey)
                ModelCache::shared().setNotes(*owner->cacheKey, {});
        }
}

std::unique_ptr<StableDiffusion> StableDiffusion::assemble(const ModelArchitecture &architecture,
                                                           std::shared_ptr<TextEncoderComponent> textEncoder,
                                                           std::shared_ptr<UNetComponent> unet,
                                                           std::shared_ptr<VaeComponent> vae, int droppedTextLayers,
                                                           const LoadOptions &options)
{
    std::unique_ptr<StableDiffusion> model(new StableDiffusion());
    model->m_architecture = architecture;
    model->m_device = options.device;
    model->m_dtype = options.dtype;
    model->m_droppedTextLayers = droppedTextLayers;
    model->m_schedule =
        DiscreteSchedule(architecture.linearStart, architecture.linearEnd, 1000, architecture.zeroTerminalSnr);
    model->m_textEncoder = std::move(textEncoder);
    model->m_text = model->m_textEncoder->network;
    model->m_text2 = model->m_textEncoder->network2;
    model->m_tokenizer = model->m_textEncoder->tokenizer;
    model->m_unetComponent = std::move(unet);
    model->m_unet = model->m_unetComponent->network;
    // A UNet the cache loaded partially copies weights in during its call, which a recorded graph cannot replay.
    if (options.cudaGraphs && CallGraphs::supported(options.device) && residentOn(*model->m_unet, options.device))
        model->m_graphs = std::make_unique<CallGraphs>();
    model->replaceVae(std::move(vae));
    model->registerPatchableWeights();
    return model;
}

void StableDiffusion::replaceVae(std::shared_ptr<VaeComponent> vae)
{
    if (vae->config.latentChannels != m_architecture.unet.outChannels)
        throw UnsupportedModelError(vae->source + ": the VAE works on latents of " +
                                    std::to_string(vae->config.latentChannels) + " channels, the model's UNet on " +
                                    std::to_string(m_architecture.unet.outChannels) + "; it is a VAE for another " +
                                    "family");
    const double scaleFactor = m_architecture.vae.scaleFactor;
    m_architecture.vae = vae->config;
    m_architecture.vae.scaleFactor = scaleFactor;
    m_vaeCoder = std::make_shared<VaeCoder>(std::move(vae), m_device);
}

void StableDiffusion::registerPatchableWeights()
{
    const StateDict &unetWeights = m_unetComponent->weights;
    const StateDict &textWeights = m_textEncoder->weights;
    // kohya writes module paths with "_" for "."; diffusers and PEFT keep the dots under "unet." and
    // "text_encoder."; ComfyUI's own saves use the checkpoint's names. kohya's UNet names follow either layout.
    const auto underscored = [](std::string name) {
        std::replace(name.begin(), name.end(), '.', '_');
        return name;
    };
    const std::string suffix = ".weight";
    for (const auto &item : m_unet->named_parameters()) {
        const std::string &name = item.key();
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string module = name.substr(0, name.size() - suffix.size());
        std::vector<std::string> aliases{"lora_unet_" + underscored(module), "diffusion_model." + module,
                                         "model.diffusion_model." + module};
        const std::string diffusers =
            unetDiffusersName(module, m_architecture.unet.resBlocksPerLevel, m_architecture.unet.attentionAtLevel);
        if (!diffusers.empty()) {
            aliases.insert(aliases.end(), {"lora_unet_" + underscored(diffusers), "unet." + diffusers, diffusers});
            // diffusers' older attention processors: "attn1.processor.to_q", "attn1.processor.to_out".
            std::string processor = diffusers;
            for (const char *projection : {".to_q", ".to_k", ".to_v", ".to_out.0"}) {
                const std::size_t at = processor.rfind(projection);
                if (at != std::string::npos && at + std::strlen(projection) == processor.size()) {
                    processor = processor.substr(0, at) + ".processor" +
                                (std::string(projection) == ".to_out.0" ? ".to_out" : projection);
                    aliases.insert(aliases.end(), {"unet." + processor, processor});
                }
            }
        }
        m_loraPatcher.addWeight(PatchedNetwork::UNet, aliases, item.value(), unetWeights.at(name));
    }
    // Text encoders: kohya's lora_te_ (SD 1.x/2.x) or lora_te1_/lora_te2_ (SDXL), diffusers' text_encoder(_2).
    const auto addText = [&](ClipTextModel &network, const StateDict &weights, const std::vector<std::string> &kohya,
                             const std::string &diffusers) {
        for (const auto &item : network->named_parameters()) {
            const std::string &name = item.key();
            if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
                !weights.contains(name))
                continue;
            const std::string module = name.substr(0, name.size() - suffix.size());
            std::vector<std::string> aliases{diffusers + "." + module};
            for (const std::string &prefix : kohya)
                aliases.push_back(prefix + underscored(module));
            m_loraPatcher.addWeight(PatchedNetwork::TextEncoder, aliases, item.value(), weights.at(name));
        }
    };
    if (m_text2) {
        addText(m_text, textWeights, {"lora_te1_"}, "text_encoder");
        addText(m_text2, m_textEncoder->weights2, {"lora_te2_"}, "text_encoder_2");
    } else {
        addText(m_text, textWeights, {"lora_te_"}, "text_encoder");
    }
}

LoraHold::LoraHold(std::mutex &text, std::mutex &unet)
    : m_text(text, std::defer_lock)
    , m_unet(unet, std::defer_lock)
{
    if (&text == &unet)
        m_text.lock();
    else
        std::lock(m_text, m_unet);
}

LoraHold StableDiffusion::holdLoras(const std::vector<LoRAApplication> &loras, std::vector<LoRAReport> *reports)
{
    LoraHold hold(m_textEncoder->patchOwner->use, m_unetComponent->patchOwner->use);
    std::vector<LoRAReport> applied = applyLoras(loras);
    if (reports)
        *reports = std::move(applied);
    return hold;
}

std::vector<LoRAReport> StableDiffusion::applyLoras(const std::vector<LoRAApplication> &loras)
{
    // Another model on the same cached components has its patches taken off first. Recorded CUDA graphs notice
    // weights whose storage a patch replaced, and record again.
    std::unique_lock<std::mutex> text(m_textEncoder->patchOwner->mutex, std::defer_lock);
    std::unique_lock<std::mutex> unet(m_unetComponent->patchOwner->mutex, std::defer_lock);
    std::lock(text, unet);
    if (m_textEncoder->patchOwner->patcher == &m_loraPatcher &&
        m_unetComponent->patchOwner->patcher == &m_loraPatcher && m_loraPatcher.applied() == loras)
        return m_loraReports;
    for (PatchOwner *owner : {m_textEncoder->patchOwner.get(), m_unetComponent->patchOwner.get()}) {
        if (owner->patcher && owner->patcher != &m_loraPatcher)
            owner->patcher->restore();
        owner->patcher = &m_loraPatcher;
    }
    m_loraReports = m_loraPatcher.apply(loras, familyName(m_architecture.family));
    // The Memory panel says which LoRAs are on each cached part, at the strength each part took.
    const auto notesOf = [&](double LoRAApplication::*strength) {
        std::vector<std::string> notes;
        for (const LoRAApplication &lora : loras) {
            char text[32];
            std::snprintf(text, sizeof text, " %.2g", lora.*strength);
            notes.push_back("LoRA " + std::filesystem::path(lora.path).stem().string() + text);
        }
        return notes;
    };
    if (m_textEncoder->patchOwner->cacheKey)
        ModelCache::shared().setNotes(*m_textEncoder->patchOwner->cacheKey, notesOf(&LoRAApplication::strengthClip));
    if (m_unetComponent->patchOwner->cacheKey)
        ModelCache::shared().setNotes(*m_unetComponent->patchOwner->cacheKey, notesOf(&LoRAApplication::strengthModel));
    return m_loraReports;
}
ClipTextModelImpl::Output StableDiffusion::encodeTokens(const torch::Tensor &ids, int layerFromEnd, bool finalNorm,
                                                        const torch::Tensor &placeholderRows)
{
    torch::NoGradGuard noGrad;
    ClipTextModelImpl::Output output = m_text->forward(ids.to(m_device), layerFromEnd, finalNorm, placeholderRows);
    output.hidden = output.hidden.to(torch::kFloat32);
    output.pooled = output.pooled.to(torch::kFloat32);
    return output;
}

torch::Tensor StableDiffusion::embedTokens(const torch::Tensor &ids, const torch::Tensor &placeholderRows)
{
    torch::NoGradGuard noGrad;
    return m_text->embedTokens(ids.to(m_device), placeholderRows).to(torch::kFloat32);
}

StableDiffusion::PromptTokens StableDiffusion::tokenize(const std::string &prompt) const
{
    return tokenizeFor(prompt, 0);
}

StableDiffusion::PromptTokens StableDiffusion::tokenizeFor(const std::string &prompt, int encoder) const
{
    PromptTokens tokens;
    if (!m_embeddings) {
        tokens.chunks = tokenizePrompt(*m_tokenizer, prompt, m_architecture.padToken);
        return tokens;
    }
    // SDXL embeddings hold vectors for each encoder: the same placeholder ids, each encoder's own rows.
    // The refiner's one encoder is SDXL's second: it takes the clip_g vectors of SDXL embeddings.
    const bool refiner = m_architecture.family == ModelFamily::SdxlRefiner;
    const bool sdxl = m_architecture.family == ModelFamily::Sdxl || refiner;
    if (refiner)
        encoder = 1;
    const ClipTextConfig &text = encoder == 1 && m_architecture.text2 ? *m_architecture.text2 : m_architecture.text;
    // (For the refiner `text` is its only encoder, OpenCLIP-G.)
    PromptEmbeddingTable table(*m_embeddings, text.vocabSize, text.width,
                               sdxl ? (encoder == 1 ? "clip_g" : "clip_l") : "",
                               sdxl                                        ? "SDXL"
                               : m_architecture.family == ModelFamily::Sd2 ? "SD 2.x"
                                                                           : "SD 1.x");
    tokens.chunks = tokenizePrompt(*m_tokenizer, prompt, m_architecture.padToken, 77, &table);
    tokens.placeholderRows = table.rows();
    tokens.embeddings = table.used();
    tokens.warnings = table.warnings();
    return tokens;
}

torch::Tensor StableDiffusion::encodePrompt(const std::string &prompt, int clipSkip)
{
    return encodeConditioning(prompt, clipSkip).context;
}

StableDiffusion::PromptConditioning StableDiffusion::encodeConditioning(const std::string &prompt, int clipSkip)
{
    return encodeConditioning(prompt, prompt, clipSkip);
}

void StableDiffusion::rememberEmbeddings(const PromptTokens &tokens)
{
    for (const TextualInversion &embedding : tokens.embeddings) {
        const bool known = std::any_of(m_usedEmbeddings.begin(), m_usedEmbeddings.end(),
                                       [&](const TextualInversion &used) { return used.name == embedding.name; });
        if (!known)
            m_usedEmbeddings.push_back(embedding);
    }
    for (const std::string &warning : tokens.warnings)
        if (std::find(m_embeddingWarnings.begin(), m_embeddingWarnings.end(), warning) == m_embeddingWarnings.end())
            m_embeddingWarnings.push_back(warning);
}

StableDiffusion::PromptConditioning StableDiffusion::encodeConditioning(const std::string &prompt,
                                                                        const std::string &secondPrompt, int clipSkip)
{
    const int layerFromEnd =
        clipSkip > 0 ? std::max(1, clipSkip - m_droppedTextLayers) : m_architecture.defaultLayerFromEnd;
    PromptTokens first = tokenize(prompt);
    rememberEmbeddings(first);
    PromptTokens second;
    if (m_text2) {
        second = tokenizeFor(secondPrompt, 1);
        rememberEmbeddings(second);
        // As ComfyUI does for SDXL's two prompts: the one with fewer chunks gets empty ones.
        const std::size_t chunks = std::max(first.chunks.size(), second.chunks.size());
        const std::size_t length = first.chunks.front().ids.size();
        TokenChunk empty;
        empty.ids = {m_tokenizer->startToken(), m_tokenizer->endToken()};
        empty.ids.resize(length, m_architecture.padToken);
        empty.weights.assign(length, 1.0f);
        for (PromptTokens *tokens : {&first, &second})
            tokens->chunks.resize(chunks, empty);
    }

    // One encoder's states for a prompt's chunks, weighted by ComfyUI's rule (each weighted token's state pushed away
    // from the empty prompt's), with its own padding; and its pooled state of the first chunk.
    const auto encodeWith = [&](ClipTextModel &encoder, const PromptTokens &tokens, std::int64_t padToken) {
        bool weighted = false;
        std::vector<std::int64_t> ids;
        std::vector<float> weights;
        for (const TokenChunk &chunk : tokens.chunks) {
            ids.insert(ids.end(), chunk.ids.begin(), chunk.ids.end());
            weights.insert(weights.end(), chunk.weights.begin(), chunk.weights.end());
            for (float weight : chunk.weights)
                weighted = weighted || weight != 1.0f;
        }
        const std::int64_t length = std::int64_t(tokens.chunks.front().ids.size());
        std::int64_t rows = std::int64_t(tokens.chunks.size());
        if (weighted) {
            ids.push_back(m_tokenizer->startToken());
            ids.push_back(m_tokenizer->endToken());
            ids.insert(ids.end(), std::size_t(length - 2), m_architecture.padToken);
            ++rows;
        }
        torch::Tensor idTensor = torch::tensor(ids, torch::kInt64).view({rows, length});
        if (padToken != m_architecture.padToken) {
            // Padding is what follows a row's first end token.
            const torch::Tensor isEnd = idTensor == m_tokenizer->endToken();
            const torch::Tensor seen = isEnd.to(torch::kInt32).cumsum(1);
            idTensor =
                torch::where((seen > 1) | ((seen == 1) & ~isEnd), torch::full_like(idTensor, padToken), idTensor);
        }
        torch::NoGradGuard noGrad;
        const ClipTextModelImpl::Output output =
            encoder->forward(idTensor.to(m_device), layerFromEnd, m_architecture.textFinalNorm, tokens.placeholderRows);
        torch::Tensor hidden = output.hidden.to(torch::kFloat32);
        if (weighted) {
            const torch::Tensor emptyState = hidden[rows - 1];
            hidden = hidden.narrow(0, 0, rows - 1);
            const torch::Tensor w =
                torch::tensor(weights, torch::kFloat32).view({rows - 1, length, 1}).to(hidden.device());
            hidden = torch::where(w != 1.0f, (hidden - emptyState) * w + emptyState, hidden);
        }
        return std::make_pair(hidden.reshape({1, -1, hidden.size(-1)}),
                              output.pooled.narrow(0, 0, 1).to(torch::kFloat32));
    };
    PromptConditioning conditioning;
    auto [context, pooled] = encodeWith(m_text, first, m_architecture.padToken);
    conditioning.context = context;
    // A UNet that takes extra conditioning reads the pooled embedding of the last encoder (OpenCLIP-G in SDXL and
    // its refiner).
    if (m_architecture.unet.admInChannels > 0)
        conditioning.pooled = pooled;
    if (m_text2) {
        auto [context2, pooled2] = encodeWith(m_text2, second, m_architecture.padToken2);
        conditioning.context = torch::cat({conditioning.context, context2}, -1);
        conditioning.pooled = pooled2;
    }
    return conditioning;
}

torch::Tensor StableDiffusion::extraConditioning(const torch::Tensor &pooled, const SizeConditioning &size,
                                                 std::int64_t imageWidth, std::int64_t imageHeight, bool negative) const
{
    const std::int64_t adm = m_architecture.unet.admInChannels;
    if (adm == 0)
        return {};
    if (!pooled.defined())
        throw std::invalid_argument("an SDXL model needs the pooled text embedding of its own text encoders; this "
                                    "conditioning has none");
    const auto or_ = [](std::int64_t value, std::int64_t otherwise) { return value > 0 ? value : otherwise; };
    std::vector<float> ids{float(or_(size.height, imageHeight)), float(or_(size.width, imageWidth)),
                           float(size.cropTop), float(size.cropLeft)};
    if (m_architecture.family == ModelFamily::SdxlRefiner)
        ids.push_back(float(size.aestheticScore.value_or(negative ? 2.5 : 6.0)));
    else
        ids.insert(ids.end(), {float(or_(size.targetHeight, imageHeight)), float(or_(size.targetWidth, imageWidth))});
    return sizeConditioningVector(pooled.to(torch::kCPU), torch::tensor(ids).view({1, std::int64_t(ids.size())}), adm);
}

torch::Tensor StableDiffusion::unetForward(const torch::Tensor &x, const torch::Tensor &timesteps,
                                           const torch::Tensor &context, const torch::Tensor &y)
{
    torch::NoGradGuard noGrad;
    torch::Tensor input = x.to(m_device, m_dtype);
    if (m_device.is_cuda())
        input = input.contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor t = timesteps.to(m_device, torch::kFloat32);
    const torch::Tensor ctx = context.to(m_device, m_dtype);
    const torch::Tensor extra = y.defined() ? y.to(m_device, m_dtype) : y;
    if (m_graphs)
        return m_graphs->run(
            {input, t, ctx, extra},
            [this](const std::vector<torch::Tensor> &in) { return m_unet->forward(in[0], in[1], in[2], in[3]); },
            *m_unet, torch::kFloat32);
    return m_unet->forward(input, t, ctx, extra).to(torch::kFloat32);
}

torch::Tensor StableDiffusion::denoise(const torch::Tensor &x, double sigma, const torch::Tensor &context,
                                       const torch::Tensor &y)
{
    const double cIn = 1.0 / std::sqrt(sigma * sigma + 1.0);
    // Made on the device: a host tensor would be copied in, and the step loop must not wait for the host.
    const torch::Tensor timesteps = torch::full({x.size(0)}, float(m_schedule.timestep(sigma)),
                                                torch::TensorOptions().dtype(torch::kFloat32).device(m_device));
    const torch::Tensor out = unetForward(x * cIn, timesteps, context, y);
    if (m_architecture.prediction == Prediction::V)
        return x / (sigma * sigma + 1.0) - out * (sigma / std::sqrt(sigma * sigma + 1.0));
    if (m_architecture.prediction == Prediction::Sample)
        return out;
    return x - out * sigma;
}

} // namespace atelier::engine
