#include "app/command.h"

#include "app/recipe_json.h"
#include "core/metadata/generation_info.h"

#include <nlohmann/json.hpp>

namespace atelier::app {

// `atelier inspect IMAGE [--json]`: the recipe stored in an image, whichever tool wrote it.
int runInspectCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    parser.addOption(asJson);
    parser.addPositionalArgument(QStringLiteral("IMAGE"), QStringLiteral("A PNG image."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Show the generation settings stored in an image."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier inspect: expected one IMAGE\nTry 'atelier inspect --help'.\n";
        return kExitUsage;
    }
    const Result<metadata::GenerationInfo> info = metadata::readGenerationInfo(parser.positionalArguments().first());
    if (!info) {
        context.err << "atelier inspect: " << info.error() << "\n";
        return kExitFailure;
    }
    if (parser.isSet(asJson)) {
        context.out << QString::fromStdString(recipeJson(info.value()).dump(2)) << "\n";
        return kExitOk;
    }
    const metadata::GenerationInfo &i = info.value();
    const auto row = [&](const QString &label, const QString &value) {
        if (!value.isEmpty())
            context.out << label.leftJustified(17) << value << "\n";
    };
    row(QStringLiteral("tool"), i.tool == QLatin1String("none") ? QStringLiteral("none (the image carries no metadata)") : i.tool);
    row(QStringLiteral("version"), i.toolVersion);
    row(QStringLiteral("prompt"), i.prompt.value_or(QString()));
    row(QStringLiteral("negative prompt"), i.negativePrompt.value_or(QString()));
    row(QStringLiteral("seed"), i.seed ? QString::number(*i.seed) : QString());
    row(QStringLiteral("steps"), i.steps ? QString::number(*i.steps) : QString());
    row(QStringLiteral("sampler"), i.sampler.value_or(QString()));
    row(QStringLiteral("scheduler"), i.scheduler.value_or(QString()));
    row(QStringLiteral("cfg"), i.cfg ? QString::number(*i.cfg) : QString());
    row(QStringLiteral("size"), i.width && i.height ? QStringLiteral("%1×%2").arg(*i.width).arg(*i.height) : QString());
    row(QStringLiteral("denoise"), i.denoise ? QString::number(*i.denoise) : QString());
    if (i.model)
        row(QStringLiteral("model"), i.model->name + (i.model->hash.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(i.model->hash)));
    if (i.vae)
        row(QStringLiteral("vae"),
            i.vae->name + (i.vae->hash.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(i.vae->hash)));
    if (i.refiner)
        row(QStringLiteral("refiner"),
            i.refiner->name + (i.refiner->hash.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(i.refiner->hash)) +
                (i.refinerSwitch ? QStringLiteral(" from %1 of the steps").arg(*i.refinerSwitch) : QString()));
    for (const metadata::LoraUse &lora : i.loras) {
        QString strengths = lora.weight ? QStringLiteral(" × %1").arg(*lora.weight) : QString();
        if (lora.clipWeight && lora.clipWeight != lora.weight)
            strengths += QStringLiteral(" (text encoder × %1)").arg(*lora.clipWeight);
        row(QStringLiteral("lora"),
            lora.name + strengths + (lora.hash.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(lora.hash)));
    }
    for (const metadata::ModelReference &embedding : i.embeddings)
        row(QStringLiteral("embedding"),
            embedding.name + (embedding.hash.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(embedding.hash)));
    if (i.samplingPasses > 1)
        row(QStringLiteral("sampling passes"), QStringLiteral("%1 (the settings above are the first's)").arg(i.samplingPasses));
    for (const metadata::TextChunk &chunk : i.chunks)
        row(QStringLiteral("chunk"), QStringLiteral("%1 %2 (%3 characters)").arg(QString::fromLatin1(chunk.type), chunk.keyword).arg(chunk.text.size()));
    for (const QString &warning : i.warnings)
        context.out << "warning: " << warning << "\n";
    return kExitOk;
}

} // namespace atelier::app
