#include "app/command.h"
#include "app/library_services.h"
#include "core/json/bounded_json.h"

#include "core/models/record_store.h"
#include "core/settings/app_root.h"

#include <QDateTime>
#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace atelier::app {

using json = nlohmann::ordered_json;
using models::ModelConfig;
using models::RecordStore;

namespace {

const char *const kExportFormat = "atelier-model-library";
constexpr int kExportVersion = 1;

int fail(CommandContext &context, const QString &subcommand, const QString &message)
{
    context.err << "atelier models " << subcommand << ": " << message << "\n";
    return kExitFailure;
}

int usage(CommandContext &context, const QString &subcommand, const QString &message)
{
    context.err << "atelier models " << subcommand << ": " << message << "\n"
                << "Try 'atelier models " << subcommand << " --help'.\n";
    return kExitUsage;
}

template <typename E>
bool parseFilter(CommandContext &context, const QString &subcommand, const QString &text, std::optional<E> &target,
                 int &status)
{
    if (text.isEmpty())
        return true;
    const Result<E> parsed = models::parseTaxonomy<E>(text);
    if (!parsed) {
        status = usage(context, subcommand, parsed.error());
        return false;
    }
    target = parsed.value();
    return true;
}

QString fieldText(const json &value)
{
    if (value.is_null())
        return QString();
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_array()) {
        QStringList items;
        for (const json &item : value)
            items << (item.is_string() ? QString::fromStdString(item.get<std::string>()) : QString::fromStdString(item.dump()));
        return items.join(QStringLiteral(", "));
    }
    return QString::fromStdString(value.dump());
}

// ---- list ------------------------------------------------------------------------------------------------

int runList(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    const QCommandLineOption base(QStringLiteral("base"), QStringLiteral("Only models of this base (sd-1, sdxl …)."), QStringLiteral("B"));
    const QCommandLineOption type(QStringLiteral("type"), QStringLiteral("Only models of this type (main, lora …)."), QStringLiteral("T"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("Only models in this format."), QStringLiteral("F"));
    const QCommandLineOption tag(QStringLiteral("tag"), QStringLiteral("Only models with this tag (repeatable: all of them)."), QStringLiteral("TAG"));
    const QCommandLineOption search(QStringLiteral("search"), QStringLiteral("Words to find in names, descriptions, tags and trigger words."), QStringLiteral("TEXT"));
    const QCommandLineOption sort(QStringLiteral("sort"), QStringLiteral("name (default), added, size or type."), QStringLiteral("KEY"), QStringLiteral("name"));
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print a JSON array of records."));
    parser.addOptions({base, type, format, tag, search, sort, asJson});
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("List the models in the library.")); done >= 0)
        return done;

    models::ModelQuery query;
    query.limit = 0;
    int status = kExitOk;
    if (!parseFilter(context, QStringLiteral("list"), parser.value(base), query.base, status)
        || !parseFilter(context, QStringLiteral("list"), parser.value(type), query.type, status)
        || !parseFilter(context, QStringLiteral("list"), parser.value(format), query.format, status))
        return status;
    query.tags = parser.values(tag);
    query.text = parser.value(search);
    const QString sortKey = parser.value(sort);
    if (sortKey == QLatin1String("added"))
        query.sort = models::ModelQuery::Sort::AddedAt;
    else if (sortKey == QLatin1String("size"))
        query.sort = models::ModelQuery::Sort::Size;
    else if (sortKey == QLatin1String("type"))
        query.sort = models::ModelQuery::Sort::Type;
    else if (sortKey != QLatin1String("name"))
        return usage(context, QStringLiteral("list"), QStringLiteral("unknown sort key \"%1\"; use name, added, size or type").arg(sortKey));

    const Result<models::ModelPage> page = store.query(query);
    if (!page)
        return fail(context, QStringLiteral("list"), page.error());
    if (parser.isSet(asJson)) {
        json array = json::array();
        for (const ModelConfig &config : page->models)
            array.push_back(models::toJson(config));
        context.out << QString::fromStdString(array.dump(2)) << "\n";
        return kExitOk;
    }
    if (page->models.isEmpty()) {
        context.out << "No models match.\n";
        return kExitOk;
    }
    context.out << QStringLiteral("%1  %2  %3  %4  %5\n")
                       .arg(QStringLiteral("KEY").leftJustified(32), QStringLiteral("BASE").leftJustified(12),
                            QStringLiteral("TYPE").leftJustified(11), QStringLiteral("FORMAT").leftJustified(14),
                            QStringLiteral("NAME"));
    for (const ModelConfig &config : page->models) {
        context.out << QStringLiteral("%1  %2  %3  %4  %5\n")
                           .arg(config.key, models::toString(config.base).leftJustified(12),
                                models::toString(config.type).leftJustified(11),
                                models::toString(config.format).leftJustified(14), config.name);
    }
    context.out << page->total << (page->total == 1 ? " model\n" : " models\n");
    return kExitOk;
}

