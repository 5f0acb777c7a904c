#pragma once

#include "core/gallery/image_export.h"
#include "core/metadata/generation_info.h"
#include "ui/gallery/library_match.h"

#include <QFutureWatcher>
#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace atelier::ui {

// The recipe of one image, readable: the prompts with their emphasis shown, the settings, the model, LoRAs and
// embeddings resolved in the library (a link that selects the model there; "Find and install…" by hash when it is
// missing), the raw text chunks and the warnings of whatever could not be read. Its buttons copy the prompt, the
// seed or the whole recipe (as A1111 text), open the image as a graph, put its recipe into the current graph, and
// export it with the metadata chosen. A PNG dropped on it from a file manager is inspected the same way.
class ImageInspector : public QWidget
{
    Q_OBJECT
public:
    explicit ImageInspector(QWidget *parent = nullptr);

    void setLibraryFinder(LibraryFinder finder) { m_finder = std::move(finder); }
    // Reads the file off the GUI thread, then shows it; an empty path clears the inspector.
    void inspect(const QString &path);
    QString path() const { return m_path; }
    const metadata::GenerationInfo &recipe() const { return m_recipe; }
    // Blocks until the file being read is shown (tests, screenshots).
    void waitForRead();

    void copyPrompt();
    void copySeed();
    void copyAll();
    void exportImage(); // asks with which metadata and where
    Status exportTo(const QString &target, gallery::ExportMetadata metadata) const;

signals:
    void openAsGraphRequested(const QString &path);
    void useRecipeRequested(const atelier::metadata::GenerationInfo &recipe);
    void selectModelRequested(const QString &key);
    void installRequested(const QString &source);
    void shown();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void present(const QString &path, const Result<metadata::GenerationInfo> &read);
    QString modelLink(const metadata::ModelReference &model, const QString &weight = {}) const;
    void linkActivated(const QString &link);

    LibraryFinder m_finder;
    QString m_path;
    metadata::GenerationInfo m_recipe;
    QFutureWatcher<Result<metadata::GenerationInfo>> m_reading;
    QString m_readingPath;

    QLabel *m_title;
    QLabel *m_subtitle;
    QPlainTextEdit *m_prompt;
    QPlainTextEdit *m_negative;
    QWidget *m_fieldsBox;
    QFormLayout *m_fields;
    QLabel *m_warnings;
    QToolButton *m_chunksToggle;
    QTreeWidget *m_chunks;
    QList<QPushButton *> m_actions;
};

} // namespace atelier::ui
