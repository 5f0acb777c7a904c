#include "app/command.h"
#include "app/library_services.h"

#include "core/models/taxonomy.h"
#include "core/settings/settings_store.h"

#include <QEventLoop>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace atelier::app {

namespace {

using models::InstallJob;
using models::ModelInstaller;

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / double(1 << 20), 'f', 1) + QStringLiteral(" MiB");
}

// One line, redrawn: status, bytes of all parts, and the parts still downloading.
void drawInstallProgress(const InstallJob &job)
{
    QString line = QStringLiteral("\r%1").arg(toString(job.status), -11);
    if (job.downloading()) {
        int active = 0;
        for (const models::InstallPart &part : job.parts)
            active += part.totalBytes == 0 || part.bytes < part.totalBytes ? 1 : 0;
        const int percent = job.totalBytes > 0 ? int(100 * job.bytes / job.totalBytes) : 0;
        line += QStringLiteral(" %1%  %2 / %3  (%4 of %5 files left)")
                    .arg(percent, 3)
                    .arg(megabytes(job.bytes), job.totalBytes > 0 ? megabytes(job.totalBytes) : QStringLiteral("?"))
                    .arg(active)
                    .arg(job.parts.size());
    } else if (job.running()) {
        line += QStringLiteral(" probing, hashing and registering %1").arg(job.localPath);
    }
    std::fputs((line + QStringLiteral("\033[K")).toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

Result<std::unique_ptr<LibraryServices>> openServices(CommandContext &context)
{
    return LibraryServices::open(context.root, context.settings, false);
}

} // namespace

// `atelier install SOURCE [--inplace] [--name N] [--base B] [--type T] [--token T] [--allow-duplicate]`
int runInstallCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption inplace(QStringLiteral("inplace"), QStringLiteral("Register a local model where it is instead of copying it."));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("The model's name (default: probed or from the hub)."), QStringLiteral("N"));
    const QCommandLineOption base(QStringLiteral("base"), QStringLiteral("Override the probed base (sd-1, sd-2, sdxl …)."), QStringLiteral("B"));
    const QCommandLineOption type(QStringLiteral("type"), QStringLiteral("Override the probed type (main, lora, vae …)."), QStringLiteral("T"));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Access token (default: the settings', HF_TOKEN, huggingface-cli's)."),
                                   QStringLiteral("T"));
    const QCommandLineOption allowDuplicate(QStringLiteral("allow-duplicate"), QStringLiteral("Install even if the same model is in the library."));
    parser.addOptions({inplace, name, base, type, token, allowDuplicate});
    parser.addPositionalArgument(QStringLiteral("SOURCE"),
                                 QStringLiteral("A file or folder, a URL, a Civitai page, or a Hugging Face repo id "
                                                "(owner/name, owner/name:fp16, owner/name:fp16:vae, owner/name::file.safetensors)."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Install a model into the library and print its key.")); done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier install: expected one SOURCE\n";
        return kExitUsage;
    }
    nlohmann::ordered_json overrides = nlohmann::ordered_json::object();
    if (parser.isSet(name))
        overrides["name"] = parser.value(name).toStdString();
    const auto checkTaxonomy = [&](const QCommandLineOption &option, auto parsed) {
        if (!parser.isSet(option))
            return true;
        if (!parsed) {
            context.err << "atelier install: " << parsed.error() << "\n";
            return false;
        }
        overrides[option.names().first().toStdString()] = parser.value(option).toStdString();
        return true;
    };
    if (!checkTaxonomy(base, models::parseTaxonomy<models::BaseModel>(parser.value(base)))
        || !checkTaxonomy(type, models::parseTaxonomy<models::ModelType>(parser.value(type))))
        return kExitUsage;

    auto services = openServices(context);
    if (!services) {
        context.err << "atelier install: " << services.error() << "\n";
        return kExitFailure;
    }
    ModelInstaller &installer = services.value()->installer();
    ModelInstaller::Request request;
    request.inplace = parser.isSet(inplace);
    request.allowDuplicate = parser.isSet(allowDuplicate);
    request.accessToken = parser.value(token);
    if (!overrides.empty())
        request.config = QByteArray::fromStdString(overrides.dump());

    const bool interactive = ::isatty(STDERR_FILENO);
    QEventLoop loop;
    InstallJob last;
    int id = -1;
    QObject::connect(&installer, &ModelInstaller::jobChanged, &loop, [&](const InstallJob &job) {
        if (job.id != id && id >= 0)
            return;
        last = job;
        if (interactive)
            drawInstallProgress(job);
        if (job.inTerminalState())
            loop.quit();
    }, Qt::QueuedConnection);
    const InstallJob started = installer.heuristicImport(parser.positionalArguments().first(), request);
    id = started.id;
    last = started;
    if (!started.inTerminalState()) {
        // Events queued before the id was known are delivered now, in order; the terminal one quits.
        if (const auto now = installer.jobById(id); !now || !now->inTerminalState())
            loop.exec();
        else
            last = *now;
    }
    if (const auto ended = installer.jobById(id))
        last = *ended;
    if (interactive)
        std::fputs("\r\033[K", stderr);
    if (!last.complete()) {
        context.err << "atelier install: "
                    << (last.cancelled() ? QStringLiteral("cancelled") : QStringLiteral("%1 (%2)").arg(last.error, last.errorType)) << "\n";
        return kExitFailure;
    }
    context.err << "Installed \"" << last.configOut->name << "\" (" << toString(last.configOut->base) << " "
                << toString(last.configOut->type) << ") at " << last.configOut->path << "\n";
    context.out << last.key() << "\n";
    return kExitOk;
}

// `atelier scan DIR [--install]`
int runScanCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption install(QStringLiteral("install"), QStringLiteral("Copy the models into the library instead of registering them in place."));
    parser.addOption(install);
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("The folder to search, with its subfolders."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Find the models in a folder and add the new ones to the library."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier scan: expected one DIR\n";
        return kExitUsage;
    }
    auto services = openServices(context);
    if (!services) {
        context.err << "atelier scan: " << services.error() << "\n";
        return kExitFailure;
    }
    const auto report = services.value()->installer().scanDirectory(parser.positionalArguments().first(), parser.isSet(install));
    if (!report) {
        context.err << "atelier scan: " << report.error() << "\n";
        return kExitFailure;
    }
    for (const QString &key : report.value().keys) {
        const auto config = services.value()->store().getModel(key);
        context.out << key << "  " << (config ? config->path : QString()) << "\n";
    }
    for (const QString &failure : report.value().failures)
        context.err << "atelier scan: " << failure << "\n";
    context.err << report.value().keys.size() << " added, " << report.value().known.size() << " already in the library, "
                << report.value().failures.size() << " failed\n";
    return report.value().failures.isEmpty() ? kExitOk : kExitFailure;
}

} // namespace atelier::app
