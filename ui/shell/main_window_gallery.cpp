// The window's gallery: the panel in the right-hand area, its links into the library, the install queue and the
// node editor, and the editor's runs feeding it.
#include "ui/shell/main_window.h"

#include "core/gallery/gallery_service.h"
#include "core/models/model_lookup.h"
#include "core/models/record_store.h"
#include "core/models/taxonomy.h"
#include "core/settings/settings_store.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/graph/graph_editor.h"
#include "ui/installs/install_queue_panel.h"
#include "ui/library/library_panel.h"

#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>

#include <memory>

namespace atelier::ui {

void MainWindow::setGalleryService(gallery::GalleryService &service)
{
    m_galleryPanel =
        new GalleryPanel(service, QDir(m_settings.root().cacheDir()).filePath(QStringLiteral("thumbnails")), this);
    delete m_galleryDock->widget();
    m_galleryDock->setWidget(m_galleryPanel);
    m_galleryDock->setWindowTitle(tr("Gallery"));

    if (models::RecordStore *store = m_store) {
        // The library's records, read once and again only after it changes (the gallery asks for every model its
        // images name whenever images arrive).
        auto records = std::make_shared<std::optional<QList<models::ModelConfig>>>();
        const auto forget = [records] { records->reset(); };
        connect(store, &models::RecordStore::modelAdded, m_galleryPanel, forget);
        connect(store, &models::RecordStore::modelUpdated, m_galleryPanel, forget);
        connect(store, &models::RecordStore::modelRemoved, m_galleryPanel, forget);
        // By hash first (the recipe's, full or AutoV2), then by the name or file name the recipe gives.
        m_galleryPanel->setLibraryFinder(
            [store, records](const metadata::ModelReference &model) -> std::optional<LibraryMatch> {
                if (!*records) {
                    const auto all = store->allModels();
                    if (!all)
                        return std::nullopt;
                    *records = all.value();
                }
                std::optional<models::ModelConfig> found = models::modelWithHash(**records, model.hash);
                // Else by the name, file name or file stem the recipe gives, among the same records: no query and
                // no close-name search on the GUI thread for each model the gallery shows.
                if (!found && !model.name.isEmpty()) {
                    const QString wanted =
                        QFileInfo(QString(model.name).replace(QLatin1Char('\\'), QLatin1Char('/'))).fileName();
                    for (const models::ModelConfig &record : **records) {
                        const QFileInfo file(record.path);
                        if (record.name.compare(model.name, Qt::CaseInsensitive) == 0 ||
                            file.fileName().compare(wanted, Qt::CaseInsensitive) == 0 ||
                            file.completeBaseName().compare(wanted, Qt::CaseInsensitive) == 0) {
                            found = record;
                            break;
                        }
                    }
                }
                if (!found)
                    return std::nullopt;
                return LibraryMatch{found->key, found->name, models::toString(found->base)};
            });
    }
    connect(m_galleryPanel, &GalleryPanel::selectModelRequested, this, [this](const QString &key) {
        if (!m_libraryPanel)
            return;
        m_libraryDock->show();
        m_libraryDock->raise();
        m_libraryPanel->selectModel(key);
    });
    connect(m_galleryPanel, &GalleryPanel::installRequested, this, &MainWindow::installByHash);
    connect(&service, &gallery::GalleryService::failed, this, [this](const QString &why) {
        statusBar()->showMessage(tr("The gallery cannot open its index: %1").arg(why));
    });

    if (!m_graphEditor)
        return;
    connect(m_galleryPanel, &GalleryPanel::openAsGraphRequested, this, [this](const QString &path) {
        if (const Status opened = m_graphEditor->openFile(path); !opened)
            QMessageBox::warning(this, tr("Open as graph"), opened.error());
    });
    connect(m_galleryPanel, &GalleryPanel::useRecipeRequested, this,
            [this](const metadata::GenerationInfo &recipe) { m_graphEditor->useRecipe(recipe); });

    m_galleryPanel->followRuns(m_graphEditor->runService());
}

Status MainWindow::openFromOutside(const QString &path)
{
    if (isMinimized())
        showNormal();
    raise();
    activateWindow();
    if (path.isEmpty())
        return {};
    if (path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive) && m_galleryPanel) {
        m_galleryDock->show();
        m_galleryDock->raise();
        m_galleryPanel->inspector()->inspect(path);
        return {};
    }
    if (!m_graphEditor)
        return Status::failure(tr("%1 cannot be opened: the node editor is not ready").arg(path));
    return m_graphEditor->openFile(path);
}

} // namespace atelier::ui
