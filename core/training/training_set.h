#pragma once

// A folder of training images and their captions, read as the trainer needs them: each image resized so that its
// shorter side is the resolution and cropped to a square at a place drawn from the seed (train_amused.py's Resize
// and RandomCrop), with its original size and crop kept for the micro-conditioning.
#include "core/engine/training/amused_training.h"
#include "core/result.h"

#include <QList>
#include <QString>

#include <vector>

namespace atelier::training {

struct SkippedImage
{
    QString file; // the name inside the folder
    QString reason;
};

struct TrainingSet
{
    std::vector<engine::TrainingExample> examples;
    QList<SkippedImage> skipped; // unreadable or too small: listed, not trained on
    QString captionSource;       // where the captions came from, in words
};

// Reads the PNG images directly in `folder` and their captions, from the first of: captions.json ([{"file",
// "caption"}] or {"file": "caption"}), captions.csv ("file,caption" rows, an optional header, quotes as CSV has
// them), metadata.jsonl ({"file_name", "text"} per line, as Hugging Face's image folders have it), and a text file
// beside each image (cat.png and cat.txt). An image smaller than `resolution` on its shorter side, or that does not
// decode, is skipped and listed; an image without a caption fails the whole set, naming it, as do a damaged
// captions file and a folder without usable images.
Result<TrainingSet> readTrainingSet(const QString &folder, int resolution, quint64 seed);

// `image` scaled to `width` × `height` with a triangle filter widened when shrinking (PIL's bilinear with
// antialiasing, what torchvision's Resize does to images).
engine::RgbImage resizeRgb(const engine::RgbImage &image, int width, int height);

} // namespace atelier::training
