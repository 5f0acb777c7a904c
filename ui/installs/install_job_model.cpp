#include "ui/installs/install_job_model.h"

#include "core/models/install/model_installer.h"
#include "ui/common/theme.h"

#include <QColor>
#include <QFileInfo>
#include <QLocale>
#include <QUrl>

namespace atelier::ui {

namespace {
// A part's internal id: its job's row + 1 in the high bits; 0 marks a job row.
constexpr quintptr kPartShift = 20;

QString duration(qint64 seconds)
{
    if (seconds < 60)
        return QObject::tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return QObject::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return QObject::tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}
}

void TransferRate::sample(qint64 bytes, qint64 atMs)
{
    if (m_lastBytes < 0 || bytes < m_lastBytes) {
        m_lastBytes = bytes;
        m_lastMs = atMs;
        return;
    }
    const qint64 elapsed = atMs - m_lastMs;
    if (elapsed < 250)
        return;  // too short an interval to say anything
    const double now = double(bytes - m_lastBytes) * 1000.0 / double(elapsed);
    m_rate = m_rate <= 0 ? now : 0.7 * m_rate + 0.3 * now;
    m_lastBytes = bytes;
    m_lastMs = atMs;
}

void TransferRate::reset()
{
    *this = TransferRate();
}

QString installJobName(const models::InstallJob &job)
{
    if (job.configOut)
        return job.configOut->name;
    const QUrl url(job.source);
    if (url.isValid() && !url.scheme().isEmpty() && url.scheme() != QLatin1String("file")) {
        const QString file = url.fileName();
        return file.isEmpty() ? url.host() : file;
    }
    // Repo ids ("owner/name:variant:sub") and paths: the last part says most.
    const QString last = job.source.section(QLatin1Char('/'), -1);
    return last.isEmpty() ? job.source : last;
}

QString describeInstallError(const models::InstallJob &job)
{
    const QString &type = job.errorType;
    const QString &message = job.error;
    if (type == QLatin1String("HttpError")) {
        if (message.contains(QLatin1String("401")) || message.contains(QLatin1String("403")))
            return QObject::tr("Access denied: this model needs an access token (add yours in Settings) or accepting "
                               "its licence on the hub's page.");
        if (message.contains(QLatin1String("404")))
            return QObject::tr("Not found on the server: the link is wrong or the file was removed.");
        if (message.contains(QLatin1String("429")))
            return QObject::tr("The server is limiting requests; try again in a few minutes.");
        return QObject::tr("The server refused the download.");
    }
    if (type == QLatin1String("NetworkError"))
        return QObject::tr("The server could not be reached: check the address and your connection.");
    if (type == QLatin1String("Timeout"))
        return QObject::tr("The server stopped responding.");
    if (type == QLatin1String("NotFound"))
        return QObject::tr("Nothing was found there: check the path or the name.");
    if (type == QLatin1String("InvalidSource"))
        return QObject::tr("Not something Atelier can install: give a model file, a folder, a link, or a Hugging Face "
                           "id such as owner/name.");
    if (type == QLatin1String("AmbiguousSource"))
        return QObject::tr("That repository holds several models: name one file (owner/name::file.safetensors).");
    if (type == QLatin1String("DuplicateModel"))
        return QObject::tr("Already in your library: %1").arg(message);
    if (type == QLatin1String("UnknownModel"))
        return QObject::tr("Atelier does not recognise this file as a model it can use.");
    if (type == QLatin1String("DiskFull"))
        return QObject::tr("Not enough free disk space for this model.");
    if (type == QLatin1String("Mismatch"))
        return QObject::tr("The download is damaged: its checksum does not match the hub's. Try again.");
    if (type == QLatin1String("Io"))
        return QObject::tr("Files could not be read or written: check permissions and free space.");
    if (type == QLatin1String("Database"))
        return QObject::tr("The library could not be updated.");
    if (type == QLatin1String("InvalidModelConfig"))
        return QObject::tr("The model's settings were refused: %1").arg(message);
    return message.isEmpty() ? QObject::tr("The install failed.") : message;
}

InstallJobModel::InstallJobModel(models::ModelInstaller &installer, QObject *parent)
    : QAbstractItemModel(parent), m_installer(installer)
{
    m_clock.start();
    connect(&m_installer, &models::ModelInstaller::jobChanged, this, &InstallJobModel::jobChanged);
    connect(&m_installer, &models::ModelInstaller::jobRemoved, this, &InstallJobModel::jobRemoved);
    for (const models::InstallJob &job : m_installer.listJobs())
        jobChanged(job);
}

int InstallJobModel::rowOfJob(int id) const
{
    for (int row = 0; row < m_jobs.size(); ++row)
        if (m_jobs[row].job.id == id)
            return row;
    return -1;
}

void InstallJobModel::jobChanged(const models::InstallJob &job)
{
    const int row = rowOfJob(job.id);
    if (row < 0) {
        // A job removed meanwhile (events are queued) must not come back.
        if (!m_installer.jobById(job.id))
            return;
        const int at = int(m_jobs.size());
        beginInsertRows(QModelIndex(), at, at);
        m_jobs.push_back({job, {}});
        m_jobs.back().rate.sample(job.bytes, m_clock.elapsed());
        endInsertRows();
        if (job.parts.size() > 1) {
            beginInsertRows(index(at, 0), 0, int(job.parts.size()) - 1);
            endInsertRows();
        }
        return;
    }
    Row &current = m_jobs[row];
    const int oldParts = int(current.job.parts.size() > 1 ? current.job.parts.size() : 0);
    const int newParts = int(job.parts.size() > 1 ? job.parts.size() : 0);
    const QModelIndex parentIndex = index(row, 0);
    if (newParts != oldParts) {
        if (oldParts > 0) {
            beginRemoveRows(parentIndex, 0, oldParts - 1);
            current.job.parts.clear();
            endRemoveRows();
        }
        if (newParts > 0) {
            beginInsertRows(parentIndex, 0, newParts - 1);
            current.job = job;
            endInsertRows();
        }
    }
    if (job.paused || job.inTerminalState())
        current.rate.reset();
    else
        current.rate.sample(job.bytes, m_clock.elapsed());
    current.job = job;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (newParts > 0)
        emit dataChanged(index(0, 0, parentIndex), index(newParts - 1, ColumnCount - 1, parentIndex));
}

void InstallJobModel::jobRemoved(int id)
{
    const int row = rowOfJob(id);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_jobs.remove(row);
    endRemoveRows();
}

QModelIndex InstallJobModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_jobs.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_jobs.size())
        return {};
    const models::InstallJob &job = m_jobs[parent.row()].job;
    if (job.parts.size() < 2 || row >= job.parts.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1) << kPartShift);
}

