#pragma once

// What travels through the farm's Redis streams: a job (an API graph and what a worker needs to find its models),
// the keys of the streams and hashes one farm uses, and the statuses a job goes through. A job read from a stream is
// untrusted input: fromJson() checks its size and shape before anything else reads it.
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace atelier::farm {

// A model a job's graph names, as the submitting machine's library knows it.
struct FarmModelReference
{
    QString node;   // the node id
    QString input;  // ckpt_name, vae_name, lora_name
    QString name;   // the value the graph gives
    QString sha256; // the file's full SHA-256 (lower-case hex), or empty when the library has none
    QString source; // where the library installed it from (a URL, a Hugging Face repo id), or empty
};

struct FarmJob
{
    QString id;       // letters, digits, '-' and '_': it names the job's images
    QString label;    // what the submitter called it (the graph's file name), shown in status
    QByteArray graph; // an API prompt (compact JSON object)
    QList<FarmModelReference> models;
    QStringList targets; // node ids to run up to (a partial run); empty: every output
    QByteArray workflow; // the editor workflow the graph came from, written into the images; may be empty

    QByteArray toJson() const;
    // Refuses a document over kMaxBytes, one that is not a job (naming what is wrong), an id that could not name a
    // file, a graph or workflow that is not a JSON object, more than 64 model references and targets that are not
    // node ids of the graph.
    static Result<FarmJob> fromJson(const QByteArray &json);

    static constexpr qint64 kMaxBytes = 8 * 1024 * 1024;
};

// A library's source as a job may carry it to other machines: http(s) addresses only (a path means nothing on a
// worker and says where the submitter keeps files), without user, password or query items that look like
// credentials (signed URLs, ?token=); empty when nothing is left to share.
QString shareableSource(const QString &source);

// The job's n-th image (1-based): the same name whichever worker made it and however often, so that a result
// written twice is one result.
QString farmImageName(const QString &jobId, int index);
bool isFarmJobId(const QString &id);

// Job statuses, kept in the job's hash.
namespace job_status {
inline constexpr char kEnqueued[] = "enqueued";
inline constexpr char kRunning[] = "running";
inline constexpr char kCompleted[] = "completed";
inline constexpr char kError[] = "error"; // dead-lettered
inline constexpr char kCancelled[] = "cancelled";
} // namespace job_status

// The Redis keys of one farm, all under one prefix ("atelier" by default), so that farms can share a server.
class FarmKeys
{
public:
    explicit FarmKeys(const QString &prefix = QStringLiteral("atelier"));
    QByteArray jobs() const { return m_prefix + ":jobs"; } // the job stream, read by the consumer group
    static QByteArray group() { return "workers"; }
    QByteArray results(const QString &jobId) const { return m_prefix + ":results:" + jobId.toUtf8(); }
    QByteArray dead() const { return m_prefix + ":dead"; }           // the dead-letter stream
    QByteArray workers() const { return m_prefix + ":workers"; }     // hash: worker name -> state JSON
    QByteArray cancelled() const { return m_prefix + ":cancelled"; } // set of cancelled job ids
    QByteArray stats() const { return m_prefix + ":stats"; }         // hash: completed, error, cancelled counts
    QByteArray job(const QString &jobId) const { return m_prefix + ":job:" + jobId.toUtf8(); } // hash
    const QByteArray &prefix() const { return m_prefix; }

private:
    QByteArray m_prefix;
};

// How long a job's results stream and hash are kept after it ended, for a submitter that comes back to them.
inline constexpr int kResultLifetimeSeconds = 24 * 3600;

} // namespace atelier::farm
