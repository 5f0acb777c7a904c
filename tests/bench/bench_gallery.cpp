// The gallery over 10,000 generated PNGs, written here with the corpus' real text chunks (A1111 lines, ComfyUI
// graphs, InvokeAI, Fooocus, SwarmUI, NovelAI records), each with its own seed and small pixels of its own:
// - indexing throughput against `cat` reading the same files (both with the files in the page cache);
// - a full-text search over the 10,000 recipes (median and worst of 50);
// - the gallery's first screen: from showing the panel over an open index to the grid painted with its first rows;
// - scrolling: the longest single scroll-and-paint step, and the longest GUI stall while thumbnails arrive.
// Usage: bench_gallery [FOLDER] (default: a temporary folder). ATELIER_FIXTURES names the fixtures.
#include "core/gallery/gallery_service.h"
#include "core/gallery/image_index.h"
#include "core/metadata/png_text.h"
#include "tests/bench/bench_statistics.h"
#include "tests/fixtures.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_panel.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QListView>
#include <QProcess>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace atelier;

namespace {

constexpr int kImages = 10000;

QList<QList<metadata::TextChunk>> corpusChunks()
{
    QList<QList<metadata::TextChunk>> sets;
    QDirIterator found(fixturesDir() + QStringLiteral("/corpus"), {QStringLiteral("*.png")}, QDir::Files,
                       QDirIterator::Subdirectories);
    while (found.hasNext()) {
        const auto text = metadata::readPngTextFile(found.next());
        if (text && !text->chunks.isEmpty())
            sets << text->chunks;
    }
    return sets;
}

QByteArray pixels(int i)
{
    QImage image(96, 96, QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixelColor(x, y, QColor((x * 3 + i) % 256, (y * 5 + i * 7) % 256, (x + y + i * 13) % 256));
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

void writeImages(const QString &folder)
{
    const QList<QList<metadata::TextChunk>> sets = corpusChunks();
    static const QRegularExpression a1111Seed(QStringLiteral("Seed: \\d+"));
    static const QRegularExpression graphSeed(QStringLiteral("\"(noise_)?seed\": \\d+"));
    const QStringList words = {QStringLiteral("castle"),     QStringLiteral("forest"), QStringLiteral("portrait"),
                               QStringLiteral("lighthouse"), QStringLiteral("dragon"), QStringLiteral("city")};
    for (int i = 0; i < kImages; ++i) {
        QList<metadata::TextChunk> chunks = sets.at(i % sets.size());
        for (metadata::TextChunk &chunk : chunks) {
            chunk.text.replace(a1111Seed, QStringLiteral("Seed: %1").arg(i));
            chunk.text.replace(graphSeed, QStringLiteral("\"seed\": %1").arg(i));
            if (chunk.keyword == QLatin1String("parameters") && !chunk.text.startsWith(QLatin1Char('{')))
                chunk.text.prepend(words.at(i % words.size()) + QStringLiteral(", "));
        }
        const Result<QByteArray> png = metadata::withTextChunks(pixels(i), chunks);
        QDir().mkpath(QStringLiteral("%1/%2").arg(folder).arg(i / 1000));
        QFile file(QStringLiteral("%1/%2/image_%3.png").arg(folder).arg(i / 1000).arg(i, 5, 10, QLatin1Char('0')));
        if (!png || !file.open(QIODevice::WriteOnly) || file.write(png.value()) != png->size())
            qFatal("cannot write the benchmark's images");
    }
}

double secondsToCat(const QString &folder)
{
    QElapsedTimer timer;
    timer.start();
    QProcess cat;
    cat.setStandardOutputFile(QProcess::nullDevice());
    cat.start(QStringLiteral("sh"),
              {QStringLiteral("-c"), QStringLiteral("find '%1' -name '*.png' -exec cat {} +").arg(folder)});
    cat.waitForFinished(-1);
    return timer.nsecsElapsed() / 1e9;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    QApplication application(argc, argv);
    QTemporaryDir scratch;
    const QString root = argc > 1 ? QString::fromLocal8Bit(argv[1]) : scratch.path();
    const QString folder = QDir(root).filePath(QStringLiteral("outputs"));
    if (!QDir(folder).exists()) {
        QElapsedTimer writing;
        writing.start();
        writeImages(folder);
        std::printf("wrote %d PNGs with the corpus' chunks in %.1f s\n", kImages, writing.elapsed() / 1000.0);
    }

    // Both read warm: cat once to fill the page cache, then time it.
    secondsToCat(folder);
    const double cat = secondsToCat(folder);
    const QString database = QDir(root).filePath(QStringLiteral("images.db"));
    QFile::remove(database);
    QFile::remove(database + QStringLiteral("-wal"));
    QFile::remove(database + QStringLiteral("-shm"));
    {
        gallery::ImageIndex index(database);
        index.open();
        QElapsedTimer timer;
        timer.start();
        const auto report = index.scanFolder(folder);
        const double seconds = timer.nsecsElapsed() / 1e9;
        std::printf("index %d files: %.2f s (%.0f files/s); cat of the same files: %.3f s (%.0f files/s); "
                    "index / cat: %.1f x slower\n",
                    report->indexed, seconds, report->indexed / seconds, cat, kImages / cat, seconds / cat);
        std::printf("  (%d failures)\n", int(report->failures.size()));

        QList<double> searches;
        int matches = 0;
        for (int i = 0; i < 50; ++i) {
            gallery::ImageQuery query;
            query.text = i % 2 ? QStringLiteral("castle") : QStringLiteral("masterpiece girl");
            query.limit = 300;
            QElapsedTimer one;
            one.start();
            matches = int(index.search(query)->size());
            searches << one.nsecsElapsed() / 1e6;
        }
        std::printf("full-text search over %d recipes (first 300 of the matches): median %.2f ms, worst %.2f ms "
                    "(%d matches shown)\n",
                    kImages, median({searches.begin(), searches.end()}),
                    *std::max_element(searches.begin(), searches.end()), matches);
        QElapsedTimer everything;
        everything.start();
        gallery::ImageQuery all;
        all.limit = 0;
        const int total = int(index.search(all)->size());
        std::printf("every record (%d) read for the grid: %.1f ms\n", total, everything.nsecsElapsed() / 1e6);
    }

    // The first screen: the window opens, the index answers its first page, the grid paints.
    for (const char *pass : {"cold thumbnails", "thumbnails cached on disk"}) {
        gallery::GalleryService service(database, folder);
        QElapsedTimer timer;
        timer.start();
        ui::GalleryPanel panel(service, QDir(root).filePath(QStringLiteral("thumbnails")));
        panel.resize(900, 900);
        panel.show();
        service.start();
        QSignalSpy searched(panel.model(), &ui::GalleryModel::searched);
        while (panel.model()->imageCount() == 0 && timer.elapsed() < 30000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        panel.grid()->viewport()->repaint();
        const double firstScreen = timer.nsecsElapsed() / 1e6;
        panel.thumbnails()->waitForLoads();
        QCoreApplication::processEvents();
        panel.grid()->viewport()->repaint();
        const double withThumbnails = timer.nsecsElapsed() / 1e6;
        std::printf("first screen (%s): rows painted %.0f ms after opening, thumbnails in %.0f ms\n", pass, firstScreen,
                    withThumbnails);

        // The rest of the answer, and the grid's batched layout of it, before scrolling through it all.
        while (panel.model()->isSearching() && timer.elapsed() < 30000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < 1000)
            QCoreApplication::processEvents();
        std::printf("  all %d rows in the grid %.0f ms after opening\n", panel.model()->imageCount(),
                    timer.nsecsElapsed() / 1e6 - 1000);
        // Scrolling a page at a time, each step scrolled and painted at once; the event loop runs between steps
        // (thumbnails arriving), and its longest pause is the worst stall an artist would feel.
        QScrollBar *bar = panel.grid()->verticalScrollBar();
        QList<double> steps;
        double worstGap = 0;
        QElapsedTimer gap;
        for (int step = 0; step < 200 && bar->value() < bar->maximum(); ++step) {
            QElapsedTimer one;
            one.start();
            bar->setValue(bar->value() + bar->pageStep());
            panel.grid()->viewport()->repaint();
            steps << one.nsecsElapsed() / 1e6;
            gap.start();
            QCoreApplication::processEvents();
            worstGap = std::max(worstGap, gap.nsecsElapsed() / 1e6);
        }
        std::printf("scrolling %d pages: each step median %.1f ms, worst %.1f ms; longest event-loop pause %.1f ms\n",
                    int(steps.size()), median({steps.begin(), steps.end()}),
                    *std::max_element(steps.begin(), steps.end()), worstGap);
        panel.thumbnails()->waitForLoads();
        service.waitForIdle();
    }
    return 0;
}
