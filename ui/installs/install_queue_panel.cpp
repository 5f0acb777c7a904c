#include "ui/installs/install_queue_panel.h"

#include "core/models/install/model_installer.h"
#include "ui/installs/install_job_model.h"
#include "ui/installs/install_progress_delegate.h"

#include <QCheckBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

struct Action
{
    const char *name;
    const char *label;
    const char *tip;
};

// In the order they appear in a row.
constexpr Action kActions[] = {
    {"pause", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Pause"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Pause the download")},
    {"resume", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Resume"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Go on with the download")},
    {"cancel", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Cancel"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Stop and throw away what was downloaded")},
    {"retry", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Retry"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Start this install again")},
    {"details", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Details"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "What exactly went wrong")},
    {"show", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Show"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Select the model in the library")},
    {"remove", QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Remove"), QT_TRANSLATE_NOOP("atelier::ui::InstallQueuePanel", "Remove this row")},
};

bool applies(const QString &action, const models::InstallJob &job)
{
    if (action == QLatin1String("pause"))
        return job.downloading() && !job.paused;
    if (action == QLatin1String("resume"))
        return job.paused;
    if (action == QLatin1String("cancel"))
        return !job.inTerminalState();
    if (action == QLatin1String("retry"))
        return job.errored() || job.cancelled();
    if (action == QLatin1String("details"))
        return job.errored();
    if (action == QLatin1String("show"))
        return job.complete() && job.configOut;
    if (action == QLatin1String("remove"))
        return job.inTerminalState();
    return false;
}

} // namespace

InstallQueuePanel::InstallQueuePanel(models::ModelInstaller &installer, bool registerInPlace, QWidget *parent)
    : QWidget(parent), m_installer(installer)
{
    setObjectName(QStringLiteral("installQueuePanel"));
    setAcceptDrops(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *top = new QHBoxLayout;
    m_add = new QLineEdit(this);
    m_add->setObjectName(QStringLiteral("installSourceEdit"));
    m_add->setAccessibleName(tr("Model to install"));
    m_add->setPlaceholderText(tr("Path, link, Civitai page or Hugging Face id (owner/name, owner/name:fp16, owner/name::vae)"));
    connect(m_add, &QLineEdit::returnPressed, this, &InstallQueuePanel::addFromField);
    auto *add = new QPushButton(tr("Add"), this);
    add->setObjectName(QStringLiteral("installAddButton"));
    connect(add, &QPushButton::clicked, this, &InstallQueuePanel::addFromField);
    m_inPlace = new QCheckBox(tr("Register local files in place"), this);
    m_inPlace->setObjectName(QStringLiteral("installInPlaceCheck"));
    m_inPlace->setToolTip(tr("Checked: local files stay where they are and are only registered. Unchecked: they are copied "
                             "into the models folder."));
    m_inPlace->setChecked(registerInPlace);
    auto *clear = new QPushButton(tr("Clear finished"), this);
    clear->setObjectName(QStringLiteral("clearFinishedButton"));
    connect(clear, &QPushButton::clicked, this, [this] { m_installer.pruneJobs(); });
    top->addWidget(m_add, 1);
    top->addWidget(add);
    top->addWidget(m_inPlace);
    top->addWidget(clear);
    layout->addLayout(top);

    m_dropHint = new QLabel(tr("Drop model files, folders or links here to install them."), this);
    m_dropHint->setObjectName(QStringLiteral("dropHint"));
    m_dropHint->setAlignment(Qt::AlignCenter);
    m_dropHint->setMinimumHeight(48);
    m_dropHint->setStyleSheet(QStringLiteral("QLabel { border: 2px dashed palette(mid); border-radius: 6px; color: palette(mid); }"));
    layout->addWidget(m_dropHint);

    m_model = new InstallJobModel(m_installer, this);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("installJobView"));
    m_view->setAccessibleName(tr("Installs"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(true);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setItemDelegateForColumn(InstallJobModel::ProgressColumn, new InstallProgressDelegate(m_view));
    m_view->header()->setStretchLastSection(false);
    m_view->header()->resizeSection(InstallJobModel::NameColumn, 220);
    m_view->header()->resizeSection(InstallJobModel::SourceColumn, 260);
    m_view->header()->resizeSection(InstallJobModel::StatusColumn, 260);
    m_view->header()->resizeSection(InstallJobModel::ProgressColumn, 340);
    m_view->header()->setSectionResizeMode(InstallJobModel::ActionsColumn, QHeaderView::Stretch);
    layout->addWidget(m_view, 1);

    const auto updateHint = [this] { m_dropHint->setVisible(m_model->rowCount() == 0); };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this, updateHint](const QModelIndex &parent, int first, int last) {
        if (parent.isValid())
            return;
        for (int row = first; row <= last; ++row)
            createActions(row);
        updateHint();
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, updateHint);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        if (from.parent().isValid())
            return;
        for (int row = from.row(); row <= to.row(); ++row)
            refreshActions(row);
    });
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        const QModelIndex job = index.parent().isValid() ? index.parent() : index;
        const models::InstallJob &snapshot = m_model->jobAt(job.row());
        if (snapshot.complete() && snapshot.configOut)
            emit showModelRequested(snapshot.configOut->key);
        else if (snapshot.errored())
            showDetails(snapshot.id);
    });
    for (int row = 0; row < m_model->rowCount(); ++row)
        createActions(row);
    updateHint();
}

