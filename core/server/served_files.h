#pragma once

// What `atelier serve` reads and writes for clients: files under the root's output, input and temp folders (GET
// /view, POST /upload/image), with no way out of them, and the multipart bodies uploads come in.
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace atelier::server {

struct ServedFolders
{
    QString output, input, temp;

    // The folder ComfyUI's `type` names ("output" when empty), or empty for an unknown type.
    QString folderOf(const QString &type) const;
};

// The existing file `filename` in `subfolder` of the folder `type` names. Fails for an unknown type, a name with a
// folder in it, a subfolder that leaves the folder (.., an absolute path, a link pointing out), or no such file.
Result<QString> servedFile(const ServedFolders &folders, const QString &type, const QString &subfolder,
                           const QString &filename);

// The folder to write an upload into (made when missing): `subfolder` of the folder `type` names, refused as
// servedFile refuses.
Result<QString> uploadFolder(const ServedFolders &folders, const QString &type, const QString &subfolder);

// A client's file name made safe to write: its last path part, control characters and characters file systems
// refuse replaced, no leading dots, at most 200 characters; empty when nothing usable is left.
QString safeFileName(const QString &given);

struct FormPart
{
    QString name;     // the form field
    QString fileName; // for file fields
    QByteArray contentType;
    QByteArray data;
};

// The parts of a multipart/form-data body (`contentType` carries the boundary). Fails on a body that is not one.
Result<QList<FormPart>> parseMultipart(const QByteArray &contentType, const QByteArray &body);

} // namespace atelier::server
