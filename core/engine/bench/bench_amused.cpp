// aMUSEd measured as amused_baseline.py measures diffusers, one mode per process (so that the peak memory is the
// mode's own), on the CPU unless --device names a GPU:
//
//   atelier_amused_bench pipeline FOLDER STEPS RUNS   a txt2img run (prompt "a photo of a cat", guidance 10, seed
//                                                     42, the model's size) after one untimed run: the fastest and
//                                                     the median of RUNS timed runs
//   atelier_amused_bench transformer RUNS             one call of a full-size amused-256 U-ViT (random weights,
//                                                     float32): batch 2 (guidance), 16x16 tokens, 77 text tokens
//   atelier_amused_bench compare DIR                  DIR/transformer on DIR/case.safetensors against the logits
//                                                     diffusers computed (amused_variant_check.py writes both)
//   atelier_amused_bench train MODEL STEPS [RANK]     training steps (batch 1: forward, masked cross-entropy,
//                                                     backward, AdamW) of MODEL, "amused-256" (a full-size random
//                                                     U-ViT at 16x16 tokens) or an aMUSEd folder at its own grid;
//                                                     the whole transformer, or a LoRA of RANK on to_q/to_k/to_v
//
// Options of pipeline and train: --device cpu|cuda (cpu), --precision fp32|fp16|bf16 (fp32; in training, the
// forward pass under autocast), --batch N (1: images per prompt, or per training step). Of pipeline: --eager (no
// CUDA graphs over the U-ViT calls).
//
// Each prints one line: mode, seconds (fastest, median), the process's peak resident memory in MiB and, on a GPU,
// the peak of the device memory libtorch allocated. pipeline then prints where a run's time goes: one U-ViT call,
// one unmasking step and the VQ-GAN decode, each timed on its own.
#include "core/engine/device/cpu_buffer_cache.h"
#include "core/engine/device/device_choice.h"
#include "core/engine/nets/uvit.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/tools/process_memory.h"
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/masked_objective.h"

#include <torch/torch.h>

#ifdef ATELIER_ENGINE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace atelier::engine;

namespace {

// The options after a mode's positional arguments.
struct BenchOptions
{
    torch::Device device = torch::kCPU;
    torch::ScalarType precision = torch::kFloat32;
    int batch = 1;
    bool eager = false;
};

void synchronize(const torch::Device &device)
{
    if (device.is_cuda())
        torch::cuda::synchronize();
}

template <typename Run> std::vector<double> timed(int runs, Run run, const torch::Device &device = torch::kCPU)
{
    run(); // untimed: first-call allocations, cuDNN's and cuBLAS's choices
    synchronize(device);
#ifdef ATELIER_ENGINE_CUDA
    if (device.is_cuda())
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.index() < 0 ? 0 : device.index());
#endif
    std::vector<double> seconds;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        synchronize(device);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds;
}

void report(const std::string &mode, const std::vector<double> &seconds, const torch::Device &device = torch::kCPU)
{
    std::string deviceMemory;
#ifdef ATELIER_ENGINE_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
        deviceMemory = "; device peak " + std::to_string(stats.allocated_bytes[0].peak / (1024 * 1024)) + " MiB";
    }
#else
    (void)device;
#endif
    std::printf("%s: fastest %.4f s, median %.4f s over %zu runs; peak RSS %.0f MiB%s; %d threads\n", mode.c_str(),
                seconds.front(), seconds[seconds.size() / 2], seconds.size(), megabytes(statusBytes("VmHWM")),
                deviceMemory.c_str(), at::get_num_threads());
}

// amused/amused-256's transformer/config.json.
UVitConfig amused256()
{
    UVitConfig c;
    c.vocabSize = 8256;
    c.codebookSize = 8192;
    c.inChannels = 768;
    c.blockChannels = 768;
    c.hiddenSize = 1024;
    c.encoderWidth = 768;
    c.pooledWidth = 768;
    c.microEncodeWidth = 256;
    c.layers = 22;
    c.heads = 16;
    c.blockHeads = 12;
    c.intermediate = 2816;
    c.resBlocks = 3;
    return c;
}

