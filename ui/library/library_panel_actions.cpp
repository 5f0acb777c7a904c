// The library browser's actions on models: delete, locate a missing file, tags for the selection, show copies and
// the file, the context menu. The panel's layout, filters and state are in library_panel.cpp.
#include "ui/library/library_panel.h"

#include "core/hashing/model_hasher.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/library/delete_models_dialog.h"
#include "ui/library/library_filter_proxy.h"
#include "ui/library/library_table_model.h"
#include "ui/library/model_details_panel.h"
#include "ui/library/model_tile_delegate.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace atelier::ui {

namespace {

// Runs `work` on the thread pool and `done` with its result on the GUI thread, if `context` still exists.
template <typename T, typename Work, typename Done> void runInBackground(QObject *context, Work work, Done done)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, context, [watcher, done] {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace

void LibraryPanel::showCopies(const QString &hash)
{
    m_proxy->setHash(hash);
    refreshChips();
}

void LibraryPanel::showInFolder(const QString &path)
{
    const QFileInfo info(path);
    QDesktopServices::openUrl(QUrl::fromLocalFile(info.isDir() ? info.absoluteFilePath() : info.absolutePath()));
}

void LibraryPanel::deleteSelected()
{
    const QStringList keys = selectedKeys();
    if (keys.isEmpty())
        return;
    QList<DeletionCandidate> candidates;
    for (const QString &key : keys) {
        const int row = m_library->rowOfKey(key);
        if (row < 0)
            continue;
        const models::ModelSummary &summary = m_library->entryAt(row).summary;
        DeletionCandidate candidate;
        candidate.key = key;
        candidate.name = summary.name;
        candidate.path = m_library->absolutePath(summary.path);
        candidate.bytes = summary.fileSize;
        candidate.insideModelsFolder = m_installer.isInsideModelsFolder(candidate.path);
        candidates << candidate;
    }
    if (candidates.isEmpty())
        return;
    DeleteModelsDialog dialog(candidates, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    deleteModels(keys, dialog.deleteFiles());
}

void LibraryPanel::deleteModels(const QStringList &keys, bool deleteFiles)
{
    models::ModelInstaller *installer = &m_installer;
    runInBackground<QStringList>(
        this,
        [installer, keys, deleteFiles] {
            QStringList failures;
            for (const QString &key : keys) {
                const Status done = deleteFiles ? installer->deleteModel(key) : installer->unregister(key);
                if (!done)
                    failures << done.error();
            }
            return failures;
        },
        [this](const QStringList &failures) {
            if (!failures.isEmpty() && isVisible()) {
                auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete"), tr("Some models could not be deleted."),
                                            QMessageBox::Ok, this);
                box->setDetailedText(failures.join(QLatin1Char('\n')));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
            emit deletionFinished(failures);
        });
}

void LibraryPanel::locate(const QString &key)
{
    const Result<models::ModelConfig> config = m_store.getModel(key);
    if (!config)
        return;
    const QString old = m_library->absolutePath(config->path);
    const bool folder =
        config->format == models::ModelFormat::Diffusers || config->format == models::ModelFormat::EmbeddingFolder;
    const QString start = QFileInfo(old).absolutePath();
    const QString chosen =
        folder ? QFileDialog::getExistingDirectory(this, tr("Where is “%1” now?").arg(config->name), start)
               : QFileDialog::getOpenFileName(
                     this, tr("Where is “%1” now?").arg(config->name), start,
                     tr("Model files (*.safetensors *.ckpt *.pt *.pth *.bin *.gguf);;All files (*)"));
    if (!chosen.isEmpty())
        relocateModel(key, chosen);
}

void LibraryPanel::relocateModel(const QString &key, const QString &path)
{
    models::RecordStore *store = &m_store;
    struct Outcome
    {
        bool relocated = false;
        QString message;
    };
    runInBackground<Outcome>(
        this,
        [store, key, path] {
            Outcome outcome;
            const Result<models::ModelConfig> config = store->getModel(key);
            if (!config) {
                outcome.message = config.error();
                return outcome;
            }
            const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
            const Result<hashing::PathHashes> hashes = hashing::ModelHasher(store).hash(absolute);
            if (!hashes) {
                outcome.message = hashes.error();
                return outcome;
            }
            // Never relabel another file as this model: only the same contents may take its place.
            const QString hashOfFile =
                (config->hash.startsWith(QLatin1String("fast:")) ? QStringLiteral("fast:") + hashes->fast
                                                                 : QStringLiteral("sha256:") + hashes->sha256);
            if (!config->hash.isEmpty() && config->hash != hashOfFile) {
                outcome.message =
                    QObject::tr("%1 is not the same file as “%2” (its contents differ); install it as a new "
                                "model instead.")
                        .arg(absolute, config->name);
                return outcome;
            }
            models::ModelEdit found;
            found.path = absolute;
            found.missing = false;
            const Result<models::ModelConfig> updated = models::applyEdit(*store, key, found);
            outcome.relocated = bool(updated);
            outcome.message = updated ? QString() : updated.error();
            return outcome;
        },
        [this, key](const Outcome &outcome) {
            if (!outcome.relocated && isVisible()) {
                auto *box =
                    new QMessageBox(QMessageBox::Warning, tr("Locate model"), outcome.message, QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
            emit relocationFinished(key, outcome.relocated, outcome.message);
        });
}

void LibraryPanel::addTagToSelection(const QString &tag)
{
    const QString trimmed = tag.trimmed();
    if (trimmed.isEmpty())
        return;
    const QStringList keys = selectedKeys();
    m_details->undoStack()->beginMacro(tr("add tag “%1” to %n model(s)", nullptr, int(keys.size())).arg(trimmed));
    for (const QString &key : keys) {
        const Result<models::ModelConfig> config = m_store.getModel(key);
        if (!config || config->tags.contains(trimmed, Qt::CaseInsensitive))
            continue;
        models::ModelEdit edit;
        edit.tags = config->tags + QStringList{trimmed};
        m_details->applyChange(key, edit, tr("add tag"));
    }
    m_details->undoStack()->endMacro();
}

void LibraryPanel::removeTagFromSelection(const QString &tag)
{
    const QStringList keys = selectedKeys();
    m_details->undoStack()->beginMacro(tr("remove tag “%1” from %n model(s)", nullptr, int(keys.size())).arg(tag));
    for (const QString &key : keys) {
        const Result<models::ModelConfig> config = m_store.getModel(key);
        if (!config || !config->tags.contains(tag, Qt::CaseInsensitive))
            continue;
        models::ModelEdit edit;
        edit.tags = QStringList();
        for (const QString &existing : config->tags)
            if (existing.compare(tag, Qt::CaseInsensitive) != 0)
                edit.tags->append(existing);
        m_details->applyChange(key, edit, tr("remove tag"));
    }
    m_details->undoStack()->endMacro();
}

void LibraryPanel::askTag(bool add)
{
    QStringList known;
    if (add) {
        if (const auto counts = m_store.tagCounts())
            for (const auto &[tag, count] : counts.value())
                known << tag;
    } else {
        for (const QString &key : selectedKeys())
            if (const int row = m_library->rowOfKey(key); row >= 0)
                for (const QString &tag : m_library->entryAt(row).summary.tags)
                    if (!known.contains(tag, Qt::CaseInsensitive))
                        known << tag;
        if (known.isEmpty())
            return;
    }
    bool ok = false;
    const QString tag =
        add ? QInputDialog::getItem(this, tr("Add tag"), tr("Tag for the selected models:"), known, -1, true, &ok)
            : QInputDialog::getItem(this, tr("Remove tag"), tr("Tag to remove:"), known, 0, false, &ok);
    if (!ok)
        return;
    if (add)
        addTagToSelection(tag);
    else
        removeTagFromSelection(tag);
}

void LibraryPanel::showContextMenu(QAbstractItemView *view, const QPoint &position)
{
    const QModelIndex index = view->indexAt(position);
    if (!index.isValid())
        return;
    if (!m_table->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        m_table->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QString key = index.data(LibraryTableModel::KeyRole).toString();
    const int row = m_library->rowOfKey(key);
    if (row < 0)
        return;
    const models::ModelSummary summary = m_library->entryAt(row).summary;
    const int selected = int(selectedKeys().size());

    QMenu menu(this);
    menu.addAction(tr("Details"), this, [this] { m_details->focusEditor(); });
    menu.addAction(tr("Show in folder"), this,
                   [this, summary] { showInFolder(m_library->absolutePath(summary.path)); });
    menu.addAction(tr("Copy hash"), this, [summary] { QApplication::clipboard()->setText(summary.hash); });
    if (summary.missing) {
        menu.addSeparator();
        menu.addAction(tr("Locate missing files…"), this, [this, key] { locate(key); });
    }
    if (m_library->duplicatesOf(row) > 0)
        menu.addAction(tr("Show copies of this file"), this, [this, summary] { showCopies(summary.hash); });
    menu.addSeparator();
    menu.addAction(selected > 1 ? tr("Add tag to %n models…", nullptr, selected) : tr("Add tag…"), this,
                   [this] { askTag(true); });
    menu.addAction(selected > 1 ? tr("Remove tag from %n models…", nullptr, selected) : tr("Remove tag…"), this,
                   [this] { askTag(false); });
    menu.addSeparator();
    QAction *remove = menu.addAction(selected > 1 ? tr("Delete %n models…", nullptr, selected) : tr("Delete…"), this,
                                     &LibraryPanel::deleteSelected);
    remove->setShortcut(QKeySequence::Delete);
    menu.exec(view->viewport()->mapToGlobal(position));
}

} // namespace atelier::ui
