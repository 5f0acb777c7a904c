#include "ui/graph/node_texts.h"

#include "core/graph/node_type.h"

#include <QCoreApplication>
#include <QStringList>

namespace atelier::ui {

namespace {

// ComfyUI's category folders that Atelier's nodes use; lupdate collects them from here.
[[maybe_unused]] const char *const kCategoryFolders[] = {
    QT_TRANSLATE_NOOP("NodeCategory", "_for_testing"), QT_TRANSLATE_NOOP("NodeCategory", "advanced"),
    QT_TRANSLATE_NOOP("NodeCategory", "amused"),       QT_TRANSLATE_NOOP("NodeCategory", "batch"),
    QT_TRANSLATE_NOOP("NodeCategory", "conditioning"), QT_TRANSLATE_NOOP("NodeCategory", "image"),
    QT_TRANSLATE_NOOP("NodeCategory", "inpaint"),      QT_TRANSLATE_NOOP("NodeCategory", "latent"),
    QT_TRANSLATE_NOOP("NodeCategory", "loaders"),      QT_TRANSLATE_NOOP("NodeCategory", "mask"),
    QT_TRANSLATE_NOOP("NodeCategory", "sampling"),     QT_TRANSLATE_NOOP("NodeCategory", "upscaling"),
    QT_TRANSLATE_NOOP("NodeCategory", "utils"),        QT_TRANSLATE_NOOP("NodeCategory", "other"),
};

// The choices the canvas offers for seeds and booleans.
[[maybe_unused]] const char *const kChoices[] = {
    QT_TRANSLATE_NOOP("NodeChoice", "fixed"),     QT_TRANSLATE_NOOP("NodeChoice", "increment"),
    QT_TRANSLATE_NOOP("NodeChoice", "decrement"), QT_TRANSLATE_NOOP("NodeChoice", "randomize"),
    QT_TRANSLATE_NOOP("NodeChoice", "true"),      QT_TRANSLATE_NOOP("NodeChoice", "false"),
};

QString translated(const char *context, const QString &english)
{
    return english.isEmpty() ? english : QCoreApplication::translate(context, english.toUtf8().constData());
}

} // namespace

QString nodeName(const graph::NodeDefinition &definition)
{
    return definition.displayName.isEmpty() ? definition.type : translated("NodeDefinition", definition.displayName);
}

QString nodeDescription(const graph::NodeDefinition &definition)
{
    return definition.description.isEmpty() ? definition.type : translated("NodeDefinition", definition.description);
}

QString nodeCategory(const QString &path)
{
    QStringList folders = path.split(QLatin1Char('/'));
    for (QString &folder : folders)
        folder = translated("NodeCategory", folder);
    return folders.join(QLatin1Char('/'));
}

QString nodeTitle(const QString &title, const graph::NodeDefinition *definition)
{
    // Titles Atelier gives (the txt2img tab's "Positive prompt") have messages of their own; a title the artist
    // typed has none and stays as it is.
    return definition && title == definition->displayName ? nodeName(*definition) : translated("NodeTitle", title);
}

QString choiceLabel(const QString &value)
{
    return translated("NodeChoice", value);
}

} // namespace atelier::ui
