"""diffusers' side of atelier_amused_bench (bench_amused.cpp), measured the same way: PyTorch eager on the CPU.

  amused_baseline.py pipeline FOLDER STEPS RUNS   AmusedPipeline, "a photo of a cat", guidance 10, seed 42
  amused_baseline.py transformer RUNS             a full-size amused-256 UVit2DModel call, random weights, float32,
                                                  batch 2, 16x16 tokens, 77 text tokens
  amused_baseline.py train MODEL STEPS            training steps of the whole transformer (batch 1: forward,
                                                  masked cross-entropy, backward, AdamW) as train_amused.py takes
                                                  them; MODEL "amused-256" (random, 16x16 tokens) or an aMUSEd folder

Runs over ../shared/bench/setup_diffusers_cpu.sh's folder (diffusers 0.27.2 on Debian's python3-torch, the same
libtorch 1.13 as Atelier): PYTHONPATH=/tmp/peer/site python3 amused_baseline.py ...
"""
import resource
import sys
import time

import torch


def timed(runs, run):
    run()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return sorted(seconds)


def report(mode, seconds):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode}: fastest {seconds[0]:.4f} s, median {seconds[len(seconds) // 2]:.4f} s over {len(seconds)} runs; "
          f"peak RSS {peak:.0f} MiB; {torch.get_num_threads()} threads")


def amused_256():
    from diffusers import UVit2DModel
    return UVit2DModel(hidden_size=1024, use_bias=False, hidden_dropout=0.0, cond_embed_dim=768,
                       micro_cond_encode_dim=256, micro_cond_embed_dim=1280, encoder_hidden_size=768,
                       vocab_size=8256, codebook_size=8192, in_channels=768, block_out_channels=768,
                       num_res_blocks=3, downsample=False, upsample=False, block_num_heads=12,
                       num_hidden_layers=22, num_attention_heads=16, attention_dropout=0.0,
                       intermediate_size=2816, layer_norm_eps=1e-6, ln_elementwise_affine=True, sample_size=16)


def train(model_name, steps):
    import torch.nn.functional as F
    from diffusers import UVit2DModel
    torch.set_grad_enabled(True)
    torch.manual_seed(0)
    if model_name == "amused-256":
        model, name = amused_256(), "amused-256"
    else:
        model, name = UVit2DModel.from_pretrained(model_name, subfolder="transformer"), "tiny"
    model.train()
    grid, codebook = model.config.sample_size, model.config.codebook_size
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
    tokens = torch.randint(0, codebook, (1, grid * grid))
    count = (grid * grid * torch.cos(torch.rand(1) * torch.pi * 0.5)).round().clamp(min=1)
    mask = torch.rand(1, grid * grid).argsort(dim=-1) < count.unsqueeze(-1)
    input_ids = torch.where(mask, model.config.vocab_size - 1, tokens).reshape(1, grid, grid)
    labels = torch.where(mask, tokens, -100)
    text, pooled = torch.randn(1, 77, model.config.encoder_hidden_size), torch.randn(1, model.config.cond_embed_dim)
    micro = torch.tensor([[256.0, 256.0, 0.0, 0.0, 6.0]])

    def step():
        logits = model(input_ids, text, pooled, micro)
        logits = logits.reshape(1, codebook, -1).permute(0, 2, 1).reshape(-1, codebook)
        F.cross_entropy(logits, labels.reshape(-1), ignore_index=-100).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    report(f"diffusers {name} whole transformer training step", timed(steps, step))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    torch.set_grad_enabled(False)
    if mode == "pipeline" and len(sys.argv) == 5:
        # Without the tokenizers library transformers falls back to an AddedToken dataclass that Python 3.11 leaves
        # unhashable (eq=True, not frozen) and without __setstate__; the slow CLIPTokenizer needs both.
        import transformers.tokenization_utils_base as tokenization
        tokenization.AddedToken.__hash__ = lambda token: hash(token.content)
        tokenization.AddedToken.__setstate__ = lambda token, state: token.__dict__.update(state)
        from diffusers import AmusedPipeline
        pipe = AmusedPipeline.from_pretrained(sys.argv[2])
        pipe.set_progress_bar_config(disable=True)
        steps = int(sys.argv[3])
        run = lambda: pipe("a photo of a cat", num_inference_steps=steps, guidance_scale=10.0,
                           generator=torch.Generator().manual_seed(42))
        report("diffusers AmusedPipeline", timed(int(sys.argv[4]), run))
    elif mode == "transformer" and len(sys.argv) == 3:
        from diffusers import UVit2DModel
        torch.manual_seed(0)
        model = UVit2DModel(hidden_size=1024, use_bias=False, hidden_dropout=0.0, cond_embed_dim=768,
                            micro_cond_encode_dim=256, micro_cond_embed_dim=1280, encoder_hidden_size=768,
                            vocab_size=8256, codebook_size=8192, in_channels=768, block_out_channels=768,
                            num_res_blocks=3, downsample=False, upsample=False, block_num_heads=12,
                            num_hidden_layers=22, num_attention_heads=16, attention_dropout=0.0,
                            intermediate_size=2816, layer_norm_eps=1e-6, ln_elementwise_affine=True,
                            sample_size=16).eval()
        tokens = torch.randint(0, 8192, (2, 16, 16))
        text, pooled = torch.randn(2, 77, 768), torch.randn(2, 768)
        micro = torch.tensor([256.0, 256.0, 0.0, 0.0, 6.0]).unsqueeze(0).expand(2, 5)
        report("diffusers UVit2DModel call", timed(int(sys.argv[2]),
                                                   lambda: model(tokens, text, pooled, micro)))
    elif mode == "train" and len(sys.argv) == 4:
        train(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(f"usage: {sys.argv[0]} pipeline FOLDER STEPS RUNS | transformer RUNS | train MODEL STEPS")


if __name__ == "__main__":
    main()
