#include "core/models/import/folder_watch.h"

#include "core/hashing/model_hasher.h"
#include "core/models/import/content_index.h"
#include "core/models/import/library_import.h"
#include "core/models/import/sidecar_metadata.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace atelier::models {

namespace {

// How long a new file must have been left alone before it is looked at.
constexpr qint64 kSettleSeconds = 3;

bool isUnder(const QString &path, const QStringList &folders)
{
    for (const QString &folder : folders)
        if (path == folder || path.startsWith(folder + QLatin1Char('/')))
            return true;
    return false;
}

// Whether `path` holds the contents `record`'s hash names: its fast identity, or its full SHA-256.
bool holdsContentsOf(const ModelConfig &record, const QString &path, RecordStore &store,
                     const hashing::CancelFlag *stop)
{
    hashing::ModelHasher::Options options;
    options.cancel = stop;
    options.fastOnly = record.hash.startsWith(QLatin1String("fast:"));
    const Result<hashing::PathHashes> hashes = hashing::ModelHasher(&store).hash(path, options);
    if (!hashes)
        return false;
    return record.hash ==
           (options.fastOnly ? QStringLiteral("fast:") + hashes->fast : QStringLiteral("sha256:") + hashes->sha256);
}

} // namespace

FolderReconciliation reconcileFolders(ModelInstaller &installer, const QStringList &givenFolders,
                                      const hashing::CancelFlag *stop, UnregistrableFiles *unregistrable)
{
    FolderReconciliation outcome;
    RecordStore &store = installer.recordStore();
    const auto all = store.allModels();
    if (!all) {
        outcome.failures << all.error();
        return outcome;
    }
    QStringList folders;
    for (const QString &folder : givenFolders)
        folders << QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    const QDir modelsDir(installer.options().modelsDir);
    const auto mark = [&](const ModelConfig &model, nlohmann::ordered_json changes, QStringList &list) {
        const Result<ModelConfig> updated = store.updateModel(model.key, changes);
        if (updated)
            list << model.key;
        else
            outcome.failures << QStringLiteral("%1: %2").arg(model.path, updated.error());
    };

    // Files gone from the folders are marked missing; those back again are unmarked.
    QSet<QString> known;
    QList<ModelConfig> gone; // anywhere in the library: where a moved file came from
    for (const ModelConfig &model : all.value()) {
        const QString path = QDir::cleanPath(modelsDir.absoluteFilePath(model.path));
        known.insert(path);
        for (const QString &copy : model.copies)
            known.insert(copy);
        const bool present = QFileInfo::exists(path);
        if (!present)
            gone << model;
        // A model whose file is gone but a copy is left is not lost: it moves to the file or the copy below.
        const bool copyLeft = std::any_of(model.copies.begin(), model.copies.end(),
                                          [](const QString &copy) { return QFileInfo::exists(copy); });
        if (isUnder(path, folders) && present == model.missing && !(copyLeft && !present))
            mark(model, {{"missing", !present}}, present ? outcome.found : outcome.missing);
        // Copies deleted since are forgotten.
        nlohmann::ordered_json kept = nlohmann::ordered_json::array();
        for (const QString &copy : model.copies)
            if (QFileInfo::exists(copy))
                kept.push_back(copy.toStdString());
        if (kept.size() != std::size_t(model.copies.size()))
            if (const Result<ModelConfig> pruned = store.updateModel(model.key, {{"copies", kept}}); !pruned)
                outcome.failures << QStringLiteral("%1: %2").arg(model.path, pruned.error());
    }

    // New files: a missing model under another path (the same size and contents), a copy of a model the library
    // has (left alone), else a new model.
    ContentIndex library(store, installer.options().modelsDir);
    for (const QString &folder : std::as_const(folders)) {
        for (const QString &path : ModelInstaller::modelsUnder(folder)) {
            if (stop && stop->load())
                return outcome;
            if (known.contains(path))
                continue;
            // A file written in the last seconds may be a copy under way (its header there, the rest not yet).
            const QFileInfo file(path);
            if (file.lastModified().secsTo(QDateTime::currentDateTime()) < kSettleSeconds) {
                outcome.unsettled = true;
                continue;
            }
            const QPair<qint64, qint64> state{file.size(), file.lastModified().toMSecsSinceEpoch()};
            if (unregistrable && unregistrable->value(path) == state)
                continue;
            const qint64 size = ModelInstaller::bytesOnDisk(path);
            auto moved = std::find_if(gone.begin(), gone.end(), [&](const ModelConfig &model) {
                return model.fileSize == size && holdsContentsOf(model, path, store, stop);
            });
            if (moved != gone.end()) {
                mark(*moved, {{"path", path.toStdString()}, {"missing", false}}, outcome.found);
                ModelConfig relocated = *moved;
                relocated.path = path;
                library.add(relocated); // its copies elsewhere in the folders are copies still
                gone.erase(moved);
                continue;
            }
            QString identity;
            if (const auto same = library.sameFileAs(path, identity)) {
                if (const Status noted = noteCopy(store, same->key, path); !noted)
                    outcome.failures << QStringLiteral("%1: %2").arg(path, noted.error());
                continue;
            }
            const Result<ModelConfig> added =
                registerInPlace(installer, path, readSidecars(path).overridesJson(), stop);
            if (added) {
                library.add(added.value(), identity);
                outcome.registered << added->key;
            } else if (added.errorType() != QLatin1String("Cancelled")) {
                // A copy of a model the library has is no failure; neither is looked at again until it changes.
                if (added.errorType() != QLatin1String("DuplicateModel"))
                    outcome.failures << QStringLiteral("%1: %2").arg(path, added.error());
                if (unregistrable)
                    unregistrable->insert(path, state);
            }
        }
    }
    // Gone, not found elsewhere, but a copy is left: the copy is the model now.
    for (const ModelConfig &model : std::as_const(gone)) {
        const auto copy = std::find_if(model.copies.begin(), model.copies.end(),
                                       [](const QString &candidate) { return QFileInfo::exists(candidate); });
        if (copy == model.copies.end())
            continue;
        nlohmann::ordered_json rest = nlohmann::ordered_json::array();
        for (const QString &other : model.copies)
            if (other != *copy && QFileInfo::exists(other))
                rest.push_back(other.toStdString());
        mark(model, {{"path", copy->toStdString()}, {"copies", rest}, {"missing", false}}, outcome.found);
    }
    return outcome;
}

