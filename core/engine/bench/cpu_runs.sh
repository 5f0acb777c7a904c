#!/usr/bin/env bash
# CPU runs side by side in one process tree: `atelier generate` on the fixtures' tiny-sd1 (3 steps at 256x256 and
# 384x384; cold, as a one-shot command runs, and warm, as the peer and a second run in the window are measured)
# and a full-size SD 1.5 UNet call at 512x512, each as it runs by default and with glibc's allocator tuned
# by environment (one arena, every block from the heap, no trimming), against diffusers on the same
# libtorch (../shared/bench/cpu_peer.py) run the same two ways. Prints a Markdown table: seconds, minor page
# faults and peak memory.
#
#   cpu_runs.sh BUILD_DIR [PEER_SITE] [BEFORE_ENGINE_LIBRARY] [BEFORE_UNET_BENCH]
#
# PEER_SITE: the site/ folder inside what setup_diffusers_cpu.sh built (diffusers rows are skipped without it). The BEFORE arguments
# name an older libatelier-engine.so and atelier_cpu_unet_bench, run the same way, for before/after figures.
set -euo pipefail
build=${1:?usage: cpu_runs.sh BUILD_DIR [PEER_SITE] [BEFORE_ENGINE_LIBRARY] [BEFORE_UNET_BENCH]}
peer=${2:-}
before_engine=${3:-}
before_unet=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../../.." && pwd)
fixtures=${ATELIER_FIXTURES:-$source_dir/../shared/fixtures}
bench=${ATELIER_BENCH:-$source_dir/../shared/bench}
atelier=$build/app/atelier
unet=$build/core/engine/atelier_cpu_unet_bench
pipeline=$build/core/engine/atelier_cpu_pipeline_bench
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
tuned=(MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
       MALLOC_TOP_PAD_=268435456)

echo "| run | seconds, median (range) | page faults | peak MB |"
echo "| --- | --- | --- | --- |"
# row NAME PATTERN COMMAND...: the seconds are the number that PATTERN's line carries (the run's own figure,
# model loading excluded), the median of $repeats runs (this machine's runs vary by 20% from one to the next);
# faults and memory are the whole process's in the median run, except for the UNet bench, which counts its calls'
# own faults (its random weights alone take 850,000).
repeats=${ATELIER_BENCH_REPEATS:-5}
row() {
    local name=$1 pattern=$2
    shift 2
    local log="$root/log" timing="$root/time" runs="$root/runs"
    : >"$runs"
    for ((run = 0; run < repeats; ++run)); do
        if ! /usr/bin/time -o "$timing" -f "%R %M" "$@" >"$log" 2>&1; then
            echo "| $name | failed: $(tr '\r' '\n' <"$log" | tail -1) | | |"
            return
        fi
        local seconds faults kilobytes
        seconds=$(tr '\r' '\n' <"$log" | grep -Eo "$pattern" | grep -Eo '[0-9]+\.[0-9]+' | head -1)
        read -r faults kilobytes <"$timing"
        if grep -q 'page faults per call' "$log"; then
            faults="$(grep -Eo '[0-9]+ page faults per call' "$log" | grep -Eo '^[0-9]+') per call"
        fi
        echo "$seconds|$faults|$((kilobytes / 1024))" >>"$runs"
    done
    local median
    median=$(sort -t'|' -k1,1g "$runs" | sed -n "$(((repeats + 1) / 2))p")
    IFS='|' read -r seconds faults megabytes <<<"$median"
    local spread
    spread=$(sort -t'|' -k1,1g "$runs" | cut -d'|' -f1 | sed -n '1p;$p' | paste -sd'-')
    printf '| %s | %s (%s) | %s | %d |\n' "$name" "$seconds" "$spread" "$faults" "$megabytes"
}

generate=("$atelier" --root "$root" generate --model "$fixtures/models/tiny-sd1/tiny-sd1.safetensors"
          --prompt "a photo of a cat" --steps 3 --out "$root/image.png")
sampled='sampled and decoded in [0-9.]+'
for size in 256 384; do
    at_size=(--width "$size" --height "$size")
    row "Atelier $size" "$sampled" "${generate[@]}" "${at_size[@]}"
    row "Atelier $size, env-tuned" "$sampled" env "${tuned[@]}" "${generate[@]}" "${at_size[@]}"
    if [[ -n $before_engine ]]; then
        row "Atelier before $size" "$sampled" env ATELIER_ENGINE_LIBRARY="$before_engine" "${generate[@]}" "${at_size[@]}"
        row "Atelier before $size, env-tuned" "$sampled" env ATELIER_ENGINE_LIBRARY="$before_engine" "${tuned[@]}" \
            "${generate[@]}" "${at_size[@]}"
    fi
    # Measured as diffusers is below: loaded once, a 64x64 warm-up, then the timed run.
    row "Atelier $size, warm" 'steps: [0-9.]+ s' "$pipeline" "$fixtures/models/tiny-sd1/tiny-sd1.safetensors" "$size" 3
    row "Atelier $size, warm, env-tuned" 'steps: [0-9.]+ s' env "${tuned[@]}" "$pipeline" \
        "$fixtures/models/tiny-sd1/tiny-sd1.safetensors" "$size" 3
    if [[ -n $peer ]]; then
        peer_run=(env PYTHONPATH="$peer" /usr/bin/python3 "$bench/cpu_peer.py" "$fixtures/models/tiny-sd1/diffusers" "$size" 3)
        row "diffusers $size" 'steps: [0-9.]+ s' "${peer_run[@]}"
        row "diffusers $size, env-tuned" 'steps: [0-9.]+ s' env "${tuned[@]}" "${peer_run[@]}"
    fi
done
per_call='[0-9.]+ s per call'
repeats=1  # each UNet row is already the mean of several calls, and the slow one takes a minute
row "SD1.5 UNet 512, buffer cache" "$per_call" "$unet"
row "SD1.5 UNet 512, no buffer cache" "$per_call" "$unet" --no-buffer-cache
row "SD1.5 UNet 512, no buffer cache, env-tuned" "$per_call" env "${tuned[@]}" "$unet" --no-buffer-cache
if [[ -n $before_unet ]]; then
    row "SD1.5 UNet 512, before" "$per_call" "$before_unet"
    row "SD1.5 UNet 512, before, env-tuned" "$per_call" env "${tuned[@]}" "$before_unet"
fi
