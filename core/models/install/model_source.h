#pragma once

#include "core/models/taxonomy.h"
#include "core/result.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace atelier::models {

// Where a model comes from: the seed's LocalModelSource, URLModelSource and HFModelSource, plus Civitai pages,
// which are resolved through Civitai's API to a download.
struct ModelSource
{
    enum class Kind { Local, Url, HuggingFace, Civitai };

    Kind kind = Kind::Local;
    QString path;                        // Local: a file or folder
    QUrl url;                            // Url, Civitai
    QString repoId;                      // HuggingFace: "owner/name"
    std::optional<RepoVariant> variant;  // HuggingFace: unset means the installer's default
    QString subfolder;                   // HuggingFace: a folder of the repo, or one file when it names weights
    qint64 civitaiModelId = 0;           // Civitai: the model, and the version when known
    qint64 civitaiVersionId = 0;
    QString civitaiFileHash; // Civitai: a file's SHA-256 or AutoV2 hash, which names its version
    QString accessToken;

    // The string the user gave, normalised: what get_job_by_source matches and what records keep as "source".
    QString toString() const;
    SourceType sourceType() const;
    // True when `subfolder` names one weights file rather than a folder.
    bool namesSingleFile() const;
};

// Recognises what a source string is, as the seed's heuristic_import does: an existing path; an http(s) URL (a
// Civitai model, model-version or download URL becomes a Civitai source when its host is `civitaiHost`; a Hugging
// Face repo page or "resolve" link becomes a repo source when its host is `huggingFaceHost`, so that its metadata
// is read too); or a Hugging Face repo id with "owner/name[:variant[:subfolder-or-file]]". Fails with
// "InvalidSource" and says what was expected.
Result<ModelSource> parseModelSource(const QString &text, const QString &civitaiHost = QStringLiteral("civitai.com"),
                                     const QString &huggingFaceHost = QStringLiteral("huggingface.co"));

// The Civitai address that finds a model file by its hash (a full SHA-256, or A1111's 10-digit AutoV2): what an
// image's recipe gives for a model this machine lacks. `endpoint` is Civitai's (a mirror's) base address.
QString civitaiByHashSource(const QString &hash, const QUrl &endpoint = QUrl(QStringLiteral("https://civitai.com")));
// Whether Civitai can find a file by this hash ("sha256:" or not): 8, 10, 12 or 64 hex digits.
bool isCivitaiFileHash(const QString &hash);

bool hasWeightsExtension(const QString &fileName);

} // namespace atelier::models
