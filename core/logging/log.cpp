#include "core/logging/log.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>

#include <cstdio>

Q_LOGGING_CATEGORY(lcApp, "atelier.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSettings, "atelier.settings", QtInfoMsg)
Q_LOGGING_CATEGORY(lcModels, "atelier.models", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGallery, "atelier.gallery", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDownloads, "atelier.downloads", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGraph, "atelier.graph", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMetadata, "atelier.metadata", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "atelier.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "atelier.ui", QtInfoMsg)

namespace atelier::logging {

namespace {

// Everything the handler touches, behind one mutex: messages arrive from any thread.
struct LogSink
{
    QMutex mutex;
    QFile file;
    LogOptions options;
    bool installed = false;
};

LogSink &sink()
{
    static LogSink instance;
    return instance;
}

// Qt's severities in increasing order of gravity; QtMsgType's own values are not ordered (info is 4).
int gravity(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 0;
    case QtInfoMsg:
        return 1;
    case QtWarningMsg:
        return 2;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 4;
    }
    return 2;
}

const char *label(QtMsgType type)
{
    static const char *const labels[] = {"debug", "info", "warning", "critical", "fatal"};
    return labels[gravity(type)];
}

void rotate(LogSink &s)
{
    const QString path = s.file.fileName();
    s.file.close();
    QFile::remove(QStringLiteral("%1.%2").arg(path).arg(s.options.keptFiles));
    for (int n = s.options.keptFiles - 1; n >= 1; --n)
        QFile::rename(QStringLiteral("%1.%2").arg(path).arg(n), QStringLiteral("%1.%2").arg(path).arg(n + 1));
    if (s.options.keptFiles > 0)
        QFile::rename(path, path + QStringLiteral(".1"));
    else
        QFile::remove(path);
    s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    LogSink &s = sink();
    const QByteArray line = QStringLiteral("%1 %2 %3: %4\n")
                                .arg(QDateTime::currentDateTime().toString(Qt::ISODateWithMs),
                                     QString::fromLatin1(label(type)),
                                     QString::fromLatin1(context.category ? context.category : "default"), message)
                                .toUtf8();
    {
        QMutexLocker lock(&s.mutex);
        const int minimum = s.options.verbose ? 0 : 2;
        if (gravity(type) >= minimum) {
            const QByteArray shortLine = QStringLiteral("atelier: %1\n").arg(message).toUtf8();
            std::fwrite(shortLine.constData(), 1, size_t(shortLine.size()), stderr);
            std::fflush(stderr);
        }
        if (s.file.isOpen() && gravity(type) >= (s.options.verbose ? 0 : 1)) {
            if (s.file.size() + line.size() > s.options.maxFileBytes)
                rotate(s);
            s.file.write(line);
            s.file.flush();
        }
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

bool installLogging(const QString &folder, const LogOptions &options, QString *error)
{
    LogSink &s = sink();
    bool opened = true;
    {
        QMutexLocker lock(&s.mutex);
        s.options = options;
        if (s.file.isOpen())
            s.file.close();
        QDir().mkpath(folder);
        s.file.setFileName(QDir(folder).filePath(QStringLiteral("atelier.log")));
        opened = s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
        if (!opened && error)
            *error = QStringLiteral("Cannot open the log file %1: %2").arg(s.file.fileName(), s.file.errorString());
        s.installed = true;
    }
    if (options.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("atelier.*.debug=true"));
    qInstallMessageHandler(handleMessage);
    return opened;
}

void uninstallLogging()
{
    qInstallMessageHandler(nullptr);
    LogSink &s = sink();
    QMutexLocker lock(&s.mutex);
    s.file.close();
    s.installed = false;
}

QString logFilePath()
{
    LogSink &s = sink();
    QMutexLocker lock(&s.mutex);
    return s.file.isOpen() ? s.file.fileName() : QString();
}

} // namespace atelier::logging
