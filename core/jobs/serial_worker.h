#pragma once

// A queue of runs done one after another on a thread of its own: generation requests, graph runs. It gives each
// run an id, lets any thread drop queued runs or cancel the current one (a flag the run checks; nothing is
// killed), and on destruction drops the queue, cancels the current run and waits for it to stop.
#include <QtGlobal>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace atelier::jobs {

template <typename Payload> class SerialWorker
{
public:
    // Runs on the worker thread, one payload at a time; `cancelled` is raised by cancel() and the destructor. What it
    // returns is called once the run no longer counts as pending: where its end is announced, so that whoever
    // hears of it finds the worker idle.
    using Announce = std::function<void()>;
    using Run = std::function<Announce(quint64 id, Payload &payload, const std::atomic_bool &cancelled)>;

    explicit SerialWorker(Run run)
        : m_run(std::move(run))
        , m_thread([this] { loop(); })
    {}

    ~SerialWorker()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping = true;
            m_queue.clear();
            m_cancelCurrent = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    SerialWorker(const SerialWorker &) = delete;
    SerialWorker &operator=(const SerialWorker &) = delete;

    // Queues a payload; returns its id (`id` when given, else 1, 2, ...) and, in `position`, how many runs are then
    // ahead of it plus one.
    quint64 submit(Payload payload, int *position = nullptr, quint64 id = 0)
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (id == 0)
                id = m_nextId++;
            m_queue.push_back({id, std::move(payload)});
            if (position)
                *position = int(m_queue.size()) + (m_currentId != 0 ? 1 : 0);
        }
        m_wake.notify_one();
        return id;
    }

    // True when `id` was waiting and is dropped; the current run is cancelled instead (false).
    bool cancel(quint64 id)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_currentId == id) {
            m_cancelCurrent = true;
            return false;
        }
        for (auto it = m_queue.begin(); it != m_queue.end(); ++it)
            if (it->id == id) {
                m_queue.erase(it);
                return true;
            }
        return false;
    }

    // Swaps a waiting run with the one ahead of it; false when it is first in line, running or unknown.
    bool moveUp(quint64 id)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (std::size_t at = 1; at < m_queue.size(); ++at)
            if (m_queue[at].id == id) {
                std::swap(m_queue[at], m_queue[at - 1]);
                return true;
            }
        return false;
    }

    // The ids waiting, first in line first.
    std::vector<quint64> waiting() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::vector<quint64> ids;
        for (const Queued &queued : m_queue)
            ids.push_back(queued.id);
        return ids;
    }

    // Drops every waiting run (their ids are returned) and cancels the current one.
    std::vector<quint64> cancelAll()
    {
        std::vector<quint64> dropped;
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Queued &queued : m_queue)
            dropped.push_back(queued.id);
        m_queue.clear();
        if (m_currentId != 0)
            m_cancelCurrent = true;
        return dropped;
    }

    // Runs waiting or running.
    int pending() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return int(m_queue.size()) + (m_currentId != 0 ? 1 : 0);
    }

private:
    struct Queued
    {
        quint64 id = 0;
        Payload payload;
    };

    void loop()
    {
        for (;;) {
            Queued next;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
                if (m_stopping)
                    return;
                next = std::move(m_queue.front());
                m_queue.pop_front();
                m_currentId = next.id;
                m_cancelCurrent = false;
            }
            const Announce announce = m_run(next.id, next.payload, m_cancelCurrent);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_currentId = 0;
            }
            if (announce)
                announce();
        }
    }

    Run m_run;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Queued> m_queue;
    quint64 m_nextId = 1;
    quint64 m_currentId = 0; // 0: idle
    bool m_stopping = false;
    std::atomic_bool m_cancelCurrent{false};
    std::thread m_thread; // last: started once everything above exists
};

} // namespace atelier::jobs
