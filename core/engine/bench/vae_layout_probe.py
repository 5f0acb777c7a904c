#!/usr/bin/env python3
"""Where the SDXL VAE decode's time goes on a GPU, in PyTorch (diffusers' AutoencoderKL at 1024x1024, batch 1):
NCHW against channels-last, bf16 and fp16, and channels-last with GroupNorm computed in NHWC (PyTorch's CUDA
GroupNorm makes a channels-last input contiguous, and the next convolution makes it channels-last again), with a
kernel profile of each. The engine decodes channels-last in bf16 and was 1.64x slower than diffusers' NCHW decode
on an H100; this shows which layout and norm to use. Needs torch and diffusers (PYTHONPATH may name its src)."""
import time, statistics, torch, torch.nn.functional as F
from diffusers import AutoencoderKL
torch.backends.cudnn.benchmark = True
VAE = dict(down_block_types=("DownEncoderBlock2D",)*4, up_block_types=("UpDecoderBlock2D",)*4,
           block_out_channels=(128,256,512,512), layers_per_block=2, latent_channels=4)
def timeit(fn, warm=3, n=10):
    for _ in range(warm): fn()
    torch.cuda.synchronize(); ts=[]
    for _ in range(n):
        s=torch.cuda.Event(enable_timing=True); e=torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    return statistics.median(ts)
orig_gn = torch.nn.GroupNorm.forward
def nhwc_gn(self, x):
    if not x.is_contiguous(memory_format=torch.channels_last): return orig_gn(self, x)
    b,c,h,w = x.shape; g=self.num_groups
    xs = x.permute(0,2,3,1).reshape(b, h*w, g, c//g)
    var, mean = torch.var_mean(xs.float(), dim=(1,3), keepdim=True, unbiased=False)
    scale = torch.rsqrt(var+self.eps)
    wgt = self.weight.float().view(1,1,g,c//g); bias=self.bias.float().view(1,1,g,c//g)
    a = scale*wgt; bb = bias - mean*a
    y = torch.addcmul(bb.to(x.dtype), xs, a.to(x.dtype)) if False else (xs*a + bb).to(x.dtype)
    return y.reshape(b,h,w,c).permute(0,3,1,2)
with torch.no_grad():
    vae = AutoencoderKL(**VAE).cuda().eval()
    for dt in (torch.bfloat16, torch.float16):
        v = vae.to(dt)
        z = torch.randn(1,4,128,128, device="cuda", dtype=dt)
        print(dt, "NCHW decode ms", timeit(lambda: v.decode(z)), flush=True)
        v = v.to(memory_format=torch.channels_last)
        zc = z.contiguous(memory_format=torch.channels_last)
        print(dt, "channels_last decode ms", timeit(lambda: v.decode(zc)), flush=True)
        torch.nn.GroupNorm.forward = nhwc_gn
        print(dt, "channels_last + NHWC groupnorm ms", timeit(lambda: v.decode(zc)), flush=True)
        torch.nn.GroupNorm.forward = orig_gn
        v = v.to(memory_format=torch.contiguous_format)
    v = vae.to(torch.bfloat16).to(memory_format=torch.channels_last)
    zc = torch.randn(1,4,128,128, device="cuda", dtype=torch.bfloat16).contiguous(memory_format=torch.channels_last)
    from torch.profiler import profile, ProfilerActivity
    for label, gn in (("channels_last", orig_gn), ("channels_last+nhwc_gn", nhwc_gn)):
        torch.nn.GroupNorm.forward = gn
        v.decode(zc); torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            v.decode(zc); torch.cuda.synchronize()
        print("=== profile", label)
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=14), flush=True)
    torch.nn.GroupNorm.forward = orig_gn
    v = vae.to(torch.bfloat16).to(memory_format=torch.contiguous_format)
    z = torch.randn(1,4,128,128, device="cuda", dtype=torch.bfloat16)
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        v.decode(z); torch.cuda.synchronize()
    print("=== profile NCHW")
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=14), flush=True)
