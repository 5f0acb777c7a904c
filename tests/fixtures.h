#pragma once

#include <QDir>
#include <QString>

// The shared reference data: ATELIER_FIXTURES, or ../shared/fixtures beside the source tree.
inline QString fixturesDir()
{
    const QString configured = qEnvironmentVariable("ATELIER_FIXTURES");
    if (!configured.isEmpty())
        return QDir::cleanPath(configured);
    return QDir::cleanPath(qEnvironmentVariable("ATELIER_TEST_SOURCE_DIR", QStringLiteral(".")) + QStringLiteral("/../shared/fixtures"));
}
