"""diffusers' side of atelier_amused_bench (bench_amused.cpp), measured the same way, on the CPU unless --device
names a GPU.

  amused_baseline.py pipeline FOLDER STEPS RUNS   AmusedPipeline, "a photo of a cat", guidance 10, seed 42
  amused_baseline.py transformer RUNS             a full-size amused-256 UVit2DModel call, random weights, float32,
                                                  batch 2, 16x16 tokens, 77 text tokens
  amused_baseline.py train MODEL STEPS [RANK]     training steps (forward, masked cross-entropy, backward, AdamW) as
                                                  train_amused.py takes them: the whole transformer, or a LoRA of
                                                  RANK on to_q/to_k/to_v through PEFT as the script adds it; MODEL
                                                  "amused-256" (random, 16x16 tokens) or an aMUSEd folder
  amused_baseline.py make FOLDER 256|512          writes a full-size aMUSEd pipeline of random weights (amused-256's
                                                  or amused-512's configuration, float16), which both sides then load;
                                                  the tokenizer is copied from --tokenizer DIR

Options of pipeline and train: --device cpu|cuda, --precision fp32|fp16|bf16 (in training, the forward pass under
autocast, as accelerate's mixed precision runs it), --batch N (images per prompt, or per training step).

On the CPU it runs over ../shared/bench/setup_diffusers_cpu.sh's folder (diffusers 0.27.2 on Debian's python3-torch,
the same libtorch 1.13 as Atelier): PYTHONPATH=/tmp/peer/site python3 amused_baseline.py ...
"""
import resource
import sys
import time

import torch


