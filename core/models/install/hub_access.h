#pragma once

#include <QString>
#include <QUrl>

namespace atelier::settings {
struct Settings;
}

namespace atelier::models {

// Where the model hubs are and which token each gets. The Hugging Face endpoint is the setting, else
// $HF_ENDPOINT, else https://huggingface.co; its token is the setting, else $HF_TOKEN, else the file that
// `huggingface-cli login` writes ($HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token).
// Civitai's endpoint and token come from the settings.
struct HubAccess
{
    QUrl huggingFaceEndpoint;
    QUrl civitaiEndpoint;
    QString huggingFaceToken;
    QString civitaiToken;

    static HubAccess fromSettings(const settings::Settings &settings);

    bool isHuggingFace(const QUrl &url) const;
    bool isCivitai(const QUrl &url) const;
    // The token for an address: the hub's own, or none for any other host.
    QString tokenFor(const QUrl &url) const;
};

} // namespace atelier::models
