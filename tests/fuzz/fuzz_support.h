#pragma once

// What the libFuzzer targets share: a scratch file for readers that take a path (the model readers map files),
// and a trap that libFuzzer reports as a crash when an invariant between a reader and a writer breaks.
#include <QByteArray>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace atelier::fuzz {

inline QByteArray bytesOf(const std::uint8_t *data, std::size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// `bytes` written to a file named `name` in a folder of this process, replaced at every call.
inline QString scratchFile(const QByteArray &bytes, const QString &name)
{
    static QTemporaryDir folder;
    const QString path = folder.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        __builtin_trap(); // the scratch folder itself failed: nothing found after this would mean anything
    return path;
}

// An invariant that must hold for every input; `why` is printed before the crash that reports it.
inline void require(bool holds, const QString &why = QString())
{
    if (!holds) {
        if (!why.isEmpty())
            fprintf(stderr, "invariant broken: %s\n", qPrintable(why));
        __builtin_trap();
    }
}

} // namespace atelier::fuzz
