#include "ui/gallery/gallery_panel.h"

#include "core/graph/run_queue.h"
#include "ui/common/rgb_image.h"
#include "ui/common/thumbnail_cache.h"
#include "ui/gallery/gallery_model.h"
#include "ui/gallery/gallery_tile_delegate.h"
#include "ui/gallery/image_inspector.h"
#include "ui/gallery/image_viewer.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateEdit>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMap>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QShortcut>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace atelier::ui {

namespace {

// The "Between…" entry of the time filter.
constexpr int kChooseDates = 1 << 20;

// The biggest tile, in the screen's logical pixels. Thumbnails on disk have one size, large enough for it on the
// sharpest screen (twice as many pixels on a 2x display); 512 MiB holds some 40,000 of 320 pixels.
constexpr int kThumbnailPixels = 320;

constexpr qint64 kThumbnailCacheBytes = 512ll * 1024 * 1024;

int thumbnailPixelsOnDisk()
{
    return int(std::ceil(kThumbnailPixels * std::max(1.0, qApp->devicePixelRatio())));
}

// Files moved to the trash; undo puts them back where they were and indexes them again.
class TrashImages : public QUndoCommand
{
public:
    struct Moved
    {
        QString original, inTrash;
        bool starred = false; // the artist's marks live only in the index: they come back with the file
        int rating = 0;
    };
    TrashImages(gallery::GalleryService &service, QList<Moved> moved)
        : m_service(service)
        , m_moved(std::move(moved))
    {
        setText(
            QCoreApplication::translate("GalleryPanel", "Move %n image(s) to the trash", nullptr, int(m_moved.size())));
    }
    void undo() override
    {
        QStringList back, starred, stuck;
        QMap<int, QStringList> rated;
        for (const Moved &file : std::as_const(m_moved)) {
            if (!QFile::rename(file.inTrash, file.original)) {
                stuck << QDir::toNativeSeparators(file.original);
                continue;
            }
            back << file.original;
            if (file.starred)
                starred << file.original;
            if (file.rating > 0)
                rated[file.rating] << file.original;
            // The freedesktop trash's record of it (…/Trash/info/NAME.trashinfo beside …/Trash/files/NAME) goes too.
            const QFileInfo trashed(file.inTrash);
            if (trashed.dir().dirName() == QLatin1String("files"))
                QFile::remove(QDir(trashed.dir().filePath(QStringLiteral("../info")))
                                  .filePath(trashed.fileName() + QStringLiteral(".trashinfo")));
        }
        // Queued after the indexing on the index's thread, so the records exist when the marks are set.
        m_service.indexFiles(back);
        if (!starred.isEmpty())
            m_service.setStarred(starred, true);
        for (auto it = rated.cbegin(); it != rated.cend(); ++it)
            m_service.setRating(it.value(), it.key());
        if (!stuck.isEmpty())
            emit m_service.problem(QCoreApplication::translate("GalleryPanel",
                                                               "These files could not be put back (their place is "
                                                               "taken) and stay in the trash: %1")
                                       .arg(stuck.join(QStringLiteral(", "))));
    }
    void redo() override
    {
        if (std::exchange(m_firstTime, false))
            return; // the panel moved them already
        QStringList gone;
        for (Moved &file : m_moved) {
            QString trashed;
            if (QFile::moveToTrash(file.original, &trashed)) {
                file.inTrash = trashed;
                gone << file.original;
            }
        }
        m_service.forgetImages(gone);
    }

private:
    gallery::GalleryService &m_service;
    QList<Moved> m_moved;
    bool m_firstTime = true;
};

QComboBox *filterCombo(const QString &name, const QString &tip, QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(name);
    combo->setToolTip(tip);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(4);
    return combo;
}

} // namespace

