#include "core/models/import/library_import.h"

#include "core/models/import/content_index.h"
#include "core/models/import/sidecar_metadata.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <nlohmann/json.hpp>

namespace atelier::models {

namespace {

// The record fields the tools know: InvokeAI's record first (the user curated it there), the sidecars for what it
// leaves out.
QByteArray overridesFor(const ImportItem &item, QStringList &warnings)
{
    const SidecarMetadata sidecars = readSidecars(item.path);
    warnings << sidecars.problems;
    nlohmann::ordered_json overrides = nlohmann::ordered_json::parse(sidecars.overridesJson().toStdString());
    if (!item.invokeRecord)
        return QByteArray::fromStdString(overrides.dump());
    const InvokeAiRecord &record = *item.invokeRecord;
    const auto set = [&](const char *field, const QString &value) {
        if (!value.isEmpty())
            overrides[field] = value.toStdString();
    };
    set("name", record.name);
    set("description", record.description);
    set("cover_image", record.coverImage);
    if (!record.triggerWords.isEmpty()) {
        nlohmann::ordered_json words = nlohmann::ordered_json::array();
        for (const QString &word : record.triggerWords)
            words.push_back(word.toStdString());
        overrides["trigger_words"] = words;
    }
    // The source only when it is one Atelier can name again (a path, a URL, a Hugging Face repo).
    if (!record.source.isEmpty() && parseTaxonomy<SourceType>(record.sourceType)) {
        set("source", record.source);
        set("source_type", record.sourceType);
        if (!record.sourceApiResponse.isEmpty())
            overrides["source_api_response"] = record.sourceApiResponse.toStdString();
    }
    return QByteArray::fromStdString(overrides.dump());
}

// Where what the tool said and what the probe found disagree.
QStringList differencesOf(const ImportItem &item, const ModelConfig &registered)
{
    QStringList differences;
    const QString tool = foreignToolName(item.tool);
    if (item.expectedType && *item.expectedType != registered.type)
        differences << QStringLiteral("%1: in %2's %3 folder, but the probe says it is a %4 model")
                           .arg(item.path, tool, item.role, toString(registered.type));
    if (!item.invokeRecord)
        return differences;
    const InvokeAiRecord &record = *item.invokeRecord;
    const QList<std::pair<const char *, std::pair<QString, QString>>> fields{
        {"base", {record.base, toString(registered.base)}},
        {"type", {record.type, toString(registered.type)}},
        {"format", {record.format, toString(registered.format)}},
        {"variant", {record.variant, registered.variant ? toString(*registered.variant) : QString()}},
    };
    for (const auto &[field, values] : fields)
        if (!values.first.isEmpty() && !values.second.isEmpty() && values.first != values.second)
            differences << QStringLiteral("%1: InvokeAI says %2 %3, the probe says %4")
                               .arg(item.path, QLatin1String(field), values.first, values.second);
    return differences;
}

} // namespace

QList<ImportPlan::Group> ImportPlan::groups() const
{
    QList<Group> groups;
    QHash<QString, int> indexOf;
    for (const ImportItem &item : items) {
        const QString label = foreignToolName(item.tool) + QStringLiteral(" · ") + item.role;
        if (!indexOf.contains(label)) {
            indexOf.insert(label, int(groups.size()));
            groups.push_back({label, 0, 0, 0});
        }
        Group &group = groups[indexOf.value(label)];
        ++group.count;
        group.inLibrary += item.inLibrary ? 1 : 0;
        group.bytes += item.bytes;
    }
    return groups;
}

qint64 ImportPlan::totalBytes() const
{
    qint64 bytes = 0;
    for (const ImportItem &item : items)
        bytes += item.bytes;
    return bytes;
}

ImportPlan planLibraryImport(const QStringList &paths, const RecordStore &store)
{
    ImportPlan plan;
    QHash<QString, int> itemAt; // path → index in plan.items
    const auto add = [&](ImportItem item) {
        if (itemAt.contains(item.path))
            return;
        item.bytes = ModelInstaller::bytesOnDisk(item.path);
        const auto registered = store.searchByPath(item.path);
        item.inLibrary = bool(registered);
        itemAt.insert(item.path, int(plan.items.size()));
        plan.items.push_back(item);
    };
    for (const QString &path : paths) {
        const QList<ForeignInstallation> found = findInstallations(path);
        if (found.isEmpty())
            plan.problems
                << QStringLiteral("%1: no ComfyUI, A1111/Forge, InvokeAI or Stability Matrix models there").arg(path);
        for (const ForeignInstallation &installation : found) {
            plan.installations.push_back(installation);
            plan.problems << installation.problems;
            QHash<QString, InvokeAiRecord> invokeRecords;
            if (!installation.invokeDatabase.isEmpty()) {
                const auto records = readInvokeAiRecords(installation.invokeDatabase, installation.invokeModelsDir,
                                                         installation.invokeRoot);
                if (!records)
                    plan.problems << records.error();
                else
                    for (const InvokeAiRecord &record : records.value())
                        invokeRecords.insert(record.path, record);
            }
            for (const ForeignModelFolder &folder : installation.folders)
                for (const QString &model : ModelInstaller::modelsUnder(folder.path)) {
                    ImportItem item{model, installation.tool, folder.path, folder.role, folder.expectedType, 0, false,
                                    {}};
                    if (invokeRecords.contains(model))
                        item.invokeRecord = invokeRecords.take(model);
                    add(item);
                }
            // InvokeAI also registers models where they are, outside its folder.
            for (const InvokeAiRecord &record : std::as_const(invokeRecords)) {
                if (!QFileInfo::exists(record.path)) {
                    plan.problems << QStringLiteral("%1: InvokeAI's record \"%2\" names a file that does not exist")
                                         .arg(record.path, record.name);
                    continue;
                }
                // Only the file is InvokeAI's: its folder is not watched.
                add({record.path, installation.tool, QString(), QStringLiteral("registered in place"), std::nullopt, 0,
                     false, record});
            }
        }
    }
    return plan;
}

ImportReport runLibraryImport(ModelInstaller &installer, const ImportPlan &plan, const ImportProgress &progress,
                              const hashing::CancelFlag *cancel)
{
    ImportReport report;
    ContentIndex library(installer.recordStore(), installer.options().modelsDir);
    const int total = int(plan.items.size());
    for (int i = 0; i < total; ++i) {
        const ImportItem &item = plan.items[i];
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        if (!item.folder.isEmpty() && !report.folders.contains(item.folder))
            report.folders << item.folder;
        if (progress)
            progress(i, total, item.path);
        if (installer.recordStore().searchByPath(item.path)) {
            report.known << item.path;
            continue;
        }
        // The same file in two tools' folders is one model: the report names both paths.
        QString identity;
        if (const auto same = library.sameFileAs(item.path, identity)) {
            report.duplicates
                << QStringLiteral("%1: the same file as \"%2\" (%3)").arg(item.path, same->name, same->path);
            if (const Status noted = noteCopy(installer.recordStore(), same->key, item.path); !noted)
                report.failures << QStringLiteral("%1: %2").arg(item.path, noted.error());
            continue;
        }
        // The fast identity now; the full SHA-256 afterwards (completeQuickHashes), so that the library is usable
        // before hundreds of gigabytes are read.
        QString refused;
        const Result<ModelConfig> added =
            registerInPlace(installer, item.path, overridesFor(item, report.warnings), cancel, &refused);
        if (!refused.isEmpty())
            report.differences << QStringLiteral("%1: the tool's metadata was not taken: %2").arg(item.path, refused);
        if (added) {
            library.add(added.value(), identity);
            report.registered << added.value().key;
            report.differences << differencesOf(item, added.value());
        } else if (added.errorType() == QLatin1String("Cancelled")) {
            report.cancelled = true;
            break;
        } else if (added.errorType() == QLatin1String("DuplicateModel")) {
            report.duplicates << QStringLiteral("%1: %2").arg(item.path, added.error());
        } else {
            report.failures << QStringLiteral("%1: %2").arg(item.path, added.error());
        }
    }
    if (progress && !report.cancelled)
        progress(total, total, QString());
    return report;
}

Result<ModelConfig> registerInPlace(ModelInstaller &installer, const QString &path, const QByteArray &overrides,
                                    const hashing::CancelFlag *cancel, QString *refused)
{
    ModelInstaller::Request request;
    request.quickHash = true;
    request.config = overrides;
    const Result<ModelConfig> added = installer.registerPath(path, request, cancel);
    if (added || added.errorType() != QLatin1String("InvalidModelConfig") || overrides.isEmpty())
        return added;
    if (refused)
        *refused = added.error();
    request.config.clear();
    return installer.registerPath(path, request, cancel);
}

void completeImportHashes(ModelInstaller &installer, ImportReport &report, const ImportProgress &progress,
                          const hashing::CancelFlag *cancel)
{
    if (report.cancelled)
        return;
    const Result<int> hashed = installer.completeQuickHashes(cancel, progress);
    if (hashed)
        report.fullyHashed = hashed.value();
    else if (hashed.errorType() == QLatin1String("Cancelled"))
        report.cancelled = true;
    else
        report.failures << QStringLiteral("computing full hashes: %1").arg(hashed.error());
}

} // namespace atelier::models
