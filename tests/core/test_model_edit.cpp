#include "core/models/model_edit.h"
#include "core/models/record_store.h"
#include "model_samples.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace atelier;
using namespace atelier::models;

// Typed edits of library records, as the browser makes them, on a real SQLite file.
class TestModelEdit : public QObject
{
    Q_OBJECT
private slots:
    void editsAndRestoresOnlyTheFieldsItNames()
    {
        QTemporaryDir dir;
        RecordStore store(dir.filePath(QStringLiteral("atelier.db")));
        QVERIFY(store.open());
        ModelConfig original = testing::sampleModel(QStringLiteral("Dream"));
        original.description = QStringLiteral("before");
        original.tags = {QStringLiteral("a")};
        original.vae = QStringLiteral("vae-key");
        const Result<ModelConfig> added = store.addModel(original);
        QVERIFY2(added, qPrintable(added.error()));

        ModelEdit edit;
        edit.name = QStringLiteral("Dream 2");
        edit.tags = QStringList{QStringLiteral("a"), QStringLiteral("b")};
        edit.variant = QString(); // cleared
        edit.vae = QString();     // cleared
        const ModelEdit undo = editRestoring(added.value(), edit);
        QCOMPARE(undo.name.value_or(QString()), QStringLiteral("Dream"));
        QCOMPARE(undo.tags.value_or(QStringList()), QStringList{QStringLiteral("a")});
        QCOMPARE(undo.variant.value_or(QStringLiteral("?")), QStringLiteral("normal"));
        QCOMPARE(undo.vae.value_or(QString()), QStringLiteral("vae-key"));
        QVERIFY(!undo.description && !undo.path && !undo.missing && !undo.predictionType);

        const Result<ModelConfig> edited = applyEdit(store, added->key, edit);
        QVERIFY2(edited, qPrintable(edited.error()));
        QCOMPARE(edited->name, QStringLiteral("Dream 2"));
        QVERIFY(!edited->variant.has_value());
        QVERIFY(!edited->vae.has_value());
        QCOMPARE(edited->description, QStringLiteral("before")); // untouched
        const Result<ModelConfig> restored = applyEdit(store, added->key, undo);
        QVERIFY2(restored, qPrintable(restored.error()));
        QCOMPARE(restored->name, original.name);
        QCOMPARE(restored->tags, original.tags);
        QCOMPARE(restored->variant, original.variant);
        QCOMPARE(restored->vae, original.vae);

        ModelEdit bad;
        bad.variant = QStringLiteral("sideways");
        const Result<ModelConfig> refused = applyEdit(store, added->key, bad);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QLatin1String("sideways")), qPrintable(refused.error()));
    }

    void showsRecordsAndRemoteResponsesAsIndentedText()
    {
        const QString record = recordAsJsonText(testing::sampleModel(QStringLiteral("Dream")));
        QVERIFY(record.contains(QLatin1String("\n  \"name\": \"Dream\"")));
        QCOMPARE(indentedJsonText("{\"a\":[1]}"), QStringLiteral("{\n  \"a\": [\n    1\n  ]\n}"));
        QCOMPARE(indentedJsonText("not json {"), QStringLiteral("not json {"));
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        QCOMPARE(indentedJsonText(deep), QString::fromLatin1(deep)); // too deep to parse: shown as stored
    }
};

QTEST_GUILESS_MAIN(TestModelEdit)
#include "test_model_edit.moc"