GalleryPanel::GalleryPanel(gallery::GalleryService &service, const QString &thumbnailFolder, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_thumbnails(new ThumbnailCache(QSize(thumbnailPixelsOnDisk(), thumbnailPixelsOnDisk()), this))
    , m_model(new GalleryModel(service, *m_thumbnails, this))
    , m_delegate(new GalleryTileDelegate(this))
    , m_undo(new QUndoStack(this))
{
    setObjectName(QStringLiteral("galleryPanel"));
    if (!thumbnailFolder.isEmpty())
        m_thumbnails->setDiskCache(thumbnailFolder, kThumbnailCacheBytes);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(4, 4, 4, 0);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("gallerySearch"));
    m_search->setAccessibleName(tr("Search the gallery"));
    m_search->setPlaceholderText(tr("Search prompts, models, LoRAs"));
    m_search->setClearButtonEnabled(true);
    top->addWidget(m_search, 1);
    m_order = filterCombo(QStringLiteral("galleryOrder"), tr("Order"), this);
    const QList<std::pair<QString, gallery::ImageOrder>> orders = {
        {tr("Newest"), gallery::ImageOrder::Newest}, {tr("Oldest"), gallery::ImageOrder::Oldest},
        {tr("Rating"), gallery::ImageOrder::Rating}, {tr("Model"), gallery::ImageOrder::Model},
        {tr("Seed"), gallery::ImageOrder::Seed},     {tr("Steps"), gallery::ImageOrder::Steps},
        {tr("CFG"), gallery::ImageOrder::Cfg},       {tr("Sampler"), gallery::ImageOrder::Sampler}};
    for (const auto &[label, order] : orders)
        m_order->addItem(label, int(order));
    top->addWidget(m_order);
    m_size = new QSlider(Qt::Horizontal, this);
    m_size->setObjectName(QStringLiteral("gallerySize"));
    m_size->setAccessibleName(tr("Tile size"));
    m_size->setToolTip(tr("Thumbnail size"));
    m_size->setRange(64, kThumbnailPixels);
    m_size->setValue(128);
    m_size->setMaximumWidth(90);
    top->addWidget(m_size);
    layout->addLayout(top);

    auto *filters = new QWidget(this);
    buildFilters(filters);
    layout->addWidget(filters);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_grid = new QListView(split);
    m_grid->setObjectName(QStringLiteral("galleryGrid"));
    m_grid->setAccessibleName(tr("Images"));
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(400);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setDragEnabled(true);
    m_grid->setDragDropMode(QAbstractItemView::DragOnly);
    m_grid->setDefaultDropAction(Qt::CopyAction);
    m_grid->setSpacing(0);
    m_grid->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_grid->setModel(m_model);
    m_grid->setItemDelegate(m_delegate);
    m_grid->setContextMenuPolicy(Qt::CustomContextMenu);
    m_inspector = new ImageInspector(split);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({560, 400});
    layout->addWidget(split, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("galleryStatus"));
    m_status->setContentsMargins(6, 0, 6, 2);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_status);
    setTileSize(m_size->value());

    auto *searchDelay = new QTimer(this);
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(200);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, &GalleryPanel::applyFilters);
    connect(m_order, &QComboBox::currentIndexChanged, this, &GalleryPanel::applyFilters);
    connect(m_size, &QSlider::valueChanged, this, &GalleryPanel::setTileSize);
    connect(m_grid, &QListView::doubleClicked, this, &GalleryPanel::openViewer);
    connect(m_grid, &QWidget::customContextMenuRequested, this, &GalleryPanel::showContextMenu);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, &GalleryPanel::currentChanged);
    connect(m_model, &GalleryModel::searched, this, &GalleryPanel::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &GalleryPanel::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &GalleryPanel::updateStatus);
    connect(&service, &gallery::GalleryService::facetsChanged, this, &GalleryPanel::facetsChanged);
    connect(&service, &gallery::GalleryService::foldersChanged, this, &GalleryPanel::foldersChanged);
    connect(&service, &gallery::GalleryService::ready, &service, &gallery::GalleryService::requestFacets);
    connect(&service, &gallery::GalleryService::imagesIndexed, &service, &gallery::GalleryService::requestFacets);
    connect(&service, &gallery::GalleryService::scanProgress, this, [this](const QString &folder, int done, int total) {
        m_scanning = done < total ? tr("indexing %1: %2 / %3").arg(QFileInfo(folder).fileName()).arg(done).arg(total)
                                  : QString();
        updateStatus();
    });
    connect(&service, &gallery::GalleryService::problem, this, [this](const QString &message) {
        m_problem = message;
        updateStatus();
    });
    connect(&service, &gallery::GalleryService::scanFinished, this,
            [this](const QString &, const gallery::ScanReport &report) {
                m_scanning.clear();
                m_unreadable += report.failures;
                m_service.requestFacets();
                updateStatus();
            });
    connect(m_inspector, &ImageInspector::openAsGraphRequested, this, &GalleryPanel::openAsGraphRequested);
    connect(m_inspector, &ImageInspector::useRecipeRequested, this, &GalleryPanel::useRecipeRequested);
    connect(m_inspector, &ImageInspector::selectModelRequested, this, &GalleryPanel::selectModelRequested);
    connect(m_inspector, &ImageInspector::installRequested, this, &GalleryPanel::installRequested);

    // The keys of the grid (and of the panel around it).
    const auto key = [this](const QKeySequence &sequence, auto slot) {
        auto *shortcut = new QShortcut(sequence, m_grid, slot);
        shortcut->setContext(Qt::WidgetShortcut);
    };
    key(QKeySequence(Qt::Key_F), [this] { toggleStar(); });
    for (int rating = 0; rating <= 5; ++rating)
        key(QKeySequence(Qt::Key_0 + rating), [this, rating] { rate(rating); });
    key(QKeySequence::Delete, [this] { moveSelectionToTrash(); });
    key(QKeySequence(Qt::Key_Return), [this] { openViewer(); });
    key(QKeySequence::Copy, [this] { copyImage(); });
    key(QKeySequence::Undo, [this] { m_undo->undo(); });
    key(QKeySequence::Redo, [this] { m_undo->redo(); });
    m_model->setQuery(m_model->query());
}

