#pragma once

#include "core/downloads/download_journal.h"

namespace atelier::models {

class RecordStore;

// The download queue's journal in the model library's database (its job_journal table). Access tokens are never
// written there: the library is not a secrets file; a restored job asks the queue's token provider again.
class LibraryDownloadJournal : public downloads::DownloadJournal
{
public:
    explicit LibraryDownloadJournal(RecordStore &store)
        : m_store(store)
    {}
    void keep(const downloads::DownloadJob &job) override;
    void forget(int id) override;
    QList<downloads::DownloadJob> unfinished() override;

private:
    RecordStore &m_store;
};

} // namespace atelier::models
