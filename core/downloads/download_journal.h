#pragma once

#include "core/downloads/download_job.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace atelier::models {
class RecordStore;
}

namespace atelier::downloads {

// Where the queue keeps its unfinished jobs, so that they come back, paused, after a restart. Called from the
// queue's thread only.
class DownloadJournal
{
public:
    virtual ~DownloadJournal() = default;
    virtual void keep(const DownloadJob &job) = 0;
    virtual void forget(int id) = 0;
    virtual QList<DownloadJob> unfinished() = 0;
};

// The journal in the model library's database (its job_journal table). Access tokens are never written there:
// the library is not a secrets file; a restored job asks the queue's token provider again.
class LibraryDownloadJournal : public DownloadJournal
{
public:
    explicit LibraryDownloadJournal(models::RecordStore &store) : m_store(store) {}
    void keep(const DownloadJob &job) override;
    void forget(int id) override;
    QList<DownloadJob> unfinished() override;

private:
    models::RecordStore &m_store;
};

// A job as the journal keeps it (without its token), and back. fromJournal fails on anything malformed.
QByteArray toJournal(const DownloadJob &job);
std::optional<DownloadJob> fromJournal(const QByteArray &body);

} // namespace atelier::downloads
