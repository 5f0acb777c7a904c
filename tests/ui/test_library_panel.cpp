#include "core/downloads/download_queue.h"
#include "core/hashing/model_hasher.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/core/model_samples.h"
#include "tests/ui/english_plurals.h"
#include "tests/ui/test_library.h"
#include "ui/library/delete_models_dialog.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_panel.h"
#include "ui/library/library_table_model.h"
#include "ui/library/model_details_panel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSplitter>
#include <QStringListModel>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

using namespace atelier;
using namespace atelier::models;
using atelier::testing::sampleModel;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// Picks the item of a filter combo whose value is `value`, as a click on it would.
void choose(QComboBox *combo, const QString &value)
{
    const int item = combo->findData(value);
    QVERIFY2(item >= 0, qPrintable(value));
    combo->setCurrentIndex(item);
    emit combo->activated(item);
}

QStringList shownNames(const ui::LibraryPanel &panel)
{
    QStringList names;
    for (int row = 0; row < panel.proxy()->rowCount(); ++row)
        names << panel.proxy()->index(row, ui::LibraryTableModel::NameColumn).data().toString();
    return names;
}

// A model is checked against QAbstractItemModel's contract for as long as it lives.
void watch(QAbstractItemModel *model)
{
    new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest, model);
}

} // namespace

class TestLibraryPanel : public QObject
{
    Q_OBJECT
    std::unique_ptr<TestLibrary> m_library;

    QString models() const { return m_library->modelsDir(); }
    QString statePath() const { return m_library->dir.filePath(QStringLiteral("ui-state.ini")); }

    std::unique_ptr<ui::LibraryPanel> openPanel()
    {
        auto panel = std::make_unique<ui::LibraryPanel>(*m_library->store, *m_library->installer, models(), statePath());
        watch(panel->library());
        watch(panel->proxy());
        panel->resize(1200, 700);
        panel->show();
        QSignalSpy loaded(panel->library(), &ui::LibraryTableModel::loaded);
        if (panel->library()->isLoading())
            loaded.wait(10000);
        QCoreApplication::processEvents();  // the filter bar's counts follow on the next turn of the loop
        return panel;
    }

    ModelConfig add(ModelConfig config)
    {
        const Result<ModelConfig> added = m_library->store->addModel(std::move(config));
        if (!added)
            qFatal("%s", qPrintable(added.error()));
        return added.value();
    }

    // A small mixed library: two SD1 checkpoints, an SDXL checkpoint, an SD1 LoRA and an SDXL LoRA.
    void addSampleLibrary()
    {
        ModelConfig dream = sampleModel(QStringLiteral("DreamShaper 8"));
        dream.description = QStringLiteral("A versatile model for portraits");
        dream.tags = {QStringLiteral("portrait"), QStringLiteral("general")};
        dream.fileSize = 2000;
        add(dream);
        ModelConfig anything = sampleModel(QStringLiteral("Anything V5"));
        anything.tags = {QStringLiteral("anime")};
        anything.fileSize = 4000;
        add(anything);
        ModelConfig juggernaut = sampleModel(QStringLiteral("Juggernaut XL"), ModelType::Main, ModelFormat::Checkpoint, BaseModel::Sdxl);
        juggernaut.tags = {QStringLiteral("portrait")};
        juggernaut.fileSize = 6000;
        add(juggernaut);
        ModelConfig detail = sampleModel(QStringLiteral("Détail Tweaker"), ModelType::Lora, ModelFormat::Lycoris);
        detail.triggerWords = {QStringLiteral("hyperdetailed")};
        detail.fileSize = 100;
        add(detail);
        ModelConfig pixel = sampleModel(QStringLiteral("Pixel Art XL"), ModelType::Lora, ModelFormat::Lycoris, BaseModel::Sdxl);
        pixel.triggerWords = {QStringLiteral("pixelart")};
        pixel.fileSize = 300;
        add(pixel);
    }

private slots:
    void initTestCase() { QVERIFY(installEnglishPlurals()); }

    void init()
    {
        m_library = std::make_unique<TestLibrary>();
        QVERIFY(m_library->opened);
    }

    void cleanup()
    {
        m_library.reset();
    }

