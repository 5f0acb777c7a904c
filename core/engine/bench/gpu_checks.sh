#!/usr/bin/env bash
# On the GPU machine, in one call: the engine's checks that need a card, then the figures of the model cache and of
# aMUSEd against diffusers on the same card. Every step has its own time limit and log, so that one that fails or
# runs long leaves the others' results.
#   checks.log        atelier_pipeline_check --amused and --cache-moves, atelier_training_check (fixture folder $1)
#   cache_bench.log   atelier_device_cache_bench: RAM-to-VRAM moves, switches under a budget, partial loads
#   amused_bench.log  a random full-size amused-512 (and amused-256 for training) in both tools
# Usage: gpu_checks.sh FIXTURES [checks|cache|amused]...  (all three when none is named). diffusers' source on
# PYTHONPATH for the amused part. Results go to $OUT (or ./bench-out).
set -uo pipefail
fixtures="${1:?fixture folder}"
shift
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(checks cache amused)
here=$(dirname "$0")
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
bash "$here/gpu_build.sh" atelier_pipeline_check atelier_training_check atelier_device_cache_bench \
    atelier_amused_bench || exit 1
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
    cache)
        step cache_bench.log 200 "$bin/atelier_device_cache_bench" --folder /tmp/atelier-cache-bench --switches 4 ;;
    amused)
        a=/tmp/amused-512
        step amused_bench.log 120 python3 "$here/amused_baseline.py" make "$a" 512 \
            --tokenizer "$fixtures/models/tiny-amused/tokenizer"
        for batch in 1 8; do
            step amused_bench.log 60 "$bin/atelier_amused_bench" pipeline "$a" 12 5 --device cuda \
                --precision fp16 --batch "$batch"
            step amused_bench.log 60 python3 "$here/amused_baseline.py" pipeline "$a" 12 5 --device cuda \
                --precision fp16 --batch "$batch"
        done
        for rank in 0 16; do
            step amused_bench.log 90 "$bin/atelier_amused_bench" train amused-256 20 $rank --device cuda \
                --precision bf16 --batch 8
            step amused_bench.log 90 python3 "$here/amused_baseline.py" train amused-256 20 $rank --device cuda \
                --precision bf16 --batch 8
        done ;;
    esac
done
grep -h "^| \|FAILED\|within\|passed\|unchanged\|reference\|fastest\|GB/s\|error" "$out"/*.log | tail -n 80
exit $status