GalleryPanel::~GalleryPanel() = default;

void GalleryPanel::buildFilters(QWidget *bar)
{
    // Two rows, so that the gallery can be narrow beside the canvas.
    auto *rows = new QGridLayout(bar);
    rows->setContentsMargins(4, 0, 4, 0);
    rows->setHorizontalSpacing(3);
    rows->setVerticalSpacing(2);
    m_modelFilter = filterCombo(QStringLiteral("modelFilter"), tr("Model"), bar);
    m_baseFilter = filterCombo(QStringLiteral("baseFilter"), tr("Base model (of the models the library has)"), bar);
    m_loraFilter = filterCombo(QStringLiteral("loraFilter"), tr("LoRA"), bar);
    m_timeFilter = filterCombo(QStringLiteral("timeFilter"), tr("When"), bar);
    m_ratingFilter = filterCombo(QStringLiteral("ratingFilter"), tr("Rating"), bar);
    m_folderFilter = filterCombo(QStringLiteral("folderFilter"), tr("Folder"), bar);
    m_starredFilter = new QCheckBox(QStringLiteral("★"), bar);
    m_starredFilter->setObjectName(QStringLiteral("starredFilter"));
    m_starredFilter->setToolTip(tr("Starred only"));
    m_modelFilter->addItem(tr("Any model"));
    m_baseFilter->addItem(tr("Any base"));
    m_loraFilter->addItem(tr("Any LoRA"));
    m_folderFilter->addItem(tr("All folders"));
    m_timeFilter->addItem(tr("Any time"), 0);
    m_timeFilter->addItem(tr("Today"), 1);
    m_timeFilter->addItem(tr("Last 7 days"), 7);
    m_timeFilter->addItem(tr("Last 30 days"), 30);
    m_timeFilter->addItem(tr("Older than 30 days"), -30);
    m_timeFilter->addItem(tr("Between…"), kChooseDates);
    m_ratingFilter->addItem(tr("Any rating"), 0);
    for (int stars = 1; stars <= 5; ++stars)
        m_ratingFilter->addItem(QString(stars, QChar(0x2605)) + (stars < 5 ? QStringLiteral("+") : QString()), stars);
    auto *addFolder = new QToolButton(bar);
    addFolder->setObjectName(QStringLiteral("addImageFolder"));
    addFolder->setText(QStringLiteral("+"));
    addFolder->setToolTip(tr("Index another folder (another tool's outputs)"));
    addFolder->setAccessibleName(addFolder->toolTip());
    addFolder->setAutoRaise(true);
    connect(addFolder, &QToolButton::clicked, this, &GalleryPanel::addFolder);
    rows->addWidget(m_modelFilter, 0, 0);
    rows->addWidget(m_baseFilter, 0, 1);
    rows->addWidget(m_loraFilter, 0, 2);
    rows->addWidget(m_starredFilter, 0, 3);
    rows->addWidget(m_timeFilter, 1, 0);
    rows->addWidget(m_ratingFilter, 1, 1);
    rows->addWidget(m_folderFilter, 1, 2);
    rows->addWidget(addFolder, 1, 3);
    rows->setColumnStretch(0, 1);
    rows->setColumnStretch(1, 1);
    rows->setColumnStretch(2, 1);
    for (QComboBox *combo : {m_modelFilter, m_baseFilter, m_loraFilter, m_ratingFilter, m_folderFilter})
        connect(combo, &QComboBox::activated, this, &GalleryPanel::applyFilters);
    connect(m_timeFilter, &QComboBox::activated, this, [this] {
        if (m_timeFilter->currentData().toInt() == kChooseDates)
            chooseDates();
        applyFilters();
    });
    connect(m_starredFilter, &QCheckBox::toggled, this, &GalleryPanel::applyFilters);
}