// Training steps on `options.batch` images a step: random tokens masked by fixed draws, random text states.
int benchTraining(const std::string &model, int steps, int rank, const BenchOptions &options)
{
    torch::manual_seed(0);
    UVit2DModel transformer{nullptr};
    std::int64_t grid = 16;
    if (model == "amused-256") {
        transformer = UVit2DModel(amused256());
        initializeRandomly(*transformer);
        transformer->to(options.device);
    } else {
        const AmusedParts parts = readAmusedFolder(model);
        transformer = loadAmusedTransformer(parts, options.device, torch::kFloat32)->network;
        grid = parts.architecture.sampleSize;
    }
    const UVitConfig config = transformer->config;
    TrainerSettings settings;
    settings.optimizer = {3e-4, 0.9, 0.999, 1e-8, 1e-2};
    if (rank > 0)
        settings.lora = LoraShape{rank, 2.0 * rank, {"to_q", "to_k", "to_v"}};
    settings.autocast = options.precision;
    settings.lossScaling = options.precision == torch::kFloat16;
    AmusedTrainer trainer(transformer, settings, torch::make_generator<at::CPUGeneratorImpl>(0));
    const std::int64_t batchSize = options.batch;
    const torch::Tensor tokens = torch::randint(0, config.codebookSize, {batchSize, grid, grid}, torch::kInt64);
    const MaskedTokens masked =
        maskTokens(tokens, torch::rand({batchSize}), torch::rand({batchSize, grid * grid}), config.vocabSize - 1);
    const auto on = [&](const torch::Tensor &tensor) { return tensor.to(options.device); };
    const TrainingBatch batch{on(masked.inputIds), on(masked.labels),
                              on(torch::randn({batchSize, 77, config.encoderWidth})),
                              on(torch::randn({batchSize, config.pooledWidth})),
                              on(torch::tensor({256.f, 256.f, 0.f, 0.f, 6.f}).unsqueeze(0).expand({batchSize, 5}))};
    const std::string what = (model == "amused-256" ? std::string("amused-256") : std::string("tiny")) +
                             (rank > 0 ? " LoRA rank " + std::to_string(rank) : std::string(" whole transformer")) +
                             " training step, batch " + std::to_string(batchSize) + ", " +
                             c10::toString(options.precision) + " on " + options.device.str();
    report(what,
           timed(
               steps,
               [&] {
                   trainer.accumulate({batch});
                   trainer.update(3e-4);
               },
               options.device),
           options.device);
    return 0;
}

