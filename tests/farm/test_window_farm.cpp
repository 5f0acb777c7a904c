// The node editor sending runs to a render farm, offscreen: "Run on" in the Run queue panel, the worker that took a
// run shown on its row, the image back in the outputs; a real redis-server and a real `atelier worker`.
#include "tests/app/cli_runner.h"
#include "tests/farm/farm_processes.h"
#include "tests/farm/redis_process.h"
#include "tests/ui/editor_test_support.h"

#include "core/farm/farm_run_queue.h"
#include "ui/graph/run_queue_panel.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QtTest>

using namespace atelier;

class TestWindowFarm : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_workerRoot;
    std::unique_ptr<RedisProcess> m_redis;
    std::unique_ptr<graph_tests::TinyRoot> m_tiny;
    std::unique_ptr<ui::GraphEditor> m_editor;

private slots:
    void initTestCase()
    {
        if (const QString cannot = farmTestsCannotRun(); !cannot.isEmpty())
            QSKIP(qPrintable(cannot));
        m_workerRoot = m_dir.filePath(QStringLiteral("worker"));
        const CliRun installed = installModel(m_workerRoot, graph_tests::checkpointOf(QStringLiteral("tiny-sd1")),
                                              QStringLiteral("the worker's own name for it"));
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
    }
    void init()
    {
        m_redis = std::make_unique<RedisProcess>();
        QVERIFY2(m_redis->start(), m_redis->log().constData());
        // The window's library knows the model by its hash, which is how the worker finds it under its own name.
        QFile model(graph_tests::checkpointOf(QStringLiteral("tiny-sd1")));
        QVERIFY(model.open(QIODevice::ReadOnly));
        QCryptographicHash sha256(QCryptographicHash::Sha256);
        QVERIFY(sha256.addData(&model));
        m_tiny = std::make_unique<graph_tests::TinyRoot>();
        QVERIFY(m_tiny->addTinyModel(QStringLiteral("sha256:") + QString::fromLatin1(sha256.result().toHex())));
        m_editor = editor_tests::shownEditor(m_tiny->registry);
        QVERIFY(m_editor);
    }
    void cleanup()
    {
        m_editor.reset();
        m_tiny.reset();
        m_redis.reset();
    }

    void runsGoWhereRunOnSays()
    {
        ui::RunQueuePanel &panel = *m_editor->runQueuePanel();
        panel.resize(560, 190);
        panel.show();
        QComboBox *destination = panel.destinationBox();
        QVERIFY(!destination->isVisibleTo(&panel)); // no farm, no choice
        auto farm = std::make_unique<farm::FarmRunQueue>(m_redis->address(), farm::FarmKeys(), m_tiny->environment);
        farm::FarmRunQueue *queue = farm.get();
        queue->startFollowing();
        m_editor->setFarm(std::move(farm), queue->farmName());
        QVERIFY(destination->isVisibleTo(&panel));
        QCOMPARE(destination->count(), 2);
        QCOMPARE(destination->itemText(1), QStringLiteral("Render farm (%1)").arg(m_redis->url()));
        destination->setCurrentIndex(1);

        editor_tests::txt2imgOnTheTinyModel(*m_editor, 4);
        graph::GraphDocument &document = *m_editor->currentDocument();
        const QStringList ids = document.nodeIds();
        m_editor->currentScene()->edit("model", [&] {
            document.setValue(ids.at(0), "ckpt_name", graph::GraphValue::text(QStringLiteral("Tiny")));
            document.setValue(ids.at(4), "control_after_generate",
                              graph::GraphValue::text(QStringLiteral("increment")));
        });
        QSignalSpy finished(m_editor.get(), &ui::GraphEditor::runFinished);
        QStringList rowsWhenPlaced;
        connect(queue, &graph::RunQueue::placed, this, [&] {
            if (!rowsWhenPlaced.isEmpty())
                return;
            for (int row = 0; row < panel.list()->count(); ++row) // after the panel's own slot
                rowsWhenPlaced << panel.list()->item(row)->text();
            // docs/screenshots/run-queue-farm.png
            if (const QString folder = qEnvironmentVariable("ATELIER_SCREENSHOTS"); !folder.isEmpty())
                panel.grab().save(QDir(folder).filePath(QStringLiteral("run-queue-farm.png")));
        });
        const quint64 first = m_editor->queueCurrent();
        const quint64 second = m_editor->queueCurrent();
        QCOMPARE(panel.shownRuns(), (QList<quint64>{first, second}));
        QVERIFY2(panel.list()->item(0)->text().contains(QStringLiteral("waiting (farm)")),
                 qPrintable(panel.list()->item(0)->text()));
        QCOMPARE(m_editor->runService().pending(), 0); // not on this computer
        // One on this computer meanwhile, long enough to be running when the farm's worker takes the first.
        destination->setCurrentIndex(0);
        m_editor->currentScene()->edit("steps",
                                       [&] { document.setValue(ids.at(4), "steps", graph::GraphValue::integer(150)); });
        const quint64 local = m_editor->queueCurrent();
        QCOMPARE(m_editor->runService().pending(), 1);

        const WorkerProcess worker(m_workerRoot, m_redis->url(), QStringLiteral("farmhand"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 120000);
        for (const QList<QVariant> &end : std::as_const(finished)) {
            const graph::RunOutcome outcome = end.at(1).value<graph::RunOutcome>();
            QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        }
        QVERIFY2(rowsWhenPlaced.join('\n').contains(QStringLiteral("#%1  txt2img — running on farmhand").arg(first)),
                 qPrintable(rowsWhenPlaced.join('\n')));
        QVERIFY(panel.shownRuns().isEmpty());
        const QStringList made = m_tiny->outputFiles();
        QCOMPARE(made.size(), 3);
        QCOMPARE(made.filter(QStringLiteral("_00001.png")).size(), 2); // the farm's, named after their jobs
        Q_UNUSED(local);

        // Back on this computer once the farm is gone from the settings: a run still waiting there ends, cancelled.
        destination->setCurrentIndex(1);
        const quint64 orphan = m_editor->queueCurrent();
        QCOMPARE(panel.shownRuns(), QList<quint64>{orphan});
        m_editor->setFarm(nullptr);
        QCOMPARE(finished.size(), 4);
        QCOMPARE(finished.last().at(0).toULongLong(), orphan);
        QCOMPARE(finished.last().at(1).value<graph::RunOutcome>().status, graph::RunOutcome::Status::Interrupted);
        QVERIFY(panel.shownRuns().isEmpty());
        QVERIFY(!destination->isVisibleTo(&panel));
        QCOMPARE(panel.destination(), static_cast<graph::RunQueue *>(&m_editor->runService()));
    }
};

QTEST_MAIN(TestWindowFarm)
#include "test_window_farm.moc"