void GalleryPanel::setLibraryFinder(LibraryFinder finder)
{
    m_finder = finder;
    m_inspector->setLibraryFinder(std::move(finder));
    facetsChanged(m_facets);
}

void GalleryPanel::applyFilters()
{
    gallery::ImageQuery query;
    query.limit = 0;
    query.text = m_search->text();
    query.order = gallery::ImageOrder(m_order->currentData().toInt());
    if (m_modelFilter->currentIndex() > 0)
        query.models << m_modelFilter->currentText();
    if (m_baseFilter->currentIndex() > 0) {
        const QStringList ofBase = m_baseFilter->currentData().toStringList();
        // Both filters: the models of the one that are of the other; none when they exclude each other.
        if (query.models.isEmpty())
            query.models = ofBase;
        else if (!ofBase.contains(query.models.first()))
            query.models = {QStringLiteral("\x01none")};
        if (query.models.isEmpty())
            query.models = {QStringLiteral("\x01none")};
    }
    if (m_loraFilter->currentIndex() > 0)
        query.lora = m_loraFilter->currentText();
    if (m_folderFilter->currentIndex() > 0)
        query.folder = m_folderFilter->currentData().toString();
    const int days = m_timeFilter->currentData().toInt();
    const QDateTime startOfToday = QDateTime(QDate::currentDate(), QTime(0, 0));
    if (days == kChooseDates) {
        query.since = QDateTime(m_dates.first, QTime(0, 0));
        query.until = QDateTime(m_dates.second.addDays(1), QTime(0, 0));
    } else if (days > 0)
        query.since = startOfToday.addDays(1 - days);
    else if (days < 0)
        query.until = startOfToday.addDays(days + 1); // the day before the first of "the last N days"
    query.starredOnly = m_starredFilter->isChecked();
    query.minRating = m_ratingFilter->currentData().toInt();
    m_model->setQuery(query);
}