// One U-ViT call, one unmasking step on its logits and the decode of a batch, each the median of 5 after a warm-up,
// in milliseconds.
void reportBreakdown(AmusedModel &model, const AmusedSamplingParams &params, const torch::Device &device)
{
    const AmusedArchitecture &arch = model.architecture;
    const std::int64_t side = arch.sampleSize;
    const AmusedPromptEncoding both = encodeAmusedPrompts(*model.text, {params.prompt, ""}, device);
    const auto pick = [&](std::int64_t row) {
        return AmusedPromptEncoding{both.hidden.narrow(0, row, 1).expand({params.batch, -1, -1}),
                                    both.pooled.narrow(0, row, 1).expand({params.batch, -1})};
    };
    const AmusedPromptEncoding prompt = pick(0), negative = pick(1);
    const torch::Tensor tokens = torch::full({params.batch, side, side}, arch.maskId, torch::kInt64);
    const torch::Tensor micro = amusedMicroConditions(int(side * arch.downscale()), int(side * arch.downscale()),
                                                      params.crop, params.aestheticScore);
    const auto milliseconds = [&](const std::function<void()> &work) { return 1000.0 * timed(5, work, device)[2]; };
    torch::Tensor logits;
    const double call =
        milliseconds([&] { logits = model.guidedLogits(tokens, prompt, negative, micro, params.guidance); });
    const MaskedTokenSchedule schedule(params.steps, params.temperatureStart, params.temperatureEnd, arch.masking);
    SeededTokenDraws draws(params.seed, device);
    UnmaskStepResult unmasked;
    const double step = milliseconds([&] { unmasked = unmaskStep(logits, tokens, 0, schedule, arch.maskId, draws); });
    const double decode = milliseconds([&] { model.decode(unmasked.predicted); });
    std::printf("  where the time goes: U-ViT call with guidance %.1f ms, unmasking step %.1f ms, decode %.1f ms "
                "(%d steps: %.0f ms + %.0f ms + %.0f ms)\n",
                call, step, decode, params.steps, params.steps * call, params.steps * step, decode);
}

} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    std::vector<std::string> positional;
    BenchOptions options;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc)
            options.device = deviceNamed(argv[++i]);
        else if (arg == "--precision" && i + 1 < argc)
            options.precision = precisionNamed(argv[++i]);
        else if (arg == "--batch" && i + 1 < argc)
            options.batch = std::max(1, std::stoi(argv[++i]));
        else if (arg == "--eager")
            options.eager = true;
        else
            positional.push_back(arg);
    }
    if (mode == "train" && (positional.size() == 2 || positional.size() == 3))
        return benchTraining(positional[0], std::stoi(positional[1]),
                             positional.size() == 3 ? std::stoi(positional[2]) : 0, options);
    torch::InferenceMode inference;
    if (mode == "pipeline" && positional.size() == 3) {
        AmusedModel model = loadAmusedModel(positional[0], options.device, options.precision);
        if (options.eager)
            model.transformer->graphs.reset();
        AmusedSamplingParams params;
        params.prompt = "a photo of a cat";
        params.seed = 42;
        params.steps = std::stoi(positional[1]);
        params.batch = options.batch;
        const std::string what = "aMUSEd pipeline, batch " + std::to_string(options.batch) + ", " +
                                 c10::toString(options.precision) + " on " + options.device.str() +
                                 (model.transformer->graphs ? " (CUDA graphs)" : "");
        report(what,
               timed(
                   std::stoi(positional[2]),
                   [&] {
                       const CpuBufferCacheScope reuseBuffers;
                       sampleAmused(model, params);
                   },
                   options.device),
               options.device);
        reportBreakdown(model, params, options.device);
        return 0;
    }
    if (mode == "transformer" && argc == 3) {
        torch::manual_seed(0);
        UVit2DModel transformer(amused256());
        initializeRandomly(*transformer);
        const torch::Tensor tokens = torch::randint(0, 8192, {2, 16, 16}, torch::kInt64);
        const torch::Tensor text = torch::randn({2, 77, 768}), pooled = torch::randn({2, 768});
        const torch::Tensor micro = torch::tensor({256.f, 256.f, 0.f, 0.f, 6.f}).unsqueeze(0).expand({2, 5});
        report("amused-256 transformer call", timed(std::stoi(argv[2]), [&] {
                   const CpuBufferCacheScope reuseBuffers;
                   transformer(tokens, text, pooled, micro);
               }));
        return 0;
    }
    if (mode == "compare" && argc == 3) {
        const std::string folder = argv[2];
        const auto transformer = loadAmusedTransformerFolder(folder + "/transformer", torch::kCPU, torch::kFloat32);
        const StateDict reference = loadWeights(folder + "/case.safetensors");
        const torch::Tensor logits =
            transformer->network(reference.at("input_ids"), reference.at("encoder_hidden_states"),
                                 reference.at("pooled_text_emb"), reference.at("micro_conds"));
        const double difference = (logits - reference.at("logits")).abs().max().item<double>();
        const double scale = reference.at("logits").abs().max().item<double>();
        std::printf(
            "U-ViT against diffusers: logits max |difference| %.3e (largest logit %.3e); kv_mapper %s, "
            "bias %s, down/upsample %s\n",
            difference, scale,
            transformer->network->config.hiddenSize != transformer->network->config.blockChannels ? "yes" : "no",
            transformer->network->config.bias ? "yes" : "no", transformer->network->config.downsample ? "yes" : "no");
        return difference <= 1e-4 * std::max(1.0, scale) ? 0 : 1;
    }
    std::fprintf(stderr,
                 "usage: %s pipeline FOLDER STEPS RUNS | transformer RUNS | compare DIR | train MODEL STEPS [RANK]\n"
                 "       (pipeline and train: [--device cpu|cuda] [--precision fp32|fp16|bf16] [--batch N]; pipeline: "
                 "[--eager])\n",
                 argv[0]);
    return 2;
}
