#pragma once

#include "core/models/model_config.h"
#include "core/models/model_edit.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QHBoxLayout;
class QFormLayout;
class QLabel;
class QVBoxLayout;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QUndoStack;

namespace atelier::models {
class RecordStore;
}

namespace atelier::ui {

class ThumbnailCache;

// Everything about one model, and the fields an artist may change: name, description, tags (completed from the
// tags in use), variant, prediction type and VAE override. Each change is validated by the record store and saved
// at once, as one step of an undo stack that lives as long as the panel (Ctrl+Z / Ctrl+Shift+Z, or the buttons).
// Models with missing files or duplicates get a banner with the ways to fix them (the library panel does the
// fixing, through the signals).
class ModelDetailsPanel : public QWidget
{
    Q_OBJECT
public:
    ModelDetailsPanel(models::RecordStore &store, QString modelsDir, QWidget *parent = nullptr);
    ~ModelDetailsPanel() override;

    // Shows the record with this key; an empty or unknown key shows nothing.
    void showModel(const QString &key);
    QString shownKey() const { return m_key; }
    void setDuplicates(int count);  // how many other records have the same hash (the library knows)
    QUndoStack *undoStack() const { return m_undo; }
    // Focuses the first editable field (Enter in the views).
    void focusEditor();

    // Applies a sparse change to a record as one undoable step; false (with the reason shown) when the store
    // refuses it.
    bool applyChange(const QString &key, const models::ModelEdit &edit, const QString &what);
    // Shows why something could not be saved, under the fields.
    void showError(const QString &message);

signals:
    void locateRequested(const QString &key);
    void removeRequested(const QString &key);
    void showCopiesRequested(const QString &hash);
    void showInFolderRequested(const QString &path);

private:
    // replaceEdits: also the fields being edited (after undo, or when the store refused an edit).
    void buildUndoBar(QVBoxLayout *outer);
    void buildHeader(QVBoxLayout *layout);
    void buildBanners(QVBoxLayout *layout);
    void buildEditors(QFormLayout *form);
    void buildFacts(QFormLayout *form);
    void buildExpanders(QVBoxLayout *layout);
    void followStore();
    void fill(const models::ModelConfig &config, bool replaceEdits = false);
    void clear();
    void commitName();
    void commitDescription();
    void commitTags();
    void commitVariant();
    void commitPredictionType();
    void commitVae();
    void showCover(const QString &path);
    void refreshTagCompletions();
    void refreshTriggerWords(const QStringList &words);
    QString absolutePath(const QString &path) const;
    bool eventFilter(QObject *watched, QEvent *event) override;

    models::RecordStore &m_store;
    QString m_modelsDir;
    QString m_key;
    std::optional<models::ModelConfig> m_shown;
    QUndoStack *m_undo;
    ThumbnailCache *m_covers;
    bool m_filling = false;

    QWidget *m_content = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_cover = nullptr;
    QLineEdit *m_name = nullptr;
    QLabel *m_kind = nullptr;
    QWidget *m_missingBanner = nullptr;
    QWidget *m_duplicateBanner = nullptr;
    QLabel *m_duplicateText = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLineEdit *m_tags = nullptr;
    QWidget *m_triggerWords = nullptr;
    QHBoxLayout *m_triggerWordsLayout = nullptr;
    QComboBox *m_variant = nullptr;
    QComboBox *m_predictionType = nullptr;
    QComboBox *m_vae = nullptr;
    QLabel *m_variantLabel = nullptr;
    QLabel *m_predictionLabel = nullptr;
    QLabel *m_vaeLabel = nullptr;
    QLabel *m_path = nullptr;
    QLabel *m_copies = nullptr; // the same file in other tools' folders
    QLabel *m_copiesLabel = nullptr;
    QLabel *m_hash = nullptr;
    QLabel *m_shortHash = nullptr;
    QLabel *m_source = nullptr;
    QLabel *m_size = nullptr;
    QLabel *m_dates = nullptr;
    QPlainTextEdit *m_remote = nullptr;
    QToolButton *m_remoteToggle = nullptr;
    QPlainTextEdit *m_allFields = nullptr;
    QLabel *m_error = nullptr;
};

// The short form of a hash that A1111 and Civitai show: the first ten hex digits of the SHA-256.
QString shortHash(const QString &hash);

} // namespace atelier::ui
