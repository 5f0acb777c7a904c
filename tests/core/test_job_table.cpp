#include "core/jobs/job_table.h"

#include <QThread>
#include <QtTest>

#include <atomic>

using atelier::jobs::JobTable;

namespace {

struct Job
{
    int id = -1;
    QString status = QStringLiteral("waiting");
    bool inTerminalState() const { return status == QLatin1String("completed") || status == QLatin1String("error"); }
};

} // namespace

// The job table every kind of background work shares: ids, snapshots, the listener's order and waiting.
class TestJobTable : public QObject
{
    Q_OBJECT

private slots:
    void givesIdsAfterRestoredJobsAndPublishesChanges()
    {
        QList<int> published;
        JobTable<Job> table([&published](const Job &job) { published << job.id; });
        Job restored;
        restored.id = 7;
        table.restore(restored);
        QVERIFY(published.isEmpty()); // an earlier session's job is not news

        Job fresh;
        QCOMPARE(table.add(fresh), 8);
        QCOMPARE(fresh.id, 8);
        QCOMPARE(published, QList<int>{8});
        const std::optional<Job> changed = table.change(7, [](Job &job) { job.status = QStringLiteral("running"); });
        QVERIFY(changed && changed->status == QLatin1String("running"));
        QCOMPARE(table.find(7)->status, QStringLiteral("running"));
        QCOMPARE(published, (QList<int>{8, 7}));

        // Unknown ids change nothing and publish nothing.
        Job stranger;
        stranger.id = 99;
        QVERIFY(!table.put(stranger));
        QVERIFY(!table.change(99, [](Job &) {}));
        QCOMPARE(published.size(), 2);
        QCOMPARE(table.list().size(), 2);
    }

    void removesOnlyWhatIsAsked()
    {
        JobTable<Job> table;
        Job a, b, c;
        table.add(a);
        table.add(b);
        table.add(c);
        table.change(b.id, [](Job &job) { job.status = QStringLiteral("completed"); });
        QVERIFY(!table.removeIf(a.id, [](const Job &job) { return job.inTerminalState(); }));
        QCOMPARE(table.removeWhere([](const Job &job) { return job.inTerminalState(); }), QList<int>{b.id});
        QCOMPARE(table.list().size(), 2);
        QCOMPARE(table.listWhere([&](const Job &job) { return job.id == c.id; }).size(), 1);
    }

    void waitersWakeAfterTheListenerAndTimeOut()
    {
        std::atomic<bool> listenerSawTheEnd{false};
        JobTable<Job> table([&](const Job &job) {
            if (job.inTerminalState()) {
                QThread::msleep(50); // a slow listener: the waiter must still see what it did
                listenerSawTheEnd = true;
            }
        });
        Job job;
        table.add(job);
        QVERIFY(!table.waitForEnd(job.id, 20)); // times out while the job runs
        QVERIFY(!table.waitUntil([](const QMap<int, Job> &) { return false; }, 20));

        std::optional<Job> ended;
        bool listenerFirst = false;
        QThread *waiter = QThread::create([&] {
            ended = table.waitForEnd(job.id);
            listenerFirst = listenerSawTheEnd;
        });
        waiter->start();
        QThread::msleep(20);
        table.change(job.id, [](Job &j) { j.status = QStringLiteral("error"); });
        QVERIFY(waiter->wait(5000));
        delete waiter;
        QVERIFY(ended && ended->status == QLatin1String("error"));
        QVERIFY(listenerFirst);
        QVERIFY(!table.waitForEnd(12345, 0)); // unknown: no job to return, and no wait
    }

    void aWaiterSeesTheListenerOfItsJobEvenWhenAnotherJobChanges()
    {
        std::atomic<bool> listenerDone{false};
        JobTable<Job> table([&](const Job &job) {
            if (job.id == 0 && job.inTerminalState()) {
                QThread::msleep(150);
                listenerDone = true;
            }
        });
        Job first, second;
        table.add(first);
        table.add(second);
        bool sawListener = false;
        QThread *waiter = QThread::create([&] {
            table.waitForEnd(first.id);
            sawListener = listenerDone;
        });
        QThread *ender = QThread::create(
            [&] { table.change(first.id, [](Job &job) { job.status = QStringLiteral("completed"); }); });
        waiter->start();
        QThread::msleep(20);
        ender->start();
        QThread::msleep(40); // the first job's listener is still busy: another job's progress wakes the waiter
        table.change(second.id, [](Job &job) { job.status = QStringLiteral("running"); });
        QVERIFY(waiter->wait(5000));
        QVERIFY(ender->wait(5000));
        delete waiter;
        delete ender;
        QVERIFY(sawListener);
    }

    void theOwnersStateIsAttachedBeforeTheJobCanBeFound()
    {
        JobTable<Job> table;
        std::atomic<bool> attached{false};
        std::atomic<bool> foundUnattached{false};
        std::atomic<bool> stop{false};
        QThread *looker = QThread::create([&] {
            while (!stop)
                if (table.contains(0) && !attached)
                    foundUnattached = true;
        });
        looker->start();
        Job job;
        table.add(job, [&](int) {
            QThread::msleep(30); // a slow owner: the job must stay invisible meanwhile
            attached = true;
        });
        stop = true;
        QVERIFY(looker->wait(5000));
        delete looker;
        QVERIFY(!foundUnattached);
    }
};

QTEST_GUILESS_MAIN(TestJobTable)
#include "test_job_table.moc"
