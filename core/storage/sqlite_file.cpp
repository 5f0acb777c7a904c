#include "core/storage/sqlite_file_p.h"

#include "core/storage/sqlite_statements_p.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QHash>

namespace atelier::storage {

namespace {

// A serial per thread that is never reused, unlike thread ids, so a connection name never outlives its thread's
// identity.
QAtomicInteger<quint64> g_nextThreadSerial{1};
thread_local const quint64 t_threadSerial = g_nextThreadSerial.fetchAndAddRelaxed(1);
QAtomicInteger<quint64> g_nextFileSerial{1};

// Files open in this process, by absolute path, with how many SqliteFiles have each open.
QMutex g_openFilesMutex;
QHash<QString, int> g_openFiles;

QString fileKey(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

bool isOpenInThisProcess(const QString &path)
{
    QMutexLocker lock(&g_openFilesMutex);
    return g_openFiles.value(fileKey(path)) > 0;
}

void registerOpen(const QString &path, int change)
{
    QMutexLocker lock(&g_openFilesMutex);
    const QString key = fileKey(path);
    const int count = g_openFiles.value(key) + change;
    if (count > 0)
        g_openFiles[key] = count;
    else
        g_openFiles.remove(key);
}

} // namespace

SqliteFile::SqliteFile(QString path, SqliteFileRole role, QList<SqliteMigration> migrations,
                       const QLoggingCategory &log)
    : m_path(std::move(path))
    , m_role(std::move(role))
    , m_migrations(std::move(migrations))
    , m_log(log)
    , m_connectionPrefix(QStringLiteral("atelier-sqlite-%1-").arg(g_nextFileSerial.fetchAndAddRelaxed(1)))
{}

SqliteFile::~SqliteFile()
{
    if (m_open)
        registerOpen(m_path, -1);
    QMutexLocker lock(&m_connectionsMutex);
    for (const QString &name : std::as_const(m_connections))
        QSqlDatabase::removeDatabase(name);
}

Result<QSqlDatabase> SqliteFile::connection() const
{
    const QString name = m_connectionPrefix + QString::number(t_threadSerial);
    {
        QMutexLocker lock(&m_connectionsMutex);
        if (m_connections.contains(name))
            return QSqlDatabase::database(name, false);
        m_connections.insert(name);
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    // Another thread or process holding the write lock makes us wait, not fail.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    if (!db.open())
        return Result<QSqlDatabase>::failure(
            QStringLiteral("Cannot open the %1 %2: %3").arg(m_role.name, m_path, describe(db.lastError())),
            kDatabaseError);
    const QString owner = QStringLiteral("The %1").arg(m_role.name);
    for (const char *pragma : {"PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"}) {
        if (Status s = run(db, QLatin1String(pragma), owner, QStringLiteral("configure its connection")); !s)
            return Result<QSqlDatabase>::failure(s);
    }
    return db;
}

Result<QSqlDatabase> SqliteFile::usableConnection() const
{
    if (!m_open)
        return Result<QSqlDatabase>::failure(notOpen());
    return connection();
}

Status SqliteFile::notOpen() const
{
    return Status::failure(m_openError.isEmpty() ? QStringLiteral("The %1 is not open.").arg(m_role.name) : m_openError,
                           m_openErrorType.isEmpty() ? kDatabaseError : m_openErrorType);
}

Status SqliteFile::refuse(const QString &message, const QString &type)
{
    m_open = false;
    m_openError = message;
    m_openErrorType = type;
    qCWarning(m_log).noquote() << message;
    return Status::failure(message, type);
}

Status SqliteFile::open()
{
    // Look before SQLite does: opening another program's file as a database must not write to it. The look uses
    // its own descriptor, closed before SQLite opens the file, and is skipped when another SqliteFile of this
    // process has the file open (it was checked then): closing any descriptor of a file drops all of this process's
    // POSIX locks on it, SQLite's included, and without them another process may reset the WAL under our feet.
    if (!isOpenInThisProcess(m_path)) {
        QFile file(m_path);
        if (file.exists() && file.size() > 0) {
            if (!file.open(QIODevice::ReadOnly))
                return refuse(QStringLiteral("Cannot read the %1 %2: %3").arg(m_role.name, m_path, file.errorString()),
                              kDatabaseError);
            const QByteArray header = file.read(16);
            file.close();
            if (header != QByteArray("SQLite format 3\0", 16))
                return refuse(
                    QStringLiteral("%1 is not an SQLite database, so it is not an Atelier %2. Atelier has not "
                                   "changed it. Move it away (%3) or choose another root with --root.")
                        .arg(m_path, m_role.name, m_role.freshStart),
                    QStringLiteral("ForeignDatabase"));
        }
    }

    const Result<QSqlDatabase> opened = connection();
    if (!opened)
        return refuse(opened.error(), opened.errorType());
    QSqlDatabase db = opened.value();

    QSqlQuery check(db);
    if (!check.exec(QStringLiteral("PRAGMA quick_check")) || !check.next() ||
        check.value(0).toString() != QLatin1String("ok")) {
        const QString details = check.lastError().isValid() ? describe(check.lastError()) : check.value(0).toString();
        return refuse(QStringLiteral("The %1 %2 is damaged (%3). Atelier will not write to it. %4")
                          .arg(m_role.name, m_path, details, m_role.damagedAdvice),
                      QStringLiteral("CorruptDatabase"));
    }
    check.finish();

    QSqlQuery versionQuery(db);
    if (!versionQuery.exec(QStringLiteral("PRAGMA user_version")) || !versionQuery.next())
        return refuse(
            QStringLiteral("Cannot read the schema version of %1: %2").arg(m_path, describe(versionQuery.lastError())),
            kDatabaseError);
    const int version = versionQuery.value(0).toInt();
    versionQuery.finish();
    const int known = m_migrations.isEmpty() ? 0 : m_migrations.back().toVersion;
    if (version > known)
        return refuse(QStringLiteral("The %1 %2 was written by a newer version of Atelier (schema %3; this version "
                                     "knows up to %4). Atelier will not change it: update Atelier, or choose another "
                                     "root with --root.")
                          .arg(m_role.name, m_path)
                          .arg(version)
                          .arg(known),
                      QStringLiteral("NewerDatabase"));

    // Schema 0 is a new, empty file. One with tables of its own is another program's database that happens to sit
    // where ours belongs: it is left exactly as it is, WAL mode included.
    if (version == 0) {
        QSqlQuery tables(db);
        QStringList names;
        if (tables.exec(
                QStringLiteral("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 6")))
            while (tables.next())
                names << tables.value(0).toString();
        tables.finish();
        if (!names.isEmpty())
            return refuse(
                QStringLiteral("%1 is an SQLite database of another program (it holds %2), not a %3. "
                               "Atelier will not change it: move it away, or choose another root with --root.")
                    .arg(m_path, names.join(QStringLiteral(", ")), m_role.name),
                QStringLiteral("ForeignDatabase"));
    }
    const QString owner = QStringLiteral("The %1").arg(m_role.name);
    if (Status wal = run(db, QStringLiteral("PRAGMA journal_mode = WAL"), owner, QStringLiteral("switch to WAL mode"));
        !wal)
        return refuse(wal.error(), wal.errorType());
    if (version < known) {
        if (Status migrated = migrate(db, version); !migrated)
            return refuse(migrated.error(), migrated.errorType());
    }
    m_open = true;
    m_openError.clear();
    registerOpen(m_path, +1);
    return {};
}

Status SqliteFile::migrate(QSqlDatabase &db, int fromVersion)
{
    const QString owner = QStringLiteral("The %1").arg(m_role.name);
    if (fromVersion > 0) {
        // A copy of the file as it was, in case a migration surprises someone.
        const QString backup = QStringLiteral("%1.schema-%2.bak").arg(m_path).arg(fromVersion);
        QFile::remove(backup);
        if (Status copied = run(db, QStringLiteral("VACUUM INTO ?"), owner, QStringLiteral("back itself up"), {backup});
            !copied)
            return copied;
        qCInfo(m_log).noquote() << m_role.name << "backed up to" << backup << "before migrating";
    }
    for (const SqliteMigration &migration : std::as_const(m_migrations)) {
        if (migration.toVersion <= fromVersion)
            continue;
        const Status migrated = inTransaction(db, owner, [&]() -> Status {
            // Re-read inside the write lock: another process may have migrated meanwhile.
            QSqlQuery current(db);
            if (current.exec(QStringLiteral("PRAGMA user_version")) && current.next() &&
                current.value(0).toInt() >= migration.toVersion)
                return {};
            current.finish();
            for (const QString &statement : migration.statements) {
                if (Status s = run(db, statement, owner,
                                   QStringLiteral("migrate to schema %1 (%2)")
                                       .arg(migration.toVersion)
                                       .arg(QLatin1String(migration.what)));
                    !s)
                    return s;
            }
            return run(db, QStringLiteral("PRAGMA user_version = %1").arg(migration.toVersion), owner,
                       QStringLiteral("record its schema version"));
        });
        if (!migrated)
            return migrated;
        qCInfo(m_log).noquote() << m_role.name << "migrated to schema" << migration.toVersion << "-" << migration.what;
    }
    return {};
}

} // namespace atelier::storage
