#include "core/downloads/download_queue.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/fault_server.h"
#include "tests/fixtures.h"
#include "tests/ui/test_library.h"
#include "ui/installs/install_job_model.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_panel.h"
#include "ui/library/library_table_model.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

using namespace atelier;
using namespace atelier::models;

namespace {

QString tinySd1File()
{
    return QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors"));
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Drops `mime` on the panel the way a window system delivers a drag: enter, move, drop.
void drop(QWidget *target, QMimeData *mime)
{
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &move);
    QDropEvent dropped(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &dropped);
    QVERIFY(dropped.isAccepted());
}

// The job model is checked against QAbstractItemModel's contract for as long as it lives.
void watch(QAbstractItemModel *model)
{
    new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest, model);
}

} // namespace

class TestInstallQueuePanel : public QObject
{
    Q_OBJECT
    std::unique_ptr<TestLibrary> m_library;
    std::unique_ptr<FaultServer> m_server;

    QString models() const { return m_library->modelsDir(); }

    QString statusText(ui::InstallQueuePanel &panel, int jobId) const
    {
        const int row = panel.jobModel()->rowOfJob(jobId);
        return row < 0 ? QString() : panel.jobModel()->index(row, ui::InstallJobModel::StatusColumn).data().toString();
    }
    QString progressText(ui::InstallQueuePanel &panel, int jobId) const
    {
        const int row = panel.jobModel()->rowOfJob(jobId);
        return row < 0 ? QString() : panel.jobModel()->index(row, ui::InstallJobModel::ProgressColumn).data(ui::InstallJobModel::ProgressTextRole).toString();
    }
    // The job the panel made last.
    int lastJob(ui::InstallQueuePanel &panel) const
    {
        const int rows = panel.jobModel()->rowCount();
        return rows == 0 ? -1 : panel.jobModel()->jobAt(rows - 1).id;
    }

private slots:
    void init()
    {
        downloads::DownloadQueue::Options queueOptions;
        queueOptions.retryBaseDelayMs = 20;
        queueOptions.maxAttempts = 1;
        m_library = std::make_unique<TestLibrary>(queueOptions);
        QVERIFY(m_library->opened);
        m_server = std::make_unique<FaultServer>(QHostAddress(QStringLiteral("127.0.0.2")));
    }

    void cleanup()
    {
        m_library.reset();
        m_server.reset();
    }

