"""A U-ViT the fixtures do not have, as diffusers computes it: wider transformer layers than blocks (so the
attention blocks map the text through kv_mapper, as amused-256 and amused-512 do), biases everywhere (use_bias),
the grid halved and doubled, a batch of 3. Writes OUT/transformer/ (config.json and weights, every tensor random)
and OUT/case.safetensors (inputs and logits); `atelier_amused_bench compare OUT` runs Atelier's U-ViT on it.

  PYTHONPATH=/tmp/peer/site /usr/bin/python3 amused_variant_check.py OUT
"""
import os
import sys

import torch
from diffusers import UVit2DModel
from safetensors.torch import save_file


def main():
    out = sys.argv[1]
    torch.manual_seed(5)
    model = UVit2DModel(hidden_size=48, use_bias=True, hidden_dropout=0.0, cond_embed_dim=12, micro_cond_encode_dim=6,
                        micro_cond_embed_dim=30, encoder_hidden_size=20, vocab_size=40, codebook_size=32,
                        in_channels=16, block_out_channels=24, num_res_blocks=2, downsample=True, upsample=True,
                        block_num_heads=3, num_hidden_layers=2, num_attention_heads=4, attention_dropout=0.0,
                        intermediate_size=56, layer_norm_eps=1e-6, ln_elementwise_affine=True, sample_size=6).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn_like(parameter) * 0.3)
    model.save_pretrained(os.path.join(out, "transformer"))
    tokens = torch.randint(0, 32, (3, 6, 6))
    tokens[0, :2] = 39  # masked positions
    tokens[2] = 39
    text, pooled = torch.randn(3, 77, 20), torch.randn(3, 12)
    micro = torch.tensor([[12.0, 12.0, 0.0, 0.0, 6.0], [14.0, 12.0, 1.0, 2.0, 5.0], [12.0, 16.0, 3.0, 0.0, 4.5]])
    with torch.no_grad():
        logits = model(tokens, text, pooled, micro)
    save_file({"input_ids": tokens, "encoder_hidden_states": text, "pooled_text_emb": pooled, "micro_conds": micro,
               "logits": logits.contiguous()}, os.path.join(out, "case.safetensors"))
    print("wrote", out, "logits", tuple(logits.shape))


if __name__ == "__main__":
    main()
