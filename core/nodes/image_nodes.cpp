// The VAE between latents and pixels, image resizing and batches, and images read from the input folder and
// written to the outputs folder (ComfyUI's names: prefix_00001_.png, with the graph in the `prompt` and `workflow`
// chunks so that the image opens again in Atelier and in ComfyUI).
#include "core/generation/png_image.h"
#include "core/metadata/generation_info.h"
#include "core/nodes/node_kit.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace atelier::nodes::kit {

namespace {

using graph::NodeDefinition;

const QString kImage = QStringLiteral("IMAGE");
const QString kLatent = QStringLiteral("LATENT");
const QString kVae = QStringLiteral("VAE");
const QString kMask = QStringLiteral("MASK");

NodeDefinition definitionOf(const QString &type, const QString &category, QList<graph::InputSpec> inputs,
                            QList<graph::OutputSpec> outputs)
{
    NodeDefinition definition;
    definition.type = type;
    definition.category = category;
    definition.inputs = std::move(inputs);
    definition.outputs = std::move(outputs);
    return definition;
}

void addVaeNodes(graph::NodeRegistry &registry)
{
    registry.add(opNode(definitionOf(QStringLiteral("VAEDecode"), QStringLiteral("latent"),
                                     {link(QStringLiteral("samples"), kLatent), link(QStringLiteral("vae"), kVae)},
                                     {output(kImage)}),
                        "vae_decode", {{QStringLiteral("samples"), "latent"}, {QStringLiteral("vae"), "vae"}}));
    registry.add(opNode(definitionOf(QStringLiteral("VAEEncode"), QStringLiteral("latent"),
                                     {link(QStringLiteral("pixels"), kImage), link(QStringLiteral("vae"), kVae)},
                                     {output(kLatent)}),
                        "vae_encode", {{QStringLiteral("pixels"), "image"}, {QStringLiteral("vae"), "vae"}}));
    // ComfyUI's later versions add overlap and temporal sizes: accepted, the engine choosing its own overlap.
    const QList<graph::InputSpec> tiling{integer(QStringLiteral("tile_size"), 512, 64, 4096, 32)};
    QList<graph::InputSpec> extra{integer(QStringLiteral("overlap"), 64, 0, 4096, 32),
                                  integer(QStringLiteral("temporal_size"), 64, 8, 4096, 4),
                                  integer(QStringLiteral("temporal_overlap"), 8, 4, 4096, 4)};
    for (graph::InputSpec &spec : extra)
        spec.optional = true;
    registry.add(opNode(definitionOf(QStringLiteral("VAEDecodeTiled"), QStringLiteral("_for_testing"),
                                     QList<graph::InputSpec>{link(QStringLiteral("samples"), kLatent),
                                                             link(QStringLiteral("vae"), kVae)} +
                                         tiling + extra,
                                     {output(kImage)}),
                        "vae_decode",
                        {{QStringLiteral("samples"), "latent"},
                         {QStringLiteral("vae"), "vae"},
                         {QStringLiteral("tile_size"), "tile"}}));
    registry.add(opNode(definitionOf(QStringLiteral("VAEEncodeTiled"), QStringLiteral("_for_testing"),
                                     QList<graph::InputSpec>{link(QStringLiteral("pixels"), kImage),
                                                             link(QStringLiteral("vae"), kVae)} +
                                         tiling + extra,
                                     {output(kLatent)}),
                        "vae_encode",
                        {{QStringLiteral("pixels"), "image"},
                         {QStringLiteral("vae"), "vae"},
                         {QStringLiteral("tile_size"), "tile"}}));
    registry.add(
        opNode(definitionOf(QStringLiteral("VAEEncodeForInpaint"), QStringLiteral("latent/inpaint"),
                            {link(QStringLiteral("pixels"), kImage), link(QStringLiteral("vae"), kVae),
                             link(QStringLiteral("mask"), kMask), integer(QStringLiteral("grow_mask_by"), 6, 0, 64)},
                            {output(kLatent)}),
               "vae_encode_for_inpaint",
               {{QStringLiteral("pixels"), "image"},
                {QStringLiteral("vae"), "vae"},
                {QStringLiteral("mask"), "mask"},
                {QStringLiteral("grow_mask_by"), "grow"}}));
}

void addImageOps(graph::NodeRegistry &registry)
{
    const QStringList methods{QStringLiteral("nearest-exact"), QStringLiteral("bilinear"), QStringLiteral("area"),
                              QStringLiteral("bicubic")};
    registry.add(opNode(definitionOf(QStringLiteral("ImageScale"), QStringLiteral("image/upscaling"),
                                     {link(QStringLiteral("image"), kImage),
                                      combo(QStringLiteral("upscale_method"), methods),
                                      integer(QStringLiteral("width"), 512, 0, 16384),
                                      integer(QStringLiteral("height"), 512, 0, 16384),
                                      combo(QStringLiteral("crop"), {QStringLiteral("disabled"), QStringLiteral("center")})},
                                     {output(kImage)}),
                        "image_scale",
                        {{QStringLiteral("image"), "image"},
                         {QStringLiteral("upscale_method"), "method"},
                         {QStringLiteral("width"), "width"},
                         {QStringLiteral("height"), "height"},
                         {QStringLiteral("crop"), "crop"}}));
    registry.add(opNode(definitionOf(QStringLiteral("ImageScaleBy"), QStringLiteral("image/upscaling"),
                                     {link(QStringLiteral("image"), kImage),
                                      combo(QStringLiteral("upscale_method"), methods),
                                      real(QStringLiteral("scale_by"), 1.0, 0.01, 8.0, 0.01)},
                                     {output(kImage)}),
                        "image_scale_by",
                        {{QStringLiteral("image"), "image"},
                         {QStringLiteral("upscale_method"), "method"},
                         {QStringLiteral("scale_by"), "scale"}}));
    registry.add(opNode(definitionOf(QStringLiteral("ImageInvert"), QStringLiteral("image"),
                                     {link(QStringLiteral("image"), kImage)}, {output(kImage)}),
                        "image_invert", {{QStringLiteral("image"), "image"}}));
    registry.add(opNode(definitionOf(QStringLiteral("ImageBatch"), QStringLiteral("image"),
                                     {link(QStringLiteral("image1"), kImage), link(QStringLiteral("image2"), kImage)},
                                     {output(kImage)}),
                        "image_batch", {{QStringLiteral("image1"), "a"}, {QStringLiteral("image2"), "b"}}));
}

// A file in the input folder, never outside it.
Result<QString> inputImagePath(const NodeEnvironment &environment, const QString &name)
{
    const QString root = QFileInfo(environment.inputDir).canonicalFilePath();
    const QString path = QFileInfo(QDir(environment.inputDir).filePath(name)).canonicalFilePath();
    if (root.isEmpty() || path.isEmpty() || !QFileInfo(path).isFile())
        return Result<QString>::failure(
            QStringLiteral("%1 is not an image in the input folder %2").arg(name, environment.inputDir));
    if (!path.startsWith(root + QLatin1Char('/')))
        return Result<QString>::failure(QStringLiteral("%1 is outside the input folder %2").arg(name, environment.inputDir));
    return path;
}

QByteArray fileDigest(const QString &path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (file.open(QIODevice::ReadOnly))
        hash.addData(&file);
    return hash.result().toHex();
}

engine::RgbImage planeAsRgb(const engine::RgbImage &image, const std::vector<std::uint8_t> &plane)
{
    engine::RgbImage rgb{image.width, image.height, {}};
    rgb.pixels.reserve(plane.size() * 3);
    for (std::uint8_t value : plane)
        rgb.pixels.insert(rgb.pixels.end(), 3, value);
    return rgb;
}

void addLoaders(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    const auto check = [environment](const QString &input, const graph::GraphValue &value)
        -> std::optional<graph::NodeType::Problem> {
        const QString name = value.toText().value_or(QString());
        if (input != QStringLiteral("image"))
            return std::nullopt;
        if (const auto found = inputImagePath(environment, name); !found)
            return graph::NodeType::Problem{QStringLiteral("value_not_in_list"), QStringLiteral("Value not in list"),
                                            QStringLiteral("%1: %2").arg(input, found.error())};
        return std::nullopt;
    };
    const auto token = [environment](const graph::NodeInputs &inputs) {
        const auto path = inputImagePath(environment, textOf(inputs, QStringLiteral("image")));
        return path ? fileDigest(path.value()) : QByteArray();
    };
    // The image and its alpha plane (empty when it has none).
    const auto read = [environment](const graph::NodeInputs &inputs, std::vector<std::uint8_t> &alpha) {
        const Result<QString> path = inputImagePath(environment, textOf(inputs, QStringLiteral("image")));
        if (!path)
            throw std::invalid_argument(path.error().toStdString());
        Result<engine::RgbImage> image = generation::readPngFile(path.value(), 512ll * 1024 * 1024, &alpha);
        if (!image)
            throw std::invalid_argument(image.error().toStdString());
        return std::move(image).value();
    };

    graph::InputSpec image = libraryCombo(QStringLiteral("image"), QStringLiteral("input images"));
    image.imageUpload = true;
    NodeDefinition load = definitionOf(QStringLiteral("LoadImage"), QStringLiteral("image"), {image},
                                       {output(kImage), output(kMask)});
    load.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Load Image"));
    auto loadNode = std::make_shared<FunctionNode>(load, [read](const graph::NodeInputs &inputs,
                                                                graph::NodeRunContext &context) {
        std::vector<std::uint8_t> alpha;
        const engine::RgbImage pixels = read(inputs, alpha);
        engine::OpCall toImage{"image_from_pixels", {{"images", std::vector<engine::RgbImage>{pixels}}}};
        graph::NodeOutputs outputs = outputsOf(runOp(toImage, context));
        // ComfyUI's mask is 1 where the image is transparent, and a blank 64×64 one without alpha.
        const engine::RgbImage plane =
            alpha.empty() ? engine::RgbImage{64, 64, std::vector<std::uint8_t>(64 * 64 * 3, 255)}
                          : planeAsRgb(pixels, alpha);
        engine::OpCall toMask{"mask_from_pixels", {{"images", std::vector<engine::RgbImage>{plane}}, {"invert", true}}};
        outputs.values += outputsOf(runOp(toMask, context)).values;
        return outputs;
    });
    loadNode->check = check;
    loadNode->changes = token;
    registry.add(loadNode);

    NodeDefinition loadMask = definitionOf(
        QStringLiteral("LoadImageMask"), QStringLiteral("mask"),
        {image, combo(QStringLiteral("channel"), {QStringLiteral("alpha"), QStringLiteral("red"),
                                                  QStringLiteral("green"), QStringLiteral("blue")})},
        {output(kMask)});
    auto loadMaskNode = std::make_shared<FunctionNode>(loadMask, [read](const graph::NodeInputs &inputs,
                                                                        graph::NodeRunContext &context) {
        std::vector<std::uint8_t> alpha;
        const engine::RgbImage pixels = read(inputs, alpha);
        const QString channel = textOf(inputs, QStringLiteral("channel"));
        std::vector<std::uint8_t> plane(std::size_t(pixels.width) * std::size_t(pixels.height));
        const int offset = channel == QStringLiteral("green") ? 1 : channel == QStringLiteral("blue") ? 2 : 0;
        if (channel == QStringLiteral("alpha"))
            plane = alpha.empty() ? std::vector<std::uint8_t>(plane.size(), 255) : alpha;
        else
            for (std::size_t i = 0; i < plane.size(); ++i)
                plane[i] = pixels.pixels[i * 3 + std::size_t(offset)];
        engine::OpCall toMask{"mask_from_pixels",
                              {{"images", std::vector<engine::RgbImage>{planeAsRgb(pixels, plane)}},
                               {"invert", channel == QStringLiteral("alpha")}}};
        return outputsOf(runOp(toMask, context));
    });
    loadMaskNode->check = check;
    loadMaskNode->changes = token;
    registry.add(loadMaskNode);
}

// The next free counter for `prefix` in `folder`, as ComfyUI numbers its files: one above the highest there.
int nextCounter(const QString &folder, const QString &prefix, const QString &extension)
{
    const QRegularExpression pattern(
        QStringLiteral("^%1_(\\d+)_?\\.%2$")
            .arg(QRegularExpression::escape(prefix), QRegularExpression::escape(extension)));
    int highest = 0;
    QDirIterator files(folder, {prefix + QStringLiteral("_*.") + extension}, QDir::Files);
    while (files.hasNext()) {
        const QRegularExpressionMatch match = pattern.match(QFileInfo(files.next()).fileName());
        if (match.hasMatch())
            highest = std::max(highest, match.captured(1).toInt());
    }
    return highest + 1;
}

// Where a saver writes: "folder/name" prefixes write into a subfolder, never outside the output folder.
struct SaveTarget
{
    QString folder, subfolder, stem;
    int counter = 1;

