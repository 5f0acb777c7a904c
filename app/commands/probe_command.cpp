#include "app/command.h"

#include "core/models/probe/model_probe.h"

#include <nlohmann/json.hpp>

namespace atelier::app {

// `atelier probe PATH [--json]`: what a file or folder is, and the evidence.
int runProbeCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    parser.addOption(asJson);
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("A model file or folder."));
    if (const int done = parseCommandArguments(parser, context,
                                               QStringLiteral("Identify a model file or folder from its contents."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier probe: expected one PATH\n";
        return kExitUsage;
    }
    const Result<models::ProbeResult> probed = models::probeModel(parser.positionalArguments().first());
    if (!probed) {
        context.err << "atelier probe: " << probed.error() << "\n";
        return kExitFailure;
    }
    const models::ProbeResult &r = probed.value();
    if (parser.isSet(asJson)) {
        nlohmann::ordered_json object;
        object["path"] = r.path.toStdString();
        object["name"] = r.name.toStdString();
        object["type"] = models::toString(r.type).toStdString();
        object["format"] = models::toString(r.format).toStdString();
        object["base"] = models::toString(r.base).toStdString();
        object["variant"] = r.variant ? nlohmann::ordered_json(models::toString(*r.variant).toStdString()) : nullptr;
        object["prediction_type"] =
            r.predictionType ? nlohmann::ordered_json(models::toString(*r.predictionType).toStdString()) : nullptr;
        object["repo_variant"] = r.repoVariant ? nlohmann::ordered_json(models::toString(*r.repoVariant).toStdString()) : nullptr;
        object["config_path"] = r.configPath.isEmpty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.configPath.toStdString());
        object["description"] = r.description.toStdString();
        object["submodels"] = nlohmann::ordered_json::array();
        for (const QString &submodel : r.submodels)
            object["submodels"].push_back(submodel.toStdString());
        object["evidence"] = nlohmann::ordered_json::array();
        for (const QString &line : r.evidence)
            object["evidence"].push_back(line.toStdString());
        context.out << QString::fromStdString(object.dump(2)) << "\n";
        return kExitOk;
    }
    const auto row = [&](const QString &label, const QString &value) {
        if (!value.isEmpty())
            context.out << label.leftJustified(16) << value << "\n";
    };
    row(QStringLiteral("path"), r.path);
    row(QStringLiteral("name"), r.name);
    row(QStringLiteral("type"), models::toString(r.type));
    row(QStringLiteral("format"), models::toString(r.format));
    row(QStringLiteral("base"), models::toString(r.base));
    row(QStringLiteral("variant"), r.variant ? models::toString(*r.variant) : QString());
    row(QStringLiteral("prediction type"), r.predictionType ? models::toString(*r.predictionType) : QString());
    row(QStringLiteral("repo variant"), r.repoVariant ? models::toString(*r.repoVariant) : QString());
    row(QStringLiteral("config"), r.configPath);
    row(QStringLiteral("submodels"), r.submodels.join(QStringLiteral(", ")));
    context.out << "evidence:\n";
    for (const QString &line : r.evidence)
        context.out << "  - " << line << "\n";
    return kExitOk;
}

} // namespace atelier::app
