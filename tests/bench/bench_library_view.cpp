// How long the GUI thread is blocked while the model library opens and filters 10,000 records. A heartbeat timer
// on the GUI thread measures the longest gap between its ticks while the panel loads; each synchronous step an
// artist triggers (typing a search letter by letter, choosing filters, sorting, switching to the grid) is timed
// directly. The baseline, in the same run: reading the same records with RecordStore::browse on the GUI thread,
// which is what a view that loads synchronously would block for. Prints a table; asserts nothing.
//
//   bench_library_view [--records N]

#include "core/downloads/download_queue.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/bench/bench_statistics.h"
#include "tests/bench/realistic_records.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_panel.h"
#include "ui/library/library_table_model.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>

using namespace atelier;

namespace {

// Ticks every millisecond on the GUI thread and keeps the longest time between two ticks.
class Heartbeat : public QObject
{
public:
    Heartbeat()
    {
        m_timer.setInterval(1);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last >= 0)
                m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_longest = 0;
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        return double(m_longest) / 1e6;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    qint64 m_longest = 0;
};

void spin(int ms)
{
    QElapsedTimer wait;
    wait.start();
    while (wait.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

// Runs `step` on the GUI thread, then lets the events it queued run (deferred counts, repaints); returns the
// longest the GUI thread was busy without a break: the step itself or any one event after it.
double timed(Heartbeat &heartbeat, const std::function<void()> &step)
{
    QElapsedTimer clock;
    clock.start();
    step();
    const double direct = double(clock.nsecsElapsed()) / 1e6;
    heartbeat.start();
    spin(250);  // longer than the search's typing delay, so a deferred filter runs in here
    return std::max(direct, heartbeat.stop());
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption recordsOption(QStringLiteral("records"), QStringLiteral("How many records."), QStringLiteral("N"), QStringLiteral("10000"));
    parser.addOption(recordsOption);
    parser.process(application);
    const int records = parser.value(recordsOption).toInt();

    QTemporaryDir dir;
    models::RecordStore store(dir.filePath(QStringLiteral("atelier.db")));
    if (const Status opened = store.open(); !opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        return 1;
    }
    QRandomGenerator random(20261123);
    QList<models::ModelConfig> configs;
    for (int i = 0; i < records; ++i)
    {
        models::ModelConfig config = bench::realisticRecord(i, random);
        config.key = models::ModelConfig::newKey();
        configs << config;
    }
    if (const auto imported = store.importModels(configs, false); !imported) {
        std::fprintf(stderr, "cannot fill the library: %s\n", qPrintable(imported.error()));
        return 1;
    }
    downloads::DownloadQueue queue(downloads::DownloadQueue::Options{});
    models::ModelInstaller::Options options;
    options.modelsDir = dir.filePath(QStringLiteral("models"));
    options.cacheDir = dir.filePath(QStringLiteral("cache"));
    models::ModelInstaller installer(store, queue, options);

    // Baseline: the whole library read on the GUI thread, as a synchronous view would.
    std::vector<double> synchronous;
    for (int run = 0; run < 5; ++run) {
        QElapsedTimer clock;
        clock.start();
        models::ModelQuery everything;
        everything.limit = 0;
        const auto page = store.browse(everything);
        synchronous.push_back(double(clock.nsecsElapsed()) / 1e6);
        if (!page || page->models.size() != records)
            return 1;
    }

    Heartbeat heartbeat;
    std::printf("Model library view, %d records (offscreen)\n\n", records);
    std::printf("%-44s %10s\n", "step", "longest GUI-thread stall (ms)");

    // Opening: the panel is built and shown on the GUI thread; the records load in the background.
    QElapsedTimer clock;
    clock.start();
    ui::LibraryPanel panel(store, installer, options.modelsDir, QString());
    panel.resize(1400, 900);
    panel.show();
    const double construct = double(clock.nsecsElapsed()) / 1e6;
    heartbeat.start();
    QSignalSpy loaded(panel.library(), &ui::LibraryTableModel::loaded);
    while (loaded.isEmpty())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double loadMs = double(clock.nsecsElapsed()) / 1e6;
    spin(100);
    const double loading = heartbeat.stop();
    std::printf("%-44s %10.1f\n", "build and show the panel", construct);
    std::printf("%-44s %10.1f   (all rows in after %.0f ms)\n", "while 10,000 rows load", loading, loadMs);
    double worst = std::max(construct, loading);

    const auto report = [&](const char *what, const std::function<void()> &step) {
        const double ms = timed(heartbeat, step);
        worst = std::max(worst, ms);
        std::printf("%-44s %10.1f   (%d shown)\n", what, ms, panel.proxy()->rowCount());
    };
    // Typing "pixel art" one key at a time (the search waits for a pause in typing; each key is timed anyway).
    QString typed;
    for (const QChar c : QStringLiteral("pixel art")) {
        typed += c;
        report(qPrintable(QStringLiteral("type \"%1\"").arg(typed)), [&] { panel.searchEdit()->setText(typed); });
    }
    report("clear the search", [&] { panel.searchEdit()->clear(); });
    const auto choose = [&](QComboBox *combo, const QString &value) {
        const int item = combo->findData(value);
        combo->setCurrentIndex(item);
        emit combo->activated(item);
    };
    report("base filter: sdxl", [&] { choose(panel.baseCombo(), QStringLiteral("sdxl")); });
    report("type filter: lora", [&] { choose(panel.typeCombo(), QStringLiteral("lora")); });
    report("all bases again", [&] { choose(panel.baseCombo(), QString()); });
    report("all types again", [&] { choose(panel.typeCombo(), QString()); });
    report("sort by size", [&] { choose(panel.sortCombo(), QString::number(int(ui::LibraryTableModel::SizeColumn))); });
    report("sort by name", [&] { choose(panel.sortCombo(), QString::number(int(ui::LibraryTableModel::NameColumn))); });
    report("switch to the grid", [&] { panel.setViewMode(ui::LibraryPanel::ViewMode::Grid); });
    report("switch to the list", [&] { panel.setViewMode(ui::LibraryPanel::ViewMode::List); });
    // Written by another thread, as installs are; the view takes the change from a queued signal.
    report("one record added elsewhere (live update)", [&] {
        models::ModelConfig added = bench::realisticRecord(records + 1, random);
        QThread *writer = QThread::create([&store, added] { store.addModel(added); });
        writer->start();
        while (!writer->isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        delete writer;
    });

    std::printf("\nlongest GUI-thread stall: %.1f ms (target: under 50 ms)\n", worst);
    std::printf("baseline, the same records read on the GUI thread (RecordStore::browse): median %.1f ms\n",
                median(synchronous));
    std::printf("ratio, longest stall / synchronous read: %.2f\n", worst / median(synchronous));
    return 0;
}
