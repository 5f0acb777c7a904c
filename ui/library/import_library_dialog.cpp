#include "ui/library/import_library_dialog.h"

#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"

#include <QDir>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace atelier::ui {

namespace {

enum Column { kFolder, kModels, kSize, kInLibrary };

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

ImportLibraryDialog::ImportLibraryDialog(models::RecordStore &store, models::ModelInstaller &installer,
                                         const QStringList &paths, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_installer(installer)
    , m_paths(paths)
{
    setWindowTitle(tr("Import models from other tools"));
    setObjectName(QStringLiteral("importLibraryDialog"));
    auto *intro = new QLabel(tr("Models in ComfyUI, A1111/Forge, InvokeAI and Stability Matrix folders are registered "
                                "where they are: nothing is copied, and nothing in those folders is changed, so the "
                                "other tools keep working. Names, trigger words and previews those tools saved come "
                                "along."),
                             this);
    intro->setWordWrap(true);
    m_found = new QLabel(this);
    m_found->setWordWrap(true);
    m_found->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_folders = new QTreeWidget(this);
    m_folders->setObjectName(QStringLiteral("importFoldersTree"));
    m_folders->setHeaderLabels({tr("Folder"), tr("Models"), tr("Size"), tr("In the library")});
    m_folders->setRootIsDecorated(false);
    m_folders->header()->setStretchLastSection(false);
    m_folders->header()->setSectionResizeMode(kFolder, QHeaderView::Stretch);
    for (int column : {kModels, kSize, kInLibrary})
        m_folders->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_addFolder = new QPushButton(tr("Add folder…"), this);
    m_import = new QPushButton(tr("Import"), this);
    m_import->setObjectName(QStringLiteral("importButton"));
    m_import->setDefault(true);
    m_cancel = new QPushButton(tr("Stop"), this);
    m_cancel->setToolTip(tr("Stop after the model being hashed; what is registered stays, and the next import goes "
                            "on from there"));
    m_close = new QPushButton(tr("Close"), this);
    m_progress = new QProgressBar(this);
    m_progress->setTextVisible(true);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_report = new QPlainTextEdit(this);
    m_report->setReadOnly(true);
    m_report->setPlaceholderText(tr("What the import did is shown here."));
    m_report->setMaximumHeight(140);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addFolder);
    buttons->addStretch();
    buttons->addWidget(m_import);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_found);
    layout->addWidget(m_folders, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_report);
    layout->addLayout(buttons);
    resize(820, 560);

    connect(m_addFolder, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this,
                                                                 tr("A ComfyUI, A1111, InvokeAI or Stability "
                                                                    "Matrix folder"),
                                                                 QDir::homePath());
        if (!folder.isEmpty())
            addPath(folder);
    });
    connect(m_import, &QPushButton::clicked, this, &ImportLibraryDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_cancelFlag)
            m_cancelFlag->store(true);
        m_status->setText(tr("Stopping after the current model…"));
    });
    connect(m_close, &QPushButton::clicked, this, &ImportLibraryDialog::reject);
    if (m_paths.isEmpty())
        m_paths = models::usualInstallationPaths(QDir::homePath());
    plan();
}

ImportLibraryDialog::~ImportLibraryDialog()
{
    // The worker posts its progress to this dialog: it must end first.
    if (m_cancelFlag)
        m_cancelFlag->store(true);
    for (auto *watcher : findChildren<QFutureWatcherBase *>())
        watcher->waitForFinished();
}

void ImportLibraryDialog::addPath(const QString &path)
{
    if (!m_paths.contains(path))
        m_paths << path;
    plan();
}

void ImportLibraryDialog::reject()
{
    if (m_busy && m_cancelFlag) {
        m_cancelFlag->store(true); // closes once the worker has stopped
        connect(this, &ImportLibraryDialog::imported, this, &QDialog::reject, Qt::SingleShotConnection);
        return;
    }
    QDialog::reject();
}

void ImportLibraryDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_addFolder->setEnabled(!busy);
    m_import->setEnabled(!busy && !m_plan.items.isEmpty());
    m_cancel->setEnabled(busy && m_cancelFlag);
    m_folders->setEnabled(!busy);
}

void ImportLibraryDialog::plan()
{
    setBusy(true);
    m_status->setText(m_paths.isEmpty()
                          ? tr("No ComfyUI, A1111/Forge, InvokeAI or Stability Matrix folder in the usual "
                               "places: add one.")
                          : tr("Looking at %1…").arg(m_paths.join(QStringLiteral(", "))));
    auto *watcher = new QFutureWatcher<models::ImportPlan>(this);
    connect(watcher, &QFutureWatcher<models::ImportPlan>::finished, this, [this, watcher] {
        showPlan(watcher->result());
        watcher->deleteLater();
    });
    models::RecordStore *store = &m_store;
    watcher->setFuture(
        QtConcurrent::run([store, paths = m_paths] { return models::planLibraryImport(paths, *store); }));
}

