#!/usr/bin/env bash
# On the GPU machine: builds the engine against PyTorch's CUDA libtorch and runs the real pipeline there, the
# fixture cases (path in $1) in fp32/fp16/bf16 with and without CUDA graphs, then a full-size SD 1.5 run.
set -uo pipefail
fixtures="${1:?fixture folder}"
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
cmake -S . -B /tmp/atelier-engine -G Ninja -DCMAKE_BUILD_TYPE=Release -DATELIER_ENGINE_ONLY=ON \
    -DCMAKE_PREFIX_PATH="$prefix" > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build /tmp/atelier-engine --target atelier_pipeline_check atelier_engine_bench > "$out/build.log" 2>&1 \
    || { grep -E "error" "$out/build.log" | head -30; exit 1; }
check=/tmp/atelier-engine/core/engine/atelier_pipeline_check
"$check" --fixtures "$fixtures" --out "$out/fixtures.txt" > "$out/fixtures.log" 2>&1; fixtures_status=$?
tail -3 "$out/fixtures.log"
mkdir -p /tmp/full-size
"$check" --full-size /tmp/full-size --cudnn-benchmark off --out "$out/full_size_plain.txt" > "$out/full_size_plain.log" 2>&1
"$check" --full-size /tmp/full-size --out "$out/full_size.txt" > "$out/full_size.log" 2>&1; full_status=$?
tail -8 "$out/full_size_plain.log" "$out/full_size.log"
exit $(( fixtures_status | full_status ))
