#include "core/models/record_store.h"
#include "model_samples.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace atelier;
using namespace atelier::models;
using atelier::testing::sampleModel;
using json = nlohmann::ordered_json;

namespace {

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

// Runs SQL against a file with a private connection, as another program would.
void runSql(const QString &path, const QStringList &statements)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const QString &statement : statements)
            QVERIFY2(query.exec(statement), qPrintable(statement + QStringLiteral(": ") + query.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

QStringList namesOf(const QList<ModelConfig> &configs)
{
    QStringList names;
    for (const ModelConfig &config : configs)
        names << config.name;
    return names;
}

// In the child process of twoProcessesWriteAtOnce: adds `count` models named with `prefix`.
int childWriter()
{
    RecordStore store(qEnvironmentVariable("ATELIER_TEST_CHILD_DB"));
    if (!store.open())
        return 3;
    const QString prefix = qEnvironmentVariable("ATELIER_TEST_CHILD_PREFIX");
    const int count = qEnvironmentVariableIntValue("ATELIER_TEST_CHILD_COUNT");
    for (int i = 0; i < count; ++i) {
        if (!store.addModel(sampleModel(QStringLiteral("%1-%2").arg(prefix).arg(i))))
            return 4;
        if (!store.query(ModelQuery{}))
            return 5;
    }
    return 0;
}

} // namespace

class TestRecordStore : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_path = m_dir->filePath(QStringLiteral("atelier.db"));
    }

    void createsASchemaWithWalAndTheCurrentVersion()
    {
        RecordStore store(m_path);
        const Status opened = store.open();
        QVERIFY2(opened.ok(), qPrintable(opened.error()));
        QCOMPARE(store.version(), QString::number(RecordStore::kSchemaVersion));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        {
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
            QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
            QVERIFY(query.exec(QStringLiteral("PRAGMA user_version")) && query.next());
            QCOMPARE(query.value(0).toInt(), RecordStore::kSchemaVersion);
            QVERIFY(query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index'")));
            QStringList indexes;
            while (query.next())
                indexes << query.value(0).toString();
            for (const char *index : {"models_name", "models_base_type_name", "models_hash", "model_tags_tag"})
                QVERIFY2(indexes.contains(QLatin1String(index)), index);
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("inspect"));
    }

    void addsAndGetsEveryField()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        ModelConfig config = sampleModel(QStringLiteral("Ünïcode 模型 🎨"));
        config.path = QStringLiteral("/mnt/モデル/dir with spaces/ünï.safetensors");
        config.description = QStringLiteral("Painterly, «quoted», 100% real");
        config.tags = {QStringLiteral("Style"), QStringLiteral(" painterly "), QStringLiteral("style")};
        config.triggerWords = {QStringLiteral("pntrly")};
        config.sourceApiResponse = R"({"id": 42, "files": [1, 2]})";
        config.configPath = QStringLiteral("configs/v1-inference.yaml");
        config.upcastAttention = false;
        const Result<ModelConfig> added = store.addModel(config);
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QCOMPARE(added->key.size(), 32);
        QVERIFY(added->addedAt.isValid());
        QCOMPARE(added->tags, (QStringList{QStringLiteral("Style"), QStringLiteral("painterly")}));

        const Result<ModelConfig> read = store.getModel(added->key);
        QVERIFY(read.ok());
        QCOMPARE(read.value(), added.value());
        QCOMPARE(read->path, config.path);
        QVERIFY(store.exists(added->key));
        QVERIFY(!store.exists(ModelConfig::newKey()));
    }

    void refusesDuplicateKeysAndPaths()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        const Result<ModelConfig> first = store.addModel(sampleModel(QStringLiteral("first")));
        QVERIFY(first.ok());
        ModelConfig sameKey = sampleModel(QStringLiteral("other"));
        sameKey.key = first->key;
        const Result<ModelConfig> duplicateKey = store.addModel(sameKey);
        QVERIFY(!duplicateKey.ok());
        QCOMPARE(duplicateKey.errorType(), QStringLiteral("DuplicateModel"));
        QVERIFY(duplicateKey.error().contains(first->key));

        ModelConfig samePath = sampleModel(QStringLiteral("third"));
        samePath.path = first->path;
        const Result<ModelConfig> duplicatePath = store.addModel(samePath);
        QVERIFY(!duplicatePath.ok());
        QCOMPARE(duplicatePath.errorType(), QStringLiteral("DuplicateModel"));
        QCOMPARE(store.allModels()->size(), 1);
    }

    void refusesInvalidConfigs()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        ModelConfig vaeWithVariant = sampleModel(QStringLiteral("vae"), ModelType::Vae);
        vaeWithVariant.variant = ModelVariant::Inpaint;
        const Result<ModelConfig> rejected = store.addModel(vaeWithVariant);
        QVERIFY(!rejected.ok());
        QCOMPARE(rejected.errorType(), QStringLiteral("InvalidModelConfig"));
        QVERIFY2(rejected.error().contains(QStringLiteral("'variant' applies only to")), qPrintable(rejected.error()));
        ModelConfig badKey = sampleModel(QStringLiteral("x"));
        badKey.key = QStringLiteral("not-hex");
        QCOMPARE(store.addModel(badKey).errorType(), QStringLiteral("InvalidModelConfig"));
        ModelConfig noName = sampleModel(QStringLiteral(" "));
        QCOMPARE(store.addModel(noName).errorType(), QStringLiteral("InvalidModelConfig"));
        QCOMPARE(store.allModels()->size(), 0);
    }

    void updatesSparselyAndValidates()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        const ModelConfig added = store.addModel(sampleModel(QStringLiteral("before"))).value();
        QTest::qWait(5);
        const Result<ModelConfig> updated = store.updateModel(
            added.key, json{{"name", "after"}, {"tags", {"new", "tags"}}, {"prediction_type", "v_prediction"}});
        QVERIFY2(updated.ok(), qPrintable(updated.error()));
        QCOMPARE(updated->name, QStringLiteral("after"));
        QCOMPARE(updated->predictionType, std::optional<PredictionType>(PredictionType::VPrediction));
        QCOMPARE(updated->path, added.path);
        QCOMPARE(updated->addedAt, added.addedAt);
        QVERIFY(updated->updatedAt > added.updatedAt);
        QCOMPARE(store.getModel(added.key).value(), updated.value());
        QCOMPARE(namesOf(store.searchByTag({QStringLiteral("NEW")}).value()), QStringList{QStringLiteral("after")});

        // null clears an optional field
        QVERIFY(!store.updateModel(added.key, json{{"variant", nullptr}})->variant.has_value());

        const Result<ModelConfig> unknown = store.updateModel(ModelConfig::newKey(), json{{"name", "x"}});
        QCOMPARE(unknown.errorType(), QStringLiteral("UnknownModel"));
        for (const json &bad : {json{{"base", "sd-9"}}, json{{"key", ModelConfig::newKey().toStdString()}},
                                json{{"colour", "red"}}, json{{"tags", "not a list"}}, json{{"image_encoder", "x"}}}) {
            const Result<ModelConfig> refused = store.updateModel(added.key, bad);
            QVERIFY2(!refused.ok(), bad.dump().c_str());
            QCOMPARE(refused.errorType(), QStringLiteral("InvalidModelConfig"));
        }
        QCOMPARE(store.getModel(added.key)->name, QStringLiteral("after"));
    }

    void deletesAndReportsUnknownKeys()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        const ModelConfig added = store.addModel(sampleModel(QStringLiteral("gone soon"))).value();
        QVERIFY(store.deleteModel(added.key).ok());
        QVERIFY(!store.exists(added.key));
        QCOMPARE(store.getModel(added.key).errorType(), QStringLiteral("UnknownModel"));
        QCOMPARE(store.deleteModel(added.key).errorType(), QStringLiteral("UnknownModel"));
        // Its tags and full-text row went with it.
        QVERIFY(store.tagCounts()->isEmpty());
        ModelQuery query;
        query.text = QStringLiteral("gone");
        QCOMPARE(store.query(query)->total, 0);
    }

    void searchesByPathHashNameAndTag()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        ModelConfig a = sampleModel(QStringLiteral("Alpha"));
        a.tags = {QStringLiteral("sfw"), QStringLiteral("scenery")};
        ModelConfig b = sampleModel(QStringLiteral("Alpha"), ModelType::Lora, ModelFormat::Lycoris, BaseModel::Sdxl);
        b.tags = {QStringLiteral("sfw")};
        b.hash = a.hash;
        ModelConfig c = sampleModel(QStringLiteral("Gamma"), ModelType::Vae, ModelFormat::Diffusers, BaseModel::Sdxl);
        for (ModelConfig *config : {&a, &b, &c})
            *config = store.addModel(*config).value();

        QCOMPARE(store.searchByPath(c.path)->key, c.key);
        QCOMPARE(store.searchByPath(QStringLiteral("/nowhere")).errorType(), QStringLiteral("UnknownModel"));
        QCOMPARE(store.searchByHash(a.hash)->size(), 2);
        QCOMPARE(store.searchByName(QStringLiteral("Alpha"))->size(), 2);
        QCOMPARE(store.searchByName(QStringLiteral("Alpha"), BaseModel::Sdxl)->size(), 1);
        QCOMPARE(store.searchByName({}, BaseModel::Sdxl)->size(), 2);
        QCOMPARE(store.searchByName({}, {}, ModelType::Vae)->first().key, c.key);
        QCOMPARE(store.searchByName({}, BaseModel::Sd1, ModelType::Vae)->size(), 0);
        QCOMPARE(store.allModels()->size(), 3);
        QCOMPARE(store.searchByTag({QStringLiteral("sfw")})->size(), 2);
        QCOMPARE(store.searchByTag({QStringLiteral("sfw"), QStringLiteral("scenery")})->first().key, a.key);
        QCOMPARE(store.searchByTag({QStringLiteral("sfw"), QStringLiteral("nope")})->size(), 0);

        QCOMPARE(store.modelInfoByName(QStringLiteral("Alpha"), BaseModel::Sd1, ModelType::Main)->key, a.key);
        QCOMPARE(store.modelInfoByName(QStringLiteral("Beta"), BaseModel::Sd1, ModelType::Main).errorType(),
                 QStringLiteral("UnknownModel"));
        ModelConfig twin = sampleModel(QStringLiteral("Alpha"));
        twin.path = QStringLiteral("elsewhere/alpha.safetensors");
        QVERIFY(store.addModel(twin).ok());
        const Result<ModelConfig> ambiguous = store.modelInfoByName(QStringLiteral("Alpha"), BaseModel::Sd1, ModelType::Main);
        QCOMPARE(ambiguous.errorType(), QStringLiteral("AmbiguousModel"));
        QVERIFY(ambiguous.error().contains(a.key));
        QCOMPARE(store.tagCounts()->first(), qMakePair(QStringLiteral("sfw"), 2));
    }

    void browserQueryFiltersSortsAndPages()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        QList<ModelConfig> all;
        for (int i = 0; i < 30; ++i) {
            ModelConfig config = sampleModel(QStringLiteral("model %1").arg(i, 2, 10, QLatin1Char('0')),
                                             i % 3 == 0 ? ModelType::Lora : ModelType::Main,
                                             i % 3 == 0 ? ModelFormat::Lycoris : ModelFormat::Checkpoint,
                                             i % 2 == 0 ? BaseModel::Sdxl : BaseModel::Sd1);
            config.fileSize = 1000 - i;
            config.addedAt = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).addDays(i);
            config.description = i == 7 ? QStringLiteral("A watercolour café painting") : QString();
            config.triggerWords = i == 12 ? QStringList{QStringLiteral("glowpunk")} : QStringList();
            config.tags = i % 5 == 0 ? QStringList{QStringLiteral("favourite")} : QStringList();
            all << store.addModel(config).value();
        }
        ModelQuery query;
        query.base = BaseModel::Sdxl;
        query.type = ModelType::Lora;
        QCOMPARE(store.query(query)->total, 5);  // 0, 6, 12, 18, 24
        query = ModelQuery();
        query.format = ModelFormat::Checkpoint;
        query.tags = {QStringLiteral("Favourite")};
        QCOMPARE(namesOf(store.query(query)->models), (QStringList{QStringLiteral("model 05"), QStringLiteral("model 10"),
                                                                    QStringLiteral("model 20"), QStringLiteral("model 25")}));
        // Free text: prefixes, over description, trigger words and tags, diacritics folded.
        query = ModelQuery();
        query.text = QStringLiteral("water cafe");
        QCOMPARE(namesOf(store.query(query)->models), QStringList{QStringLiteral("model 07")});
        query.text = QStringLiteral("glow");
        QCOMPARE(namesOf(store.query(query)->models), QStringList{QStringLiteral("model 12")});
        query.text = QStringLiteral("favo");
        QCOMPARE(store.query(query)->total, 6);
        query.text = QStringLiteral("\"unbalanced quote AND OR NEAR(");
        QVERIFY2(store.query(query).ok(), qPrintable(store.query(query).error()));
        // Name prefix, case-insensitive, with LIKE wildcards taken literally.
        query = ModelQuery();
        query.namePrefix = QStringLiteral("MODEL 1");
        QCOMPARE(store.query(query)->total, 10);
        query.namePrefix = QStringLiteral("model %");
        QCOMPARE(store.query(query)->total, 0);
        // Accents and case do not matter for prefixes and sorting.
        ModelConfig accented = sampleModel(QStringLiteral("Élan Vital"));
        QVERIFY(store.addModel(accented));
        query.namePrefix = QStringLiteral("ela");
        QCOMPARE(namesOf(store.query(query)->models), QStringList{QStringLiteral("Élan Vital")});
        QVERIFY(store.deleteModel(store.searchByPath(accented.path)->key));
        // Sort and page.
        query = ModelQuery();
        query.sort = ModelQuery::Sort::Size;
        query.limit = 10;
        query.offset = 10;
        const ModelPage page = store.query(query).value();
        QCOMPARE(page.total, 30);
        QCOMPARE(page.models.size(), 10);
        QCOMPARE(page.models.first().name, QStringLiteral("model 19"));
        query.sort = ModelQuery::Sort::AddedAt;
        query.descending = true;
        query.offset = 0;
        query.limit = 1;
        QCOMPARE(store.query(query)->models.first().name, QStringLiteral("model 29"));
        query.sort = ModelQuery::Sort::Name;
        query.descending = false;
        query.limit = 0;
        QCOMPARE(store.query(query)->models.size(), 30);
        QCOMPARE(store.query(query)->models.first().name, QStringLiteral("model 00"));
    }

    void browseListsTheSameRowsAsSummaries()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        for (int i = 0; i < 12; ++i) {
            ModelConfig config = sampleModel(QStringLiteral("Ünïcode %1").arg(i), i % 2 ? ModelType::Lora : ModelType::Main,
                                             i % 2 ? ModelFormat::Lycoris : ModelFormat::Checkpoint, BaseModel::Sdxl);
            config.tags = i % 3 ? QStringList{QStringLiteral("a, b"), QStringLiteral("c")} : QStringList();
            config.coverImage = QStringLiteral("covers/%1.png").arg(i);
            QVERIFY(store.addModel(config));
        }
        ModelQuery query;
        query.type = ModelType::Lora;
        query.sort = ModelQuery::Sort::Size;
        query.descending = true;
        query.limit = 4;
        const ModelPage full = store.query(query).value();
        const SummaryPage summaries = store.browse(query).value();
        QCOMPARE(summaries.total, full.total);
        QCOMPARE(summaries.total, 6);
        QCOMPARE(summaries.models.size(), full.models.size());
        for (int i = 0; i < full.models.size(); ++i) {
            const ModelConfig &record = full.models[i];
            const ModelSummary &summary = summaries.models[i];
            QCOMPARE(summary.key, record.key);
            QCOMPARE(summary.name, record.name);
            QVERIFY(summary.type == record.type && summary.format == record.format && summary.base == record.base);
            QCOMPARE(summary.path, record.path);
            QCOMPARE(summary.hash, record.hash);
            QCOMPARE(summary.fileSize, record.fileSize);
            QCOMPARE(summary.addedAt, record.addedAt);
            QCOMPARE(summary.coverImage, record.coverImage);
            QCOMPARE(QSet<QString>(summary.tags.begin(), summary.tags.end()),
                     QSet<QString>(record.tags.begin(), record.tags.end()));
        }
    }

    void announcesChangesToOtherThreads()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        QThread listenerThread;
        QObject listener;
        listener.moveToThread(&listenerThread);
        QList<QString> events;
        QMutex mutex;
        QList<Qt::HANDLE> deliveredOn;
        const auto record = [&](const QString &event) {
            QMutexLocker lock(&mutex);
            events << event;
            deliveredOn << QThread::currentThreadId();
        };
        connect(&store, &RecordStore::modelAdded, &listener, [&](const ModelConfig &c) { record(QStringLiteral("added ") + c.name); });
        connect(&store, &RecordStore::modelUpdated, &listener, [&](const ModelConfig &c) { record(QStringLiteral("updated ") + c.name); });
        connect(&store, &RecordStore::modelRemoved, &listener, [&](const QString &) { record(QStringLiteral("removed")); });
        listenerThread.start();
        const ModelConfig added = store.addModel(sampleModel(QStringLiteral("live"))).value();
        QVERIFY(store.updateModel(added.key, json{{"name", "renamed"}}).ok());
        QVERIFY(store.deleteModel(added.key).ok());
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 3, 5000);
        listenerThread.quit();
        listenerThread.wait();
        QCOMPARE(events, (QList<QString>{QStringLiteral("added live"), QStringLiteral("updated renamed"), QStringLiteral("removed")}));
        for (Qt::HANDLE thread : deliveredOn)
            QVERIFY(thread != QThread::currentThreadId());
    }

    void threadsReadAndWriteAtOnce()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        constexpr int kWriters = 4, kPerWriter = 50;
        QAtomicInt failures = 0;
        QList<QThread *> threads;
        for (int w = 0; w < kWriters; ++w) {
            threads << QThread::create([&, w] {
                for (int i = 0; i < kPerWriter; ++i) {
                    const Result<ModelConfig> added = store.addModel(sampleModel(QStringLiteral("w%1-%2").arg(w).arg(i)));
                    if (!added || !store.updateModel(added->key, json{{"description", "touched"}}))
                        failures.fetchAndAddRelaxed(1);
                }
            });
        }
        for (int r = 0; r < 2; ++r) {
            threads << QThread::create([&] {
                for (int i = 0; i < 100; ++i) {
                    ModelQuery query;
                    query.text = QStringLiteral("w1");
                    if (!store.query(query))
                        failures.fetchAndAddRelaxed(1);
                }
            });
        }
        for (QThread *thread : threads)
            thread->start();
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        QCOMPARE(failures.loadRelaxed(), 0);
        QCOMPARE(store.allModels()->size(), kWriters * kPerWriter);
        ModelQuery touched;
        touched.text = QStringLiteral("touched");
        QCOMPARE(store.query(touched)->total, kWriters * kPerWriter);
    }

    void twoProcessesWriteAtOnce()
    {
        {
            RecordStore store(m_path);
            QVERIFY(store.open());
        }
        constexpr int kPerProcess = 150;
        QList<QProcess *> children;
        for (const char *prefix : {"left", "right"}) {
            auto *child = new QProcess(this);
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(QStringLiteral("ATELIER_TEST_CHILD_DB"), m_path);
            environment.insert(QStringLiteral("ATELIER_TEST_CHILD_PREFIX"), QLatin1String(prefix));
            environment.insert(QStringLiteral("ATELIER_TEST_CHILD_COUNT"), QString::number(kPerProcess));
            child->setProcessEnvironment(environment);
            child->setProcessChannelMode(QProcess::ForwardedChannels);
            child->start(QCoreApplication::applicationFilePath(), {});
            children << child;
        }
        // This process reads while the two others write.
        RecordStore reader(m_path);
        QVERIFY(reader.open());
        for (int i = 0; i < 50; ++i) {
            const Result<ModelPage> page = reader.query(ModelQuery{});
            QVERIFY2(page.ok(), qPrintable(page.error()));
        }
        for (QProcess *child : children) {
            QVERIFY(child->waitForFinished(120000));
            QCOMPARE(child->exitCode(), 0);
        }
        const Result<QList<ModelConfig>> all = reader.allModels();
        QVERIFY2(all.ok(), qPrintable(all.error()));
        QCOMPARE(all->size(), 2 * kPerProcess);
        runSql(m_path, {QStringLiteral("PRAGMA integrity_check")});
    }

    void aSecondStoreInTheSameProcessKeepsTheFirstSafe()
    {
        // Opening the library again in this process must not drop the first store's locks (see RecordStore::open).
        RecordStore first(m_path);
        QVERIFY(first.open());
        QVERIFY(first.addModel(sampleModel(QStringLiteral("one"))));
        {
            RecordStore second(m_path);
            QVERIFY(second.open());
            QCOMPARE(second.allModels()->size(), 1);
        }
        QVERIFY(first.addModel(sampleModel(QStringLiteral("two"))));
        QCOMPARE(first.allModels()->size(), 2);
    }

    void migratesASchemaOneLibrary()
    {
        QFile snapshot(QFINDTESTDATA("data/library-schema-1.sql"));
        QVERIFY(snapshot.open(QIODevice::ReadOnly));
        QStringList statements;
        QString pending;
        for (const QString &line : QString::fromUtf8(snapshot.readAll()).split(QLatin1Char('\n'))) {
            if (line.startsWith(QStringLiteral("--")))
                continue;
            pending += line + QLatin1Char('\n');
            if (line.trimmed().endsWith(QLatin1Char(';'))) {
                statements << pending;
                pending.clear();
            }
        }
        runSql(m_path, statements);

        RecordStore store(m_path);
        const Status opened = store.open();
        QVERIFY2(opened.ok(), qPrintable(opened.error()));
        QVERIFY(QFile::exists(m_path + QStringLiteral(".schema-1.bak")));
        const QList<ModelConfig> all = store.allModels().value();
        QCOMPARE(namesOf(all), (QStringList{QStringLiteral("Dreamy Landscapes"), QStringLiteral("Ink Sketch")}));
        QCOMPARE(all.last().path, QStringLiteral("/srv/loras/ink sketch ✒.safetensors"));
        // The new full-text index covers the old rows.
        ModelQuery query;
        query.text = QStringLiteral("pastel");
        QCOMPARE(store.query(query)->total, 1);
        query.text = QStringLiteral("inksk");
        QCOMPARE(namesOf(store.query(query)->models), QStringList{QStringLiteral("Ink Sketch")});
        // And it works as a current library.
        QVERIFY(store.addModel(sampleModel(QStringLiteral("new one"))).ok());
        RecordStore again(m_path);
        QVERIFY(again.open().ok());
        QCOMPARE(again.allModels()->size(), 3);
    }

    void leavesForeignCorruptAndNewerFilesUntouched_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("errorType");
        QTest::newRow("not sqlite") << "foreign" << "ForeignDatabase";
        QTest::newRow("another program's sqlite") << "other-sqlite"
                                                  << "ForeignDatabase";
        QTest::newRow("damaged") << "corrupt" << "CorruptDatabase";
        QTest::newRow("newer schema") << "newer" << "NewerDatabase";
    }

    void leavesForeignCorruptAndNewerFilesUntouched()
    {
        QFETCH(QString, kind);
        QFETCH(QString, errorType);
        if (kind == QLatin1String("foreign")) {
            writeBytes(m_path, QByteArray("PK\x03\x04 this is a zip file, not a database").repeated(100));
        } else if (kind == QLatin1String("other-sqlite")) {
            // Someone's notes in SQLite, named atelier.db: schema version 0 like a new file, but with tables.
            runSql(m_path, {QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)"),
                            QStringLiteral("INSERT INTO notes (text) VALUES ('buy milk')")});
        } else {
            {
                RecordStore store(m_path);
                QVERIFY(store.open());
                for (int i = 0; i < 200; ++i)
                    QVERIFY(store.addModel(sampleModel(QStringLiteral("m%1").arg(i))));
            }
            runSql(m_path, {QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), QStringLiteral("PRAGMA journal_mode = DELETE")});
            if (kind == QLatin1String("newer")) {
                runSql(m_path, {QStringLiteral("PRAGMA user_version = 99")});
            } else {
                // Overwrite the middle of the file (b-tree pages) with garbage, keeping the valid header.
                QByteArray bytes = fileBytes(m_path);
                QVERIFY(bytes.size() > 16384);
                for (int i = 8192; i < bytes.size() - 4096; ++i)
                    bytes[i] = char((quint32(i) * 7919u) & 0xffu);
                writeBytes(m_path, bytes);
            }
        }
        const QByteArray before = fileBytes(m_path);
        RecordStore store(m_path);
        const Status opened = store.open();
        QVERIFY(!opened.ok());
        QCOMPARE(opened.errorType(), errorType);
        QVERIFY2(opened.error().contains(m_path), qPrintable(opened.error()));
        QVERIFY(!store.isOpen());
        // Every later call refuses with the same reason, and nothing was written.
        const Result<ModelConfig> refused = store.addModel(sampleModel(QStringLiteral("must not land")));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.errorType(), errorType);
        QVERIFY(!store.allModels().ok());
        QCOMPARE(fileBytes(m_path), before);
        QVERIFY(!QFile::exists(m_path + QStringLiteral("-wal")) || QFileInfo(m_path + QStringLiteral("-wal")).size() == 0);
    }

    void importIsAllOrNothing()
    {
        RecordStore store(m_path);
        QVERIFY(store.open());
        const ModelConfig existing = store.addModel(sampleModel(QStringLiteral("existing"))).value();
        ModelConfig fresh = sampleModel(QStringLiteral("fresh"));
        fresh.key = ModelConfig::newKey();
        fresh.addedAt = fresh.updatedAt = QDateTime::currentDateTimeUtc();
        fresh.tags = {QStringLiteral("dup"), QStringLiteral("Dup")};
        ModelConfig changedExisting = existing;
        changedExisting.name = QStringLiteral("existing, renamed");

        const auto skipped = store.importModels({fresh, changedExisting}, false);
        QVERIFY2(skipped.ok(), qPrintable(skipped.error()));
        QCOMPARE(skipped->added, 1);
        QCOMPARE(skipped->skippedKeys, QStringList{existing.key});
        QCOMPARE(store.getModel(fresh.key)->tags, QStringList{QStringLiteral("dup")});
        QCOMPARE(store.getModel(existing.key)->name, QStringLiteral("existing"));

        const auto replaced = store.importModels({changedExisting}, true);
        QCOMPARE(replaced->replaced, 1);
        QCOMPARE(store.getModel(existing.key)->name, QStringLiteral("existing, renamed"));

        // A path collision in the middle rolls back the records before it.
        ModelConfig okOne = sampleModel(QStringLiteral("would be fine"));
        okOne.key = ModelConfig::newKey();
        okOne.addedAt = okOne.updatedAt = QDateTime::currentDateTimeUtc();
        ModelConfig clash = sampleModel(QStringLiteral("clash"));
        clash.key = ModelConfig::newKey();
        clash.addedAt = clash.updatedAt = QDateTime::currentDateTimeUtc();
        clash.path = existing.path;
        const auto failed = store.importModels({okOne, clash}, false);
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().contains(QStringLiteral("Nothing was imported")));
        QVERIFY(!store.exists(okOne.key));
        QCOMPARE(store.allModels()->size(), 2);

        // An export edited by hand that lost a record's times: the record gets them, as an added one does (it
        // was refused with SQLite's "NOT NULL constraint failed").
        ModelConfig timeless = sampleModel(QStringLiteral("timeless"));
        timeless.key = ModelConfig::newKey();
        const auto stamped = store.importModels({timeless}, false);
        QVERIFY2(stamped.ok(), qPrintable(stamped.error()));
        QVERIFY(store.getModel(timeless.key)->addedAt.isValid());
        QCOMPARE(store.getModel(timeless.key)->updatedAt, store.getModel(timeless.key)->addedAt);
        // And such a record serialises to something that reads back.
        QVERIFY(fromJson(toJson(timeless)).ok());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (qEnvironmentVariableIsSet("ATELIER_TEST_CHILD_DB"))
        return childWriter();
    TestRecordStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_record_store.moc"