QList<int> InstallQueuePanel::install(const QStringList &sources)
{
    QList<int> ids;
    models::InstallRequest request;
    request.inplace = m_inPlace->isChecked();
    for (const QString &source : sources) {
        const QString trimmed = source.trimmed();
        if (!trimmed.isEmpty())
            ids << m_installer.heuristicImport(trimmed, request).id;
    }
    return ids;
}

QStringList InstallQueuePanel::sourcesIn(const QMimeData *mime)
{
    QStringList sources;
    if (!mime)
        return sources;
    if (mime->hasUrls()) {
        for (const QUrl &url : mime->urls()) {
            if (url.isLocalFile())
                sources << url.toLocalFile();
            else if (url.isValid() && !url.scheme().isEmpty())
                sources << url.toString();
        }
    }
    if (sources.isEmpty() && mime->hasText()) {
        for (const QString &line : mime->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QString trimmed = line.trimmed();
            if (!trimmed.isEmpty() && !trimmed.startsWith(QLatin1Char('#')))  // text/uri-list comments
                sources << trimmed;
        }
    }
    return sources;
}

void InstallQueuePanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (!sourcesIn(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
        m_dropHint->setText(tr("Release to install"));
        m_dropHint->show();
    }
}

void InstallQueuePanel::dragMoveEvent(QDragMoveEvent *event)
{
    if (!sourcesIn(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void InstallQueuePanel::dropEvent(QDropEvent *event)
{
    const QStringList sources = sourcesIn(event->mimeData());
    m_dropHint->setText(tr("Drop model files, folders or links here to install them."));
    m_dropHint->setVisible(m_model->rowCount() == 0 && sources.isEmpty());
    if (sources.isEmpty())
        return;
    event->acceptProposedAction();
    install(sources);
}

void InstallQueuePanel::addFromField()
{
    const QString text = m_add->text().trimmed();
    if (text.isEmpty())
        return;
    // Several sources may be pasted at once, one per line or separated by spaces when they are links.
    QStringList sources = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (sources.size() == 1 && text.contains(QLatin1Char(' ')) && text.startsWith(QLatin1String("http")))
        sources = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    install(sources);
    m_add->clear();
}

void InstallQueuePanel::createActions(int row)
{
    auto *box = new QWidget(m_view);
    auto *buttons = new QHBoxLayout(box);
    buttons->setContentsMargins(2, 0, 2, 0);
    buttons->setSpacing(2);
    const int jobId = m_model->jobAt(row).id;
    for (const Action &action : kActions) {
        auto *button = new QPushButton(tr(action.label), box);
        button->setObjectName(QString::fromLatin1(action.name));
        button->setToolTip(tr(action.tip));
        button->setFlat(true);
        button->setAutoDefault(false);
        const QString name = QString::fromLatin1(action.name);
        connect(button, &QPushButton::clicked, this, [this, jobId, name] {
            if (name == QLatin1String("pause"))
                m_installer.pauseJob(jobId);
            else if (name == QLatin1String("resume"))
                m_installer.resumeJob(jobId);
            else if (name == QLatin1String("cancel"))
                m_installer.cancelJob(jobId);
            else if (name == QLatin1String("retry"))
                m_installer.retryJob(jobId);
            else if (name == QLatin1String("remove"))
                m_installer.removeJob(jobId);
            else if (name == QLatin1String("details"))
                showDetails(jobId);
            else if (name == QLatin1String("show")) {
                if (const auto job = m_installer.jobById(jobId); job && job->configOut)
                    emit showModelRequested(job->configOut->key);
            }
        });
        buttons->addWidget(button);
    }
    buttons->addStretch();
    m_view->setIndexWidget(m_model->index(row, InstallJobModel::ActionsColumn), box);
    refreshActions(row);
}

void InstallQueuePanel::refreshActions(int row)
{
    QWidget *box = m_view->indexWidget(m_model->index(row, InstallJobModel::ActionsColumn));
    if (!box)
        return;
    const models::InstallJob &job = m_model->jobAt(row);
    for (const Action &action : kActions) {
        if (auto *button = box->findChild<QPushButton *>(QString::fromLatin1(action.name)))
            button->setVisible(applies(QString::fromLatin1(action.name), job));
    }
}

QPushButton *InstallQueuePanel::actionButton(int jobId, const QString &action) const
{
    const int row = m_model->rowOfJob(jobId);
    if (row < 0)
        return nullptr;
    QWidget *box = m_view->indexWidget(m_model->index(row, InstallJobModel::ActionsColumn));
    return box ? box->findChild<QPushButton *>(action) : nullptr;
}

void InstallQueuePanel::showDetails(int jobId)
{
    const auto job = m_installer.jobById(jobId);
    if (!job)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Install failed"), describeInstallError(*job), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("installErrorDetails"));
    box->setDetailedText(tr("Source: %1\nError type: %2\n\n%3").arg(job->source, job->errorType, job->error));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace atelier::ui
