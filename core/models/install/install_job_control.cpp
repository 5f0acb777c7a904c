// Waiting for install jobs and controlling them (cancel, pause, resume, retry, remove, prune): the job table's
// side of the installer, safe from any thread.
#include "core/downloads/file_name.h"
#include "core/models/install/interrupted_operations.h"
#include "core/models/install/model_installer.h"
#include "core/models/install/model_installer_p.h"
#include "core/models/record_store.h"

namespace atelier::models {

using namespace installer_files;

// ---- waiting and control -------------------------------------------------------------------------------------

std::optional<QList<InstallJob>> ModelInstaller::waitForInstalls(int timeoutMs) const
{
    QList<InstallJob> ended;
    const bool allEnded = m_jobs.waitUntil(
        [&ended](const QMap<int, InstallJob> &jobs) {
            if (!std::all_of(jobs.cbegin(), jobs.cend(), [](const InstallJob &job) { return job.inTerminalState(); }))
                return false;
            ended = jobs.values();
            return true;
        },
        timeoutMs);
    return allEnded ? std::optional<QList<InstallJob>>(ended) : std::nullopt;
}

std::optional<InstallJob> ModelInstaller::waitForJob(int id, int timeoutMs) const
{
    return m_jobs.waitForEnd(id, timeoutMs);
}

QList<InstallJob> ModelInstaller::listJobs() const
{
    return m_jobs.list();
}

QList<InstallJob> ModelInstaller::jobsBySource(const QString &source) const
{
    return m_jobs.listWhere([&source](const InstallJob &job) { return job.source == source; });
}

std::optional<InstallJob> ModelInstaller::jobById(int id) const
{
    return m_jobs.find(id);
}

bool ModelInstaller::cancelJob(int id)
{
    std::shared_ptr<JobState> state;
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        if (state) {
            state->cancel = true;
            downloads = state->downloadIds;
        }
    }
    if (!state)
        return m_jobs.contains(id); // already ended: nothing to do
    for (int download : downloads)
        m_queue.cancelJob(download);
    return true;
}

bool ModelInstaller::pauseJob(int id)
{
    const std::optional<InstallJob> job = m_jobs.find(id);
    if (!job || !job->downloading() || job->paused)
        return false;
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        if (!state)
            return false;
        downloads = state->downloadIds;
    }
    for (int download : downloads)
        m_queue.pauseJob(download);
    update(id, [](InstallJob &job) { job.paused = true; });
    return true;
}

bool ModelInstaller::resumeJob(int id)
{
    const std::optional<InstallJob> job = m_jobs.find(id);
    if (!job || !job->paused)
        return false;
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        if (!state)
            return false;
        downloads = state->downloadIds;
    }
    update(id, [](InstallJob &job) { job.paused = false; });
    for (int download : downloads)
        m_queue.startJob(download);
    return true;
}

std::optional<InstallJob> ModelInstaller::retryJob(int id)
{
    const std::optional<InstallJob> old =
        m_jobs.removeIf(id, [](const InstallJob &job) { return job.errored() || job.cancelled(); });
    if (!old)
        return std::nullopt;
    emit jobRemoved(id);
    Request request;
    request.config = old->configIn;
    request.inplace = old->inplace;
    request.allowDuplicate = old->allowDuplicate;
    return heuristicImport(old->source, request);
}

bool ModelInstaller::removeJob(int id)
{
    if (!m_jobs.removeIf(id, [](const InstallJob &job) { return job.inTerminalState(); }))
        return false;
    emit jobRemoved(id);
    return true;
}

void ModelInstaller::pruneJobs()
{
    for (int id : m_jobs.removeWhere([](const InstallJob &job) { return job.inTerminalState(); }))
        emit jobRemoved(id);
}

} // namespace atelier::models