    SaveTarget(const QString &root, const QString &prefixGiven, const QString &fallback, const QString &extension)
    {
        const QString prefix = QDir::cleanPath(prefixGiven.isEmpty() ? fallback : prefixGiven);
        if (QDir::isAbsolutePath(prefix) || prefix.startsWith(QStringLiteral("..")))
            throw std::invalid_argument(
                ("Saving outside the output folder is not allowed: " + prefixGiven).toStdString());
        subfolder = QFileInfo(prefix).path() == QStringLiteral(".") ? QString() : QFileInfo(prefix).path();
        stem = QFileInfo(prefix).fileName();
        folder = subfolder.isEmpty() ? root : QDir(root).filePath(subfolder);
        if (!QDir().mkpath(folder))
            throw std::runtime_error(("cannot create the output folder " + folder).toStdString());
        counter = nextCounter(folder, stem, extension);
    }

    // ComfyUI's name for the next file: prefix_00001_.png
    QString nextName(const QString &extension)
    {
        return QStringLiteral("%1_%2_.%3").arg(stem).arg(counter++, 5, 10, QLatin1Char('0')).arg(extension);
    }
};

graph::NodeOutputs saveImages(const graph::NodeInputs &inputs, graph::NodeRunContext &context, const QString &root,
                              const QString &prefixGiven, const QString &type)
{
    SaveTarget target(root, prefixGiven, QStringLiteral("ComfyUI"), QStringLiteral("png"));
    engine::OpCall call{"image_to_pixels", {{"image", argument(inputs, QStringLiteral("images"))}}};
    const engine::OpResult pixels = runOp(call, context);
    // ComfyUI's chunks (the graph that ran and the canvas it came from), then Atelier's: the recipe read from the
    // graph, the graph itself as atelier_workflow, and A1111's parameters, so that every tool shows the settings.
    const auto chunk = [](const QString &keyword, const QString &text) {
        metadata::TextChunk made;
        made.type = "tEXt";
        made.keyword = keyword;
        made.text = text;
        return made;
    };
    const QString prompt = QString::fromUtf8(context.apiPrompt());
    QList<metadata::TextChunk> graphChunks{chunk(QStringLiteral("prompt"), prompt)};
    if (!context.editorWorkflow().isEmpty())
        graphChunks.append(chunk(QStringLiteral("workflow"), QString::fromUtf8(context.editorWorkflow())));
    metadata::GenerationInfo recipe = metadata::parseComfyUiPrompt(prompt);
    recipe.tool = QStringLiteral("Atelier");
    recipe.toolVersion = QStringLiteral(ATELIER_VERSION);
    if (recipe.model) // a name, never a path of this machine
        recipe.model->name = QFileInfo(recipe.model->name).fileName();
    const QString atelierWorkflow =
        QStringLiteral("{\"format\":\"atelier-workflow\",\"version\":1,\"nodes\":%1}").arg(prompt);
    graph::NodeOutputs outputs;
    for (const engine::RgbImage &image : pixels.images) {
        recipe.width = image.width;
        recipe.height = image.height;
        recipe.batchIndex = int(outputs.files.size());
        QList<metadata::TextChunk> chunks = graphChunks;
        for (metadata::TextChunk made : metadata::recipeChunks(recipe)) {
            if (made.keyword == QStringLiteral("atelier_workflow"))
                made.text = atelierWorkflow;
            chunks.append(made);
        }
        const QString fileName = target.nextName(QStringLiteral("png"));
        const QString path = QDir(target.folder).filePath(fileName);
        if (const Status written = generation::writePngFile(path, image, chunks); !written)
            throw std::runtime_error(written.error().toStdString());
        outputs.files.append({fileName, target.subfolder, type, path});
    }
    return outputs;
}

void addSavers(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    NodeDefinition save =
        definitionOf(QStringLiteral("SaveImage"), QStringLiteral("image"),
                     {link(QStringLiteral("images"), kImage), text(QStringLiteral("filename_prefix"), QStringLiteral("ComfyUI"))},
                     {});
    save.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Save Image"));
    save.outputNode = true;
    save.description =
        QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Saves the input images to your outputs folder."));
    registry.add(std::make_shared<FunctionNode>(
        save, [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            return saveImages(inputs, context, environment.outputDir, textOf(inputs, QStringLiteral("filename_prefix")),
                              QStringLiteral("output"));
        }));
    NodeDefinition preview = definitionOf(QStringLiteral("PreviewImage"), QStringLiteral("image"),
                                          {link(QStringLiteral("images"), kImage)}, {});
    preview.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Preview Image"));
    preview.outputNode = true;
    registry.add(std::make_shared<FunctionNode>(
        preview, [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            return saveImages(inputs, context, environment.tempDir, QStringLiteral("ComfyUI_temp"), QStringLiteral("temp"));
        }));
    NodeDefinition latent = definitionOf(QStringLiteral("SaveLatent"), QStringLiteral("_for_testing"),
                                         {link(QStringLiteral("samples"), kLatent),
                                          text(QStringLiteral("filename_prefix"), QStringLiteral("latents/ComfyUI"))},
                                         {});
    latent.displayName = QStringLiteral(QT_TRANSLATE_NOOP("NodeDefinition", "Save Latent"));
    latent.outputNode = true;
    latent.description = QStringLiteral(
        QT_TRANSLATE_NOOP("NodeDefinition", "Saves the latent to your outputs folder as ComfyUI's .latent file."));
    registry.add(std::make_shared<FunctionNode>(
        latent, [environment](const graph::NodeInputs &inputs, graph::NodeRunContext &context) {
            SaveTarget target(environment.outputDir, textOf(inputs, QStringLiteral("filename_prefix")),
                              QStringLiteral("latents/ComfyUI"), QStringLiteral("latent"));
            const QString fileName = target.nextName(QStringLiteral("latent"));
            const QString path = QDir(target.folder).filePath(fileName);
            engine::OpCall call{"save_latent",
                                {{"latent", argument(inputs, QStringLiteral("samples"))},
                                 {"path", path.toStdString()},
                                 {"prompt", context.apiPrompt().toStdString()},
                                 {"workflow", context.editorWorkflow().toStdString()}}};
            (void)runOp(call, context);
            graph::NodeOutputs outputs;
            outputs.files.append({fileName, target.subfolder, QStringLiteral("output"), path});
            return outputs;
        }));
}

} // namespace

void addImageNodes(graph::NodeRegistry &registry, const NodeEnvironment &environment)
{
    addVaeNodes(registry);
    addImageOps(registry);
    addLoaders(registry, environment);
    addSavers(registry, environment);
}

} // namespace atelier::nodes::kit
