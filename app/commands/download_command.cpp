#include "app/command.h"
#include "app/terminal_progress.h"

#include "core/downloads/download_queue.h"
#include "core/models/install/hub_access.h"
#include "core/settings/settings_store.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QRegularExpression>

#include <cstdio>
#include <unistd.h>

namespace atelier::app {

namespace {

QString humanBytes(double bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', unit == 0 ? 0 : 1).arg(QLatin1String(units[unit]));
}

void drawProgress(const downloads::DownloadJob &job, double bytesPerSecond)
{
    const double fraction = job.totalBytes > 0 ? double(job.bytes) / double(job.totalBytes) : 0.0;
    const QString bar = progressBarText(fraction);
    QString eta = QStringLiteral("--:--");
    if (bytesPerSecond > 0 && job.totalBytes > job.bytes) {
        const qint64 seconds = qint64(double(job.totalBytes - job.bytes) / bytesPerSecond);
        eta = QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    const QString line = QStringLiteral("\r[%1] %2%  %3 / %4  %5/s  ETA %6\033[K")
                             .arg(bar)
                             .arg(int(fraction * 100), 3)
                             .arg(humanBytes(double(job.bytes)), job.totalBytes > 0 ? humanBytes(double(job.totalBytes)) : QStringLiteral("?"),
                                  humanBytes(bytesPerSecond), eta);
    std::fputs(line.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

} // namespace

// `atelier download URL [--to DIR|FILE] [--token T] [--sha256 HEX]`: one file through the download queue.
int runDownloadCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption to(QStringLiteral("to"), QStringLiteral("A folder (the server names the file) or a file path; default: here."),
                                QStringLiteral("PATH"), QDir::currentPath());
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Access token (default: the settings' token for the host)."),
                                   QStringLiteral("T"));
    const QCommandLineOption sha256(QStringLiteral("sha256"), QStringLiteral("Expected SHA-256; a mismatch is an error."), QStringLiteral("HEX"));
    parser.addOptions({to, token, sha256});
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("What to download (http or https)."));
    if (const int done = parseCommandArguments(
            parser, context,
            QStringLiteral("Download a file. An interrupted download resumes when the same command runs again."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier download: expected one URL\n";
        return kExitUsage;
    }
    const QUrl url = QUrl::fromUserInput(parser.positionalArguments().first());
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        context.err << "atelier download: \"" << parser.positionalArguments().first() << "\" is not an http or https URL\n";
        return kExitUsage;
    }
    if (parser.isSet(sha256) && !QRegularExpression(QStringLiteral("^[0-9a-fA-F]{64}$")).match(parser.value(sha256)).hasMatch()) {
        context.err << "atelier download: --sha256 needs 64 hexadecimal characters\n";
        return kExitUsage;
    }
    const QString destination = QDir::cleanPath(QDir::current().absoluteFilePath(parser.value(to)));
    // "DIR/" names a folder, whether or not it exists yet: cleanPath drops the slash, so it is looked at first, and
    // the folder is made rather than a file named DIR written.
    const QString given = parser.value(to);
    if ((given.endsWith(QLatin1Char('/')) || given.endsWith(QLatin1String("/."))) && !QFileInfo(destination).isDir() &&
        !QDir().mkpath(destination)) {
        context.err << "atelier download: the folder " << destination << " cannot be made\n";
        return kExitFailure;
    }
    if (!QFileInfo(destination).isDir() && !QFileInfo(QFileInfo(destination).absolutePath()).isDir()) {
        context.err << "atelier download: the folder of " << destination << " does not exist\n";
        return kExitFailure;
    }

    downloads::DownloadQueue::Options options;
    options.maxParallel = context.settings.current().maxParallelDownloads;
    downloads::DownloadQueue queue(options);
    downloads::DownloadJob job;
    job.source = url;
    job.destination = destination;
    job.accessToken = parser.isSet(token) ? parser.value(token) : models::HubAccess::fromSettings(context.settings.current()).tokenFor(url);
    job.expectedSha256 = parser.value(sha256).toLower();

    const bool interactive = ::isatty(STDERR_FILENO);
    QElapsedTimer clock;
    clock.start();
    qint64 startBytes = -1;
    downloads::DownloadJob last;
    QEventLoop loop;
    QObject::connect(&queue, &downloads::DownloadQueue::jobChanged, &loop, [&](const downloads::DownloadJob &changed) {
        last = changed;
        if (changed.status == downloads::DownloadStatus::Running && startBytes < 0 && changed.bytes > 0)
            startBytes = changed.bytes;  // resumed bytes do not count towards the speed
        if (interactive && changed.status == downloads::DownloadStatus::Running && changed.totalBytes > 0) {
            const double seconds = std::max(0.001, double(clock.elapsed()) / 1000.0);
            drawProgress(changed, double(changed.bytes - std::max<qint64>(0, startBytes)) / seconds);
        }
        if (changed.inTerminalState())
            loop.quit();
    });
    queue.submit(job);
    loop.exec();
    if (interactive)
        std::fputs("\r\033[K", stderr);

    if (last.status != downloads::DownloadStatus::Completed) {
        context.err << "atelier download: " << (last.errorMessage.isEmpty() ? downloads::toString(last.status) : last.errorMessage) << "\n";
        return kExitFailure;
    }
    context.out << last.downloadPath << "\n";
    return kExitOk;
}

} // namespace atelier::app
