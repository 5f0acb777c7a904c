// aMUSEd training on a device (a CUDA card; the CPU works too): every `amused_train_step` case of a fixture index
// replayed step by step from its recorded batch order and masking draws, in float32 against the reference's losses,
// gradient norms and weights, and under bf16 and fp16 autocast (fp16 with loss scaling) against the same reference,
// reported; then whole training runs of the real job (trainAmused) on random images in each precision, timed, and a
// run stopped halfway and resumed against one that was not. --curve: instead, the loss curves of 200-step runs on
// the device in bf16 against the same runs on the CPU in float32, within what bf16 itself changes on the CPU.
// Builds without Qt. Usage: atelier_training_check --fixtures DIR [--device cuda] [--curve] [--out FILE]
#include "core/engine/io/state_dict.h"
#include "core/engine/pipeline/amused.h"
#include "core/engine/tools/report.h"
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/amused_training.h"
#include "core/engine/training/masked_objective.h"

#include <ATen/Context.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

using namespace atelier::engine;

namespace {

struct Precision
{
    const char *name;
    torch::ScalarType autocast;
    bool lossScaling;
};

const Precision kPrecisions[] = {
    {"fp32", torch::kFloat32, false}, {"bf16", torch::kBFloat16, false}, {"fp16", torch::kFloat16, true}};

bool has(const nlohmann::json &entry, const char *key)
{
    return entry.contains(key) && !entry[key].is_null();
}

std::map<std::string, torch::Tensor> tensorsOf(const std::string &fixtures, const nlohmann::json &entry,
                                               const char *key)
{
    if (!has(entry, key))
        return {};
    return loadWeights(fixtures + "/" + entry[key].get<std::string>()).tensors;
}

double largestDifference(const std::map<std::string, torch::Tensor> &actual,
                         const std::map<std::string, torch::Tensor> &reference)
{
    double largest = 0;
    for (const auto &[name, value] : reference) {
        const auto found = actual.find(name);
        if (found == actual.end())
            return std::numeric_limits<double>::infinity();
        largest = std::max(
            largest,
            (found->second.detach().cpu().to(torch::kFloat32) - value.to(torch::kFloat32)).abs().max().item<double>());
    }
    return largest;
}

TrainerSettings settingsOf(const nlohmann::json &entry, const Precision &precision)
{
    TrainerSettings settings;
    const nlohmann::json &optimizer = entry["optimizer"];
    settings.optimizer.learningRate = optimizer["lr"];
    settings.optimizer.beta1 = optimizer["betas"][0];
    settings.optimizer.beta2 = optimizer["betas"][1];
    settings.optimizer.epsilon = optimizer["eps"];
    settings.optimizer.weightDecay = optimizer["weight_decay"];
    settings.maxGradNorm = has(entry, "max_grad_norm") ? entry["max_grad_norm"].get<double>() : 0.0;
    if (has(entry, "ema")) {
        settings.averageWeights = true;
        settings.averageDecay = entry["ema"]["decay"];
    }
    if (has(entry, "lora")) {
        LoraShape shape;
        shape.rank = entry["lora"]["r"];
        shape.alpha = entry["lora"]["alpha"];
        shape.targets = entry["lora"]["target_modules"].get<std::vector<std::string>>();
        settings.lora = shape;
    }
    settings.labelSmoothing = has(entry, "label_smoothing") ? entry["label_smoothing"].get<double>() : 0.0;
    settings.autocast = precision.autocast;
    settings.lossScaling = precision.lossScaling;
    return settings;
}

// One case replayed on `device` in `precision`. float32 must meet the case's tolerances (a little looser than the
// CPU's, for the card's different summation order); reduced precision is reported beside it.
int replayCase(const std::string &fixtures, const nlohmann::json &entry, const torch::Device &device,
               const Precision &precision)
{
    const StateDict reference = loadWeights(fixtures + "/" + entry["file"].get<std::string>());
    const std::string folder = fixtures + "/models/" + entry["model"].get<std::string>();
    const AmusedParts parts = readAmusedFolder(folder);
    const auto text = loadAmusedTextEncoder(parts, device, torch::kFloat32);
    const std::vector<std::string> captions = entry["captions"].get<std::vector<std::string>>();
    const AmusedPromptEncoding encoding = encodeAmusedPrompts(*text, captions, device);
    const torch::Tensor hidden = encoding.hidden.clone(), pooled = encoding.pooled.clone();
    const int side = entry["resolution"];
    const std::int64_t grid = entry["token_grid"][0];
    const torch::Tensor tokens = reference.at("image_tokens").reshape({-1, grid, grid});

    AmusedTrainer trainer(loadAmusedTransformer(parts, device, torch::kFloat32)->network, settingsOf(entry, precision),
                          torch::make_generator<at::CPUGeneratorImpl>(0));
    if (trainer.lora())
        trainer.lora()->load(tensorsOf(fixtures, entry, "lora_init"));
    const nlohmann::json &bounds = entry["tolerance"];
    const bool strict = precision.autocast == torch::kFloat32;
    const auto deviceBound = [&](const char *key) { return std::max(bounds[key].get<double>(), 1e-4); };
    int failures = 0;
    const int steps = entry["steps"];
    for (int step = 1; step <= steps; ++step) {
        const std::string k = "step" + std::to_string(step) + ".";
        const torch::Tensor order = reference.at(k + "dataset_index");
        const MaskedTokens masked = maskTokens(tokens.index_select(0, order), reference.at(k + "timestep_uniform"),
                                               reference.at(k + "mask_uniform"), parts.architecture.maskId);
        const torch::Tensor rows = order.to(device);
        const TrainingBatch batch{masked.inputIds.to(device), masked.labels.to(device), hidden.index_select(0, rows),
                                  pooled.index_select(0, rows),
                                  amusedMicroConditions(side, side, {0, 0}, 6.0).expand({order.size(0), 5}).to(device)};
        const double loss = trainer.accumulate({batch});
        const double norm = trainer.update(entry["optimizer"]["lr"].get<double>());
        const double referenceLoss = reference.at(k + "loss").item<double>();
        const double referenceNorm = reference.at(k + "grad_norm").item<double>();
        const std::string stepName = "step" + std::to_string(step);
        const auto recorded =
            tensorsOf(fixtures, entry, trainer.lora() ? ("lora_" + stepName).c_str() : ("weights_" + stepName).c_str());
        double weightDifference = std::nan(""); // no recorded weights after this step
        if (!recorded.empty()) {
            std::map<std::string, torch::Tensor> weights;
            if (trainer.lora())
                weights = trainer.loraWeights();
            else
                for (const TrainedParameter &parameter : trainer.parameters())
                    weights[parameter.name] = parameter.value;
            weightDifference = largestDifference(weights, recorded);
        }
        const double lossDifference = std::abs(loss - referenceLoss);
        const double normDifference = std::abs(norm - referenceNorm) / referenceNorm;
        if (strict && !(lossDifference <= deviceBound("loss_abs") && normDifference <= deviceBound("grad_norm_rel") &&
                        !(weightDifference > deviceBound("weights_max_abs"))))
            ++failures;
        if (!std::isfinite(loss))
            ++failures;
        say("| " + entry["id"].get<std::string>() + " | " + precision.name + " | " + std::to_string(step) +
            format(" | %.6f | %.2e | %.2e | %.2e |", loss, lossDifference, normDifference, weightDifference));
    }
    if (strict && has(entry, "ema_step3") && steps == 3) {
        const double averageDifference =
            largestDifference(trainer.averagedWeights(), tensorsOf(fixtures, entry, "ema_step3"));
        say(format("|   average after step 3: max abs diff %.2e | | | | | |", averageDifference));
        if (!(averageDifference <= deviceBound("weights_max_abs")))
            ++failures;
    }
    return failures;
}

std::vector<TrainingExample> randomExamples(int count, int side)
{
    std::mt19937 random(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<TrainingExample> examples;
    for (int i = 0; i < count; ++i) {
        TrainingExample example;
        example.name = "random-" + std::to_string(i) + ".png";
        example.image.width = example.image.height = side;
        example.image.pixels.resize(std::size_t(side) * side * 3);
        for (std::uint8_t &value : example.image.pixels)
            value = std::uint8_t(byte(random));
        example.caption = "random picture number " + std::to_string(i);
        example.originalWidth = example.originalHeight = side;
        examples.push_back(std::move(example));
    }
    return examples;
}

// A run of the fixtures' tiny aMUSEd on `pictures` random 16-pixel pictures, 4 a step.
AmusedTrainingRequest tinyAmusedRun(const std::string &fixtures, int pictures, int steps)
{
    AmusedTrainingRequest request;
    request.modelPath = fixtures + "/models/tiny-amused";
    request.examples = randomExamples(pictures, 16);
    request.steps = steps;
    request.batch = 4;
    return request;
}

// The training job itself on the device: a LoRA run and a whole-transformer run per precision, timed; then a LoRA
// run stopped after half its steps and resumed, against the uninterrupted fp32 one.
int trainingRuns(const std::string &fixtures, const torch::Device &device, const std::string &scratch)
{
    std::filesystem::remove_all(scratch);
    AmusedTrainingRequest base = tinyAmusedRun(fixtures, 8, 40);
    base.learningRate = 1e-3;
    base.checkpointEvery = 20;
    base.seed = 11;
    base.device = device.str();
    say("| run | precision | steps | last loss | ms per step |");
    say("| --- | --- | --- | --- | --- |");
    int failures = 0;
    std::map<std::string, std::string> loraResults;
    for (const Precision &precision : kPrecisions) {
        if (precision.lossScaling && !device.is_cuda())
            continue;
        for (const int rank : {4, 0}) {
            AmusedTrainingRequest request = base;
            request.precision = precision.name;
            request.loraRank = rank;
            const std::string name = std::string(precision.name) + (rank ? "-lora" : "-full");
            request.runFolder = scratch + "/" + name;
            request.outputPath = request.runFolder + (rank ? "/out.safetensors" : "/out");
            const auto start = std::chrono::steady_clock::now();
            const AmusedTrainingResult result = trainAmused(request);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const bool ok = result.finished && std::isfinite(result.lastLoss);
            failures += ok ? 0 : 1;
            say("| " + std::string(rank ? "LoRA r4" : "whole transformer") + " | " + precision.name + " | " +
                std::to_string(result.stepsDone) +
                format(" | %.4f | %.1f (whole run, encoding and checkpoints included) |", result.lastLoss,
                       seconds * 1000.0 / request.steps) +
                (ok ? "" : " FAILED") + " |");
            if (rank)
                loraResults[precision.name] = request.outputPath;
        }
    }
    // Stopped at step 20 by the caller, then resumed to 40: the same LoRA as the uninterrupted run, within what the
    // same run made twice differs by (nothing on the CPU; CUDA's atomic-add kernels sum in varying order).
    AmusedTrainingRequest again = base;
    again.loraRank = 4;
    again.runFolder = scratch + "/fp32-lora-again";
    again.outputPath = again.runFolder + "/out.safetensors";
    trainAmused(again);
    const double runToRun =
        largestDifference(loadWeights(again.outputPath).tensors, loadWeights(loraResults["fp32"]).tensors);
    const double allowed = std::max(1e-5, 4 * runToRun);
    AmusedTrainingRequest stopped = base;
    stopped.loraRank = 4;
    stopped.runFolder = scratch + "/fp32-lora-resumed";
    stopped.outputPath = stopped.runFolder + "/out.safetensors";
    trainAmused(stopped, [](const TrainingProgress &progress) {
        return !(progress.event == TrainingProgress::Event::Step && progress.step >= 20);
    });
    stopped.resume = true;
    const AmusedTrainingResult resumed = trainAmused(stopped);
    const double difference =
        largestDifference(loadWeights(stopped.outputPath).tensors, loadWeights(loraResults["fp32"]).tensors);
    const bool same = resumed.finished && resumed.resumedFrom == 20 && difference <= allowed;
    failures += same ? 0 : 1;
    say(format("stopped at step 20 and resumed from %.0f: LoRA max abs diff to the uninterrupted run %.2e; the same "
               "run made twice differs by %.2e (allowed: %.2e)",
               resumed.resumedFrom, difference, runToRun, allowed) +
        (same ? "" : " FAILED"));
    return failures;
}

// The losses of a run, step by step.
std::vector<double> lossCurve(AmusedTrainingRequest request)
{
    std::vector<double> losses;
    std::filesystem::remove_all(request.runFolder);
    trainAmused(request, [&losses](const TrainingProgress &progress) {
        if (progress.event == TrainingProgress::Event::Step)
            losses.push_back(progress.loss);
        return true;
    });
    return losses;
}

// Window means of 20 steps: one step's loss depends on which tokens its draws mask, the curve's course does not.
std::vector<double> smoothed(const std::vector<double> &losses)
{
    constexpr std::size_t kWindow = 20;
    std::vector<double> means;
    for (std::size_t start = 0; start + kWindow <= losses.size(); start += kWindow) {
        double sum = 0;
        for (std::size_t i = start; i < start + kWindow; ++i)
            sum += losses[i];
        means.push_back(sum / kWindow);
    }
    return means;
}

double largestGap(const std::vector<double> &a, const std::vector<double> &b)
{
    double largest = a.size() == b.size() ? 0.0 : INFINITY;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        largest = std::max(largest, std::abs(a[i] - b[i]));
    return largest;
}

// 200 steps on 16 small images, a LoRA and the whole transformer: the device's bf16 curve against the CPU's float32
// one. Both runs draw the same batches and masks (the draws are made on the CPU). bf16 noise is what bf16 changes on
// the CPU itself; the device's curve passes within twice that (or 0.01, for a noise that happens to be tiny).
int lossCurves(const std::string &fixtures, const torch::Device &device, const std::string &scratch)
{
    AmusedTrainingRequest base = tinyAmusedRun(fixtures, 16, 200);
    base.learningRate = 3e-4;
    base.checkpointEvery = 1000; // only the final one
    base.seed = 5;
    int failures = 0;
    say("| run | steps 1-20 | 41-60 | 81-100 | 121-140 | 181-200 |");
    say("| --- | --- | --- | --- | --- | --- |");
    const auto row = [](const std::string &label, const std::vector<double> &means) {
        std::string line = "| " + label;
        for (std::size_t i : {0, 2, 4, 6, 9})
            line += i < means.size() ? format(" | %.4f", means[i]) : std::string(" | -");
        say(line + " |");
    };
    std::vector<std::string> verdicts;
    for (const int rank : {4, 0}) {
        const std::string kind = rank ? "LoRA r4" : "whole transformer";
        const auto run = [&](const std::string &where, const char *precision) {
            AmusedTrainingRequest request = base;
            request.loraRank = rank;
            request.device = where;
            request.precision = precision;
            request.runFolder = scratch + "/curve-" + where + "-" + precision + (rank ? "-lora" : "-full");
            request.outputPath = request.runFolder + (rank ? "/out.safetensors" : "/out");
            const std::vector<double> means = smoothed(lossCurve(request));
            row(kind + ", " + where + " " + precision, means);
            return means;
        };
        const std::vector<double> cpu = run("cpu", "fp32"), cpuBf16 = run("cpu", "bf16");
        const std::vector<double> onDevice = run(device.str(), "bf16");
        const double noise = largestGap(cpuBf16, cpu), gap = largestGap(onDevice, cpu);
        const double allowed = std::max(0.01, 2 * noise);
        const bool within = cpu.size() == 10 && gap <= allowed;
        failures += within ? 0 : 1;
        verdicts.push_back(kind + " on " + device.str() +
                           format(": the bf16 curve's largest window gap to the CPU's float32 one %.4f; bf16 on the "
                                  "CPU: %.4f; allowed %.4f",
                                  gap, noise, allowed) +
                           (within ? "" : " FAILED"));
    }
    for (const std::string &verdict : verdicts)
        say(verdict);
    return failures;
}

} // namespace

int main(int argc, char **argv)
{
    std::string fixtures, outPath, deviceName = torch::cuda::is_available() ? "cuda" : "cpu";
    bool curve = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--curve")
            curve = true;
        else if (i + 1 >= argc)
            break;
        else if (arg == "--fixtures")
            fixtures = argv[++i];
        else if (arg == "--device")
            deviceName = argv[++i];
        else if (arg == "--out")
            outPath = argv[++i];
    }
    if (fixtures.empty()) {
        std::cerr << "usage: " << argv[0] << " --fixtures DIR [--device cuda] [--curve] [--out FILE]\n";
        return 2;
    }
    const torch::Device device(deviceName);
    // float32 means float32: cuDNN's convolutions would otherwise round through TF32.
    at::globalContext().setAllowTF32CuDNN(false);
    int failures = 0;
    if (curve) {
        try {
            say("aMUSEd loss curves on " + device.str() + " against the CPU");
            failures = lossCurves(fixtures, device, "/tmp/atelier-training-curves");
        } catch (const std::exception &error) {
            say(std::string("error: ") + error.what());
            failures = 1;
        }
        say(failures ? "FAILED: " + std::to_string(failures) + " curve(s)" : "loss curves: within bf16 noise");
        if (!outPath.empty())
            std::ofstream(outPath) << reportBuffer().str();
        return failures ? 1 : 0;
    }
    try {
        std::ifstream in(fixtures + "/index.json");
        const nlohmann::json index = nlohmann::json::parse(in);
        say("aMUSEd training on " + device.str());
        say("| case | precision | step | loss | loss abs diff | grad norm rel diff | weights max abs diff |");
        say("| --- | --- | --- | --- | --- | --- | --- |");
        for (const auto &entry : index["cases"]) {
            if (entry["kind"] != "amused_train_step")
                continue;
            for (const Precision &precision : kPrecisions)
                if (!precision.lossScaling || device.is_cuda())
                    failures += replayCase(fixtures, entry, device, precision);
        }
        failures += trainingRuns(fixtures, device, "/tmp/atelier-training-check");
    } catch (const std::exception &error) {
        say(std::string("error: ") + error.what());
        failures = std::max(failures, 1);
    }
    say(failures ? "FAILED: " + std::to_string(failures) + " check(s)" : "training: every check passed");
    if (!outPath.empty())
        std::ofstream(outPath) << reportBuffer().str();
    return failures ? 1 : 0;
}
