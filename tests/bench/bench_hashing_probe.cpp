// Benchmarks of hashing and probing. Prints a table; asserts nothing.
//   bench_hashing_probe [--gib N] [--probe-files N] [--dir DIR]
// Full hash: a file of N GiB with the page cache warm, against `sha256sum` on the same file in the same run.
// Folder: 32 files of 64 MiB hashed as a folder (in parallel) against the sum of hashing each file alone.
// Fast hash: median time on the same file. Probe: files per second over sparse files written from the real
// architecture manifests in the fixtures.

#include "../fixtures.h"
#include "../sparse_safetensors.h"
#include "core/hashing/model_hasher.h"
#include "core/models/probe/model_probe.h"
#include "tests/bench/bench_statistics.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

using namespace atelier::models;
using namespace atelier::hashing;
using json = nlohmann::json;

namespace {

void writeFile(const QString &path, qint64 bytes, quint32 seed)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    QByteArray chunk(8 << 20, Qt::Uninitialized);
    QRandomGenerator random(seed);
    random.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
    for (qint64 written = 0; written < bytes; written += chunk.size()) {
        chunk[0] = char(written >> 23);  // no two chunks alike
        file.write(chunk.constData(), std::min<qint64>(chunk.size(), bytes - written));
    }
}

void warm(const QString &path)
{
    QProcess cat;
    cat.setStandardOutputFile(QProcess::nullDevice());
    cat.start(QStringLiteral("cat"), {path});
    cat.waitForFinished(-1);
}

double sha256sumSeconds(const QString &path)
{
    return secondsOf([&] {
        QProcess process;
        process.start(QStringLiteral("sha256sum"), {path});
        process.waitForFinished(-1);
    });
}

