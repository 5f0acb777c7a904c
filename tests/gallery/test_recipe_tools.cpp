// What the gallery does with a recipe: shows its fields, tells two apart (the seed, the words of a prompt, a LoRA's
// strength), and exports an image with everything, the recipe alone or nothing, over real corpus PNGs; a broken
// source or an export over itself is refused and leaves no file.
#include "core/gallery/image_export.h"
#include "core/gallery/recipe_comparison.h"
#include "core/metadata/generation_info.h"
#include "core/metadata/png_text.h"

#include "tests/fixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace atelier;

namespace {

QStringList keywords(const QString &path)
{
    QStringList found;
    const auto text = metadata::readPngTextFile(path);
    for (const metadata::TextChunk &chunk : text.value().chunks)
        found << chunk.keyword;
    return found;
}

const gallery::RecipeDifference *difference(const QList<gallery::RecipeDifference> &all, const QString &name)
{
    for (const gallery::RecipeDifference &one : all)
        if (one.name == name)
            return &one;
    return nullptr;
}

} // namespace

class TestRecipeTools : public QObject
{
    Q_OBJECT

private slots:
    void twoAttemptsAreToldApart()
    {
        metadata::GenerationInfo first;
        first.tool = QStringLiteral("ComfyUI");
        first.prompt = QStringLiteral("a castle on a hill, (golden hour:1.2), detailed");
        first.negativePrompt = QStringLiteral("blurry");
        first.seed = 18446744073709551615ull;
        first.steps = 20;
        first.cfg = 7.0;
        first.sampler = QStringLiteral("euler");
        first.width = 512;
        first.height = 768;
        first.loras << metadata::LoraUse{QStringLiteral("add_detail"), 0.5, QString(), std::nullopt};
        metadata::GenerationInfo second = first;
        second.prompt = QStringLiteral("a castle on a hill, (blue hour:1.2), detailed, fog");
        second.seed = 42;
        second.loras.first().weight = 0.8;

        const QList<gallery::RecipeDifference> changes = gallery::compareRecipes(first, second);
        QCOMPARE(changes.size(), 3);
        QCOMPARE(changes.first().name, QStringLiteral("Prompt"));
        QCOMPARE(changes.first().removed, QStringList{QStringLiteral("(golden")});
        QCOMPARE(changes.first().added, (QStringList{QStringLiteral("(blue"), QStringLiteral("fog")}));
        const auto *seed = difference(changes, QStringLiteral("Seed"));
        QVERIFY(seed);
        QCOMPARE(seed->before, QStringLiteral("18446744073709551615"));
        QCOMPARE(seed->after, QStringLiteral("42"));
        const auto *loras = difference(changes, QStringLiteral("LoRAs"));
        QVERIFY(loras);
        QCOMPARE(loras->before, QStringLiteral("add_detail (0.5)"));
        QCOMPARE(loras->after, QStringLiteral("add_detail (0.8)"));
        QVERIFY(gallery::compareRecipes(first, first).isEmpty());

        // Shown as a reader expects: the size as one field, unstated ones empty.
        const QList<gallery::RecipeField> fields = gallery::recipeFields(first);
        QCOMPARE(fields.at(0).name, QStringLiteral("Model"));
        QVERIFY(fields.at(0).value.isEmpty());
        bool sizeShown = false;
        for (const gallery::RecipeField &field : fields)
            sizeShown =
                sizeShown || (field.name == QStringLiteral("Size") && field.value == QStringLiteral("512 × 768"));
        QVERIFY(sizeShown);

        // An aMUSEd recipe shows its sampler's settings, and a change of temperature is a difference.
        metadata::GenerationInfo amused = first;
        amused.maskedTokens = metadata::MaskedTokenRecipe();
        metadata::GenerationInfo hotter = amused;
        hotter.maskedTokens->temperatureStart = 3.0;
        const QList<gallery::RecipeDifference> temperatures = gallery::compareRecipes(amused, hotter);
        QCOMPARE(temperatures.size(), 1);
        QCOMPARE(temperatures.front().name, QStringLiteral("Temperature"));
        QCOMPARE(temperatures.front().before, QStringLiteral("2 → 0"));
        QCOMPARE(temperatures.front().after, QStringLiteral("3 → 0"));
    }

    void exportsKeepWhatTheArtistChooses()
    {
        QTemporaryDir out;
        const QString comfy = fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora.png");
        QVERIFY(keywords(comfy).contains(QStringLiteral("workflow")));

        const QString everything = out.filePath(QStringLiteral("everything.png"));
        QVERIFY(gallery::exportImage(comfy, everything, gallery::ExportMetadata::Everything));
        QFile a(comfy), b(everything);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(b.readAll(), a.readAll());

        // The recipe alone: A1111's line, with the prompt and seed the graph had, and no graph.
        const QString recipeOnly = out.filePath(QStringLiteral("recipe.png"));
        QVERIFY(gallery::exportImage(comfy, recipeOnly, gallery::ExportMetadata::RecipeOnly));
        QCOMPARE(keywords(recipeOnly), QStringList{QStringLiteral("parameters")});
        const auto original = metadata::readGenerationInfo(comfy);
        const auto shared = metadata::readGenerationInfo(recipeOnly);
        QCOMPARE(shared->tool, QStringLiteral("A1111"));
        // A1111 applies LoRAs named in the prompt, so their tags follow the prompt's words.
        QVERIFY(shared->prompt->startsWith(*original->prompt));
        QVERIFY(shared->prompt->contains(QStringLiteral("<lora:")));
        QCOMPARE(shared->seed, original->seed);
        QCOMPARE(shared->steps, original->steps);
        QCOMPARE(QImage(recipeOnly), QImage(comfy));

        const QString bare = out.filePath(QStringLiteral("bare.png"));
        QVERIFY(gallery::exportImage(comfy, bare, gallery::ExportMetadata::None));
        QVERIFY(keywords(bare).isEmpty());
        QCOMPARE(QImage(bare), QImage(comfy));
        QCOMPARE(metadata::readGenerationInfo(bare)->tool, QStringLiteral("none"));
    }

    void badExportsAreRefusedAndLeaveNothing()
    {
        QTemporaryDir out;
        const QString broken = out.filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a png at all");
        file.close();
        const QString target = out.filePath(QStringLiteral("target.png"));
        const Status refused = gallery::exportImage(broken, target, gallery::ExportMetadata::None);
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("broken.png")), qPrintable(refused.error()));
        QVERIFY(!QFile::exists(target));

        const QString copy = out.filePath(QStringLiteral("copy.png"));
        QVERIFY(QFile::copy(fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora.png"), copy));
        const qint64 size = QFileInfo(copy).size();
        const Status overItself = gallery::exportImage(copy, copy, gallery::ExportMetadata::None);
        QVERIFY(!overItself);
        QVERIFY(overItself.error().contains(QStringLiteral("over itself")));
        QCOMPARE(QFileInfo(copy).size(), size);

        const Status unwritable = gallery::exportImage(copy, out.filePath(QStringLiteral("no/such/folder/x.png")),
                                                       gallery::ExportMetadata::None);
        QVERIFY(!unwritable);
        QVERIFY(unwritable.error().startsWith(QStringLiteral("cannot write")));
    }
};

QTEST_GUILESS_MAIN(TestRecipeTools)
#include "test_recipe_tools.moc"
