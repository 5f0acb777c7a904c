#include "app/library_services.h"

#include "core/models/model_lookup.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

namespace atelier::app {

Result<std::unique_ptr<LibraryServices>> LibraryServices::open(const settings::AppRoot &root, const settings::SettingsStore &settings,
                                                               bool journalDownloads)
{
    using Opened = Result<std::unique_ptr<LibraryServices>>;
    std::unique_ptr<LibraryServices> services(new LibraryServices);
    const settings::Settings &current = settings.current();
    services->m_hubs = models::HubAccess::fromSettings(current);
    services->m_store = std::make_unique<models::RecordStore>(root.databasePath());
    if (const Status opened = services->m_store->open(); !opened)
        return Opened::failure(opened);

    downloads::DownloadQueue::Options queueOptions;
    queueOptions.maxParallel = current.maxParallelDownloads;
    const models::HubAccess hubs = services->m_hubs;
    if (hubs.civitaiEndpoint.host() != QLatin1String("civitai.com"))
        queueOptions.queryTokenHosts << hubs.civitaiEndpoint.host();
    queueOptions.accessTokenFor = [hubs](const QUrl &url) { return hubs.tokenFor(url); };
    if (journalDownloads)
        services->m_journal = std::make_unique<models::LibraryDownloadJournal>(*services->m_store);
    services->m_queue = std::make_unique<downloads::DownloadQueue>(queueOptions, services->m_journal.get());

    models::ModelInstaller::Options installerOptions;
    installerOptions.modelsDir = settings.modelsDir();
    installerOptions.cacheDir = root.cacheDir();
    installerOptions.cacheCapBytes = qint64(current.downloadCacheGb * double(qint64(1) << 30));
    installerOptions.huggingFaceEndpoint = hubs.huggingFaceEndpoint;
    installerOptions.civitaiEndpoint = hubs.civitaiEndpoint;
    installerOptions.defaultVariant = current.precision == QLatin1String("fp32") ? models::RepoVariant::Default : models::RepoVariant::Fp16;
    installerOptions.accessTokenFor = [hubs](const QUrl &url) { return hubs.tokenFor(url); };
    services->m_installer = std::make_unique<models::ModelInstaller>(*services->m_store, *services->m_queue, installerOptions);
    return services;
}

LibraryServices::~LibraryServices()
{
    // The installer cancels its downloads in the queue, so it goes first; the store goes last.
    m_installer.reset();
    m_queue.reset();
    m_journal.reset();
    m_store.reset();
}

Result<QString> resolveKey(const models::RecordStore &store, const QString &given)
{
    const Result<models::ModelConfig> found = models::lookUpModel(store, given);
    if (!found)
        return Result<QString>::failure(found);
    return found->key;
}

} // namespace atelier::app
