#pragma once

// "Use recipe": an image's settings put into the graph being edited, where the graph has a widget for them. The
// first active sampler (KSampler, KSamplerAdvanced) takes the seed, steps, CFG, sampler, scheduler and denoise;
// the text encoders its positive and negative conditioning come from (through ControlNet and similar nodes) take
// the prompts; the empty latent it samples takes the size; the checkpoint loader its model comes from (through
// LoRA loaders) takes the model's name. Only what the recipe states is set; sampler names from other tools become
// ComfyUI's.
#include "core/metadata/generation_info.h"

#include <QStringList>

namespace atelier::graph {

class GraphDocument;

// What was changed, one line per input ("KSampler 3: seed 42"); empty when the graph had nothing to take.
QStringList fillFromRecipe(GraphDocument &document, const metadata::GenerationInfo &recipe);

} // namespace atelier::graph
