#include "ui/library/model_details_panel.h"

#include "core/hashing/content_hash.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "ui/common/thumbnail_cache.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStringListModel>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

namespace atelier::ui {

QString shortHash(const QString &hash)
{
    return hashing::autoV2(hash.section(QLatin1Char(':'), -1));
}

namespace {

// An edit of one field, for that field's editor.
template <typename T> models::ModelEdit editOf(std::optional<T> models::ModelEdit::*field, T value)
{
    models::ModelEdit edit;
    edit.*field = std::move(value);
    return edit;
}

// One saved edit of one record. The change is applied before the command is pushed (so that a refused change
// never enters the stack); the first redo() is therefore skipped.
class EditModelCommand : public QUndoCommand
{
public:
    EditModelCommand(ModelDetailsPanel *panel, models::RecordStore &store, QString key, models::ModelEdit before,
                     models::ModelEdit after, const QString &what)
        : QUndoCommand(what)
        , m_panel(panel)
        , m_store(store)
        , m_key(std::move(key))
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
    }

    void undo() override { apply(m_before); }
    void redo() override
    {
        if (m_firstRedo) {
            m_firstRedo = false;
            return;
        }
        apply(m_after);
    }

private:
    void apply(const models::ModelEdit &edit)
    {
        const Result<models::ModelConfig> updated = models::applyEdit(m_store, m_key, edit);
        m_panel->showModel(m_key);
        if (!updated)  // the model was deleted meanwhile, say
            m_panel->showError(QObject::tr("Cannot undo or redo this change: %1").arg(updated.error()));
    }

    ModelDetailsPanel *m_panel;
    models::RecordStore &m_store;
    QString m_key;
    models::ModelEdit m_before;
    models::ModelEdit m_after;
    bool m_firstRedo = true;
};

QStringList splitTags(const QString &text)
{
    QStringList tags;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            tags << part.trimmed();
    return tags;
}

} // namespace

ModelDetailsPanel::~ModelDetailsPanel()
{
    // What was typed and not yet saved is saved, as if the field had lost focus (without refilling the fields).
    disconnect(&m_store, nullptr, this, nullptr);
    commitName();
    commitDescription();
    commitTags();
    // The editors outlive this object's members (QWidget deletes its children later) and lose focus as they go;
    // their "editing finished" must not reach a half-destroyed panel.
    m_description->removeEventFilter(this);
    m_tags->removeEventFilter(this);
    for (QWidget *child : findChildren<QWidget *>())
        disconnect(child, nullptr, this, nullptr);
}

QString ModelDetailsPanel::absolutePath(const QString &path) const
{
    return models::absoluteModelPath(path, m_modelsDir);
}

void ModelDetailsPanel::showCover(const QString &path)
{
    // Decoded off the GUI thread; until it arrives (or when there is none) the label is hidden.
    const QPixmap cover = m_covers->thumbnail(path);
    m_cover->setPixmap(cover);
    m_cover->setVisible(!cover.isNull());
}

void ModelDetailsPanel::showModel(const QString &key)
{
    if (key.isEmpty()) {
        clear();
        return;
    }
    const Result<models::ModelConfig> config = m_store.getModel(key);
    if (!config) {
        clear();
        return;
    }
    m_error->hide();
    fill(config.value(), true);
}

void ModelDetailsPanel::clear()
{
    m_key.clear();
    m_shown.reset();
    m_content->parentWidget()->parentWidget()->hide();  // the scroll area
    m_empty->show();
}

void ModelDetailsPanel::setDuplicates(int count)
{
    m_duplicateText->setText(tr("%n other model(s) in the library have the same file.", nullptr, count));
    m_duplicateBanner->setVisible(count > 0 && m_shown);
}

void ModelDetailsPanel::focusEditor()
{
    if (m_shown)
        m_name->setFocus(Qt::OtherFocusReason);
}

