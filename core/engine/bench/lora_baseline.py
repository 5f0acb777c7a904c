#!/usr/bin/env python3
"""The PyTorch baseline for atelier_lora_bench on a GPU: a rank-32 LoRA patched onto a loaded SDXL UNet (diffusers'
UNet2DConditionModel at the real size, random fp16 weights) and taken off again, the way ComfyUI's ModelPatcher does
it: for each weight, a backup copied to the offload device (the CPU), the weight in float32 on the GPU plus
strength * alpha / rank * (up @ down) with the LoRA's parts moved there, written back in fp16; unpatching copies the
backups back. The LoRA covers what kohya's SDXL trainer covers by default: the transformer blocks' linear layers and
proj_in/proj_out. Prints one line with the median of 3 rounds. Needs torch, transformers and diffusers (PYTHONPATH
may name diffusers' src)."""
import statistics
import time

import torch
from diffusers import UNet2DConditionModel

from diffusers_baseline import SDXL_UNET

RANK = 32
STRENGTH = 0.8


def main():
    with torch.device("cuda"):
        unet = UNet2DConditionModel(**SDXL_UNET)
    unet = unet.to(torch.float16).eval()
    targets = {name: module.weight for name, module in unet.named_modules()
               if isinstance(module, torch.nn.Linear) and (".transformer_blocks." in name or name.endswith(".proj_in")
                                                           or name.endswith(".proj_out"))}
    # The LoRA as a loader leaves it: fp16 tensors in RAM.
    lora = {name: ((torch.randn(w.shape[0], RANK) * 0.01).half(), (torch.randn(RANK, w.shape[1]) * 0.01).half(),
                   float(RANK)) for name, w in targets.items()}
    weight_bytes = sum(w.numel() * w.element_size() for w in targets.values())
    backup = {}

    @torch.no_grad()
    def patch():
        for name, weight in targets.items():
            backup[name] = weight.to(device="cpu", copy=True)
            up, down, alpha = lora[name]
            temp = weight.to(torch.float32, copy=True)
            temp += (alpha / RANK) * STRENGTH * torch.mm(up.to("cuda", torch.float32), down.to("cuda", torch.float32))
            weight.data.copy_(temp.to(weight.dtype))
        torch.cuda.synchronize()

    @torch.no_grad()
    def unpatch():
        for name, weight in targets.items():
            weight.data.copy_(backup[name])
        backup.clear()
        torch.cuda.synchronize()

    def timed(work):
        start = time.perf_counter()
        work()
        return (time.perf_counter() - start) * 1000.0

    patches, unpatches = [], []
    for _ in range(3):
        patches.append(timed(patch))
        unpatches.append(timed(unpatch))
    rounds = ", ".join(f"{p:.0f}/{u:.0f}" for p, u in zip(patches, unpatches))
    print(f"ComfyUI-style LoRA patching in PyTorch {torch.__version__} on {torch.cuda.get_device_name()}: SDXL UNet, "
          f"rank {RANK}, {len(targets)} weights ({weight_bytes / 2**20:.0f} MiB fp16): "
          f"patch {statistics.median(patches):.1f} ms, unpatch {statistics.median(unpatches):.1f} ms "
          f"(median of 3; rounds {rounds} ms)", flush=True)


if __name__ == "__main__":
    main()
