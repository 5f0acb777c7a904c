#pragma once

// What other tools write beside a model file: Civitai Helper's `<name>.civitai.info` (Civitai's model-version
// JSON), A1111's extra-networks card `<name>.json` (description, activation text), Stability Matrix's
// `<name>.cm-info.json`, ComfyUI LoRA Manager's `<name>.metadata.json`, and preview images (`<name>.preview.png`,
// `<name>.png` ...). Read, never written.
#include <QByteArray>
#include <QString>
#include <QStringList>

namespace atelier::models {

struct SidecarMetadata
{
    QString name;
    QString description;
    QStringList triggerWords;
    QStringList tags;
    QString source;         // the model's Civitai page, when a sidecar names it
    QByteArray apiResponse; // the Civitai JSON as found
    QString coverImage;     // a preview image beside the model
    QStringList files;      // the sidecars read
    QStringList problems;   // sidecars that could not be read: "file: why"

    bool empty() const { return files.isEmpty(); }
    // The record fields they give, as install overrides (ModelConfig's JSON names); "{}" when none.
    QByteArray overridesJson() const;
};

// The sidecars of the model at `modelPath` (a file, or a diffusers folder: its sidecars sit beside the folder).
SidecarMetadata readSidecars(const QString &modelPath);

} // namespace atelier::models
