#!/usr/bin/env bash
# On the GPU machine: builds the named engine programs (all the GPU scripts need when none is named) against the
# CUDA libtorch of the machine's PyTorch, into /tmp/atelier-engine. Logs go to $OUT (or ./bench-out).
set -uo pipefail
out="${OUT:-$PWD/bench-out}"
mkdir -p "$out"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(atelier_engine_bench atelier_pipeline_check)
prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
start=$(date +%s)
cmake -S . -B /tmp/atelier-engine -G Ninja -DCMAKE_BUILD_TYPE=Release -DATELIER_ENGINE_ONLY=ON \
    -DCMAKE_PREFIX_PATH="$prefix" > "$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build /tmp/atelier-engine --target "${targets[@]}" > "$out/build.log" 2>&1 \
    || { grep -E "error" "$out/build.log" | head -30; exit 1; }
echo "build: $(( $(date +%s) - start )) s"