// Writes `count` sparse safetensors files cycling through the single-file manifests; returns their paths.
QStringList writeProbeCorpus(const QString &folder, int count)
{
    QList<json> manifests;
    for (const QFileInfo &info : QDir(fixturesDir() + QStringLiteral("/manifests")).entryInfoList({QStringLiteral("*.json")})) {
        QFile file(info.filePath());
        file.open(QIODevice::ReadOnly);
        const QByteArray bytes = file.readAll();
        json manifest = json::parse(bytes.constBegin(), bytes.constEnd());
        if (manifest["root"] == "file")
            manifests << manifest;
    }
    QStringList paths;
    for (int i = 0; i < count && !manifests.isEmpty(); ++i) {
        const json &file = manifests[i % manifests.size()]["files"][0];
        const QString path = QStringLiteral("%1/%2-%3").arg(folder).arg(i).arg(QString::fromStdString(file["path"].get<std::string>()));
        if (writeSparseSafetensorsFile(path, file["tensors"], file.value("metadata", json::object())))
            paths << path;
    }
    return paths;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption gibOption(QStringLiteral("gib"), QStringLiteral("Size of the big file in GiB."), QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption probeOption(QStringLiteral("probe-files"), QStringLiteral("Files to probe."), QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption dirOption(QStringLiteral("dir"), QStringLiteral("Where to write the test files."), QStringLiteral("DIR"), QDir::tempPath());
    parser.addOptions({gibOption, probeOption, dirOption});
    parser.addHelpOption();
    parser.process(application);
    QTextStream out(stdout);
    QTemporaryDir dir(parser.value(dirOption) + QStringLiteral("/atelier-bench-XXXXXX"));

    // Full hash of one big file, warm.
    const qint64 bytes = parser.value(gibOption).toLongLong() << 30;
    const QString big = dir.filePath(QStringLiteral("big.safetensors"));
    writeFile(big, bytes, 1);
    warm(big);
    std::vector<double> ours, theirs;
    QString ourHash;
    for (int run = 0; run < 3; ++run) {
        theirs.push_back(sha256sumSeconds(big));
        ours.push_back(secondsOf([&] { ourHash = sha256OfFile(big).value(); }));
    }
    const double gib = double(bytes) / double(1 << 30);
    out << QStringLiteral("Full SHA-256, %1 GiB file, page cache warm (median of 3, in GiB/s):\n").arg(gib);
    out << QStringLiteral("  atelier   %1 GiB/s   (%2 s; runs %3)\n").arg(gib / median(ours), 0, 'f', 2).arg(median(ours), 0, 'f', 2)
               .arg(QStringLiteral("%1 / %2 / %3").arg(ours[0], 0, 'f', 2).arg(ours[1], 0, 'f', 2).arg(ours[2], 0, 'f', 2));
    out << QStringLiteral("  sha256sum %1 GiB/s   (%2 s; runs %3)\n").arg(gib / median(theirs), 0, 'f', 2).arg(median(theirs), 0, 'f', 2)
               .arg(QStringLiteral("%1 / %2 / %3").arg(theirs[0], 0, 'f', 2).arg(theirs[1], 0, 'f', 2).arg(theirs[2], 0, 'f', 2));
    out << QStringLiteral("  ratio (atelier throughput / sha256sum throughput): %1\n\n").arg(median(theirs) / median(ours), 0, 'f', 2);
    out.flush();

    // Fast identity hash of the same file.
    std::vector<double> fast;
    for (int run = 0; run < 200; ++run)
        fast.push_back(secondsOf([&] { fastIdentityHash(big); }) * 1000.0);
    out << QStringLiteral("Fast identity hash, same file, warm: median %1 ms, max %2 ms (200 runs)\n\n")
               .arg(median(fast), 0, 'f', 3).arg(*std::max_element(fast.begin(), fast.end()), 0, 'f', 3);
    QFile::remove(big);

    // A folder of many files: parallel folder hash against the sum of single-file hashes.
    const QString folder = dir.filePath(QStringLiteral("folder"));
    for (int i = 0; i < 32; ++i)
        writeFile(QStringLiteral("%1/part-%2.safetensors").arg(folder).arg(i, 2, 10, QLatin1Char('0')), 64 << 20, quint32(i + 10));
    for (int i = 0; i < 32; ++i)
        warm(QStringLiteral("%1/part-%2.safetensors").arg(folder).arg(i, 2, 10, QLatin1Char('0')));
    std::vector<double> folderTimes, sumTimes;
    for (int run = 0; run < 3; ++run) {
        folderTimes.push_back(secondsOf([&] { ModelHasher().hash(folder); }));
        sumTimes.push_back(secondsOf([&] {
            for (int i = 0; i < 32; ++i)
                sha256OfFile(QStringLiteral("%1/part-%2.safetensors").arg(folder).arg(i, 2, 10, QLatin1Char('0')));
        }));
    }
    out << QStringLiteral("Folder of 32 x 64 MiB, warm, %1 threads: folder hash %2 s, sum of its files hashed one by one %3 s (x%4)\n\n")
               .arg(QThread::idealThreadCount()).arg(median(folderTimes), 0, 'f', 2).arg(median(sumTimes), 0, 'f', 2)
               .arg(median(sumTimes) / median(folderTimes), 0, 'f', 2);
    QDir(folder).removeRecursively();

    // Probe rate over sparse files with real architectures' headers.
    const QString corpus = dir.filePath(QStringLiteral("probe"));
    QDir().mkpath(corpus);
    const QStringList files = writeProbeCorpus(corpus, parser.value(probeOption).toInt());
    int identified = 0;
    const double probeSeconds = secondsOf([&] {
        for (const QString &file : files) {
            const auto result = probeModel(file);
            identified += result && result->identified();
        }
    });
    out << QStringLiteral("Probe: %1 sparse files (headers of %2 real architectures) in %3 s: %4 files/s, %5 identified\n")
               .arg(files.size()).arg(std::min<qsizetype>(files.size(), 14)).arg(probeSeconds, 0, 'f', 3)
               .arg(double(files.size()) / probeSeconds, 0, 'f', 0).arg(identified);
    return 0;
}
