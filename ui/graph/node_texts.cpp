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

// The built-in nodes' input names (ComfyUI's), for their labels; a test checks that none is missing.
[[maybe_unused]] const char *const kInputNames[] = {
    QT_TRANSLATE_NOOP("NodeInput", "add_noise"),
    QT_TRANSLATE_NOOP("NodeInput", "aesthetic_score"),
    QT_TRANSLATE_NOOP("NodeInput", "amount"),
    QT_TRANSLATE_NOOP("NodeInput", "ascore"),
    QT_TRANSLATE_NOOP("NodeInput", "batch_index"),
    QT_TRANSLATE_NOOP("NodeInput", "batch_size"),
    QT_TRANSLATE_NOOP("NodeInput", "cfg"),
    QT_TRANSLATE_NOOP("NodeInput", "channel"),
    QT_TRANSLATE_NOOP("NodeInput", "ckpt_name"),
    QT_TRANSLATE_NOOP("NodeInput", "clip"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_1"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_2"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_from"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_to"),
    QT_TRANSLATE_NOOP("NodeInput", "conditioning_to_strength"),
    QT_TRANSLATE_NOOP("NodeInput", "config_name"),
    QT_TRANSLATE_NOOP("NodeInput", "control_after_generate"),
    QT_TRANSLATE_NOOP("NodeInput", "crop"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_h"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_left"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_top"),
    QT_TRANSLATE_NOOP("NodeInput", "crop_w"),
    QT_TRANSLATE_NOOP("NodeInput", "denoise"),
    QT_TRANSLATE_NOOP("NodeInput", "end_at_step"),
    QT_TRANSLATE_NOOP("NodeInput", "filename_prefix"),
    QT_TRANSLATE_NOOP("NodeInput", "grow_mask_by"),
    QT_TRANSLATE_NOOP("NodeInput", "height"),
    QT_TRANSLATE_NOOP("NodeInput", "image"),
    QT_TRANSLATE_NOOP("NodeInput", "image1"),
    QT_TRANSLATE_NOOP("NodeInput", "image2"),
    QT_TRANSLATE_NOOP("NodeInput", "images"),
    QT_TRANSLATE_NOOP("NodeInput", "input"),
    QT_TRANSLATE_NOOP("NodeInput", "latent_image"),
    QT_TRANSLATE_NOOP("NodeInput", "length"),
    QT_TRANSLATE_NOOP("NodeInput", "lora_name"),
    QT_TRANSLATE_NOOP("NodeInput", "mask"),
    QT_TRANSLATE_NOOP("NodeInput", "model"),
    QT_TRANSLATE_NOOP("NodeInput", "negative"),
    QT_TRANSLATE_NOOP("NodeInput", "noise_seed"),
    QT_TRANSLATE_NOOP("NodeInput", "overlap"),
    QT_TRANSLATE_NOOP("NodeInput", "pixels"),
    QT_TRANSLATE_NOOP("NodeInput", "positive"),
    QT_TRANSLATE_NOOP("NodeInput", "return_with_leftover_noise"),
    QT_TRANSLATE_NOOP("NodeInput", "sampler_name"),
    QT_TRANSLATE_NOOP("NodeInput", "samples"),
    QT_TRANSLATE_NOOP("NodeInput", "scale_by"),
    QT_TRANSLATE_NOOP("NodeInput", "scheduler"),
    QT_TRANSLATE_NOOP("NodeInput", "seed"),
    QT_TRANSLATE_NOOP("NodeInput", "start_at_step"),
    QT_TRANSLATE_NOOP("NodeInput", "steps"),
    QT_TRANSLATE_NOOP("NodeInput", "stop_at_clip_layer"),
    QT_TRANSLATE_NOOP("NodeInput", "strength"),
    QT_TRANSLATE_NOOP("NodeInput", "strength_clip"),
    QT_TRANSLATE_NOOP("NodeInput", "strength_model"),
    QT_TRANSLATE_NOOP("NodeInput", "target_height"),
    QT_TRANSLATE_NOOP("NodeInput", "target_width"),
    QT_TRANSLATE_NOOP("NodeInput", "temperature_end"),
    QT_TRANSLATE_NOOP("NodeInput", "temperature_start"),
    QT_TRANSLATE_NOOP("NodeInput", "temporal_overlap"),
    QT_TRANSLATE_NOOP("NodeInput", "temporal_size"),
    QT_TRANSLATE_NOOP("NodeInput", "text"),
    QT_TRANSLATE_NOOP("NodeInput", "text_g"),
    QT_TRANSLATE_NOOP("NodeInput", "text_l"),
    QT_TRANSLATE_NOOP("NodeInput", "tile_size"),
    QT_TRANSLATE_NOOP("NodeInput", "tokens"),
    QT_TRANSLATE_NOOP("NodeInput", "upscale_method"),
    QT_TRANSLATE_NOOP("NodeInput", "vae"),
    QT_TRANSLATE_NOOP("NodeInput", "vae_name"),
    QT_TRANSLATE_NOOP("NodeInput", "vqgan"),
    QT_TRANSLATE_NOOP("NodeInput", "width"),
    QT_TRANSLATE_NOOP("NodeInput", "x"),
    QT_TRANSLATE_NOOP("NodeInput", "y"),
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

QString inputLabel(const QString &name)
{
    return translated("NodeInput", name);
}

QString choiceLabel(const QString &value)
{
    return translated("NodeChoice", value);
}

} // namespace atelier::ui