void GalleryPanel::setDateRange(QDate from, QDate to)
{
    m_dates = {std::min(from, to), std::max(from, to)};
    const int at = m_timeFilter->findData(kChooseDates);
    m_timeFilter->setItemText(at,
                              QStringLiteral("%1 – %2").arg(QLocale().toString(m_dates.first, QLocale::ShortFormat),
                                                            QLocale().toString(m_dates.second, QLocale::ShortFormat)));
    m_timeFilter->setCurrentIndex(at);
    applyFilters();
}

void GalleryPanel::chooseDates()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Images made between"));
    auto *form = new QFormLayout(&dialog);
    auto *from = new QDateEdit(m_dates.first.isValid() ? m_dates.first : QDate::currentDate().addDays(-7), &dialog);
    auto *to = new QDateEdit(m_dates.second.isValid() ? m_dates.second : QDate::currentDate(), &dialog);
    for (QDateEdit *edit : {from, to})
        edit->setCalendarPopup(true);
    form->addRow(tr("From"), from);
    form->addRow(tr("To (included)"), to);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() == QDialog::Accepted)
        setDateRange(from->date(), to->date());
    else if (!m_dates.first.isValid())
        m_timeFilter->setCurrentIndex(0);
}

void GalleryPanel::facetsChanged(const gallery::ImageFacets &facets)
{
    m_facets = facets;
    bool filterGone = false; // a chosen model or LoRA no image names any more
    const auto refill = [&filterGone](QComboBox *combo, const QStringList &names) {
        const QString kept = combo->currentIndex() > 0 ? combo->currentText() : QString();
        while (combo->count() > 1)
            combo->removeItem(1);
        for (const QString &name : names)
            combo->addItem(name);
        if (!kept.isEmpty()) {
            combo->setCurrentIndex(std::max(0, combo->findText(kept)));
            filterGone = filterGone || combo->currentIndex() == 0;
        }
    };
    QStringList models;
    QMap<QString, QStringList> modelsByBase;
    for (const gallery::ImageFacets::Model &model : facets.models) {
        models << model.name;
        if (m_finder)
            if (const auto found = m_finder({model.name, model.hash}); found && !found->base.isEmpty())
                modelsByBase[found->base] << model.name;
    }
    refill(m_modelFilter, models);
    refill(m_loraFilter, facets.loras);
    const QString keptBase = m_baseFilter->currentIndex() > 0 ? m_baseFilter->currentText() : QString();
    while (m_baseFilter->count() > 1)
        m_baseFilter->removeItem(1);
    for (auto it = modelsByBase.constBegin(); it != modelsByBase.constEnd(); ++it)
        m_baseFilter->addItem(it.key(), it.value());
    if (!keptBase.isEmpty()) {
        m_baseFilter->setCurrentIndex(std::max(0, m_baseFilter->findText(keptBase)));
        filterGone = filterGone || m_baseFilter->currentIndex() == 0;
    }
    if (filterGone)
        applyFilters();
}

void GalleryPanel::foldersChanged(const QStringList &folders)
{
    const QString kept = m_folderFilter->currentData().toString();
    while (m_folderFilter->count() > 1)
        m_folderFilter->removeItem(1);
    for (const QString &folder : folders) {
        m_folderFilter->addItem(folder == m_service.outputsFolder() ? tr("Outputs") : QFileInfo(folder).fileName(),
                                folder);
        m_folderFilter->setItemData(m_folderFilter->count() - 1, QDir::toNativeSeparators(folder), Qt::ToolTipRole);
    }
    m_folderFilter->setCurrentIndex(std::max(0, m_folderFilter->findData(kept)));
}

void GalleryPanel::setTileSize(int pixels)
{
    m_delegate->setTileSize(pixels);
    // The grid lays tiles out again at the new size.
    m_grid->setGridSize(m_delegate->sizeHint({}, {}));
    if (m_size->value() != pixels)
        m_size->setValue(pixels);
}

