#!/usr/bin/env bash
# On the GPU machine: builds the engine against PyTorch's CUDA libtorch and runs the real pipeline there, the
# fixture cases (path in $1) in fp32/fp16/bf16 with and without CUDA graphs, then a full-size SD 1.5 run.
set -uo pipefail
fixtures="${1:?fixture folder}"
mode="${2:-}"  # --no-full-size: the fixture cases only
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
bash "$(dirname "$0")/gpu_build.sh" atelier_pipeline_check || exit 1
check=/tmp/atelier-engine/core/engine/atelier_pipeline_check
"$check" --fixtures "$fixtures" --out "$out/fixtures.txt" > "$out/fixtures.log" 2>&1; fixtures_status=$?
tail -3 "$out/fixtures.log"
[ "$mode" = --no-full-size ] && exit $fixtures_status
mkdir -p /tmp/full-size
"$check" --full-size /tmp/full-size --cudnn-benchmark off --out "$out/full_size_plain.txt" > "$out/full_size_plain.log" 2>&1
"$check" --full-size /tmp/full-size --out "$out/full_size.txt" > "$out/full_size.log" 2>&1; full_status=$?
tail -8 "$out/full_size_plain.log" "$out/full_size.log"
exit $(( fixtures_status | full_status ))