    void showsEveryRecordWithItsColumns()
    {
        addSampleLibrary();
        auto panel = openPanel();
        QCOMPARE(panel->proxy()->rowCount(), 5);
        // Sorted by name by default, case- and accent-insensitively.
        QCOMPARE(shownNames(*panel), (QStringList{"Anything V5", "Détail Tweaker", "DreamShaper 8", "Juggernaut XL", "Pixel Art XL"}));
        const QModelIndex lora = panel->proxy()->index(1, ui::LibraryTableModel::TypeColumn);
        QCOMPARE(lora.data().toString(), QStringLiteral("lora"));
        QCOMPARE(lora.siblingAtColumn(ui::LibraryTableModel::BaseColumn).data().toString(), QStringLiteral("sd-1"));
        QCOMPARE(panel->countLabel()->text(), QStringLiteral("5 models"));
    }

    // In a dock beside the canvas: the details below the list; wide: beside it. A drag carries the models
    // for the node editor (type, file name, base) and their files.
    void detailsMoveBelowTheListInATallPanelAndModelsDrag()
    {
        addSampleLibrary();
        auto panel = openPanel();
        auto *splitter = panel->findChild<QSplitter *>(QStringLiteral("librarySplitter"));
        QVERIFY(splitter);
        QCOMPARE(splitter->orientation(), Qt::Horizontal);
        panel->resize(420, 900);
        QTRY_COMPARE(splitter->orientation(), Qt::Vertical);
        QVERIFY(splitter->sizes().at(0) > 200 && splitter->sizes().at(1) > 200);
        panel->resize(1200, 700);
        QTRY_COMPARE(splitter->orientation(), Qt::Horizontal);

        const QModelIndex lora = panel->proxy()->index(1, ui::LibraryTableModel::NameColumn);
        std::unique_ptr<QMimeData> dragged(panel->proxy()->mimeData({lora, lora.siblingAtColumn(1)}));
        QVERIFY(dragged);
        const QList<QByteArray> lines = dragged->data(QString::fromLatin1(ui::kModelMime)).trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.front().startsWith("lora\t") && lines.front().endsWith("\tsd-1"), lines.front().constData());
        QCOMPARE(dragged->urls().size(), 1);
    }

    void filtersByBaseTypeAndFormatWithCounts()
    {
        addSampleLibrary();
        auto panel = openPanel();
        // Each choice says how many models it would show.
        QVERIFY(panel->baseCombo()->itemText(panel->baseCombo()->findData(QStringLiteral("sd-1"))).endsWith(QStringLiteral("(3)")));
        QVERIFY(panel->baseCombo()->itemText(panel->baseCombo()->findData(QStringLiteral("sdxl"))).endsWith(QStringLiteral("(2)")));
        choose(panel->baseCombo(), QStringLiteral("sdxl"));
        QCOMPARE(shownNames(*panel), (QStringList{"Juggernaut XL", "Pixel Art XL"}));
        QTRY_VERIFY(panel->typeCombo()->itemText(panel->typeCombo()->findData(QStringLiteral("lora"))).endsWith(QStringLiteral("(1)")));
        choose(panel->typeCombo(), QStringLiteral("lora"));
        QCOMPARE(shownNames(*panel), QStringList{"Pixel Art XL"});
        QTRY_COMPARE(panel->countLabel()->text(), QStringLiteral("1 of 5 models"));
        choose(panel->baseCombo(), QString());
        QCOMPARE(shownNames(*panel), (QStringList{"Détail Tweaker", "Pixel Art XL"}));
        choose(panel->formatCombo(), QStringLiteral("lycoris"));
        QCOMPARE(panel->proxy()->rowCount(), 2);
    }

    void filtersByTags()
    {
        addSampleLibrary();
        auto panel = openPanel();
        const int portrait = panel->tagCombo()->findData(QStringLiteral("portrait"));
        QVERIFY(portrait > 0);
        QVERIFY(panel->tagCombo()->itemText(portrait).endsWith(QStringLiteral("(2)")));
        emit panel->tagCombo()->activated(portrait);
        QCOMPARE(shownNames(*panel), (QStringList{"DreamShaper 8", "Juggernaut XL"}));
        QTRY_VERIFY(panel->tagCombo()->findData(QStringLiteral("general")) > 0);
        emit panel->tagCombo()->activated(panel->tagCombo()->findData(QStringLiteral("general")));
        QCOMPARE(shownNames(*panel), QStringList{"DreamShaper 8"});
        // The chip of a tag filter removes it.
        QTRY_VERIFY(panel->findChild<QToolButton *>(QStringLiteral("tagChip")));
        panel->findChild<QToolButton *>(QStringLiteral("tagChip"))->click();
        QCOMPARE(panel->proxy()->tags(), QStringList{"general"});
    }

    void searchesAsYouTypeOverNamesDescriptionsTagsAndTriggerWords()
    {
        addSampleLibrary();
        auto panel = openPanel();
        QTest::keyClicks(panel->searchEdit(), QStringLiteral("pixela"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"Pixel Art XL"});  // a trigger word
        panel->searchEdit()->clear();
        QTest::keyClicks(panel->searchEdit(), QStringLiteral("versa"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"DreamShaper 8"});  // the description
        panel->searchEdit()->clear();
        QTest::keyClicks(panel->searchEdit(), QStringLiteral("detail"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"Détail Tweaker"});  // accents do not matter
        panel->searchEdit()->clear();
        QTest::keyClicks(panel->searchEdit(), QStringLiteral("ANIME"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"Anything V5"});  // a tag, case-insensitively
        panel->searchEdit()->clear();
        QTest::keyClicks(panel->searchEdit(), QStringLiteral("xl pix"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"Pixel Art XL"});  // every word must match
        panel->searchEdit()->clear();
        QTRY_COMPARE(panel->proxy()->rowCount(), 5);
    }

    void sortsByNameDateSizeAndType()
    {
        addSampleLibrary();
        auto panel = openPanel();
        choose(panel->sortCombo(), QString::number(int(ui::LibraryTableModel::SizeColumn)));
        QCOMPARE(shownNames(*panel).first(), QStringLiteral("Détail Tweaker"));
        QCOMPARE(shownNames(*panel).last(), QStringLiteral("Juggernaut XL"));
        panel->findChild<QToolButton *>(QStringLiteral("descendingButton"))->click();
        QCOMPARE(shownNames(*panel).first(), QStringLiteral("Juggernaut XL"));
        choose(panel->sortCombo(), QString::number(int(ui::LibraryTableModel::AddedColumn)));
        QCOMPARE(shownNames(*panel).first(), QStringLiteral("Pixel Art XL"));  // added last, newest first
        panel->findChild<QToolButton *>(QStringLiteral("descendingButton"))->click();
        choose(panel->sortCombo(), QString::number(int(ui::LibraryTableModel::TypeColumn)));
        QCOMPARE(shownNames(*panel), (QStringList{"Détail Tweaker", "Pixel Art XL", "Anything V5", "DreamShaper 8", "Juggernaut XL"}));
        // A click on a column header sorts too, and the sort control follows.
        panel->tableView()->sortByColumn(ui::LibraryTableModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(panel->sortCombo()->currentData().toInt(), int(ui::LibraryTableModel::NameColumn));
        QCOMPARE(shownNames(*panel).first(), QStringLiteral("Anything V5"));
    }

    void remembersFiltersSortAndViewAcrossRestarts()
    {
        addSampleLibrary();
        {
            auto panel = openPanel();
            choose(panel->baseCombo(), QStringLiteral("sd-1"));
            QTest::keyClicks(panel->searchEdit(), QStringLiteral("portrait"));
            QTRY_COMPARE(panel->proxy()->rowCount(), 1);
            choose(panel->sortCombo(), QString::number(int(ui::LibraryTableModel::SizeColumn)));
            panel->findChild<QToolButton *>(QStringLiteral("gridViewButton"))->click();
        }  // the panel saves its state when it goes
        auto reopened = openPanel();
        QCOMPARE(reopened->searchEdit()->text(), QStringLiteral("portrait"));
        QCOMPARE(reopened->baseCombo()->currentData().toString(), QStringLiteral("sd-1"));
        QCOMPARE(reopened->sortCombo()->currentData().toInt(), int(ui::LibraryTableModel::SizeColumn));
        QCOMPARE(reopened->viewMode(), ui::LibraryPanel::ViewMode::Grid);
        QCOMPARE(shownNames(*reopened), QStringList{"DreamShaper 8"});
    }

    void damagedStateFallsBackToDefaults()
    {
        addSampleLibrary();
        {
            QSettings state(statePath(), QSettings::IniFormat);
            state.setValue(QStringLiteral("library/base"), QStringLiteral("sd-99"));
            state.setValue(QStringLiteral("library/sortColumn"), 42);
            state.setValue(QStringLiteral("library/splitter"), QByteArray("garbage"));
        }
        auto panel = openPanel();
        QCOMPARE(panel->proxy()->rowCount(), 5);
        QCOMPARE(panel->sortCombo()->currentData().toInt(), int(ui::LibraryTableModel::NameColumn));
    }

    void followsTheStoreLive()
    {
        addSampleLibrary();
        auto panel = openPanel();
        // Written from another thread, as the installer does.
        RecordStore *store = m_library->store.get();
        QtConcurrent::run([store] { store->addModel(sampleModel(QStringLiteral("Added Elsewhere"))); }).waitForFinished();
        QTRY_COMPARE(panel->proxy()->rowCount(), 6);
        const QString key = m_library->store->searchByName(QStringLiteral("Added Elsewhere")).value().first().key;
        QVERIFY(m_library->store->updateModel(key, {{"name", "Renamed Elsewhere"}}));
        QTRY_VERIFY(shownNames(*panel).contains(QStringLiteral("Renamed Elsewhere")));
        QVERIFY(m_library->store->deleteModel(key));
        QTRY_COMPARE(panel->proxy()->rowCount(), 5);
    }

    void detailsShowEveryFieldAndCopyHashes()
    {
        ModelConfig model = sampleModel(QStringLiteral("Detail Lora"), ModelType::Lora, ModelFormat::Lycoris);
        model.source = QStringLiteral("https://civitai.com/models/58390?modelVersionId=62833");
        model.triggerWords = {QStringLiteral("hyperdetailed"), QStringLiteral("intricate")};
        model.description = QStringLiteral("Adds detail");
        model.sourceApiResponse = R"({"id": 58390, "name": "Detail Tweaker LoRA"})";
        model = add(model);
        auto panel = openPanel();
        panel->selectModel(model.key);
        ui::ModelDetailsPanel *details = panel->detailsPanel();
        QCOMPARE(details->shownKey(), model.key);
        QCOMPARE(details->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->text(), QStringLiteral("Detail Lora"));
        QCOMPARE(details->findChild<QLabel *>(QStringLiteral("hashLabel"))->text(), model.hash);
        QCOMPARE(details->findChild<QLabel *>(QStringLiteral("hashLabel"))->toolTip(), model.hash);
        QVERIFY(!details->findChild<QLabel *>(QStringLiteral("pathLabel"))->toolTip().isEmpty());
        QCOMPARE(details->findChild<QLabel *>(QStringLiteral("shortHashLabel"))->text(), model.hash.mid(7, 10));
        // Copies of the file in other tools' folders are listed under the path; none here.
        QVERIFY(details->findChild<QLabel *>(QStringLiteral("copiesLabel"))->isHidden());
        QVERIFY(m_library->store->updateModel(
            model.key, {{"copies", {"/comfy/loras/a.safetensors", "/webui/Lora/a.safetensors"}}}));
        QTRY_VERIFY(!details->findChild<QLabel *>(QStringLiteral("copiesLabel"))->isHidden());
        QVERIFY(details->findChild<QLabel *>(QStringLiteral("copiesLabel"))
                    ->text()
                    .contains(QStringLiteral("/webui/Lora/a.safetensors")));
        // A model imported in place shows its fast hash until the full one is computed.
        QVERIFY(m_library->store->updateModel(model.key, {{"hash", "fast:0123456789abcdef0123456789abcdef"}}));
        QTRY_VERIFY(details->findChild<QLabel *>(QStringLiteral("hashLabel"))
                        ->text()
                        .contains(QStringLiteral("still to be computed")));
        QCOMPARE(details->findChild<QLabel *>(QStringLiteral("shortHashLabel"))->text(), QStringLiteral("(not yet)"));
        QVERIFY(m_library->store->updateModel(model.key, {{"hash", model.hash.toStdString()}}));
        QTRY_COMPARE(details->findChild<QLabel *>(QStringLiteral("hashLabel"))->text(), model.hash);
        QVERIFY(details->findChild<QLabel *>(QStringLiteral("sourceLabel"))->text().contains(QStringLiteral("<a href=")));
        QVERIFY(details->findChild<QPlainTextEdit *>(QStringLiteral("remoteMetadataText"))->toPlainText().contains(QStringLiteral("Detail Tweaker LoRA")));
        QVERIFY(details->findChild<QPlainTextEdit *>(QStringLiteral("allFieldsText"))->toPlainText().contains(model.key));
        details->findChild<QToolButton *>(QStringLiteral("copyHashButton"))->click();
        QCOMPARE(QApplication::clipboard()->text(), model.hash);
        details->findChild<QToolButton *>(QStringLiteral("copyShortHashButton"))->click();
        QCOMPARE(QApplication::clipboard()->text(), model.hash.mid(7, 10));
        const QList<QPushButton *> words = details->findChildren<QPushButton *>(QStringLiteral("triggerWord"));
        QCOMPARE(words.size(), 2);
        words.at(1)->click();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("intricate"));
        // Fields that do not apply to a LoRA are not offered.
        QVERIFY(details->findChild<QComboBox *>(QStringLiteral("variantCombo"))->isHidden());
    }

    void editsAreValidatedSavedAndUndoable()
    {
        addSampleLibrary();
        ModelConfig vae = sampleModel(QStringLiteral("SD1 VAE"), ModelType::Vae);
        vae = add(vae);
        auto panel = openPanel();
        const QString key = m_library->store->searchByName(QStringLiteral("DreamShaper 8")).value().first().key;
        panel->selectModel(key);
        ui::ModelDetailsPanel *details = panel->detailsPanel();
        auto *name = details->findChild<QLineEdit *>(QStringLiteral("nameEdit"));

        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("Dream Shaper Eight"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(m_library->store->getModel(key).value().name, QStringLiteral("Dream Shaper Eight"));
        QTRY_VERIFY(shownNames(*panel).contains(QStringLiteral("Dream Shaper Eight")));

        // An empty name is refused with a reason, and nothing is saved.
        name->selectAll();
        QTest::keyClick(name, Qt::Key_Delete);
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(m_library->store->getModel(key).value().name, QStringLiteral("Dream Shaper Eight"));
        QVERIFY(details->findChild<QLabel *>(QStringLiteral("editErrorLabel"))->isVisibleTo(details));
        QCOMPARE(name->text(), QStringLiteral("Dream Shaper Eight"));

        // Tags: completed from the tags in use, saved normalised.
        auto *tags = details->findChild<QLineEdit *>(QStringLiteral("tagsEdit"));
        tags->setFocus();
        auto *completions = qobject_cast<QStringListModel *>(tags->completer()->model());
        QVERIFY(completions->stringList().contains(QStringLiteral("anime")));
        tags->setText(QStringLiteral("portrait,  general , Portrait, dreamy"));
        QTest::keyClick(tags, Qt::Key_Return);
        QCOMPARE(m_library->store->getModel(key).value().tags, (QStringList{"portrait", "general", "dreamy"}));

        // Variant, prediction type and the VAE override.
        auto *variant = details->findChild<QComboBox *>(QStringLiteral("variantCombo"));
        choose(variant, QStringLiteral("inpaint"));
        QCOMPARE(toString(*m_library->store->getModel(key).value().variant), QStringLiteral("inpaint"));
        auto *prediction = details->findChild<QComboBox *>(QStringLiteral("predictionTypeCombo"));
        choose(prediction, QStringLiteral("v_prediction"));
        QCOMPARE(toString(*m_library->store->getModel(key).value().predictionType), QStringLiteral("v_prediction"));
        auto *vaeCombo = details->findChild<QComboBox *>(QStringLiteral("vaeCombo"));
        choose(vaeCombo, vae.key);
        QCOMPARE(m_library->store->getModel(key).value().vae.value_or(QString()), vae.key);

        // Description, saved when the field loses focus.
        auto *description = details->findChild<QPlainTextEdit *>(QStringLiteral("descriptionEdit"));
        description->setFocus();
        description->setPlainText(QStringLiteral("Soft light, painterly"));
        name->setFocus();
        QTRY_COMPARE(m_library->store->getModel(key).value().description, QStringLiteral("Soft light, painterly"));

        // Every change undoes in turn, back to the start.
        QUndoStack *undo = details->undoStack();
        QCOMPARE(undo->count(), 6);
        undo->undo();
        QCOMPARE(m_library->store->getModel(key).value().description, QStringLiteral("A versatile model for portraits"));
        undo->undo();
        QVERIFY(!m_library->store->getModel(key).value().vae);
        while (undo->canUndo())
            undo->undo();
        const ModelConfig original = m_library->store->getModel(key).value();
        QCOMPARE(original.name, QStringLiteral("DreamShaper 8"));
        QCOMPARE(original.tags, (QStringList{"portrait", "general"}));
        QCOMPARE(toString(*original.variant), QStringLiteral("normal"));
        QCOMPARE(toString(*original.predictionType), QStringLiteral("epsilon"));
        QTRY_COMPARE(name->text(), QStringLiteral("DreamShaper 8"));
        undo->redo();
        QCOMPARE(m_library->store->getModel(key).value().name, QStringLiteral("Dream Shaper Eight"));
    }

    void closingWhileAFieldIsBeingEditedIsSafe()
    {
        addSampleLibrary();
        auto panel = openPanel();
        const QString key = m_library->store->searchByName(QStringLiteral("Anything V5")).value().first().key;
        panel->selectModel(key);
        auto *description = panel->detailsPanel()->findChild<QPlainTextEdit *>(QStringLiteral("descriptionEdit"));
        auto *name = panel->detailsPanel()->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
        panel->activateWindow();
        description->setFocus();
        QTest::keyClicks(description, QStringLiteral("half-typed"));
        name->setFocus();  // the description is saved as focus leaves it
        QTest::keyClicks(name, QStringLiteral(" (edited)"));
        QVERIFY(name->hasFocus());
        // The editors lose focus while the panel is torn down: nothing must reach the half-destroyed panel.
        panel.reset();
        // What was typed is kept, as if the fields had lost focus.
        QCOMPARE(m_library->store->getModel(key).value().description, QStringLiteral("half-typed"));
        QCOMPARE(m_library->store->getModel(key).value().name, QStringLiteral("Anything V5 (edited)"));
    }

    void bulkTagsTheSelection()
    {
        addSampleLibrary();
        auto panel = openPanel();
        panel->tableView()->selectAll();
        QCOMPARE(panel->selectedKeys().size(), 5);
        panel->addTagToSelection(QStringLiteral("favourite"));
        const QList<ModelConfig> tagged = m_library->store->allModels().value();
        for (const ModelConfig &config : tagged)
            QVERIFY(config.tags.contains(QStringLiteral("favourite")));
        panel->removeTagFromSelection(QStringLiteral("portrait"));
        const QList<ModelConfig> untagged = m_library->store->allModels().value();
        for (const ModelConfig &config : untagged)
            QVERIFY(!config.tags.contains(QStringLiteral("portrait")));
        // One step undoes the whole bulk change.
        panel->detailsPanel()->undoStack()->undo();
        QCOMPARE(m_library->store->searchByTag({QStringLiteral("portrait")}).value().size(), 2);
    }

    void deleteAsksFirstAndRemovesWhatItSaid()
    {
        // One model with its file in the models folder, one registered where it is, outside.
        const QString inside = QDir(models()).filePath(QStringLiteral("sd-1/lora/inside.safetensors"));
        writeFile(inside, QByteArray(5000, 'a'));
        ModelConfig insideModel = sampleModel(QStringLiteral("Inside"), ModelType::Lora, ModelFormat::Lycoris);
        insideModel.path = inside;
        insideModel.fileSize = 5000;
        insideModel = add(insideModel);
        const QString outside = m_library->dir.filePath(QStringLiteral("elsewhere/outside.safetensors"));
        writeFile(outside, QByteArray(3000, 'b'));
        ModelConfig outsideModel = sampleModel(QStringLiteral("Outside"), ModelType::Lora, ModelFormat::Lycoris);
        outsideModel.path = outside;
        outsideModel = add(outsideModel);
        auto panel = openPanel();

        // Cancelling the question changes nothing.
        panel->selectModel(insideModel.key);
        panel->tableView()->setFocus();
        bool asked = false;
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<ui::DeleteModelsDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            asked = true;
            QVERIFY(dialog->findChild<QPlainTextEdit *>(QStringLiteral("filesList"))->toPlainText().contains(inside));
            dialog->reject();
        });
        QTest::keyClick(panel->tableView(), Qt::Key_Delete);
        QVERIFY(asked);
        QVERIFY(m_library->store->exists(insideModel.key));

        // Deleting the files: the dialog names them; they and the record go.
        QSignalSpy finished(panel.get(), &ui::LibraryPanel::deletionFinished);
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<ui::DeleteModelsDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            auto *withFiles = dialog->findChild<QRadioButton *>(QStringLiteral("deleteFilesChoice"));
            QVERIFY(withFiles->isEnabled());
            withFiles->click();
            dialog->findChild<QPushButton *>(QStringLiteral("confirmDeleteButton"))->click();
        });
        QTest::keyClick(panel->tableView(), Qt::Key_Delete);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toStringList(), QStringList());
        QVERIFY(!m_library->store->exists(insideModel.key));
        QVERIFY(!QFileInfo::exists(inside));
        QTRY_COMPARE(panel->proxy()->rowCount(), 1);

        // Outside the models folder only the record can go; the file stays.
        panel->selectModel(outsideModel.key);
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<ui::DeleteModelsDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            QVERIFY(!dialog->findChild<QRadioButton *>(QStringLiteral("deleteFilesChoice"))->isEnabled());
            QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("outsideNote")));
            dialog->findChild<QPushButton *>(QStringLiteral("confirmDeleteButton"))->click();
        });
        panel->deleteSelected();
        QVERIFY(finished.wait(10000));
        QVERIFY(!m_library->store->exists(outsideModel.key));
        QVERIFY(QFileInfo::exists(outside));
    }

    void marksMissingFilesAndDuplicatesAndFixesThem()
    {
        const QString file = m_library->dir.filePath(QStringLiteral("moved/lost.safetensors"));
        writeFile(file, QByteArray(4096, 'x'));
        const auto hashes = hashing::ModelHasher().hash(file);
        QVERIFY(hashes);
        ModelConfig lost = sampleModel(QStringLiteral("Lost Model"));
        lost.path = m_library->dir.filePath(QStringLiteral("old-place/lost.safetensors"));
        lost.hash = QStringLiteral("sha256:") + hashes->sha256;
        lost.missing = true;
        lost = add(lost);
        ModelConfig first = sampleModel(QStringLiteral("Copy One"));
        ModelConfig second = sampleModel(QStringLiteral("Copy Two"));
        second.hash = first.hash;
        first = add(first);
        second = add(second);
        add(sampleModel(QStringLiteral("Healthy")));
        auto panel = openPanel();

        const auto index = [&](const QString &key) {
            return panel->library()->index(panel->library()->rowOfKey(key), ui::LibraryTableModel::NameColumn);
        };
        QVERIFY(index(lost.key).data(ui::LibraryTableModel::MissingRole).toBool());
        QCOMPARE(index(first.key).data(ui::LibraryTableModel::DuplicateRole).toInt(), 1);
        QVERIFY(index(lost.key).data(Qt::ToolTipRole).toString().contains(QStringLiteral("missing")));
        QVERIFY(index(second.key).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Duplicate")));
        auto *problems = panel->findChild<QToolButton *>(QStringLiteral("problemsButton"));
        QCOMPARE(problems->text(), QStringLiteral("Problems (3)"));
        problems->click();
        QCOMPARE(panel->proxy()->rowCount(), 3);
        problems->click();

        // The duplicate's banner shows its copies.
        panel->selectModel(first.key);
        ui::ModelDetailsPanel *details = panel->detailsPanel();
        QVERIFY(details->findChild<QWidget *>(QStringLiteral("duplicateBanner"))->isVisibleTo(details));
        details->findChild<QPushButton *>(QStringLiteral("showCopiesButton"))->click();
        QCOMPARE(shownNames(*panel), (QStringList{"Copy One", "Copy Two"}));
        QTRY_VERIFY(panel->findChild<QToolButton *>(QStringLiteral("hashChip")));
        panel->findChild<QToolButton *>(QStringLiteral("hashChip"))->click();
        QCOMPARE(panel->proxy()->rowCount(), 4);

        // The missing model's banner; a different file is refused, the same file accepted.
        panel->selectModel(lost.key);
        QVERIFY(details->findChild<QWidget *>(QStringLiteral("missingBanner"))->isVisibleTo(details));
        const QString impostor = m_library->dir.filePath(QStringLiteral("moved/other.safetensors"));
        writeFile(impostor, QByteArray(4096, 'y'));
        QSignalSpy relocated(panel.get(), &ui::LibraryPanel::relocationFinished);
        panel->relocateModel(lost.key, impostor);
        QVERIFY(relocated.wait(10000));
        QCOMPARE(relocated.last().at(1).toBool(), false);
        QVERIFY(relocated.last().at(2).toString().contains(QStringLiteral("not the same file")));
        QVERIFY(m_library->store->getModel(lost.key).value().missing);
        panel->relocateModel(lost.key, file);
        QVERIFY(relocated.wait(10000));
        QCOMPARE(relocated.last().at(1).toBool(), true);
        const ModelConfig found = m_library->store->getModel(lost.key).value();
        QVERIFY(!found.missing);
        QCOMPARE(found.path, file);
        QTRY_VERIFY(!index(lost.key).data(ui::LibraryTableModel::MissingRole).toBool());
        QTRY_VERIFY(!details->findChild<QWidget *>(QStringLiteral("missingBanner"))->isVisibleTo(details));
    }

    void worksFromTheKeyboard()
    {
        addSampleLibrary();
        auto panel = openPanel();
        QTableView *table = panel->tableView();
        table->setFocus();
        table->setCurrentIndex(panel->proxy()->index(0, 0));
        QTest::keyClick(table, Qt::Key_Down);
        QCOMPARE(panel->detailsPanel()->shownKey(), panel->proxy()->index(1, 0).data(ui::LibraryTableModel::KeyRole).toString());
        // Enter opens the details for editing.
        QTest::keyClick(table, Qt::Key_Return);
        QVERIFY(panel->detailsPanel()->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->hasFocus());
        // Typing in the list searches.
        table->setFocus();
        QTest::keyClicks(table, QStringLiteral("jugg"));
        QCOMPARE(panel->searchEdit()->text(), QStringLiteral("jugg"));
        QTRY_COMPARE(shownNames(*panel), QStringList{"Juggernaut XL"});
        // Down goes back to the results, Escape in the search clears it.
        QTest::keyClick(panel->searchEdit(), Qt::Key_Down);
        QVERIFY(table->hasFocus());
        panel->searchEdit()->setFocus();
        QTest::keyClick(panel->searchEdit(), Qt::Key_Escape);
        QTRY_COMPARE(panel->proxy()->rowCount(), 5);
    }

    void gridLoadsCoversOffTheGuiThread()
    {
        const QString cover = m_library->dir.filePath(QStringLiteral("cover.png"));
        QImage image(400, 300, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        QVERIFY(image.save(cover));
        ModelConfig model = sampleModel(QStringLiteral("With Cover"));
        model.coverImage = cover;
        model = add(model);
        add(sampleModel(QStringLiteral("Without Cover")));
        auto panel = openPanel();
        panel->setViewMode(ui::LibraryPanel::ViewMode::Grid);
        QVERIFY(panel->gridView()->isVisible());
        const QModelIndex index = panel->library()->index(panel->library()->rowOfKey(model.key), 0);
        // The grid asked while painting; the decoded thumbnail arrives later from the pool, announced for its row.
        QSignalSpy ready(panel->library(), &QAbstractItemModel::dataChanged);
        QTRY_VERIFY(!index.data(ui::LibraryTableModel::CoverRole).value<QPixmap>().isNull());
        const QPixmap thumbnail = index.data(ui::LibraryTableModel::CoverRole).value<QPixmap>();
        QCOMPARE(thumbnail.size(), QSize(128, 96));  // scaled to fit, aspect kept
        QVERIFY(std::any_of(ready.cbegin(), ready.cend(), [&](const QList<QVariant> &change) {
            return change.at(0).toModelIndex() == index && change.at(2).value<QList<int>>().contains(ui::LibraryTableModel::CoverRole);
        }));
        // A model without a cover has none, and asking never starts a load.
        const QModelIndex bare = panel->library()->index(panel->library()->rowOfKey(m_library->store->searchByName(QStringLiteral("Without Cover")).value().first().key), 0);
        QVERIFY(bare.data(ui::LibraryTableModel::CoverRole).value<QPixmap>().isNull());

        // A file that is no image is not retried or shown; the tile still paints its placeholder.
        const QString broken = m_library->dir.filePath(QStringLiteral("broken.png"));
        writeFile(broken, "not a png");
        QVERIFY(m_library->store->updateModel(bare.data(ui::LibraryTableModel::KeyRole).toString(), {{"cover_image", broken.toStdString()}}));
        QTRY_COMPARE(panel->library()->entryAt(bare.row()).summary.coverImage, broken);
        panel->library()->index(bare.row(), 0).data(ui::LibraryTableModel::CoverRole);
        QTest::qWait(200);
        QVERIFY(panel->library()->index(bare.row(), 0).data(ui::LibraryTableModel::CoverRole).value<QPixmap>().isNull());
    }
};

QTEST_MAIN(TestLibraryPanel)
#include "test_library_panel.moc"
