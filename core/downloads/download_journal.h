#pragma once

#include "core/downloads/download_job.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace atelier::downloads {

// Where the queue keeps its unfinished jobs, so that they come back, paused, after a restart. Called from the
// queue's thread only. The model library keeps them in its database (models::LibraryDownloadJournal); downloads
// know nothing of it.
class DownloadJournal
{
public:
    virtual ~DownloadJournal() = default;
    virtual void keep(const DownloadJob &job) = 0;
    virtual void forget(int id) = 0;
    virtual QList<DownloadJob> unfinished() = 0;
};

// A job as the journal keeps it (without its token), and back. fromJournal fails on anything malformed.
QByteArray toJournal(const DownloadJob &job);
std::optional<DownloadJob> fromJournal(const QByteArray &body);

} // namespace atelier::downloads
