// Other tools' libraries brought in: fake ComfyUI (with an extra_model_paths.yaml naming an A1111 folder), InvokeAI
// (a real SQLite database in InvokeAI's schema) and Stability Matrix installations built on disk from the fixture
// models and sparse files, imported in place; nothing in their folders is written, a second import registers
// nothing, and broken configs, databases and sidecars are reported without keeping the other models out.
#include "core/downloads/download_queue.h"
#include "core/models/import/folder_watch.h"
#include "core/models/import/library_import.h"
#include "core/models/import/sidecar_metadata.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/fixtures.h"
#include "tests/sparse_safetensors.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier::models;
using atelier::downloads::DownloadQueue;

namespace {

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), qint64(content.size()));
}

void copyFixture(const QString &fixture, const QString &to)
{
    QDir().mkpath(QFileInfo(to).path());
    QVERIFY2(QFile::copy(QDir(fixturesDir()).filePath(fixture), to), qPrintable(to));
}

void writeLora(const QString &path, const QString &tag)
{
    QVERIFY(writeSparseSd1Lora(path, tag));
}

// A file as one copied in a while ago: the folder watch leaves files written in the last seconds for later.
void settle(const QString &path)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(-60), QFileDevice::FileModificationTime));
}

// Every file under `folder` (hidden ones too) with its size, modification time and content hash.
QMap<QString, QString> treeOf(const QString &folder)
{
    QMap<QString, QString> tree;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        file.open(QIODevice::ReadOnly);
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(&file);
        tree.insert(QDir(folder).relativeFilePath(path), QStringLiteral("%1 %2 %3")
                                                             .arg(it.fileInfo().size())
                                                             .arg(it.fileInfo().lastModified().toMSecsSinceEpoch())
                                                             .arg(QString::fromLatin1(hash.result().toHex())));
    }
    return tree;
}

// InvokeAI 4's models table: a JSON config per model, the searchable fields generated from it.
void writeInvokeAiDatabase(const QString &path, const QList<nlohmann::json> &configs)
{
    QDir().mkpath(QFileInfo(path).path());
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("invokeai"));
        database.setDatabaseName(path);
        QVERIFY(database.open());
        QSqlQuery query(database);
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode = WAL")));
        QVERIFY2(query.exec(QStringLiteral(R"(CREATE TABLE models (
            id TEXT NOT NULL PRIMARY KEY,
            hash TEXT GENERATED ALWAYS as (json_extract(config, '$.hash')) VIRTUAL NOT NULL,
            base TEXT GENERATED ALWAYS as (json_extract(config, '$.base')) VIRTUAL NOT NULL,
            type TEXT GENERATED ALWAYS as (json_extract(config, '$.type')) VIRTUAL NOT NULL,
            path TEXT GENERATED ALWAYS as (json_extract(config, '$.path')) VIRTUAL NOT NULL,
            format TEXT GENERATED ALWAYS as (json_extract(config, '$.format')) VIRTUAL NOT NULL,
            name TEXT GENERATED ALWAYS as (json_extract(config, '$.name')) VIRTUAL NOT NULL,
            description TEXT GENERATED ALWAYS as (json_extract(config, '$.description')) VIRTUAL,
            source TEXT GENERATED ALWAYS as (json_extract(config, '$.source')) VIRTUAL NOT NULL,
            source_type TEXT GENERATED ALWAYS as (json_extract(config, '$.source_type')) VIRTUAL NOT NULL,
            source_api_response TEXT GENERATED ALWAYS as (json_extract(config, '$.source_api_response')) VIRTUAL,
            trigger_phrases TEXT GENERATED ALWAYS as (json_extract(config, '$.trigger_phrases')) VIRTUAL,
            config TEXT NOT NULL,
            created_at DATETIME NOT NULL DEFAULT(STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')),
            updated_at DATETIME NOT NULL DEFAULT(STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')))
        )")),
                 qPrintable(query.lastError().text()));
        for (const nlohmann::json &config : configs) {
            query.prepare(QStringLiteral("INSERT INTO models (id, config) VALUES (?, ?)"));
            query.addBindValue(QString::fromStdString(config.at("key").get<std::string>()));
            query.addBindValue(QString::fromStdString(config.dump()));
            QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        }
        database.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("invokeai"));
}

const ModelConfig *recordAt(const QList<ModelConfig> &records, const QString &path)
{
    for (const ModelConfig &record : records)
        if (QDir::cleanPath(record.path) == QDir::cleanPath(path))
            return &record;
    return nullptr;
}

} // namespace

