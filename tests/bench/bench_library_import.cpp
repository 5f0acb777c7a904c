// Importing another tool's library in place: a ComfyUI tree of N sparse model files (LoRAs of about 144 MB and SD
// 1.5-sized checkpoints of about 2 GB, as the files' headers say; no disk used) is planned and registered with the
// fast identity hash. Prints files per second and the time until the library is usable, against `find` listing the
// same tree in the same run. Asserts nothing.
//   bench_library_import [--files N] [--dir DIR]
#include "core/downloads/download_queue.h"
#include "core/models/import/library_import.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/bench/bench_statistics.h"
#include "tests/sparse_safetensors.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::models;

namespace {

// A kohya LoRA whose header says about 144 MB (rank 32 over many layers, summed into a few large tensors).
bool writeLora(const QString &path, int index)
{
    const nlohmann::json tensors = nlohmann::json::array({
        {"lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight", "F16", {32, 768}},
        {"lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight", "F16", {320, 32}},
        {"lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", "F16", {32, 768}},
        {"lora_unet_mid_block_attentions_0_proj_in.lora_down.weight", "F16", {32, 2250000}},
    });
    return writeSparseSafetensorsFile(path, tensors, {{"ss_output_name", "lora-" + std::to_string(index)}});
}

// An SD 1.5 checkpoint's UNet input and output convolutions and a text encoder marker, padded to about 2 GB.
bool writeCheckpoint(const QString &path, int index)
{
    const nlohmann::json tensors = nlohmann::json::array({
        {"model.diffusion_model.input_blocks.0.0.weight", "F16", {320, 4, 3, 3}},
        {"model.diffusion_model.out.2.weight", "F16", {4, 320, 3, 3}},
        {"model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", "F16", {320, 768}},
        {"cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", "F16", {49408, 768}},
        {"first_stage_model.decoder.conv_out.weight", "F16", {3, 128, 3, 3}},
        {"model.diffusion_model.middle_block.1.proj_in.weight", "F16", {1280, 1280, 1, 600}},
    });
    return writeSparseSafetensorsFile(path, tensors, {{"index", std::to_string(index)}});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption filesOption(QStringLiteral("files"), QStringLiteral("Model files in the tree."),
                                         QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption dirOption(QStringLiteral("dir"), QStringLiteral("Where to build the tree."),
                                       QStringLiteral("DIR"));
    parser.addOptions({filesOption, dirOption});
    parser.addHelpOption();
    parser.process(application);
    const int files = parser.value(filesOption).toInt();
    QTemporaryDir scratch(parser.isSet(dirOption)
                              ? QDir(parser.value(dirOption)).filePath(QStringLiteral("import-XXXXXX"))
                              : QDir::tempPath() + QStringLiteral("/import-XXXXXX"));
    QTextStream out(stdout);
    const QString comfy = scratch.filePath(QStringLiteral("ComfyUI"));
    QString unwritten;
    const double written = secondsOf([&] {
        for (int i = 0; i < files && unwritten.isEmpty(); ++i) {
            // One checkpoint in ten, the LoRAs spread over subfolders as people sort them.
            const bool checkpoint = i % 10 == 0;
            const QString path =
                checkpoint ? QStringLiteral("%1/models/checkpoints/sd15-%2.safetensors").arg(comfy).arg(i)
                           : QStringLiteral("%1/models/loras/set-%2/lora-%3.safetensors").arg(comfy).arg(i % 50).arg(i);
            if (!(checkpoint ? writeCheckpoint(path, i) : writeLora(path, i)))
                unwritten = path;
        }
    });
    if (!unwritten.isEmpty()) {
        out << "cannot write " << unwritten << "\n";
        return 1;
    }
    RecordStore store(scratch.filePath(QStringLiteral("library.db")));
    if (!store.open())
        return 1;
    downloads::DownloadQueue queue;
    ModelInstaller::Options options;
    options.modelsDir = scratch.filePath(QStringLiteral("models"));
    options.cacheDir = scratch.filePath(QStringLiteral("cache"));
    ModelInstaller installer(store, queue, options);

    std::vector<double> findSeconds;
    for (int run = 0; run < 3; ++run)
        findSeconds.push_back(secondsOf([&] {
            QProcess find;
            find.start(QStringLiteral("find"), {comfy, QStringLiteral("-type"), QStringLiteral("f"),
                                                QStringLiteral("-name"), QStringLiteral("*.safetensors")});
            find.waitForFinished(-1);
        }));
    ImportPlan plan;
    const double planned = secondsOf([&] { plan = planLibraryImport({comfy}, store); });
    ImportReport report;
    const double registered = secondsOf([&] { report = runLibraryImport(installer, plan); });
    const double find = median(findSeconds);

    out << "library import of " << files << " sparse files ("
        << QString::number(double(plan.totalBytes()) / 1e12, 'f', 2) << " TB as their headers say), written in "
        << QString::number(written, 'f', 1) << " s\n\n";
    out << "| step | seconds | files/s | ratio to find |\n| --- | --- | --- | --- |\n";
    const auto row = [&](const QString &step, double seconds) {
        out << "| " << step << " | " << QString::number(seconds, 'f', 3) << " | "
            << QString::number(double(files) / seconds, 'f', 0) << " | " << QString::number(seconds / find, 'f', 1)
            << " |\n";
    };
    row(QStringLiteral("find over the tree (median of 3)"), find);
    row(QStringLiteral("plan (find the installations, list, sizes)"), planned);
    row(QStringLiteral("register in place (probe, fast hash, record)"), registered);
    row(QStringLiteral("until the library is usable (plan + register)"), planned + registered);
    out << "\n" << report.registered.size() << " registered, " << report.failures.size() << " failed";
    if (!report.failures.isEmpty())
        out << " (first: " << report.failures.first() << ")";
    out << "\n";
    return report.failures.isEmpty() ? 0 : 1;
}