void ImportLibraryDialog::showPlan(const models::ImportPlan &plan)
{
    m_plan = plan;
    QStringList found;
    for (const models::ForeignInstallation &installation : plan.installations)
        found << tr("%1 at %2%3")
                     .arg(models::foreignToolName(installation.tool), installation.root,
                          installation.invokeDatabase.isEmpty() ? QString() : tr(" (with its model records)"));
    m_found->setText(found.isEmpty() ? tr("Nothing found yet.")
                                     : tr("Found: %1.").arg(found.join(QStringLiteral("; "))));
    m_folders->clear();
    for (const models::ImportPlan::Group &group : plan.groups()) {
        auto *item = new QTreeWidgetItem(m_folders);
        item->setText(kFolder, group.label);
        item->setData(kFolder, Qt::UserRole, group.label);
        item->setText(kModels, QString::number(group.count));
        item->setText(kSize, sizeText(group.bytes));
        item->setText(kInLibrary, QString::number(group.inLibrary));
        for (int column : {kModels, kSize, kInLibrary})
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(kFolder, group.inLibrary < group.count ? Qt::Checked : Qt::Unchecked);
    }
    m_progress->setRange(0, int(plan.items.size()));
    m_progress->setValue(0);
    m_progress->setFormat(tr("%n model(s), %1", nullptr, int(plan.items.size())).arg(sizeText(plan.totalBytes())));
    m_status->setText(plan.problems.join(QLatin1Char('\n')));
    setBusy(false);
    emit planned();
}

void ImportLibraryDialog::startImport()
{
    QSet<QString> chosen;
    for (int i = 0; i < m_folders->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_folders->topLevelItem(i);
        if (item->checkState(kFolder) == Qt::Checked)
            chosen.insert(item->data(kFolder, Qt::UserRole).toString());
    }
    models::ImportPlan selected = m_plan;
    selected.items.clear();
    for (const models::ImportItem &item : m_plan.items)
        if (chosen.contains(models::foreignToolName(item.tool) + QStringLiteral(" · ") + item.role))
            selected.items.push_back(item);
    if (selected.items.isEmpty())
        return;
    m_cancelFlag = std::make_shared<hashing::CancelFlag>(false);
    setBusy(true);
    m_report->clear();
    m_progress->setRange(0, int(selected.items.size()));
    m_progress->setFormat(QStringLiteral("%v / %m"));
    auto *watcher = new QFutureWatcher<models::ImportReport>(this);
    connect(watcher, &QFutureWatcher<models::ImportReport>::finished, this, [this, watcher] {
        showReport(watcher->result());
        watcher->deleteLater();
    });
    models::ModelInstaller *installer = &m_installer;
    // Two phases: each model registered with its fast hash (the library can use it at once), then every full
    // SHA-256 the library still lacks.
    const auto progressOf = [this](bool fullHashes) {
        return [this, fullHashes](int done, int total, const QString &path) {
            QMetaObject::invokeMethod(
                this,
                [this, fullHashes, done, total, path] {
                    m_progress->setRange(0, total);
                    m_progress->setValue(done);
                    if (path.isEmpty() || !m_cancelFlag || m_cancelFlag->load())
                        return;
                    m_status->setText(
                        (fullHashes ? tr("Computing the full hash of %1 of %2: %3") : tr("Registering %1 of %2: %3"))
                            .arg(done + 1)
                            .arg(total)
                            .arg(path));
                },
                Qt::QueuedConnection);
        };
    };
    watcher->setFuture(QtConcurrent::run(
        [installer, selected, registering = progressOf(false), hashing = progressOf(true), cancel = m_cancelFlag] {
            models::ImportReport report = models::runLibraryImport(*installer, selected, registering, cancel.get());
            models::completeImportHashes(*installer, report, hashing, cancel.get());
            return report;
        }));
}

void ImportLibraryDialog::showReport(const models::ImportReport &report)
{
    QStringList lines;
    QStringList counts{tr("%n registered", nullptr, int(report.registered.size())),
                       tr("%n already in the library", nullptr, int(report.known.size())),
                       tr("%n duplicate(s)", nullptr, int(report.duplicates.size())),
                       tr("%n failed", nullptr, int(report.failures.size()))};
    if (report.fullyHashed >= 0)
        counts << tr("%n hashed in full", nullptr, report.fullyHashed);
    lines << counts.join(QStringLiteral(", ")) +
                 (report.cancelled ? tr(" (stopped: import again to go on)") : QString());
    for (const QString &line : report.failures)
        lines << tr("Failed: %1").arg(line);
    for (const QString &line : report.differences)
        lines << tr("Differs: %1").arg(line);
    for (const QString &line : report.duplicates)
        lines << tr("Duplicate: %1").arg(line);
    for (const QString &line : report.warnings)
        lines << tr("Unread: %1").arg(line);
    m_report->setPlainText(lines.join(QLatin1Char('\n')));
    m_status->setText(lines.first());
    m_cancelFlag.reset();
    // The folders' counts of models in the library change with the import.
    plan();
    emit imported(report);
}

} // namespace atelier::ui
