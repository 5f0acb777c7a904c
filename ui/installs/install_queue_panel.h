#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QMimeData;
class QPushButton;
class QTreeView;

namespace atelier::models {
class ModelInstaller;
struct InstallJob;
}

namespace atelier::ui {

class InstallJobModel;

// The install queue: drop files, folders or links anywhere on it (text/uri-list or plain text), or type or paste
// them into the Add field (paths, URLs, Hugging Face ids with :variant and ::subfolder, Civitai links). Each becomes
// an install job with a row: name, source, status in plain words, a progress bar with bytes, speed and time left,
// the files of a multi-file download underneath, and the buttons that apply to its state (pause, resume, cancel,
// retry, remove, details, show in library).
class InstallQueuePanel : public QWidget
{
    Q_OBJECT
public:
    InstallQueuePanel(models::ModelInstaller &installer, bool registerInPlace, QWidget *parent = nullptr);

    InstallJobModel *jobModel() const { return m_model; }
    QTreeView *jobView() const { return m_view; }
    QLineEdit *addEdit() const { return m_add; }
    QCheckBox *inPlaceCheck() const { return m_inPlace; }
    // The button of a job's row ("pause", "resume", "cancel", "retry", "remove", "details", "show"), or null.
    QPushButton *actionButton(int jobId, const QString &action) const;

    // Starts one install per source; local paths follow the "register in place" choice.
    QList<int> install(const QStringList &sources);
    // What a drop or a paste carries, as install sources (local files and folders, links, lines of text).
    static QStringList sourcesIn(const QMimeData *mime);

signals:
    // The user asked to see an installed model in the library.
    void showModelRequested(const QString &key);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void addFromField();
    void createActions(int row);
    void refreshActions(int row);
    void showDetails(int jobId);

    models::ModelInstaller &m_installer;
    InstallJobModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_add = nullptr;
    QCheckBox *m_inPlace = nullptr;
    QLabel *m_dropHint = nullptr;
};

} // namespace atelier::ui