QStringList GalleryPanel::selectedPaths() const
{
    QStringList paths;
    QModelIndexList rows = m_grid->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &row : rows)
        if (const gallery::IndexedImage *image = m_model->image(row.row()))
            paths << image->path;
    return paths;
}

void GalleryPanel::toggleStar()
{
    const QModelIndexList rows = m_grid->selectionModel()->selectedIndexes();
    if (rows.isEmpty())
        return;
    // As in photo libraries: all starred unless every one already is.
    bool allStarred = true;
    for (const QModelIndex &row : rows)
        allStarred = allStarred && row.data(GalleryModel::StarredRole).toBool();
    m_model->setStarred(rows, !allStarred);
}

void GalleryPanel::rate(int rating)
{
    m_model->setRating(m_grid->selectionModel()->selectedIndexes(), rating);
}

void GalleryPanel::moveSelectionToTrash()
{
    QList<TrashImages::Moved> moved;
    QStringList failed;
    for (const QString &path : selectedPaths()) {
        QString inTrash;
        const gallery::IndexedImage *image = m_model->image(m_model->rowOf(path));
        if (QFile::moveToTrash(path, &inTrash))
            moved.append({path, inTrash, image && image->starred, image ? image->rating : 0});
        else
            failed << QDir::toNativeSeparators(path);
    }
    QStringList gone;
    for (const TrashImages::Moved &entry : std::as_const(moved))
        gone << entry.original;
    m_model->takeOut(gone);
    m_service.forgetImages(gone);
    if (!moved.isEmpty())
        m_undo->push(new TrashImages(m_service, moved));
    if (!failed.isEmpty())
        QMessageBox::warning(this, tr("Move to trash"),
                             tr("These files could not be moved to the trash and were left as they are:\n%1")
                                 .arg(failed.join(QLatin1Char('\n'))));
}

ImageViewer *GalleryPanel::viewer()
{
    if (!m_viewer)
        m_viewer = new ImageViewer(*m_model, this);
    return m_viewer;
}

void GalleryPanel::openViewer()
{
    const QModelIndex current = m_grid->currentIndex();
    if (!m_model->image(current.row()))
        return;
    viewer()->showRow(current.row());
    m_viewer->show();
    m_viewer->raise();
}

void GalleryPanel::compareSelection()
{
    QModelIndexList rows = m_grid->selectionModel()->selectedIndexes();
    if (rows.size() != 2)
        return;
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() > b.row(); });
    // Older on the left: the attempt before, then the one after.
    const gallery::IndexedImage *before = m_model->image(rows.at(0).row());
    const gallery::IndexedImage *after = m_model->image(rows.at(1).row());
    if (!before || !after)
        return;
    viewer()->compare(before->path, before->recipe, after->path, after->recipe);
    m_viewer->show();
    m_viewer->raise();
}

void GalleryPanel::showInFolder()
{
    const QStringList paths = selectedPaths();
    if (!paths.isEmpty())
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(paths.first()).absolutePath()));
}

void GalleryPanel::copyImage()
{
    const QStringList paths = selectedPaths();
    if (paths.isEmpty())
        return;
    // The picture for editors and chats, the file for file managers.
    auto *mime = new QMimeData;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls << QUrl::fromLocalFile(path);
    mime->setUrls(urls);
    const QImage image(paths.first());
    if (!image.isNull())
        mime->setImageData(image);
    QGuiApplication::clipboard()->setMimeData(mime);
}

void GalleryPanel::addFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Index a folder of images"));
    if (!folder.isEmpty())
        m_service.addFolder(folder);
}

