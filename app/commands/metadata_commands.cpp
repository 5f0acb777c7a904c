#include "app/command.h"
#include "core/json/bounded_json.h"

#include "core/metadata/generation_info.h"

#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace atelier::app {

namespace {

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    return file.readAll();
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return QStringLiteral("%1: cannot be written (%2)").arg(path, file.errorString());
    return {};
}

// The recipe fields `atelier inspect --json` prints, read back from such a JSON object.
Result<metadata::GenerationInfo> recipeFromJson(const QByteArray &bytes, const QString &path)
{
    Result<nlohmann::json> parsed = parseBoundedJson(bytes);
    if (!parsed)
        return Result<metadata::GenerationInfo>::failure(QStringLiteral("%1: %2").arg(path, parsed.error()));
    nlohmann::json object = std::move(parsed.value());
    if (!object.is_object())
        return Result<metadata::GenerationInfo>::failure(QStringLiteral("%1: expected a JSON object").arg(path));
    metadata::GenerationInfo recipe;
    recipe.tool = QStringLiteral("Atelier");
    recipe.toolVersion = QStringLiteral(ATELIER_VERSION);
    try {
        const auto text = [&](const char *key) -> std::optional<QString> {
            if (!object.contains(key) || object[key].is_null())
                return std::nullopt;
            return QString::fromStdString(object[key].get<std::string>());
        };
        const auto number = [&](const char *key) -> std::optional<double> {
            if (!object.contains(key) || object[key].is_null())
                return std::nullopt;
            return object[key].get<double>();
        };
        recipe.prompt = text("prompt");
        recipe.negativePrompt = text("negative_prompt");
        if (object.contains("seed") && !object["seed"].is_null()) {
            if (!object["seed"].is_number_unsigned())
                return Result<metadata::GenerationInfo>::failure(
                    QStringLiteral("%1: \"seed\" must be a whole number from 0 to 18446744073709551615, not %2")
                        .arg(path, QString::fromStdString(object["seed"].dump()).left(64)));
            recipe.seed = object["seed"].get<std::uint64_t>();
        }
        if (const auto steps = number("steps"))
            recipe.steps = int(*steps);
        recipe.sampler = text("sampler");
        recipe.scheduler = text("scheduler");
        recipe.cfg = number("cfg");
        if (const auto width = number("width"))
            recipe.width = int(*width);
        if (const auto height = number("height"))
            recipe.height = int(*height);
        recipe.denoise = number("denoise");
        if (object.contains("model") && object["model"].is_object()) {
            const auto &model = object["model"];
            metadata::ModelReference reference;
            reference.name = QString::fromStdString(model.value("name", std::string()));
            reference.hash = QString::fromStdString(model.contains("sha256") ? model.value("sha256", std::string())
                                                                             : model.value("hash", std::string()));
            recipe.model = reference;
        }
    } catch (const nlohmann::json::exception &error) {
        return Result<metadata::GenerationInfo>::failure(
            QStringLiteral("%1: a field has the wrong type (%2)").arg(path, QString::fromUtf8(error.what())));
    }
    return recipe;
}

} // namespace

// `atelier strip IN OUT`: the image without any metadata (text, EXIF, time, private chunks); the pixels and what
// drawing them needs stay byte for byte as they were.
int runStripCommand(CommandContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("A PNG image."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Where to write it without metadata (may be IN)."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Remove every text chunk (prompts, workflows, settings) from a PNG."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 2) {
        context.err << "atelier strip: expected IN and OUT\nTry 'atelier strip --help'.\n";
        return kExitUsage;
    }
    const QString in = parser.positionalArguments()[0], out = parser.positionalArguments()[1];
    const Result<QByteArray> bytes = readFile(in);
    if (!bytes) {
        context.err << "atelier strip: " << bytes.error() << "\n";
        return kExitFailure;
    }
    const Result<QByteArray> stripped = metadata::withoutMetadata(bytes.value());
    if (!stripped) {
        context.err << "atelier strip: " << in << ": " << stripped.error() << "\n";
        return kExitFailure;
    }
    if (const QString error = writeFile(out, stripped.value()); !error.isEmpty()) {
        context.err << "atelier strip: " << error << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

// `atelier tag IN OUT --from-json META.json`: writes Atelier's metadata (and A1111's `parameters`) onto a PNG.
int runTagCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fromJson(QStringLiteral("from-json"),
                                      QStringLiteral("The recipe, with the keys `atelier inspect --json` prints."),
                                      QStringLiteral("META.json"));
    parser.addOption(fromJson);
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("A PNG image."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Where to write it with the metadata (may be IN)."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Write a recipe into a PNG's metadata."));
        done >= 0)
        return done;
    if (parser.positionalArguments().size() != 2 || !parser.isSet(fromJson)) {
        context.err << "atelier tag: expected IN, OUT and --from-json\nTry 'atelier tag --help'.\n";
        return kExitUsage;
    }
    const QString in = parser.positionalArguments()[0], out = parser.positionalArguments()[1];
    const Result<QByteArray> json = readFile(parser.value(fromJson));
    const Result<QByteArray> bytes = readFile(in);
    if (!json || !bytes) {
        context.err << "atelier tag: " << (!json ? json.error() : bytes.error()) << "\n";
        return kExitFailure;
    }
    const Result<metadata::GenerationInfo> recipe = recipeFromJson(json.value(), parser.value(fromJson));
    if (!recipe) {
        context.err << "atelier tag: " << recipe.error() << "\n";
        return kExitFailure;
    }
    const Result<QByteArray> tagged = metadata::withTextChunks(bytes.value(), metadata::recipeChunks(recipe.value()));
    if (!tagged) {
        context.err << "atelier tag: " << in << ": " << tagged.error() << "\n";
        return kExitFailure;
    }
    if (const QString error = writeFile(out, tagged.value()); !error.isEmpty()) {
        context.err << "atelier tag: " << error << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace atelier::app
