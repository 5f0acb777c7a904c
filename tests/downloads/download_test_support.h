#pragma once

// What the download queue's tests share: payloads, file reads, a queue that retries fast, jobs.
#include "core/downloads/download_queue.h"
#include "tests/fault_server.h"

#include <QDir>
#include <QFile>

namespace atelier::test {

using namespace atelier::downloads;

inline QByteArray payload(int bytes, char seed)
{
    QByteArray data(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        data[i] = char((i * 131 + seed) & 0xff);
    return data;
}

inline QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline QStringList partFiles(const QString &folder)
{
    return QDir(folder).entryList({QStringLiteral("*.part"), QStringLiteral("*.part.json")}, QDir::Files);
}

// Fast retries and stall detection, so that failures take milliseconds in tests.
inline DownloadQueue::Options quick(int maxParallel = 5)
{
    DownloadQueue::Options options;
    options.maxParallel = maxParallel;
    options.retryBaseDelayMs = 20;
    options.stallTimeoutMs = 3000; // generous: a loaded CI machine must not look like a stalled server
    options.maxAttempts = 4;
    return options;
}

// A body sent in 64 KiB chunks 30 ms apart: slow enough to pause, cancel or kill a download in the middle.
inline FaultRoute slowRoute(int bytes, char seed)
{
    FaultRoute route;
    route.body = payload(bytes, seed);
    route.chunkDelayMs = 30;
    return route;
}

inline DownloadJob jobFor(const QUrl &url, const QString &destination)
{
    DownloadJob job;
    job.source = url;
    job.destination = destination;
    return job;
}

} // namespace atelier::test
