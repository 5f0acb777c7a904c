#include "ui/library/model_details_panel.h"

#include "core/models/hashing/content_hash.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "ui/library/cover_cache.h"

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

#include <nlohmann/json.hpp>

namespace atelier::ui {

using json = nlohmann::ordered_json;

QString shortHash(const QString &hash)
{
    return models::autoV2(hash.section(QLatin1Char(':'), -1));
}

namespace {

std::string toStd(const QString &text)
{
    return text.toStdString();
}

// One saved edit of one record. The change is applied before the command is pushed (so that a refused change
// never enters the stack); the first redo() is therefore skipped.
class EditModelCommand : public QUndoCommand
{
public:
    EditModelCommand(ModelDetailsPanel *panel, models::RecordStore &store, QString key, json before, json after,
                     const QString &what)
        : QUndoCommand(what), m_panel(panel), m_store(store), m_key(std::move(key)), m_before(std::move(before)),
          m_after(std::move(after))
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
    void apply(const json &changes)
    {
        const Result<models::ModelConfig> updated = m_store.updateModel(m_key, changes);
        m_panel->showModel(m_key);
        if (!updated)  // the model was deleted meanwhile, say
            m_panel->showError(QObject::tr("Cannot undo or redo this change: %1").arg(updated.error()));
    }

    ModelDetailsPanel *m_panel;
    models::RecordStore &m_store;
    QString m_key;
    json m_before;
    json m_after;
    bool m_firstRedo = true;
};

// Completes the tag being typed after the last comma.
class TagCompleter : public QCompleter
{
public:
    using QCompleter::QCompleter;

    QStringList splitPath(const QString &path) const override
    {
        return {path.section(QLatin1Char(','), -1).trimmed()};
    }
    QString pathFromIndex(const QModelIndex &index) const override
    {
        const auto *edit = qobject_cast<QLineEdit *>(widget());
        QString before = edit ? edit->text() : QString();
        const int comma = before.lastIndexOf(QLatin1Char(','));
        before = comma < 0 ? QString() : before.left(comma + 1) + QLatin1Char(' ');
        return before + index.data(Qt::DisplayRole).toString();
    }
};

QStringList splitTags(const QString &text)
{
    QStringList tags;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            tags << part.trimmed();
    return tags;
}

json tagsJson(const QStringList &tags)
{
    json array = json::array();
    for (const QString &tag : tags)
        array.push_back(toStd(tag));
    return array;
}

QLabel *selectableLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard | Qt::LinksAccessibleByMouse);
    label->setWordWrap(true);
    return label;
}

QToolButton *smallButton(QWidget *parent, const QString &text, const QString &objectName)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(objectName);
    button->setAutoRaise(true);
    return button;
}

} // namespace