class TestLibraryImport : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RecordStore> m_store;
    std::unique_ptr<DownloadQueue> m_queue;
    std::unique_ptr<ModelInstaller> m_installer;

    QString at(const QString &relative) const { return m_dir->filePath(relative); }
    QString tools() const { return at(QStringLiteral("tools")); }

    // The four installations, as their tools leave them.
    void buildInstallations()
    {
        // ComfyUI: a checkpoint, a LoRA with Civitai Helper's sidecars, a LoRA misfiled among the checkpoints, and
        // an extra_model_paths.yaml that adds an A1111 install's folders (several LoRA folders on lines of their
        // own, a base path relative to the file).
        copyFixture(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"),
                    at(QStringLiteral("tools/ComfyUI/models/checkpoints/tiny.safetensors")));
        writeLora(at(QStringLiteral("tools/ComfyUI/models/loras/style.safetensors")), QStringLiteral("style"));
        writeFile(at(QStringLiteral("tools/ComfyUI/models/loras/style.civitai.info")), R"({
            "id": 222, "modelId": 111, "name": "v1.0", "trainedWords": ["stylish", "neon"],
            "description": "<p>Neon &amp; chrome.</p>", "baseModel": "SD 1.5",
            "model": {"name": "Neon Style", "type": "LORA", "tags": ["style", "neon"]}})");
        writeFile(at(QStringLiteral("tools/ComfyUI/models/loras/style.preview.png")),
                  QByteArray("\x89PNG\r\n\x1a\n", 8));
        writeLora(at(QStringLiteral("tools/ComfyUI/models/checkpoints/misfiled-lora.safetensors")),
                  QStringLiteral("misfiled"));
        writeFile(at(QStringLiteral("tools/ComfyUI/extra_model_paths.yaml")),
                  "a111:\n    base_path: ../webui/\n    checkpoints: models/Stable-diffusion\n"
                  "    configs: models/Stable-diffusion\n    loras: |\n         models/Lora\n         models/LyCORIS\n"
                  "    embeddings: embeddings\n");
        // A1111: an extra-networks card; the same LoRA file ComfyUI has, copied; an embedding.
        writeLora(at(QStringLiteral("tools/webui/models/Lora/detail.safetensors")), QStringLiteral("detail"));
        writeFile(at(QStringLiteral("tools/webui/models/Lora/detail.json")),
                  R"({"description": "More detail", "activation text": "detailed, intricate", "sd version": "SD1"})");
        QDir().mkpath(at(QStringLiteral("tools/webui/models/LyCORIS")));
        QVERIFY(QFile::copy(at(QStringLiteral("tools/ComfyUI/models/loras/style.safetensors")),
                            at(QStringLiteral("tools/webui/models/LyCORIS/style-copy.safetensors"))));
        QDir().mkpath(at(QStringLiteral("tools/webui/models/Stable-diffusion")));
        copyFixture(QStringLiteral("models/tiny-sd1/embeddings/tiny-ti.safetensors"),
                    at(QStringLiteral("tools/webui/embeddings/tiny-ti.safetensors")));
        // InvokeAI: a LoRA its record calls an SDXL one (the probe disagrees), with trigger phrases and a cover.
        writeFile(at(QStringLiteral("tools/invokeai/invokeai.yaml")), "schema_version: 4.0.2\nmodels_dir: models\n");
        writeLora(at(QStringLiteral("tools/invokeai/models/sd-1/lora/invoke.safetensors")), QStringLiteral("invoke"));
        writeFile(at(QStringLiteral("tools/invokeai/model_images/0a1b2c.webp")), QByteArray("RIFF\0\0\0\0WEBP", 12));
        writeInvokeAiDatabase(at(QStringLiteral("tools/invokeai/databases/invokeai.db")),
                              {{{"key", "0a1b2c"},
                                {"hash", "blake3:00ff"},
                                {"path", "sd-1/lora/invoke.safetensors"},
                                {"name", "Invoke LoRA"},
                                {"description", "curated in InvokeAI"},
                                {"base", "sdxl"},
                                {"type", "lora"},
                                {"format", "lycoris"},
                                {"source", "https://civitai.com/models/333"},
                                {"source_type", "url"},
                                {"cover_image", "0a1b2c.webp"},
                                {"trigger_phrases", {"invtrigger"}}},
                               {{"key", "ffeedd"},
                                {"hash", "blake3:0000"},
                                {"path", "/nowhere/gone.safetensors"},
                                {"name", "Gone"},
                                {"base", "sd-1"},
                                {"type", "main"},
                                {"format", "checkpoint"},
                                {"source", "/nowhere/gone.safetensors"},
                                {"source_type", "path"}}});
        // Stability Matrix's shared folder, with its connected-model record.
        writeLora(at(QStringLiteral("tools/StabilityMatrix/Data/Models/Lora/sm.safetensors")), QStringLiteral("sm"));
        writeFile(at(QStringLiteral("tools/StabilityMatrix/Data/Models/Lora/sm.cm-info.json")),
                  R"({"ModelId": 444, "VersionId": 555, "ModelName": "SM Lora", "TrainedWords": ["smword"]})");
        QDir().mkpath(at(QStringLiteral("tools/StabilityMatrix/Data/Models/StableDiffusion")));
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = std::make_unique<RecordStore>(at(QStringLiteral("library.db")));
        QVERIFY(m_store->open());
        m_queue = std::make_unique<DownloadQueue>();
        ModelInstaller::Options options;
        options.modelsDir = at(QStringLiteral("models"));
        options.cacheDir = at(QStringLiteral("cache"));
        m_installer = std::make_unique<ModelInstaller>(*m_store, *m_queue, options);
        buildInstallations();
    }

    void cleanup()
    {
        m_installer.reset();
        m_queue.reset();
        m_store.reset();
        m_dir.reset();
    }

    void eachToolsLayoutIsFound()
    {
        const auto comfy = findInstallations(at(QStringLiteral("tools/ComfyUI")));
        QCOMPARE(comfy.size(), 1);
        QVERIFY(comfy[0].tool == ForeignTool::ComfyUi);
        QStringList folders;
        for (const ForeignModelFolder &folder : comfy[0].folders)
            folders << QDir(tools()).relativeFilePath(folder.path) + QLatin1Char(' ') + folder.role;
        const QStringList expected{QStringLiteral("ComfyUI/models/checkpoints checkpoints"),
                                   QStringLiteral("ComfyUI/models/loras loras"),
                                   QStringLiteral("webui/models/Stable-diffusion checkpoints (a111)"),
                                   QStringLiteral("webui/models/Lora loras (a111)"),
                                   QStringLiteral("webui/models/LyCORIS loras (a111)"),
                                   QStringLiteral("webui/embeddings embeddings (a111)")};
        QCOMPARE(folders, expected);
        QVERIFY(comfy[0].folders[1].expectedType == ModelType::Lora);
        // Its models folder given instead of its root.
        QCOMPARE(findInstallations(at(QStringLiteral("tools/ComfyUI/models"))).at(0).root,
                 QDir::cleanPath(at(QStringLiteral("tools/ComfyUI"))));

        const auto webui = findInstallations(at(QStringLiteral("tools/webui")));
        QCOMPARE(webui.size(), 1);
        QVERIFY(webui[0].tool == ForeignTool::Automatic1111);
        QCOMPARE(webui[0].folders.size(), 4);

        const auto invoke = findInstallations(at(QStringLiteral("tools/invokeai")));
        QCOMPARE(invoke.size(), 1);
        QVERIFY(invoke[0].tool == ForeignTool::InvokeAi);
        QCOMPARE(invoke[0].invokeDatabase, QDir::cleanPath(at(QStringLiteral("tools/invokeai/databases/invokeai.db"))));
        QCOMPARE(invoke[0].invokeModelsDir, QDir::cleanPath(at(QStringLiteral("tools/invokeai/models"))));

        const auto matrix = findInstallations(at(QStringLiteral("tools/StabilityMatrix")));
        QCOMPARE(matrix.size(), 1);
        QVERIFY(matrix[0].tool == ForeignTool::StabilityMatrix);
        QCOMPARE(matrix[0].folders.size(), 2);

        // A models folder in ComfyUI's layout that no tool's root holds (one that several tools share).
        QDir().mkpath(at(QStringLiteral("shared/checkpoints")));
        QDir().mkpath(at(QStringLiteral("shared/loras")));
        const auto shared = findInstallations(at(QStringLiteral("shared")));
        QCOMPARE(shared.size(), 1);
        QCOMPARE(shared[0].folders.size(), 2);
        QCOMPARE(shared[0].folders[1].path, QDir::cleanPath(at(QStringLiteral("shared/loras"))));
        QVERIFY(findInstallations(at(QStringLiteral("library.db"))).isEmpty());
        QVERIFY(findInstallations(m_dir->path()).isEmpty());
        QCOMPARE(usualInstallationPaths(tools()),
                 QStringList({QDir::cleanPath(at(QStringLiteral("tools/ComfyUI"))),
                              QDir::cleanPath(at(QStringLiteral("tools/invokeai"))),
                              QDir::cleanPath(at(QStringLiteral("tools/StabilityMatrix")))}));
    }

    // Everything registered where it is, with what the tools knew; nothing in their folders written; a second
    // import registers nothing.
    void importRegistersInPlaceWithTheToolsMetadata()
    {
        const QMap<QString, QString> before = treeOf(tools());
        const QStringList roots{at(QStringLiteral("tools/ComfyUI")), at(QStringLiteral("tools/webui")),
                                at(QStringLiteral("tools/invokeai")), at(QStringLiteral("tools/StabilityMatrix"))};
        const ImportPlan plan = planLibraryImport(roots, *m_store);
        QCOMPARE(plan.installations.size(), 4);
        // The A1111 folders come once, though ComfyUI's extra paths name them too.
        QCOMPARE(plan.items.size(), 8);
        QVERIFY2(
            plan.problems.join(QLatin1Char('\n')).contains(QStringLiteral("\"Gone\" names a file that does not exist")),
            qPrintable(plan.problems.join(QLatin1Char('\n'))));
        const auto groups = plan.groups();
        QCOMPARE(groups.first().label, QStringLiteral("ComfyUI · checkpoints"));
        QCOMPARE(groups.first().count, 2);

        QList<int> progress;
        const ImportReport report =
            runLibraryImport(*m_installer, plan, [&](int done, int, const QString &) { progress << done; });
        QVERIFY2(report.failures.isEmpty(), qPrintable(report.failures.join(QLatin1Char('\n'))));
        QCOMPARE(report.registered.size(), 7);
        QCOMPARE(report.duplicates.size(), 1);
        QVERIFY(report.duplicates[0].contains(QStringLiteral("style-copy.safetensors")));
        QCOMPARE(progress.size(), 9);
        QCOMPARE(progress.last(), 8);

        const QString differences = report.differences.join(QLatin1Char('\n'));
        QVERIFY2(
            differences.contains(QStringLiteral("invoke.safetensors: InvokeAI says base sdxl, the probe says sd-1")),
            qPrintable(differences));
        QVERIFY2(differences.contains(
                     QStringLiteral("misfiled-lora.safetensors: in ComfyUI's checkpoints folder, but the probe says it "
                                    "is a lora model")),
                 qPrintable(differences));

        const QList<ModelConfig> records = m_store->allModels().value();
        QCOMPARE(records.size(), 7);
        const ModelConfig *style =
            recordAt(records, at(QStringLiteral("tools/ComfyUI/models/loras/style.safetensors")));
        QVERIFY(style);
        QCOMPARE(style->name, QStringLiteral("Neon Style"));
        QCOMPARE(style->description, QStringLiteral("Neon & chrome."));
        QCOMPARE(style->triggerWords, QStringList({QStringLiteral("stylish"), QStringLiteral("neon")}));
        QCOMPARE(style->source, QStringLiteral("https://civitai.com/models/111?modelVersionId=222"));
        QCOMPARE(style->coverImage, at(QStringLiteral("tools/ComfyUI/models/loras/style.preview.png")));
        QVERIFY(!style->sourceApiResponse.isEmpty());
        // The copy in the A1111 folder is the same model: one record, which knows both paths.
        QCOMPARE(style->copies, QStringList{at(QStringLiteral("tools/webui/models/LyCORIS/style-copy.safetensors"))});
        const ModelConfig *detail = recordAt(records, at(QStringLiteral("tools/webui/models/Lora/detail.safetensors")));
        QVERIFY(detail);
        QCOMPARE(detail->description, QStringLiteral("More detail"));
        QCOMPARE(detail->triggerWords, QStringList({QStringLiteral("detailed"), QStringLiteral("intricate")}));
        const ModelConfig *invoke =
            recordAt(records, at(QStringLiteral("tools/invokeai/models/sd-1/lora/invoke.safetensors")));
        QVERIFY(invoke);
        QCOMPARE(invoke->name, QStringLiteral("Invoke LoRA"));
        QCOMPARE(invoke->description, QStringLiteral("curated in InvokeAI"));
        QCOMPARE(toString(invoke->base), QStringLiteral("sd-1")); // the probe's finding stands
        QCOMPARE(invoke->triggerWords, QStringList({QStringLiteral("invtrigger")}));
        QCOMPARE(invoke->source, QStringLiteral("https://civitai.com/models/333"));
        QCOMPARE(invoke->coverImage, QDir::cleanPath(at(QStringLiteral("tools/invokeai/model_images/0a1b2c.webp"))));
        const ModelConfig *matrix =
            recordAt(records, at(QStringLiteral("tools/StabilityMatrix/Data/Models/Lora/sm.safetensors")));
        QVERIFY(matrix);
        QCOMPARE(matrix->name, QStringLiteral("SM Lora"));
        QCOMPARE(matrix->triggerWords, QStringList({QStringLiteral("smword")}));
        const ModelConfig *embedding =
            recordAt(records, at(QStringLiteral("tools/webui/embeddings/tiny-ti.safetensors")));
        QVERIFY(embedding);
        QCOMPARE(toString(embedding->type), QStringLiteral("embedding"));

        // Registered with the fast identity hash; the full SHA-256 of all of them comes in the second phase.
        for (const ModelConfig &record : records)
            QVERIFY2(record.hash.startsWith(QStringLiteral("fast:")), qPrintable(record.hash));
        ImportReport hashed = report;
        QList<int> hashing;
        completeImportHashes(*m_installer, hashed, [&](int done, int, const QString &) { hashing << done; });
        QCOMPARE(hashed.fullyHashed, 7);
        QCOMPARE(hashing.size(), 8);
        const QByteArray styleBytes = [&] {
            QFile file(style->path);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        const QString styleSha256 =
            QString::fromLatin1(QCryptographicHash::hash(styleBytes, QCryptographicHash::Sha256).toHex());
        QCOMPARE(m_store->getModel(style->key).value().hash, QStringLiteral("sha256:") + styleSha256);
        const QList<ModelConfig> hashedRecords = m_store->allModels().value();
        for (const ModelConfig &record : hashedRecords)
            QVERIFY2(record.hash.startsWith(QStringLiteral("sha256:")), qPrintable(record.hash));
        completeImportHashes(*m_installer, hashed);
        QCOMPARE(hashed.fullyHashed, 0); // nothing left to do

        // In place: nothing copied into the library, nothing written in the tools' folders (InvokeAI's database
        // included: no journal, no -wal or -shm file).
        QVERIFY(!QDir(at(QStringLiteral("models"))).exists() ||
                QDir(at(QStringLiteral("models"))).entryList(QDir::Files | QDir::NoDotAndDotDot).isEmpty());
        QCOMPARE(treeOf(tools()), before);

        // Again: nothing new, everything known (the duplicate stays a duplicate).
        const ImportPlan again = planLibraryImport(roots, *m_store);
        int inLibrary = 0;
        for (const ImportItem &item : again.items)
            inLibrary += item.inLibrary ? 1 : 0;
        QCOMPARE(inLibrary, 7);
        const ImportReport second = runLibraryImport(*m_installer, again);
        QVERIFY(second.registered.isEmpty());
        QCOMPARE(second.known.size(), 7);
        QCOMPARE(m_store->allModels().value().size(), 7);
        QCOMPARE(treeOf(tools()), before);
    }

    // After the import the folders stay in step: a new model is registered, a removed one marked missing, a moved
    // one found again by its contents (whether its record has the fast or the full hash); the import names the
    // folders to watch, and the watcher does the same on its own when files change.
    void importedFoldersStayInStep()
    {
        const ImportPlan plan = planLibraryImport({at(QStringLiteral("tools/ComfyUI"))}, *m_store);
        ImportReport report = runLibraryImport(*m_installer, plan);
        QCOMPARE(report.registered.size(), 5);
        const QString loras = QDir::cleanPath(at(QStringLiteral("tools/ComfyUI/models/loras")));
        const QString checkpoints = QDir::cleanPath(at(QStringLiteral("tools/ComfyUI/models/checkpoints")));
        QVERIFY2(report.folders.contains(loras) && report.folders.contains(checkpoints),
                 qPrintable(report.folders.join(QLatin1Char(' '))));
        // The checkpoint gets its full hash; the LoRAs keep their fast ones.
        const QString tinyKey = m_store->searchByPath(checkpoints + QStringLiteral("/tiny.safetensors")).value().key;
        const QString styleKey = m_store->searchByPath(loras + QStringLiteral("/style.safetensors")).value().key;
        QVERIFY(!reconcileFolders(*m_installer, report.folders).changedLibrary());
        completeImportHashes(*m_installer, report);
        QVERIFY(m_store->getModel(tinyKey).value().hash.startsWith(QStringLiteral("sha256:")));

        writeLora(loras + QStringLiteral("/new-one.safetensors"), QStringLiteral("new"));
        // Just written, it is left for a later look; settled, it is registered.
        QVERIFY(reconcileFolders(*m_installer, report.folders).unsettled);
        settle(loras + QStringLiteral("/new-one.safetensors"));
        QDir().mkpath(loras + QStringLiteral("/sorted"));
        QVERIFY(QFile::rename(loras + QStringLiteral("/style.safetensors"),
                              loras + QStringLiteral("/sorted/style.safetensors")));
        QVERIFY(QFile::rename(checkpoints + QStringLiteral("/tiny.safetensors"),
                              checkpoints + QStringLiteral("/tiny-renamed.safetensors")));
        QVERIFY(QFile::remove(checkpoints + QStringLiteral("/misfiled-lora.safetensors")));
        for (const QString &moved : {loras + QStringLiteral("/sorted/style.safetensors"),
                                     checkpoints + QStringLiteral("/tiny-renamed.safetensors")})
            settle(moved); // written by this test a moment ago; a user's files were written long before
        const FolderReconciliation outcome = reconcileFolders(*m_installer, report.folders);
        QVERIFY2(outcome.failures.isEmpty(), qPrintable(outcome.failures.join(QLatin1Char('\n'))));
        QCOMPARE(outcome.registered.size(), 1);
        // The moved checkpoint before it is found, and the removed LoRA; the style LoRA, with a copy left, is never
        // lost.
        QCOMPARE(outcome.missing.size(), 2);
        QCOMPARE(outcome.found.size(), 2);
        const ModelConfig style = m_store->getModel(styleKey).value();
        QCOMPARE(style.path, loras + QStringLiteral("/sorted/style.safetensors"));
        QVERIFY(!style.missing);
        QCOMPARE(style.name, QStringLiteral("Neon Style")); // the record, with what the import gave it, kept
        const ModelConfig tiny = m_store->getModel(tinyKey).value();
        QCOMPARE(tiny.path, checkpoints + QStringLiteral("/tiny-renamed.safetensors"));
        QVERIFY(!tiny.missing);
        int missing = 0;
        const QList<ModelConfig> records = m_store->allModels().value();
        for (const ModelConfig &record : records)
            missing += record.missing ? 1 : 0;
        QCOMPARE(missing, 1);
        // The copy of the style LoRA in the A1111 folder is still not a model of its own, though its record has the
        // full hash now and the copy only a fast one.
        QVERIFY(!m_store->searchByPath(
            QDir::cleanPath(at(QStringLiteral("tools/webui/models/LyCORIS/style-copy.safetensors")))));
        QVERIFY(!reconcileFolders(*m_installer, report.folders).changedLibrary());
        // The model's own file deleted while a copy is left: the copy is the model now.
        const QString copyPath =
            QDir::cleanPath(at(QStringLiteral("tools/webui/models/LyCORIS/style-copy.safetensors")));
        QCOMPARE(m_store->getModel(styleKey).value().copies, QStringList{copyPath});
        QVERIFY(QFile::remove(loras + QStringLiteral("/sorted/style.safetensors")));
        const FolderReconciliation promoted = reconcileFolders(*m_installer, report.folders);
        QCOMPARE(promoted.found, QStringList{styleKey});
        QVERIFY(promoted.missing.isEmpty());
        QCOMPARE(m_store->getModel(styleKey).value().path, copyPath);
        QVERIFY(m_store->getModel(styleKey).value().copies.isEmpty());
        // A copy noted, then deleted, is forgotten.
        QVERIFY(QFile::copy(copyPath, loras + QStringLiteral("/style-again.safetensors")));
        settle(loras + QStringLiteral("/style-again.safetensors"));
        QVERIFY(!reconcileFolders(*m_installer, report.folders).changedLibrary());
        QCOMPARE(m_store->getModel(styleKey).value().copies.size(), 1);
        QVERIFY(QFile::remove(loras + QStringLiteral("/style-again.safetensors")));
        QVERIFY(reconcileFolders(*m_installer, report.folders).failures.isEmpty());
        QVERIFY(m_store->getModel(styleKey).value().copies.isEmpty());
        // A model registered by the watch (a fast hash) moved in turn.
        const QString newKey = m_store->searchByPath(loras + QStringLiteral("/new-one.safetensors")).value().key;
        QVERIFY(m_store->getModel(newKey).value().hash.startsWith(QStringLiteral("fast:")));
        QVERIFY(QFile::rename(loras + QStringLiteral("/new-one.safetensors"),
                              loras + QStringLiteral("/sorted/new-one.safetensors")));
        const FolderReconciliation again = reconcileFolders(*m_installer, report.folders);
        QCOMPARE(again.found, QStringList{newKey});
        QVERIFY(again.registered.isEmpty());
        QCOMPARE(m_store->getModel(newKey).value().path, loras + QStringLiteral("/sorted/new-one.safetensors"));

        // A file that is no model is named once and passed by until it changes.
        writeFile(loras + QStringLiteral("/notes.safetensors"), "not a model at all");
        settle(loras + QStringLiteral("/notes.safetensors"));
        UnregistrableFiles unregistrable;
        QCOMPARE(reconcileFolders(*m_installer, report.folders, nullptr, &unregistrable).failures.size(), 1);
        QVERIFY(reconcileFolders(*m_installer, report.folders, nullptr, &unregistrable).failures.isEmpty());
        QCOMPARE(reconcileFolders(*m_installer, report.folders).failures.size(), 1); // without the memory
        writeFile(loras + QStringLiteral("/notes.safetensors"), "still not a model, but longer");
        settle(loras + QStringLiteral("/notes.safetensors"));
        QCOMPARE(reconcileFolders(*m_installer, report.folders, nullptr, &unregistrable).failures.size(), 1);
        QVERIFY(QFile::remove(loras + QStringLiteral("/notes.safetensors")));

        // The watcher: a model copied into a watched folder is registered a moment later.
        LibraryWatcher watcher(*m_installer);
        watcher.setSettleMs(100);
        QSignalSpy reconciled(&watcher, &LibraryWatcher::reconciled);
        watcher.setFolders(report.folders);
        QVERIFY(reconciled.wait(10000));
        QVERIFY(!reconciled.takeFirst().at(0).value<FolderReconciliation>().changedLibrary());
        writeLora(loras + QStringLiteral("/sorted/dropped-in.safetensors"), QStringLiteral("dropped"));
        // Looked at until it has been left alone for a few seconds, then registered.
        FolderReconciliation seen;
        QElapsedTimer waited;
        waited.start();
        while (seen.registered.isEmpty() && waited.elapsed() < 20000 &&
               (!reconciled.isEmpty() || reconciled.wait(10000)))
            seen = reconciled.takeFirst().at(0).value<FolderReconciliation>();
        QCOMPARE(seen.registered.size(), 1);
        // ... and given its full SHA-256 in the background.
        QCOMPARE(seen.fullyHashed, 1);
        QVERIFY(m_store->searchByPath(loras + QStringLiteral("/sorted/dropped-in.safetensors"))
                    ->hash.startsWith(QStringLiteral("sha256:")));
        QVERIFY(m_store->searchByPath(loras + QStringLiteral("/sorted/dropped-in.safetensors")));
    }

    // Each tool's sidecar gives what it knows; ComfyUI LoRA Manager's too. A1111's card adds to Civitai Helper's.
    void eachToolsSidecarsAreRead()
    {
        const QString folder = at(QStringLiteral("sidecars"));
        writeFile(folder + QStringLiteral("/managed.metadata.json"),
                  R"({"file_name": "managed", "model_name": "Managed LoRA",
            "modelDescription": "<p>From <b>LoRA Manager</b></p>", "tags": ["anime"], "preview_url": "/nowhere.png",
            "civitai": {"id": 77, "modelId": 66, "trainedWords": ["mtrigger"]}})");
        writeFile(folder + QStringLiteral("/managed.webp"), QByteArray("RIFF\0\0\0\0WEBP", 12));
        const SidecarMetadata managed = readSidecars(folder + QStringLiteral("/managed.safetensors"));
        QCOMPARE(managed.name, QStringLiteral("Managed LoRA"));
        QCOMPARE(managed.description, QStringLiteral("From LoRA Manager"));
        QCOMPARE(managed.tags, QStringList{QStringLiteral("anime")});
        QCOMPARE(managed.triggerWords, QStringList{QStringLiteral("mtrigger")});
        QCOMPARE(managed.source, QStringLiteral("https://civitai.com/models/66?modelVersionId=77"));
        QCOMPARE(managed.coverImage, folder + QStringLiteral("/managed.webp")); // the named preview is not there
        const SidecarMetadata none = readSidecars(folder + QStringLiteral("/plain.safetensors"));
        QVERIFY(none.empty());
        QCOMPARE(none.overridesJson(), QByteArray("{}"));
        // A sidecar too large to be one, and one that is not JSON, are named; nothing is taken from them.
        writeFile(folder + QStringLiteral("/huge.civitai.info"), QByteArray(9 << 20, ' '));
        writeFile(folder + QStringLiteral("/huge.json"), "[1, 2");
        const SidecarMetadata broken = readSidecars(folder + QStringLiteral("/huge.safetensors"));
        QCOMPARE(broken.problems.size(), 2);
        QCOMPARE(broken.overridesJson(), QByteArray("{}"));
    }

    // A cancelled import keeps what it registered, and the next run goes on from there.
    void aCancelledImportGoesOnWhereItStopped()
    {
        const QStringList roots{at(QStringLiteral("tools/ComfyUI"))};
        const ImportPlan plan = planLibraryImport(roots, *m_store);
        atelier::hashing::CancelFlag cancel{false};
        const ImportReport first = runLibraryImport(
            *m_installer, plan, [&](int done, int, const QString &) { cancel.store(done >= 2); }, &cancel);
        QVERIFY(first.cancelled);
        QCOMPARE(first.registered.size(), 2);
        const ImportReport rest = runLibraryImport(*m_installer, planLibraryImport(roots, *m_store));
        QVERIFY(!rest.cancelled);
        QCOMPARE(rest.known.size(), 2);
        QCOMPARE(first.registered.size() + rest.registered.size(), plan.items.size() - rest.duplicates.size());
    }

    // Broken configs, a database that is not InvokeAI's and unreadable sidecars are named; the models still come in.
    void brokenInputsAreNamedAndTheRestImported()
    {
        // A config naming the file system's root is not followed there.
        writeFile(at(QStringLiteral("tools/ComfyUI/extra_model_paths.yaml")),
                  "oops:\n    base_path: /\n    loras: .\n");
        const auto rooted = findInstallations(at(QStringLiteral("tools/ComfyUI")));
        QCOMPARE(rooted.at(0).folders.size(), 2);
        QVERIFY2(rooted.at(0).problems.join(QLatin1Char(' ')).contains(QStringLiteral("is not a models folder")),
                 qPrintable(rooted.at(0).problems.join(QLatin1Char(' '))));
        writeFile(at(QStringLiteral("tools/ComfyUI/extra_model_paths.yaml")), "a111: [unclosed\n  base_path: {\n");
        writeFile(at(QStringLiteral("tools/invokeai/databases/invokeai.db")),
                  "this is not SQLite at all, not even close");
        writeFile(at(QStringLiteral("tools/ComfyUI/models/loras/style.civitai.info")), "{\"id\": ");
        const ImportPlan plan = planLibraryImport(
            {at(QStringLiteral("tools/ComfyUI")), at(QStringLiteral("tools/invokeai")), at(QStringLiteral("nowhere"))},
            *m_store);
        const QString problems = plan.problems.join(QLatin1Char('\n'));
        QVERIFY2(problems.contains(QStringLiteral("extra_model_paths.yaml")), qPrintable(problems));
        QVERIFY2(problems.contains(QStringLiteral("invokeai.db")), qPrintable(problems));
        QVERIFY2(problems.contains(QStringLiteral("nowhere: no ComfyUI")), qPrintable(problems));
        // ComfyUI's own folders and InvokeAI's models folder are still there to import.
        QCOMPARE(plan.items.size(), 4);
        const ImportReport report = runLibraryImport(*m_installer, plan);
        QVERIFY2(report.failures.isEmpty(), qPrintable(report.failures.join(QLatin1Char('\n'))));
        QCOMPARE(report.registered.size(), 4);
        QVERIFY2(report.warnings.join(QLatin1Char('\n')).contains(QStringLiteral("style.civitai.info")),
                 qPrintable(report.warnings.join(QLatin1Char('\n'))));
        // Without the sidecar the name is the probe's.
        const QList<ModelConfig> records = m_store->allModels().value();
        const ModelConfig *style =
            recordAt(records, at(QStringLiteral("tools/ComfyUI/models/loras/style.safetensors")));
        QVERIFY(style);
        QCOMPARE(style->name, QStringLiteral("style"));
    }
};

QTEST_GUILESS_MAIN(TestLibraryImport)
#include "test_library_import.moc"
