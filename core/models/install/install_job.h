#pragma once

#include "core/models/install/model_source.h"
#include "core/models/model_config.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace atelier::models {

// The seed's InstallStatus, with its string values (TAXONOMY.md).
enum class InstallStatus { Waiting, Downloading, Running, Completed, Error, Cancelled };
QString toString(InstallStatus status);

// One file of a remote install, as the "downloading" event's parts describe it.
struct InstallPart
{
    QString source;       // its URL
    QString localPath;    // where it is being written (in the install's temporary folder)
    qint64 bytes = 0;
    qint64 totalBytes = 0;
};

// The seed's ModelInstallJob: a copyable snapshot, safe to pass between threads.
struct InstallJob
{
    int id = -1;
    InstallStatus status = InstallStatus::Waiting;
    QString source;                       // the source as a string (what get_job_by_source matches)
    ModelSource::Kind sourceKind = ModelSource::Kind::Local;
    QByteArray configIn;                  // the caller's overrides, a JSON object
    std::optional<ModelConfig> configOut; // the record written, once completed
    bool inplace = false;
    bool allowDuplicate = false;
    bool paused = false;                  // its downloads are paused (the status stays "downloading")
    QString localPath;                    // the model on disk: the source path, or the downloaded file or folder
    qint64 bytes = 0;                     // all parts together
    qint64 totalBytes = 0;
    QList<InstallPart> parts;
    QString errorType;                    // "DuplicateModel", "HttpError", "UnknownModel", "Io", "Cancelled" …
    QString error;

    QString key() const { return configOut ? configOut->key : QString(); }
    bool waiting() const { return status == InstallStatus::Waiting; }
    bool downloading() const { return status == InstallStatus::Downloading; }
    bool running() const { return status == InstallStatus::Running; }
    bool complete() const { return status == InstallStatus::Completed; }
    bool errored() const { return status == InstallStatus::Error; }
    bool cancelled() const { return status == InstallStatus::Cancelled; }
    bool inTerminalState() const { return complete() || errored() || cancelled(); }
};

} // namespace atelier::models

Q_DECLARE_METATYPE(atelier::models::InstallJob)
