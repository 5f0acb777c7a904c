#pragma once

#include "core/downloads/download_queue.h"
#include "core/models/install/hub_access.h"
#include "core/models/install/library_download_journal.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "core/result.h"

#include <memory>

namespace atelier::settings {
class AppRoot;
class SettingsStore;
}

namespace atelier::app {

// The model library's services, built from the root and the settings, in the order they depend on each other:
// the record store, the download queue (journaled when asked), and the installer with the hubs' endpoints and
// tokens. The GUI keeps one for its lifetime; each command builds its own.
class LibraryServices
{
public:
    static Result<std::unique_ptr<LibraryServices>> open(const settings::AppRoot &root, const settings::SettingsStore &settings,
                                                         bool journalDownloads);
    ~LibraryServices();

    models::RecordStore &store() { return *m_store; }
    downloads::DownloadQueue &queue() { return *m_queue; }
    models::ModelInstaller &installer() { return *m_installer; }
    const models::HubAccess &hubs() const { return m_hubs; }

private:
    LibraryServices() = default;

    models::HubAccess m_hubs;
    std::unique_ptr<models::RecordStore> m_store;
    std::unique_ptr<models::LibraryDownloadJournal> m_journal;
    std::unique_ptr<downloads::DownloadQueue> m_queue;
    std::unique_ptr<models::ModelInstaller> m_installer;
};

// The key of the model `given` names: a full key or a unique prefix of one (at least 4 characters), as users copy
// them from `atelier models list`, or its name or file name (models::lookUpModel).
Result<QString> resolveKey(const models::RecordStore &store, const QString &given);

} // namespace atelier::app
