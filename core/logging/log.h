#pragma once

#include <QLoggingCategory>
#include <QString>

// One logging category per module. Enable debug output with QT_LOGGING_RULES="atelier.*.debug=true" or --verbose.
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcSettings)
Q_DECLARE_LOGGING_CATEGORY(lcModels)
Q_DECLARE_LOGGING_CATEGORY(lcDownloads)
Q_DECLARE_LOGGING_CATEGORY(lcGraph)
Q_DECLARE_LOGGING_CATEGORY(lcMetadata)
Q_DECLARE_LOGGING_CATEGORY(lcGallery)
Q_DECLARE_LOGGING_CATEGORY(lcEngine)
Q_DECLARE_LOGGING_CATEGORY(lcUi)

namespace atelier::logging {

struct LogOptions
{
    qint64 maxFileBytes = 5 * 1024 * 1024;  // rotate atelier.log when it grows past this
    int keptFiles = 3;                      // atelier.log.1 ... atelier.log.N are kept
    bool verbose = false;                   // debug messages too, on stderr and in the file
};

// Routes Qt's messages to stderr (warnings and worse, or everything when verbose) and to <folder>/atelier.log
// (information and worse), rotating the file by size. Thread-safe. Returns false with `error` set when the log
// file cannot be opened; stderr logging is installed regardless.
bool installLogging(const QString &folder, const LogOptions &options, QString *error = nullptr);

// Restores Qt's default handler and closes the file.
void uninstallLogging();

// The file currently written, or empty.
QString logFilePath();

} // namespace atelier::logging
