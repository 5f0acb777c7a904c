#pragma once

// The queue and history of `atelier serve` in ComfyUI's shapes: each prompt's number, id and client, the prompt as
// sent, the outputs its nodes wrote and its status messages, as /queue and /history answer them. Plain
// bookkeeping, used on the server's thread only.
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace atelier::server {

struct PromptEntry
{
    enum class State { Pending, Running, Done };

    QString promptId;
    double number = 0; // queue order; a prompt sent with "front" gets a negative one, as in ComfyUI
    QString clientId;
    QJsonObject prompt;
    QJsonObject extraData;
    QStringList outputsToExecute;
    quint64 run = 0; // the run service's id
    State state = State::Pending;
    QJsonObject outputs; // node id -> {"images": [{filename, subfolder, type}]}
    QJsonArray messages; // [[event, data], ...] as ComfyUI's history keeps them
    QString statusText;  // "success", "error"
    bool completed = false;
    QStringList executed; // node ids that ran or were cached, for execution_error/interrupted
};

class PromptBook
{
public:
    // Prompts kept in the history at most (ComfyUI's MAXIMUM_HISTORY_SIZE); the oldest go first.
    static constexpr int kHistoryLimit = 10000;

    // A new pending prompt, numbered after the last (before the first with `front`).
    PromptEntry &add(PromptEntry entry, bool front);
    PromptEntry *byRun(quint64 run);
    PromptEntry *byId(const QString &promptId);
    // Ends a prompt: it leaves the queue for the history, the oldest finished prompts going past kHistoryLimit.
    void finish(PromptEntry &entry, const QString &statusText, bool completed);
    void remove(const QString &promptId);

    int remaining() const;                      // pending and running
    QList<const PromptEntry *> waiting() const; // pending, in queue order
    QList<const PromptEntry *> running() const;
    // {"queue_running": [...], "queue_pending": [...]}, each item [number, prompt_id, prompt, extra_data,
    // outputs_to_execute].
    QJsonObject queueJson() const;
    // {prompt_id: {prompt, outputs, status, meta}} for finished prompts, the newest `maxItems` (all when unset).
    QJsonObject historyJson(std::optional<int> maxItems = std::nullopt) const;
    QJsonObject historyOf(const QString &promptId) const;
    void clearHistory();

private:
    static QJsonArray queueItem(const PromptEntry &entry);
    static QJsonObject historyItem(const PromptEntry &entry);

    QList<PromptEntry> m_entries; // in the order they were added
    double m_lastNumber = 0;
};

} // namespace atelier::server
