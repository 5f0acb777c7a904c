// The engine at the real SD 1.5 and SD 2.1 sizes, with random weights: milliseconds per UNet call (eager and
// replayed as a CUDA graph), achieved TFLOP/s, the text encoder, the VAE decode, and whole 20-step txt2img runs.
// Builds without Qt (engine-only builds on GPU machines). Prints a table; --out FILE also writes it there.
// --vae: only the VAE decode, in four layouts and precisions and stage by stage, at 512, 768 and 1024 px (on the
// CPU: float32 in two layouts at 512 px).
#include "core/engine/nets/clip_text.h"
#include "core/engine/nets/unet.h"
#include "core/engine/nets/vae.h"
#include "core/engine/sampling/noise_schedule.h"
#include "core/engine/sampling/samplers.h"
#include "core/engine/tools/random_checkpoint.h"

#include <torch/torch.h>
#include <torch/version.h>

#ifdef ATELIER_ENGINE_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace atelier::engine;

namespace {

using Clock = std::chrono::steady_clock;

torch::Device g_device = torch::kCPU;
std::ostringstream g_report;

void say(const std::string &line)
{
    std::cout << line << std::endl;
    g_report << line << '\n';
}

void synchronize()
{
    if (g_device.is_cuda())
        torch::cuda::synchronize();
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Milliseconds per call: `warmup` untimed calls, then the median of `calls` timed ones.
double timeCalls(const std::function<void()> &call, int warmup, int calls)
{
    for (int i = 0; i < warmup; ++i)
        call();
    synchronize();
    std::vector<double> times;
    for (int i = 0; i < calls; ++i) {
        const auto start = Clock::now();
        call();
        synchronize();
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    return median(times);
}

double usedDeviceMegabytes()
{
#ifdef ATELIER_ENGINE_CUDA
    if (g_device.is_cuda()) {
        std::size_t freeBytes = 0, totalBytes = 0;
        cudaMemGetInfo(&freeBytes, &totalBytes);
        return double(totalBytes - freeBytes) / (1024.0 * 1024.0);
    }
#endif
    return 0;
}

UNetConfig sd15Unet()
{
    UNetConfig config;  // the defaults are SD 1.5's
    return config;
}

UNetConfig sd21Unet()
{
    UNetConfig config;
    config.contextDim = 1024;
    config.numHeads = -1;
    config.headChannels = 64;
    config.linearProjection = true;
    return config;
}

ClipTextConfig clipL()
{
    return ClipTextConfig();
}

// OpenCLIP ViT-H/14's text tower as SD 2.x ships it (its last layer is never read, but present).
ClipTextConfig openClipH()
{
    ClipTextConfig config;
    config.width = 1024;
    config.layers = 24;
    config.heads = 16;
    config.intermediate = 4096;
    config.quickGelu = false;
    return config;
}

// OpenCLIP ViT-bigG/14's text tower, SDXL's second encoder.
ClipTextConfig openClipBigG()
{
    ClipTextConfig config;
    config.width = 1280;
    config.layers = 32;
    config.heads = 20;
    config.intermediate = 5120;
    config.quickGelu = false;
    config.projection = 1280;
    return config;
}

VaeConfig sdVae()
{
    return VaeConfig();
}

template<typename Module>
void prepare(Module &module, torch::ScalarType dtype)
{
    module->to(g_device, dtype);
    module->eval();
    if (g_device.is_cuda()) {
        torch::NoGradGuard noGrad;
        for (auto &parameter : module->parameters())
            if (parameter.dim() == 4)
                parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
    }
}

// A UNet call on fixed-shape inputs, optionally captured once as a CUDA graph and replayed.
class UnetRunner
{
public:
    // `y`: SDXL's pooled-text-and-sizes vector, undefined for SD 1.x/2.x.
    UnetRunner(UNetModel unet, torch::Tensor x, torch::Tensor t, torch::Tensor context, torch::Tensor y, bool graph)
        : m_unet(std::move(unet))
        , m_x(std::move(x))
        , m_t(std::move(t))
        , m_context(std::move(context))
        , m_y(std::move(y))
    {
#ifdef ATELIER_ENGINE_CUDA
        if (graph && g_device.is_cuda()) {
            torch::NoGradGuard noGrad;
            const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
            {
                c10::cuda::CUDAStreamGuard guard(stream);
                for (int i = 0; i < 3; ++i)
                    m_out = m_unet->forward(m_x, m_t, m_context, m_y);
                stream.synchronize();
                m_graph = std::make_unique<at::cuda::CUDAGraph>();
                m_graph->capture_begin();
                m_out = m_unet->forward(m_x, m_t, m_context, m_y);
                m_graph->capture_end();
            }
            torch::cuda::synchronize();
        }
#else
        (void)graph;
#endif
    }

    // Copies the inputs into the captured buffers (graph) or calls the network (eager).
    torch::Tensor operator()(const torch::Tensor &x, const torch::Tensor &t)
    {
        torch::NoGradGuard noGrad;
#ifdef ATELIER_ENGINE_CUDA
        if (m_graph) {
            m_x.copy_(x);
            m_t.copy_(t);
            m_graph->replay();
            return m_out;
        }
#endif
        return m_unet->forward(x, t, m_context, m_y);
    }

    const torch::Tensor &x() const { return m_x; }
    const torch::Tensor &t() const { return m_t; }

private:
    UNetModel m_unet;
    torch::Tensor m_x, m_t, m_context, m_y, m_out;
#ifdef ATELIER_ENGINE_CUDA
    std::unique_ptr<at::cuda::CUDAGraph> m_graph;
#endif
};

struct Figures
{
    std::map<std::string, std::vector<double>> values;
    void add(const std::string &name, double value) { values[name].push_back(value); }
};

// A txt2img run as the pipeline makes it: two prompts through CLIP, `steps` Euler steps with guidance (batch 2
// UNet calls), then the VAE decode. Nothing in the loop waits for the device.
double txt2img(std::vector<ClipTextModel> &encoders, UnetRunner &unet, AutoencoderKL &vae, std::int64_t latentSize,
               int steps, torch::ScalarType dtype)
{
    torch::NoGradGuard noGrad;
    const DiscreteSchedule schedule;
    const std::vector<double> sigmas = scheduleSigmas(schedule, "normal", steps);
    const double scale = 0.18215;
    synchronize();
    const auto start = Clock::now();
    const torch::Tensor ids = torch::randint(0, 49407, {2, 77}, torch::TensorOptions().dtype(torch::kInt64)).to(g_device);
    for (ClipTextModel &encoder : encoders)
        (void)encoder->forward(ids, 1, true); // the runner holds a context of the same shape: only the cost counts
    at::Generator generator = at::detail::createCPUGenerator(42);
    torch::Tensor x = torch::randn({1, 4, latentSize, latentSize}, generator).to(g_device) * sigmas[0];
    SamplerHooks hooks;
    hooks.denoise = [&](const torch::Tensor &latent, double sigma) {
        const double cIn = 1.0 / std::sqrt(sigma * sigma + 1.0);
        const torch::Tensor input = (torch::cat({latent, latent}) * cIn)
                                        .to(dtype)
                                        .contiguous(torch::MemoryFormat::ChannelsLast);
        const torch::Tensor t = torch::full({2}, float(schedule.timestep(sigma)),
                                            torch::TensorOptions().dtype(torch::kFloat32).device(g_device));
        const auto eps = unet(input, t).to(torch::kFloat32).chunk(2);
        return latent - (eps[0] + (eps[1] - eps[0]) * 7.0) * sigma;
    };
    x = runSampler("euler", x, sigmas, hooks);
    const torch::Tensor image = vae->decodeRaw(x / scale);
    synchronize();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Family
{
    std::string name;
    UNetConfig unet;
    std::int64_t latentSize = 64;
    double tflopPerCall = 0; // 0: not reported
    std::vector<ClipTextConfig> encoders;
    int steps = 20;
};

void benchFamily(const Family &family, torch::ScalarType dtype, bool withFullRun, int calls, int repeats,
                 Figures &figures)
{
    torch::NoGradGuard noGrad;
    const std::string &name = family.name;
    const UNetConfig &config = family.unet;
    const std::int64_t latentSize = family.latentSize;
    const double tflopPerCall = family.tflopPerCall;
    UNetModel unet(config);
    initializeRandomly(*unet);
    prepare(unet, dtype);
    const auto options = torch::TensorOptions().dtype(dtype).device(g_device);
    const torch::Tensor x = torch::randn({2, 4, latentSize, latentSize}, options).contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor t = torch::full({2}, 500.0f, torch::TensorOptions().dtype(torch::kFloat32).device(g_device));
    const torch::Tensor context = torch::randn({2, 77, config.contextDim}, options);
    const torch::Tensor y =
        config.admInChannels > 0 ? torch::randn({2, config.admInChannels}, options) : torch::Tensor();

    UnetRunner eager(unet, x.clone(), t.clone(), context, y, false);
    std::unique_ptr<UnetRunner> graph;
    if (g_device.is_cuda())
        graph = std::make_unique<UnetRunner>(unet, x.clone(), t.clone(), context, y, true);
    for (int r = 0; r < repeats; ++r) {
        const double eagerMs = timeCalls([&] { eager(x, t); }, 5, calls);
        figures.add(name + " UNet eager ms", eagerMs);
        if (tflopPerCall > 0)
            figures.add(name + " UNet eager TFLOP/s", tflopPerCall / (eagerMs / 1000.0));
        if (graph) {
            const double graphMs = timeCalls([&] { (*graph)(x, t); }, 5, calls);
            figures.add(name + " UNet graph ms", graphMs);
            if (tflopPerCall > 0)
                figures.add(name + " UNet graph TFLOP/s", tflopPerCall / (graphMs / 1000.0));
        }
    }
    if (graph) {
        const torch::Tensor a = eager(x, t).to(torch::kFloat32), b = (*graph)(x, t).to(torch::kFloat32);
        figures.add(name + " graph vs eager max|diff|", (a - b).abs().max().item<double>());
    }
    if (!withFullRun)
        return;
    std::vector<ClipTextModel> encoders;
    for (const ClipTextConfig &textConfig : family.encoders) {
        encoders.emplace_back(textConfig);
        initializeRandomly(*encoders.back());
        prepare(encoders.back(), dtype);
    }
    const torch::Tensor ids = torch::randint(0, 49407, {2, 77}, torch::TensorOptions().dtype(torch::kInt64)).to(g_device);
    for (int r = 0; r < repeats; ++r)
        figures.add(name + " text encoder(s) b2 ms", timeCalls(
                                                         [&] {
                                                             for (ClipTextModel &encoder : encoders)
                                                                 encoder->forward(ids, 1, true);
                                                         },
                                                         3, calls));
    AutoencoderKL vae(sdVae());
    initializeRandomly(*vae);
    const torch::ScalarType vaeType = dtype == torch::kFloat32 ? torch::kFloat32 : torch::kBFloat16;
    prepare(vae, vaeType);
    const torch::Tensor latent = torch::randn({1, 4, latentSize, latentSize}, torch::TensorOptions().dtype(vaeType).device(g_device))
                                     .contiguous(torch::MemoryFormat::ChannelsLast);
    for (int r = 0; r < repeats; ++r)
        figures.add(name + " VAE decode b1 ms", timeCalls([&] { vae->decodeRaw(latent); }, 2, std::max(3, calls / 3)));

    const std::string run = name + " txt2img " + std::to_string(family.steps) + " steps";
    txt2img(encoders, eager, vae, latentSize, family.steps, dtype); // warm
    for (int r = 0; r < repeats; ++r)
        figures.add(run + " eager ms", txt2img(encoders, eager, vae, latentSize, family.steps, dtype));
    if (graph) {
        txt2img(encoders, *graph, vae, latentSize, family.steps, dtype); // warm
        for (int r = 0; r < repeats; ++r) {
            figures.add(run + " graph ms", txt2img(encoders, *graph, vae, latentSize, family.steps, dtype));
            figures.add(name + " device MiB after graph run", usedDeviceMegabytes());
        }
    }
}

// The same small random UNet on the CPU in float32 and on the device: the device path (fused attention,
// channels-last, reduced precision) must compute the same function.
void checkAgainstCpu(Figures &figures)
{
    if (!g_device.is_cuda())
        return;
    torch::NoGradGuard noGrad;
    UNetConfig config;
    config.modelChannels = 64;
    config.channelMult = {1, 2};
    config.attentionAtLevel = {true, true};
    config.contextDim = 64;
    torch::manual_seed(1);
    UNetModel cpu(config);
    initializeRandomly(*cpu);
    cpu->eval();
    const torch::Tensor x = torch::randn({2, 4, 16, 16}), t = torch::tensor({10.0f, 700.0f}), c = torch::randn({2, 77, 64});
    const torch::Tensor reference = cpu->forward(x, t, c);
    for (torch::ScalarType dtype : {torch::kFloat32, torch::kFloat16}) {
        UNetModel device(config);
        device->to(g_device);
        auto source = cpu->named_parameters();
        for (auto &p : device->named_parameters())
            p.value().set_data(source[p.key()].to(g_device, dtype));
        const torch::Tensor out = device->forward(x.to(g_device, dtype).contiguous(torch::MemoryFormat::ChannelsLast),
                                                  t.to(g_device), c.to(g_device, dtype));
        const double diff = (out.to(torch::kCPU, torch::kFloat32) - reference).abs().max().item<double>();
        figures.add(std::string("device vs CPU UNet max|diff| ") + (dtype == torch::kFloat32 ? "fp32" : "fp16"), diff);
    }
}

// Where the VAE decode's time goes on a GPU: the decode in other layouts and precisions than the engine's
// (channels-last bf16), then the engine's decode stage by stage, each stage timed alone (median of 3 after one
// warm-up) on the output of the one before, and the first block of the full-size level op by op.
void vaeDecodeBreakdown(std::int64_t latentSize, const std::string &name, int calls, Figures &figures)
{
    torch::NoGradGuard noGrad;
    AutoencoderKL vae(sdVae());
    initializeRandomly(*vae);
    struct Variant
    {
        const char *label;
        torch::ScalarType dtype;
        bool channelsLast;
    };
    // The CPU has no half-precision convolutions in every libtorch: float32 there, the engine's layout last.
    const std::vector<Variant> variants = g_device.is_cuda()
                                              ? std::vector<Variant>{{"bf16 NCHW", torch::kBFloat16, false},
                                                                     {"fp16 channels-last", torch::kFloat16, true},
                                                                     {"fp16 NCHW", torch::kFloat16, false},
                                                                     {"bf16 channels-last", torch::kBFloat16, true}}
                                              : std::vector<Variant>{{"fp32 NCHW", torch::kFloat32, false},
                                                                     {"fp32 channels-last", torch::kFloat32, true}};
    const Variant &engine = variants.back();
    for (const Variant &variant : variants) {
        vae->to(g_device, variant.dtype);
        const auto format = variant.channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        for (auto &parameter : vae->parameters())
            if (parameter.dim() == 4)
                parameter.set_data(parameter.contiguous(format));
        const torch::Tensor latent =
            torch::randn({1, 4, latentSize, latentSize}, torch::TensorOptions().dtype(variant.dtype).device(g_device))
                .contiguous(format);
        figures.add(name + " VAE decode b1 " + variant.label + " ms",
                    timeCalls([&] { vae->decodeRaw(latent); }, 2, std::max(3, calls / 3)));
    }
    // The engine's layout and precision (the last variant's, which the weights are in now).
    VaeDecoderImpl &decoder = *vae->decoder;
    const auto stage = [&](const std::string &what, const std::function<torch::Tensor()> &work) {
        torch::Tensor out;
        figures.add(name + " VAE stage " + what + " ms", timeCalls([&] { out = work(); }, 1, 3));
        return out;
    };
    torch::Tensor h =
        torch::randn({1, 4, latentSize, latentSize}, torch::TensorOptions().dtype(engine.dtype).device(g_device))
            .contiguous(torch::MemoryFormat::ChannelsLast);
    h = stage("1 conv_in", [&] { return decoder.convIn(vae->postQuantConv(h)); });
    h = stage("2 mid (2 blocks, attention)", [&] { return decoder.mid(h); });
    for (std::size_t i = decoder.levels.size(); i-- > 0;) {
        VaeLevelImpl &level = *decoder.levels[i];
        const std::string label = "3 up." + std::to_string(i) + " on a " + std::to_string(h.size(2)) + "^2 grid";
        if (i == 0) {
            VaeResBlockImpl &block = *level.blocks[0];
            const torch::Tensor normed = stage(label + " block 0 norm1", [&] { return block.norm1(h); });
            const torch::Tensor activated = stage(label + " block 0 silu", [&] { return torch::silu(normed); });
            stage(label + " block 0 conv1", [&] { return block.conv1(activated); });
            if (block.shortcut)
                stage(label + " block 0 shortcut", [&] { return block.shortcut(h); });
        }
        h = stage(label + " blocks", [&] {
            torch::Tensor x = h;
            for (auto &block : level.blocks)
                x = block(x);
            return x;
        });
        if (level.resample) {
            const std::string at = "a " + std::to_string(2 * h.size(2)) + "^2 grid";
            const torch::Tensor doubled = stage("3 up." + std::to_string(i) + " nearest x2", [&] {
                return torch::upsample_nearest2d(h, {2 * h.size(2), 2 * h.size(3)});
            });
            h = stage("3 up." + std::to_string(i) + " conv on " + at, [&] { return level.resample(doubled); });
        }
    }
    stage("4 norm_out, silu, conv_out", [&] { return decoder.convOut(torch::silu(decoder.normOut(h))); });
}

} // namespace

int main(int argc, char **argv)
{
    std::string outPath, deviceName = torch::cuda::is_available() ? "cuda" : "cpu";
    int repeats = 3, calls = 30;
    bool quick = false, vaeOnly = false;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--out" && i + 1 < argc)
            outPath = argv[++i];
        else if (arg == "--device" && i + 1 < argc)
            deviceName = argv[++i];
        else if (arg == "--repeats" && i + 1 < argc)
            repeats = std::stoi(argv[++i]);
        else if (arg == "--calls" && i + 1 < argc)
            calls = std::stoi(argv[++i]);
        else if (arg == "--quick")
            quick = true;
        else if (arg == "--only" && i + 1 < argc) // sd15, sd21 or sdxl
            only = argv[++i];
        else if (arg == "--vae") // only the VAE decode's variants and stages, at 512, 768 and 1024 px
            vaeOnly = true;
    }
    g_device = torch::Device(deviceName);
    const torch::ScalarType dtype = g_device.is_cuda() ? torch::kFloat16 : torch::kFloat32;
    at::globalContext().setBenchmarkCuDNN(true);
    say("atelier engine benchmark: libtorch " + std::string(TORCH_VERSION) + ", device " + deviceName +
        (g_device.is_cuda() ? ", fp16 (VAE bf16)" : ", fp32") +
#if TORCH_VERSION_MAJOR >= 2
        ", attention: at::scaled_dot_product_attention"
#else
        ", attention: plain (no fused kernel in this libtorch)"
#endif
    );
    Figures figures;
    checkAgainstCpu(figures);
    if (vaeOnly) {
        for (const std::int64_t latent :
             g_device.is_cuda() ? std::vector<std::int64_t>{64, 96, 128} : std::vector<std::int64_t>{64})
            vaeDecodeBreakdown(latent, std::to_string(latent * 8) + "px", calls, figures);
    } else if (quick) {
        UNetConfig tiny;
        tiny.modelChannels = 64;
        benchFamily({"SD1.5-shaped (quick) 256px", tiny, 32, 0.0, {clipL()}}, dtype, true, std::min(calls, 3), repeats,
                    figures);
        UNetConfig tinyXl = sdxlUNetConfig();
        tinyXl.modelChannels = 64;
        tinyXl.transformerDepthAtLevel = {0, 1, 1};
        tinyXl.transformerDepthMiddle = 1;
        benchFamily({"SDXL-shaped (quick) 256px", tinyXl, 32, 0.0, {clipL(), clipL()}}, dtype, true, std::min(calls, 3),
                    repeats, figures);
    } else {
        const std::vector<std::pair<std::string, Family>> families{
            {"sd15", {"SD1.5 512px", sd15Unet(), 64, 1.61, {clipL()}}},
            {"sd21", {"SD2.1 768px", sd21Unet(), 96, 4.30, {openClipH()}}},
            {"sdxl", {"SDXL 1024px", sdxlUNetConfig(), 128, 13.5, {clipL(), openClipBigG()}, 30}},
        };
        for (const auto &[key, family] : families) {
            if (!only.empty() && key != only)
                continue;
            benchFamily(family, dtype, true, calls, repeats, figures);
            std::cout << key << " done" << std::endl;
        }
    }
    say("");
    say("| figure | median | min | max | runs |");
    say("| --- | --- | --- | --- | --- |");
    for (const auto &[name, values] : figures.values) {
        char line[256];
        std::snprintf(line, sizeof line, "| %s | %.4g | %.4g | %.4g | %zu |", name.c_str(), median(values),
                      *std::min_element(values.begin(), values.end()), *std::max_element(values.begin(), values.end()),
                      values.size());
        say(line);
    }
    if (!outPath.empty())
        std::ofstream(outPath) << g_report.str();
    return 0;
}
