// Download throughput and memory: a file served by a local nginx, fetched by Atelier's queue and by `curl -o` in the
// same run. Prints a table; asserts nothing.
//   bench_download [--gib N] [--runs N]

#include "tests/bench/bench_statistics.h"
#include "core/downloads/download_queue.h"
#include "../downloads/nginx_server.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTemporaryDir>

#include <algorithm>
#include <vector>

using namespace atelier::downloads;

namespace {

// Peak and current resident memory of this process, in MiB, from /proc.
std::pair<double, double> residentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    status.open(QIODevice::ReadOnly);
    double peak = 0, now = 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            peak = line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
        if (line.startsWith("VmRSS:"))
            now = line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return {peak, now};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption gibOption(QStringLiteral("gib"), QStringLiteral("File size in GiB."), QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Runs of each."), QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({gibOption, runsOption});
    parser.addHelpOption();
    parser.process(application);
    QTextStream out(stdout);

    NginxServer nginx;
    if (!nginx.ready()) {
        out << "nginx did not start: " << nginx.errorLog() << "\n";
        return 1;
    }
    const qint64 bytes = parser.value(gibOption).toLongLong() << 30;
    {
        // Random-looking data, written once; the page cache then serves both clients alike.
        QFile file(nginx.servedFile(QStringLiteral("model.safetensors")));
        file.open(QIODevice::WriteOnly);
        QByteArray chunk(8 << 20, Qt::Uninitialized);
        for (int i = 0; i < chunk.size(); ++i)
            chunk[i] = char((i * 2654435761u) >> 24);
        for (qint64 written = 0; written < bytes; written += chunk.size())
            file.write(chunk.constData(), std::min<qint64>(chunk.size(), bytes - written));
    }
    QTemporaryDir target;
    const QUrl url = nginx.url(QStringLiteral("/model.safetensors"));
    const QString curlFile = target.filePath(QStringLiteral("curl.bin"));
    const QString ourFile = target.filePath(QStringLiteral("atelier.bin"));
    const int runs = parser.value(runsOption).toInt();

    const auto [peakBefore, rssBefore] = residentMiB();
    std::vector<double> curlSeconds, ourSeconds;
    for (int run = 0; run < runs; ++run) {
        QFile::remove(curlFile);
        QElapsedTimer timer;
        timer.start();
        QProcess curl;
        curl.start(QStringLiteral("curl"), {QStringLiteral("-s"), QStringLiteral("-o"), curlFile, url.toString()});
        curl.waitForFinished(-1);
        curlSeconds.push_back(double(timer.nsecsElapsed()) / 1e9);

        QFile::remove(ourFile);
        DownloadQueue queue;
        DownloadJob job;
        job.source = url;
        job.destination = ourFile;
        timer.restart();
        const int id = queue.submit(job);
        queue.waitForJob(id);
        ourSeconds.push_back(double(timer.nsecsElapsed()) / 1e9);
        if (queue.jobById(id)->status != DownloadStatus::Completed || QFileInfo(ourFile).size() != bytes) {
            out << "the download failed: " << queue.jobById(id)->errorMessage << "\n";
            return 1;
        }
    }
    const auto [peakAfter, rssAfter] = residentMiB();
    const double gib = double(bytes) / double(1 << 30);
    const auto runsText = [](const std::vector<double> &v) {
        QStringList parts;
        for (double s : v)
            parts << QString::number(s, 'f', 2);
        return parts.join(QStringLiteral(" / "));
    };
    out << QStringLiteral("%1 GiB from nginx on 127.0.0.1 to %2, median of %3:\n").arg(gib).arg(target.path()).arg(runs);
    out << QStringLiteral("  atelier  %1 MiB/s  (%2 s; runs %3)\n").arg(gib * 1024 / median(ourSeconds), 0, 'f', 0).arg(median(ourSeconds), 0, 'f', 2).arg(runsText(ourSeconds));
    out << QStringLiteral("  curl -o  %1 MiB/s  (%2 s; runs %3)\n").arg(gib * 1024 / median(curlSeconds), 0, 'f', 0).arg(median(curlSeconds), 0, 'f', 2).arg(runsText(curlSeconds));
    out << QStringLiteral("  ratio (atelier / curl throughput): %1\n").arg(median(curlSeconds) / median(ourSeconds), 0, 'f', 2);
    out << QStringLiteral("  atelier's memory: peak resident %1 MiB before the downloads, %2 MiB after (growth %3 MiB)\n")
               .arg(peakBefore, 0, 'f', 1).arg(peakAfter, 0, 'f', 1).arg(peakAfter - peakBefore, 0, 'f', 1);
    return 0;
}