QModelIndex InstallJobModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int jobRow = int(child.internalId() >> kPartShift) - 1;
    return jobRow < m_jobs.size() ? createIndex(jobRow, 0, quintptr(0)) : QModelIndex();
}

int InstallJobModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_jobs.size());
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= m_jobs.size())
        return 0;
    const models::InstallJob &job = m_jobs[parent.row()].job;
    return job.parts.size() > 1 ? int(job.parts.size()) : 0;
}

int InstallJobModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QString InstallJobModel::progressText(const Row &row) const
{
    const models::InstallJob &job = row.job;
    const QLocale locale;
    if (job.totalBytes <= 0 && job.bytes <= 0)
        return {};
    QString text = job.totalBytes > 0 ? tr("%1 of %2").arg(locale.formattedDataSize(job.bytes), locale.formattedDataSize(job.totalBytes))
                                      : locale.formattedDataSize(job.bytes);
    if (job.downloading() && !job.paused && row.rate.bytesPerSecond() > 0) {
        text += QStringLiteral(" · %1/s").arg(locale.formattedDataSize(qint64(row.rate.bytesPerSecond())));
        if (job.totalBytes > job.bytes)
            text += tr(" · %1 left").arg(duration(qint64((job.totalBytes - job.bytes) / row.rate.bytesPerSecond()) + 1));
    }
    return text;
}

QVariant InstallJobModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() != 0) {
        const int jobRow = int(index.internalId() >> kPartShift) - 1;
        if (jobRow >= m_jobs.size() || index.row() >= m_jobs[jobRow].job.parts.size())
            return {};
        const models::InstallPart &part = m_jobs[jobRow].job.parts[index.row()];
        const QLocale locale;
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == NameColumn)
                return QFileInfo(part.localPath).fileName().isEmpty() ? QUrl(part.source).fileName() : QFileInfo(part.localPath).fileName();
            if (index.column() == SourceColumn)
                return part.source;
            return {};
        case ProgressRole:
            return part.totalBytes > 0 ? double(part.bytes) / double(part.totalBytes) : -1.0;
        case ProgressTextRole:
            return part.totalBytes > 0 ? tr("%1 of %2").arg(locale.formattedDataSize(part.bytes), locale.formattedDataSize(part.totalBytes))
                                       : locale.formattedDataSize(part.bytes);
        case Qt::ToolTipRole:
            return part.source;
        }
        return {};
    }
    if (index.row() >= m_jobs.size())
        return {};
    const Row &row = m_jobs[index.row()];
    const models::InstallJob &job = row.job;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return installJobName(job);
        case SourceColumn: return job.source;
        case StatusColumn:
            if (job.errored())
                return describeInstallError(job);
            if (job.paused)
                return tr("Paused");
            switch (job.status) {
            case models::InstallStatus::Waiting: return tr("Waiting");
            case models::InstallStatus::Downloading: return tr("Downloading");
            case models::InstallStatus::Running: return tr("Installing");
            case models::InstallStatus::Completed: return tr("Installed");
            case models::InstallStatus::Cancelled: return tr("Cancelled");
            case models::InstallStatus::Error: break;
            }
            return {};
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn && job.errored())
            return job.error;
        return index.column() == SourceColumn ? job.source : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && job.errored())
            return themeColors().problemText;
        return {};
    case JobIdRole:
        return job.id;
    case StatusRole:
        return job.paused ? QStringLiteral("paused") : models::toString(job.status);
    case ErrorRole:
        return job.error;
    case ProgressRole:
        if (job.complete())
            return 1.0;
        return job.totalBytes > 0 ? double(job.bytes) / double(job.totalBytes) : -1.0;
    case ProgressTextRole:
        return progressText(row);
    }
    return {};
}

QVariant InstallJobModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case SourceColumn: return tr("Source");
    case StatusColumn: return tr("Status");
    case ProgressColumn: return tr("Progress");
    case ActionsColumn: return QString();
    }
    return {};
}

} // namespace atelier::ui