ModelDetailsPanel::ModelDetailsPanel(models::RecordStore &store, QString modelsDir, QWidget *parent)
    : QWidget(parent), m_store(store), m_modelsDir(std::move(modelsDir)), m_undo(new QUndoStack(this)),
      m_covers(new CoverCache(QSize(256, 256), this))
{
    setObjectName(QStringLiteral("modelDetailsPanel"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);

    auto *toolbar = new QHBoxLayout;
    auto *undo = smallButton(this, tr("Undo"), QStringLiteral("undoEditButton"));
    auto *redo = smallButton(this, tr("Redo"), QStringLiteral("redoEditButton"));
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(undo, &QToolButton::clicked, m_undo, &QUndoStack::undo);
    connect(redo, &QToolButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QWidget::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QWidget::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, undo, [undo](const QString &text) { undo->setToolTip(tr("Undo %1").arg(text)); });
    auto *undoAction = m_undo->createUndoAction(this);
    undoAction->setShortcut(QKeySequence::Undo);
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    auto *redoAction = m_undo->createRedoAction(this);
    redoAction->setShortcut(QKeySequence::Redo);
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);
    toolbar->addStretch();
    toolbar->addWidget(undo);
    toolbar->addWidget(redo);
    outer->addLayout(toolbar);

    m_empty = new QLabel(tr("Select a model to see its details."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    outer->addWidget(m_empty);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_content = new QWidget(scroll);
    scroll->setWidget(m_content);
    outer->addWidget(scroll, 1);
    auto *layout = new QVBoxLayout(m_content);

    m_cover = new QLabel(m_content);
    m_cover->setObjectName(QStringLiteral("coverLabel"));
    m_cover->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_cover);

    m_name = new QLineEdit(m_content);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    QFont bigger = m_name->font();
    bigger.setPointSizeF(bigger.pointSizeF() * 1.25);
    bigger.setBold(true);
    m_name->setFont(bigger);
    connect(m_name, &QLineEdit::editingFinished, this, &ModelDetailsPanel::commitName);
    layout->addWidget(m_name);
    m_kind = new QLabel(m_content);
    m_kind->setObjectName(QStringLiteral("kindLabel"));
    layout->addWidget(m_kind);

    // The banners: what is wrong and what to do about it.
    m_missingBanner = new QWidget(m_content);
    m_missingBanner->setObjectName(QStringLiteral("missingBanner"));
    {
        auto *row = new QHBoxLayout(m_missingBanner);
        row->setContentsMargins(0, 0, 0, 0);
        auto *text = new QLabel(tr("The files of this model are missing."), m_missingBanner);
        text->setWordWrap(true);
        auto *locate = new QPushButton(tr("Locate…"), m_missingBanner);
        locate->setObjectName(QStringLiteral("locateButton"));
        auto *remove = new QPushButton(tr("Remove from library"), m_missingBanner);
        remove->setObjectName(QStringLiteral("removeMissingButton"));
        connect(locate, &QPushButton::clicked, this, [this] { emit locateRequested(m_key); });
        connect(remove, &QPushButton::clicked, this, [this] { emit removeRequested(m_key); });
        row->addWidget(text, 1);
        row->addWidget(locate);
        row->addWidget(remove);
    }
    layout->addWidget(m_missingBanner);
    m_duplicateBanner = new QWidget(m_content);
    m_duplicateBanner->setObjectName(QStringLiteral("duplicateBanner"));
    {
        auto *row = new QHBoxLayout(m_duplicateBanner);
        row->setContentsMargins(0, 0, 0, 0);
        m_duplicateText = new QLabel(m_duplicateBanner);
        m_duplicateText->setWordWrap(true);
        auto *show = new QPushButton(tr("Show copies"), m_duplicateBanner);
        show->setObjectName(QStringLiteral("showCopiesButton"));
        connect(show, &QPushButton::clicked, this, [this] {
            if (m_shown)
                emit showCopiesRequested(m_shown->hash);
        });
        row->addWidget(m_duplicateText, 1);
        row->addWidget(show);
    }
    layout->addWidget(m_duplicateBanner);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_description = new QPlainTextEdit(m_content);
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(110);
    m_description->installEventFilter(this);  // saved when focus leaves it
    form->addRow(tr("Description:"), m_description);

    m_tags = new QLineEdit(m_content);
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    m_tags->setPlaceholderText(tr("comma, separated, tags"));
    auto *completer = new TagCompleter(new QStringListModel(this), m_tags);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_tags->setCompleter(completer);
    connect(m_tags, &QLineEdit::editingFinished, this, &ModelDetailsPanel::commitTags);
    m_tags->installEventFilter(this);  // the completions are read when the field is entered
    form->addRow(tr("Tags:"), m_tags);

    m_triggerWords = new QWidget(m_content);
    m_triggerWords->setObjectName(QStringLiteral("triggerWords"));
    m_triggerWordsLayout = new QHBoxLayout(m_triggerWords);
    m_triggerWordsLayout->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Trigger words:"), m_triggerWords);

    m_variant = new QComboBox(m_content);
    m_variant->setObjectName(QStringLiteral("variantCombo"));
    m_variant->addItem(tr("(not set)"), QString());
    for (const QString &value : models::allStrings<models::ModelVariant>())
        m_variant->addItem(value, value);
    connect(m_variant, qOverload<int>(&QComboBox::activated), this, &ModelDetailsPanel::commitVariant);
    m_variantLabel = new QLabel(tr("Variant:"), m_content);
    form->addRow(m_variantLabel, m_variant);

    m_predictionType = new QComboBox(m_content);
    m_predictionType->setObjectName(QStringLiteral("predictionTypeCombo"));
    m_predictionType->addItem(tr("(not set)"), QString());
    for (const QString &value : models::allStrings<models::PredictionType>())
        m_predictionType->addItem(value, value);
    connect(m_predictionType, qOverload<int>(&QComboBox::activated), this, &ModelDetailsPanel::commitPredictionType);
    m_predictionLabel = new QLabel(tr("Prediction:"), m_content);
    form->addRow(m_predictionLabel, m_predictionType);

    m_vae = new QComboBox(m_content);
    m_vae->setObjectName(QStringLiteral("vaeCombo"));
    connect(m_vae, qOverload<int>(&QComboBox::activated), this, &ModelDetailsPanel::commitVae);
    m_vaeLabel = new QLabel(tr("VAE:"), m_content);
    form->addRow(m_vaeLabel, m_vae);

    auto *pathRow = new QHBoxLayout;
    m_path = selectableLabel(m_content, QStringLiteral("pathLabel"));
    auto *showInFolder = smallButton(m_content, tr("Show in folder"), QStringLiteral("showInFolderButton"));
    connect(showInFolder, &QToolButton::clicked, this, [this] {
        if (m_shown)
            emit showInFolderRequested(absolutePath(m_shown->path));
    });
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(showInFolder);
    form->addRow(tr("Path:"), pathRow);

    auto *hashRow = new QHBoxLayout;
    m_hash = selectableLabel(m_content, QStringLiteral("hashLabel"));
    m_hash->setWordWrap(false);
    m_hash->setMinimumWidth(80);
    auto *copyHash = smallButton(m_content, tr("Copy"), QStringLiteral("copyHashButton"));
    connect(copyHash, &QToolButton::clicked, this, [this] {
        if (m_shown)
            QApplication::clipboard()->setText(m_shown->hash);
    });
    hashRow->addWidget(m_hash, 1);
    hashRow->addWidget(copyHash);
    form->addRow(tr("Hash:"), hashRow);
    auto *shortRow = new QHBoxLayout;
    m_shortHash = selectableLabel(m_content, QStringLiteral("shortHashLabel"));
    auto *copyShort = smallButton(m_content, tr("Copy"), QStringLiteral("copyShortHashButton"));
    connect(copyShort, &QToolButton::clicked, this, [this] {
        if (m_shown)
            QApplication::clipboard()->setText(shortHash(m_shown->hash));
    });
    shortRow->addWidget(m_shortHash, 1);
    shortRow->addWidget(copyShort);
    form->addRow(tr("Short hash:"), shortRow);

    m_source = selectableLabel(m_content, QStringLiteral("sourceLabel"));
    m_source->setOpenExternalLinks(true);
    form->addRow(tr("Source:"), m_source);
    m_size = selectableLabel(m_content, QStringLiteral("sizeLabel"));
    form->addRow(tr("Size:"), m_size);
    m_dates = selectableLabel(m_content, QStringLiteral("datesLabel"));
    form->addRow(tr("Added:"), m_dates);
    layout->addLayout(form);

    m_remoteToggle = new QToolButton(m_content);
    m_remoteToggle->setObjectName(QStringLiteral("remoteMetadataToggle"));
    m_remoteToggle->setText(tr("Remote metadata"));
    m_remoteToggle->setCheckable(true);
    m_remoteToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_remoteToggle->setArrowType(Qt::RightArrow);
    m_remoteToggle->setAutoRaise(true);
    m_remote = new QPlainTextEdit(m_content);
    m_remote->setObjectName(QStringLiteral("remoteMetadataText"));
    m_remote->setReadOnly(true);
    m_remote->setVisible(false);
    connect(m_remoteToggle, &QToolButton::toggled, this, [this](bool open) {
        m_remote->setVisible(open);
        m_remoteToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addWidget(m_remoteToggle);
    layout->addWidget(m_remote);

    auto *allToggle = new QToolButton(m_content);
    allToggle->setText(tr("Every field"));
    allToggle->setCheckable(true);
    allToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    allToggle->setArrowType(Qt::RightArrow);
    allToggle->setAutoRaise(true);
    m_allFields = new QPlainTextEdit(m_content);
    m_allFields->setObjectName(QStringLiteral("allFieldsText"));
    m_allFields->setReadOnly(true);
    m_allFields->setVisible(false);
    connect(allToggle, &QToolButton::toggled, this, [this, allToggle](bool open) {
        m_allFields->setVisible(open);
        allToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addWidget(allToggle);
    layout->addWidget(m_allFields);

    m_error = new QLabel(m_content);
    m_error->setObjectName(QStringLiteral("editErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    layout->addWidget(m_error);
    layout->addStretch();

    connect(m_covers, &CoverCache::coverReady, this, [this](const QString &path) {
        if (m_shown && absolutePath(m_shown->coverImage) == path)
            showCover(path);
    });
    connect(&m_store, &models::RecordStore::modelUpdated, this, [this](const models::ModelConfig &config) {
        if (config.key == m_key)
            fill(config);
    });
    connect(&m_store, &models::RecordStore::modelRemoved, this, [this](const QString &key) {
        if (key == m_key)
            clear();
    });
    clear();
}

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
    const QPixmap cover = m_covers->cover(path);
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
    m_duplicateText->setText((count == 1 ? tr("Another model in the library has the same file.") : tr("%1 other models in the library have the same file.").arg(count)));
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
    m_hash->setText(config.hash.isEmpty() ? tr("(not hashed)") : config.hash);
    m_shortHash->setText(shortHash(config.hash));
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

    QString remote;
    if (!config.sourceApiResponse.isEmpty()) {
        const json parsed = json::parse(config.sourceApiResponse.constData(),
                                        config.sourceApiResponse.constData() + config.sourceApiResponse.size(), nullptr, false);
        remote = parsed.is_discarded() ? QString::fromUtf8(config.sourceApiResponse)
                                       : QString::fromStdString(parsed.dump(2, ' ', false, json::error_handler_t::replace));
    }
    m_remote->setPlainText(remote);
    m_remoteToggle->setVisible(!remote.isEmpty());
    m_remote->setVisible(!remote.isEmpty() && m_remoteToggle->isChecked());
    m_allFields->setPlainText(QString::fromStdString(models::toJson(config).dump(2, ' ', false, json::error_handler_t::replace)));
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

bool ModelDetailsPanel::applyChange(const QString &key, const json &changes, const QString &what)
{
    const Result<models::ModelConfig> before = m_store.getModel(key);
    if (!before) {
        showError(before.error());
        return false;
    }
    const json all = models::toJson(before.value());
    json previous = json::object();
    for (const auto &[field, value] : changes.items())
        previous[field] = all.contains(field) ? all[field] : json(nullptr);
    const Result<models::ModelConfig> updated = m_store.updateModel(key, changes);
    if (!updated) {
        showError(updated.error());
        if (key == m_key)
            fill(before.value(), true);  // the field shows what is stored again
        return false;
    }
    m_error->hide();
    m_undo->push(new EditModelCommand(this, m_store, key, previous, changes, what));
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
    applyChange(m_key, json{{"name", toStd(name)}}, tr("rename to “%1”").arg(name));
}

void ModelDetailsPanel::commitDescription()
{
    if (m_filling || !m_shown)
        return;
    const QString description = m_description->toPlainText();
    if (description == m_shown->description)
        return;
    applyChange(m_key, json{{"description", toStd(description)}}, tr("edit description"));
}

void ModelDetailsPanel::commitTags()
{
    if (m_filling || !m_shown)
        return;
    const QStringList tags = splitTags(m_tags->text());
    if (tags == m_shown->tags)
        return;
    applyChange(m_key, json{{"tags", tagsJson(tags)}}, tr("edit tags"));
}

void ModelDetailsPanel::commitVariant()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_variant->currentData().toString();
    if (value == (m_shown->variant ? models::toString(*m_shown->variant) : QString()))
        return;
    applyChange(m_key, json{{"variant", value.isEmpty() ? json(nullptr) : json(toStd(value))}}, tr("set variant"));
}

void ModelDetailsPanel::commitPredictionType()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_predictionType->currentData().toString();
    if (value == (m_shown->predictionType ? models::toString(*m_shown->predictionType) : QString()))
        return;
    applyChange(m_key, json{{"prediction_type", value.isEmpty() ? json(nullptr) : json(toStd(value))}},
                tr("set prediction type"));
}

void ModelDetailsPanel::commitVae()
{
    if (m_filling || !m_shown)
        return;
    const QString value = m_vae->currentData().toString();
    if (value == m_shown->vae.value_or(QString()))
        return;
    applyChange(m_key, json{{"vae", value.isEmpty() ? json(nullptr) : json(toStd(value))}}, tr("set VAE"));
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
