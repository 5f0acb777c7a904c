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
    QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
    QMutexLocker lock(&m_mutex);
    while (true) {
        if (std::all_of(m_jobs.cbegin(), m_jobs.cend(), [](const InstallJob &job) { return job.inTerminalState(); }))
            return m_jobs.values();
        if (!m_changed.wait(&m_mutex, deadline))
            return std::nullopt;
    }
}

std::optional<InstallJob> ModelInstaller::waitForJob(int id, int timeoutMs) const
{
    QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
    QMutexLocker lock(&m_mutex);
    while (true) {
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd())
            return std::nullopt;
        if (it->inTerminalState())
            return *it;
        if (!m_changed.wait(&m_mutex, deadline))
            return std::nullopt;
    }
}

QList<InstallJob> ModelInstaller::listJobs() const
{
    QMutexLocker lock(&m_mutex);
    return m_jobs.values();
}

QList<InstallJob> ModelInstaller::jobsBySource(const QString &source) const
{
    QMutexLocker lock(&m_mutex);
    QList<InstallJob> matching;
    for (const InstallJob &job : m_jobs)
        if (job.source == source)
            matching << job;
    return matching;
}

std::optional<InstallJob> ModelInstaller::jobById(int id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_jobs.constFind(id);
    return it == m_jobs.constEnd() ? std::nullopt : std::optional<InstallJob>(*it);
}

bool ModelInstaller::cancelJob(int id)
{
    std::shared_ptr<JobState> state;
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        state = m_states.value(id);
        if (!state)
            return m_jobs.contains(id); // already ended: nothing to do
        state->cancel = true;
        downloads = state->downloadIds;
    }
    for (int download : downloads)
        m_queue.cancelJob(download);
    return true;
}

bool ModelInstaller::pauseJob(int id)
{
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        const auto job = m_jobs.constFind(id);
        if (!state || job == m_jobs.constEnd() || !job->downloading() || job->paused)
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
    QList<int> downloads;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<JobState> state = m_states.value(id);
        const auto job = m_jobs.constFind(id);
        if (!state || job == m_jobs.constEnd() || !job->paused)
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
    InstallJob old;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd() || !(it->errored() || it->cancelled()))
            return std::nullopt;
        old = *it;
        m_jobs.remove(id);
    }
    emit jobRemoved(id);
    Request request;
    request.config = old.configIn;
    request.inplace = old.inplace;
    request.allowDuplicate = old.allowDuplicate;
    return heuristicImport(old.source, request);
}

bool ModelInstaller::removeJob(int id)
{
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_jobs.constFind(id);
        if (it == m_jobs.constEnd() || !it->inTerminalState())
            return false;
        m_jobs.remove(id);
    }
    emit jobRemoved(id);
    return true;
}

void ModelInstaller::pruneJobs()
{
    QList<int> removed;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_jobs.begin(); it != m_jobs.end();) {
            if (it->inTerminalState()) {
                removed << it.key();
                it = m_jobs.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (int id : removed)
        emit jobRemoved(id);
}

} // namespace atelier::models
