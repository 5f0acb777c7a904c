#include "core/training/training_set.h"

#include "core/generation/png_image.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator64>

#include <algorithm>
#include <cmath>

namespace atelier::training {

namespace {

constexpr qint64 kMaxCaptionFileBytes = 64ll * 1024 * 1024;

using Captions = QHash<QString, QString>; // file name -> caption

Result<QByteArray> readSmallFile(const QString &path)
{
    QFile file(path);
    if (file.size() > kMaxCaptionFileBytes)
        return Result<QByteArray>::failure(QStringLiteral("%1 is larger than a captions file can be").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

Result<Captions> captionsFromJson(const QString &path)
{
    const auto bytes = readSmallFile(path);
    if (!bytes)
        return Result<Captions>::failure(bytes);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes.value(), &error);
    Captions captions;
    if (document.isObject()) {
        const QJsonObject object = document.object();
        for (auto it = object.begin(); it != object.end(); ++it)
            captions.insert(it.key(), it.value().toString());
    } else if (document.isArray()) {
        for (const QJsonValue &entry : document.array())
            captions.insert(entry.toObject().value(QStringLiteral("file")).toString(),
                            entry.toObject().value(QStringLiteral("caption")).toString());
    } else {
        return Result<Captions>::failure(
            QStringLiteral("%1 is not a JSON list of {\"file\", \"caption\"} or an object of captions by file (%2)")
                .arg(path, error.errorString()));
    }
    return captions;
}

// One CSV record's fields, quotes and doubled quotes as RFC 4180 has them.
QStringList csvFields(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted && c == QLatin1Char('"') && i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
            field += c;
            ++i;
        } else if (c == QLatin1Char('"')) {
            quoted = !quoted;
        } else if (c == QLatin1Char(',') && !quoted) {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

Result<Captions> captionsFromCsv(const QString &path)
{
    const auto bytes = readSmallFile(path);
    if (!bytes)
        return Result<Captions>::failure(bytes);
    Captions captions;
    const QStringList lines = QString::fromUtf8(bytes.value()).split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const QStringList fields = csvFields(line);
        if (i == 0 && fields.first().compare(QLatin1String("file"), Qt::CaseInsensitive) == 0)
            continue; // the header
        if (fields.size() < 2)
            return Result<Captions>::failure(
                QStringLiteral("%1, line %2: expected \"file,caption\"").arg(path).arg(i + 1));
        captions.insert(fields.at(0).trimmed(), fields.mid(1).join(QLatin1Char(',')).trimmed());
    }
    return captions;
}

Result<Captions> captionsFromJsonLines(const QString &path)
{
    const auto bytes = readSmallFile(path);
    if (!bytes)
        return Result<Captions>::failure(bytes);
    Captions captions;
    const QList<QByteArray> lines = bytes.value().split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines.at(i).trimmed().isEmpty())
            continue;
        const QJsonObject entry = QJsonDocument::fromJson(lines.at(i)).object();
        if (!entry.contains(QStringLiteral("file_name")))
            return Result<Captions>::failure(
                QStringLiteral("%1, line %2: expected {\"file_name\", \"text\"}").arg(path).arg(i + 1));
        captions.insert(entry.value(QStringLiteral("file_name")).toString(),
                        entry.value(QStringLiteral("text")).toString());
    }
    return captions;
}

// The captions file in `dir`, if any, and in words where the captions come from.
Result<Captions> sharedCaptions(const QDir &dir, QString &source)
{
    const struct
    {
        const char *name;
        Result<Captions> (*read)(const QString &);
    } files[] = {{"captions.json", captionsFromJson},
                 {"captions.csv", captionsFromCsv},
                 {"metadata.jsonl", captionsFromJsonLines}};
    for (const auto &file : files)
        if (dir.exists(QLatin1String(file.name))) {
            source = QLatin1String(file.name);
            return file.read(dir.filePath(QLatin1String(file.name)));
        }
    source = QStringLiteral("a text file beside each image");
    return Captions();
}

// The weights of a triangle filter from `inSize` samples to `outSize`, per output sample: its first input sample and
// the normalised weights from there.
struct FilterTaps
{
    std::vector<int> first;
    std::vector<std::vector<float>> weights;
};

FilterTaps triangleTaps(int inSize, int outSize)
{
    const double scale = double(inSize) / outSize, support = std::max(1.0, scale);
    FilterTaps taps;
    for (int o = 0; o < outSize; ++o) {
        const double center = (o + 0.5) * scale;
        const int from = std::max(0, int(std::floor(center - support))),
                  to = std::min(inSize, int(std::ceil(center + support)));
        std::vector<float> weights;
        double total = 0;
        for (int i = from; i < to; ++i) {
            const double w = std::max(0.0, 1.0 - std::abs((i + 0.5 - center) / support));
            weights.push_back(float(w));
            total += w;
        }
        for (float &w : weights)
            w = float(w / (total > 0 ? total : 1));
        taps.first.push_back(from);
        taps.weights.push_back(std::move(weights));
    }
    return taps;
}

// FNV-1a of the name's UTF-8: the same in every process (qHash is seeded per process), so that a resumed run crops
// as the first one did.
quint64 stableHash(const QString &name)
{
    quint64 hash = 0xCBF29CE484222325ull;
    for (const char byte : name.toUtf8())
        hash = (hash ^ quint8(byte)) * 0x100000001B3ull;
    return hash;
}

} // namespace

