#pragma once

#include "core/models/install/install_job.h"

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QVector>

namespace atelier::models {
class ModelInstaller;
}

namespace atelier::ui {

// Transfer speed from successive byte counts, smoothed so that the time left does not jump about.
class TransferRate
{
public:
    void sample(qint64 bytes, qint64 atMs);
    double bytesPerSecond() const { return m_rate; }
    void reset();

private:
    qint64 m_lastBytes = -1;
    qint64 m_lastMs = 0;
    double m_rate = 0;
};

// The installer's jobs as a tree: one row per job, and under a multi-file download one row per file. Kept live by
// the installer's signals (queued to the GUI thread). Also keeps each job's transfer rate.
class InstallJobModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SourceColumn, StatusColumn, ProgressColumn, ActionsColumn, ColumnCount };
    enum Role {
        JobIdRole = Qt::UserRole + 1,
        ProgressRole,        // 0..1, or -1 when unknown
        ProgressTextRole,    // "1.2 MB of 4 MB · 3 MB/s · 2 s left"
        StatusRole,          // the InstallStatus as its taxonomy string ("paused" while paused)
        ErrorRole,           // the full error message, for the details
    };

    explicit InstallJobModel(models::ModelInstaller &installer, QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const models::InstallJob &jobAt(int row) const { return m_jobs.at(row).job; }
    int rowOfJob(int id) const;

private:
    struct Row
    {
        models::InstallJob job;
        TransferRate rate;
    };
    void jobChanged(const models::InstallJob &job);
    void jobRemoved(int id);
    QString progressText(const Row &row) const;

    models::ModelInstaller &m_installer;
    QVector<Row> m_jobs;
    QElapsedTimer m_clock;
};

// What went wrong, in words a user understands (the details keep the installer's own message).
QString describeInstallError(const models::InstallJob &job);
// A short name for a job: the model's name once known, else the last part of the source.
QString installJobName(const models::InstallJob &job);

} // namespace atelier::ui
