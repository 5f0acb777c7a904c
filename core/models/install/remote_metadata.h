#pragma once

#include "core/models/install/model_source.h"
#include "core/models/taxonomy.h"
#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace atelier::models {

// One file a hub serves for a model.
struct RemoteFile
{
    QString path;      // relative to the model's own folder ("unet/diffusion_pytorch_model.fp16.safetensors")
    QUrl url;
    qint64 size = 0;   // 0 when the hub does not say
    QString sha256;    // empty when the hub does not say
};

// What a hub says about a model, and which files make it up.
struct RemoteModel
{
    QString name;
    QString author;
    QString description;
    QStringList tags;
    QStringList triggerWords;
    std::optional<BaseModel> base;  // as the hub labels it; the probe has the last word
    QUrl coverImage;
    QDateTime lastModified;
    QList<RemoteFile> files;
    bool singleFile = true;     // one weights file, not a folder
    QByteArray apiResponse;     // kept as the record's source_api_response
};

// Hugging Face: the answer of GET {endpoint}/api/models/{repo_id}?blobs=true, reduced to the files the source asks
// for. A diffusers repo gives model_index.json and its component folders (never root-level checkpoints or the
// safety checker); each weights file is taken in the requested variant ("x.fp16.safetensors") when the repo has
// it and in the default one otherwise, safetensors before .bin. A subfolder narrows it to that folder, a file path
// to that one file. Fails with "NotFound" (no such file or folder) or "AmbiguousSource" (several checkpoints and
// no file named).
Result<RemoteModel> readHuggingFaceModel(const QByteArray &apiResponse, const ModelSource &source, RepoVariant variant,
                                         const QUrl &endpoint);

// Civitai: a model (GET /api/v1/models/{id}) and, optionally, the version chosen from it (the one named by the
// source, else the newest). The primary model file of that version is the one downloaded.
Result<RemoteModel> readCivitaiModel(const QByteArray &modelResponse, qint64 versionId);
// Civitai's base model labels ("SD 1.5", "SDXL 1.0", "Pony" …) in our taxonomy; nullopt for the unknown.
std::optional<BaseModel> baseFromCivitai(const QString &label);

// The metadata fetcher: GET with a token (Authorization, or ?token= for Civitai), redirects followed, a timeout,
// and at most 32 MiB of answer. Runs a local event loop: call it on a worker thread, never the GUI thread.
// Error types "HttpError", "NetworkError", "Timeout".
Result<QByteArray> fetchJson(const QUrl &url, const QString &accessToken, bool tokenInQuery, int timeoutMs = 30000);

} // namespace atelier::models
