#pragma once

// A model library for the GUI tests: a temporary root with a real SQLite record store, a download queue and an
// installer whose models folder is <root>/models. Torn down in dependency order.

#include "core/downloads/download_queue.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"

#include <QDir>
#include <QTemporaryDir>

#include <memory>

struct TestLibrary
{
    explicit TestLibrary(atelier::downloads::DownloadQueue::Options queueOptions = {})
    {
        QDir().mkpath(modelsDir());
        store = std::make_unique<atelier::models::RecordStore>(dir.filePath(QStringLiteral("atelier.db")));
        opened = store->open().ok();
        queue = std::make_unique<atelier::downloads::DownloadQueue>(queueOptions);
        atelier::models::ModelInstaller::Options options;
        options.modelsDir = modelsDir();
        options.cacheDir = dir.filePath(QStringLiteral("cache"));
        installer = std::make_unique<atelier::models::ModelInstaller>(*store, *queue, options);
    }
    ~TestLibrary()
    {
        installer.reset();
        queue.reset();
        store.reset();
    }

    QString modelsDir() const { return dir.filePath(QStringLiteral("models")); }

    QTemporaryDir dir;
    bool opened = false;
    std::unique_ptr<atelier::models::RecordStore> store;
    std::unique_ptr<atelier::downloads::DownloadQueue> queue;
    std::unique_ptr<atelier::models::ModelInstaller> installer;
};
