// The details panel's widgets, built once; what they show and how edits are saved is in model_details_panel.cpp.
#include "ui/library/model_details_panel.h"

#include "core/hashing/content_hash.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "ui/common/theme.h"
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

namespace {

// Completes the tag being typed after the last comma.
class TagCompleter : public QCompleter
{
public:
    using QCompleter::QCompleter;

    QStringList splitPath(const QString &path) const override { return {path.section(QLatin1Char(','), -1).trimmed()}; }
    QString pathFromIndex(const QModelIndex &index) const override
    {
        const auto *edit = qobject_cast<QLineEdit *>(widget());
        QString before = edit ? edit->text() : QString();
        const int comma = before.lastIndexOf(QLatin1Char(','));
        before = comma < 0 ? QString() : before.left(comma + 1) + QLatin1Char(' ');
        return before + index.data(Qt::DisplayRole).toString();
    }
};

QLabel *selectableLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard |
                                   Qt::LinksAccessibleByMouse);
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
    : QWidget(parent)
    , m_store(store)
    , m_modelsDir(std::move(modelsDir))
    , m_undo(new QUndoStack(this))
    , m_covers(new ThumbnailCache(QSize(256, 256), this))
{
    setObjectName(QStringLiteral("modelDetailsPanel"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);

    buildUndoBar(outer);

    m_empty = new QLabel(tr("Select a model to see its details."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    outer->addWidget(m_empty);

    auto *scroll = new QScrollArea(this);
    scroll->setFocusPolicy(Qt::NoFocus); // Tab goes to the fields inside, which it scrolls into view
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_content = new QWidget(scroll);
    scroll->setWidget(m_content);
    outer->addWidget(scroll, 1);
    auto *layout = new QVBoxLayout(m_content);

    buildHeader(layout);
    buildBanners(layout);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    buildEditors(form);
    buildFacts(form);
    layout->addLayout(form);

    buildExpanders(layout);

    followStore();
    clear();
}

// Undo and redo of this panel's edits, as buttons and as the usual shortcuts.
void ModelDetailsPanel::buildUndoBar(QVBoxLayout *outer)
{
    auto *toolbar = new QHBoxLayout;
    auto *undo = smallButton(this, tr("Undo"), QStringLiteral("undoEditButton"));
    undo->setToolTip(tr("Take back the last change to this model"));
    auto *redo = smallButton(this, tr("Redo"), QStringLiteral("redoEditButton"));
    redo->setToolTip(tr("Make the change taken back again"));
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(undo, &QToolButton::clicked, m_undo, &QUndoStack::undo);
    connect(redo, &QToolButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QWidget::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QWidget::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, undo,
            [undo](const QString &text) { undo->setToolTip(tr("Undo %1").arg(text)); });
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
}

// The cover, the editable name, and what kind of model it is.
void ModelDetailsPanel::buildHeader(QVBoxLayout *layout)
{
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
}

// The banners: what is wrong with the model and what to do about it.
void ModelDetailsPanel::buildBanners(QVBoxLayout *layout)
{
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
}

// The fields users edit: description, tags, and the settings the probe may have got wrong.
void ModelDetailsPanel::buildEditors(QFormLayout *form)
{
    m_description = new QPlainTextEdit(m_content);
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(110);
    m_description->installEventFilter(this); // saved when focus leaves it
    form->addRow(tr("Description:"), m_description);

    m_tags = new QLineEdit(m_content);
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    m_tags->setPlaceholderText(tr("comma, separated, tags"));
    auto *completer = new TagCompleter(new QStringListModel(this), m_tags);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_tags->setCompleter(completer);
    connect(m_tags, &QLineEdit::editingFinished, this, &ModelDetailsPanel::commitTags);
    m_tags->installEventFilter(this); // the completions are read when the field is entered
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
}

// What the library knows and users only read or copy: path, hashes, source, size, dates.
void ModelDetailsPanel::buildFacts(QFormLayout *form)
{
    auto *pathRow = new QHBoxLayout;
    m_path = selectableLabel(m_content, QStringLiteral("pathLabel"));
    auto *showInFolder = smallButton(m_content, tr("Show in folder"), QStringLiteral("showInFolderButton"));
    showInFolder->setToolTip(tr("Open the folder that holds the model's files"));
    connect(showInFolder, &QToolButton::clicked, this, [this] {
        if (m_shown)
            emit showInFolderRequested(absolutePath(m_shown->path));
    });
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(showInFolder);
    form->addRow(tr("Path:"), pathRow);
    m_copies = selectableLabel(m_content, QStringLiteral("copiesLabel"));
    m_copiesLabel = new QLabel(tr("Also at:"), m_content);
    form->addRow(m_copiesLabel, m_copies);

    auto *hashRow = new QHBoxLayout;
    m_hash = selectableLabel(m_content, QStringLiteral("hashLabel"));
    m_hash->setWordWrap(false);
    m_hash->setMinimumWidth(80);
    auto *copyHash = smallButton(m_content, tr("Copy"), QStringLiteral("copyHashButton"));
    copyHash->setToolTip(tr("Copy the whole hash"));
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
    copyShort->setToolTip(tr("Copy the short hash, as A1111 and Civitai show it"));
    connect(copyShort, &QToolButton::clicked, this, [this] {
        if (m_shown)
            QApplication::clipboard()->setText(m_shortHash->text());
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
}

// The remote metadata and every field of the record, folded away, and the error line.
void ModelDetailsPanel::buildExpanders(QVBoxLayout *layout)
{
    m_remoteToggle = new QToolButton(m_content);
    m_remoteToggle->setObjectName(QStringLiteral("remoteMetadataToggle"));
    m_remoteToggle->setToolTip(tr("Show what the model's hub page said about it"));
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
    allToggle->setToolTip(tr("Show every field the library keeps for this model"));
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
    setTextTone(m_error, TextTone::Problem);
    m_error->hide();
    layout->addWidget(m_error);
    layout->addStretch();
}

// The panel follows the record as the store changes it and as covers arrive.
void ModelDetailsPanel::followStore()
{
    connect(m_covers, &ThumbnailCache::thumbnailReady, this, [this](const QString &path) {
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
}

} // namespace atelier::ui
