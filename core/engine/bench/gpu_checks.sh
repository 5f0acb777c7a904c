#!/usr/bin/env bash
# On the GPU machine, in one call: the engine's checks that need a card, then the figures of the model cache, the
# VAE decode, LoRA patching and aMUSEd against PyTorch and diffusers on the same card. Every step has its own time
# limit and log, so that one that fails or runs long leaves the others' results.
#   checks.log        atelier_pipeline_check --amused and --cache-moves, atelier_training_check (fixture folder $1)
#   curve.log         atelier_training_check --curve: 200-step loss curves on the card against the CPU
#   cache_bench.log   atelier_device_cache_bench: RAM-to-VRAM moves, switches under a budget, partial loads
#   vae.log           atelier_engine_bench --vae (layouts, precisions, stages), then vae_layout_probe.py (PyTorch)
#   lora.log          atelier_lora_bench on a random SDXL checkpoint, then lora_baseline.py (ComfyUI-style patching)
#   amused_bench.log  a random full-size amused-512 in both tools, with and without CUDA graphs
#   training_bench.log  training steps of a random full-size amused-256 in both tools
# Usage: gpu_checks.sh FIXTURES [checks|curve|cache|vae|lora|amused|training]...  (checks, cache, amused and
# training when none is named). diffusers' source on PYTHONPATH for the amused, vae and lora parts. Results go to $OUT (or ./bench-out).
set -uo pipefail
fixtures="${1:?fixture folder}"
shift
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(checks cache amused training)
here=$(dirname "$0")
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
bash "$here/gpu_build.sh" atelier_pipeline_check atelier_training_check atelier_device_cache_bench \
    atelier_amused_bench atelier_engine_bench atelier_lora_bench || exit 1
bin=/tmp/atelier-engine/core/engine
status=0
# step LOG LIMIT COMMAND...: runs COMMAND under LIMIT seconds, appending to LOG, and notes its exit status.
step() {
    local log="$out/$1" limit=$2
    shift 2
    echo "\$ $*" >> "$log"
    timeout "$limit" "$@" >> "$log" 2>&1
    local code=$?
    echo "exit $code" >> "$log"
    [ $code -eq 0 ] || status=1
}
for part in "${parts[@]}"; do
    case $part in
    checks)
        step checks.log 150 "$bin/atelier_pipeline_check" --amused "$fixtures"
        step checks.log 150 "$bin/atelier_pipeline_check" --cache-moves "$fixtures"
        step checks.log 200 "$bin/atelier_training_check" --fixtures "$fixtures" ;;
    curve)
        step curve.log 150 "$bin/atelier_training_check" --fixtures "$fixtures" --curve ;;
    cache)
        step cache_bench.log 200 "$bin/atelier_device_cache_bench" --folder /tmp/atelier-cache-bench --switches 4 ;;
    vae)
        step vae.log 90 "$bin/atelier_engine_bench" --vae --calls 9 --repeats 1
        step vae.log 90 python3 "$here/vae_layout_probe.py" ;;
    lora)
        step lora.log 240 "$bin/atelier_lora_bench" --folder /tmp/atelier-cache-bench --family sdxl --device cuda
        step lora.log 60 python3 "$here/lora_baseline.py" ;;
    amused)
        a=/tmp/amused-512
        step amused_bench.log 120 python3 "$here/amused_baseline.py" make "$a" 512 \
            --tokenizer "$fixtures/models/tiny-amused/tokenizer"
        for batch in 1 8; do
            step amused_bench.log 60 "$bin/atelier_amused_bench" pipeline "$a" 12 5 --device cuda \
                --precision fp16 --batch "$batch"
            step amused_bench.log 60 "$bin/atelier_amused_bench" pipeline "$a" 12 5 --device cuda \
                --precision fp16 --batch "$batch" --eager
            step amused_bench.log 60 python3 "$here/amused_baseline.py" pipeline "$a" 12 5 --device cuda \
                --precision fp16 --batch "$batch"
        done ;;
    training)
        for rank in 0 16; do
            step training_bench.log 90 "$bin/atelier_amused_bench" train amused-256 20 $rank --device cuda \
                --precision bf16 --batch 8
            step training_bench.log 90 python3 "$here/amused_baseline.py" train amused-256 20 $rank --device cuda \
                --precision bf16 --batch 8
        done ;;
    esac
done
grep -h "^| \|FAILED\|within\|passed\|unchanged\|reference\|fastest\|GB/s\|error\|time goes\|patch\|ms\b" "$out"/*.log | tail -n 120
exit $status