    void droppingAModelFileInstallsItIntoTheLibrary()
    {
        ui::LibraryPanel library(*m_library->store, *m_library->installer, models(), m_library->dir.filePath(QStringLiteral("ui-state.ini")));
        ui::InstallQueuePanel panel(*m_library->installer, false);
        watch(panel.jobModel());
        library.show();
        panel.show();
        QSignalSpy asked(&panel, &ui::InstallQueuePanel::showModelRequested);

        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(tinySd1File())});
        drop(&panel, mime);
        const int job = lastJob(panel);
        QVERIFY(job >= 0);
        QTRY_COMPARE_WITH_TIMEOUT(statusText(panel, job), QStringLiteral("Installed"), 30000);
        delete mime;

        // Copied into the models folder, and in the library with the probed type and base.
        const InstallJob done = *m_library->installer->jobById(job);
        QVERIFY(done.configOut);
        QVERIFY(done.configOut->path.startsWith(models()));
        QTRY_COMPARE(library.proxy()->rowCount(), 1);
        const QModelIndex row = library.proxy()->index(0, 0);
        QCOMPARE(row.siblingAtColumn(ui::LibraryTableModel::TypeColumn).data().toString(), QStringLiteral("main"));
        QCOMPARE(row.siblingAtColumn(ui::LibraryTableModel::BaseColumn).data().toString(), QStringLiteral("sd-1"));

        // The row's "Show" selects it in the library.
        QPushButton *show = panel.actionButton(job, QStringLiteral("show"));
        QVERIFY(show && show->isVisibleTo(&panel));
        QVERIFY(!panel.actionButton(job, QStringLiteral("cancel"))->isVisibleTo(&panel));
        connect(&panel, &ui::InstallQueuePanel::showModelRequested, &library, &ui::LibraryPanel::selectModel);
        show->click();
        QCOMPARE(asked.size(), 1);
        QCOMPARE(library.selectedKeys(), QStringList{done.configOut->key});
    }

    void droppingWithInPlaceRegistersWhereTheFileIs()
    {
        ui::InstallQueuePanel panel(*m_library->installer, true);
        watch(panel.jobModel());
        QVERIFY(panel.inPlaceCheck()->isChecked());
        const QString copy = m_library->dir.filePath(QStringLiteral("mine/tiny.safetensors"));
        QDir().mkpath(QFileInfo(copy).absolutePath());
        QVERIFY(QFile::copy(tinySd1File(), copy));
        auto mime = std::make_unique<QMimeData>();
        mime->setData(QStringLiteral("text/uri-list"), QUrl::fromLocalFile(copy).toEncoded() + "\r\n");
        drop(&panel, mime.get());
        const int job = lastJob(panel);
        QTRY_COMPARE_WITH_TIMEOUT(statusText(panel, job), QStringLiteral("Installed"), 30000);
        QCOMPARE(m_library->installer->jobById(job)->configOut->path, copy);
    }

    void readsWhatDropsAndPastesCarry()
    {
        QMimeData uriList;
        uriList.setData(QStringLiteral("text/uri-list"), "# a comment\r\nfile:///models/a.safetensors\r\nhttps://example.com/b.safetensors\r\n");
        QCOMPARE(ui::InstallQueuePanel::sourcesIn(&uriList), (QStringList{"/models/a.safetensors", "https://example.com/b.safetensors"}));
        QMimeData text;
        text.setText(QStringLiteral("  stabilityai/sd-vae-ft-mse  \nhttps://civitai.com/models/4201?modelVersionId=130072\n\n"));
        QCOMPARE(ui::InstallQueuePanel::sourcesIn(&text),
                 (QStringList{"stabilityai/sd-vae-ft-mse", "https://civitai.com/models/4201?modelVersionId=130072"}));
        QMimeData image;
        image.setImageData(QImage(2, 2, QImage::Format_RGB32));
        QCOMPARE(ui::InstallQueuePanel::sourcesIn(&image), QStringList());
    }

    void urlInstallShowsProgressPausesResumesAndCompletes()
    {
        FaultRoute slow;
        slow.body = readAll(tinySd1File());
        QVERIFY(slow.body.size() > 1000000);
        slow.chunkDelayMs = 15;
        m_server->setRoute("/models/tiny-sd1.safetensors", slow);
        ui::InstallQueuePanel panel(*m_library->installer, false);
        watch(panel.jobModel());
        panel.resize(1400, 400);
        panel.show();

        panel.addEdit()->setText(m_server->url("/models/tiny-sd1.safetensors").toString());
        QTest::keyClick(panel.addEdit(), Qt::Key_Return);
        QCOMPARE(panel.addEdit()->text(), QString());
        const int job = lastJob(panel);
        QTRY_VERIFY_WITH_TIMEOUT(m_library->installer->jobById(job)->bytes > 200000, 20000);
        QCOMPARE(statusText(panel, job), QStringLiteral("Downloading"));
        // The bar says how far, how fast and how long.
        QTRY_VERIFY_WITH_TIMEOUT(progressText(panel, job).contains(QStringLiteral(" of ")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(progressText(panel, job).contains(QStringLiteral("/s")), 5000);
        QVERIFY(progressText(panel, job).contains(QStringLiteral("left")));

        QPushButton *pause = panel.actionButton(job, QStringLiteral("pause"));
        QVERIFY(pause && pause->isVisibleTo(&panel));
        pause->click();
        QTRY_COMPARE(statusText(panel, job), QStringLiteral("Paused"));
        QTRY_VERIFY(panel.actionButton(job, QStringLiteral("resume"))->isVisibleTo(&panel));
        QVERIFY(!panel.actionButton(job, QStringLiteral("pause"))->isVisibleTo(&panel));
        // Paused means paused: the bytes stop growing.
        QTest::qWait(300);
        const qint64 held = m_library->installer->jobById(job)->bytes;
        QTest::qWait(400);
        QCOMPARE(m_library->installer->jobById(job)->bytes, held);
        QVERIFY(held < slow.body.size());

        panel.actionButton(job, QStringLiteral("resume"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(statusText(panel, job), QStringLiteral("Installed"), 30000);
        const InstallJob done = *m_library->installer->jobById(job);
        QCOMPARE(readAll(done.configOut->path), slow.body);
        QCOMPARE(toString(done.configOut->type), QStringLiteral("main"));

        // "Clear finished" empties the list.
        panel.findChild<QPushButton *>(QStringLiteral("clearFinishedButton"))->click();
        QTRY_COMPARE(panel.jobModel()->rowCount(), 0);
    }

    void failingUrlShowsItsErrorAndCanBeRetriedOrRemoved()
    {
        FaultRoute missing;
        missing.status = 404;
        missing.body = "no such file";
        m_server->setRoute("/models/gone.safetensors", missing);
        ui::InstallQueuePanel panel(*m_library->installer, false);
        watch(panel.jobModel());
        panel.show();
        const QList<int> jobs = panel.install({m_server->url("/models/gone.safetensors").toString()});
        QCOMPARE(jobs.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(statusText(panel, jobs.first()),
                                  QStringLiteral("Not found on the server: the link is wrong or the file was removed."), 20000);
        // The installer's own words are one click away.
        const int row = panel.jobModel()->rowOfJob(jobs.first());
        QVERIFY(panel.jobModel()->index(row, ui::InstallJobModel::StatusColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("404")));
        QVERIFY(panel.actionButton(jobs.first(), QStringLiteral("details"))->isVisibleTo(&panel));

        // Retry replaces the row with a new job (which fails the same way), remove takes it away.
        panel.actionButton(jobs.first(), QStringLiteral("retry"))->click();
        QTRY_COMPARE(panel.jobModel()->rowOfJob(jobs.first()), -1);
        QCOMPARE(panel.jobModel()->rowCount(), 1);
        const int retried = lastJob(panel);
        QVERIFY(retried != jobs.first());
        QTRY_VERIFY_WITH_TIMEOUT(m_library->installer->jobById(retried)->errored(), 20000);
        QTRY_VERIFY(panel.actionButton(retried, QStringLiteral("remove"))->isVisibleTo(&panel));
        panel.actionButton(retried, QStringLiteral("remove"))->click();
        QTRY_COMPARE(panel.jobModel()->rowCount(), 0);
        QVERIFY(!m_library->installer->jobById(retried));

        // Something that is no source at all fails at once, in words.
        const QList<int> nonsense = panel.install({QStringLiteral("not a model, just words")});
        QTRY_VERIFY(statusText(panel, nonsense.first()).startsWith(QStringLiteral("Not something Atelier can install")));
    }

    void cancelStopsADownload()
    {
        FaultRoute slow;
        slow.body = readAll(tinySd1File());
        slow.chunkDelayMs = 30;
        m_server->setRoute("/models/slow.safetensors", slow);
        ui::InstallQueuePanel panel(*m_library->installer, false);
        watch(panel.jobModel());
        panel.show();
        const int job = panel.install({m_server->url("/models/slow.safetensors").toString()}).first();
        QTRY_VERIFY_WITH_TIMEOUT(m_library->installer->jobById(job)->bytes > 100000, 20000);
        panel.actionButton(job, QStringLiteral("cancel"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(statusText(panel, job), QStringLiteral("Cancelled"), 20000);
        QVERIFY(panel.actionButton(job, QStringLiteral("retry"))->isVisibleTo(&panel));
        QCOMPARE(m_library->store->allModels().value().size(), 0);
    }
};

QTEST_MAIN(TestInstallQueuePanel)
#include "test_install_queue_panel.moc"
