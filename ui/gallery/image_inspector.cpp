#include "ui/gallery/image_inspector.h"

#include "core/gallery/image_export.h"
#include "core/gallery/recipe_comparison.h"
#include "core/models/install/model_source.h"
#include "ui/common/theme.h"
#include "ui/graph/prompt_editor.h"

#include <QApplication>
#include <QClipboard>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace atelier::ui {

namespace {

QPlainTextEdit *promptView(const QString &objectName, QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setTabChangesFocus(true);
    view->setFrameShape(QFrame::StyledPanel);
    view->setMaximumHeight(72);
    view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    new PromptHighlighter(view->document());
    return view;
}

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

ImageInspector::ImageInspector(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("imageInspector"));
    setAcceptDrops(true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setFocusPolicy(Qt::NoFocus); // Tab goes to the fields inside, which it scrolls into view
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->setSpacing(4);

    m_title = new QLabel(tr("Select an image, or drop a PNG here"), content);
    m_title->setObjectName(QStringLiteral("inspectorTitle"));
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_subtitle = new QLabel(content);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    m_subtitle->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);

    // Two by two, so that the inspector stays readable in a narrow dock.
    auto *actions = new QGridLayout;
    actions->setSpacing(4);
    const auto button = [&](const QString &name, const QString &text, const QString &tip, auto slot) {
        auto *b = new QPushButton(text, content);
        b->setObjectName(name);
        b->setToolTip(tip);
        b->setEnabled(false);
        connect(b, &QPushButton::clicked, this, slot);
        actions->addWidget(b, int(m_actions.size()) / 2, int(m_actions.size()) % 2);
        m_actions << b;
        return b;
    };
    button(QStringLiteral("openAsGraph"), tr("Open as graph"),
           tr("A new editor tab with the image's graph, or one built from its recipe"),
           [this] { emit openAsGraphRequested(m_path); });
    button(QStringLiteral("useRecipe"), tr("Use recipe"),
           tr("Put the image's prompt, seed and settings into the graph being edited"),
           [this] { emit useRecipeRequested(m_recipe); });
    auto *copy =
        button(QStringLiteral("copyMenu"), tr("Copy"), tr("Copy the prompt, the seed or the whole recipe"), [] {});
    auto *copyMenu = new QMenu(copy);
    copyMenu->addAction(tr("Prompt"), this, &ImageInspector::copyPrompt);
    copyMenu->addAction(tr("Seed"), this, &ImageInspector::copySeed);
    copyMenu->addAction(tr("All, as A1111 text"), this, &ImageInspector::copyAll);
    copy->setMenu(copyMenu);
    button(QStringLiteral("export"), tr("Export…"), tr("Save a copy with all, some or none of its metadata"),
           &ImageInspector::exportImage);
    layout->addLayout(actions);

    layout->addWidget(sectionLabel(tr("Prompt"), content));
    m_prompt = promptView(QStringLiteral("inspectorPrompt"), content);
    m_prompt->setAccessibleName(tr("Prompt"));
    layout->addWidget(m_prompt);
    layout->addWidget(sectionLabel(tr("Negative prompt"), content));
    m_negative = promptView(QStringLiteral("inspectorNegative"), content);
    m_negative->setAccessibleName(tr("Negative prompt"));
    layout->addWidget(m_negative);

    m_fieldsBox = new QWidget(content);
    m_fields = new QFormLayout(m_fieldsBox);
    m_fields->setContentsMargins(0, 4, 0, 4);
    m_fields->setLabelAlignment(Qt::AlignRight);
    m_fields->setHorizontalSpacing(10);
    m_fields->setVerticalSpacing(2);
    layout->addWidget(m_fieldsBox);

