#include "core/gallery/image_export.h"

#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"

#include <QFileInfo>
#include <QSaveFile>

namespace atelier::gallery {

Status exportImage(const QString &source, const QString &target, ExportMetadata metadata)
{
    if (QFileInfo::exists(target) && QFileInfo(source).canonicalFilePath() == QFileInfo(target).canonicalFilePath())
        return Status::failure(QStringLiteral("%1 would be written over itself; choose another file").arg(target));
    const Result<QByteArray> read = metadata::readImageFile(source);
    if (!read)
        return Status::failure(read);
    Result<QByteArray> written = read.value();
    if (metadata != ExportMetadata::Everything) {
        written = metadata::withoutMetadata(read.value());
        if (!written)
            return Status::failure(QStringLiteral("%1: %2").arg(source, written.error()));
    }
    if (metadata == ExportMetadata::RecipeOnly) {
        const Result<metadata::GenerationInfo> recipe = metadata::readGenerationInfo(read.value());
        if (!recipe)
            return Status::failure(QStringLiteral("%1: %2").arg(source, recipe.error()));
        if (const QString line = metadata::a1111Parameters(recipe.value()); !line.trimmed().isEmpty()) {
            metadata::TextChunk parameters;
            parameters.type = "tEXt";
            parameters.keyword = QStringLiteral("parameters");
            parameters.text = line;
            written = metadata::withTextChunks(written.value(), {parameters});
            if (!written)
                return Status::failure(QStringLiteral("%1: %2").arg(source, written.error()));
        }
    }
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(written.value()) != written->size() || !file.commit())
        return Status::failure(QStringLiteral("cannot write %1: %2").arg(target, file.errorString()));
    return {};
}

} // namespace atelier::gallery
