#include "core/gallery/recipe_comparison.h"

#include <QCoreApplication>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>

namespace atelier::gallery {

namespace {

QString number(double value)
{
    return QLocale().toString(value, 'g', 6);
}

template <typename T, typename Show> QString shown(const std::optional<T> &value, Show show)
{
    return value ? show(*value) : QString();
}

QString loraText(const metadata::LoraUse &lora)
{
    QString text = lora.name;
    if (lora.weight && lora.clipWeight && *lora.clipWeight != *lora.weight)
        text += QCoreApplication::translate("RecipeComparison", " (%1, text %2)")
                    .arg(number(*lora.weight), number(*lora.clipWeight));
    else if (lora.weight)
        text += QStringLiteral(" (%1)").arg(number(*lora.weight));
    return text;
}

// Words as an artist edits them: split at commas and spaces, lower-cased, brackets kept (they are emphasis).
QStringList promptWords(const std::optional<QString> &prompt)
{
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    QStringList words;
    for (const QString &word : prompt.value_or(QString()).split(separators, Qt::SkipEmptyParts))
        words << word.toLower();
    return words;
}

// `from` without `without`'s words, counting repeats (a word typed twice and once differs by one); in `from`'s order.
QStringList wordsMissing(const QStringList &from, const QStringList &without)
{
    QHash<QString, int> available;
    for (const QString &word : without)
        ++available[word];
    QStringList missing;
    for (const QString &word : from) {
        if (int &left = available[word]; left > 0)
            --left;
        else if (!missing.contains(word))
            missing << word;
    }
    return missing;
}

} // namespace

QString recipeFieldLabel(const QString &name)
{
    return QCoreApplication::translate("RecipeField", name.toUtf8().constData());
}

QList<RecipeField> recipeFields(const metadata::GenerationInfo &recipe)
{
    QList<RecipeField> fields;
    const auto add = [&](const QString &name, const QString &value) { fields.append({name, value}); };
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Model")), recipe.model ? recipe.model->name : QString());
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Seed")),
        shown(recipe.seed, [](quint64 seed) { return QString::number(seed); }));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Steps")),
        shown(recipe.steps, [](int steps) { return QString::number(steps); }));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Sampler")), recipe.sampler.value_or(QString()));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Scheduler")), recipe.scheduler.value_or(QString()));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "CFG")), shown(recipe.cfg, number));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Size")),
        recipe.width && recipe.height ? QStringLiteral("%1 × %2").arg(*recipe.width).arg(*recipe.height) : QString());
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Denoise")), shown(recipe.denoise, number));
    QStringList loras;
    for (const metadata::LoraUse &lora : recipe.loras)
        loras << loraText(lora);
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "LoRAs")), loras.join(QStringLiteral(", ")));
    QStringList embeddings;
    for (const metadata::ModelReference &embedding : recipe.embeddings)
        embeddings << embedding.name;
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Embeddings")), embeddings.join(QStringLiteral(", ")));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "VAE")), recipe.vae ? recipe.vae->name : QString());
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Clip skip")),
        shown(recipe.clipSkip, [](int skip) { return QString::number(skip); }));
    // aMUSEd's sampler settings: its temperatures, and what it was conditioned on besides the prompt.
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Temperature")),
        shown(recipe.maskedTokens, [](const metadata::MaskedTokenRecipe &masked) {
            return QStringLiteral("%1 → %2").arg(number(masked.temperatureStart), number(masked.temperatureEnd));
        }));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Aesthetic score")),
        shown(recipe.maskedTokens,
              [](const metadata::MaskedTokenRecipe &masked) { return number(masked.aestheticScore); }));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Crop")),
        shown(recipe.maskedTokens, [](const metadata::MaskedTokenRecipe &masked) {
            return QStringLiteral("%1, %2").arg(masked.cropTop).arg(masked.cropLeft);
        }));
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Sampling passes")),
        recipe.samplingPasses > 1 ? QString::number(recipe.samplingPasses) : QString());
    add(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Tool")),
        recipe.toolVersion.isEmpty() ? recipe.tool : recipe.tool + QLatin1Char(' ') + recipe.toolVersion);
    return fields;
}

QList<RecipeDifference> compareRecipes(const metadata::GenerationInfo &before, const metadata::GenerationInfo &after)
{
    QList<RecipeDifference> differences;
    const auto comparePrompt = [&](const QString &name, const std::optional<QString> &a,
                                   const std::optional<QString> &b) {
        if (a.value_or(QString()) == b.value_or(QString()))
            return;
        const QStringList wordsA = promptWords(a), wordsB = promptWords(b);
        differences.append({name, a.value_or(QString()), b.value_or(QString()), wordsMissing(wordsA, wordsB),
                            wordsMissing(wordsB, wordsA)});
    };
    comparePrompt(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Prompt")), before.prompt, after.prompt);
    comparePrompt(QLatin1String(QT_TRANSLATE_NOOP("RecipeField", "Negative prompt")), before.negativePrompt,
                  after.negativePrompt);
    const QList<RecipeField> a = recipeFields(before), b = recipeFields(after);
    for (int i = 0; i < a.size(); ++i)
        if (a.at(i).value != b.at(i).value)
            differences.append({a.at(i).name, a.at(i).value, b.at(i).value, {}, {}});
    return differences;
}

} // namespace atelier::gallery