    m_warnings = new QLabel(content);
    m_warnings->setObjectName(QStringLiteral("inspectorWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    setTextTone(m_warnings, TextTone::Warning);
    m_warnings->hide();
    layout->addWidget(m_warnings);

    m_chunksToggle = new QToolButton(content);
    m_chunksToggle->setObjectName(QStringLiteral("rawChunksToggle"));
    m_chunksToggle->setToolTip(tr("Show the text stored in the file as it is, chunk by chunk"));
    m_chunksToggle->setText(tr("Text chunks"));
    m_chunksToggle->setCheckable(true);
    m_chunksToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_chunksToggle->setArrowType(Qt::RightArrow);
    m_chunksToggle->setAutoRaise(true);
    layout->addWidget(m_chunksToggle);
    m_chunks = new QTreeWidget(content);
    m_chunks->setObjectName(QStringLiteral("rawChunks"));
    m_chunks->setHeaderLabels({tr("Keyword"), tr("Text")});
    m_chunks->setRootIsDecorated(false);
    m_chunks->setUniformRowHeights(true);
    m_chunks->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_chunks->setMinimumHeight(120);
    m_chunks->hide();
    layout->addWidget(m_chunks);
    connect(m_chunksToggle, &QToolButton::toggled, this, [this](bool open) {
        m_chunks->setVisible(open);
        m_chunksToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addStretch();

    connect(&m_reading, &QFutureWatcher<Result<metadata::GenerationInfo>>::finished, this,
            [this] { present(m_readingPath, m_reading.result()); });
}

void ImageInspector::inspect(const QString &path)
{
    if (path.isEmpty()) {
        m_readingPath.clear();
        present({}, Result<metadata::GenerationInfo>::failure(QString()));
        return;
    }
    m_readingPath = path;
    m_reading.setFuture(QtConcurrent::run([path] { return metadata::readGenerationInfo(path); }));
}

void ImageInspector::waitForRead()
{
    m_reading.waitForFinished();
    QCoreApplication::processEvents();
}

void ImageInspector::present(const QString &path, const Result<metadata::GenerationInfo> &read)
{
    m_path = read ? path : QString();
    m_recipe = read ? read.value() : metadata::GenerationInfo();
    for (QPushButton *action : std::as_const(m_actions))
        action->setEnabled(read.ok());
    while (m_fields->rowCount() > 0)
        m_fields->removeRow(0);
    m_chunks->clear();
    if (!read) {
        m_title->setText(path.isEmpty() ? tr("Select an image, or drop a PNG here") : QFileInfo(path).fileName());
        m_subtitle->setText(read.error());
        m_prompt->clear();
        m_negative->clear();
        m_warnings->hide();
        emit shown();
        return;
    }
    const QFileInfo file(path);
    m_title->setText(file.fileName());
    const QString tool = m_recipe.tool == QLatin1String("none") ? tr("no recipe") : m_recipe.tool;
    m_subtitle->setText(QStringLiteral("%1 · %2 · %3")
                            .arg(tool, QLocale().formattedDataSize(file.size()),
                                 QLocale().toString(file.lastModified(), QLocale::ShortFormat)));
    m_subtitle->setToolTip(QDir::toNativeSeparators(path));
    m_prompt->setPlainText(m_recipe.prompt.value_or(QString()));
    m_negative->setPlainText(m_recipe.negativePrompt.value_or(QString()));

    for (const gallery::RecipeField &field : gallery::recipeFields(m_recipe)) {
        if (field.value.isEmpty() || field.name == QLatin1String("Tool"))
            continue;
        auto *value = new QLabel(m_fieldsBox);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextBrowserInteraction);
        if (field.name == QLatin1String("Model") && m_recipe.model) {
            value->setText(modelLink(*m_recipe.model));
        } else if (field.name == QLatin1String("LoRAs")) {
            QStringList links;
            for (const metadata::LoraUse &lora : m_recipe.loras)
                links << modelLink({lora.name, lora.hash},
                                   lora.weight ? QLocale().toString(*lora.weight, 'g', 4) : QString());
            value->setText(links.join(QStringLiteral("<br>")));
        } else if (field.name == QLatin1String("Embeddings")) {
            QStringList links;
            for (const metadata::ModelReference &embedding : m_recipe.embeddings)
                links << modelLink(embedding);
            value->setText(links.join(QStringLiteral("<br>")));
        } else if (field.name == QLatin1String("VAE") && m_recipe.vae) {
            value->setText(modelLink(*m_recipe.vae));
        } else {
            value->setText(field.value.toHtmlEscaped());
        }
        connect(value, &QLabel::linkActivated, this, &ImageInspector::linkActivated);
        m_fields->addRow(gallery::recipeFieldLabel(field.name), value);
    }

    if (m_recipe.warnings.isEmpty()) {
        m_warnings->hide();
    } else {
        QString text = QStringLiteral("<b>%1</b><ul style='margin-left:12px; -qt-list-indent:0'>")
                           .arg(tr("Not everything could be read:"));
        for (const QString &warning : std::as_const(m_recipe.warnings))
            text += QStringLiteral("<li>%1</li>").arg(warning.toHtmlEscaped());
        m_warnings->setText(text + QStringLiteral("</ul>"));
        m_warnings->show();
    }

    for (const metadata::TextChunk &chunk : std::as_const(m_recipe.chunks)) {
        auto *item = new QTreeWidgetItem(m_chunks, {chunk.keyword, chunk.text.left(400).simplified()});
        item->setToolTip(1, chunk.text.left(4000));
        item->setData(1, Qt::UserRole, chunk.text);
    }
    m_chunksToggle->setText(tr("Text chunks (%1)").arg(m_recipe.chunks.size()));
    emit shown();
}

QString ImageInspector::modelLink(const metadata::ModelReference &model, const QString &weight) const
{
    const QString strength = weight.isEmpty() ? QString() : QStringLiteral(" <i>%1</i>").arg(weight);
    const std::optional<LibraryMatch> found = m_finder ? m_finder(model) : std::nullopt;
    if (found)
        return QStringLiteral("<a href=\"select:%1\">%2</a>%3 <span style='color:gray'>(%4)</span>")
            .arg(found->key, found->name.toHtmlEscaped(), strength, found->base.toHtmlEscaped());
    QString text = model.name.toHtmlEscaped() + strength;
    if (models::isCivitaiFileHash(model.hash))
        text += QStringLiteral(" — %1 <a href=\"find:%2\">%3</a>")
                    .arg(tr("not in the library"), model.hash.toHtmlEscaped(), tr("Find and install…"));
    else
        text += QStringLiteral(" — %1").arg(tr("not in the library"));
    return text;
}

void ImageInspector::linkActivated(const QString &link)
{
    if (link.startsWith(QLatin1String("select:")))
        emit selectModelRequested(link.mid(7));
    else if (link.startsWith(QLatin1String("find:")))
        emit installRequested(link.mid(5));
}

void ImageInspector::copyPrompt()
{
    QGuiApplication::clipboard()->setText(m_recipe.prompt.value_or(QString()));
}

void ImageInspector::copySeed()
{
    if (m_recipe.seed)
        QGuiApplication::clipboard()->setText(QString::number(*m_recipe.seed));
}

void ImageInspector::copyAll()
{
    QGuiApplication::clipboard()->setText(metadata::a1111Parameters(m_recipe));
}

void ImageInspector::exportImage()
{
    if (m_path.isEmpty())
        return;
    QMenu choice(this);
    QAction *none = choice.addAction(tr("Without metadata"));
    QAction *recipeOnly = choice.addAction(tr("With the recipe only (A1111 text, no graph)"));
    choice.addAction(tr("With all its metadata"));
    QAction *chosen = choice.exec(QCursor::pos());
    if (!chosen)
        return;
    const gallery::ExportMetadata metadata = chosen == none         ? gallery::ExportMetadata::None
                                             : chosen == recipeOnly ? gallery::ExportMetadata::RecipeOnly
                                                                    : gallery::ExportMetadata::Everything;
    const QFileInfo source(m_path);
    const QString target = QFileDialog::getSaveFileName(
        this, tr("Export image"), source.dir().filePath(source.completeBaseName() + QStringLiteral("-shared.png")),
        tr("PNG images (*.png)"));
    if (target.isEmpty())
        return;
    if (const Status exported = exportTo(target, metadata); !exported)
        QMessageBox::warning(this, tr("Export image"), exported.error());
}

Status ImageInspector::exportTo(const QString &target, gallery::ExportMetadata metadata) const
{
    if (m_path.isEmpty())
        return Status::failure(tr("No image is selected."));
    return gallery::exportImage(m_path, target, metadata);
}

void ImageInspector::dragEnterEvent(QDragEnterEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
            event->acceptProposedAction();
            return;
        }
}

void ImageInspector::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
            inspect(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

} // namespace atelier::ui
