// Latents and samplers: EmptyLatentImage, KSampler, KSamplerAdvanced and the latent batch and resize nodes.
#include "core/engine/sampling/sampler_names.h"
#include "core/nodes/node_kit.h"

namespace atelier::nodes::kit {

namespace {

using graph::NodeDefinition;

QStringList names(const std::vector<std::string> &list)
{
    QStringList out;
    for (const std::string &name : list)
        out.append(QString::fromStdString(name));
    return out;
}

QStringList samplerChoices()
{
    return names(engine::samplerNames()) + names(engine::diffusersSamplerNames());
}

QStringList schedulerChoices()
{
    return names(engine::schedulerNames()) << QString::fromLatin1(engine::kDiffusersScheduler);
}

NodeDefinition latentNode(const QString &type, const QString &category, QList<graph::InputSpec> inputs)
{
    NodeDefinition definition;
    definition.type = type;
    definition.category = category;
    definition.inputs = std::move(inputs);
    definition.outputs = {output(QStringLiteral("LATENT"))};
    return definition;
}

const QString kLatent = QStringLiteral("LATENT");
const QStringList kLatentMethods{QStringLiteral("nearest-exact"), QStringLiteral("bilinear"), QStringLiteral("area"),
                                 QStringLiteral("bicubic")};
const QStringList kCrops{QStringLiteral("disabled"), QStringLiteral("center")};

void addSamplers(graph::NodeRegistry &registry)
{
    const graph::InputSpec model = link(QStringLiteral("model"), QStringLiteral("MODEL"));
    const graph::InputSpec steps = integer(QStringLiteral("steps"), 20, 1, 10000);
    const graph::InputSpec cfg = real(QStringLiteral("cfg"), 8.0, 0.0, 100.0, 0.1);
    const graph::InputSpec sampler = combo(QStringLiteral("sampler_name"), samplerChoices());
    const graph::InputSpec scheduler = combo(QStringLiteral("scheduler"), schedulerChoices());
    const graph::InputSpec positive = link(QStringLiteral("positive"), QStringLiteral("CONDITIONING"));
    const graph::InputSpec negative = link(QStringLiteral("negative"), QStringLiteral("CONDITIONING"));
    const graph::InputSpec latent = link(QStringLiteral("latent_image"), kLatent);

    NodeDefinition simple = latentNode(QStringLiteral("KSampler"), QStringLiteral("sampling"),
                                       {model, seed(QStringLiteral("seed")), steps, cfg, sampler, scheduler, positive,
                                        negative, latent, real(QStringLiteral("denoise"), 1.0, 0.0, 1.0, 0.01)});
    simple.description = QStringLiteral(QT_TRANSLATE_NOOP(
        "NodeDefinition", "Uses the provided model, positive and negative conditioning to denoise the "
                          "latent image."));
    // What both samplers pass on alike, the seed under the name each gives it.
    const auto common = [](const QString &seedInput) {
        return QList<QPair<QString, std::string>>{
            {QStringLiteral("model"), "model"},          {seedInput, "seed"},
            {QStringLiteral("steps"), "steps"},          {QStringLiteral("cfg"), "cfg"},
            {QStringLiteral("sampler_name"), "sampler"}, {QStringLiteral("scheduler"), "scheduler"},
            {QStringLiteral("positive"), "positive"},    {QStringLiteral("negative"), "negative"},
            {QStringLiteral("latent_image"), "latent"}};
    };
    registry.add(
        opNode(simple, "sample",
               common(QStringLiteral("seed")) << qMakePair(QStringLiteral("denoise"), std::string("denoise"))));

    NodeDefinition advanced = latentNode(
        QStringLiteral("KSamplerAdvanced"), QStringLiteral("sampling"),
        {model, combo(QStringLiteral("add_noise"), {QStringLiteral("enable"), QStringLiteral("disable")}),
         seed(QStringLiteral("noise_seed")), steps, cfg, sampler, scheduler, positive, negative, latent,
         integer(QStringLiteral("start_at_step"), 0, 0, 10000), integer(QStringLiteral("end_at_step"), 10000, 0, 10000),
         combo(QStringLiteral("return_with_leftover_noise"), {QStringLiteral("disable"), QStringLiteral("enable")})});
    registry.add(opNode(
        advanced, "sample",
        common(QStringLiteral("noise_seed")) << qMakePair(QStringLiteral("start_at_step"), std::string("start_step"))
                                             << qMakePair(QStringLiteral("end_at_step"), std::string("end_step")),
        {}, [](const graph::NodeInputs &inputs, engine::OpCall &call) {
            call.arguments["add_noise"] = textOf(inputs, QStringLiteral("add_noise")) != QStringLiteral("disable");
            call.arguments["finish_denoising"] =
                textOf(inputs, QStringLiteral("return_with_leftover_noise")) != QStringLiteral("enable");
        }));
}

} // namespace

void addSamplingNodes(graph::NodeRegistry &registry)
{
    addSamplers(registry);
    registry.add(opNode(latentNode(QStringLiteral("EmptyLatentImage"), QStringLiteral("latent"),
                                   {integer(QStringLiteral("width"), 512, 16, 16384, 8),
                                    integer(QStringLiteral("height"), 512, 16, 16384, 8),
                                    integer(QStringLiteral("batch_size"), 1, 1, 4096)}),
                        "empty_latent",
                        {{QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("batch_size"), "batch"}}));
    registry.add(opNode(latentNode(QStringLiteral("SetLatentNoiseMask"), QStringLiteral("latent/inpaint"),
                                   {link(QStringLiteral("samples"), kLatent),
                                    link(QStringLiteral("mask"), QStringLiteral("MASK"))}),
                        "set_latent_noise_mask", {{QStringLiteral("samples"), "latent"}, {QStringLiteral("mask"), "mask"}}));
    registry.add(opNode(latentNode(QStringLiteral("LatentUpscale"), QStringLiteral("latent"),
                                   {link(QStringLiteral("samples"), kLatent),
                                    combo(QStringLiteral("upscale_method"), kLatentMethods),
                                    integer(QStringLiteral("width"), 512, 0, 16384, 8),
                                    integer(QStringLiteral("height"), 512, 0, 16384, 8),
                                    combo(QStringLiteral("crop"), kCrops)}),
                        "latent_upscale",
                        {{QStringLiteral("samples"), "latent"},
                         {QStringLiteral("upscale_method"), "method"},
                         {QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("crop"), "crop"}}));
    registry.add(opNode(latentNode(QStringLiteral("LatentUpscaleBy"), QStringLiteral("latent"),
                                   {link(QStringLiteral("samples"), kLatent),
                                    combo(QStringLiteral("upscale_method"), kLatentMethods),
                                    real(QStringLiteral("scale_by"), 1.5, 0.01, 8.0, 0.01)}),
                        "latent_upscale_by",
                        {{QStringLiteral("samples"), "latent"},
                         {QStringLiteral("upscale_method"), "method"},
                         {QStringLiteral("scale_by"), "scale"}}));
    registry.add(opNode(latentNode(QStringLiteral("LatentFromBatch"), QStringLiteral("latent/batch"),
                                   {link(QStringLiteral("samples"), kLatent),
                                    integer(QStringLiteral("batch_index"), 0, 0, 63),
                                    integer(QStringLiteral("length"), 1, 1, 64)}),
                        "latent_from_batch",
                        {{QStringLiteral("samples"), "latent"},
                         {QStringLiteral("batch_index"), "index"},
                         {QStringLiteral("length"), "length"}}));
    registry.add(opNode(latentNode(QStringLiteral("RepeatLatentBatch"), QStringLiteral("latent/batch"),
                                   {link(QStringLiteral("samples"), kLatent), integer(QStringLiteral("amount"), 1, 1, 64)}),
                        "repeat_latent_batch", {{QStringLiteral("samples"), "latent"}, {QStringLiteral("amount"), "amount"}}));
}

} // namespace atelier::nodes::kit
