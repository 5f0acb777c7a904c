// The gallery, offscreen, over a real image index of corpus PNGs: the grid fills, searches and filters narrow it,
// F and the number keys star and rate (kept in the index), an image written while it is open appears on top, the
// inspector shows the selected recipe and copies and exports it, Delete moves files to the trash and undo brings
// them back, the viewer steps through the grid and compares two images' recipes, and a run's preview is a tile.
#include "core/gallery/gallery_service.h"
#include "core/metadata/png_text.h"
#include "tests/fixtures.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/gallery/image_viewer.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

using namespace atelier;

class TestGalleryPanel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString outputs() const { return m_root.filePath(QStringLiteral("outputs")); }
    QString comfy(const QString &name) const { return QDir(outputs()).filePath(name); }
    int corpusImages = 0;

    // A panel over a service that has indexed the outputs folder.
    struct Gallery
    {
        explicit Gallery(const QString &root, const QString &outputs)
            : service(QDir(root).filePath(QStringLiteral("images.db")), outputs)
            , panel(service, QDir(root).filePath(QStringLiteral("cache/thumbnails")))
        {
            panel.resize(900, 800);
            panel.show();
            QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
            service.start();
            scanned.wait(20000);
        }
        gallery::GalleryService service;
        ui::GalleryPanel panel;
        ui::GalleryModel &model() { return *panel.model(); }
        QListView &grid() { return *panel.grid(); }
        void select(int row)
        {
            grid().setCurrentIndex(model().index(row, 0));
            panel.inspector()->waitForRead();
        }
    };

