#include "app/command.h"

namespace atelier::app {

int runInfoCommand(CommandContext &context);
int runModelsCommand(CommandContext &context);
int runProbeCommand(CommandContext &context);
int runHashCommand(CommandContext &context);
int runDownloadCommand(CommandContext &context);
int runInstallCommand(CommandContext &context);
int runScanCommand(CommandContext &context);
int runImportLibraryCommand(CommandContext &context);
int runResolveCommand(CommandContext &context);
int runGenerateCommand(CommandContext &context);
int runTrainCommand(CommandContext &context);
int runInspectCommand(CommandContext &context);
int runImagesCommand(CommandContext &context);
int runStripCommand(CommandContext &context);
int runTagCommand(CommandContext &context);
int runRunCommand(CommandContext &context);
int runServeCommand(CommandContext &context);
int runNodesCommand(CommandContext &context);
int runWorkerCommand(CommandContext &context);
int runFarmCommand(CommandContext &context);

const std::vector<Command> &commands()
{
    static const std::vector<Command> all = {
        {QStringLiteral("info"), QStringLiteral("Show the root, database, models folder, libtorch and devices"),
         runInfoCommand},
        {QStringLiteral("models"), QStringLiteral("List, show, edit, remove, export and import model records"),
         runModelsCommand},
        {QStringLiteral("probe"), QStringLiteral("Identify a model file or folder and show the evidence"),
         runProbeCommand},
        {QStringLiteral("hash"), QStringLiteral("SHA-256, AUTOV2 and fast identity hash of a model file or folder"),
         runHashCommand},
        {QStringLiteral("download"), QStringLiteral("Download a file, resuming an interrupted download"),
         runDownloadCommand},
        {QStringLiteral("install"),
         QStringLiteral("Install a model from a path, URL, Civitai page or Hugging Face repo"), runInstallCommand},
        {QStringLiteral("scan"), QStringLiteral("Add the models found in a folder to the library"), runScanCommand},
        {QStringLiteral("import-library"),
         QStringLiteral("Register ComfyUI, A1111/Forge, InvokeAI and Stability Matrix models where they are"),
         runImportLibraryCommand},
        {QStringLiteral("resolve"),
         QStringLiteral("Find the model a hash or name means: in the library, else on Civitai (--online)"),
         runResolveCommand},
        {QStringLiteral("generate"),
         QStringLiteral("Make images with an SD 1.x, 2.x, SDXL or aMUSEd model (txt2img, img2img)"),
         runGenerateCommand},
        {QStringLiteral("train"), QStringLiteral("Fine-tune an aMUSEd model or train a LoRA for it on your images"),
         runTrainCommand},
        {QStringLiteral("run"), QStringLiteral("Run a pipeline graph (ComfyUI API prompt, or a PNG carrying one)"),
         runRunCommand},
        {QStringLiteral("serve"),
         QStringLiteral("Serve ComfyUI's HTTP and WebSocket API without a window (--port, --listen, --token)"),
         runServeCommand},
        {QStringLiteral("worker"),
         QStringLiteral("Run jobs from a render farm on Redis Streams (--redis URL), one at a time, until stopped"),
         runWorkerCommand},
        {QStringLiteral("farm"),
         QStringLiteral("Submit graphs to a render farm and follow it: farm submit GRAPH, farm status, farm cancel"),
         runFarmCommand},
        {QStringLiteral("nodes"), QStringLiteral("List the node types graphs can use (--json: ComfyUI's /object_info)"),
         runNodesCommand},
        {QStringLiteral("images"),
         QStringLiteral("The image index: add folders, search images by prompt, model and LoRA, show a recipe"),
         runImagesCommand},
        {QStringLiteral("inspect"),
         QStringLiteral("Show the generation settings stored in a PNG (ComfyUI, A1111/Forge)"), runInspectCommand},
        {QStringLiteral("strip"), QStringLiteral("Remove all metadata from a PNG, keeping its pixels"),
         runStripCommand},
        {QStringLiteral("tag"), QStringLiteral("Write a recipe (JSON) into a PNG's metadata"), runTagCommand},
    };
    return all;
}

const Command *findCommand(const QString &name)
{
    for (const Command &command : commands()) {
        if (command.name == name)
            return &command;
    }
    return nullptr;
}

int parseCommandArguments(QCommandLineParser &parser, CommandContext &context, const QString &description)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(context.arguments)) {
        context.err << "atelier " << context.arguments.value(1) << ": " << parser.errorText() << "\n";
        context.err << "Try 'atelier " << context.arguments.value(1) << " --help'.\n";
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        context.out << parser.helpText();
        return kExitOk;
    }
    return -1;
}

} // namespace atelier::app