engine::RgbImage resizeRgb(const engine::RgbImage &image, int width, int height)
{
    const FilterTaps across = triangleTaps(image.width, width), down = triangleTaps(image.height, height);
    std::vector<float> rows(std::size_t(image.height) * width * 3);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c) {
                float sum = 0;
                for (std::size_t k = 0; k < across.weights[x].size(); ++k)
                    sum += across.weights[x][k] *
                           image.pixels[(std::size_t(y) * image.width + across.first[x] + int(k)) * 3 + c];
                rows[(std::size_t(y) * width + x) * 3 + c] = sum;
            }
    engine::RgbImage resized{width, height, std::vector<std::uint8_t>(std::size_t(width) * height * 3)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c) {
                float sum = 0;
                for (std::size_t k = 0; k < down.weights[y].size(); ++k)
                    sum += down.weights[y][k] * rows[((std::size_t(down.first[y]) + k) * width + x) * 3 + c];
                resized.pixels[(std::size_t(y) * width + x) * 3 + c] =
                    std::uint8_t(std::clamp(std::lround(sum), 0l, 255l));
            }
    return resized;
}

Result<TrainingSet> readTrainingSet(const QString &folder, int resolution, quint64 seed)
{
    const QDir dir(folder);
    if (!dir.exists())
        return Result<TrainingSet>::failure(QStringLiteral("%1 is not a folder").arg(folder));
    TrainingSet set;
    const auto captions = sharedCaptions(dir, set.captionSource);
    if (!captions)
        return Result<TrainingSet>::failure(captions);
    const QStringList images =
        dir.entryList({QStringLiteral("*.png"), QStringLiteral("*.PNG")}, QDir::Files, QDir::Name);
    for (const QString &name : images) {
        const auto decoded = generation::readPngFile(dir.filePath(name));
        if (!decoded) {
            set.skipped.append({name, decoded.error()});
            continue;
        }
        QString caption = captions->value(name);
        if (caption.isEmpty()) {
            const QString beside = dir.filePath(QFileInfo(name).completeBaseName() + QStringLiteral(".txt"));
            const auto text = QFileInfo::exists(beside) ? readSmallFile(beside) : Result<QByteArray>(QByteArray());
            caption = text ? QString::fromUtf8(text.value()).trimmed() : QString();
        }
        if (caption.isEmpty())
            return Result<TrainingSet>::failure(
                QStringLiteral("%1 has no caption (looked in %2)").arg(name, set.captionSource),
                QStringLiteral("MissingCaption"));
        const engine::RgbImage &image = decoded.value();
        if (std::min(image.width, image.height) < resolution) {
            set.skipped.append(
                {name,
                 QStringLiteral("%1×%2 is smaller than %3×%3").arg(image.width).arg(image.height).arg(resolution)});
            continue;
        }
        const double scale = double(resolution) / std::min(image.width, image.height);
        const int width = std::max(resolution, int(std::lround(image.width * scale))),
                  height = std::max(resolution, int(std::lround(image.height * scale)));
        const engine::RgbImage resized =
            width == image.width && height == image.height ? image : resizeRgb(image, width, height);
        QRandomGenerator64 crop(seed ^ stableHash(name));
        engine::TrainingExample example;
        example.name = name.toStdString();
        example.caption = caption.toStdString();
        example.originalWidth = image.width;
        example.originalHeight = image.height;
        example.cropTop = int(crop.bounded(height - resolution + 1));
        example.cropLeft = int(crop.bounded(width - resolution + 1));
        example.image = {resolution, resolution, {}};
        example.image.pixels.reserve(std::size_t(resolution) * resolution * 3);
        for (int y = 0; y < resolution; ++y) {
            const auto row =
                resized.pixels.begin() + (std::ptrdiff_t(example.cropTop + y) * width + example.cropLeft) * 3;
            example.image.pixels.insert(example.image.pixels.end(), row, row + std::ptrdiff_t(resolution) * 3);
        }
        set.examples.push_back(std::move(example));
    }
    if (set.examples.empty())
        return Result<TrainingSet>::failure(
            QStringLiteral("%1 has no PNG image of at least %2×%2 to train on%3")
                .arg(folder)
                .arg(resolution)
                .arg(set.skipped.isEmpty() ? QString() : QStringLiteral(" (%1 skipped)").arg(set.skipped.size())),
            QStringLiteral("NoImages"));
    return set;
}

} // namespace atelier::training
