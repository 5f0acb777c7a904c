#pragma once

#include <QString>
#include <QStringList>

namespace atelier::settings {

// Preferences that do not depend on where the root is: stored in <root>/settings.json, except the access
// tokens, which live in <root>/secrets.json with mode 0600 so that settings.json can be shared safely.
struct Settings
{
    // Where installed models live: empty means <root>/models; a relative path is relative to the root.
    QString modelsDir;
    // "auto" (CUDA when available, else the CPU), "cpu", "cuda" (the first CUDA device) or "cuda:N".
    QString device = QStringLiteral("auto");
    // "auto" (fp16 on CUDA, fp32 on the CPU), "fp32", "fp16" or "bf16".
    QString precision = QStringLiteral("auto");
    // Models kept loaded in system memory and on each GPU; 0: automatic, as InvokeAI sizes them (half the
    // machine's memory less 2 GiB; the card's memory less a working reserve).
    double ramCacheGb = 0.0;
    double vramCacheGb = 0.0;
    double downloadCacheGb = 20.0;  // cap of <root>/cache, least recently used evicted first
    // What graph runs keep of their nodes' outputs (latents, images, conditionings) so that the next run re-runs
    // only what changed: at most this many outputs and this much memory, least recently used dropped first.
    int outputCacheEntries = 256;
    double outputCacheGb = 4.0;
    int maxParallelDownloads = 5;
    // Where the model hubs are: empty means $HF_ENDPOINT or https://huggingface.co, and https://civitai.com.
    QString huggingFaceEndpoint;
    QString civitaiEndpoint;
    QString huggingFaceToken;
    QString civitaiToken;
    // Local files dropped or added for install: registered where they are (true) or copied into the models folder.
    bool installInPlace = false;
    // Other tools' model folders imported in place (File → Import models from other tools…), watched while Atelier
    // runs: new models there are registered, removed ones marked missing, moved ones found again.
    QStringList watchedModelFolders;
    // Images Atelier saves carry their recipe (prompt, settings, model names and hashes) unless this is off.
    bool writeMetadata = true;
    // The interface's language: "system" (the desktop's locale) or one Atelier is translated to ("en", "de").
    // Applies from the next start.
    QString language = QStringLiteral("system");
    // The window's colours: "system" (the desktop's colour scheme, followed while Atelier runs), "light" or
    // "dark". Applies at once.
    QString theme = QStringLiteral("system");
    // The render farm's Redis server: redis://[user:password@]host[:port][/db] or unix:///path/to/socket. Kept in
    // secrets.json, because it may carry a password. Empty: no farm.
    QString farmRedisUrl;
    // A farm job whose worker has not shown a sign of life for this long is taken over by another worker.
    int farmReclaimSeconds = 60;
    // A farm job that failed, or whose worker died, this many times goes to the dead-letter stream.
    int farmMaxAttempts = 3;

    bool operator==(const Settings &other) const;
    bool operator!=(const Settings &other) const { return !(*this == other); }

    static QStringList deviceChoices();     // the fixed choices; "cuda:N" is accepted as well
    static QStringList precisionChoices();
    static QStringList languageChoices();
    static QStringList themeChoices();
};

// Checks every field; returns one message per invalid field, naming it, the value and what is accepted.
QStringList validate(const Settings &settings);

} // namespace atelier::settings
