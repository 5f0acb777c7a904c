// Runs the real pipeline on a device: every sd1/sd2/sdxl `sample` case of a fixture index (in fp32 and in reduced
// precision, with and without CUDA graphs) against the reference images; with --cache-moves, the model cache
// moving those models between RAM and the GPU without changing their images; and, with --full-size, a whole SD 1.5
// checkpoint of random weights written to disk, loaded like a user's file and timed end to end; with --amused, every
// aMUSEd `amused_sample` case with its recorded draws, in each precision.
#include "core/engine/cache/cached_loads.h"
#include "core/engine/error.h"
#include "core/engine/io/safetensors_writer.h"
#include "core/engine/io/state_dict.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/pipeline/sampling_run.h"
#include "core/engine/tools/random_checkpoint.h"
#include "core/engine/tools/report.h"

#include <ATen/Context.h>
#include <nlohmann/json.hpp>

#ifdef ATELIER_ENGINE_CUDA
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace atelier::engine;

namespace {

double usedDeviceMegabytes(const torch::Device &device)
{
#ifdef ATELIER_ENGINE_CUDA
    if (device.is_cuda()) {
        std::size_t freeBytes = 0, totalBytes = 0;
        cudaMemGetInfo(&freeBytes, &totalBytes);
        return double(totalBytes - freeBytes) / (1024.0 * 1024.0);
    }
#endif
    (void)device;
    return 0;
}

void synchronize(const torch::Device &device)
{
    if (device.is_cuda())
        torch::cuda::synchronize();
}

// A fixture case's sampling settings.
SamplingParams paramsOf(const nlohmann::json &entry, const StateDict &reference)
{
    SamplingParams params;
    params.prompt = entry["prompt"];
    params.negative = entry["negative"];
    params.seed = entry["seed"];
    params.steps = entry["steps"];
    params.cfg = entry["cfg"];
    params.sampler = entry["sampler"];
    params.scheduler = entry["scheduler"];
    params.width = entry["width"];
    params.height = entry["height"];
    params.denoise = entry.value("denoise", 1.0);
    if (entry.value("img2img", false))
        params.initImage = reference.at("init_image");
    return params;
}

int checkFixtures(const std::string &fixtures, const torch::Device &device)
{
    std::ifstream in(fixtures + "/index.json");
    if (!in) {
        say("no fixture index in " + fixtures);
        return 1;
    }
    const nlohmann::json index = nlohmann::json::parse(in);
    say("| case | precision | graphs | image max abs diff | bound | latent rel diff |");
    say("| --- | --- | --- | --- | --- | --- |");
    int failures = 0;
    for (const auto &entry : index["cases"]) {
        if (entry["kind"] != "sample" ||
            (entry["family"] != "sd1" && entry["family"] != "sd2" && entry["family"] != "sdxl"))
            continue;
        const std::string model = entry["model"];
        const StateDict reference = loadWeights(fixtures + "/" + entry["file"].get<std::string>());
        for (const auto &[precision, dtype] : {std::pair<std::string, torch::ScalarType>{"fp32", torch::kFloat32},
                                               {"fp16", torch::kFloat16}, {"bf16", torch::kBFloat16}}) {
            if (device.is_cpu() && dtype != torch::kFloat32)
                continue;
            for (bool graphs : {true, false}) {
                if (!graphs && !device.is_cuda())
                    continue;
                LoadOptions options;
                options.path = fixtures + "/models/" + model + "/" + model + ".safetensors";
                options.device = device;
                options.dtype = dtype;
                options.cudaGraphs = graphs;
                auto sd = StableDiffusion::load(options);
                const SamplingResult result = generateImages(*sd, paramsOf(entry, reference));
                const double imageDiff = (result.image - reference.at("image")).abs().max().item<double>();
                const double latentDiff = (result.latent - reference.at("latent")).abs().max().item<double>() /
                                          reference.at("latent").abs().max().item<double>();
                // fp32 must meet the case's own tolerance; reduced precision is held to looser image bounds: fp16
                // keeps 11 bits of mantissa, bf16 only 8.
                const double bound = dtype == torch::kFloat32 ? entry["tolerance"]["image_max_abs"].get<double>()
                                     : dtype == torch::kFloat16 ? 0.05
                                                                : 0.1;
                if (!(imageDiff <= bound))
                    ++failures;
                say("| " + entry["id"].get<std::string>() + " | " + precision + " | " + (graphs ? "yes" : "no") + " | " +
                    format("%.2e | %.0e | %.2e |", imageDiff, bound, latentDiff));
            }
        }
    }
    say(failures ? "FAILED: " + std::to_string(failures) + " case(s) outside their bound" : "all cases within bounds");
    return failures ? 1 : 0;
}

// The aMUSEd runs on the device with the reference's draws replayed: fp32 must give the reference's tokens and
// image; reduced precision is reported (a token whose confidence moves past the cut-off changes the picture).
int checkAmused(const std::string &fixtures, const torch::Device &device)
{
    // fp32 is held to the reference's tokens and image: cuDNN's convolutions must not round through TF32 for it
    // (and do again afterwards, for the timed runs that follow).
    struct Tf32Off
    {
        const bool previous = at::globalContext().allowTF32CuDNN();
        Tf32Off() { at::globalContext().setAllowTF32CuDNN(false); }
        ~Tf32Off() { at::globalContext().setAllowTF32CuDNN(previous); }
    } tf32Off;
    std::ifstream in(fixtures + "/index.json");
    const nlohmann::json index = nlohmann::json::parse(in);
    say("| aMUSEd case | precision | tokens differing | image max abs diff |");
    say("| --- | --- | --- | --- |");
    int failures = 0;
    for (const auto &entry : index["cases"]) {
        if (entry["kind"] != "amused_sample")
            continue;
        const StateDict reference = loadWeights(fixtures + "/" + entry["file"].get<std::string>());
        for (const auto &[precision, dtype] : {std::pair<std::string, torch::ScalarType>{"fp32", torch::kFloat32},
                                               {"fp16", torch::kFloat16},
                                               {"bf16", torch::kBFloat16}}) {
            if (device.is_cpu() && dtype == torch::kFloat16)
                continue;
            AmusedModel model =
                loadAmusedModel(fixtures + "/models/" + entry["model"].get<std::string>(), device, dtype);
            AmusedSamplingParams params;
            params.prompt = entry["prompt"];
            params.negative = entry["negative"];
            params.steps = entry["steps"];
            params.guidance = entry["guidance_scale"];
            params.width = entry["width"];
            params.height = entry["height"];
            params.aestheticScore = entry["micro_conditioning_aesthetic_score"];
            params.crop = {entry["micro_conditioning_crop_coord"][0], entry["micro_conditioning_crop_coord"][1]};
            RecordedTokenDraws draws;
            if (entry.value("img2img", false)) {
                params.initImage = reference.at("init_image");
                params.strength = entry["strength"];
                draws.uniforms.push_back(reference.at("add_noise_uniform"));
            }
            const torch::Tensor sampled = reference.at("step_sampled_ids"),
                                uniform = reference.at("step_gumbel_uniform");
            for (std::int64_t k = 0; k < sampled.size(0); ++k) {
                draws.categoricals.push_back(sampled[k]);
                if (k < uniform.size(0))
                    draws.uniforms.push_back(uniform[k]);
            }
            params.draws = &draws;
            const AmusedSamplingResult result = sampleAmused(model, params);
            const std::int64_t differing = (result.tokens != reference.at("latents")).sum().item<std::int64_t>();
            const double imageDiff = (result.image - reference.at("image")).abs().max().item<double>();
            if (dtype == torch::kFloat32 &&
                (differing != 0 || !(imageDiff <= entry["tolerance"]["image_max_abs"].get<double>())))
                ++failures;
            say("| " + entry["id"].get<std::string>() + " | " + precision + " | " + std::to_string(differing) +
                format(" | %.2e |", imageDiff));
        }
    }
    say(failures ? "FAILED: " + std::to_string(failures) + " aMUSEd case(s) off the reference in fp32"
                 : "aMUSEd: fp32 on the reference");
    return failures ? 1 : 0;
}

bool anyLineHas(const LoadReport &report, const std::string &text)
{
    return std::any_of(report.begin(), report.end(),
                       [&](const std::string &line) { return line.find(text) != std::string::npos; });
}

// The model cache moving real networks on the device: a model offloaded to RAM by another and moved back, and one
// loaded partially (half its UNet left in RAM), make the image the model made when loaded whole (float16).
int checkCacheMoves(const std::string &fixtures, const torch::Device &device)
{
    if (!device.is_cuda()) {
        say("cache moves: not checked without a CUDA device");
        return 0;
    }
    std::ifstream in(fixtures + "/index.json");
    const nlohmann::json index = nlohmann::json::parse(in);
    const auto optionsFor = [&](const std::string &model) {
        LoadOptions options;
        options.path = fixtures + "/models/" + model + "/" + model + ".safetensors";
        options.device = device;
        options.dtype = torch::kFloat16;
        return options;
    };
    ModelCache &cache = ModelCache::shared();
    const auto heldOnDevice = [&] {
        const CacheSnapshot snapshot = cache.snapshot();
        const auto found = snapshot.heldBytes.find(device.str());
        return found == snapshot.heldBytes.end() ? std::int64_t(0) : found->second;
    };
    say("| case | offloaded and moved back: max abs diff | loaded partially: max abs diff | partial UNet |");
    say("| --- | --- | --- | --- |");
    int failures = 0;
    for (const std::string id : {"tiny-sd1.txt2img.euler.normal.s42", "tiny-sdxl.txt2img.euler.normal.s42"}) {
        const auto entry = std::find_if(index["cases"].begin(), index["cases"].end(),
                                        [&](const nlohmann::json &item) { return item["id"] == id; });
        if (entry == index["cases"].end()) {
            say("| " + id + " | not in the index | | |");
            ++failures;
            continue;
        }
        const StateDict reference = loadWeights(fixtures + "/" + (*entry)["file"].get<std::string>());
        const SamplingParams params = paramsOf(*entry, reference);
        const LoadOptions options = optionsFor((*entry)["model"]);
        cache.unloadAll();
        cache.setBudgets({});
        torch::Tensor whole;
        std::int64_t unetBytes = 0;
        {
            const auto model = loadModelCached(options);
            whole = generateImages(*model, params).image;
            unetBytes = parameterBytes(*model->unet().network);
        }
        const std::int64_t oneModel = heldOnDevice();
        // Another model under a budget of this one offloads it; asked for again, it comes back from RAM.
        cache.setBudgets({0, oneModel});
        loadModelCached(optionsFor("tiny-sd2v"));
        LoadReport moved;
        torch::Tensor back;
        {
            const auto model = loadModelCached(options, &moved);
            back = generateImages(*model, params).image;
        }
        // Half the UNet's size: whatever else is offloaded, the UNet cannot fit whole.
        cache.unloadAll();
        cache.setBudgets({0, unetBytes / 2});
        LoadReport partial;
        torch::Tensor split;
        {
            const auto model = loadModelCached(options, &partial);
            split = generateImages(*model, params).image;
        }
        const double movedDiff = (back - whole).abs().max().item<double>();
        const double splitDiff = (split - whole).abs().max().item<double>();
        // float16 with cuDNN's autotuning, which may choose other kernels from one load to the next: held to the
        // fixture cases' float16 bound.
        const bool ok = anyLineHas(moved, "from RAM to") && anyLineHas(partial, "streamed from RAM") &&
                        movedDiff <= 5e-2 && splitDiff <= 5e-2;
        failures += ok ? 0 : 1;
        std::string partialUnet;
        for (const std::string &line : partial)
            if (line.rfind("unet", 0) == 0)
                partialUnet = line;
        say("| " + id + format(" | %.2e | %.2e | ", movedDiff, splitDiff) + partialUnet + " |");
        if (!ok)
            for (const std::string &line : moved)
                say("  moved back: " + line);
    }
    cache.unloadAll();
    cache.setBudgets({});
    say(failures ? "FAILED: cache moves changed an image or did not happen" : "cache moves: images unchanged");
    return failures ? 1 : 0;
}

int fullSize(const std::string &folder, const torch::Device &device, torch::ScalarType dtype, bool cudnnBenchmark)
{
    const std::string path = folder + "/random-sd15.safetensors";
    auto start = std::chrono::steady_clock::now();
    if (!std::ifstream(path))
        writeFullSizeCheckpoint(path);
    const auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    say(format("wrote a random SD 1.5 checkpoint in %.1f s", seconds()));
    start = std::chrono::steady_clock::now();
    LoadOptions options;
    options.path = path;
    options.device = device;
    options.dtype = dtype;
    options.cudnnBenchmark = cudnnBenchmark;
    auto model = StableDiffusion::load(options);
    say(format("loaded it in %.2f s", seconds()) + (cudnnBenchmark ? " (cuDNN autotuning on)" : " (cuDNN autotuning off)"));
    SamplingParams params;
    params.prompt = "a photo of a cat, (masterpiece:1.2)";
    params.negative = "blurry";
    params.seed = 42;
    params.steps = 20;
    params.cfg = 7.0;
    params.width = 512;
    params.height = 512;
    for (int run = 0; run < 5; ++run) {
        synchronize(device);
        start = std::chrono::steady_clock::now();
        const SamplingResult result = generateImages(*model, params);
        synchronize(device);
        say(format("txt2img 512x512, 20 euler steps, cfg 7, decode: %.1f ms; device memory in use %.0f MiB", seconds() * 1000.0,
                   usedDeviceMegabytes(device)) + (run == 0 ? " (first run: records the CUDA graph)" : ""));
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    std::string fixtures, cacheFixtures, amusedFixtures, fullSizeFolder, outPath,
        deviceName = torch::cuda::is_available() ? "cuda" : "cpu";
    bool cudnnBenchmark = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--fixtures")
            fixtures = argv[i + 1];
        else if (arg == "--cache-moves")
            cacheFixtures = argv[i + 1];
        else if (arg == "--amused")
            amusedFixtures = argv[i + 1];
        else if (arg == "--full-size")
            fullSizeFolder = argv[i + 1];
        else if (arg == "--device")
            deviceName = argv[i + 1];
        else if (arg == "--out")
            outPath = argv[i + 1];
        else if (arg == "--cudnn-benchmark")
            cudnnBenchmark = std::string(argv[i + 1]) != "off";
    }
    const torch::Device device(deviceName);
    int status = 0;
    try {
        if (!fixtures.empty())
            status |= checkFixtures(fixtures, device);
        if (!cacheFixtures.empty())
            status |= checkCacheMoves(cacheFixtures, device);
        if (!amusedFixtures.empty())
            status |= checkAmused(amusedFixtures, device);
        if (!fullSizeFolder.empty())
            status |= fullSize(fullSizeFolder, device, device.is_cuda() ? torch::kFloat16 : torch::kFloat32, cudnnBenchmark);
    } catch (const std::exception &error) {
        say(std::string("error: ") + error.what());
        status = 1;
    }
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return status;
}
