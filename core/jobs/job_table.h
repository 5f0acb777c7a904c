#pragma once

// The one job table of every kind of background work: downloads, model installs and, next, graph runs. It gives
// ids, keeps a snapshot of each job as last published, tells a listener of every change and lets any thread wait
// for a job or for all of them. What a job is (its statuses and fields) stays with its kind.
#include <QDeadlineTimer>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QWaitCondition>

#include <functional>
#include <optional>

namespace atelier::jobs {

// `Job` is a copyable snapshot with an `int id` and `bool inTerminalState() const` (completed, failed or
// cancelled). Safe from any thread. The listener runs on the thread that made the change, outside the table's lock;
// waits end only when no listener call is under way (whichever job it is about), so that whoever waits on a job
// sees what listeners did with its last event. A listener must therefore not wait on its own table.
template <typename Job> class JobTable
{
public:
    using Listener = std::function<void(const Job &)>;

    explicit JobTable(Listener onChanged = {})
        : m_onChanged(std::move(onChanged))
    {}

    // Gives `job` the next id, keeps it and publishes it. `beforePublishing` runs with the id under the table's
    // lock, before the job can be found, for the owner to attach what it keeps beside the job (it must not call
    // the table).
    int add(Job &job, const std::function<void(int id)> &beforePublishing = {})
    {
        {
            QMutexLocker lock(&m_mutex);
            job.id = m_nextId++;
            if (beforePublishing)
                beforePublishing(job.id);
            m_jobs.insert(job.id, job);
            ++m_publishing;
        }
        published(job);
        return job.id;
    }

    // Keeps a job of an earlier session under its own id (new ids come after it), without publishing it.
    void restore(const Job &job)
    {
        QMutexLocker lock(&m_mutex);
        m_jobs.insert(job.id, job);
        m_nextId = std::max(m_nextId, job.id + 1);
    }

    // Replaces a known job's snapshot and publishes it; false, and nothing published, for an unknown id.
    bool put(const Job &job)
    {
        return change(job.id, [&job](Job &stored) { stored = job; }).has_value();
    }

    // Applies `edit` to the job under the table's lock and publishes the result, which it returns; nullopt for an
    // unknown id.
    template <typename Edit> std::optional<Job> change(int id, Edit &&edit)
    {
        Job snapshot;
        {
            QMutexLocker lock(&m_mutex);
            const auto it = m_jobs.find(id);
            if (it == m_jobs.end())
                return std::nullopt;
            edit(*it);
            snapshot = *it;
            ++m_publishing;
        }
        published(snapshot);
        return snapshot;
    }

    bool contains(int id) const
    {
        QMutexLocker lock(&m_mutex);
        return m_jobs.contains(id);
    }

    std::optional<Job> find(int id) const
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_jobs.constFind(id);
        return it == m_jobs.constEnd() ? std::nullopt : std::optional<Job>(*it);
    }

    // All jobs, by id.
    QList<Job> list() const
    {
        QMutexLocker lock(&m_mutex);
        return m_jobs.values();
    }

    template <typename Predicate> QList<Job> listWhere(Predicate keep) const
    {
        QMutexLocker lock(&m_mutex);
        QList<Job> matching;
        for (const Job &job : m_jobs)
            if (keep(job))
                matching << job;
        return matching;
    }

    // Forgets jobs for which `drop` holds; their ids.
    template <typename Predicate> QList<int> removeWhere(Predicate drop)
    {
        QList<int> removed;
        {
            QMutexLocker lock(&m_mutex);
            for (auto it = m_jobs.begin(); it != m_jobs.end();) {
                if (drop(*it)) {
                    removed << it.key();
                    it = m_jobs.erase(it);
                } else {
                    ++it;
                }
            }
        }
        if (!removed.isEmpty())
            m_changed.wakeAll();
        return removed;
    }

    // Forgets one job that `drop` accepts; the job, or nullopt when it is unknown or not accepted.
    template <typename Predicate> std::optional<Job> removeIf(int id, Predicate drop)
    {
        std::optional<Job> removed;
        {
            QMutexLocker lock(&m_mutex);
            const auto it = m_jobs.find(id);
            if (it == m_jobs.end() || !drop(*it))
                return std::nullopt;
            removed = *it;
            m_jobs.erase(it);
        }
        m_changed.wakeAll();
        return removed;
    }

    // Blocks until the job ends or is forgotten, or until the timeout (ms, -1 for none). The ended job; nullopt when
    // it is unknown or the time ran out.
    std::optional<Job> waitForEnd(int id, int timeoutMs = -1) const
    {
        std::optional<Job> ended;
        waitUntil(
            [&](const QMap<int, Job> &jobs) {
                const auto it = jobs.constFind(id);
                if (it != jobs.constEnd() && it->inTerminalState())
                    ended = *it;
                return it == jobs.constEnd() || it->inTerminalState();
            },
            timeoutMs);
        return ended;
    }

    // Blocks until `done` holds for the jobs with no listener call under way, or until the timeout (ms, -1 for
    // none); true when it held.
    template <typename Condition> bool waitUntil(Condition done, int timeoutMs = -1) const
    {
        QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
        QMutexLocker lock(&m_mutex);
        while (m_publishing > 0 || !done(m_jobs)) {
            if (!m_changed.wait(&m_mutex, deadline))
                return false;
        }
        return true;
    }

private:
    // Called for every stored change, with m_publishing raised for it in the same locked section.
    void published(const Job &job)
    {
        if (m_onChanged)
            m_onChanged(job);
        {
            QMutexLocker lock(&m_mutex);
            --m_publishing;
        }
        m_changed.wakeAll();
    }

    Listener m_onChanged;
    mutable QMutex m_mutex;
    mutable QWaitCondition m_changed;
    QMap<int, Job> m_jobs;
    int m_nextId = 0;
    int m_publishing = 0; // changes stored whose listener call has not returned yet
};

} // namespace atelier::jobs
