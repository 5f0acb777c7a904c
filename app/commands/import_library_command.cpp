// `atelier import-library [PATH...] [--dry-run] [--json]`: other tools' model folders registered in place.
#include "app/command.h"
#include "app/library_services.h"
#include "core/models/import/library_import.h"
#include "core/models/record_store.h"
#include "core/settings/settings_store.h"

#include <QDir>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace atelier::app {

namespace {

QString gibibytes(qint64 bytes)
{
    return QString::number(double(bytes) / double(qint64(1) << 30), 'f', 2) + QStringLiteral(" GiB");
}

void printPlan(CommandContext &context, const models::ImportPlan &plan)
{
    for (const models::ForeignInstallation &installation : plan.installations)
        context.out << models::foreignToolName(installation.tool) << " at " << installation.root << " ("
                    << installation.folders.size() << " model folders"
                    << (installation.invokeDatabase.isEmpty()
                            ? QString()
                            : QStringLiteral(", records in ") + installation.invokeDatabase)
                    << ")\n";
    for (const models::ImportPlan::Group &group : plan.groups())
        context.out << "  " << group.label.leftJustified(40) << QString::number(group.count).rightJustified(6)
                    << " models  " << gibibytes(group.bytes).rightJustified(12)
                    << (group.inLibrary ? QStringLiteral("  (%1 already in the library)").arg(group.inLibrary)
                                        : QString())
                    << "\n";
    context.out << "  " << QStringLiteral("in all").leftJustified(40)
                << QString::number(plan.items.size()).rightJustified(6) << " models  "
                << gibibytes(plan.totalBytes()).rightJustified(12) << "\n";
    for (const QString &problem : plan.problems)
        context.err << "atelier import-library: " << problem << "\n";
}

nlohmann::json reportJson(const models::ImportPlan &plan, const models::ImportReport *report)
{
    nlohmann::json object;
    object["installations"] = nlohmann::json::array();
    for (const models::ForeignInstallation &installation : plan.installations) {
        nlohmann::json folders = nlohmann::json::array();
        for (const models::ForeignModelFolder &folder : installation.folders)
            folders.push_back({{"path", folder.path.toStdString()}, {"role", folder.role.toStdString()}});
        object["installations"].push_back({{"tool", models::foreignToolName(installation.tool).toStdString()},
                                           {"root", installation.root.toStdString()},
                                           {"folders", folders},
                                           {"invokeai_database", installation.invokeDatabase.toStdString()}});
    }
    object["groups"] = nlohmann::json::array();
    for (const models::ImportPlan::Group &group : plan.groups())
        object["groups"].push_back({{"label", group.label.toStdString()},
                                    {"models", group.count},
                                    {"in_library", group.inLibrary},
                                    {"bytes", group.bytes}});
    const auto strings = [](const QStringList &list) {
        nlohmann::json array = nlohmann::json::array();
        for (const QString &item : list)
            array.push_back(item.toStdString());
        return array;
    };
    object["problems"] = strings(plan.problems);
    if (report) {
        object["registered"] = strings(report->registered);
        object["known"] = strings(report->known);
        object["duplicates"] = strings(report->duplicates);
        object["failures"] = strings(report->failures);
        object["differences"] = strings(report->differences);
        object["warnings"] = strings(report->warnings);
        object["fully_hashed"] = report->fullyHashed;
    }
    return object;
}

} // namespace

int runImportLibraryCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Show what would be registered, and stop."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the findings and the outcome as JSON."));
    const QCommandLineOption quick(QStringLiteral("quick"),
                                   QStringLiteral("Register with the fast identity hash only; the next import without "
                                                  "--quick computes the full SHA-256."));
    parser.addOptions({dryRun, json, quick});
    parser.addPositionalArgument(QStringLiteral("PATH"),
                                 QStringLiteral("A ComfyUI, A1111/Forge, InvokeAI or Stability Matrix folder (default: "
                                                "the usual places in your home folder)."),
                                 QStringLiteral("[PATH...]"));
    if (const int done = parseCommandArguments(
            parser, context,
            QStringLiteral("Register other tools' models where they are: nothing is copied or written in their "
                           "folders. Run it again to go on after an interruption."));
        done >= 0)
        return done;
    QStringList paths = parser.positionalArguments();
    if (paths.isEmpty())
        paths = models::usualInstallationPaths(QDir::homePath());
    if (paths.isEmpty()) {
        context.err << "atelier import-library: no ComfyUI, A1111/Forge, InvokeAI or Stability Matrix folder in the "
                       "usual places; name one\n";
        return kExitFailure;
    }
    auto services = LibraryServices::open(context.root, context.settings, false);
    if (!services) {
        context.err << "atelier import-library: " << services.error() << "\n";
        return kExitFailure;
    }
    const models::ImportPlan plan = models::planLibraryImport(paths, services.value()->store());
    if (!parser.isSet(json))
        printPlan(context, plan);
    if (plan.installations.isEmpty()) {
        if (parser.isSet(json))
            context.out << QString::fromStdString(reportJson(plan, nullptr).dump(2)) << "\n";
        return kExitFailure;
    }
    if (parser.isSet(dryRun)) {
        if (parser.isSet(json))
            context.out << QString::fromStdString(reportJson(plan, nullptr).dump(2)) << "\n";
        return kExitOk;
    }
    const auto progress = [&](int done, int total, const QString &path) {
        if (parser.isSet(json))
            return;
        const QString line = path.isEmpty() ? QStringLiteral("\r%1/%2 done").arg(done).arg(total)
                                            : QStringLiteral("\r%1/%2 %3").arg(done + 1).arg(total).arg(path);
        std::fputs((line + QStringLiteral("\033[K")).toLocal8Bit().constData(), stderr);
        std::fflush(stderr);
    };
    models::ImportReport report = models::runLibraryImport(services.value()->installer(), plan, progress);
    // The library is usable now; the full SHA-256 of what came in with its fast hash follows, unless put off.
    if (!parser.isSet(quick)) {
        if (!parser.isSet(json))
            context.err << "\ncomputing full hashes (stop with Ctrl+C: the next import goes on)\n";
        models::completeImportHashes(services.value()->installer(), report, progress);
    }
    // The folders are watched from now on (by the application while it runs).
    if (!report.cancelled)
        if (const Status saved = context.settings.addWatchedModelFolders(report.folders); !saved)
            context.err << "atelier import-library: the folders will not be watched: " << saved.error() << "\n";
    if (parser.isSet(json)) {
        context.out << QString::fromStdString(reportJson(plan, &report).dump(2)) << "\n";
    } else {
        context.err << "\n";
        for (const QString &difference : report.differences)
            context.out << "differs: " << difference << "\n";
        for (const QString &duplicate : report.duplicates)
            context.out << "duplicate: " << duplicate << "\n";
        for (const QString &warning : report.warnings)
            context.err << "atelier import-library: " << warning << "\n";
        for (const QString &failure : report.failures)
            context.err << "atelier import-library: " << failure << "\n";
        context.out << report.registered.size() << " registered, " << report.known.size() << " already in the library, "
                    << report.duplicates.size() << " duplicates, " << report.failures.size() << " failed"
                    << (report.fullyHashed >= 0 ? QStringLiteral("; %1 hashed in full").arg(report.fullyHashed)
                                                : QString())
                    << "\n";
    }
    return report.failures.isEmpty() ? kExitOk : kExitFailure;
}

} // namespace atelier::app