// ---- show ------------------------------------------------------------------------------------------------

int runShow(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print the record as a JSON object."));
    parser.addOption(asJson);
    parser.addPositionalArgument(QStringLiteral("KEY"), QStringLiteral("The model's key, or a unique start of it."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Show every field of one model.")); done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1)
        return usage(context, QStringLiteral("show"), QStringLiteral("expected one KEY"));
    const Result<QString> key = resolveKey(store, parser.positionalArguments().first());
    if (!key)
        return fail(context, QStringLiteral("show"), key.error());
    const Result<ModelConfig> config = store.getModel(key.value());
    if (!config)
        return fail(context, QStringLiteral("show"), config.error());
    const json object = models::toJson(config.value());
    if (parser.isSet(asJson)) {
        context.out << QString::fromStdString(object.dump(2)) << "\n";
        return kExitOk;
    }
    for (const auto &item : object.items())
        context.out << QString::fromStdString(item.key()).leftJustified(20) << fieldText(item.value()) << "\n";
    return kExitOk;
}

// ---- edit ------------------------------------------------------------------------------------------------

int runEdit(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("New name."), QStringLiteral("N"));
    const QCommandLineOption description(QStringLiteral("description"), QStringLiteral("New description."), QStringLiteral("D"));
    const QCommandLineOption tag(QStringLiteral("tag"), QStringLiteral("+TAG adds a tag, -TAG removes one (repeatable); write --tag=-TAG to remove."), QStringLiteral("+T|-T"));
    const QCommandLineOption variant(QStringLiteral("variant"), QStringLiteral("normal, inpaint, depth …"), QStringLiteral("V"));
    const QCommandLineOption prediction(QStringLiteral("prediction-type"), QStringLiteral("epsilon, v_prediction or sample."), QStringLiteral("P"));
    const QCommandLineOption vae(QStringLiteral("vae"), QStringLiteral("A VAE to use instead of the built-in one (empty: none)."), QStringLiteral("PATH"));
    parser.addOptions({name, description, tag, variant, prediction, vae});
    parser.addPositionalArgument(QStringLiteral("KEY"), QStringLiteral("The model's key, or a unique start of it."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Change fields of one model.")); done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1)
        return usage(context, QStringLiteral("edit"), QStringLiteral("expected one KEY"));
    const Result<QString> key = resolveKey(store, parser.positionalArguments().first());
    if (!key)
        return fail(context, QStringLiteral("edit"), key.error());
    const Result<ModelConfig> current = store.getModel(key.value());
    if (!current)
        return fail(context, QStringLiteral("edit"), current.error());

    json changes = json::object();
    if (parser.isSet(name))
        changes["name"] = parser.value(name).toStdString();
    if (parser.isSet(description))
        changes["description"] = parser.value(description).toStdString();
    if (parser.isSet(variant))
        changes["variant"] = parser.value(variant).toStdString();
    if (parser.isSet(prediction))
        changes["prediction_type"] = parser.value(prediction).toStdString();
    if (parser.isSet(vae))
        changes["vae"] = parser.value(vae).isEmpty() ? json() : json(parser.value(vae).toStdString());
    if (parser.isSet(tag)) {
        QStringList tags = current->tags;
        for (const QString &change : parser.values(tag)) {
            if (change.startsWith(QLatin1Char('-')))
                tags.removeIf([&](const QString &t) { return t.compare(change.mid(1).simplified(), Qt::CaseInsensitive) == 0; });
            else
                tags << (change.startsWith(QLatin1Char('+')) ? change.mid(1) : change);
        }
        json array = json::array();
        for (const QString &t : tags)
            array.push_back(t.toStdString());
        changes["tags"] = array;
    }
    if (changes.empty())
        return usage(context, QStringLiteral("edit"), QStringLiteral("nothing to change; give at least one option"));
    const Result<ModelConfig> updated = store.updateModel(key.value(), changes);
    if (!updated)
        return fail(context, QStringLiteral("edit"), updated.error());
    context.out << "Updated " << updated->key << " (" << updated->name << ")\n";
    return kExitOk;
}

// ---- rm --------------------------------------------------------------------------------------------------

int runRemove(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    const QCommandLineOption deleteFiles(QStringLiteral("delete-files"),
                                         QStringLiteral("Delete the model's files too (only inside the models folder)."));
    parser.addOption(deleteFiles);
    parser.addPositionalArgument(QStringLiteral("KEY"), QStringLiteral("The model's key, or a unique start of it."));
    if (const int done = parseCommandArguments(parser, context,
                                               QStringLiteral("Remove a model from the library: its record, and its files with --delete-files."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1)
        return usage(context, QStringLiteral("rm"), QStringLiteral("expected one KEY"));
    const Result<QString> key = resolveKey(store, parser.positionalArguments().first());
    if (!key)
        return fail(context, QStringLiteral("rm"), key.error());
    const Result<ModelConfig> config = store.getModel(key.value());
    const QString named = config ? QStringLiteral(" (%1)").arg(config->name) : QString();
    if (parser.isSet(deleteFiles)) {
        auto services = LibraryServices::open(context.root, context.settings, false);
        if (!services)
            return fail(context, QStringLiteral("rm"), services.error());
        if (const Status deleted = services.value()->installer().deleteModel(key.value()); !deleted)
            return fail(context, QStringLiteral("rm"), deleted.error());
        context.out << "Removed " << key.value() << named << " and deleted " << (config ? config->path : QString()) << "\n";
        return kExitOk;
    }
    if (const Status removed = store.deleteModel(key.value()); !removed)
        return fail(context, QStringLiteral("rm"), removed.error());
    context.out << "Removed " << key.value() << named << "; its files were not touched.\n";
    return kExitOk;
}

// ---- export / import -------------------------------------------------------------------------------------

int runExport(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("FILE.json"), QStringLiteral("Where to write the backup."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Write every record to a JSON file.")); done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1)
        return usage(context, QStringLiteral("export"), QStringLiteral("expected one FILE.json"));
    const Result<QList<ModelConfig>> all = store.allModels();
    if (!all)
        return fail(context, QStringLiteral("export"), all.error());
    json document;
    document["format"] = kExportFormat;
    document["version"] = kExportVersion;
    document["exported_at"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    document["models"] = json::array();
    for (const ModelConfig &config : all.value())
        document["models"].push_back(models::toJson(config));
    const std::string text = document.dump(2) + "\n";
    const QString path = parser.positionalArguments().first();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) != qint64(text.size())
        || !file.commit())
        return fail(context, QStringLiteral("export"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    context.out << "Exported " << all->size() << (all->size() == 1 ? " model" : " models") << " to " << path << "\n";
    return kExitOk;
}

int runImport(CommandContext &context, RecordStore &store)
{
    QCommandLineParser parser;
    const QCommandLineOption replace(QStringLiteral("replace"), QStringLiteral("Replace records whose key is already in the library."));
    parser.addOption(replace);
    parser.addPositionalArgument(QStringLiteral("FILE.json"), QStringLiteral("A file written by 'atelier models export'."));
    if (const int done = parseCommandArguments(parser, context,
                                               QStringLiteral("Add the records of an exported file; all or nothing."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1)
        return usage(context, QStringLiteral("import"), QStringLiteral("expected one FILE.json"));
    const QString path = parser.positionalArguments().first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(context, QStringLiteral("import"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    const json document = parseBoundedJsonOrDiscarded<json>(bytes);
    if (document.is_discarded() || !document.is_object() || document.value("format", "") != kExportFormat
        || !document.contains("models") || !document["models"].is_array())
        return fail(context, QStringLiteral("import"),
                    QStringLiteral("%1 is not a model library export (expected JSON with \"format\": \"%2\" and a "
                                   "\"models\" array); nothing was imported")
                        .arg(path, QLatin1String(kExportFormat)));
    if (document.value("version", 0) > kExportVersion)
        return fail(context, QStringLiteral("import"),
                    QStringLiteral("%1 was exported by a newer version of Atelier; nothing was imported").arg(path));
    QList<ModelConfig> configs;
    int index = 0;
    for (const json &item : document["models"]) {
        Result<ModelConfig> config = models::fromJson(item);
        if (!config)
            return fail(context, QStringLiteral("import"),
                        QStringLiteral("record %1 of %2: %3; nothing was imported").arg(index).arg(path, config.error()));
        configs << std::move(config).value();
        ++index;
    }
    const Result<RecordStore::ImportReport> report = store.importModels(configs, parser.isSet(replace));
    if (!report)
        return fail(context, QStringLiteral("import"), report.error());
    context.out << "Imported " << report->added << " new, replaced " << report->replaced << ", skipped "
                << report->skippedKeys.size() << " already in the library\n";
    return kExitOk;
}

struct Subcommand
{
    const char *name;
    const char *summary;
    int (*run)(CommandContext &, RecordStore &);
};

const Subcommand kSubcommands[] = {
    {"list", "List models, with filters (--base, --type, --format, --tag, --search)", runList},
    {"show", "Show every field of one model", runShow},
    {"edit", "Change a model's name, description, tags, variant, prediction type or VAE", runEdit},
    {"rm", "Remove a model's record (not its files)", runRemove},
    {"export", "Back up every record to a JSON file", runExport},
    {"import", "Restore records from an exported JSON file", runImport},
};

} // namespace

// `atelier models SUBCOMMAND …`: the model library's records.
int runModelsCommand(CommandContext &context)
{
    const QString subcommand = context.arguments.value(1);
    QString help = QStringLiteral("Usage: atelier models SUBCOMMAND [options]\n\nSubcommands:\n");
    for (const Subcommand &entry : kSubcommands)
        help += QStringLiteral("  %1%2\n").arg(QString::fromLatin1(entry.name).leftJustified(8), QLatin1String(entry.summary));
    help += QStringLiteral("\nRun 'atelier models SUBCOMMAND --help' for its options.\n");
    if (subcommand.isEmpty() || subcommand == QLatin1String("--help") || subcommand == QLatin1String("-h")) {
        (subcommand.isEmpty() ? context.err : context.out) << help;
        return subcommand.isEmpty() ? kExitUsage : kExitOk;
    }
    for (const Subcommand &entry : kSubcommands) {
        if (subcommand != QLatin1String(entry.name))
            continue;
        RecordStore store(context.root.databasePath());
        if (const Status opened = store.open(); !opened) {
            context.err << "atelier models " << subcommand << ": " << opened.error() << "\n";
            return kExitFailure;
        }
        CommandContext sub{QStringList{context.arguments.first() + QLatin1Char(' ') + subcommand} + context.arguments.mid(2),
                           context.root, context.settings, context.out, context.err};
        return entry.run(sub, store);
    }
    context.err << "atelier models: unknown subcommand '" << subcommand << "'\n" << help;
    return kExitUsage;
}

} // namespace atelier::app
