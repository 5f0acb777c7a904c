#pragma once

// Other tools' model folders, kept in step with the library after their import: a model added there is registered
// in place (with its fast hash and its sidecars), one removed is marked missing (never deleted from the library),
// and one that reappears under another path, in any of the folders, is found again by its contents.
#include "core/hashing/content_hash.h"
#include "core/models/model_config.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QPair>
#include <QStringList>
#include <QTimer>

namespace atelier::models {

class ModelInstaller;

struct FolderReconciliation
{
    QStringList registered; // keys of models new in the folders
    QStringList missing;    // keys of records whose files are gone
    QStringList found;      // keys of records whose files came back or were found under another path
    QStringList failures;   // "path: why"
    int fullyHashed = 0;    // models given their full SHA-256 after the reconciliation (LibraryWatcher)
    bool unsettled = false; // files written in the last seconds were left for the next look (a copy under way)
    bool changedLibrary() const { return !registered.isEmpty() || !missing.isEmpty() || !found.isEmpty(); }
};

// Files a look could not register (not a model, a damaged file), by path with their size and modification time:
// a later look passes them by until they change.
using UnregistrableFiles = QHash<QString, QPair<qint64, qint64>>;

// Brings the library in step with `folders` now; `stop` ends it between files; `unregistrable`, when given, is
// read and kept up to date. Runs on the calling thread: never the GUI thread.
FolderReconciliation reconcileFolders(ModelInstaller &installer, const QStringList &folders,
                                      const hashing::CancelFlag *stop = nullptr,
                                      UnregistrableFiles *unregistrable = nullptr);

// Watches folders and their subfolders, and reconciles them on a worker thread a moment after anything in them
// changes (a copy in progress settles first), and once when the folders are set. After each reconciliation it
// computes the full SHA-256 of the models that have only their fast hash (an import closed before it finished, a
// model the watch registered): in the background, stopped when the watcher goes.
class LibraryWatcher : public QObject
{
    Q_OBJECT
public:
    explicit LibraryWatcher(ModelInstaller &installer, QObject *parent = nullptr);
    ~LibraryWatcher() override;

    void setFolders(const QStringList &folders);
    QStringList folders() const { return m_folders; }
    // Milliseconds between the last change seen and the reconciliation (default 1500).
    void setSettleMs(int milliseconds) { m_settle.setInterval(milliseconds); }

signals:
    void reconciled(const atelier::models::FolderReconciliation &outcome);

private:
    void reconcile();
    void watch(const QStringList &directories); // only what changed is added or removed

    ModelInstaller &m_installer;
    QStringList m_folders;
    QFileSystemWatcher m_watcher;
    QTimer m_settle;
    hashing::CancelFlag m_stop{false};
    UnregistrableFiles m_unregistrable; // used by one reconciliation at a time, on the worker
    bool m_busy = false;  // a reconciliation is under way
    bool m_again = false; // a change came while it ran
};

} // namespace atelier::models

Q_DECLARE_METATYPE(atelier::models::FolderReconciliation)
