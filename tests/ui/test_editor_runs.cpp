// The node editor's runs, offscreen on the tiny SD 1.x model: cancelled between steps, listed in the run queue
// (moved up, removed, cleared), and followed by the gallery (the preview as a tile, the image on top as it is
// written, its recipe back into a graph).
#include "core/gallery/gallery_service.h"
#include "tests/ui/editor_test_support.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/graph/run_queue_panel.h"

#include <QDir>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

using namespace atelier;
using namespace graph_tests;

class TestEditorRuns : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TinyRoot> m_tiny;
    std::unique_ptr<ui::GraphEditor> m_editor;

    ui::GraphScene &scene() const { return *m_editor->currentScene(); }
    graph::GraphDocument &document() const { return *m_editor->currentDocument(); }
    QStringList txt2imgOnTheTinyModel(int steps) { return editor_tests::txt2imgOnTheTinyModel(*m_editor, steps); }
    graph::RunOutcome runAndWait() { return editor_tests::runAndWait(*m_editor); }

private slots:
    void init()
    {
        m_tiny = std::make_unique<TinyRoot>();
        m_editor = editor_tests::shownEditor(m_tiny->registry);
        QVERIFY(m_editor);
    }
    void cleanup()
    {
        m_editor.reset();
        m_tiny.reset();
    }

    void aRunCancelsBetweenSteps()
    {
        const QStringList ids = txt2imgOnTheTinyModel(200);
        QSignalSpy progress(&m_editor->runService(), &graph::GraphRunService::nodeProgress);
        QSignalSpy finished(m_editor.get(), &ui::GraphEditor::runFinished);
        m_editor->queueCurrent();
        QVERIFY(progress.wait(60000));
        m_editor->cancelRuns();
        QVERIFY(finished.wait(60000));
        QCOMPARE(int(finished.first().at(1).value<graph::RunOutcome>().status),
                 int(graph::RunOutcome::Status::Interrupted));
        QCOMPARE(m_editor->statusLabel()->text(), QStringLiteral("Cancelled"));
        QVERIFY(QDir(m_tiny->outputs()).entryList(QDir::Files).isEmpty());
    }
    // Queued runs are listed; a waiting one moves up or goes; Clear leaves the running one.
    void theRunQueueIsVisibleAndEditable()
    {
        const QStringList ids = txt2imgOnTheTinyModel(2);
        // A new seed each run, so that each makes an image (the cache would serve a run repeated as it was).
        scene().edit("seed", [&] {
            document().setValue(ids.at(4), "control_after_generate", graph::GraphValue::text("increment"));
        });
        ui::RunQueuePanel &panel = *m_editor->runQueuePanel();
        QSignalSpy finished(m_editor.get(), &ui::GraphEditor::runFinished);
        const quint64 first = m_editor->queueCurrent();
        const quint64 second = m_editor->queueCurrent();
        const quint64 third = m_editor->queueCurrent();
        QCOMPARE(panel.shownRuns(), (QList<quint64>{first, second, third}));
        panel.list()->setCurrentRow(2);
        panel.moveSelectedUp();
        QCOMPARE(panel.shownRuns(), (QList<quint64>{first, third, second}));
        panel.list()->setCurrentRow(2);
        panel.removeSelected();
        QTRY_VERIFY(!panel.shownRuns().contains(second));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 120000);
        QVERIFY(panel.shownRuns().isEmpty());
        QCOMPARE(m_tiny->outputFiles().size(), 2);

        m_editor->queueCurrent();
        m_editor->queueCurrent();
        m_editor->queueCurrent();
        panel.clearWaiting();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 6, 120000);
        QVERIFY(m_tiny->outputFiles().size() <= 4); // the running one ran on; those waiting did not
        QVERIFY(panel.shownRuns().isEmpty());
    }

    // The gallery follows the editor's runs: the preview is its first tile while the sampler steps, the image is on
    // top as soon as it is written; the image's recipe then goes back into a fresh graph with "Use recipe".
    void runsReachTheGalleryAndRecipesComeBack()
    {
        gallery::GalleryService images(m_tiny->root.filePath(QStringLiteral("images.db")), m_tiny->outputs());
        ui::GalleryPanel panel(images, m_tiny->root.filePath(QStringLiteral("cache/thumbnails")));
        panel.followRuns(m_editor->runService());
        panel.show();
        QSignalSpy scanned(&images, &gallery::GalleryService::scanFinished);
        images.start();
        QVERIFY(scanned.wait(20000));
        const QStringList ids = txt2imgOnTheTinyModel(6);
        document().setValue(ids.at(4), QStringLiteral("seed"), graph::GraphValue::integer(4242));
        bool previewShown = false;
        connect(panel.model(), &QAbstractItemModel::rowsInserted, this, [&] {
            previewShown = previewShown || panel.model()->index(0, 0).data(ui::GalleryModel::PreviewRole).toBool();
        });
        QCOMPARE(int(runAndWait().status), int(graph::RunOutcome::Status::Completed));
        QVERIFY(previewShown);
        QCOMPARE(m_tiny->outputFiles().size(), 1);
        const QString written = QDir(m_tiny->outputs()).filePath(m_tiny->outputFiles().first());
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->imageCount(), 1, 10000);
        QVERIFY(!panel.model()->index(0, 0).data(ui::GalleryModel::PreviewRole).toBool());
        QCOMPARE(panel.model()->image(0)->path, written);
        QCOMPARE(panel.model()->image(0)->recipe.seed, std::optional<quint64>(4242));

        m_editor->newTxt2ImgTab();
        const QStringList fresh = document().nodeIds();
        panel.grid()->setCurrentIndex(panel.model()->index(0, 0));
        panel.inspector()->waitForRead();
        QVERIFY(m_editor->useRecipe(panel.inspector()->recipe()).size() >= 3);
        QCOMPARE(document().graph().node(fresh.at(4))->input(QStringLiteral("seed"))->value->toInteger(),
                 std::optional<std::int64_t>(4242));
        QCOMPARE(document().graph().node(fresh.at(4))->input(QStringLiteral("steps"))->value->toInteger(),
                 std::optional<std::int64_t>(6));
        scene().undoStack().undo();
        QVERIFY(document().graph().node(fresh.at(4))->input(QStringLiteral("seed"))->value->toInteger() !=
                std::optional<std::int64_t>(4242));
    }
};

QTEST_MAIN(TestEditorRuns)
#include "test_editor_runs.moc"
