#pragma once

// Bringing other tools' libraries in: their model folders registered in place (no copies; the source tool keeps
// working and nothing in its folders is written), with what the tools know about each model (InvokeAI's records,
// Civitai Helper, A1111 and Stability Matrix sidecars) as the records' names, descriptions, trigger words, sources
// and covers, and the probe's findings checked against what the tool said.
#include "core/hashing/content_hash.h"
#include "core/models/import/foreign_installations.h"
#include "core/models/import/invokeai_records.h"
#include "core/models/model_config.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace atelier::models {

class ModelInstaller;
class RecordStore;

// A model file or folder an import would register.
struct ImportItem
{
    QString path;
    ForeignTool tool = ForeignTool::ComfyUi;
    QString folder;                        // the tool's folder it was found in (empty: a file InvokeAI registered)
    QString role;                          // that folder's name in the tool
    std::optional<ModelType> expectedType; // what that folder holds
    qint64 bytes = 0;
    bool inLibrary = false; // its path is registered already
    std::optional<InvokeAiRecord> invokeRecord;
};

struct ImportPlan
{
    QList<ForeignInstallation> installations;
    QList<ImportItem> items; // each path once, in the installations' order
    QStringList problems;    // what could not be read: configs, databases

    struct Group
    {
        QString label; // "ComfyUI · loras"
        int count = 0;
        int inLibrary = 0;
        qint64 bytes = 0;
    };
    // Counts and sizes by tool and folder, for "what was found".
    QList<Group> groups() const;
    qint64 totalBytes() const;
};

// Finds the installations at `paths` and lists their models; reads, never writes.
ImportPlan planLibraryImport(const QStringList &paths, const RecordStore &store);

struct ImportReport
{
    QStringList registered;  // keys of new records
    QStringList known;       // paths registered before (a re-import registers nothing again)
    QStringList duplicates;  // "path: the same file as NAME (PATH)"
    QStringList failures;    // "path: why"
    QStringList differences; // "path: InvokeAI says base sdxl, the probe says sd-1"
    QStringList warnings;    // sidecars that could not be read (the model is registered without them)
    bool cancelled = false;
    int fullyHashed = -1; // models whose full SHA-256 completeImportHashes computed; -1: not run
    QStringList folders;  // the tools' folders the import went through, to be watched from now on
};

// Called before each item: how many are done, of how many, and which comes next.
using ImportProgress = std::function<void(int done, int total, const QString &path)>;

// Registers the plan's items in place, one after another (each is probed and given its fast identity hash: the
// full SHA-256 comes after, from ModelInstaller::completeQuickHashes). Restartable: what is registered stays, and the
// next run skips it. Runs on the calling thread: never the GUI thread.
ImportReport runLibraryImport(ModelInstaller &installer, const ImportPlan &plan, const ImportProgress &progress = {},
                              const hashing::CancelFlag *cancel = nullptr);

// Registers `path` in place with its fast identity hash and `overrides` (the tools' metadata, ModelConfig's JSON
// names). Values the library refuses (a base it does not know) do not keep the model out: it is registered on the
// probe's findings, and `refused` says why the metadata was not taken. For the import and the folder watch.
Result<ModelConfig> registerInPlace(ModelInstaller &installer, const QString &path, const QByteArray &overrides,
                                    const hashing::CancelFlag *cancel, QString *refused = nullptr);

// The second phase: the full SHA-256 of every model registered with only its fast hash (this import's and any
// earlier one's), into `report` (fullyHashed; cancelled; a failure among failures). Restartable like the first.
void completeImportHashes(ModelInstaller &installer, ImportReport &report, const ImportProgress &progress = {},
                          const hashing::CancelFlag *cancel = nullptr);

} // namespace atelier::models
