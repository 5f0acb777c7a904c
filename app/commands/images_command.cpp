// `atelier images add FOLDER | search QUERY | show IMAGE`: the image index from the command line.
#include "app/command.h"
#include "app/recipe_json.h"
#include "core/gallery/image_index.h"
#include "core/settings/app_root.h"

#include <QDateTime>

namespace atelier::app {

namespace {

using json = nlohmann::ordered_json;

json imageJson(const gallery::IndexedImage &image)
{
    json object;
    object["path"] = image.path.toStdString();
    object["folder"] = image.folder.toStdString();
    object["modified"] = image.modified.toString(Qt::ISODate).toStdString();
    object["width"] = image.width;
    object["height"] = image.height;
    object["sha256"] = image.sha256.toStdString();
    object["has_graph"] = image.hasGraph;
    object["starred"] = image.starred;
    object["rating"] = image.rating;
    object["recipe"] = recipeJson(image.recipe);
    return object;
}

int add(gallery::ImageIndex &index, const QStringList &folders, CommandContext &context)
{
    int status = kExitOk;
    for (const QString &folder : folders) {
        int last = -1;
        const Result<gallery::ScanReport> report = index.scanFolder(folder, [&](int done, int total) {
            // A line every tenth of the way, so that a long scan shows it is moving.
            if (done == total || done * 10 / std::max(1, total) != last) {
                last = done * 10 / std::max(1, total);
                context.err << "indexing " << folder << ": " << done << " of " << total << "\n";
                context.err.flush();
            }
        });
        if (!report) {
            context.err << "atelier images add: " << report.error() << "\n";
            status = kExitFailure;
            continue;
        }
        context.out << folder << ": " << report->indexed << " indexed, " << report->unchanged << " unchanged, "
                    << report->removed << " removed, " << report->failures.size() << " unreadable\n";
        for (const QString &failure : report->failures)
            context.out << "  unreadable: " << failure << "\n";
    }
    return status;
}

} // namespace

int runImagesCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Only images made with this model."),
                                   QStringLiteral("M"));
    const QCommandLineOption lora(QStringLiteral("lora"), QStringLiteral("Only images made with this LoRA."),
                                  QStringLiteral("L"));
    const QCommandLineOption since(
        QStringLiteral("since"), QStringLiteral("Only images from this date on (YYYY-MM-DD)."), QStringLiteral("DATE"));
    parser.addOptions({asJson, model, lora, since});
    parser.addPositionalArgument(QStringLiteral("add|search|show"),
                                 QStringLiteral("add FOLDER...: index the PNGs of folders (and remember them); "
                                                "search [QUERY]: words of prompts, model and LoRA names; show IMAGE: "
                                                "an image's indexed recipe."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("The image index.")); done >= 0)
        return done;
    const QStringList arguments = parser.positionalArguments();
    const QString verb = arguments.value(0);
    if ((verb == QLatin1String("add") && arguments.size() < 2) ||
        (verb == QLatin1String("show") && arguments.size() != 2) ||
        (verb != QLatin1String("add") && verb != QLatin1String("search") && verb != QLatin1String("show"))) {
        context.err << "atelier images: expected add FOLDER..., search [QUERY] or show IMAGE\n"
                       "Try 'atelier images --help'.\n";
        return kExitUsage;
    }
    gallery::ImageIndex index(context.root.imageIndexPath());
    if (const Status opened = index.open(); !opened) {
        context.err << "atelier images: " << opened.error() << "\n";
        return kExitFailure;
    }
    if (verb == QLatin1String("add"))
        return add(index, arguments.mid(1), context);

    if (verb == QLatin1String("show")) {
        const Result<std::optional<gallery::IndexedImage>> image = index.image(arguments.at(1));
        if (!image) {
            context.err << "atelier images show: " << image.error() << "\n";
            return kExitFailure;
        }
        if (!image.value()) {
            context.err << "atelier images show: " << arguments.at(1)
                        << " is not in the index; add its folder with 'atelier images add FOLDER'\n";
            return kExitFailure;
        }
        if (parser.isSet(asJson))
            context.out << QString::fromStdString(imageJson(*image.value()).dump(2)) << "\n";
        else
            context.out << QString::fromStdString(recipeJson(image.value()->recipe).dump(2)) << "\n";
        return kExitOk;
    }

    gallery::ImageQuery query;
    query.text = arguments.mid(1).join(QLatin1Char(' '));
    if (parser.isSet(model))
        query.models << parser.value(model);
    query.lora = parser.value(lora);
    query.limit = 0;
    if (parser.isSet(since)) {
        const QDate date = QDate::fromString(parser.value(since), Qt::ISODate);
        if (!date.isValid()) {
            context.err << "atelier images search: --since takes a date as YYYY-MM-DD, not " << parser.value(since)
                        << "\n";
            return kExitUsage;
        }
        query.since = date.startOfDay(Qt::UTC);
    }
    const Result<QList<gallery::IndexedImage>> found = index.search(query);
    if (!found) {
        context.err << "atelier images search: " << found.error() << "\n";
        return kExitFailure;
    }
    if (parser.isSet(asJson)) {
        json list = json::array();
        for (const gallery::IndexedImage &image : found.value())
            list.push_back(imageJson(image));
        context.out << QString::fromStdString(list.dump(2)) << "\n";
        return kExitOk;
    }
    for (const gallery::IndexedImage &image : found.value()) {
        const metadata::GenerationInfo &recipe = image.recipe;
        context.out << image.path << "\n    " << recipe.tool;
        if (recipe.seed)
            context.out << ", seed " << QString::number(*recipe.seed);
        if (recipe.steps)
            context.out << ", " << *recipe.steps << " steps";
        if (recipe.model)
            context.out << ", " << recipe.model->name;
        context.out << "\n";
        if (recipe.prompt)
            context.out << "    " << recipe.prompt->simplified().left(160) << "\n";
    }
    context.err << found->size() << (found->size() == 1 ? " image\n" : " images\n");
    return kExitOk;
}

} // namespace atelier::app