void GalleryPanel::followRuns(graph::RunQueue &runs)
{
    connect(&runs, &graph::RunQueue::nodeProgress, this, [this](quint64, const QString &, int value, int maximum) {
        m_runProgress = maximum > 0 ? double(value) / maximum : 0.0;
    });
    connect(&runs, &graph::RunQueue::previewReady, this,
            [this](quint64, const QString &, const engine::RgbImage &preview) {
                showRunPreview(toQImage(preview), m_runProgress);
            });
    connect(&runs, &graph::RunQueue::nodeExecuted, this,
            [this](quint64, const graph::NodeRunReport &, const QList<graph::OutputFile> &files) {
                QStringList written;
                for (const graph::OutputFile &file : files)
                    if (file.type == QLatin1String("output") && file.path.endsWith(QLatin1String(".png")))
                        written << file.path;
                if (!written.isEmpty())
                    m_service.indexFiles(written);
            });
    connect(&runs, &graph::RunQueue::finished, this, &GalleryPanel::endRunPreview);
}

void GalleryPanel::showRunPreview(const QImage &preview, double progress)
{
    m_model->showPreview(preview, progress);
}

void GalleryPanel::endRunPreview()
{
    m_model->endPreview();
}

void GalleryPanel::currentChanged()
{
    const gallery::IndexedImage *image = m_model->image(m_grid->currentIndex().row());
    m_inspector->inspect(image ? image->path : QString());
}

void GalleryPanel::updateStatus()
{
    QStringList parts;
    parts << tr("%n image(s)", nullptr, m_model->imageCount());
    if (m_model->isSearching())
        parts << tr("searching…");
    if (!m_scanning.isEmpty())
        parts << m_scanning;
    if (!m_unreadable.isEmpty())
        parts << tr("%n file(s) could not be read", nullptr, int(m_unreadable.size()));
    if (!m_problem.isEmpty())
        parts << m_problem;
    m_status->setText(parts.join(QStringLiteral(" · ")));
    m_status->setToolTip((m_unreadable + QStringList{m_problem}).join(QLatin1Char('\n')).trimmed());
}

void GalleryPanel::showContextMenu(const QPoint &at)
{
    const QStringList paths = selectedPaths();
    if (paths.isEmpty())
        return;
    QMenu menu(this);
    menu.addAction(tr("View"), QKeySequence(Qt::Key_Return), this, &GalleryPanel::openViewer);
    QAction *compare = menu.addAction(tr("Compare the two"), this, &GalleryPanel::compareSelection);
    compare->setEnabled(paths.size() == 2);
    menu.addAction(tr("Open as graph"), this, [this, path = paths.first()] { emit openAsGraphRequested(path); });
    menu.addAction(tr("Use recipe"), this, [this] { emit useRecipeRequested(m_inspector->recipe()); });
    menu.addSeparator();
    menu.addAction(tr("Star"), QKeySequence(Qt::Key_F), this, &GalleryPanel::toggleStar);
    QMenu *rating = menu.addMenu(tr("Rate"));
    for (int stars = 0; stars <= 5; ++stars)
        rating->addAction(stars == 0 ? tr("No rating") : QString(stars, QChar(0x2605)), QKeySequence(Qt::Key_0 + stars),
                          this, [this, stars] { rate(stars); });
    menu.addSeparator();
    menu.addAction(tr("Show in folder"), this, &GalleryPanel::showInFolder);
    menu.addAction(tr("Copy image"), QKeySequence::Copy, this, &GalleryPanel::copyImage);
    menu.addAction(tr("Copy path"), this, [paths] {
        QStringList native;
        for (const QString &path : paths)
            native << QDir::toNativeSeparators(path);
        QGuiApplication::clipboard()->setText(native.join(QLatin1Char('\n')));
    });
    menu.addAction(tr("Export…"), m_inspector, &ImageInspector::exportImage);
    menu.addSeparator();
    menu.addAction(tr("Move to trash"), QKeySequence::Delete, this, &GalleryPanel::moveSelectionToTrash);
    menu.exec(m_grid->viewport()->mapToGlobal(at));
}

} // namespace atelier::ui
