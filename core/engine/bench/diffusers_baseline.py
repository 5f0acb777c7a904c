#!/usr/bin/env python3
"""The PyTorch-eager baseline for atelier_engine_bench, on the same GPU: diffusers' networks at the real SD 1.5,
SD 2.1 and SDXL sizes with random weights (fp16, batch 2 with guidance, cuDNN autotuning on), the VAE decode, and
whole txt2img runs through diffusers' pipelines (the text encoders from transformers, random weights, run inside
the timed region as the pipeline would run them). Prints a table in the engine benchmark's format.

Needs torch, transformers and diffusers (PYTHONPATH may point at diffusers' src folder)."""
import argparse
import statistics
import time

import torch
from diffusers import (AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, StableDiffusionXLPipeline,
                       UNet2DConditionModel)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

DEVICE = "cuda"
DTYPE = torch.float16

SD15_UNET = dict(sample_size=64, cross_attention_dim=768, attention_head_dim=8)
SD21_UNET = dict(sample_size=96, cross_attention_dim=1024, attention_head_dim=(5, 10, 20, 20), use_linear_projection=True)
SDXL_UNET = dict(
    sample_size=128,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    block_out_channels=(320, 640, 1280),
    transformer_layers_per_block=(1, 2, 10),
    attention_head_dim=(5, 10, 20),
    cross_attention_dim=2048,
    use_linear_projection=True,
    addition_embed_type="text_time",
    addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816,
)
VAE = dict(
    down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(128, 256, 512, 512),
    layers_per_block=2,
    latent_channels=4,
)
CLIP_L = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
              hidden_act="quick_gelu", projection_dim=768)
OPENCLIP_H = dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=23, num_attention_heads=16,
                  hidden_act="gelu", projection_dim=1024)
OPENCLIP_BIGG = dict(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=20,
                     hidden_act="gelu", projection_dim=1280)

figures = {}


def add(name, value):
    figures.setdefault(name, []).append(value)


def time_calls(call, warmup, calls):
    for _ in range(warmup):
        call()
    torch.cuda.synchronize()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def build(factory):
    with torch.device(DEVICE):
        module = factory()
    return module.to(DTYPE).eval()


def text_encoder(config, with_projection):
    config = CLIPTextConfig(vocab_size=49408, max_position_embeddings=77, **config)
    return build(lambda: (CLIPTextModelWithProjection if with_projection else CLIPTextModel)(config))


@torch.no_grad()
def bench_family(name, unet_config, latent, tflop, encoders, steps, calls, repeats, sdxl):
    unet = build(lambda: UNet2DConditionModel(**unet_config))
    x = torch.randn(2, 4, latent, latent, device=DEVICE, dtype=DTYPE)
    t = torch.full((2,), 500.0, device=DEVICE)
    context = torch.randn(2, 77, unet_config["cross_attention_dim"], device=DEVICE, dtype=DTYPE)
    extra = {}
    if sdxl:
        extra["added_cond_kwargs"] = {"text_embeds": torch.randn(2, 1280, device=DEVICE, dtype=DTYPE),
                                      "time_ids": torch.tensor([[1024.0, 1024, 0, 0, 1024, 1024]] * 2,
                                                               device=DEVICE, dtype=DTYPE)}
    for _ in range(repeats):
        ms = time_calls(lambda: unet(x, t, context, **extra), 5, calls)
        add(f"{name} UNet eager ms", ms)
        add(f"{name} UNet eager TFLOP/s", tflop / (ms / 1000.0))

    vae = build(lambda: AutoencoderKL(**VAE))
    z = torch.randn(1, 4, latent, latent, device=DEVICE, dtype=DTYPE)
    for _ in range(repeats):
        add(f"{name} VAE decode b1 fp16 ms", time_calls(lambda: vae.decode(z), 2, max(3, calls // 3)))
    vae_bf16 = build(lambda: AutoencoderKL(**VAE)).to(torch.bfloat16)
    for _ in range(repeats):
        add(f"{name} VAE decode b1 bf16 ms", time_calls(lambda: vae_bf16.decode(z.to(torch.bfloat16)), 2, max(3, calls // 3)))
    del vae_bf16

    models = [text_encoder(config, projection) for config, projection in encoders]
    ids = torch.randint(0, 49407, (2, 77), device=DEVICE)
    for _ in range(repeats):
        add(f"{name} text encoder(s) b2 ms",
            time_calls(lambda: [m(ids, output_hidden_states=True) for m in models], 3, calls))

    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       num_train_timesteps=1000, steps_offset=1, timestep_spacing="leading")
    if sdxl:
        pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=None, text_encoder_2=None, tokenizer=None,
                                         tokenizer_2=None, unet=unet, scheduler=scheduler, add_watermarker=False)
    else:
        pipe = StableDiffusionPipeline(vae=vae, text_encoder=None, tokenizer=None, unet=unet, scheduler=scheduler,
                                       safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    size = latent * 8

    def run():
        # What encode_prompt does once the prompts are tokenized: both prompts through every encoder, the
        # penultimate layer kept, and SDXL's pooled output of the last encoder.
        hidden, pooled = [], None
        for m in models:
            out = m(ids, output_hidden_states=True)
            hidden.append(out.hidden_states[-2] if sdxl or len(models) > 1 else out.last_hidden_state)
            pooled = getattr(out, "text_embeds", None)
        embeds = torch.cat(hidden, dim=-1)
        kwargs = dict(prompt_embeds=embeds[:1], negative_prompt_embeds=embeds[1:])
        if sdxl:
            kwargs.update(pooled_prompt_embeds=pooled[:1], negative_pooled_prompt_embeds=pooled[1:])
        return pipe(height=size, width=size, num_inference_steps=steps, guidance_scale=7.0, output_type="pt",
                    generator=torch.Generator(DEVICE).manual_seed(42), **kwargs).images

    run()
    for _ in range(repeats):
        torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        torch.cuda.synchronize()
        add(f"{name} txt2img {steps} steps (diffusers pipeline) ms", (time.perf_counter() - start) * 1000.0)
    del pipe, unet, vae, models
    torch.cuda.empty_cache()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--only", choices=["sd15", "sd21", "sdxl"])
    args = parser.parse_args()
    torch.backends.cudnn.benchmark = True
    lines = [f"diffusers baseline: torch {torch.__version__}, {torch.cuda.get_device_name()}, fp16, eager"]
    families = {
        "sd15": ("SD1.5 512px", SD15_UNET, 64, 1.61, [(CLIP_L, False)], 20, False),
        "sd21": ("SD2.1 768px", SD21_UNET, 96, 4.30, [(OPENCLIP_H, False)], 20, False),
        "sdxl": ("SDXL 1024px", SDXL_UNET, 128, 13.5, [(CLIP_L, False), (OPENCLIP_BIGG, True)], 30, True),
    }
    for key, family in families.items():
        if args.only and key != args.only:
            continue
        bench_family(*family[:-1], args.calls, args.repeats, family[-1])
        print(f"{key} done", flush=True)
    lines += ["", "| figure | median | min | max | runs |", "| --- | --- | --- | --- | --- |"]
    for name, values in sorted(figures.items()):
        lines.append(f"| {name} | {statistics.median(values):.4g} | {min(values):.4g} | {max(values):.4g} | {len(values)} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
