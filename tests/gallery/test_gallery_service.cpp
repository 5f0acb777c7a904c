// The live image index: started over an outputs folder that already holds images, it indexes them off the
// calling thread; files written, renamed into place, put in new subfolders or deleted while it runs reach the index
// through the file-system watcher and arrive as signals; added folders are scanned and watched, removed ones
// forgotten; searches answer the first screen first; hostile files are reported and never stop the scan.
#include "core/gallery/gallery_service.h"

#include "tests/fixtures.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <optional>

using namespace atelier;

namespace {

QString corpusImage(const QString &relative)
{
    return fixturesDir() + QStringLiteral("/corpus/") + relative;
}

bool copyInto(const QString &from, const QString &folder, const QString &name)
{
    QDir().mkpath(folder);
    return QFile::copy(from, QDir(folder).filePath(name));
}

QStringList pathsOf(const QList<gallery::IndexedImage> &images)
{
    QStringList paths;
    for (const gallery::IndexedImage &image : images)
        paths << image.path;
    return paths;
}

// The first report of a scan of `folder` the spy heard, once there is one.
std::optional<gallery::ScanReport> reportFor(const QSignalSpy &scanned, const QString &folder)
{
    for (const QList<QVariant> &signal : scanned)
        if (signal.at(0).toString() == QDir(folder).absolutePath())
            return signal.at(1).value<gallery::ScanReport>();
    return std::nullopt;
}

// Every image a search answers, however many parts the answer came in.
QList<gallery::IndexedImage> searchAll(gallery::GalleryService &service, const gallery::ImageQuery &query,
                                       int firstPage = 300)
{
    QList<gallery::IndexedImage> found;
    bool complete = false;
    const auto connection = QObject::connect(&service, &gallery::GalleryService::searchFinished, &service,
                                             [&](quint64, const QList<gallery::IndexedImage> &images, bool last) {
                                                 found += images;
                                                 complete = complete || last;
                                             });
    service.search(query, firstPage);
    QElapsedTimer waited;
    waited.start();
    while (!complete && waited.elapsed() < 10000)
        QTest::qWait(5);
    QObject::disconnect(connection);
    return found;
}

} // namespace

class TestGalleryService : public QObject
{
    Q_OBJECT

private slots:
    void existingImagesAreIndexedAtStartOffTheGuiThread()
    {
        QTemporaryDir root;
        const QString outputs = root.filePath(QStringLiteral("outputs"));
        QVERIFY(
            copyInto(corpusImage(QStringLiteral("png/a1111/sdmeta_sd-webui.png")), outputs, QStringLiteral("a.png")));
        QVERIFY(copyInto(corpusImage(QStringLiteral("png/fooocus/sdparsers_fooocus1_cropped.png")),
                         outputs + QStringLiteral("/sub"), QStringLiteral("b.png")));

        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")), outputs);
        QSignalSpy ready(&service, &gallery::GalleryService::ready);
        QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
        QSignalSpy folders(&service, &gallery::GalleryService::foldersChanged);
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(!scanned.isEmpty(), 20000);
        QCOMPARE(ready.size(), 1);
        QCOMPARE(scanned.at(0).at(0).toString(), QDir(outputs).absolutePath());
        QCOMPARE(scanned.at(0).at(1).value<gallery::ScanReport>().indexed, 2);
        QVERIFY(folders.size() >= 1);
        QCOMPARE(service.folders(), QStringList{QDir(outputs).absolutePath()});

        const QList<gallery::IndexedImage> all = searchAll(service, {});
        QCOMPARE(all.size(), 2);
    }

