#pragma once

// The operations behind the engine table's runOp: each takes named arguments (op_call.h) and makes new values.
// Names and arguments:
//   load_checkpoint  path, config?, device?, precision?, prediction? -> MODEL, CLIP, VAE (facts: family, prediction)
//   load_vae         path, device?, precision?                       -> VAE
//   apply_lora       model?, clip?, path, strength_model, strength_clip -> MODEL and/or CLIP, in that order
//   clip_set_last_layer  clip, layer (-1 the last, -2 the one before ...) -> CLIP
//   encode_text      clip, text, embedding_folders?                 -> CONDITIONING
//   conditioning_combine a, b | conditioning_concat to, from | conditioning_average to, from, to_strength |
//   conditioning_zero_out conditioning | conditioning_set_area conditioning, width, height, x, y, strength
//                                                                     -> CONDITIONING
//   empty_latent     width, height, batch                            -> LATENT
//   sample           model, positive, negative, latent, seed, steps, cfg, sampler, scheduler, denoise,
//                    add_noise?, start_step?, end_step?, finish_denoising? -> LATENT (with progress)
//   vae_decode       vae, latent, tile?                              -> IMAGE
//   vae_encode       vae, image, tile?                               -> LATENT
//   vae_encode_for_inpaint vae, image, mask, grow                    -> LATENT (greyed under the mask, with it)
//   set_latent_noise_mask latent, mask | latent_upscale latent, method, width, height, crop |
//   latent_upscale_by latent, method, scale | latent_from_batch latent, index, length |
//   repeat_latent_batch latent, amount                               -> LATENT
//   save_latent      latent, path, prompt?, workflow?                -> (a .latent file, ComfyUI's format)
//   image_from_pixels images                                         -> IMAGE
//   mask_from_pixels images (their first channel), invert?          -> MASK
//   image_to_pixels  image                                           -> (images)
//   image_scale image, method, width, height, crop | image_scale_by image, method, scale |
//   image_invert image | image_batch a, b                            -> IMAGE
// aMUSEd (types of their own: AMUSED_MODEL, AMUSED_CLIP, VQGAN, AMUSED_CONDITIONING, TOKENS):
//   load_amused      path, device?, precision?                       -> AMUSED_MODEL, AMUSED_CLIP, VQGAN
//   encode_amused_text clip, text                                    -> AMUSED_CONDITIONING
//   empty_tokens     width, height, batch                            -> TOKENS (fully masked)
//   sample_amused    model, positive, negative, tokens, seed, steps, cfg, temperature_start, temperature_end,
//                    aesthetic_score, crop_top, crop_left, denoise   -> TOKENS (with progress)
//   vq_decode        vqgan, tokens                                   -> IMAGE
//   vq_encode        vqgan, image                                    -> TOKENS
// Throws std::invalid_argument naming the operation and argument at fault, and the engine's Errors.
#include "core/engine/ops/op_call.h"

#include <functional>
#include <string>
#include <vector>

namespace atelier::engine {

OpResult runOp(const OpCall &call, const std::function<bool(const GenerationProgress &)> &onProgress);
std::vector<std::string> opNames();

} // namespace atelier::engine
