#include "core/server/prompt_book.h"

#include <algorithm>

namespace atelier::server {

PromptEntry &PromptBook::add(PromptEntry entry, bool front)
{
    m_lastNumber += 1;
    entry.number = front ? -m_lastNumber : m_lastNumber;
    entry.state = PromptEntry::State::Pending;
    m_entries.append(std::move(entry));
    return m_entries.last();
}

PromptEntry *PromptBook::byRun(quint64 run)
{
    for (PromptEntry &entry : m_entries)
        if (entry.run == run)
            return &entry;
    return nullptr;
}

PromptEntry *PromptBook::byId(const QString &promptId)
{
    for (PromptEntry &entry : m_entries)
        if (entry.promptId == promptId)
            return &entry;
    return nullptr;
}

void PromptBook::finish(PromptEntry &entry, const QString &statusText, bool completed)
{
    entry.state = PromptEntry::State::Done;
    entry.statusText = statusText;
    entry.completed = completed;
    int done = 0;
    for (const PromptEntry &other : std::as_const(m_entries))
        done += other.state == PromptEntry::State::Done ? 1 : 0;
    for (auto it = m_entries.begin(); done > kHistoryLimit && it != m_entries.end();)
        if (it->state == PromptEntry::State::Done) {
            it = m_entries.erase(it);
            --done;
        } else {
            ++it;
        }
}

void PromptBook::remove(const QString &promptId)
{
    m_entries.erase(std::remove_if(m_entries.begin(), m_entries.end(),
                                   [&](const PromptEntry &entry) { return entry.promptId == promptId; }),
                    m_entries.end());
}

int PromptBook::remaining() const
{
    return int(std::count_if(m_entries.begin(), m_entries.end(),
                             [](const PromptEntry &entry) { return entry.state != PromptEntry::State::Done; }));
}

QList<const PromptEntry *> PromptBook::waiting() const
{
    QList<const PromptEntry *> pending;
    for (const PromptEntry &entry : m_entries)
        if (entry.state == PromptEntry::State::Pending)
            pending.append(&entry);
    std::stable_sort(pending.begin(), pending.end(),
                     [](const PromptEntry *a, const PromptEntry *b) { return a->number < b->number; });
    return pending;
}

QList<const PromptEntry *> PromptBook::running() const
{
    QList<const PromptEntry *> running;
    for (const PromptEntry &entry : m_entries)
        if (entry.state == PromptEntry::State::Running)
            running.append(&entry);
    return running;
}

QJsonArray PromptBook::queueItem(const PromptEntry &entry)
{
    return QJsonArray{entry.number, entry.promptId, entry.prompt, entry.extraData,
                      QJsonArray::fromStringList(entry.outputsToExecute)};
}

QJsonObject PromptBook::queueJson() const
{
    QJsonArray running, pending;
    for (const PromptEntry *entry : this->running())
        running.append(queueItem(*entry));
    for (const PromptEntry *entry : waiting())
        pending.append(queueItem(*entry));
    return {{QStringLiteral("queue_running"), running}, {QStringLiteral("queue_pending"), pending}};
}

QJsonObject PromptBook::historyItem(const PromptEntry &entry)
{
    QJsonObject meta;
    for (auto it = entry.outputs.begin(); it != entry.outputs.end(); ++it)
        meta.insert(it.key(),
                    QJsonObject{{QStringLiteral("node_id"), it.key()}, {QStringLiteral("display_node"), it.key()}});
    return {{QStringLiteral("prompt"), queueItem(entry)},
            {QStringLiteral("outputs"), entry.outputs},
            {QStringLiteral("status"), QJsonObject{{QStringLiteral("status_str"), entry.statusText},
                                                   {QStringLiteral("completed"), entry.completed},
                                                   {QStringLiteral("messages"), entry.messages}}},
            {QStringLiteral("meta"), meta}};
}

QJsonObject PromptBook::historyJson(std::optional<int> maxItems) const
{
    QList<const PromptEntry *> done;
    for (const PromptEntry &entry : m_entries)
        if (entry.state == PromptEntry::State::Done)
            done.append(&entry);
    if (maxItems && *maxItems >= 0 && done.size() > *maxItems)
        done = done.mid(done.size() - *maxItems);
    QJsonObject history;
    for (const PromptEntry *entry : std::as_const(done))
        history.insert(entry->promptId, historyItem(*entry));
    return history;
}

QJsonObject PromptBook::historyOf(const QString &promptId) const
{
    for (const PromptEntry &entry : m_entries)
        if (entry.promptId == promptId && entry.state == PromptEntry::State::Done)
            return {{promptId, historyItem(entry)}};
    return {};
}

void PromptBook::clearHistory()
{
    m_entries.erase(std::remove_if(m_entries.begin(), m_entries.end(),
                                   [](const PromptEntry &entry) { return entry.state == PromptEntry::State::Done; }),
                    m_entries.end());
}

} // namespace atelier::server
