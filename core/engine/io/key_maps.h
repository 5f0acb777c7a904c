#pragma once

#include "core/engine/io/state_dict.h"

#include <string>
#include <vector>

namespace atelier::engine {

// The engine names weights as the original single-file checkpoints do: the UNet as LDM's UNetModel
// ("input_blocks.1.0.in_layers.0.weight"), the VAE as LDM's AutoencoderKL ("encoder.down.0.block.0.conv1.weight"),
// CLIP text encoders as transformers' CLIPTextModel ("text_model.encoder.layers.0.mlp.fc1.weight"). These turn the
// other layouts into those names; each takes the tensors of one component with its prefix already removed.

// A diffusers UNet2DConditionModel ("down_blocks.0.resnets.0.conv1.weight") to LDM names.
StateDict unetFromDiffusers(const StateDict &diffusers);

// The inverse of unetFromDiffusers for one name: the diffusers name of an LDM UNet weight or module
// ("input_blocks.1.1.proj_in" -> "down_blocks.0.attentions.0.proj_in") of a UNet with `resBlocksPerLevel` res blocks
// per level and attention at the levels marked in `attentionAtLevel`. Empty for names outside the UNet's layout.
// LoRA files name modules either way, so the patcher needs both spellings of each weight.
std::string unetDiffusersName(const std::string &ldm, std::int64_t resBlocksPerLevel,
                              const std::vector<bool> &attentionAtLevel);

// A diffusers AutoencoderKL ("decoder.up_blocks.0.resnets.0.conv1.weight") to LDM names. Attention projections
// become 1x1 convolutions, as LDM stores them.
StateDict vaeFromDiffusers(const StateDict &diffusers);

// An OpenCLIP text tower ("transformer.resblocks.0.attn.in_proj_weight", "ln_final.weight") to CLIPTextModel names;
// fused in_proj weights are split into q, k and v views.
StateDict clipFromOpenClip(const StateDict &openClip);

} // namespace atelier::engine