private slots:
    void initTestCase()
    {
        // The trash is the test's own.
        qputenv("XDG_DATA_HOME", m_root.filePath(QStringLiteral("data")).toUtf8());
        QDir().mkpath(m_root.filePath(QStringLiteral("data/Trash")));
        QDir().mkpath(outputs());
        const QString corpus = fixturesDir() + QStringLiteral("/corpus/comfyui");
        for (const QString &name : QDir(corpus).entryList({QStringLiteral("*.png")})) {
            QVERIFY(QFile::copy(QDir(corpus).filePath(name), comfy(name)));
            ++corpusImages;
        }
    }

    void theGridShowsTheIndexAndFilters()
    {
        Gallery gallery(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        // Thumbnails are made off the GUI thread and kept on disk by hash.
        for (int row = 0; row < gallery.model().rowCount(); ++row)
            gallery.model().data(gallery.model().index(row, 0), Qt::DecorationRole);
        gallery.panel.thumbnails()->waitForLoads();
        QTRY_VERIFY(!gallery.model().data(gallery.model().index(0, 0), Qt::DecorationRole).value<QPixmap>().isNull());
        const QString onDisk = gallery.panel.thumbnails()->diskPath(gallery.model().image(0)->sha256);
        QVERIFY2(QFile::exists(onDisk), qPrintable(onDisk));

        QTest::keyClicks(gallery.panel.searchField(), QStringLiteral("girl"));
        QTRY_VERIFY_WITH_TIMEOUT(gallery.model().imageCount() < corpusImages && gallery.model().imageCount() > 0, 5000);
        QVERIFY(gallery.model().rowOf(comfy(QStringLiteral("lora_lora.png"))) >= 0);
        for (int row = 0; row < gallery.model().imageCount(); ++row)
            QVERIFY(gallery.model().image(row)->recipe.prompt->contains(QStringLiteral("girl"), Qt::CaseInsensitive));
        gallery.panel.searchField()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 5000);

        // A date range: the files were copied today.
        gallery.panel.setDateRange(QDate::currentDate().addDays(-20), QDate::currentDate().addDays(-10));
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), 0, 5000);
        gallery.panel.setDateRange(QDate::currentDate(), QDate::currentDate());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 5000);
        // By model: only the images whose recipe names it.
        auto *models = gallery.panel.findChild<QComboBox *>(QStringLiteral("modelFilter"));
        QTRY_VERIFY(models->count() > 2);
        models->setCurrentIndex(1);
        emit models->activated(1);
        QTRY_VERIFY_WITH_TIMEOUT(gallery.model().imageCount() < corpusImages, 5000);
        for (int row = 0; row < gallery.model().imageCount(); ++row)
            QCOMPARE(gallery.model().image(row)->recipe.model->name, models->currentText());
    }

    void starsAndRatingsComeFromTheKeysAndStay()
    {
        QString starredPath;
        {
            Gallery gallery(m_root.path(), outputs());
            QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
            gallery.select(2);
            starredPath = gallery.model().image(2)->path;
            gallery.grid().setFocus();
            QTest::keyClick(&gallery.grid(), Qt::Key_F);
            QTest::keyClick(&gallery.grid(), Qt::Key_4);
            QVERIFY(gallery.model().image(2)->starred);
            QCOMPARE(gallery.model().image(2)->rating, 4);
            gallery.service.waitForIdle();
            // The starred filter and the rating filter show it alone.
            gallery.panel.findChild<QCheckBox *>(QStringLiteral("starredFilter"))->setChecked(true);
            QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), 1, 5000);
            QCOMPARE(gallery.model().image(0)->path, starredPath);
            gallery.panel.findChild<QCheckBox *>(QStringLiteral("starredFilter"))->setChecked(false);
            auto *rating = gallery.panel.findChild<QComboBox *>(QStringLiteral("ratingFilter"));
            rating->setCurrentIndex(5);
            emit rating->activated(5);
            QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), 0, 5000);
            rating->setCurrentIndex(4);
            emit rating->activated(4);
            QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), 1, 5000);
        }
        Gallery again(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(again.model().imageCount(), corpusImages, 10000);
        const int row = again.model().rowOf(starredPath);
        QVERIFY(row >= 0);
        QVERIFY(again.model().image(row)->starred);
        QCOMPARE(again.model().image(row)->rating, 4);
        // Un-starred by F again; rating cleared by 0.
        again.select(row);
        again.grid().setFocus();
        QTest::keyClick(&again.grid(), Qt::Key_F);
        QTest::keyClick(&again.grid(), Qt::Key_0);
        QVERIFY(!again.model().image(row)->starred);
        QCOMPARE(again.model().image(row)->rating, 0);
        again.service.waitForIdle();
    }

    void anImageWrittenWhileOpenAppearsOnTop()
    {
        Gallery gallery(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        const QString written = comfy(QStringLiteral("ComfyUI_00042_.png"));
        QVERIFY(QFile::copy(fixturesDir() + QStringLiteral("/corpus/png/sdcpp/sdcpp_anima_example.png"),
                            written + QStringLiteral(".tmp")));
        {
            QFile newer(written + QStringLiteral(".tmp"));
            QVERIFY(newer.open(QIODevice::ReadWrite));
            QVERIFY(newer.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
        }
        gallery.select(3);
        const QString selected = gallery.model().image(3)->path;
        QSignalSpy resets(&gallery.model(), &QAbstractItemModel::modelReset);
        QVERIFY(QFile::rename(written + QStringLiteral(".tmp"), written));
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages + 1, 10000);
        QCOMPARE(gallery.model().image(0)->path, written);
        // Inserted, not searched again: the selection stays on the same image.
        QTest::qWait(600);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(gallery.model().image(gallery.grid().currentIndex().row())->path, selected);

        // While a run renders, its preview is the first tile; then it goes.
        QImage preview(64, 64, QImage::Format_RGB888);
        preview.fill(Qt::red);
        gallery.panel.showRunPreview(preview, 0.25);
        QVERIFY(gallery.model().index(0, 0).data(ui::GalleryModel::PreviewRole).toBool());
        QCOMPARE(gallery.model().index(1, 0).data(ui::GalleryModel::PathRole).toString(), written);
        gallery.panel.endRunPreview();
        QCOMPARE(gallery.model().index(0, 0).data(ui::GalleryModel::PathRole).toString(), written);
        QVERIFY(QFile::remove(written));
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
    }

    void theInspectorShowsCopiesAndExports()
    {
        Gallery gallery(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        const int row = gallery.model().rowOf(comfy(QStringLiteral("lora_lora.png")));
        QVERIFY(row >= 0);
        gallery.select(row);
        ui::ImageInspector &inspector = *gallery.panel.inspector();
        QCOMPARE(inspector.path(), comfy(QStringLiteral("lora_lora.png")));
        QCOMPARE(inspector.findChild<QPlainTextEdit *>(QStringLiteral("inspectorPrompt"))->toPlainText(),
                 QStringLiteral("masterpiece best quality girl"));
        QVERIFY(inspector.findChild<QTreeWidget *>(QStringLiteral("rawChunks"))->topLevelItemCount() >= 2);
        inspector.copyPrompt();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("masterpiece best quality girl"));
        inspector.copySeed();
        QCOMPARE(QGuiApplication::clipboard()->text(), QString::number(*inspector.recipe().seed));
        inspector.copyAll();
        QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("Seed: ")));

        QSignalSpy openAsGraph(&gallery.panel, &ui::GalleryPanel::openAsGraphRequested);
        QSignalSpy useRecipe(&gallery.panel, &ui::GalleryPanel::useRecipeRequested);
        QTest::mouseClick(inspector.findChild<QPushButton *>(QStringLiteral("openAsGraph")), Qt::LeftButton);
        QTest::mouseClick(inspector.findChild<QPushButton *>(QStringLiteral("useRecipe")), Qt::LeftButton);
        QCOMPARE(openAsGraph.size(), 1);
        QCOMPARE(openAsGraph.at(0).at(0).toString(), comfy(QStringLiteral("lora_lora.png")));
        QCOMPARE(useRecipe.size(), 1);

        const QString shared = m_root.filePath(QStringLiteral("shared.png"));
        QVERIFY(inspector.exportTo(shared, gallery::ExportMetadata::RecipeOnly));
        QCOMPARE(metadata::readPngTextFile(shared).value().chunks.size(), 1);

        // A model the library lacks, with a hash: "Find and install…" asks for it by that hash.
        ui::LibraryFinder none = [](const metadata::ModelReference &) { return std::optional<ui::LibraryMatch>(); };
        gallery.panel.setLibraryFinder(none);
        // A PNG dropped from a file manager is inspected too.
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(fixturesDir() + QStringLiteral("/corpus/png/a1111/sdmeta_sd-webui.png"))});
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&inspector, &enter);
        QVERIFY(enter.isAccepted());
        QApplication::sendEvent(&inspector, &drop);
        inspector.waitForRead();
        QCOMPARE(inspector.recipe().tool, QStringLiteral("A1111"));
        delete mime;
        // Its model is not in the library, and its recipe gives a hash: "Find and install…" asks for it by that hash.
        QLabel *modelRow = nullptr;
        for (QLabel *label : inspector.findChildren<QLabel *>())
            if (label->text().contains(QStringLiteral("href=\"find:")))
                modelRow = label;
        QVERIFY(modelRow);
        QSignalSpy install(&gallery.panel, &ui::GalleryPanel::installRequested);
        const QString hash = inspector.recipe().model->hash;
        emit modelRow->linkActivated(QStringLiteral("find:") + hash);
        QCOMPARE(install.size(), 1);
        QCOMPARE(install.at(0).at(0).toString(), hash);
    }

    void deleteGoesToTheTrashAndUndoBringsItBack()
    {
        Gallery gallery(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        const int row = 4;
        const QString path = gallery.model().image(row)->path;
        gallery.select(row);
        gallery.grid().setFocus();
        // Marked first: stars and ratings live only in the index, and must come back with the file.
        QTest::keyClick(&gallery.grid(), Qt::Key_F);
        QTest::keyClick(&gallery.grid(), Qt::Key_3);
        QTest::keyClick(&gallery.grid(), Qt::Key_Delete);
        QVERIFY2(!QFile::exists(path), "moved to the trash");
        QCOMPARE(gallery.model().imageCount(), corpusImages - 1);
        // In the test's own trash, with the trash's record of it.
        QCOMPARE(QDir(m_root.filePath(QStringLiteral("data/Trash/files"))).entryList(QDir::Files).size(), 1);
        QCOMPARE(QDir(m_root.filePath(QStringLiteral("data/Trash/info"))).entryList(QDir::Files).size(), 1);
        gallery.panel.undoStack()->undo();
        QVERIFY(QFile::exists(path));
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        QCOMPARE(gallery.model().rowOf(path), row); // back where its date puts it
        gallery.service.waitForIdle();
        gallery::ImageQuery marked;
        marked.starredOnly = true;
        marked.minRating = 3;
        gallery.model().setQuery(marked);
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), 1, 5000);
        QCOMPARE(gallery.model().image(0)->path, path);
        // The trash keeps no record of it.
        QVERIFY(QDir(m_root.filePath(QStringLiteral("data/Trash/info"))).entryList(QDir::Files).isEmpty());
        QVERIFY(QDir(m_root.filePath(QStringLiteral("data/Trash/files"))).entryList(QDir::Files).isEmpty());
    }

    void theViewerStepsAndCompares()
    {
        Gallery gallery(m_root.path(), outputs());
        QTRY_COMPARE_WITH_TIMEOUT(gallery.model().imageCount(), corpusImages, 10000);
        gallery.select(0);
        gallery.panel.openViewer();
        ui::ImageViewer *viewer = gallery.panel.viewer();
        viewer->waitForImages();
        QCOMPARE(viewer->row(), 0);
        QVERIFY(!viewer->view(0)->image().isNull());
        QTest::keyClick(viewer, Qt::Key_Right);
        viewer->waitForImages();
        QCOMPARE(viewer->row(), 1);
        QCOMPARE(viewer->view(0)->image().size(),
                 QSize(gallery.model().image(1)->width, gallery.model().image(1)->height));
        // Zoom about a point and pan: the view follows.
        const double fitted = viewer->view(0)->scale();
        viewer->view(0)->zoomBy(2.0, QPointF(50, 50));
        QVERIFY(viewer->view(0)->scale() > fitted);
        QTest::keyClick(viewer, Qt::Key_Left);
        QCOMPARE(viewer->row(), 0);

        const int a = gallery.model().rowOf(comfy(QStringLiteral("lora_lora.png")));
        const int b = gallery.model().rowOf(comfy(QStringLiteral("lora_lora_multiple.png")));
        gallery.grid().selectionModel()->clearSelection();
        gallery.grid().selectionModel()->select(gallery.model().index(a, 0), QItemSelectionModel::Select);
        gallery.grid().selectionModel()->select(gallery.model().index(b, 0), QItemSelectionModel::Select);
        gallery.panel.compareSelection();
        viewer->waitForImages();
        QVERIFY(viewer->isComparing());
        QVERIFY(!viewer->view(1)->image().isNull());
        QStringList changed;
        for (int i = 0; i < viewer->differences()->topLevelItemCount(); ++i)
            changed << viewer->differences()->topLevelItem(i)->text(0);
        QVERIFY2(changed.contains(QStringLiteral("Seed")) && changed.contains(QStringLiteral("LoRAs")),
                 qPrintable(changed.join(',')));
    }
};

QTEST_MAIN(TestGalleryPanel)
#include "test_gallery_panel.moc"