    // A view that asks before the index has opened (a panel shown before start()) is answered with nothing and no
    // problem; `ready` tells it to ask again.
    void questionsBeforeTheIndexOpensAreAnsweredEmptyWithoutAProblem()
    {
        QTemporaryDir root;
        const QString outputs = root.filePath(QStringLiteral("outputs"));
        QVERIFY(
            copyInto(corpusImage(QStringLiteral("png/a1111/sdmeta_sd-webui.png")), outputs, QStringLiteral("a.png")));
        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")), outputs);
        QSignalSpy problems(&service, &gallery::GalleryService::problem);
        QSignalSpy answered(&service, &gallery::GalleryService::searchFinished);
        QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
        const quint64 early = service.search({});
        service.requestFacets();
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(!scanned.isEmpty(), 20000);
        QTRY_VERIFY(!answered.isEmpty());
        QCOMPARE(answered.at(0).at(0).toULongLong(), early);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.value(0).value(0).toString()));
        QCOMPARE(searchAll(service, {}).size(), 1);
    }

    void filesWrittenWhileRunningAppearAndDeletedOnesLeave()
    {
        QTemporaryDir root;
        const QString outputs = root.filePath(QStringLiteral("outputs"));
        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")), outputs);
        QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
        QSignalSpy indexed(&service, &gallery::GalleryService::imagesIndexed);
        QSignalSpy removed(&service, &gallery::GalleryService::imagesRemoved);
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(!scanned.isEmpty(), 20000);
        QCOMPARE(scanned.at(0).at(1).value<gallery::ScanReport>().indexed, 0); // the folder was made for it

        // Written as the executor writes: to a temporary name, then renamed into place.
        const QString written = QDir(outputs).filePath(QStringLiteral("ComfyUI_00001_.png"));
        QVERIFY(QFile::copy(corpusImage(QStringLiteral("comfyui/lora_lora.png")), written + ".part"));
        QVERIFY(QFile::rename(written + ".part", written));
        QTRY_VERIFY_WITH_TIMEOUT(!indexed.isEmpty(), 10000);
        const auto records = indexed.takeFirst().at(0).value<QList<gallery::IndexedImage>>();
        QCOMPARE(pathsOf(records), QStringList{QFileInfo(written).absoluteFilePath()});
        QCOMPARE(records.first().recipe.tool, QStringLiteral("ComfyUI"));
        QVERIFY(records.first().hasGraph);

        // A subfolder made while running (a "prefix/name" SaveImage), written into at once: the rescan that sees
        // the folder finds the file, or the folder is watched by the time it is written.
        const QString nested = outputs + QStringLiteral("/portraits");
        QVERIFY(QDir().mkpath(nested));
        QVERIFY(
            copyInto(corpusImage(QStringLiteral("png/a1111/sdmeta_sd-webui.png")), nested, QStringLiteral("p.png")));
        QTRY_VERIFY_WITH_TIMEOUT(!indexed.isEmpty(), 10000);
        QCOMPARE(pathsOf(indexed.takeFirst().at(0).value<QList<gallery::IndexedImage>>()),
                 QStringList{QDir(nested).absoluteFilePath(QStringLiteral("p.png"))});

        QVERIFY(QFile::remove(written));
        QTRY_VERIFY_WITH_TIMEOUT(!removed.isEmpty(), 10000);
        QCOMPARE(removed.takeFirst().at(0).toStringList(), QStringList{QFileInfo(written).absoluteFilePath()});
        QCOMPARE(searchAll(service, {}).size(), 1);
    }

    void indexFilesRecordsAtOnceAndStarsAndRatingsStick()
    {
        QTemporaryDir root;
        const QString outputs = root.filePath(QStringLiteral("outputs"));
        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")), outputs);
        QSignalSpy indexed(&service, &gallery::GalleryService::imagesIndexed);
        service.start();
        const QString file = QDir(outputs).filePath(QStringLiteral("x.png"));
        service.waitForIdle();
        QVERIFY(QFile::copy(corpusImage(QStringLiteral("png/a1111/sdmeta_sd-webui.png")), file));
        service.indexFiles({file});
        QTRY_VERIFY_WITH_TIMEOUT(!indexed.isEmpty(), 10000);
        service.setStarred({file}, true);
        service.setRating({file}, 4);
        QSignalSpy problems(&service, &gallery::GalleryService::problem);
        service.setRating({file}, 9); // refused, reported
        QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 1, 5000);
        gallery::ImageQuery starred;
        starred.starredOnly = true;
        starred.minRating = 4;
        const QList<gallery::IndexedImage> found = searchAll(service, starred);
        QCOMPARE(found.size(), 1);
        QVERIFY(found.first().starred);
        QCOMPARE(found.first().rating, 4);
    }

    void addedFoldersAreScannedAndWatchedAndRemovedOnesForgotten()
    {
        QTemporaryDir root;
        const QString other = root.filePath(QStringLiteral("a1111-outputs"));
        for (const QString &name : QDir(corpusImage(QStringLiteral("png/a1111"))).entryList({QStringLiteral("*.png")}))
            QVERIFY(copyInto(corpusImage(QStringLiteral("png/a1111/") + name), other, name));
        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")),
                                        root.filePath(QStringLiteral("outputs")));
        QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
        service.start();
        service.addFolder(other);
        QTRY_VERIFY_WITH_TIMEOUT(reportFor(scanned, other) && reportFor(scanned, root.filePath("outputs")), 20000);
        const int a1111Images = QDir(other).entryList({QStringLiteral("*.png")}).size();
        QCOMPARE(reportFor(scanned, other)->indexed, a1111Images);
        QCOMPARE(service.folders().size(), 2);
        // A folder inside one already indexed (or holding one) is refused: its images would belong to both.
        QSignalSpy problems(&service, &gallery::GalleryService::problem);
        QDir().mkpath(other + QStringLiteral("/inner"));
        service.addFolder(other + QStringLiteral("/inner"));
        service.addFolder(root.path());
        QTRY_COMPARE(problems.size(), 2);
        QCOMPARE(service.folders().size(), 2);

        // The first screen comes first, then the rest.
        QSignalSpy answers(&service, &gallery::GalleryService::searchFinished);
        service.search({}, 1);
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 2, 10000);
        QCOMPARE(answers.at(0).at(1).value<QList<gallery::IndexedImage>>().size(), 1);
        QCOMPARE(answers.at(0).at(2).toBool(), false);
        QCOMPARE(answers.at(1).at(1).value<QList<gallery::IndexedImage>>().size(), a1111Images - 1);
        QCOMPARE(answers.at(1).at(2).toBool(), true);

        // All of them (no limit), in two parts.
        gallery::ImageQuery everything;
        everything.limit = 0;
        service.search(everything, 2);
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 4, 10000);
        QCOMPARE(answers.at(2).at(1).value<QList<gallery::IndexedImage>>().size(), 2);
        QCOMPARE(answers.at(3).at(1).value<QList<gallery::IndexedImage>>().size(), a1111Images - 2);
        QCOMPARE(searchAll(service, everything, 2).size(), a1111Images);

        // Remembered for the next start.
        service.waitForIdle();
        {
            gallery::GalleryService again(root.filePath(QStringLiteral("images.db")),
                                          root.filePath(QStringLiteral("outputs")));
            QSignalSpy rescanned(&again, &gallery::GalleryService::scanFinished);
            again.start();
            QTRY_VERIFY_WITH_TIMEOUT(reportFor(rescanned, other), 20000);
            QCOMPARE(reportFor(rescanned, other)->unchanged, a1111Images);
        }

        service.removeFolder(other);
        service.waitForIdle();
        QTRY_COMPARE(service.folders().size(), 1);
        QCOMPARE(searchAll(service, {}).size(), 0);
        QVERIFY(QFile::exists(QDir(other).filePath(QDir(other).entryList({QStringLiteral("*.png")}).first())));
    }

    void hostileFilesAreReportedAndTheRestIndexed()
    {
        QTemporaryDir root;
        const QString outputs = root.filePath(QStringLiteral("outputs"));
        QVERIFY(copyInto(corpusImage(QStringLiteral("png/a1111/sdmeta_sd-webui.png")), outputs,
                         QStringLiteral("good.png")));
        QFile good(QDir(outputs).filePath(QStringLiteral("good.png")));
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray bytes = good.readAll();
        const auto write = [&](const QString &name, const QByteArray &content) {
            QFile file(QDir(outputs).filePath(name));
            return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
        };
        QVERIFY(write(QStringLiteral("not-a-png.png"), QByteArray("GIF89a hostile")));
        QVERIFY(write(QStringLiteral("empty.png"), QByteArray()));
        QVERIFY(write(QStringLiteral("truncated.png"), bytes.left(bytes.size() / 2)));

        gallery::GalleryService service(root.filePath(QStringLiteral("images.db")), outputs);
        QSignalSpy scanned(&service, &gallery::GalleryService::scanFinished);
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(!scanned.isEmpty(), 20000);
        const auto report = scanned.at(0).at(1).value<gallery::ScanReport>();
        QCOMPARE(report.failures.size(), 2);
        QVERIFY(report.failures.join('\n').contains(QStringLiteral("not-a-png.png")));
        QVERIFY(report.failures.join('\n').contains(QStringLiteral("empty.png")));
        // The truncated file's text came before the damage: indexed, with a warning.
        QCOMPARE(report.indexed, 2);
        gallery::ImageQuery query;
        query.text = QStringLiteral("");
        for (const gallery::IndexedImage &image : searchAll(service, query))
            if (image.path.endsWith(QStringLiteral("truncated.png")))
                QVERIFY(!image.recipe.warnings.isEmpty());
    }

    void aDatabaseItCannotUseIsReported()
    {
        QTemporaryDir root;
        const QString database = root.filePath(QStringLiteral("images.db"));
        QFile foreign(database);
        QVERIFY(foreign.open(QIODevice::WriteOnly));
        foreign.write(QByteArray(4096, 'x'));
        foreign.close();
        gallery::GalleryService service(database, root.filePath(QStringLiteral("outputs")));
        QSignalSpy failed(&service, &gallery::GalleryService::failed);
        QSignalSpy ready(&service, &gallery::GalleryService::ready);
        service.start();
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QVERIFY(!failed.at(0).at(0).toString().isEmpty());
        QCOMPARE(ready.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestGalleryService)
#include "test_gallery_service.moc"