LibraryWatcher::LibraryWatcher(ModelInstaller &installer, QObject *parent)
    : QObject(parent)
    , m_installer(installer)
{
    qRegisterMetaType<FolderReconciliation>();
    m_settle.setSingleShot(true);
    m_settle.setInterval(1500);
    connect(&m_settle, &QTimer::timeout, this, &LibraryWatcher::reconcile);
    // Every change restarts the wait: a model being copied in is looked at once it has settled.
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_settle.start(); });
}

LibraryWatcher::~LibraryWatcher()
{
    m_stop.store(true);
    for (auto *running : findChildren<QFutureWatcherBase *>())
        running->waitForFinished();
}

namespace {

// What a reconciliation hands back to the watcher: its outcome, and every folder to watch (walked on the worker).
struct WatcherRun
{
    FolderReconciliation outcome;
    QStringList directories;
};

QStringList directoriesUnder(const QStringList &folders)
{
    QStringList directories;
    for (const QString &folder : folders) {
        if (!QFileInfo(folder).isDir())
            continue;
        directories << folder;
        QDirIterator below(folder, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (below.hasNext())
            directories << below.next();
    }
    return directories;
}

} // namespace

void LibraryWatcher::setFolders(const QStringList &folders)
{
    m_folders = folders;
    // The folders themselves at once; their subfolders once the first look has walked them.
    QStringList present;
    for (const QString &folder : folders)
        if (QFileInfo(folder).isDir())
            present << folder;
    watch(present);
    if (!m_folders.isEmpty())
        reconcile();
}

void LibraryWatcher::watch(const QStringList &directories)
{
    const QStringList watched = m_watcher.directories();
    QStringList gone, added;
    for (const QString &directory : watched)
        if (!directories.contains(directory))
            gone << directory;
    for (const QString &directory : directories)
        if (!watched.contains(directory))
            added << directory;
    if (!gone.isEmpty())
        m_watcher.removePaths(gone);
    if (!added.isEmpty())
        m_watcher.addPaths(added);
}

void LibraryWatcher::reconcile()
{
    if (m_busy) {
        m_again = true;
        return;
    }
    m_busy = true;
    auto *running = new QFutureWatcher<WatcherRun>(this);
    connect(running, &QFutureWatcher<WatcherRun>::finished, this, [this, running] {
        m_busy = false;
        const WatcherRun run = running->result();
        running->deleteLater();
        watch(run.directories); // folders made since are watched too
        emit reconciled(run.outcome);
        if (m_again || run.outcome.unsettled) {
            m_again = false;
            m_settle.start();
        }
    });
    running->setFuture(QtConcurrent::run(
        [installer = &m_installer, folders = m_folders, stop = &m_stop, unregistrable = &m_unregistrable] {
            WatcherRun run;
            run.outcome = reconcileFolders(*installer, folders, stop, unregistrable);
            run.directories = directoriesUnder(folders);
            const Result<int> hashed = installer->completeQuickHashes(stop);
            run.outcome.fullyHashed = hashed ? hashed.value() : 0;
            return run;
        }));
}

} // namespace atelier::models