PRECISIONS = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def synchronize(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(runs, run, device="cpu"):
    run()
    synchronize(device)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    return sorted(seconds)


def report(mode, seconds, device="cpu"):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    on_device = f"; device peak {torch.cuda.max_memory_allocated() // (1024 * 1024)} MiB" \
        if device.startswith("cuda") else ""
    print(f"{mode}: fastest {seconds[0]:.4f} s, median {seconds[len(seconds) // 2]:.4f} s over {len(seconds)} runs; "
          f"peak RSS {peak:.0f} MiB{on_device}; {torch.get_num_threads()} threads")


def amused_256(size=256):
    """amused-256's transformer; amused-512's is the same with down/upsampling and a 32x32 grid
    (diffusers' scripts/convert_amused.py)."""
    from diffusers import UVit2DModel
    resampled = size == 512
    return UVit2DModel(hidden_size=1024, use_bias=False, hidden_dropout=0.0, cond_embed_dim=768,
                       micro_cond_encode_dim=256, micro_cond_embed_dim=1280, encoder_hidden_size=768,
                       vocab_size=8256, codebook_size=8192, in_channels=768, block_out_channels=768,
                       num_res_blocks=3, downsample=resampled, upsample=resampled, block_num_heads=12,
                       num_hidden_layers=22, num_attention_heads=16, attention_dropout=0.0,
                       intermediate_size=2816, layer_norm_eps=1e-6, ln_elementwise_affine=True,
                       sample_size=32 if resampled else 16)


def make(folder, size, tokenizer_folder):
    """A random full-size aMUSEd pipeline: the VQ-GAN of scripts/convert_amused.py, CLIP ViT-L/14's text encoder with
    its projection (openMUSE/muse-512's), the transformer above."""
    from diffusers import AmusedPipeline, AmusedScheduler, VQModel
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection, CLIPTokenizer
    torch.manual_seed(0)
    vqvae = VQModel(act_fn="silu", block_out_channels=[128, 256, 256, 512, 768],
                    down_block_types=["DownEncoderBlock2D"] * 5, up_block_types=["UpDecoderBlock2D"] * 5,
                    in_channels=3, out_channels=3, latent_channels=64, layers_per_block=2, norm_num_groups=32,
                    num_vq_embeddings=8192, sample_size=32, mid_block_add_attention=False,
                    lookup_from_codebook=True)
    text_encoder = CLIPTextModelWithProjection(CLIPTextConfig(
        vocab_size=49408, hidden_size=768, intermediate_size=3072, projection_dim=768, num_hidden_layers=12,
        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu"))
    pipe = AmusedPipeline(vqvae=vqvae, tokenizer=CLIPTokenizer.from_pretrained(tokenizer_folder),
                          text_encoder=text_encoder, transformer=amused_256(size),
                          scheduler=AmusedScheduler(mask_token_id=8255))
    pipe.to(torch.float16).save_pretrained(folder)
    print(f"wrote a random amused-{size} pipeline to {folder}")


def train(model_name, steps, rank, device, precision, batch):
    import torch.nn.functional as F
    from diffusers import UVit2DModel
    torch.set_grad_enabled(True)
    torch.manual_seed(0)
    if model_name == "amused-256":
        model, name = amused_256(), "amused-256"
    else:
        model, name = UVit2DModel.from_pretrained(model_name, subfolder="transformer"), "tiny"
    model.to(device)
    model.train()
    if rank > 0:
        # train_amused.py's LoRA: PEFT's adapter on to_q/to_k/to_v, only its weights trained.
        from peft import LoraConfig
        model.requires_grad_(False)
        model.add_adapter(LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=["to_q", "to_k", "to_v"]))
    grid, codebook = model.config.sample_size, model.config.codebook_size
    trained = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
    tokens = torch.randint(0, codebook, (batch, grid * grid))
    count = (grid * grid * torch.cos(torch.rand(batch) * torch.pi * 0.5)).round().clamp(min=1)
    mask = torch.rand(batch, grid * grid).argsort(dim=-1) < count.unsqueeze(-1)
    input_ids = torch.where(mask, model.config.vocab_size - 1, tokens).reshape(batch, grid, grid).to(device)
    labels = torch.where(mask, tokens, -100).to(device)
    text = torch.randn(batch, 77, model.config.encoder_hidden_size, device=device)
    pooled = torch.randn(batch, model.config.cond_embed_dim, device=device)
    micro = torch.tensor([[256.0, 256.0, 0.0, 0.0, 6.0]], device=device).expand(batch, 5)
    dtype = PRECISIONS[precision]
    scaler = torch.amp.GradScaler(device.split(":")[0], enabled=dtype == torch.float16)

    def step():
        with torch.autocast(device.split(":")[0], dtype=dtype, enabled=dtype != torch.float32):
            logits = model(input_ids, text, pooled, micro)
        logits = logits.float().reshape(batch, codebook, -1).permute(0, 2, 1).reshape(-1, codebook)
        scaler.scale(F.cross_entropy(logits, labels.reshape(-1), ignore_index=-100)).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)

    what = f"LoRA rank {rank}" if rank > 0 else "whole transformer"
    report(f"diffusers {name} {what} training step, batch {batch}, {precision} on {device}",
           timed(steps, step, device), device)


def main():
    arguments = sys.argv[1:]
    options = {"--device": "cpu", "--precision": "fp32", "--batch": "1", "--tokenizer": ""}
    positional = []
    while arguments:
        argument = arguments.pop(0)
        if argument in options and arguments:
            options[argument] = arguments.pop(0)
        else:
            positional.append(argument)
    mode = positional.pop(0) if positional else ""
    device, precision, batch = options["--device"], options["--precision"], int(options["--batch"])
    torch.set_grad_enabled(False)
    if mode == "pipeline" and len(positional) == 3:
        # Without the tokenizers library transformers falls back to an AddedToken dataclass that Python 3.11 leaves
        # unhashable (eq=True, not frozen) and without __setstate__; the slow CLIPTokenizer needs both.
        import transformers.tokenization_utils_base as tokenization
        if hasattr(tokenization, "AddedToken"):
            tokenization.AddedToken.__hash__ = lambda token: hash(token.content)
            tokenization.AddedToken.__setstate__ = lambda token, state: token.__dict__.update(state)
        from diffusers import AmusedPipeline
        pipe = AmusedPipeline.from_pretrained(positional[0]).to(device, PRECISIONS[precision])
        pipe.set_progress_bar_config(disable=True)
        steps = int(positional[1])
        run = lambda: pipe("a photo of a cat", num_inference_steps=steps, guidance_scale=10.0,
                           num_images_per_prompt=batch, output_type="np",
                           generator=torch.Generator(device).manual_seed(42))
        report(f"diffusers AmusedPipeline, batch {batch}, {precision} on {device}",
               timed(int(positional[2]), run, device), device)
    elif mode == "transformer" and len(positional) == 1:
        torch.manual_seed(0)
        model = amused_256().eval()
        tokens = torch.randint(0, 8192, (2, 16, 16))
        text, pooled = torch.randn(2, 77, 768), torch.randn(2, 768)
        micro = torch.tensor([256.0, 256.0, 0.0, 0.0, 6.0]).unsqueeze(0).expand(2, 5)
        report("diffusers UVit2DModel call", timed(int(positional[0]),
                                                   lambda: model(tokens, text, pooled, micro)))
    elif mode == "train" and len(positional) in (2, 3):
        train(positional[0], int(positional[1]), int(positional[2]) if len(positional) == 3 else 0, device,
              precision, batch)
    elif mode == "make" and len(positional) == 2 and options["--tokenizer"]:
        make(positional[0], int(positional[1]), options["--tokenizer"])
    else:
        sys.exit(f"usage: {sys.argv[0]} pipeline FOLDER STEPS RUNS | transformer RUNS | train MODEL STEPS [RANK] "
                 "| make FOLDER 256|512 --tokenizer DIR  [--device D] [--precision P] [--batch N]")


if __name__ == "__main__":
    main()
