#include "core/models/install/library_download_journal.h"

#include "core/logging/log.h"
#include "core/models/record_store.h"

namespace atelier::models {

namespace {
// The journal's kind for download jobs (the installer's own jobs use another).
const QString kJournalKind = QStringLiteral("download");
} // namespace

void LibraryDownloadJournal::keep(const downloads::DownloadJob &job)
{
    if (const Status kept = m_store.journalJob(kJournalKind, QString::number(job.id), downloads::toJournal(job)); !kept)
        qCWarning(lcDownloads).noquote() << "download" << job.id << "will not survive a restart:" << kept.error();
}

void LibraryDownloadJournal::forget(int id)
{
    if (const Status forgotten = m_store.forgetJournaledJob(kJournalKind, QString::number(id)); !forgotten)
        qCWarning(lcDownloads).noquote() << "download" << id << "stays in the journal:" << forgotten.error();
}

QList<downloads::DownloadJob> LibraryDownloadJournal::unfinished()
{
    const auto entries = m_store.journaledJobs(kJournalKind);
    if (!entries) {
        qCWarning(lcDownloads).noquote() << "unfinished downloads cannot be restored:" << entries.error();
        return {};
    }
    QList<downloads::DownloadJob> jobs;
    for (const auto &[id, body] : entries.value()) {
        if (auto job = downloads::fromJournal(body); job && QString::number(job->id) == id) {
            jobs << *job;
        } else {
            qCWarning(lcDownloads).noquote() << "a damaged download entry" << id << "is dropped from the journal";
            m_store.forgetJournaledJob(kJournalKind, id);
        }
    }
    return jobs;
}

} // namespace atelier::models
