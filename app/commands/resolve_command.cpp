// `atelier resolve HASH|NAME [--online] [--install] [--json]`: which model a recipe or workflow means.
#include "app/command.h"
#include "app/library_services.h"
#include "core/hashing/content_hash.h"
#include "core/models/install/model_source.h"
#include "core/models/model_config.h"
#include "core/models/model_lookup.h"

#include <QUrl>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace atelier::app {

namespace {

nlohmann::json remoteJson(const models::RemoteModel &remote, const QString &hash, const QString &source)
{
    nlohmann::json files = nlohmann::json::array();
    for (const models::RemoteFile &file : remote.files)
        files.push_back(
            {{"path", file.path.toStdString()},
             {"size", file.size},
             {"sha256", file.sha256.toLower().toStdString()},
             {"matches", !file.sha256.isEmpty() && file.sha256.toLower().startsWith(hashing::bareHash(hash))}});
    return {{"name", remote.name.toStdString()},
            {"base", remote.base ? models::toString(*remote.base).toStdString() : std::string()},
            {"files", files},
            {"source", source.toStdString()}};
}

} // namespace

int runResolveCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption online(QStringLiteral("online"),
                                    QStringLiteral("When the library lacks it, ask Civitai which model file has this "
                                                   "hash (the hash is sent to Civitai)."));
    const QCommandLineOption install(QStringLiteral("install"),
                                     QStringLiteral("With --online: install what Civitai finds, its SHA-256 checked."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print what was found as JSON."));
    parser.addOptions({online, install, json});
    parser.addPositionalArgument(QStringLiteral("HASH|NAME"),
                                 QStringLiteral("A SHA-256 (\"sha256:\" or not), A1111's 10-digit short hash, or a "
                                                "model's name or file name."));
    if (const int done = parseCommandArguments(
            parser, context, QStringLiteral("Find the model a recipe or workflow names, in the library first."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier resolve: expected one HASH or NAME\n";
        return kExitUsage;
    }
    if (parser.isSet(install) && !parser.isSet(online)) {
        context.err << "atelier resolve: --install needs --online\n";
        return kExitUsage;
    }
    const QString wanted = parser.positionalArguments().first().trimmed();
    auto services = LibraryServices::open(context.root, context.settings, false);
    if (!services) {
        context.err << "atelier resolve: " << services.error() << "\n";
        return kExitFailure;
    }
    models::RecordStore &store = services.value()->store();
    models::ModelInstaller &installer = services.value()->installer();
    nlohmann::json answer{{"query", wanted.toStdString()}, {"library", nullptr}, {"civitai", nullptr}};
    const auto finish = [&](int code) {
        if (parser.isSet(json))
            context.out << QString::fromStdString(answer.dump(2)) << "\n";
        return code;
    };

    const bool isHash = models::isCivitaiFileHash(wanted);
    std::optional<models::ModelConfig> found;
    if (isHash) {
        const auto records = store.allModels();
        if (!records) {
            context.err << "atelier resolve: " << records.error() << "\n";
            return kExitFailure;
        }
        found = models::modelWithHash(records.value(), wanted);
        const auto pending = std::count_if(records->begin(), records->end(), [](const models::ModelConfig &model) {
            return model.hash.startsWith(QLatin1String("fast:"));
        });
        if (!found && pending > 0)
            context.err << "atelier resolve: " << pending
                        << " models have only their fast hash so far and may include this one; atelier "
                           "import-library computes their full hashes\n";
    } else {
        const Result<models::ModelConfig> named = models::lookUpModel(store, wanted);
        if (!named) {
            context.err << "atelier resolve: " << named.error() << "\n";
            return finish(kExitFailure);
        }
        found = named.value();
    }
    if (found) {
        answer["library"] = models::toJson(*found);
        if (!parser.isSet(json))
            context.out << "in the library: " << found->name << " (" << models::toString(found->base) << " "
                        << models::toString(found->type) << ", key " << found->key << ") at " << found->path << "\n";
        return finish(kExitOk);
    }
    if (!parser.isSet(online)) {
        context.err << "atelier resolve: no model in the library has the hash " << wanted
                    << "; --online asks Civitai which model file has it\n";
        return finish(kExitFailure);
    }

    const QUrl endpoint = installer.options().civitaiEndpoint;
    const QString sourceText = models::civitaiByHashSource(wanted, endpoint);
    const Result<models::ModelSource> source = models::parseModelSource(sourceText, endpoint.host());
    const Result<models::RemoteModel> remote =
        source ? installer.describeRemote(source.value()) : Result<models::RemoteModel>::failure(source);
    if (!remote) {
        context.err << "atelier resolve: " << remote.error() << "\n";
        return finish(kExitFailure);
    }
    answer["civitai"] = remoteJson(remote.value(), wanted, sourceText);
    if (!parser.isSet(json)) {
        context.out << "on Civitai: " << remote->name
                    << (remote->base ? QStringLiteral(" (%1)").arg(models::toString(*remote->base)) : QString())
                    << "\n";
        for (const nlohmann::json &file : answer["civitai"]["files"])
            context.out << "  " << QString::fromStdString(file["path"].get<std::string>()) << "  "
                        << QString::fromStdString(file["sha256"].get<std::string>())
                        << (file["matches"].get<bool>() ? "  (this hash)" : "") << "\n";
        if (!parser.isSet(install))
            context.out << "install it with: atelier install " << sourceText << "\n";
    }
    if (!parser.isSet(install))
        return finish(kExitOk);
    const models::InstallJob started = installer.heuristicImport(sourceText);
    const auto ended = installer.waitForJob(started.id);
    const models::InstallJob job = ended ? *ended : started;
    if (!job.complete()) {
        context.err << "atelier resolve: the install failed: " << job.error << "\n";
        return finish(kExitFailure);
    }
    answer["installed"] = job.key().toStdString();
    if (!parser.isSet(json))
        context.out << "installed: " << job.key() << "\n";
    return finish(kExitOk);
}

} // namespace atelier::app
