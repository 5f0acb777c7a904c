#pragma once

// Main models and VAEs loaded through the process's ModelCache: a main model is read for its architecture, then its
// text encoder(s), UNet and VAE come from the cache where they are held, and from disk where not. Includes
// libtorch: for the engine's own sources and tests.
#include "core/engine/cache/model_cache.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/stable_diffusion.h"

#include <memory>
#include <string>
#include <vector>

namespace atelier::engine {

// Where each submodel of a load came from, for the run's report: "unet: from disk (1.23 GiB, 2.1 s)", "vae: from
// RAM (0.16 GiB)".
using LoadReport = std::vector<std::string>;

// StableDiffusion::load, with every component through ModelCache::shared(). The model shares the cached
// components; LoRAs it applies are taken off again when it is destroyed.
std::unique_ptr<StableDiffusion> loadModelCached(const LoadOptions &options, LoadReport *report = nullptr);

// An aMUSEd folder's text encoder, transformer and VQ-GAN, each through the cache as the SD components are.
AmusedModel loadAmusedCached(const std::string &folder, torch::Device device, torch::ScalarType dtype,
                             LoadReport *report = nullptr);

// loadVaeFile through the cache.
std::shared_ptr<VaeComponent> loadVaeFileCached(const std::string &path, torch::Device device, torch::ScalarType dtype,
                                                LoadReport *report = nullptr);

// Moves the networks' parameters to `device`, in the order they were built (roughly the order they run) until
// `allowance` bytes are there (kAllOnDevice: all), the rest to RAM, from where the layers copy them in for each
// call. Every holder of a parameter (a LoRA patcher, a recorded graph's network) sees it move. Returns the bytes
// on `device`. The model cache's placement of every component.
std::int64_t placeNetworks(const std::vector<torch::nn::Module *> &networks, const std::string &device,
                           std::int64_t allowance);

// A file's size and modification time, or a folder's newest file's and their total size: a model changed on disk
// has another stamp, so that it is loaded afresh.
std::string stampOf(const std::string &path);

// The bytes of a network's parameters.
std::int64_t parameterBytes(const torch::nn::Module &network);

} // namespace atelier::engine
