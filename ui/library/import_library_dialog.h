#pragma once

// File → Import library…, and the first-start assistant: finds ComfyUI, A1111/Forge, InvokeAI and Stability Matrix
// installations, shows what each folder holds (models, size, how many the library has), and registers the chosen
// folders in place on a worker thread, with progress and a cancel; the outcome (new, known, duplicates, where the
// tool and the probe disagree, failures) is shown at the end.
#include "core/hashing/content_hash.h"
#include "core/models/import/library_import.h"

#include <QDialog>
#include <QStringList>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace atelier::models {
class ModelInstaller;
class RecordStore;
} // namespace atelier::models

namespace atelier::ui {

class ImportLibraryDialog : public QDialog
{
    Q_OBJECT
public:
    // `paths`: where to look (the usual places in the home folder when empty).
    ImportLibraryDialog(models::RecordStore &store, models::ModelInstaller &installer, const QStringList &paths,
                        QWidget *parent = nullptr);
    ~ImportLibraryDialog() override;

    // Looks at one more folder.
    void addPath(const QString &path);
    bool busy() const { return m_busy; }

    QTreeWidget *foldersTree() const { return m_folders; }
    QPushButton *importButton() const { return m_import; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    QPlainTextEdit *reportView() const { return m_report; }

signals:
    // The plan is shown (after opening or addPath), or the import ended.
    void planned();
    void imported(const atelier::models::ImportReport &report);

protected:
    void reject() override;

private:
    void plan();
    void showPlan(const models::ImportPlan &plan);
    void startImport();
    void showReport(const models::ImportReport &report);
    void setBusy(bool busy);

    models::RecordStore &m_store;
    models::ModelInstaller &m_installer;
    QStringList m_paths;
    models::ImportPlan m_plan;
    std::shared_ptr<hashing::CancelFlag> m_cancelFlag;
    bool m_busy = false;

    QLabel *m_found = nullptr;
    QTreeWidget *m_folders = nullptr;
    QPushButton *m_addFolder = nullptr;
    QPushButton *m_import = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_report = nullptr;
};

} // namespace atelier::ui
