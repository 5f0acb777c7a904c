#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into corpus/<target>/seed-*.

Run from anywhere: python3 tests/fuzz/make_seeds.py [FIXTURES]. The recipe seeds take the text chunks of the real
images in FIXTURES/corpus (default ../shared/fixtures); everything else is built here, small, byte by byte.
"""
import json
import pathlib
import pickle
import struct
import sys
import types
import zipfile
import zlib
import io

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent.parent / "shared" / "fixtures")
MAX_SEED = 60000  # the targets run with -max_len=65536


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) <= MAX_SEED:
        (folder / ("seed-" + name)).write_bytes(data)


# ---- recipe text: first byte picks the reader ------------------------------------------------------------------
READERS = {"parameters": 0, "prompt": 1, "workflow": 2, "invokeai_metadata": 3, "sd-metadata": 4, "Dream": 5,
           "atelier_metadata": 6}


def png_text_chunks(data):
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"tEXt":
            keyword, _, text = body.partition(b"\0")
            yield keyword.decode("latin-1"), text.decode("latin-1").encode("utf-8")
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\0")
            yield keyword.decode("latin-1"), zlib.decompress(rest[1:]).decode("latin-1").encode("utf-8")
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, text = rest.partition(b"\0")
            yield keyword.decode("latin-1"), zlib.decompress(text) if compressed else text


for image in sorted((FIXTURES / "corpus").rglob("*.png")):
    for keyword, text in png_text_chunks(image.read_bytes()):
        if keyword in READERS:
            write("fuzz_recipe_text", f"{image.parent.name}-{image.stem}-{keyword}", bytes([READERS[keyword]]) + text)
write("fuzz_recipe_text", "dream", bytes([5]) + b'"a lighthouse at dusk" -s 50 -S 3210 -W 512 -H 768 -C 7.5 -A k_lms -f 0.6')
write("fuzz_recipe_text", "legacy", bytes([4]) + json.dumps({
    "model_weights": "stable-diffusion-1.5", "model_hash": "cc6cb27103417325ff94f52b7a5d2dde45a7515b25c255d8e396c90014281516",
    "app_version": "2.3.5", "image": {"prompt": [{"prompt": "a cat", "weight": 1.0}], "steps": 50, "cfg_scale": 7.5,
                                      "height": 512, "width": 512, "seed": 3210, "type": "txt2img", "sampler": "k_lms"}}).encode())
write("fuzz_recipe_text", "atelier", bytes([6]) + json.dumps({
    "format": "atelier-metadata", "version": 1, "app": {"name": "Atelier", "version": "0.1.0"}, "prompt": "a cat",
    "seed": 18446744073709551615, "steps": 20, "sampler": "euler", "scheduler": "normal", "cfg": 7.0, "width": 512,
    "height": 512, "loras": [{"name": "detail", "sha256": "ab" * 32, "strength_model": 0.8, "strength_clip": 1.0}],
    "model": {"name": "tiny", "sha256": "cd" * 32}}).encode())

# ---- model files: first byte 0 = .safetensors, 1 = .ckpt ---------------------------------------------------------


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


write("fuzz_model_file", "safetensors-small", b"\0" + safetensors({
    "a.weight": ("F16", [2, 3], bytes(range(12))), "a.bias": ("F32", [2], struct.pack("<2f", 1.5, -2.0))},
    {"format": "pt"}))
write("fuzz_model_file", "safetensors-dtypes", b"\0" + safetensors({
    "b": ("BF16", [4], bytes(8)), "i": ("I64", [1], struct.pack("<q", -7)), "u": ("U8", [3], b"abc"),
    "bool": ("BOOL", [2], b"\0\1"), "d": ("F64", [1, 1], struct.pack("<d", 3.25)), "scalar": ("F32", [], bytes(4)),
    "empty": ("F16", [0, 4], b"")}))
write("fuzz_model_file", "safetensors-sd-keys", b"\0" + safetensors({
    "model.diffusion_model.input_blocks.0.0.weight": ("F16", [2, 4, 1, 1], bytes(16)),
    "model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight": ("F16", [2, 3], bytes(12)),
    "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight": ("F16", [3, 2], bytes(12)),
    "first_stage_model.encoder.conv_in.weight": ("F16", [1, 3, 1, 1], bytes(6))}))
write("fuzz_model_file", "safetensors-lora", b"\0" + safetensors({
    "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": ("F16", [1, 4], bytes(8)),
    "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": ("F16", [4, 1], bytes(8)),
    "lora_unet_down_blocks_0_attentions_0_proj_in.alpha": ("F32", [], struct.pack("<f", 1.0))},
    {"ss_base_model_version": "sd_v1"}))


# A PyTorch zip checkpoint, pickled as torch.save does, with stand-ins for torch's globals (torch itself is not
# needed): persistent ids name the storages, _rebuild_tensor_v2 builds the views.
torch_module = types.ModuleType("torch")
utils_module = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch_module, utils_module


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
utils_module._rebuild_tensor_v2 = _rebuild_tensor_v2
for storage in ("HalfStorage", "FloatStorage", "BFloat16Storage", "LongStorage"):
    setattr(torch_module, storage, type(storage, (), {"__module__": "torch"}))


class Storage:
    def __init__(self, kind, key, elements):
        self.kind, self.key, self.elements = kind, key, elements


class Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.args = (storage, offset, tuple(shape), tuple(stride), False, {})

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


class CheckpointPickler(pickle.Pickler):
    def persistent_id(self, value):
        if isinstance(value, Storage):
            return ("storage", getattr(torch_module, value.kind), value.key, "cpu", value.elements)
        return None


def checkpoint(state, storages, wrap=True):
    buffer = io.BytesIO()
    CheckpointPickler(buffer, protocol=2).dump({"state_dict": state, "global_step": 10} if wrap else state)
    out = io.BytesIO()
    def entry(name):  # a fixed date, so that the seeds are the same bytes at every run
        return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(entry("archive/data.pkl"), buffer.getvalue())
        for key, raw in storages.items():
            archive.writestr(entry(f"archive/data/{key}"), raw)
        archive.writestr(entry("archive/version"), "3\n")
    return out.getvalue()


half = Storage("HalfStorage", "0", 6)
single = Storage("FloatStorage", "1", 2)
write("fuzz_model_file", "ckpt-small", b"\1" + checkpoint(
    {"a.weight": Tensor(half, 0, [2, 3], [3, 1]), "a.bias": Tensor(single, 0, [2], [1]),
     "a.view": Tensor(half, 2, [2, 2], [1, 2])},
    {"0": bytes(range(12)), "1": struct.pack("<2f", 0.5, 4.0)}))
write("fuzz_model_file", "ckpt-bare-dict", b"\1" + checkpoint(
    {"w": Tensor(Storage("BFloat16Storage", "0", 4), 0, [4], [1]), "n": Tensor(Storage("LongStorage", "1", 1), 0, [], [])},
    {"0": bytes(8), "1": struct.pack("<q", 9)}, wrap=False))

# ---- settings.json, then NUL, then secrets.json --------------------------------------------------------------
settings = {"civitai_endpoint": "", "device": "auto", "download_cache_gb": 20.0, "format": 1,
            "huggingface_endpoint": "", "install_in_place": False, "max_parallel_downloads": 5, "models_dir": "",
            "precision": "auto", "ram_cache_gb": 8.0, "vram_cache_gb": 4.0, "write_metadata": True}
write("fuzz_settings", "defaults", json.dumps(settings, indent=2))
write("fuzz_settings", "with-secrets", json.dumps(dict(settings, device="cpu", future_key={"kept": [1, 2]})) + "\0" +
      json.dumps({"huggingface_token": "hf_abc", "civitai_token": "0123456789abcdef"}))
write("fuzz_settings", "wrong-types", json.dumps(dict(settings, ram_cache_gb="eight", max_parallel_downloads=-3)))

# ---- model records: 0 = import file, 1 = Civitai model, 2 = Hugging Face model -----------------------------------
record = {"key": "68f1d1218a714fe661201f91d5d5f5bb", "name": "tiny-sd1", "type": "main", "format": "checkpoint",
          "base": "sd-1", "path": "tiny-sd1/tiny-sd1.safetensors",
          "hash": "sha256:4f53e7fa1ae4b5ce2a71f0e7dc8bdd29fafb84b3fedc8f78ec1c48753ca9ce26",
          "description": "sd-1 main model tiny-sd1", "source": "https://example.com/tiny-sd1.safetensors",
          "source_type": "url", "source_api_response": None, "cover_image": "", "tags": ["tiny"],
          "trigger_words": [], "added_at": "2026-12-05T12:20:08.703Z", "updated_at": "2026-12-05T12:20:08.703Z",
          "file_size": 7530178, "config_path": "tiny-sd1/tiny-sd1.yaml", "variant": "normal",
          "prediction_type": "epsilon"}
lora = dict(record, key="0123456789abcdef0123456789abcdef", name="detail", type="lora", format="lycoris",
            trigger_words=["add_detail"], source_api_response='{"id": 58390}')
for field in ("config_path", "variant", "prediction_type"):
    lora.pop(field)
write("fuzz_model_records", "export", b"\0" + json.dumps({"format": "atelier-model-library", "version": 1,
                                                           "models": [record, lora]}).encode())
write("fuzz_model_records", "civitai", b"\1" + json.dumps({
    "id": 58390, "name": "Detail Tweaker LoRA", "type": "LORA", "nsfw": False, "tags": ["detail"],
    "description": "<p>Adds <strong>detail</strong> &amp; texture.</p>", "creator": {"username": "someone"},
    "modelVersions": [{"id": 128713, "modelId": 58390, "name": "v1.0", "baseModel": "SD 1.5",
                       "trainedWords": ["add_detail"], "downloadUrl": "https://civitai.com/api/download/models/128713",
                       "files": [{"id": 1287130, "name": "add_detail.safetensors", "sizeKB": 37.8, "type": "Model",
                                  "primary": True, "metadata": {"format": "SafeTensor", "fp": "fp16"},
                                  "hashes": {"AutoV2": "7C6BAD76EB", "SHA256": "7C6BAD76EB54" + "0" * 52},
                                  "downloadUrl": "https://civitai.com/api/download/models/128713"}],
                       "images": [{"url": "https://image.civitai.com/x.png", "type": "image", "width": 512,
                                   "height": 768}]}]}).encode())
write("fuzz_model_records", "huggingface", b"\2" + json.dumps({
    "id": "owner/repo", "modelId": "owner/repo", "library_name": "diffusers", "tags": ["stable-diffusion"],
    "siblings": [{"rfilename": "model_index.json", "size": 541},
                 {"rfilename": "unet/diffusion_pytorch_model.safetensors", "size": 3438167536,
                  "lfs": {"sha256": "ab" * 32, "size": 3438167536, "pointerSize": 135}},
                 {"rfilename": "unet/diffusion_pytorch_model.fp16.safetensors", "size": 1719125304,
                  "lfs": {"sha256": "cd" * 32, "size": 1719125304, "pointerSize": 135}},
                 {"rfilename": "unet/config.json", "size": 743},
                 {"rfilename": "v1-5-pruned-emaonly.safetensors", "size": 4265146304}]}).encode())

# ---- download names: a Content-Disposition header, or a URL ----------------------------------------------------
for name, text in {
    "plain": 'attachment; filename="model.safetensors"',
    "rfc5987": "attachment; filename*=UTF-8''%E6%9D%B1%E4%BA%AC%20model.safetensors; filename=\"fallback.bin\"",
    "hostile": 'attachment; filename="../../.bashrc"',
    "url": "https://huggingface.co/owner/repo/resolve/main/unet/diffusion_pytorch_model.fp16.safetensors?download=true",
    "url-encoded": "https://civitai.com/api/download/models/128713/%2e%2e%2fCON.part",
}.items():
    write("fuzz_download_names", name, text)