void ModelDetailsPanel::fill(const models::ModelConfig &config, bool replaceEdits)
{
    m_filling = true;
    // A field the user is editing (focused, and changed from what was stored) keeps the text being typed.
    const std::optional<models::ModelConfig> previous = m_key == config.key ? m_shown : std::nullopt;
    const auto editing = [&](QWidget *field, const QString &text, const QString &stored) {
        return !replaceEdits && previous && field->hasFocus() && text != stored;
    };
    m_key = config.key;
    m_shown = config;
    m_empty->hide();
    m_content->parentWidget()->parentWidget()->show();

    showCover(absolutePath(config.coverImage));

    if (!editing(m_name, m_name->text(), previous ? previous->name : QString()))
        m_name->setText(config.name);
    m_kind->setText(QStringLiteral("%1 · %2 · %3").arg(models::toString(config.type), models::toString(config.base),
                                                       models::toString(config.format)));
    m_missingBanner->setVisible(config.missing);
    if (!editing(m_description, m_description->toPlainText(), previous ? previous->description : QString()))
        m_description->setPlainText(config.description);
    if (!editing(m_tags, m_tags->text(), previous ? previous->tags.join(QStringLiteral(", ")) : QString()))
        m_tags->setText(config.tags.join(QStringLiteral(", ")));
    refreshTriggerWords(config.triggerWords);

    const auto applies = [&](const char *field) {
        for (const models::SpecialisedField &specialised : models::kSpecialisedFields)
            if (qstrcmp(specialised.name, field) == 0)
                return specialised.appliesTo(config.type, config.format);
        return false;
    };
    const bool variantApplies = applies("variant");
    m_variant->setVisible(variantApplies);
    m_variantLabel->setVisible(variantApplies);
    m_variant->setCurrentIndex(std::max(0, m_variant->findData(config.variant ? models::toString(*config.variant) : QString())));
    const bool predictionApplies = applies("prediction_type");
    m_predictionType->setVisible(predictionApplies);
    m_predictionLabel->setVisible(predictionApplies);
    m_predictionType->setCurrentIndex(
        std::max(0, m_predictionType->findData(config.predictionType ? models::toString(*config.predictionType) : QString())));
    const bool vaeApplies = applies("vae");
    m_vae->setVisible(vaeApplies);
    m_vaeLabel->setVisible(vaeApplies);
    if (vaeApplies) {
        // The choices: the built-in VAE, and the VAEs in the library for the same base.
        m_vae->clear();
        m_vae->addItem(tr("Built-in"), QString());
        if (const auto vaes = m_store.searchByName(QString(), config.base, models::ModelType::Vae))
            for (const models::ModelConfig &vae : vaes.value())
                m_vae->addItem(vae.name, vae.key);
        if (config.vae && m_vae->findData(*config.vae) < 0)
            m_vae->addItem(*config.vae, *config.vae);  // set elsewhere to something not in the library: shown as is
        m_vae->setCurrentIndex(std::max(0, m_vae->findData(config.vae.value_or(QString()))));
    }

    const QString path = absolutePath(config.path);
    m_path->setText(path.toHtmlEscaped());
    m_path->setToolTip(path); // cut short in a narrow dock: the whole of it on hover
    m_copies->setText(
        config.copies.join(QLatin1Char('\n')).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    m_copies->setVisible(!config.copies.isEmpty());
    m_copiesLabel->setVisible(!config.copies.isEmpty());
    // A model imported in place has its fast identity hash until the full SHA-256 is computed.
    const bool quickHash = config.hash.startsWith(QLatin1String("fast:"));
    m_hash->setText(config.hash.isEmpty() ? tr("(not hashed)")
                    : quickHash           ? tr("%1 (its full SHA-256 is still to be computed)").arg(config.hash)
                                          : config.hash);
    m_hash->setToolTip(config.hash);
    m_shortHash->setText(quickHash ? tr("(not yet)") : shortHash(config.hash));
    const QUrl sourceUrl(config.source);
    if (sourceUrl.isValid() && (sourceUrl.scheme() == QLatin1String("https") || sourceUrl.scheme() == QLatin1String("http")))
        m_source->setText(QStringLiteral("<a href=\"%1\">%2</a>").arg(sourceUrl.toString(QUrl::FullyEncoded).toHtmlEscaped(),
                                                                     config.source.toHtmlEscaped()));
    else
        m_source->setText(config.source.toHtmlEscaped());
    m_size->setText(QLocale().formattedDataSize(config.fileSize));
    QString dates = QLocale().toString(config.addedAt.toLocalTime(), QLocale::LongFormat);
    if (config.updatedAt.isValid() && config.updatedAt != config.addedAt)
        dates += tr(" (changed %1)").arg(QLocale().toString(config.updatedAt.toLocalTime(), QLocale::ShortFormat));
    m_dates->setText(dates);

    const QString remote =
        config.sourceApiResponse.isEmpty() ? QString() : models::indentedJsonText(config.sourceApiResponse);
    m_remote->setPlainText(remote);
    m_remoteToggle->setVisible(!remote.isEmpty());
    m_remote->setVisible(!remote.isEmpty() && m_remoteToggle->isChecked());
    m_allFields->setPlainText(models::recordAsJsonText(config));
    m_filling = false;
}

void ModelDetailsPanel::refreshTriggerWords(const QStringList &words)
{
    while (QLayoutItem *item = m_triggerWordsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString &word : words) {
        auto *button = new QPushButton(word, m_triggerWords);
        button->setObjectName(QStringLiteral("triggerWord"));
        button->setToolTip(tr("Copy “%1”").arg(word));
        button->setFlat(true);
        button->setCursor(Qt::PointingHandCursor);
        connect(button, &QPushButton::clicked, this, [word] { QApplication::clipboard()->setText(word); });
        m_triggerWordsLayout->addWidget(button);
    }
    if (words.isEmpty()) {
        auto *none = new QLabel(tr("none"), m_triggerWords);
        none->setForegroundRole(QPalette::PlaceholderText);
        m_triggerWordsLayout->addWidget(none);
    }
    m_triggerWordsLayout->addStretch();
}

void ModelDetailsPanel::refreshTagCompletions()
{
    auto *completions = qobject_cast<QStringListModel *>(m_tags->completer()->model());
    QStringList known;
    if (const auto counts = m_store.tagCounts())
        for (const auto &[tag, count] : counts.value())
            known << tag;
    completions->setStringList(known);
}

bool ModelDetailsPanel::applyChange(const QString &key, const models::ModelEdit &edit, const QString &what)
{
    const Result<models::ModelConfig> before = m_store.getModel(key);
    if (!before) {
        showError(before.error());
        return false;
    }
    const models::ModelEdit previous = models::editRestoring(before.value(), edit);
    const Result<models::ModelConfig> updated = models::applyEdit(m_store, key, edit);
    if (!updated) {
        showError(updated.error());
        if (key == m_key)
            fill(before.value(), true);  // the field shows what is stored again
        return false;
    }
    m_error->hide();
    m_undo->push(new EditModelCommand(this, m_store, key, previous, edit, what));
    return true;
}

void ModelDetailsPanel::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

void ModelDetailsPanel::commitName()
{
    if (m_filling || !m_shown)
        return;
    const QString name = m_name->text().trimmed();
    if (name == m_shown->name)
        return;
    if (name.isEmpty()) {
        showError(tr("A model needs a name."));
        m_name->setText(m_shown->name);
        return;
    }
    applyChange(m_key, editOf(&models::ModelEdit::name, name), tr("rename to “%1”").arg(name));
}

void ModelDetailsPanel::commitDescription()
{
    if (m_filling || !m_shown)
        return;
    const QString description = m_description->toPlainText();
    if (description == m_shown->description)
        return;
    applyChange(m_key, editOf(&models::ModelEdit::description, description), tr("edit description"));
}

void ModelDetailsPanel::commitTags()
{
    if (m_filling || !m_shown)
        return;
    const QStringList tags = splitTags(m_tags->text());
    if (tags == m_shown->tags)
        return;
    applyChange(m_key, editOf(&models::ModelEdit::tags, tags), tr("edit tags"));
}

void ModelDetailsPanel::commitVariant()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_variant->currentData().toString();
    if (value == (m_shown->variant ? models::toString(*m_shown->variant) : QString()))
        return;
    applyChange(m_key, editOf(&models::ModelEdit::variant, value), tr("set variant"));
}

void ModelDetailsPanel::commitPredictionType()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_predictionType->currentData().toString();
    if (value == (m_shown->predictionType ? models::toString(*m_shown->predictionType) : QString()))
        return;
    applyChange(m_key, editOf(&models::ModelEdit::predictionType, value), tr("set prediction type"));
}

void ModelDetailsPanel::commitVae()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_vae->currentData().toString();
    if (value == m_shown->vae.value_or(QString()))
        return;
    applyChange(m_key, editOf(&models::ModelEdit::vae, value), tr("set VAE"));
}

bool ModelDetailsPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_description && event->type() == QEvent::FocusOut)
        commitDescription();
    if (watched == m_tags && event->type() == QEvent::FocusIn)
        refreshTagCompletions();
    return QWidget::eventFilter(watched, event);
}

} // namespace atelier::ui
