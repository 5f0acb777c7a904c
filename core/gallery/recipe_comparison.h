#pragma once

// A recipe as an artist reads it, field by field, and what changed between two: the seed, words of the prompts,
// steps, a LoRA's strength... (the gallery's compare view and inspector).
#include "core/metadata/generation_info.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace atelier::gallery {

struct RecipeField
{
    // "Seed", "Steps", "Sampler" ...: stable keys, shown through recipeFieldLabel()
    QString name;
    QString value; // as shown; empty when the recipe does not state it
};
// The fields the recipe states besides the prompts, in the order a reader expects them.
QList<RecipeField> recipeFields(const metadata::GenerationInfo &recipe);
// A field's name ("Steps", "Negative prompt") in the interface's language.
QString recipeFieldLabel(const QString &name);

struct RecipeDifference
{
    QString name;          // a RecipeField name, or "Prompt" / "Negative prompt" (translated as those)
    QString before, after; // empty when that side does not state it
    // Prompts only: the words (comma-separated phrases' words, emphasis kept) one side has and the other lacks.
    QStringList removed, added;
};
// The fields that differ between `before` and `after`, prompts first.
QList<RecipeDifference> compareRecipes(const metadata::GenerationInfo &before, const metadata::GenerationInfo &after);

} // namespace atelier::gallery
